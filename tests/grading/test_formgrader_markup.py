"""Can text from a roster or a facilitator run as code in formgrader, a feedback page or a spreadsheet?

A careless facilitator registers a learner whose name is markup, with nbgrader's own command
(the course's `roster import` refuses it), and writes a comment holding markup and a
javascript: link. formgrader's marking page and the learner's feedback page are opened in a
real Chromium: each must show the text as text and run nothing. The CSV files the guide names
quote every field and keep formulas as text."""

import csv
import shutil

import pytest

from browser_helpers import new_course_page
from test_facilitator_route import ASSIGNMENT, NOTEBOOK, REPO, TOKEN, course_command, formgrader, gradebook, nbgrader

HOSTILE_NAME = '<img src=x onerror="window.ran=(window.ran||[]).concat(\'name\')">'
HOSTILE_COMMENT = ('Good work <img src=x onerror="window.ran=(window.ran||[]).concat(\'comment\')"> '
                   '<script>window.ran=(window.ran||[]).concat("script")</script> '
                   "[read more](javascript:window.ran=(window.ran||[]).concat('link'))")
LEARNER = "ab12"
__all__ = ["formgrader"]  # the formgrader server fixture, on this module's course


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A course with one autograded submission from a learner registered with a hostile name."""
    work = tmp_path_factory.mktemp("markup")
    course = work / "grading"
    shutil.copytree(REPO / "grading", course, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded", "problems"))
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    nbgrader(course, "db", "student", "add", LEARNER, f"--first-name={HOSTILE_NAME}", f"--last-name={HOSTILE_NAME}")
    submitted = course / "submitted" / LEARNER / ASSIGNMENT
    shutil.copytree(course / "release" / ASSIGNMENT, submitted)
    shutil.copy(REPO / "tests" / "fixtures" / "submissions" / "complete.answers.json", submitted / "answers.json")
    nbgrader(course, "autograde", ASSIGNMENT)
    return {"dir": course, "work": work}


def test_roster_import_refuses_markup_and_formulas_in_names(collected, tmp_path):
    """Does `roster import` refuse a name holding markup or starting with a formula character,
    with the line, the column and the reason, and register nobody?"""
    roster = tmp_path / "roster.csv"
    roster.write_text(f'id,first_name,last_name\ncd34,"{HOSTILE_NAME.replace(chr(34), chr(34) * 2)}",Dike\n'
                      "ef56,Ewa,=HYPERLINK(\"http://example.com\")\n")
    result = course_command(collected["dir"], "roster", "import", str(roster), check=False)
    assert result.returncode == 1
    assert "line 2: first_name '<img" in result.stdout and "holds '<'" in result.stdout
    assert "line 3: last_name '=HYPERLINK" in result.stdout and "formula" in result.stdout
    with gradebook(collected["dir"]) as gb:
        assert sorted(s.id for s in gb.students) == [LEARNER]


def test_formgrader_shows_a_hostile_name_as_text(collected, formgrader, browser):
    """On formgrader's marking page for that learner, with names shown, is the name text and
    did nothing of it run (no script, no image request)? And does the page work offline, loading
    nothing from another host (MathJax came from a CDN)?"""
    context, page = new_course_page(browser)
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        with gradebook(collected["dir"]) as gb:
            submission_id = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, LEARNER).id
        page.goto(f"{formgrader['base']}/formgrader/submissions/{submission_id}?token={TOKEN}")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("document.activeElement.classList.contains('tabbable')")  # formgrader's script ran
        page.locator("span.glyphicon-eye-open").click()  # show the learner's name
        shown = page.locator("a.name-shown")
        assert shown.is_visible()
        assert shown.inner_text().strip() == f"{HOSTILE_NAME}, {HOSTILE_NAME}"
        assert page.locator("nav img").count() == 0
        page.wait_for_timeout(500)
        assert page.evaluate("window.ran") is None
        assert not [url for url in requests if url.rstrip("/").endswith("/x")]
        assert "Written answer 1" in page.inner_text("body")  # the page itself works
        assert errors == []  # "MathJax is not defined" when MathJax came from a CDN and the room is offline
        assert [url for url in requests if not url.startswith(formgrader["base"])] == []
    finally:
        context.close()


def test_a_comment_is_plain_text_in_the_feedback_page(collected, browser):
    """With a comment holding an image, a script and a javascript: link, does the learner's
    feedback page show it as text, with no link, and run nothing?"""
    course = collected["dir"]
    with gradebook(course) as gb:
        for name in ("r1-example-task", "r2-myth-task"):
            grade = gb.find_grade(name, NOTEBOOK, ASSIGNMENT, LEARNER)
            grade.manual_score, grade.needs_manual_grade = 1, False
        gb.find_comment("r1-example-task", NOTEBOOK, ASSIGNMENT, LEARNER).manual_comment = HOSTILE_COMMENT
        gb.db.commit()
    course_command(course, "feedback", ASSIGNMENT)
    page_file = course / "feedback" / LEARNER / ASSIGNMENT / f"{NOTEBOOK}.html"
    context, page = new_course_page(browser)
    try:
        page.goto(page_file.as_uri())
        comment = page.locator(".comment-text")
        assert comment.count() == 1 and comment.inner_text() == HOSTILE_COMMENT
        assert page.locator(".panel-footer img, .panel-footer script, a[href^='javascript:']").count() == 0
        page.wait_for_timeout(500)
        assert page.evaluate("window.ran") is None
    finally:
        context.close()


def test_the_guides_csv_exports_quote_every_field_and_keep_formulas_as_text(collected):
    """Do `nbgrader export` (the guide's totals) and `export-marks` keep a name with a comma in
    its own column and a name or comment starting with '=' as text, with the scores intact?"""
    course = collected["dir"]
    nbgrader(course, "db", "student", "add", "cd34", "--first-name==HYPERLINK(\"http://example.com\",\"x\")",
             "--last-name=Smith, Jr")
    with gradebook(course) as gb:
        gb.find_comment("r2-myth-task", NOTEBOOK, ASSIGNMENT, LEARNER).manual_comment = "=1+1"
        gb.db.commit()
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    course_command(course, "export-marks", "--out", str(course / "marks.csv"))
    with open(course / "grades.csv", newline="") as stream:
        rows = {row["student_id"]: row for row in csv.DictReader(stream)}
    text = (course / "grades.csv").read_text()
    assert text.splitlines()[1].startswith('"module-01",')
    assert rows["cd34"]["last_name"] == "Smith, Jr" and rows["cd34"]["first_name"].startswith("'=HYPERLINK(")
    assert float(rows["cd34"]["max_score"]) == float(rows[LEARNER]["max_score"]) > 0
    assert float(rows[LEARNER]["score"]) >= 5
    with open(course / "marks.csv", newline="") as stream:
        comments = [row["comments"] for row in csv.DictReader(stream) if row["comments"]]
    assert "'=1+1" in comments
