"""Compassionate and Inclusive Leadership: the course engine.

Notebooks call one function per activity, for example ``show_scenario("busy-shift-scenario")``.
Each function displays the component and never shows the learner a traceback.

Importing the package loads nothing else: each function imports what it needs when it is
first called, and the names this module passes on from elsewhere (``check_choice``, IPython's
``display``...) are imported when first read. So the workshop server and the build and
grading commands start without IPython, ipywidgets or matplotlib.
"""

import importlib
import logging
import os
from pathlib import Path

__all__ = [
    "check_answered",
    "check_choice",
    "show_assessment_start",
    "show_question",
    "show_submission_download",
    "show_written_answer",
    "show_bibliography",
    "show_glossary",
    "show_course_home",
    "show_facilitator_dashboard",
    "show_journal_download",
    "show_my_pledges",
    "show_picture",
    "show_knowledge_check",
    "show_plan",
    "show_reflection",
    "show_scenario",
    "show_self_check",
    "show_where_saved",
]

#: The names this module passes on, each with the module it comes from (imported when first read).
_PASSED_ON = {
    "display": "IPython.display",
    "check_answered": ".grading.marking",
    "check_choice": ".grading.marking",
    **dict.fromkeys(["ANSWERS_FILE", "grading_run", "load_assessment", "read_answers"], ".grading.questions"),
    **dict.fromkeys(["ContentError", "load_activity", "load_course", "load_glossary", "load_picture", "load_plan",
                     "load_references"], ".content"),
    "get_record": ".record",
}


def __getattr__(name):
    """A passed-on name, imported now (PEP 562: only called for a name not yet in the module)."""
    if name not in _PASSED_ON:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_PASSED_ON[name], __name__), name)
    globals()[name] = value  # the next read finds it, and a test may replace it
    return value


def __dir__():
    return sorted({*globals(), *_PASSED_ON})


STRICT_VARIABLE = "COURSE_STRICT"


def _show(build, what, activity_id=None):
    """Build a component and display it; on any problem, display a plain message instead.

    With $COURSE_STRICT=1 (for authors and tests) the problem is raised, so a notebook run
    fails loudly. In a kernel Voila pre-heated, it first waits for the learner to open
    the page, so that the component reads the record as it is now (voila/preheat.py).
    Showing an activity of a module notes in the record that its page was opened."""
    from .voila.preheat import wait_for_learner

    wait_for_learner()
    try:
        widget = build()
    except Exception as error:  # the learner must never see a traceback
        if os.environ.get(STRICT_VARIABLE) == "1":
            raise
        from .components.common import problem_widget

        widget = problem_widget(error, what)
    show = globals().get("display") or __getattr__("display")  # IPython's, or what a test put in its place
    show(widget)
    if activity_id:
        _note_page_opened(activity_id)


def _note_page_opened(activity_id):
    """Note that the learner opened the module page that shows ``activity_id``, so that the
    course home counts the module as started. Never stops the page (except when strict)."""
    from .content import load_course
    from .record import get_record

    try:
        for module in load_course()["modules"]:
            if module.get("notebook") and activity_id in (module.get("activities") or []):
                get_record().note_page_opened(module["notebook"])
                return
    except Exception:
        if os.environ.get(STRICT_VARIABLE) == "1":
            raise
        logging.getLogger(__name__).exception("Could not note that the page of %s was opened", activity_id)


def knowledge_check(activity_id):
    from .components.knowledge_check import KnowledgeCheck
    from .content import load_activity
    from .record import get_record

    return KnowledgeCheck(load_activity(activity_id, "knowledge_check"), get_record())


def scenario(activity_id):
    from .components.scenario import Scenario
    from .content import load_activity
    from .record import get_record

    return Scenario(load_activity(activity_id, "scenario"), get_record())


def self_check(activity_id):
    from .components.self_check import SelfCheck
    from .content import load_activity
    from .record import get_record

    return SelfCheck(load_activity(activity_id, "self_check"), get_record())


def reflection(activity_id):
    from .components.reflection import Reflection
    from .content import load_activity
    from .record import get_record

    return Reflection(load_activity(activity_id, "reflection"), get_record())


def plan(plan_id):
    from .components.plan import Plan
    from .content import load_plan
    from .record import get_record

    return Plan(*load_plan(plan_id), get_record())


def course_home():
    from .components.course_home import CourseHome
    from .content import load_course
    from .record import get_record

    return CourseHome(load_course(), get_record())


def journal_download():
    from .components.journal_download import JournalDownload
    from .content import load_course
    from .record import get_record

    return JournalDownload(load_course(), get_record())


def where_saved():
    from .components.where_saved import WhereSaved
    from .record import get_record

    return WhereSaved(get_record())


def picture(name):
    from .components.picture import Picture
    from .content import load_picture

    return Picture(*load_picture(name))


def my_pledges():
    from .components.pledge_list import PledgeList
    from .record import get_record

    return PledgeList(get_record())


def show_bibliography():
    """Display every reference the course cites."""
    from .components.reference_pages import Bibliography
    from .content import load_references

    _show(lambda: Bibliography(load_references()), "bibliography")


def show_glossary():
    """Display the glossary of terms and acronyms."""
    from .components.reference_pages import Glossary
    from .content import load_glossary

    _show(lambda: Glossary(load_glossary()), "glossary")


def show_picture(name):
    """Display a picture from assets/ with its alt text and caption."""
    _show(lambda: picture(name), "picture")


def show_my_pledges():
    """Display every pledge the learner has saved, module by module."""
    _show(my_pledges, "list of pledges")


def show_knowledge_check(activity_id):
    """Display a knowledge check by its id."""
    _show(lambda: knowledge_check(activity_id), "knowledge check", activity_id)


def show_scenario(activity_id):
    """Display a branching scenario by its id."""
    _show(lambda: scenario(activity_id), "scenario", activity_id)


def show_self_check(activity_id):
    """Display a self-check by its id."""
    _show(lambda: self_check(activity_id), "self-check", activity_id)


def show_reflection(activity_id):
    """Display a reflection, pledge or goals box by its id."""
    _show(lambda: reflection(activity_id), "reflection", activity_id)


def show_plan(plan_id):
    """Display a plan: several reflections answered together in one card."""
    _show(lambda: plan(plan_id), "plan")


def show_course_home():
    """Display the course map with the learner's progress."""
    _show(course_home, "course map")


def show_journal_download():
    """Display the links that download the learner's journal and raw record."""
    _show(journal_download, "journal download")


def show_where_saved():
    """Display where the learner's record is kept and what it holds."""
    _show(where_saved, "note on saving")


# --- assessments (nbgrader): answers are saved to answers.json beside the notebook ------


def _answers_store():
    from .grading.questions import ANSWERS_FILE
    from .record import LearnerRecord

    return LearnerRecord(Path.cwd(), ANSWERS_FILE)


def _assessment_part(question_id):
    from .content import ContentError
    from .grading.questions import load_assessment

    assessment = load_assessment()
    for number, question in enumerate(assessment["questions"], start=1):
        if question["id"] == question_id:
            return "question", question, number
    for written in assessment.get("written") or []:
        if written["id"] == question_id:
            return "written", written, None
    raise ContentError([f"assessment.yaml: there is no question or written answer '{question_id}'"])


def question(question_id):
    from .content import ContentError
    from .grading.questions import grading_run, read_answers

    kind, item, number = _assessment_part(question_id)
    if kind != "question":
        raise ContentError([f"assessment.yaml: '{question_id}' is a written answer: use show_written_answer"])
    if grading_run():  # plain HTML: nbgrader runs load no widget library
        from .grading.graded_view import graded_question

        return graded_question(item, number, read_answers()[0].get(question_id))
    from .grading.learner_widgets import AssessmentQuestion

    return AssessmentQuestion(item, number, _answers_store())


def written_answer(written_id):
    from .content import ContentError
    from .grading.questions import grading_run, read_answers

    kind, item, _ = _assessment_part(written_id)
    if kind != "written":
        raise ContentError([f"assessment.yaml: '{written_id}' is a question: use show_question"])
    if grading_run():
        from .grading.graded_view import graded_written

        return graded_written(item, read_answers()[0].get(written_id))
    from .grading.learner_widgets import WrittenAnswer

    return WrittenAnswer(item, _answers_store())


def assessment_start():
    from .grading.graded_view import learner_instructions, submission_report
    from .grading.questions import grading_run, load_assessment

    assessment = load_assessment()
    if grading_run():
        return submission_report(assessment)
    from .grading.exchange import course_exchange

    exchange = course_exchange()  # on a hub: say when this assessment was last submitted
    return learner_instructions(assessment, exchange.last_submitted(Path.cwd().resolve().name) if exchange else None)


def submission_download():
    from .grading.questions import grading_run, load_assessment

    if grading_run():
        from .grading.graded_view import static_box

        return static_box("submission-download", "<p>You handed in these answers to your facilitator.</p>")
    from .grading.exchange import course_exchange
    from .grading.learner_widgets import HubSubmission, SubmissionDownload

    exchange = course_exchange()
    if exchange is not None:  # on a hub: nbgrader's exchange, as the learner's own account
        return HubSubmission(exchange, _answers_store())
    return SubmissionDownload(load_assessment(), _answers_store())


def show_question(question_id):
    """Display an assessment question (graded by nbgrader from answers.json)."""
    _show(lambda: question(question_id), "question")


def show_written_answer(written_id):
    """Display a box for a written answer that a person marks."""
    _show(lambda: written_answer(written_id), "written answer")


def show_assessment_start():
    """Display how the assessment works (or, while grading, the submission check)."""
    _show(assessment_start, "assessment introduction")


def show_submission_download():
    """Display how the learner hands in: "Download my submission" on a laptop and Binder,
    "Submit to my facilitator" and "Get my feedback" on a hub."""
    _show(submission_download, "submission download")


def show_facilitator_dashboard(course_dir="."):
    """Display the cohort dashboard from the nbgrader gradebook in ``course_dir``."""
    from .grading.dashboard import Dashboard
    from .grading.marks import cohort_summary

    _show(lambda: Dashboard(cohort_summary(course_dir)), "dashboard")
