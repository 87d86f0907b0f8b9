"""Assessments graded with nbgrader, answered through widgets.

nbgrader re-runs a submitted notebook headless, where nobody clicks, so live widget state
cannot be graded. Instead every answer is saved, as the learner gives it, to
``answers.json`` beside the notebook. That file travels with the submission (nbgrader's
submit, or the "Download my submission" zip for zip_collect) and the hidden tests read it
with ``marking.check_choice``.

The questions file (``assessment.yaml``) holds no answers: the correct options live only in
the notebook's hidden tests, which nbgrader removes from the released version. Model
answers for ``nbgrader validate`` on the source live in ``model-answers.json``, which the
course's nbgrader config never copies out of the source folder.
"""

import json
import os
from pathlib import Path

from ..content import ContentError, _Checker, check_question_basics, read_yaml

ASSESSMENT_FILE = "assessment.yaml"
ANSWERS_FILE = "answers.json"
MODEL_ANSWERS_FILE = "model-answers.json"
MAX_WRITTEN_LENGTH = 20_000


def grading_run():
    """'autograde' or 'validate' while nbgrader runs the notebook, else ''."""
    return os.environ.get("NBGRADER_EXECUTION", "")


def check_assessment(data, filename=ASSESSMENT_FILE):
    """Check an assessment's questions file; raise ContentError with every problem."""
    check = _Checker(filename)
    if not isinstance(data, dict):
        check.problem("", "the file must hold a set of named fields")
        return check.done(data)
    if check.field(data, "type", "") not in (None, "assessment"):
        check.problem("type", "must be 'assessment'")
    check.field(data, "id", "")
    check.field(data, "module", "", int)
    check.field(data, "title", "")
    check.field(data, "notebook", "")
    seen = set()
    for index, question in enumerate(check.field(data, "questions", "", list) or []):
        where = f"questions[{index + 1}]"
        check_question_basics(check, question, where, seen)
        options = check.field(question, "options", where, list) or []
        if options and not (2 <= len(options) <= 6 and all(isinstance(o, str) and o.strip() for o in options)):
            check.problem(f"{where}.options", "a question needs 2 to 6 options, each a line of text")
        if len(set(options)) != len(options):
            check.problem(f"{where}.options", "two options have the same text")
        for secret in ("answer", "correct", "feedback"):
            if isinstance(question, dict) and secret in question:
                check.problem(f"{where}.{secret}", "answers must not be in the questions file, which learners "
                              "receive: put them in the notebook's hidden tests")
    for index, written in enumerate(check.field(data, "written", "", list, required=False) or []):
        where = f"written[{index + 1}]"
        check.unique_id(check.field(written, "id", where), f"{where}.id", seen)
        check.field(written, "prompt", where)
    return check.done(data)


def load_assessment(folder="."):
    """The checked questions file of the assessment in ``folder`` (the notebook's folder)."""
    path = Path(folder) / ASSESSMENT_FILE
    if not path.is_file():
        raise ContentError([f"{ASSESSMENT_FILE}: not found beside the assessment notebook in {Path(folder).resolve()}"])
    return check_assessment(read_yaml(path))


def read_answers(folder="."):
    """(answers, problems): the saved answers by id, and plain reasons for anything unusable.

    Never raises and never changes the file: used while grading, where one odd submission
    must not stop the batch. In nbgrader's validate run on the source folder, the model
    answers stand in for a learner's."""
    folder = Path(folder)
    path = folder / ANSWERS_FILE
    if not path.exists() and grading_run() == "validate" and (folder / MODEL_ANSWERS_FILE).exists():
        path = folder / MODEL_ANSWERS_FILE
    if not path.exists():
        return {}, ["No answers file was found: nothing was answered, or the file was not submitted."]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}, ["The answers file is damaged and could not be read, so no answer could be marked."]
    entries = data.get("activities") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {}, ["The answers file does not have the expected layout, so no answer could be marked."]
    answers, problems = {}, []
    for key, entry in entries.items():
        if isinstance(entry, dict):
            answers[key] = entry
        else:
            problems.append(f"The answer saved for '{key}' is damaged and was ignored.")
    return answers, problems


def chosen_options(question, entry):
    """The option texts chosen, or None when the saved answer does not fit the question."""
    selected = entry.get("selected") if isinstance(entry, dict) else None
    if not isinstance(selected, list) or not selected:
        return None
    if not all(isinstance(s, str) and s in question["options"] for s in selected):
        return None
    if question["kind"] != "multiple" and len(selected) != 1:
        return None
    return sorted(set(selected))


def written_text(entry):
    """The saved text of a written answer ('' when missing or not text), cut to the limit."""
    text = entry.get("text") if isinstance(entry, dict) else None
    return text[:MAX_WRITTEN_LENGTH] if isinstance(text, str) else ""
