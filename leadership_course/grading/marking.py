"""The tests in each assessment notebook's grade cells.

``check_answered`` is visible to learners and reveals nothing; ``check_choice`` sits in the
hidden tests, which nbgrader removes from the released notebook and restores when grading."""

from .questions import chosen_options, grading_run, load_assessment, read_answers


def _question(question_id):
    question = next((q for q in load_assessment()["questions"] if q["id"] == question_id), None)
    if question is None:
        raise AssertionError(f"There is no question '{question_id}' in this assessment.")
    return question


def check_answered(question_id):
    """Visible test: while nbgrader runs the notebook, fail when no readable answer was saved.

    It reveals nothing about the right answer; run by a learner, it does nothing."""
    if not grading_run():
        return
    answers, _ = read_answers()
    if chosen_options(_question(question_id), answers.get(question_id)) is None:
        raise AssertionError("No answer was given to this question (or it could not be read).")


def check_choice(question_id, correct):
    """Hidden test: pass only when the saved answer is exactly the ``correct`` option texts.

    The messages never reveal the right answer."""
    question = _question(question_id)
    answers, _ = read_answers()
    if question_id not in answers:
        raise AssertionError("No answer was given to this question.")
    chosen = chosen_options(question, answers[question_id])
    if chosen is None:
        raise AssertionError("The saved answer could not be read as a choice of the options, so it scores 0.")
    if chosen != sorted(set(correct)):
        raise AssertionError("This is not the answer the mark scheme expects.")
