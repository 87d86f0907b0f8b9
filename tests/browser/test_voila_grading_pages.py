"""The assessment (as learners receive it) and the facilitator dashboard, served by Voila
with the course template and driven in Chromium."""

import json
import os
import shutil
import subprocess
import sys
import time
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
