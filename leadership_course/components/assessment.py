"""Assessment widgets: questions and written answers saved to answers.json, a submission
check, and "Download my submission" for Voila and Binder.

While nbgrader grades (NBGRADER_EXECUTION is set) each part shows the submitted answer as
plain, escaped HTML instead of a widget, so graders and feedback readers see it."""

import base64
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import ipywidgets as widgets
from IPython.display import HTML

from ..assessment import (
    ANSWERS_FILE,
    MAX_WRITTEN_LENGTH,
    chosen_options,
    read_answers,
    written_text,
)
from ..record import now
from .choice_group import ChoiceGroup
from .common import CourseBox, LiveRegion, button, escape, html_widget, markdown, plain_look, text_box_look

LEARNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$")


def _clock(stamp):
    return datetime.fromisoformat(stamp).strftime("%H:%M")


def static_box(kind, body):
    """Plain HTML output (not a widget), so it shows in graded notebooks and feedback pages."""
    return HTML(f"<div class='course-box course-{kind}'>{body}</div>")


class AssessmentQuestion(CourseBox):
    """One question; the chosen options are saved (as their text) the moment they change."""

    def __init__(self, question, number, store):
        self.question = question
        self.store = store
        saved = chosen_options(question, store.activity(question["id"])) or []
        self.selector = ChoiceGroup(question["options"], legend_html=markdown(question["prompt"]),
                                    multiple=question["kind"] == "multiple",
                                    value=[question["options"].index(t) for t in saved])
        self.status = LiveRegion()
        self.selector.observe(lambda change: self.save(), names="value")
        super().__init__([html_widget(f"<h3>Question {number}</h3>"), self.selector, self.status],
                         "assessment-question", store)

    def save(self):
        chosen = [self.question["options"][i] for i in self.selector.value]
        try:
            self.store.update(self.question["id"], {"type": "choice", "selected": chosen, "saved_at": now()})
        except Exception:  # shown plainly; the learner can choose again
            self.status.html = "<p>Sorry, your answer could not be saved. Please try again.</p>"
            return
        self.status.html = f"<p>Answer saved at {_clock(now())}.</p>" if chosen else "<p>Answer cleared.</p>"


def graded_question(question, number, entry):
    chosen = chosen_options(question, entry) if entry is not None else None
    if entry is None:
        given = "<p><strong>No answer given.</strong></p>"
    elif chosen is None:
        given = "<p><strong>The saved answer could not be read, so it scores 0.</strong></p>"
    else:
        given = "<p>Answer submitted:</p><ul>" + "".join(f"<li>{escape(c)}</li>" for c in chosen) + "</ul>"
    return static_box("assessment-question", f"<h3>Question {number}</h3>{markdown(question['prompt'])}{given}")


class WrittenAnswer(CourseBox):
    """A written answer, marked by a person: saved on Save and when the learner leaves the box."""

    def __init__(self, written, store):
        self.written = written
        self.store = store
        self.status = LiveRegion()
        self.box = widgets.Textarea(value=written_text(store.activity(written["id"])), description="Your answer",
                                    continuous_update=False, rows=8, **text_box_look())
        self.box.observe(lambda change: self.save(), names="value")
        save = button("Save", self.save, self._report)
        super().__init__([html_widget(markdown(written["prompt"])), self.box, save, self.status],
                         "written-answer", store)

    def _report(self, message):
        self.status.html = message

    def save(self):
        text = self.box.value[:MAX_WRITTEN_LENGTH]
        try:
            self.store.update(self.written["id"], {"type": "written", "text": text, "saved_at": now()})
        except Exception:
            self.status.html = "<p>Sorry, your answer could not be saved. Please try again.</p>"
            return
        note = f" Only the first {MAX_WRITTEN_LENGTH:,} characters were kept." if len(self.box.value) > MAX_WRITTEN_LENGTH else ""
        self.status.html = f"<p>Saved at {_clock(now())}.{note}</p>"


def graded_written(written, entry):
    raw = entry.get("text") if isinstance(entry, dict) else None
    if raw is not None and not isinstance(raw, str):
        given = "<p><strong>The saved answer was not text, so nothing can be shown.</strong></p>"
    elif not (raw or "").strip():
        given = "<p><strong>No answer given.</strong></p>"
    else:
        cut = (f"<p><em>The answer was longer than {MAX_WRITTEN_LENGTH:,} characters; only the start is shown.</em></p>"
               if len(raw) > MAX_WRITTEN_LENGTH else "")
        given = (f"<p>Answer submitted:</p><blockquote style='white-space:pre-wrap'>{escape(written_text(entry))}"
                 f"</blockquote>{cut}")
    return static_box("written-answer", f"{markdown(written['prompt'])}{given}")


def submission_report(assessment, folder="."):
    """What a grader needs to know about a submission before marking it."""
    answers, problems = read_answers(folder)
    questions = assessment["questions"]
    answered = [q for q in questions if q["id"] in answers]
    unreadable = [q["id"] for q in answered if chosen_options(q, answers[q["id"]]) is None]
    for question_id in unreadable:
        problems.append(f"The answer to {question_id} could not be read as a choice of its options and scores 0.")
    written = assessment.get("written") or []
    wrote = [w for w in written if written_text(answers.get(w["id"])).strip()]
    rows = (f"<li>Questions answered: {len(answered) - len(unreadable)} of {len(questions)}</li>"
            f"<li>Written answers given: {len(wrote)} of {len(written)}</li>")
    issues = "".join(f"<li>{escape(p)}</li>" for p in problems) or "<li>None.</li>"
    return static_box("submission-check", f"<h2>Submission check</h2><ul>{rows}</ul>"
                                          f"<p>Problems found:</p><ul>{issues}</ul>")


def learner_instructions(assessment):
    return static_box("submission-check", (
        f"<h2>How this assessment works</h2><p>Answer each question by choosing an option. Write your "
        "answers in the boxes and select Save. Everything is saved as you go, in a file called "
        f"<code>{ANSWERS_FILE}</code> beside this page.</p><p>When you have finished: if your facilitator "
        "uses a course hub, submit the assignment there. Otherwise, use <strong>Download my "
        "submission</strong> at the end of this page and send the file to your facilitator.</p>"))


def submission_zip(learner_id, assessment, folder="."):
    """(file name, zip bytes) laid out for ``nbgrader zip_collect`` with the course config."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        notebook = folder / assessment["notebook"]
        archive.writestr(f"{learner_id}__{assessment['notebook']}", notebook.read_bytes())
        answers = folder / ANSWERS_FILE
        data = answers.read_bytes() if answers.exists() else json.dumps({"version": 1, "activities": {}}).encode()
        archive.writestr(f"{learner_id}__{ANSWERS_FILE}", data)
    return f"{assessment['id']}__{learner_id}.zip", buffer.getvalue()


class SubmissionDownload(CourseBox):
    """The learner types the ID their facilitator gave them and downloads one zip file."""

    def __init__(self, assessment, store):
        self.assessment = assessment
        self.learner_id = widgets.Text(description="Your learner ID", placeholder="for example ab12",
                                       **plain_look(),
                                       style=text_box_look()["style"])
        self.link = html_widget()
        self.status = LiveRegion()
        intro = html_widget("<h3>Download my submission</h3><p>Type the learner ID your facilitator gave "
                             "you, then select Prepare my submission. Save the file and send it to your "
                             "facilitator as they asked.</p>")
        prepare = button("Prepare my submission", self.prepare, self._report)
        super().__init__([intro, self.learner_id, prepare, self.status, self.link], "submission-download", store)

    def _report(self, message):
        self.status.html = message

    def prepare(self):
        learner_id = self.learner_id.value.strip()
        if not LEARNER_ID.match(learner_id):
            self.link.value = ""
            self.status.html = ("<p>Please type your learner ID: letters and numbers, and dots or dashes, "
                                "as your facilitator gave it.</p>")
            return
        name, data = submission_zip(learner_id, self.assessment)
        encoded = base64.b64encode(data).decode("ascii")
        self.link.value = (f"<p><a class='course-download' download='{escape(name)}' "
                           f"href='data:application/zip;base64,{encoded}'>Save {escape(name)}</a></p>")
        self.status.html = f"<p>Your submission is ready: select Save {escape(name)}.</p>"
