"""Pre-heated kernels in the course web app: a page that waited in Voila's pool shows the
learner's record as it is when the page is opened, not as it was when the kernel started.
"""

from __future__ import annotations

import re
import time

from leadership_course.content import load_course
from leadership_course.record import LearnerRecord

HOME = "course_home.ipynb"
#: Long enough for a pooled kernel to import the engine and reach the point where it
#: waits; before the fix, the page read the record at that point.
SETTLE_S = 10


def _log(voila_server) -> str:
    return voila_server.log_path.read_text(errors="replace")


def _home_pool_ready(voila_server) -> bool:
    """Has the home page's pool been filled once more than it has been used?"""
    log = _log(voila_server)
    used = len(re.findall(rf"Using pre-heated kernel: \S+ for {re.escape(HOME)}", log))
    filled = log.count(f"Kernel pool of {HOME} is filled")
    return filled > used


def test_preheated_home_shows_work_saved_after_its_kernel_started(voila_server, open_course_page):
    """Work saved while the home page's kernel waits in the pool: does the page, opened
    afterwards, come from that pre-heated kernel and still show the module as complete?"""
    deadline = time.monotonic() + 180
    while not _home_pool_ready(voila_server):
        assert time.monotonic() < deadline, "the home page's pool never filled:\n" + voila_server.log_tail()
        time.sleep(0.5)
    time.sleep(SETTLE_S)

    record = LearnerRecord(voila_server.record_dir)
    saved = record.read().get("activities", {})
    module = next(m for m in load_course()["modules"]
                  if not any(saved.get(a, {}).get("completed") for a in m["activities"]))
    for activity in module["activities"]:
        record.update(activity, {"completed": True})

    used_before = _log(voila_server).count(f"for {HOME}")
    page = open_course_page(HOME)
    assert _log(voila_server).count(f"for {HOME}") == used_before + 1, "the page did not use the pre-heated kernel"
    row = page.locator(".course-task", has_text=module["title"])
    assert "Complete" in row.inner_text(), row.inner_text()


def test_at_launch_the_course_home_kernel_starts_before_the_others(voila_server):
    """At launch, does the course home's pre-heated kernel start alone, its pool filled
    before any other page's kernel starts, so that the first page a learner opens is not
    slowed by eleven kernels starting at once?"""
    deadline = time.monotonic() + 180
    while _log(voila_server).count("Kernel started:") < 2:
        assert time.monotonic() < deadline, "only one kernel ever started:\n" + voila_server.log_tail()
        time.sleep(0.5)
    log = _log(voila_server)
    home_filled = log.find(f"Kernel pool of {HOME} is filled")
    second_start = log.find("Kernel started:", log.find("Kernel started:") + 1)
    assert 0 <= home_filled < second_start, "another page's kernel started before the course home's was ready"
