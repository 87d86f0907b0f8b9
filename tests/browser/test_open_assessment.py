"""In Voila: a learner opens the assessment zip their facilitator handed out from the course
home (no hub, no unzipping), and the assessment page then shows its questions."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser_helpers import MODULES_DIR, REPO_ROOT, wait_for_widgets

ASSIGNMENT = "module-01"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.fixture(scope="module")
def hand_out_zip(tmp_path_factory):
    """module-01.zip as `python -m leadership_course hand-out` makes it from nbgrader's release."""
    course = tmp_path_factory.mktemp("hand-out") / "grading"
    shutil.copytree(REPO_ROOT / "grading", course, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded", "hand-out", "returned"))
    for argv in ([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT],
                 [sys.executable, "-m", "leadership_course", "hand-out", ASSIGNMENT]):
        result = subprocess.run(argv, cwd=course, env=ENV, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return course / "hand-out" / f"{ASSIGNMENT}.zip"


@pytest.fixture
def assessments_folder_put_back():
    """modules/assessments/module-01 as it was before the test (the served folder is the repository's)."""
    folder = MODULES_DIR / "assessments" / ASSIGNMENT
    existed = folder.parent.exists(), folder.exists()
    before = {p.name: p.read_bytes() for p in folder.iterdir()} if existed[1] else {}
    yield folder
    if not existed[0]:
        shutil.rmtree(folder.parent, ignore_errors=True)
    elif not existed[1]:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        for name, data in before.items():
            (folder / name).write_bytes(data)


def test_course_home_opens_a_handed_out_assessment(hand_out_zip, assessments_folder_put_back, open_course_page,
                                                   keys_for):
    """With the keyboard on the course home: does choosing the hand-out zip say it is ready and
    link to the assessment, and does that page show the questions and the download step, and not the
    note meant for JupyterLab?"""
    page = open_course_page("course_home.ipynb")
    keys = keys_for(page)
    step = page.locator(".course-open-assessment")
    picker = step.get_by_label("Choose the assessment file (it ends in .zip)")
    keys.tab_to(picker)
    picker.set_input_files(files=[{"name": "module-01.zip", "mimeType": "application/zip",
                                   "buffer": hand_out_zip.read_bytes()}])
    step.get_by_text("module-01.zip is ready").wait_for()
    link = step.get_by_role("link", name="Module 1 assessment: Why compassion? The four behaviours").first
    keys.tab_to(link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/voila/render/assessments/{ASSIGNMENT}/module-01-assessment.ipynb")
    wait_for_widgets(page)
    text = page.inner_text("body")
    assert "Question 5" in text and "Written answer 2" in text
    assert "grey boxes of code" not in text and page.locator(".course-editor-only").count() == 1  # JupyterLab's note
    assert page.get_by_role("button", name="Prepare my submission").count() == 1
    assert (assessments_folder_put_back / "assessment.yaml").is_file()
