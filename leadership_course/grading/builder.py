"""Build an assessment's source notebook and model answers from two files an educator edits:

* ``grading/source/<id>/assessment.yaml``: the questions learners see (no answers);
* ``grading/keys/<id>.yaml``: the answer key: the correct options of each question, the
  mark scheme and marks of each written answer, and model answers. It lives outside
  ``source/`` so that nbgrader never releases it.

    python -m leadership_course build-assessment grading/keys/module-01.yaml

writes ``source/<id>/<notebook>`` (hidden tests, mark schemes) and ``model-answers.json``.
"""

import json
from pathlib import Path

import nbformat

from .questions import EDITOR_ONLY_FRAME, MODEL_ANSWERS_FILE, check_assessment
from ..content import _Checker, read_yaml

IMPORTS = ("from leadership_course import show_assessment_start, show_question, show_written_answer, "
           "show_submission_download, check_answered, check_choice")


#: For a learner who opened the assessment in JupyterLab, where its code shows and nothing runs by itself.
#: The course web app and the feedback page hide it (the class ``course-editor-only``).
EDITOR_ONLY = (f"{EDITOR_ONLY_FRAME[0]}\n\n*If you see grey boxes of code here instead of questions, the "
               "assessment is open in JupyterLab, which does not show the questions by itself. Go to your course "
               f"home in the course web app and open the assessment from there.*\n\n{EDITOR_ONLY_FRAME[1]}")

#: Said above every written answer: who reads it, and what they may have to do.
DISCLOSURE = ("Your facilitator reads what you write here. If you write about a risk to someone's safety, "
              "they may need to act on it or pass it on. Leave out anything that could identify a patient, "
              "resident or colleague.")


def check_key(key, assessment, filename):
    """Check the answer key against the questions; raise ContentError with every problem."""
    check = _Checker(filename)
    answers = check.field(key, "answers", "", dict) or {}
    questions = {q["id"]: q for q in assessment["questions"]}
    for question_id, question in questions.items():
        chosen = answers.get(question_id)
        where = f"answers.{question_id}"
        if not isinstance(chosen, list) or not chosen:
            check.problem(where, "give the correct option text(s) as a list")
            continue
        for text in chosen:
            if text not in question["options"]:
                check.problem(where, f"'{text}' is not one of the question's options")
        if question["kind"] != "multiple" and len(chosen) != 1:
            check.problem(where, f"a {question['kind']} question has exactly one correct option")
    for extra in set(answers) - set(questions):
        check.problem(f"answers.{extra}", "there is no such question")
    written = check.field(key, "written", "", dict, required=False) or {}
    for item in assessment.get("written") or []:
        where = f"written.{item['id']}"
        entry = written.get(item["id"])
        if not isinstance(entry, dict):
            check.problem(where, "give marks, mark_scheme and model_answer")
            continue
        check.field(entry, "marks", where, int)
        check.field(entry, "mark_scheme", where)
        check.sentence(check.field(entry, "model_answer", where), f"{where}.model_answer")
    return check.done(key)


def _cell(kind, source, grade_id, grade=False, task=False, points=None):
    cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
    meta = {"grade": grade, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False,
            "task": task}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    cell["id"] = grade_id
    return cell


def build_notebook(assessment, key):
    questions, written = assessment["questions"], assessment.get("written") or []
    total_written = sum(key["written"][w["id"]]["marks"] for w in written)
    cells = [
        _cell("markdown", f"# {assessment['title']}\n\n{len(questions)} short questions, marked automatically, "
              f"and {len(written)} written answer{'s' if len(written) != 1 else ''} ({total_written} marks), "
              f"marked by your facilitator. You answer by clicking and typing. You do not need to change any "
              f"code.\n\n{EDITOR_ONLY}", "title"),
        *([_cell("markdown", f"## Before you start\n\n{assessment['content_note'].strip()}", "content-note")]
          if assessment.get("content_note") else []),
        _cell("code", IMPORTS, "imports"),
        _cell("code", "show_assessment_start()", "start"),
        _cell("markdown", "## Part 1: questions (1 mark each)", "part-1"),
    ]
    for question in questions:
        qid = question["id"]
        correct = ", ".join(json.dumps(text, ensure_ascii=False) for text in key["answers"][qid])
        # One cell shows the question and holds its tests: nbgrader's work grows with every cell.
        cells.append(_cell("code", f'show_question("{qid}")\ncheck_answered("{qid}")  # checks only that you '
                           "answered: the mark comes after you submit\n### BEGIN HIDDEN TESTS\n"
                           f'check_choice("{qid}", [{correct}])\n### END HIDDEN TESTS',
                           qid, grade=True, points=1))
    if written:
        cells.append(_cell("markdown", "## Part 2: written answers (marked by your facilitator)\n\n"
                           f"**{DISCLOSURE}**", "part-2"))
    for number, item in enumerate(written, start=1):
        entry = key["written"][item["id"]]
        cells.append(_cell("markdown", f"### Written answer {number} ({entry['marks']} marks)\n\nWrite your answer "
                           "in the box below, then select Save.\n\n=== BEGIN MARK SCHEME ===\n\n"
                           f"{entry['mark_scheme'].strip()}\n\n=== END MARK SCHEME ===",
                           f"{item['id']}-task", task=True, points=entry["marks"]))
        cells.append(_cell("code", f'show_written_answer("{item["id"]}")', f"{item['id']}-shown"))
    cells += [
        _cell("markdown", "## When you have finished\n\nHand in your answers to your facilitator below.", "finish"),
        _cell("code", "show_submission_download()", "download"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def model_answers(assessment, key):
    activities = {qid: {"type": "choice", "selected": texts} for qid, texts in key["answers"].items()}
    for item in assessment.get("written") or []:
        activities[item["id"]] = {"type": "written", "text": key["written"][item["id"]]["model_answer"]}
    return {"version": 1, "activities": activities}


def build(key_path):
    """Write the source notebook and model answers for one answer key; return their paths."""
    key_path = Path(key_path)
    grading = key_path.resolve().parent.parent
    key = read_yaml(key_path)
    folder = grading / "source" / key_path.stem
    assessment = check_assessment(read_yaml(folder / "assessment.yaml"))
    check_key(key, assessment, f"keys/{key_path.name}")
    notebook_path = folder / assessment["notebook"]
    nbformat.write(build_notebook(assessment, key), notebook_path)
    answers_path = folder / MODEL_ANSWERS_FILE
    answers_path.write_text(json.dumps(model_answers(assessment, key), indent=1, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    return notebook_path, answers_path
