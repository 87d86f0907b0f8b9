"""The course home in a real Chromium: "Continue where you left off" lands on the next
unfinished activity of the module page, its section heading focused and on screen."""

from __future__ import annotations

import pytest

from browser_helpers import wait_for_widgets
from leadership_course.record import RECORD_FILE, LearnerRecord

DONE = "2026-12-01T09:00:00+00:00"


@pytest.fixture
def part_way_through_module_1(voila_server):
    """The session's record with module 0 complete and module 1's first activity done; the
    record as it was is put back afterwards (other tests share it)."""
    path = voila_server.record_dir / RECORD_FILE
    before = path.read_bytes() if path.exists() else None
    path.unlink(missing_ok=True)
    record = LearnerRecord(voila_server.record_dir)
    for activity in ("how-the-course-works-check", "module-0-goals", "module-0-pledge", "module-1-reflection"):
        record.update(activity, {"completed": True, "updated": DONE})
    yield
    if before is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(before)


def test_continue_opens_the_next_unfinished_activity_with_its_heading_focused(
        part_way_through_module_1, open_course_page):
    """With module 0 done and module 1 begun, does following "Continue where you left off"
    open module 1 at the section of its next activity (the self-check), with that section's
    heading focused and at the top of the screen?"""
    page = open_course_page("course_home.ipynb")
    resume = page.locator(".course-resume")
    assert "Continue where you left off" in resume.inner_text()
    link = resume.get_by_role("link", name="How do you show the four behaviours?")
    assert link.get_attribute("href") == "01_why_compassion.ipynb#The-four-behaviours"
    link.click()
    page.wait_for_url("**/01_why_compassion.ipynb#The-four-behaviours")
    wait_for_widgets(page)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'The-four-behaviours'")
    heading = page.locator("h2#The-four-behaviours")
    assert heading.evaluate("h => h.closest('#rendered_cells') !== null")
    page.wait_for_function("""() => { const top = document.getElementById('The-four-behaviours')
                                          .getBoundingClientRect().top;
                                      return top >= 0 && top < window.innerHeight / 3; }""")
