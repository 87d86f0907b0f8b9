"""The facilitator's journey with nbgrader's own commands, on a copy of grading/:
generate, validate, collect (a hub's submitted folder and zip_collect of downloads),
autograde, hand-mark through the gradebook API, feedback and both exports.

Fixture answer files in tests/fixtures/submissions are named after the case they cover."""

import base64
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

REPO = Path(__file__).parent.parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "submissions"
ASSIGNMENT = "module-01"
NOTEBOOK = "module-01-assessment"
HIDDEN_ANSWER = "Attending, understanding, empathising, helping"  # appears only in hidden tests
EXPECTED_AUTO = {  # automatic marks out of 5 for each case
    "complete": 5, "partial": 2, "blank": 0, "damaged": 0, "hand-edited-wrong-types": 1,
    "huge-text": 5, "html-in-reflection": 5, "missing-answers-file": 0, "renamed-notebook": 0,
    "edited-locked-cells": 5, "downloaded-right": 5, "downloaded-partial": 1,
}


BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # nbgrader runs `alembic` from PATH


def nbgrader(course, *args, check=True):
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=ENV, capture_output=True, text=True,
                            timeout=900)
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def answer_as_a_learner(folder, right):
    """Drive the assessment widgets in ``folder`` and return the downloaded zip (name, bytes)."""
    import leadership_course as course
    from leadership_course.grading.questions import load_assessment

    here = os.getcwd()
    os.chdir(folder)
    try:
        assessment = load_assessment()
        key = yaml.safe_load((REPO / "grading" / "keys" / "module-01.yaml").read_text())["answers"]
        q1 = next(q for q in assessment["questions"] if q["id"] == "q1-order")
        wrong_q1 = [next(t for t in q1["options"] if t not in key["q1-order"])]
        picks = key if right else {"q3-answers": key["q3-answers"], "q1-order": wrong_q1}
        for question in assessment["questions"]:
            if question["id"] in picks:
                options = question["options"]
                course.question(question["id"]).selector.value = [options.index(t) for t in picks[question["id"]]]
        box = course.written_answer("r1-example").box
        box.value = "I will <em>listen</em> first & then act."
        download = course.submission_download()
        download.learner_id.value = "downloaded-right" if right else "downloaded-partial"
        download.prepare()
        name, data = re.search(r"download='([^']+)' href='data:application/zip;base64,([^']+)'",
                               download.link.value).groups()
        return name, base64.b64decode(data)
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A graded cohort: every case submitted, autograded, hand-marked and given feedback."""
    course = tmp_path_factory.mktemp("grading")
    shutil.copytree(REPO / "grading", course, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("gradebook.db", "release", "submitted", "autograded",
                                                  "feedback", "downloaded", "answers.json"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT

    def submit(student, answers_file=None, notebook_name=f"{NOTEBOOK}.ipynb", edit=None):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        notebook = nbformat.read(release / f"{NOTEBOOK}.ipynb", 4)
        if edit:
            edit(notebook)
        nbformat.write(notebook, folder / notebook_name)
        shutil.copy(release / "assessment.yaml", folder)
        if answers_file:
            shutil.copy(answers_file, folder / "answers.json")
        return folder

    for case in ("complete", "partial", "blank", "damaged", "hand-edited-wrong-types", "html-in-reflection",
                 "edited-locked-cells"):
        edit = None
        if case == "edited-locked-cells":
            def edit(notebook):
                for cell in notebook.cells:
                    if cell.cell_type == "code" and "check_answered" in cell.source:
                        cell.source = "pass  # a learner replaced the check"
                    if cell.source.startswith('show_question("q1-order")'):
                        cell.source = 'print("I changed this")'
        submit(case, FIXTURES / f"{case}.answers.json", edit=edit)
    huge = json.loads((FIXTURES / "complete.answers.json").read_text())
    huge["activities"]["r1-example"]["text"] = "I listened. " * 100_000
    (course / "huge.json").write_text(json.dumps(huge))
    submit("huge-text", course / "huge.json")
    submit("missing-answers-file")
    submit("renamed-notebook", FIXTURES / "renamed-notebook.answers.json", notebook_name="my-assessment.ipynb")

    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    for right in (True, False):
        learner_copy = course / f"learner-{right}"
        shutil.copytree(release, learner_copy)
        name, data = answer_as_a_learner(learner_copy, right)
        (archive / name).write_bytes(data)
    collected = nbgrader(course, "zip_collect", ASSIGNMENT, "--force")

    # nbgrader grades every other learner and exits 1 for the renamed notebook it cannot find.
    autograde = nbgrader(course, "autograde", ASSIGNMENT, "--force", check=False)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="compassionate-leadership") as gb:
        for name, score in (("r1-example-task", 4), ("r2-myth-task", 2)):
            grade = gb.find_grade(name, NOTEBOOK, ASSIGNMENT, "complete")
            grade.manual_score = score
            grade.needs_manual_grade = False  # as formgrader does when a mark is saved
        gb.db.commit()
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    subprocess.run([sys.executable, "-m", "leadership_course", "export-marks", "--course-dir", str(course),
                    "--out", str(course / "per-question.csv")], check=True, cwd=course, env=ENV)
    return {"dir": course, "collect_log": collected.stdout + collected.stderr,
            "autograde_log": autograde.stdout + autograde.stderr}


def auto_score(course_dir, student):
    with open(course_dir / "per-question.csv", newline="") as stream:
        rows = [r for r in csv.DictReader(stream) if r["student"] == student and r["kind"] == "automatic"]
    return sum(float(r["score"]) for r in rows), rows


ALL_SOURCES = sorted((REPO / "grading" / "source").glob("module-*/module-*-assessment.ipynb"))


@pytest.mark.parametrize("source", ALL_SOURCES, ids=[p.parent.name for p in ALL_SOURCES])
def test_source_passes_validate(source):
    """Does `nbgrader validate` pass on each module's source notebook (with its model answers)?"""
    result = nbgrader(REPO / "grading", "validate", str(source.relative_to(REPO / "grading")))
    assert "Success! Your notebook passes all the tests." in result.stdout


def test_release_fails_validate_invert_and_holds_no_answers(course):
    """Does `validate --invert` on the release confirm no answers are left in it?"""
    release = course["dir"] / "release" / ASSIGNMENT
    result = nbgrader(course["dir"], "validate", "--invert", str(release / f"{NOTEBOOK}.ipynb"))
    assert "Success! The notebook does not pass any tests." in result.stdout
    assert not (release / "model-answers.json").exists()
    text = (release / f"{NOTEBOOK}.ipynb").read_text()
    for secret in ("check_choice(", "HIDDEN TESTS", "MARK SCHEME", "Award one mark"):
        assert secret not in text
    assert HIDDEN_ANSWER in (release / "assessment.yaml").read_text()  # shown as an option, never as the answer


def test_autograde_batch_goes_on_past_the_renamed_notebook(course):
    """Did autograde grade the whole batch, failing only the learner whose notebook was renamed?"""
    failed = re.findall(r"error processing assignment '[^']+' for student '([^']+)'", course["autograde_log"])
    assert failed == ["renamed-notebook"]
    graded = {p.parent.name for p in (course["dir"] / "autograded").glob(f"*/{ASSIGNMENT}")}
    assert graded == set(EXPECTED_AUTO) - {"renamed-notebook"}


def test_zip_collect_accepts_downloaded_submissions(course):
    """Did zip_collect file both downloads under their learner IDs with notebook and answers?"""
    for learner in ("downloaded-right", "downloaded-partial"):
        folder = course["dir"] / "submitted" / learner / ASSIGNMENT
        assert (folder / f"{NOTEBOOK}.ipynb").is_file() and (folder / "answers.json").is_file()


@pytest.mark.parametrize("student", sorted(EXPECTED_AUTO))
def test_automatic_score_for_each_case(course, student):
    """Is every case graded, without stopping the batch, to the right automatic score?"""
    score, rows = auto_score(course["dir"], student)
    assert score == EXPECTED_AUTO[student]
    if student != "renamed-notebook":
        assert len(rows) == 5


def test_reasons_are_visible_to_the_facilitator(course):
    """Does the per-question export say why odd submissions lost marks?"""
    problems = {}
    with open(course["dir"] / "per-question.csv", newline="") as stream:
        for row in csv.DictReader(stream):
            problems[row["student"]] = row["problems"]
    assert "No answers file was found" in problems["missing-answers-file"]
    assert "damaged and could not be read" in problems["damaged"]
    assert "notebook module-01-assessment.ipynb was not submitted (found: my-assessment.ipynb)" in problems["renamed-notebook"]
    assert "the answer to q1-order could not be read" in problems["hand-edited-wrong-types"]
    assert "q4-compassion" in problems["hand-edited-wrong-types"]
    assert problems["complete"] == ""


def test_graded_notebook_shows_the_submission_check_and_reflection(course):
    """Does the graded notebook show the grader the submission check and the escaped reflection?"""
    graded = (course["dir"] / "autograded" / "html-in-reflection" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text()
    assert "Submission check" in graded and "Questions answered: 5 of 5" in graded
    assert "&lt;script&gt;alert(&#x27;r1&#x27;)&lt;/script&gt;" in graded
    assert "<script>alert('r1')" not in graded


def test_hand_marks_reach_totals_and_exports(course):
    """Do hand marks set through the gradebook API count in nbgrader's export and ours?"""
    with open(course["dir"] / "grades.csv", newline="") as stream:
        totals = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(stream) if r["assignment"] == ASSIGNMENT}
    assert totals["complete"] == 5 + 4 + 2
    assert totals["partial"] == 2
    with open(course["dir"] / "per-question.csv", newline="") as stream:
        rows = {(r["student"], r["question"]): r for r in csv.DictReader(stream)}
    assert rows[("complete", "r1-example-task")]["manual_score"] == "4.0"
    assert rows[("complete", "r1-example-task")]["needs_hand_marking"] == "False"
    assert rows[("partial", "r1-example-task")]["needs_hand_marking"] == "True"


def test_feedback_hides_answers_and_escapes_learner_text(course):
    """Does the feedback page leave out hidden tests, mark schemes and tracebacks, escape the
    learner's text, and load nothing from another host?"""
    pages = list((course["dir"] / "feedback").rglob("*.html"))
    assert len(pages) >= len(EXPECTED_AUTO) - 1  # the renamed notebook has no feedback page
    for page in pages:
        html = page.read_text()
        for secret in ("check_choice(", "HIDDEN TESTS", "MARK SCHEME", "Award one mark",
                       "Traceback (most recent call last)", "leadership_course/grading/"):
            assert secret not in html, (page, secret)
        if page.parts[-3] in ("blank", "damaged", "missing-answers-file", "downloaded-partial"):
            assert HIDDEN_ANSWER not in html, page  # they did not choose it, so nothing may reveal it
        assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?://", html), page
    page = (course["dir"] / "feedback" / "html-in-reflection" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert "&lt;script&gt;alert(" in page and "<script>alert('r1')" not in page
    partial = (course["dir"] / "feedback" / "partial" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert "This is not the answer the mark scheme expects." in partial


def test_feedback_on_unanswered_questions_is_plain_words(course):
    """Does the feedback page of a learner who answered nothing say at each of the 5 questions
    "No answer was given to this question." (each scoring 0), with no exception name, traceback
    or note about running the page, and is the note for JupyterLab hidden there?"""
    page = (course["dir"] / "feedback" / "blank" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert page.count("No answer was given to this question.") == 5
    assert page.count("(Score: 0.0 / 1.0)") == 5  # in the list at the top
    shown = re.sub(r"<style.*?</style>", "", page, flags=re.S)  # the code-colouring CSS names "Generic.Traceback"
    for jargon in ("AssertionError", "NoMark", "Traceback", "Error", "leadership_course", "Run All Cells"):
        assert jargon not in shown, jargon
    assert ".course-editor-only { display: none; }" in page and 'class="course-editor-only"' in page
    wrong = (course["dir"] / "feedback" / "partial" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert "This is not the answer the mark scheme expects." in wrong
    assert "AssertionError" not in wrong and "Traceback" not in re.sub(r"<style.*?</style>", "", wrong, flags=re.S)


def test_huge_reflection_is_cut_for_display(course):
    """Is a huge reflection graded and shown only up to the limit, with a note?"""
    graded = (course["dir"] / "autograded" / "huge-text" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text()
    assert "only the start is shown" in graded
    assert len(graded) < 400_000


def test_dashboard_summarises_the_cohort(course):
    """Does the dashboard list submissions, score bands with a table, and what needs marking?"""
    from leadership_course.grading.dashboard import dashboard_html
    from leadership_course.grading.marks import cohort_summary

    page = dashboard_html(cohort_summary(course["dir"]))
    assert f"{len(EXPECTED_AUTO)} learners in the gradebook" in page
    assert "<th scope='row'>module-01</th><td>" in page
    assert re.search(r"alt='Bar chart of how many submissions for module-01 scored in each band: 0 to 24%: \d+", page)
    assert "partial: Written answer 1" in page
    assert "complete: Written answer 1" not in page
