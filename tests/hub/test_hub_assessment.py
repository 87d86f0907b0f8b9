"""An assessment round trip on the hub between real accounts, through nbgrader's exchange:
the facilitator releases from formgrader in their JupyterLab (the panel renders on
JupyterHub 5), a learner fetches, answers in Voila in their own server and submits, the
facilitator collects and autogrades (sandboxed), writes feedback, marks export."""

from __future__ import annotations

import csv
import json

import pytest
from playwright.sync_api import expect

from browser_helpers import new_course_page, wait_for_widgets
from leadership_course.hub.spawner import PROFILES_DIR
from test_hub_cohort import SIGN_IN_TIMEOUT_MS, sign_in

COURSE = "compassionate-leadership"
ASSESSMENT = "module-01"
NOTEBOOK = f"{ASSESSMENT}/module-01-assessment.ipynb"


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


def test_assessment_round_trip_between_real_accounts(hub, browser, released):
    """Can learner A fetch, answer in Voila in their own server and submit, and the facilitator
    collect, autograde, write feedback and export per-question marks?"""
    learner, facilitator = hub.accounts["learner_a"], hub.accounts["facilitator"]
    course_folder, grading = learner.home / "course", facilitator.home / "course" / "grading"
    nbgrader(learner, hub, "fetch_assignment", ASSESSMENT, "--course", COURSE, cwd=course_folder)

    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, learner)
        page.goto(f"{hub.url}/user/{learner.name}/voila/render/{NOTEBOOK}")
        wait_for_widgets(page, SIGN_IN_TIMEOUT_MS)
        question = page.locator(".course-assessment-question").first
        first = question.get_by_role("radio").first
        shown_first = first.evaluate("input => input.parentElement.textContent").strip()
        first.check()
        expect(question.locator("[role='status']")).to_contain_text("Answer saved at")
    finally:
        context.close()
    saved = json.loads((course_folder / ASSESSMENT / "answers.json").read_text())
    assert saved["activities"]["q1-order"]["selected"] == [shown_first]
    assert (course_folder / ASSESSMENT / "answers.json").stat().st_uid == learner.ids[0]

    nbgrader(learner, hub, "submit", ASSESSMENT, "--course", COURSE, cwd=course_folder)
    nbgrader(facilitator, hub, "collect", ASSESSMENT, cwd=grading)
    submitted = grading / "submitted" / learner.name / ASSESSMENT / "answers.json"
    assert json.loads(submitted.read_text())["activities"]["q1-order"]["selected"] == [shown_first]
    nbgrader(facilitator, hub, "autograde", ASSESSMENT, "--force", cwd=grading)
    nbgrader(facilitator, hub, "generate_feedback", ASSESSMENT, "--force", cwd=grading)
    feedback = list((grading / "feedback" / learner.name / ASSESSMENT).glob("*.html"))
    assert feedback, "generate_feedback wrote no feedback page for the learner"

    marks = grading / "marks.csv"
    done = facilitator.run("python", "-m", "leadership_course", "export-marks", "--course-dir", str(grading),
                           "--out", str(marks), cwd=grading)
    assert done.returncode == 0, done.stderr[-2000:]
    with open(marks, newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if learner.name in row.values()]
    automatic = [row for row in rows if row["kind"] == "automatic"]
    assert len(automatic) == 5 and all(float(row["score"]) in (0, 1) for row in automatic), rows
    assert grading.stat().st_mode & 0o077 == 0, "the facilitator's grading folder is theirs alone"
