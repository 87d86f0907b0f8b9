"""The hub route, with nbgrader's own exchange commands (as the Assignments tab runs them):
release, fetch, answer through the widgets, submit, collect, autograde: full marks."""

import csv
import shutil
import subprocess
import sys

import yaml

from test_nbgrader_end_to_end import BIN, ENV, REPO

import leadership_course as course


def run(cwd, *args, exchange):
    result = subprocess.run([str(BIN / "nbgrader"), *args, f"--Exchange.root={exchange}"], cwd=cwd, env=ENV,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


def test_fetch_answer_submit_collect_and_autograde(tmp_path, monkeypatch):
    """Does a learner who fetches, answers by clicking and typing, and submits through the
    exchange get full automatic marks after collect and autograde?"""
    grading, exchange, learner = tmp_path / "grading", tmp_path / "exchange", tmp_path / "learner"
    shutil.copytree(REPO / "grading", grading, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded"))
    exchange.mkdir(mode=0o777)
    learner.mkdir()
    run(grading, "generate_assignment", "module-01", "--force", exchange=exchange)
    run(grading, "release_assignment", "module-01", "--force", exchange=exchange)
    run(learner, "fetch_assignment", "module-01", "--course", "compassionate-leadership", exchange=exchange)

    monkeypatch.chdir(learner / "module-01")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    key = yaml.safe_load((REPO / "grading" / "keys" / "module-01.yaml").read_text())["answers"]
    for question_id, right in key.items():
        options = course.question(question_id).question["options"]
        course.question(question_id).selector.value = [options.index(text) for text in right]
    course.written_answer("r1-example").box.value = "I noticed, I asked, I listened."

    run(learner, "submit", "module-01", "--course", "compassionate-leadership", exchange=exchange)
    run(grading, "collect", "module-01", exchange=exchange)
    student = next((grading / "submitted").iterdir()).name
    assert (grading / "submitted" / student / "module-01" / "answers.json").is_file()
    run(grading, "autograde", "module-01", "--force", exchange=exchange)
    subprocess.run([sys.executable, "-m", "leadership_course", "export-marks", "--course-dir", str(grading),
                    "--out", str(tmp_path / "marks.csv")], check=True, env=ENV)
    with open(tmp_path / "marks.csv", newline="") as stream:
        automatic = [r for r in csv.DictReader(stream) if r["kind"] == "automatic"]
    assert len(automatic) == 5 and sum(float(r["score"]) for r in automatic) == 5


def test_a_changed_timestamp_file_leaves_every_learner_graded_with_a_reason(tmp_path):
    """When learners change timestamp.txt in the exchange after submitting (text that is no time,
    a number too large, a folder) or leave a notebook that cannot be read, is every learner still
    collected, graded on their answers and exported, each with a reason, beside an honest learner
    with none?"""
    grading, exchange, learner = tmp_path / "grading", tmp_path / "exchange", tmp_path / "learner"
    shutil.copytree(REPO / "grading", grading, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded"))
    exchange.mkdir(mode=0o777)
    learner.mkdir()
    run(grading, "generate_assignment", "module-01", "--force", exchange=exchange)
    run(grading, "release_assignment", "module-01", "--force", exchange=exchange)
    run(learner, "fetch_assignment", "module-01", "--course", "compassionate-leadership", exchange=exchange)
    shutil.copy(REPO / "tests" / "fixtures" / "submissions" / "complete.answers.json",
                learner / "module-01" / "answers.json")
    changes = {"malformed-time": lambda path: path.write_text("yesterday at teatime"),
               "overflowing-time": lambda path: path.write_text("9" * 400),
               "time-is-a-folder": lambda path: (path.unlink(), path.mkdir()),
               "unreadable-notebook": lambda path: (path.parent / "module-01-assessment.ipynb").write_text("{oops"),
               "honest": lambda path: None}
    inbound = exchange / "compassionate-leadership" / "inbound"
    for student, change in changes.items():
        run(learner, "submit", "module-01", "--course", "compassionate-leadership", f"--student={student}",
            exchange=exchange)
        change(next(inbound.glob(f"{student}+*")) / "timestamp.txt")
    # One account submits for five made-up learners here, so the hub's owner check (its own test in
    # tests/hub/test_hub_hostile_learner.py) would set every one aside: this test is about timestamps.
    run(grading, "collect", "module-01", "--ExchangeCollect.check_owner=False", exchange=exchange)
    run(grading, "autograde", "module-01", exchange=exchange)
    subprocess.run([sys.executable, "-m", "leadership_course", "export-marks", "--course-dir", str(grading),
                    "--out", str(tmp_path / "marks.csv")], check=True, env=ENV)
    with open(tmp_path / "marks.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    for student in changes:
        automatic = [r for r in rows if r["student"] == student and r["kind"] == "automatic"]
        assert sum(float(r["score"]) for r in automatic) == 5, student
        problems = {r["problems"] for r in rows if r["student"] == student}
        if student == "honest":
            assert problems == {""}
        elif student == "unreadable-notebook":
            assert all("The notebook could not be read (NotJSONError" in p for p in problems), problems
        else:
            assert all("timestamp.txt in the submission" in p and "was used instead" in p for p in problems), problems
