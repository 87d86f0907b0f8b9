"""Knowledge check driven as a learner would: choose, click, read the feedback."""

from leadership_course.components.common import is_shown
from leadership_course import knowledge_check
from leadership_course.record import RECORD_FILE


def test_right_answer_gets_correct_feedback_and_is_saved(learner):
    """Does a right answer say so in words, explain why, and reach the record?"""
    check = knowledge_check("sample-check")
    question = check.views[0]
    question.select([0])
    question.check_button.click()
    assert question.feedback.text.startswith("✓ Correct.")
    assert "This is right because it is." in question.feedback.text
    saved = learner.activity("sample-check")
    assert saved["answers"]["pick-one"]["correct"] is True
    assert saved["score"] == 1 and saved["completed"] is False


def test_wrong_answer_explains_and_allows_retry(learner):
    """Does a wrong answer explain the chosen option, lock the options and offer Try again?"""
    check = knowledge_check("sample-check")
    question = check.views[0]
    question.select([1])
    question.check_button.click()
    assert question.feedback.text.startswith("✗ Not quite.")
    assert "This is wrong because it is not." in question.feedback.text
    assert question.selector.disabled and is_shown(question.retry_button)
    question.retry_button.click()
    assert question.selected == [] and not question.selector.disabled
    assert question.feedback.text == "Have another go: change your answer, then select Check answer."
    question.select([0])
    question.check_button.click()
    assert learner.activity("sample-check")["answers"]["pick-one"]["attempts"] == 2


def test_multiple_select_partly_right(learner):
    """Does choosing one of two right options say 'partly right' and how many were missed?"""
    check = knowledge_check("sample-check")
    question = check.views[1]
    question.select([0])
    question.check_button.click()
    assert question.feedback.text.startswith("✗ Partly right.")
    assert "You missed 1 correct option." in question.feedback.text
    question.retry_button.click()
    assert question.selected == [0], "Try again keeps the ticks of a multiple-choice question"
    question.select([0, 1])
    question.check_button.click()
    assert question.feedback.text.startswith("✓ Correct.")


def test_try_again_is_offered_only_after_a_wrong_answer(learner):
    """Is Try again hidden after a right answer (also when it is restored), and shown after
    a wrong one?"""
    check = knowledge_check("sample-check")
    right, wrong = check.views[0], check.views[2]
    right.select([0])
    right.check_button.click()
    assert right.selector.disabled and not is_shown(right.retry_button) and not is_shown(right.check_button)
    wrong.select([1])
    wrong.check_button.click()
    assert is_shown(wrong.retry_button)
    again = knowledge_check("sample-check")
    assert not is_shown(again.views[0].retry_button)


def test_check_with_nothing_chosen_asks_for_a_choice(learner):
    """Does Check answer with nothing chosen ask for a choice and save nothing?"""
    check = knowledge_check("sample-check")
    check.views[2].check_button.click()
    assert "Choose an answer first" in check.views[2].feedback.text
    assert not (learner.directory / RECORD_FILE).exists()


def test_score_summary_counts_answers(learner):
    """Does the summary count right answers and those still to answer?"""
    check = knowledge_check("sample-check")
    check.views[0].select([0])
    check.views[0].check_button.click()
    check.views[2].select([1])
    check.views[2].check_button.click()
    assert "Your score: 1 of 3 correct. 1 question still to answer." in check.summary.html
    check.views[1].select([0, 1])
    check.views[1].check_button.click()
    assert "2 of 3 correct. You have answered every question." in check.summary.html
    assert learner.activity("sample-check")["completed"] is True


def test_answers_are_restored_when_shown_again(learner):
    """Does running the cell again (a reload) show the saved answers and feedback?"""
    first = knowledge_check("sample-check")
    first.views[0].select([1])
    first.views[0].check_button.click()
    again = knowledge_check("sample-check")
    assert again.views[0].selected == [1]
    assert again.views[0].feedback.text.startswith("✗ Not quite.")
    assert again.views[0].selector.disabled
    assert "0 of 3 correct" in again.summary.html


def test_saved_answer_that_no_longer_fits_is_ignored(learner):
    """Is a saved answer with an impossible option number ignored rather than crashing?"""
    learner.update("sample-check", {"answers": {"pick-one": {"selected": [7]}, "pick-many": "junk"}})
    check = knowledge_check("sample-check")
    assert check.views[0].selected == [] and check.views[0].answer is None
    assert check.views[1].answer is None


def test_save_failure_is_shown_plainly(learner, monkeypatch):
    """If the record cannot be written, does the learner get a plain message, not a traceback?"""
    from leadership_course.record import RecordError

    check = knowledge_check("sample-check")

    def refuse(*args, **kwargs):
        raise RecordError("Your work could not be saved in /nowhere (read-only).")

    monkeypatch.setattr(learner, "update", refuse)
    check.views[0].select([0])
    check.views[0].check_button.click()
    assert "Sorry, something went wrong: Your work could not be saved" in check.views[0].feedback.text
    assert "Traceback" not in check.views[0].feedback.html


def test_choice_arriving_after_the_click_is_checked_as_the_same_attempt(learner):
    """If the last choice reaches the kernel after Check answer (as ipywidgets can order
    them: arrow keys choose each radio button they pass), are the feedback and the record
    updated to match what the learner sees, still counted as one attempt?"""
    check = knowledge_check("sample-check")
    question = check.views[0]
    question.select([1])
    question.check_button.click()
    question.selector.value = [0]  # the late value change, while the options are locked
    assert question.feedback.text.startswith("✓ Correct.")
    saved = learner.activity("sample-check")["answers"]["pick-one"]
    assert saved["selected"] == [0] and saved["attempts"] == 1


def test_widgets_share_their_layout_and_style(learner):
    """Do the parts of a knowledge check share one Layout and one style per kind, so the
    browser builds far fewer models, and does a shared Layout refuse a change that would
    hide every widget using it?"""
    import ipywidgets
    import pytest

    check = knowledge_check("sample-check")
    question = check.views[0]
    assert question.check_button.layout is question.retry_button.layout
    assert question.check_button.style is question.retry_button.style
    assert question.layout is question.selector.layout is question.feedback.layout
    with pytest.raises(AttributeError, match="set_shown"):
        question.check_button.layout.display = "none"
    models = set()

    def collect(widget):
        if isinstance(widget, ipywidgets.Widget) and widget.model_id not in models:
            models.add(widget.model_id)
            for name in ("layout", "style"):
                collect(getattr(widget, name, None))
            for child in getattr(widget, "children", ()):
                collect(child)

    collect(check)
    # per question: box, heading, choices, button row, two buttons, feedback (was 13 with own Layouts and styles)
    assert len(models) <= 7 * len(check.views) + 8, len(models)


def test_options_are_shuffled_per_learner_and_answers_keep_their_meaning(content_dir, tmp_path):
    """Is the order of a question's options the same after a reload, different for another
    learner, and does choosing the right option still score it right?"""
    from leadership_course import content, record
    from leadership_course.components.knowledge_check import KnowledgeCheck

    activity = content.load_activity("sample-check")
    assert any(q["kind"] != "true_false" and len(q["options"]) >= 3 for q in activity["questions"])
    orders = {}
    for name in ("learner-a", "learner-b", "learner-c", "learner-d", "learner-e", "learner-a"):
        check = KnowledgeCheck(activity, record.LearnerRecord(tmp_path / name))
        shown = tuple(tuple(v.selector.order) for v in check.views)
        assert orders.setdefault(name, shown) == shown  # the same learner sees the same order again
        for view in check.views:
            right = [i for i, o in enumerate(view.question["options"]) if o["correct"]]
            view.select(right)
            view.check()
            assert view.answer["correct"] and view.answer["selected"] == right
    assert len(set(orders.values())) > 1  # not every learner sees the same order


def test_an_option_ending_in_a_full_stop_gets_no_second_one():
    """Does the feedback on an option that is a sentence ('…all staff.') read 'staff.' and
    not 'staff..', while a short option still gets its full stop?"""
    from leadership_course.components.knowledge_check import QuestionView

    question = {"id": "q", "kind": "single", "prompt": "How are decisions made?", "options": [
        {"text": "Decisions are made by a vote of all staff.", "correct": False, "feedback": "Not here."},
        {"text": "Together", "correct": True, "feedback": "Yes."}]}
    view = QuestionView(question, 1, 1, on_answer=lambda *args: None)
    view.show_result([0])
    assert "<em>Decisions are made by a vote of all staff.</em> " in view.feedback.html
    assert "staff.." not in view.feedback.text.replace(" ", "")
    view.show_result([1])
    assert "You chose <em>Together</em>. " in view.feedback.html
