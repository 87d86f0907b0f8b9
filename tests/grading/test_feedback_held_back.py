"""When one learner's feedback cannot be built, is everyone else's still written and returned,
and is that learner named with a plain reason by `feedback`, `return-feedback` and formgrader?

A cohort of four on a copy of grading/, graded by nbgrader's own commands:

- ab12: graded and fully marked;
- cd34: graded and marked, then their graded notebook is damaged (cut short, as by a full
  disk or an interrupted copy of the course folder): nbgrader's generate_feedback fails for them;
- ef56: graded, one written answer not yet marked;
- gh78: autograde failed for them (a "notebook" put in submitted/ by hand that is not one), so
  the gradebook holds their submission but autograded/ holds no notebook."""

import shutil

import pytest

from browser_helpers import axe_violations, new_course_page
from test_facilitator_route import ASSIGNMENT, BIN, NOTEBOOK, REPO, TOKEN, formgrader, gradebook, run_unrecorded

COHORT = ("ab12", "cd34", "ef56", "gh78")
__all__ = ["formgrader"]  # the formgrader server fixture, on this module's course


def nbgrader(course, *args, check=True):
    return run_unrecorded(course, str(BIN / "nbgrader"), *args, check=check)


def course_command(course, *args):
    return run_unrecorded(course, str(BIN / "python"), "-m", "leadership_course", *args, check=False)


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The cohort above, autograded, marked (but for ef56's second answer) and then broken."""
    work = tmp_path_factory.mktemp("held-back")
    course = work / "grading"
    shutil.copytree(REPO / "grading", course, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded", "problems"))
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    for learner in COHORT:
        nbgrader(course, "db", "student", "add", learner)
        submitted = course / "submitted" / learner / ASSIGNMENT
        shutil.copytree(course / "release" / ASSIGNMENT, submitted)
        shutil.copy(REPO / "tests" / "fixtures" / "submissions" / "complete.answers.json", submitted / "answers.json")
    (course / "submitted" / "gh78" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").write_text("not a notebook")
    nbgrader(course, "autograde", ASSIGNMENT, check=False)  # fails for gh78 alone
    with gradebook(course) as gb:
        for learner in ("ab12", "cd34", "ef56"):
            for name in ("r1-example-task", "r2-myth-task"):
                grade = gb.find_grade(name, NOTEBOOK, ASSIGNMENT, learner)
                if (learner, name) != ("ef56", "r2-myth-task"):
                    grade.manual_score, grade.needs_manual_grade = 2, False
        gb.db.commit()
    damaged = course / "autograded" / "cd34" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    text = damaged.read_bytes()
    damaged.chmod(0o644)
    damaged.write_bytes(text[:len(text) // 3])
    return {"dir": course, "work": work}


@pytest.fixture(scope="module")
def fed_back(collected):
    """`feedback`, then `return-feedback`, as the guide gives them; ef56 has a page left from an
    earlier run (as `--unmarked-ok` writes), which nbgrader's release_feedback would send."""
    course = collected["dir"]
    earlier = course / "feedback" / "ef56" / ASSIGNMENT
    earlier.mkdir(parents=True)
    (earlier / f"{NOTEBOOK}.html").write_text("<p>An earlier page, written before every answer was marked.</p>")
    feedback = course_command(course, "feedback", ASSIGNMENT)
    pages = sorted(p.parent.parent.name for p in (course / "feedback").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}.html"))
    returned = course_command(course, "return-feedback", ASSIGNMENT)
    packs = sorted(p.name for p in (course / "returned" / ASSIGNMENT).glob("*.zip"))
    return {"feedback": feedback, "pages": pages, "return": returned, "packs": packs}


def test_feedback_names_and_skips_each_learner_it_cannot_build_for(fed_back):
    """Is ab12's page written while cd34, ef56 and gh78 are each named with a plain reason and
    what to do, with no traceback, and does the command end non-zero with a count?"""
    result = fed_back["feedback"]
    assert result.returncode == 1
    assert fed_back["pages"] == ["ab12"]
    out = result.stdout
    assert "No feedback page was written for 3 learner(s) of module-01:" in out
    assert ("  cd34: their graded notebook in autograded/cd34/module-01 is damaged and cannot be read as a notebook: "
            "grade them again with `nbgrader autograde module-01 --student cd34 --force`.") in out
    assert ("  ef56: not yet marked: Written answer 2. Their earlier page (feedback/ef56/module-01) was taken out, "
            "so it cannot be returned by mistake.") in out
    assert ("  gh78: autograde did not grade their submission, so autograded/gh78/module-01 holds no graded "
            "notebook") in out
    assert "Wrote the feedback page of 1 of 4 learner(s) in" in out and out.rstrip().endswith(": ab12.")
    assert "Traceback" not in out + result.stderr and "ab12:" not in out


def test_return_feedback_names_the_learner_in_every_message(fed_back):
    """Does return-feedback pack ab12 alone and name the learner in every line: the packed one
    in the summary, and each learner not packed with the reason?"""
    result = fed_back["return"]
    assert result.returncode == 1 and fed_back["packs"] == ["module-01__ab12__feedback.zip"]
    lines = result.stdout.strip().splitlines()
    assert lines[:3] == [
        "Not packed for cd34: no feedback page was found: `python -m leadership_course feedback module-01` says why.",
        "Not packed for ef56: not yet marked: Written answer 2.",
        "Not packed for gh78: autograde did not grade their submission, so autograded/gh78/module-01 holds no "
        "graded notebook: see their problems on the dashboard, then grade them again with `nbgrader autograde "
        "module-01 --student gh78 --force`, or ask them to send their submission again."]
    assert lines[3].startswith("Packed 1 learner(s) in ") and ": ab12. Send each learner" in lines[3]
    assert len(lines) == 4


@pytest.mark.parametrize("learner, what", [("gh78", "is missing"), ("cd34", "is damaged and cannot be read")])
def test_formgrader_shows_a_plain_page_for_a_submission_it_cannot_open(collected, formgrader, browser, learner,
                                                                         what):
    """Does formgrader answer a submission whose graded notebook is missing or damaged with a plain
    page (404, what is wrong, what to do, a way back; no axe-core violation) and no traceback or
    template error in its log, while a readable submission still opens?"""
    with gradebook(collected["dir"]) as gb:
        ids = {name: gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, name).id for name in ("ab12", learner)}
    context, page = new_course_page(browser)
    try:
        response = page.goto(f"{formgrader['base']}/formgrader/submissions/{ids[learner]}/?token={TOKEN}")
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "This submission cannot be opened"
        text = page.inner_text("main")
        assert f"{learner}'s graded notebook for module-01 (module-01-assessment) {what}" in text
        assert f"nbgrader autograde module-01 --student {learner} --force" in text
        back = page.get_by_role("link", name="Back to the submissions of module-01-assessment")
        assert back.get_attribute("href") == "/formgrader/gradebook/module-01/module-01-assessment"
        assert not axe_violations(page)
        assert page.goto(f"{formgrader['base']}/formgrader/submissions/{ids['ab12']}/?token={TOKEN}").status == 200
    finally:
        context.close()
    log = formgrader["log"].read_text()
    assert "Traceback" not in log and "TemplateNotFound" not in log and " 500 GET" not in log


def test_dashboard_and_export_say_autograde_did_not_grade_a_learner(collected):
    """Is gh78 (in the gradebook, but autograde failed for them alone) given a reason and what to
    do on the dashboard and in the marks export, while ab12 (graded) has no such problem?"""
    from leadership_course.grading.marks import cohort_summary, per_question_marks

    assessment = next(a for a in cohort_summary(collected["dir"])["assignments"] if a["name"] == ASSIGNMENT)
    reasons = [problem["reason"] for problem in assessment["problems"].get("gh78", [])]
    assert reasons == [f"autograde did not grade {NOTEBOOK}.ipynb, so the score shown is not theirs."]
    assert f"--student gh78 --force" in assessment["problems"]["gh78"][0]["action"]
    assert "ab12" not in assessment["problems"]
    rows = per_question_marks(collected["dir"])
    assert all("autograde did not grade" in row["problems"] for row in rows if row["student"] == "gh78")
    assert not any("autograde did not grade" in row["problems"] for row in rows if row["student"] == "ab12")
