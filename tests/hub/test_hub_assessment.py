"""An assessment round trip on the hub between real accounts, through nbgrader's exchange:
the facilitator releases from formgrader in their JupyterLab (the panel renders on
JupyterHub 5); a learner gets, answers and submits it from the course in Voila; the
facilitator collects, autogrades (sandboxed), hand-marks in formgrader and releases
feedback; the learner reads it from the course; marks export."""

from __future__ import annotations

import csv
import json

import pytest
from playwright.sync_api import expect

from browser_helpers import axe_violations, new_course_page, wait_for_widgets
from leadership_course.hub.spawner import PROFILES_DIR
from test_hub_cohort import SIGN_IN_TIMEOUT_MS, sign_in

COURSE = "compassionate-leadership"
ASSESSMENT = "module-01"
NOTEBOOK = f"{ASSESSMENT}/module-01-assessment.ipynb"
SUBMITTED_NOTEBOOK = f"assessments/{NOTEBOOK}"
WRITTEN = "At handover I asked a newly qualified nurse what she needed, and listened before I answered."
COMMENT = "A clear example of attending and listening."


def nbgrader(account, hub, *args, cwd):
    """An nbgrader command as the account, with its hub profile (as its Assignments tab runs it)."""
    profile = "facilitator" if account.role == "facilitator" else "learner"
    done = account.run("nbgrader", *args, cwd=cwd, env={
        "JUPYTER_CONFIG_PATH": str(PROFILES_DIR / profile), "COURSE_EXCHANGE_ROOT": str(hub.exchange)})
    assert done.returncode == 0, f"nbgrader {' '.join(args)} as {account.name}:\n{done.stdout[-1500:]}{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def released(hub, browser):
    """The facilitator signs in, opens formgrader from JupyterLab's menu and, in its panel,
    generates and releases the module 1 assessment. Returns what the panel and headers showed."""
    facilitator = hub.accounts["facilitator"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, facilitator)
        policies = {path: page.request.get(f"{hub.url}/user/{facilitator.name}/{path}").headers.get(
            "content-security-policy", "") for path in ("formgrader", "lab")}
        page.goto(f"{hub.url}/user/{facilitator.name}/lab")
        page.get_by_role("menuitem", name="Nbgrader").click(timeout=SIGN_IN_TIMEOUT_MS)
        page.get_by_role("menuitem", name="Formgrader", exact=True).click()
        panel = page.frame_locator("iframe[src*='formgrader']")
        row = panel.locator("tr", has=panel.locator("td.name", has_text=ASSESSMENT))
        expect(row).to_be_visible(timeout=SIGN_IN_TIMEOUT_MS)
        row.locator("td.assign a").click()
        expect(panel.get_by_text("Successfully created the student version")).to_be_visible(timeout=120_000)
        panel.locator(".modal-footer button").first.click()
        row.locator("td.release a").click()
        expect(panel.get_by_text(f"Successfully released '{ASSESSMENT}'")).to_be_visible(timeout=60_000)
        panel.locator(".modal-footer button").first.click()
    finally:
        context.close()
    return {"policies": policies, "facilitator": facilitator}


def test_formgrader_renders_for_facilitators_only(hub, browser, released):
    """Is formgrader's panel usable in the facilitator's Lab (it released the assessment),
    with only formgrader's pages allowed in a frame of the same server, while a learner's
    server has no formgrader at all?"""
    assert released["policies"]["formgrader"] == "frame-ancestors 'self'"
    assert "frame-ancestors 'none'" in released["policies"]["lab"]
    assert (hub.exchange / COURSE / "outbound" / ASSESSMENT).is_dir()
    learner = hub.accounts["learner_a"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, learner)
        assert page.request.get(f"{hub.url}/user/{learner.name}/formgrader").status == 404
        assert hub.api(f"/users/{learner.name}")["admin"] is False
        assert hub.api(f"/users/{released['facilitator'].name}")["groups"] == [f"formgrade-{COURSE}"]
    finally:
        context.close()


def answer_and_submit_in_the_course(page, hub, learner):
    """Learner A gets module 1 from the course home, answers a question and a written answer,
    and submits, all in Voila. Returns the text of the option chosen."""
    sign_in(page, hub, learner)
    expect(page.get_by_role("button", name="Get this assessment:")).to_be_visible()
    assert not axe_violations(page), "the course home with the released assessment"
    page.get_by_role("button", name="Get this assessment:").click()
    ready = page.locator(".course-open-assessment [role='status']")
    expect(ready).to_contain_text("is ready: select", timeout=60_000)
    ready.get_by_role("link").click()
    page.wait_for_url(f"**/voila/render/{SUBMITTED_NOTEBOOK}", timeout=SIGN_IN_TIMEOUT_MS)
    wait_for_widgets(page, SIGN_IN_TIMEOUT_MS)
    question = page.locator(".course-assessment-question").first
    first = question.get_by_role("radio").first
    shown_first = first.evaluate("input => input.parentElement.textContent").strip()
    first.check()
    expect(question.locator("[role='status']")).to_contain_text("Answer saved at")
    written = page.locator(".course-written-answer").first
    written.locator("textarea").fill(WRITTEN)
    written.get_by_role("button", name="Save").click()
    expect(written.locator("[role='status']")).to_contain_text("Saved at")
    submission = page.locator(".course-hub-submission")
    submission.get_by_role("button", name="Submit to my facilitator").click()
    expect(submission.locator("[role='status']").first).to_contain_text("You submitted this on", timeout=60_000)
    assert not axe_violations(page), "the assessment page after submitting"
    page.reload()  # reopened later: the page says it was submitted, from nbgrader's record in the learner's home
    wait_for_widgets(page, SIGN_IN_TIMEOUT_MS)
    expect(page.locator(".course-submission-check .course-submitted")).to_contain_text(
        "You submitted this on", timeout=30_000)
    expect(page.locator(".course-submission-check")).to_contain_text("your facilitator marks your latest submission")
    page.goto(f"{hub.url}/user/{learner.name}/voila/render/course_home.ipynb")
    wait_for_widgets(page, SIGN_IN_TIMEOUT_MS)
    expect(page.locator(".course-open-assessment")).to_contain_text("(you submitted it on ")
    return shown_first


def hand_mark_in_formgrader(page, hub, facilitator, learner):
    """The facilitator gives both written answers a mark, and the first a comment, on
    formgrader's own marking page in their server."""
    page.goto(f"{hub.url}/user/{facilitator.name}/formgrader")
    page.get_by_role("link", name="Manual Grading").first.click()
    page.get_by_role("link", name=ASSESSMENT, exact=True).click()
    page.get_by_role("link", name=NOTEBOOK.split("/")[-1][:-6], exact=True).click()
    page.locator(f"a[href*='/formgrader/submissions/']").first.click()  # learner B did not submit
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text(WRITTEN)
    for field, value in (("#r1-example-task", "3"), ("#r2-myth-task", "1"), ("#r1-example-task-comment", COMMENT)):
        kind = "comment" if field.endswith("-comment") else "grade"
        with page.expect_response(lambda r: f"/formgrader/api/{kind}/" in r.url and r.request.method == "PUT") as saved:
            page.fill(field, value)
            page.press(field, "Tab")
        assert saved.value.status == 200, saved.value.text()


def test_assessment_round_trip_between_real_accounts(hub, browser, released):
    """Learner A gets, answers and submits module 1 from the course in Voila; the facilitator
    collects, autogrades (sandboxed), hand-marks both written answers in formgrader in the
    browser, writes and releases feedback; A gets the feedback from the course and reads the
    mark and comment; per-question marks export with the hand marks."""
    learner, facilitator = hub.accounts["learner_a"], hub.accounts["facilitator"]
    folder, grading = learner.home / "course" / "assessments" / ASSESSMENT, facilitator.home / "course" / "grading"
    context, page = new_course_page(browser)
    try:
        shown_first = answer_and_submit_in_the_course(page, hub, learner)
    finally:
        context.close()
    saved = json.loads((folder / "answers.json").read_text())
    assert saved["activities"]["q1-order"]["selected"] == [shown_first]
    assert (folder / "answers.json").stat().st_uid == learner.ids[0]
    assert folder.parent.stat().st_mode & 0o077 == 0, "the learner's assessments folder is theirs alone"

    nbgrader(facilitator, hub, "collect", ASSESSMENT, cwd=grading)
    submitted = grading / "submitted" / learner.name / ASSESSMENT / "answers.json"
    assert json.loads(submitted.read_text())["activities"]["q1-order"]["selected"] == [shown_first]
    nbgrader(facilitator, hub, "autograde", ASSESSMENT, "--force", cwd=grading)
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, facilitator)
        hand_mark_in_formgrader(page, hub, facilitator, learner)
    finally:
        context.close()
    done = facilitator.run("python", "-m", "leadership_course", "feedback", ASSESSMENT, cwd=grading, env={
        "JUPYTER_CONFIG_PATH": str(PROFILES_DIR / "facilitator"), "COURSE_EXCHANGE_ROOT": str(hub.exchange)})
    assert done.returncode == 0, f"feedback, as the guide says:\n{done.stdout[-1500:]}{done.stderr[-2000:]}"
    nbgrader(facilitator, hub, "release_feedback", ASSESSMENT, cwd=grading)

    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, learner)
        page.goto(f"{hub.url}/user/{learner.name}/voila/render/{SUBMITTED_NOTEBOOK}")
        wait_for_widgets(page, SIGN_IN_TIMEOUT_MS)
        submission = page.locator(".course-hub-submission")
        submission.get_by_role("button", name="Get my feedback").click()
        expect(submission.get_by_role("link", name="Open my feedback")).to_be_visible(timeout=60_000)
        submission.get_by_role("link", name="Open my feedback").click()
        expect(page.locator("body")).to_contain_text(COMMENT, timeout=SIGN_IN_TIMEOUT_MS)
        feedback_text = page.inner_text("body")
        feedback_problems = axe_violations(page)
    finally:
        context.close()
    assert WRITTEN in feedback_text
    assert not feedback_problems, "the feedback page, opened from the course"

    marks = grading / "marks.csv"
    done = facilitator.run("python", "-m", "leadership_course", "export-marks", "--course-dir", str(grading),
                           "--out", str(marks), cwd=grading)
    assert done.returncode == 0, done.stderr[-2000:]
    with open(marks, newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if learner.name in row.values()]
    automatic = [row for row in rows if row["kind"] == "automatic"]
    assert len(automatic) == 5 and all(float(row["score"]) in (0, 1) for row in automatic), rows
    hand = {row["question"]: float(row["score"]) for row in rows if row["kind"] != "automatic"}
    assert hand == {"r1-example-task": 3.0, "r2-myth-task": 1.0}, rows
    assert grading.stat().st_mode & 0o077 == 0, "the facilitator's grading folder is theirs alone"
