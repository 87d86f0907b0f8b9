"""The tests in each assessment notebook's grade cells.

``check_answered`` is visible to learners and reveals nothing; ``check_choice`` sits in the
hidden tests, which nbgrader removes from the released notebook and restores when grading.
A test that fails raises ``NoMark``: the cell scores 0, and the graded notebook and the
learner's feedback page show its sentence alone."""

from .questions import chosen_options, grading_run, load_assessment, read_answers


class NoMark(AssertionError):
    """Why a question scores 0, as a sentence for the learner. IPython shows what
    ``_render_traceback_`` returns in place of the exception's name and traceback."""

    def _render_traceback_(self):
        return [str(self)]


def _question(question_id):
    question = next((q for q in load_assessment()["questions"] if q["id"] == question_id), None)
    if question is None:
        raise NoMark("This question is not in the assessment, so it could not be marked.")
    return question


def check_answered(question_id):
    """Visible test: while nbgrader runs the notebook, fail when no readable answer was saved.

    It reveals nothing about the right answer; run by a learner, it does nothing."""
    if not grading_run():
        return
    answers, _ = read_answers()
    if question_id not in answers:
        raise NoMark("No answer was given to this question.")
    if chosen_options(_question(question_id), answers[question_id]) is None:
        raise NoMark("The saved answer could not be read as a choice of the options, so it scores 0.")


def check_choice(question_id, correct):
    """Hidden test: pass only when the saved answer is exactly the ``correct`` option texts.

    The messages never reveal the right answer."""
    question = _question(question_id)
    answers, _ = read_answers()
    if question_id not in answers:
        raise NoMark("No answer was given to this question.")
    chosen = chosen_options(question, answers[question_id])
    if chosen is None:
        raise NoMark("The saved answer could not be read as a choice of the options, so it scores 0.")
    if chosen != sorted(set(correct)):
        raise NoMark("This is not the answer the mark scheme expects.")
