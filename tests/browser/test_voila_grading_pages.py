"""The assessment (as learners receive it) and the facilitator dashboard, served by Voila
with the course template and driven in Chromium."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_helpers import LOCAL_HOST, VoilaServer, answers, new_course_page, stop_voila, wait_for_widgets
from leadership_course.voila.launch import free_port, voila_command

REPO = Path(__file__).parent.parent.parent
ASSESSMENT = "release/module-01/module-01-assessment.ipynb"


@pytest.fixture(scope="module")
def grading_server(tmp_path_factory):
    """Voila on a copy of grading/ in which the module 1 assessment has been released."""
    work = tmp_path_factory.mktemp("grading-voila")
    grading = work / "grading"
    shutil.copytree(REPO / "grading", grading, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "generate_assignment", "module-01", "--force"],
                   cwd=grading, env=env, check=True, capture_output=True)
    port = free_port(LOCAL_HOST)
    argv, env = voila_command(grading, port, work / "record", ip=LOCAL_HOST)
    with open(work / "voila.log", "wb") as log:
        process = subprocess.Popen(argv, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    server = VoilaServer(process, port, work / "record", work / "voila.log")
    deadline = time.monotonic() + 60
    while not answers(server.base_url + "/"):
        assert process.poll() is None and time.monotonic() < deadline, server.log_tail()
        time.sleep(0.2)
    server.grading = grading
    yield server
    stop_voila(process)


@pytest.mark.parametrize("notebook", [ASSESSMENT, "dashboard.ipynb"], ids=["assessment", "dashboard"])
def test_page_is_clean_and_accessible(browser, grading_server, axe, notebook):
    """Does the page render with no axe violations, no console errors, no outside requests
    and no traceback?"""
    context, page = new_course_page(browser)
    try:
        page.goto(grading_server.url(notebook))
        wait_for_widgets(page)
        assert not axe(page), "\n".join(axe(page))
        assert not page.course_log.console_errors, page.course_log.console_errors
        assert not page.course_log.external_requests, page.course_log.external_requests
        assert "Traceback" not in page.locator("body").inner_text()
    finally:
        context.close()


def test_learner_answers_the_assessment_by_keyboard(browser, grading_server, keys_for):
    """Can a learner choose an answer with the keyboard alone, and is it saved to answers.json?"""
    context, page = new_course_page(browser)
    try:
        page.goto(grading_server.url(ASSESSMENT))
        wait_for_widgets(page)
        keys = keys_for(page)
        question = page.locator(".course-assessment-question").first
        first = question.get_by_role("radio").first
        shown_first = first.evaluate("input => input.parentElement.textContent").strip()  # shuffled per learner
        keys.tab_to(first)
        keys.press("Space")
        expect(question.locator("[role='status']")).to_contain_text("Answer saved at")
        answers = json.loads((grading_server.grading / "release" / "module-01" / "answers.json").read_text())
        assert answers["activities"]["q1-order"]["selected"] == [shown_first]
    finally:
        context.close()


def settled_text(locator, quiet_s=2.0, timeout_s=60.0):
    """The locator's text once it has not changed for ``quiet_s`` (messages from the kernel still on their way)."""
    text, since, deadline = locator.inner_text(), time.monotonic(), time.monotonic() + timeout_s
    while time.monotonic() - since < quiet_s:
        assert time.monotonic() < deadline, f"still changing: {text!r}"
        time.sleep(0.25)
        now = locator.inner_text()
        if now != text:
            text, since = now, time.monotonic()
    return text


def test_ticks_then_prepare_at_once_downloads_every_tick_shown(browser, grading_server):
    """Ticking and unticking several options of a multiple-choice question and selecting Prepare
    my submission in the same instant, four times over: does the page settle on the learner's
    ticks, and is the file it finally offers (after withdrawing one that a late tick made stale,
    and preparing again) exactly those ticks, every time? (Without the withdrawal, the first
    file held 1 tick of the 4 shown.)"""
    answers_file = grading_server.grading / "release" / "module-01" / "answers.json"

    def saved_on_disk():
        try:
            return sorted(json.loads(answers_file.read_text())["activities"]["q2-myths"]["selected"])
        except (OSError, ValueError, KeyError):
            return None

    context, page = new_course_page(browser)
    try:
        page.goto(grading_server.url(ASSESSMENT))
        wait_for_widgets(page)
        question = page.locator(".course-assessment-question").nth(1)
        boxes = question.get_by_role("checkbox")
        texts = [boxes.nth(i).evaluate("input => input.parentElement.textContent").strip() for i in range(4)]

        def ticked_on_page():
            return sorted(texts[i] for i in range(4) if boxes.nth(i).is_checked())

        download = page.locator(".course-submission-download")
        prepare = download.get_by_role("button", name="Prepare my submission")
        download.get_by_label("Your learner ID").fill("ab12")
        status = download.locator("[role='status']")
        ticks = set()
        for toggles in ([0, 1, 2, 3], [1, 3], [0, 1, 2], [2, 3, 0]):
            question.evaluate("""(box, picks) => {  // as fast as a hand can: the ticks, then Prepare, in one go
                const inputs = box.querySelectorAll("input[type=checkbox]");
                for (const i of picks) inputs[i].click();
                document.querySelector(".course-submission-download button").click();
            }""", toggles)
            ticks ^= set(toggles)
            meant = sorted(texts[i] for i in ticks)
            deadline = time.monotonic() + 60
            while not (ticked_on_page() == meant and saved_on_disk() == meant):  # page and kernel settle
                assert time.monotonic() < deadline, (toggles, meant, ticked_on_page(), saved_on_disk())
                time.sleep(0.1)
            said = settled_text(status)
            if "ready" not in said:  # withdrawn (a tick reached the kernel after the file), or the ID came late
                prepare.click()
                expect(status).to_contain_text("Your submission is ready")
                said = settled_text(status)
            assert "Your submission is ready" in said, said
            assert ticked_on_page() == meant and "Answer saved" in question.locator("[role='status']").inner_text()
            with page.expect_download() as offered:
                download.get_by_role("link", name=re.compile(r"^Save module-01__ab12__")).click()
            with zipfile.ZipFile(offered.value.path()) as archive:
                packed = json.loads(archive.read("ab12__answers.json"))["activities"]["q2-myths"]["selected"]
            assert sorted(packed) == meant, (toggles, packed, meant)
    finally:
        context.close()
