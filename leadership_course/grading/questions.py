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
#: The only markup an assessment's Markdown may hold: the frame of its note for JupyterLab
#: (builder.EDITOR_ONLY), which the course web app and the feedback page hide.
EDITOR_ONLY_FRAME = ('<div class="course-editor-only">', "</div>")
MAX_ANSWERS_BYTES = 5_000_000  # an honest answers file is a few kilobytes; a full one with long answers under 1 MB
MAX_ANSWERS_DEPTH = 8  # {"activities": {id: {"selected": [text]}}} is four levels deep
MAX_ANSWER_ENTRIES = 200


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
    check.field(data, "content_note", "", required=False)
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
    if path.is_symlink():
        return {}, ["The answers file is a link to another file, so it was not read."]
    if not path.exists():
        return {}, ["No answers file was found: nothing was answered, or the file was not submitted."]
    try:
        if path.stat().st_size > MAX_ANSWERS_BYTES:
            return {}, ["The answers file is far larger than any real one, so it was not read."]
        text = path.read_text(encoding="utf-8")
        if _nesting_depth(text) > MAX_ANSWERS_DEPTH:
            return {}, ["The answers file is nested far deeper than a real one, so it was not read."]
        data = json.loads(text)
    except (OSError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return {}, ["The answers file is damaged and could not be read, so no answer could be marked."]
    entries = data.get("activities") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {}, ["The answers file does not have the expected layout, so no answer could be marked."]
    if len(entries) > MAX_ANSWER_ENTRIES:
        return {}, ["The answers file holds far more entries than the assessment has parts, so it was not read."]
    answers, problems = {}, []
    for key, entry in entries.items():
        if isinstance(entry, dict):
            answers[key] = entry
        else:
            problems.append(f"The answer saved for '{key[:80]}' is damaged and was ignored.")
    return answers, problems


def _nesting_depth(text):
    """How deeply the JSON text's brackets nest, counted without parsing (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest

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
