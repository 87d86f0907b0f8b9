"""The course's own exchange steps (leadership_course/grading/exchange.py) on a real nbgrader
exchange folder: "Get this assessment" on the course home, "Submit to my facilitator" and
"Get my feedback" on the assessment's page, with nbgrader's classes doing the copying."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import leadership_course as course
from leadership_course.grading.exchange import course_exchange, files_url, said_as_time
from leadership_course.grading.learner_widgets import HubSubmission
from leadership_course.grading.open_assessment import OpenAssessment, ReleasedAssessments, assessments_step
from leadership_course.record import LearnerRecord

REPO = Path(__file__).resolve().parents[2]
COURSE = "compassionate-leadership"
ASSESSMENT = "module-01"
NOTEBOOK = "module-01-assessment.ipynb"


@pytest.fixture
def hub_like(tmp_path, monkeypatch):
    """An exchange with module 1 released, the learner profile's settings, and a server root."""
    exchange, root, profile = tmp_path / "exchange", tmp_path / "course", tmp_path / "profile"
    outbound = exchange / COURSE / "outbound" / ASSESSMENT
    outbound.mkdir(parents=True)
    for name in (NOTEBOOK, "assessment.yaml"):
        shutil.copy(REPO / "grading" / "source" / ASSESSMENT / name, outbound / name)
    for folder, mode in (("inbound", 0o733), ("feedback", 0o711)):
        (exchange / COURSE / folder).mkdir(mode=mode)
    root.mkdir()
    profile.mkdir()
    (profile / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.assignment_dir = {str(root / 'assessments')!r}\n"
        f"c.Exchange.cache = {str(tmp_path / 'cache')!r}\n")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(profile))
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ab12/")
    monkeypatch.setenv("COURSE_SERVER_ROOT", str(root))
    return {"exchange": exchange, "root": root}


def test_without_an_exchange_the_home_offers_the_hand_out_zip(tmp_path, monkeypatch):
    """With no exchange folder for the course, is the step the zip picker (laptop and Binder)?"""
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE!r}\nc.Exchange.root = {str(tmp_path / 'none')!r}\n")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(profile))
    assert course_exchange() is None
    assert isinstance(assessments_step(tmp_path), OpenAssessment)


def test_get_this_assessment_fetches_it_into_the_course_and_links_it(hub_like):
    """Does the home list module 1 with a Get button, fetch it into assessments/ when pressed,
    then link it and offer no button for it any more?"""
    step = assessments_step(hub_like["root"])
    assert isinstance(step, ReleasedAssessments)
    [get] = step.waiting.children
    assert get.description.startswith("Get this assessment: ")
    assert "module-01" not in step.links.value
    get.click()
    assert (hub_like["root"] / "assessments" / ASSESSMENT / NOTEBOOK).is_file()
    assert step.waiting.children == ()
    assert f"href='assessments/{ASSESSMENT}/{NOTEBOOK}'" in step.links.value
    assert "is ready: select" in step.status.html


def test_submit_then_get_feedback_through_the_exchange(hub_like):
    """Does Submit put a submission in the exchange's inbound folder, does Get my feedback say
    there is none yet, and, once feedback is released for that submission, link its page?"""
    from nbgrader.utils import notebook_hash

    exchange = course_exchange()
    folder = exchange.fetch(ASSESSMENT)
    box = HubSubmission(exchange, LearnerRecord(folder, "answers.json"))
    box.get_feedback()
    assert "no feedback for you yet" in box.feedback_status.html
    box.submit()
    assert "You submitted this on " in box.status.html and "can now mark your answers" in box.status.html
    [submitted] = (hub_like["exchange"] / COURSE / "inbound").iterdir()
    assert submitted.name.split("+")[1] == ASSESSMENT and (submitted / NOTEBOOK).is_file()

    secret = (submitted / "submission_secret.txt").read_text()
    released = hub_like["exchange"] / COURSE / "feedback" / f"{notebook_hash(secret=secret, notebook_id=NOTEBOOK[:-6])}.html"
    released.write_text("<html><body><p>Your marks: 5 out of 5</p></body></html>")
    box.get_feedback()
    assert "Your feedback is ready" in box.feedback_status.html
    [page] = (folder / "feedback").glob("*/*.html")
    assert "5 out of 5" in page.read_text()
    assert f"href='{files_url(page)}'" in box.feedback_link.value
    assert files_url(page).startswith(f"/user/ab12/files/assessments/{ASSESSMENT}/feedback/")


def test_before_any_feedback_is_released_get_my_feedback_says_not_yet(hub_like):
    """With no feedback folder in the exchange (release_feedback makes it), does Get my
    feedback say there is none yet, not that something went wrong?"""
    (hub_like["exchange"] / COURSE / "feedback").rmdir()
    exchange = course_exchange()
    box = HubSubmission(exchange, LearnerRecord(exchange.fetch(ASSESSMENT), "answers.json"))
    box.submit()
    box.get_feedback()
    assert "no feedback for you yet" in box.feedback_status.html


def test_an_exchange_that_fails_gives_a_plain_sentence_and_loses_nothing(hub_like):
    """With the inbound folder gone, does Submit say plainly that it did not work, and keep
    the learner's answers?"""
    exchange = course_exchange()
    folder = exchange.fetch(ASSESSMENT)
    (folder / "answers.json").write_text('{"version": 1, "activities": {}}')
    (hub_like["exchange"] / COURSE / "inbound").rmdir()
    box = HubSubmission(exchange, LearnerRecord(folder, "answers.json"))
    box.submit()
    assert box.status.html.startswith("<p>Sorry, submitting did not work.")
    assert "Traceback" not in box.status.html and str(hub_like["exchange"]) not in box.status.html
    assert (folder / "answers.json").is_file()


def test_files_url_refuses_a_page_outside_the_server_root(hub_like, tmp_path):
    """Is a file outside the learner's server root never given a /files/ address?"""
    assert files_url(tmp_path / "elsewhere.html") is None


def test_before_anything_is_released_the_hub_home_says_so(hub_like):
    """With the exchange there but nothing released for the course, is the step the exchange's
    (no zip picker), saying there is nothing yet?"""
    shutil.rmtree(hub_like["exchange"] / COURSE)
    step = assessments_step(hub_like["root"])
    assert isinstance(step, ReleasedAssessments)
    assert step.waiting.children == () and "Nothing has been released to you yet." in step.links.value


@pytest.fixture
def learner_home(hub_like, tmp_path, monkeypatch):
    """As on the hub: the learner profile names no nbgrader cache, so nbgrader keeps its record of each
    submit in the Jupyter data folder of the learner's home."""
    profile = Path(os.environ["JUPYTER_CONFIG_PATH"]) / "nbgrader_config.py"
    profile.write_text("".join(line + "\n" for line in profile.read_text().splitlines() if "Exchange.cache" not in line))
    home = tmp_path / "home"
    home.mkdir()
    for variable in ("JUPYTER_DATA_DIR", "XDG_DATA_HOME", "JUPYTER_PLATFORM_DIRS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(home))
    return {**hub_like, "cache": home / ".local" / "share" / "jupyter" / "nbgrader_cache" / COURSE}


def test_a_submitted_assessment_says_when_on_its_page_and_the_course_home(learner_home, monkeypatch):
    """After a real `nbgrader submit` (as JupyterLab's Assignments tab runs it) in a fresh home, do the
    assessment's page (its start and its Submit box) and the course home say when it was submitted, and
    after a second submit from the page, the later time? Before any submit, do they say nothing of it?"""
    exchange = course_exchange()
    folder = exchange.fetch(ASSESSMENT)
    monkeypatch.chdir(folder)
    assert exchange.last_submitted(ASSESSMENT) is None
    assert "You submitted" not in course.assessment_start().data
    assert "submitted" not in HubSubmission(exchange, LearnerRecord(folder, "answers.json")).status.html

    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([str(bin_dir / "nbgrader"), "submit", ASSESSMENT], cwd=folder.parent, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    [record] = learner_home["cache"].iterdir()  # nbgrader's own record: <student>+<assessment>+<time>
    first = exchange.last_submitted(ASSESSMENT)
    assert record.name.split("+")[1] == ASSESSMENT
    assert abs(first - datetime.now(timezone.utc)) < timedelta(minutes=5)
    said = f"You submitted this on {said_as_time(first)}."
    assert said in course.assessment_start().data and "You can submit again: your facilitator marks your latest" \
        in course.assessment_start().data
    box = HubSubmission(exchange, LearnerRecord(folder, "answers.json"))
    assert said in box.status.html
    home = assessments_step(learner_home["root"])
    assert f"(you submitted it on {said_as_time(first)})" in home.links.value

    time.sleep(1)  # nbgrader's times have microseconds: the second submit is later
    box.submit()
    second = exchange.last_submitted(ASSESSMENT)
    assert second > first and len(list(learner_home["cache"].iterdir())) == 2
    assert f"You submitted this on {said_as_time(second)}." in box.status.html


ODD_CACHE_NAMES = ["ab12+module-01+not a time", "ab12+module-01", "module-01", "ab12+module-01+2026-13-45 99:00:00.0 UTC",
                   "ab12+module-02+2026-12-04 10:00:00.000000 UTC", "ab12+module-01+" + "9" * 5000,
                   "ab12+module-01+2026-12-04 10:00:00.000000 UTC+junk"]


def test_an_odd_or_missing_submit_record_never_raises(learner_home, monkeypatch):
    """With no cache, a cache that is a file, and a cache of odd names (no time, a time that is not
    one, another assessment's, a huge name), does the page open saying nothing of a submission, and
    is the one real record among odd ones found?"""
    exchange = course_exchange()
    folder = exchange.fetch(ASSESSMENT)
    monkeypatch.chdir(folder)
    cache = learner_home["cache"]
    cache.parent.mkdir(parents=True)
    cache.write_text("not a folder")
    assert exchange.last_submitted(ASSESSMENT) is None and "You submitted" not in course.assessment_start().data
    cache.unlink()
    cache.mkdir()
    for name in ODD_CACHE_NAMES:
        try:
            (cache / name).mkdir()
        except OSError:  # a name too long for the file system is no record either
            pass
    (cache / "ab12+module-01+2026-12-04 09:30:00.000000 UTC.txt").write_text("a file, not a folder")
    assert exchange.last_submitted(ASSESSMENT) is None
    assert "You submitted" not in course.assessment_start().data
    (cache / "ab12+module-01+2026-12-04 09:15:30.123456 UTC").mkdir()
    assert exchange.last_submitted(ASSESSMENT) == datetime(2026, 12, 4, 9, 15, 30, 123456, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment, said", [
    (datetime(2026, 12, 4, 21, 45, tzinfo=timezone.utc), "4 December 2026 at 9:45pm"),
    (datetime(2026, 6, 1, 8, 5, tzinfo=timezone.utc), "1 June 2026 at 9:05am"),  # British Summer Time
    (datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc), "4 December 2026 at midday"),
    (datetime(2026, 12, 4, 0, 0, tzinfo=timezone.utc), "4 December 2026 at midnight"),
])
def test_submit_times_are_said_in_local_time_as_nhs_uk_writes_them(moment, said, monkeypatch):
    """Is a submit time said in the computer's own time zone (here the UK's), as '4 December 2026 at 9:45pm'?"""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        assert said_as_time(moment) == said
    finally:
        monkeypatch.undo()
        time.tzset()
