"""Cases that looked honest to the facilitator: nothing failed, so nothing was said.

A small batch in the style of test_grading_integrity.py (real zip_collect, autograde and the
marks export on a copy of grading/, each case named by what it tries): a learner whose ID is
"refused", an answers file hard-linked to the model answers, and a notebook whose marking
settings alone were changed. Each must score only what its real answers earn and carry its
reason, or, when honest, carry none."""

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).parent.parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "submissions"
ASSIGNMENT = "module-01"
NOTEBOOK = "module-01-assessment"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def nbgrader(course, *args):
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=ENV, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    course = tmp_path_factory.mktemp("quiet")
    shutil.copytree(REPO / "grading", course, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("gradebook.db", "release", "submitted", "autograded",
                                                  "feedback", "downloaded", "answers.json", "problems"))
    assert nbgrader(course, "generate_assignment", ASSIGNMENT, "--force").returncode == 0
    release = course / "release" / ASSIGNMENT
    complete, partial = (FIXTURES / "complete.answers.json").read_text(), (FIXTURES / "partial.answers.json").read_text()

    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "module-01__refused__20261201T090000Z.zip", "w") as download:
        download.writestr(f"refused__{NOTEBOOK}.ipynb", (release / f"{NOTEBOOK}.ipynb").read_bytes())
        download.writestr("refused__answers.json", complete)
    (archive / "my-answers.docx").write_bytes(b"not a zip")
    collect = nbgrader(course, "zip_collect", ASSIGNMENT, "--force")

    def submit(student, answers, change=None):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        notebook = nbformat.read(release / f"{NOTEBOOK}.ipynb", 4)
        if change:
            change(notebook)
        nbformat.write(notebook, folder / f"{NOTEBOOK}.ipynb")
        shutil.copy(release / "assessment.yaml", folder)
        answers(folder / "answers.json")

    submit("honest-complete", lambda path: path.write_text(complete))
    submit("answers-hard-link-to-model-answers",
           lambda path: os.link(course / "source" / ASSIGNMENT / "model-answers.json", path))

    def thousand_points(notebook):
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("points"):
                cell.metadata.nbgrader.points = 1000
    submit("marking-settings-changed", lambda path: path.write_text(partial), thousand_points)

    autograde = nbgrader(course, "autograde", ASSIGNMENT, "--force")
    export = subprocess.run([sys.executable, "-m", "leadership_course", "export-marks", "--course-dir", str(course),
                             "--out", str(course / "marks.csv")], cwd=course, env=ENV, capture_output=True, text=True)
    for step in (collect, autograde, export):
        assert step.returncode == 0, (step.args, step.stdout[-2000:], step.stderr[-3000:])
    with open(course / "marks.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return {"dir": course, "rows": rows}


def marks(batch, student):
    rows = [r for r in batch["rows"] if r["student"] == student]
    automatic = [r for r in rows if r["kind"] == "automatic"]
    assert len(automatic) == 5, student
    return sum(float(r["score"]) for r in automatic), rows[0]["problems"]


def test_a_learner_called_refused_keeps_their_own_reasons_and_refused_files_are_listed_once(batch):
    """Is a learner whose ID is "refused" graded with no reason of someone else's, and is each
    refused file on the dashboard once, not once more under that learner?"""
    from leadership_course.grading.dashboard import dashboard_html
    from leadership_course.grading.marks import cohort_summary

    assert marks(batch, "refused") == (5, "")
    summary = cohort_summary(batch["dir"])
    module = next(a for a in summary["assignments"] if a["name"] == ASSIGNMENT)
    assert [p["reason"].split(":")[0] for p in module["refused"]] == ["my-answers.docx"]
    assert "refused" not in module["problems"]
    assert dashboard_html(summary).count("my-answers.docx") == 1


def test_an_answers_file_hard_linked_to_the_model_answers_scores_nothing_and_says_why(batch):
    """Does an answers file that is a hard link to the model answers earn no marks, with the reason?"""
    score, problems = marks(batch, "answers-hard-link-to-model-answers")
    assert score == 0
    assert "The answers file is a hard link shared with 1 other file(s)" in problems and "What to do:" in problems


def test_changed_marking_settings_alone_are_undone_and_reported(batch):
    """When only a cell's marking settings were changed (1000 points), are the course's restored,
    the answers scored as they earn, and the change named for the facilitator?"""
    score, problems = marks(batch, "marking-settings-changed")
    assert score == 2
    assert "Cells were changed in the notebook, their text or their marking settings (" in problems


def test_an_honest_learner_carries_no_reason(batch):
    assert marks(batch, "honest-complete") == (5, "")
