"""The facilitator guide's command for the dashboard in Voila, run as the guide gives it and
opened in Chromium: nothing may load from another host (Voila's own template asks a CDN for
Font Awesome)."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from browser_helpers import LOCAL_HOST, answers, new_course_page, stop_voila, wait_for_widgets
from leadership_course.voila.launch import free_port

REPO = Path(__file__).parent.parent.parent
GUIDE = REPO / "docs" / "facilitator-guide" / "assessment.md"


def guide_command():
    """The dashboard command in the guide's "See the cohort at a glance" step."""
    step = GUIDE.read_text().split("### 6. See the cohort at a glance", 1)[1].split("###", 1)[0]
    (command,) = re.findall(r"`(python -m leadership_course\.voila\.launch [^`]*dashboard\.ipynb[^`]*)`", step)
    return command.split()


def test_the_guides_dashboard_command_loads_nothing_from_elsewhere(browser, tmp_path):
    """Run from grading/ as the guide says, does the address it prints show the dashboard with
    every request to this computer, no console error and no traceback?"""
    grading = tmp_path / "grading"
    shutil.copytree(REPO / "grading", grading, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded"))
    argv = [sys.executable if word == "python" else word for word in guide_command()]
    port = free_port(LOCAL_HOST)
    argv[argv.index("--port") + 1] = str(port)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    log = tmp_path / "voila.log"
    with open(log, "wb") as stream:
        process = subprocess.Popen(argv, cwd=grading, env=env, stdout=stream, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while not answers(f"http://{LOCAL_HOST}:{port}/"):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        (address,) = re.findall(r"^Open (http://\S+)$", log.read_text(), re.M)
        assert address == f"http://{LOCAL_HOST}:{port}/voila/render/dashboard.ipynb"
        context, page = new_course_page(browser)
        try:
            page.goto(address)
            wait_for_widgets(page)
            assert page.get_by_role("heading", name="Facilitator dashboard").first.is_visible()
            assert not page.course_log.external_requests, page.course_log.external_requests
            assert not page.course_log.console_errors, page.course_log.console_errors
            assert "Traceback" not in page.locator("body").inner_text()
        finally:
            context.close()
    finally:
        stop_voila(process)
