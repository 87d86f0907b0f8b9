"""An open course page on the hub, in a real Chromium: while it is open and visible it keeps
its server from the idle culler; when the culler has stopped the server anyway, the page
says it cannot save and keeps what the learner typed; every page can sign out; and a hub
restart leaves the learner's server, and the open page, working."""

from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from playwright.sync_api import expect

from browser_helpers import Keys, axe_violations, new_course_page
from leadership_course.hub.trial import HUB_BIN
from test_hub_cohort import open_module, record_of, sign_in, REFLECTION_ID

TYPED = "Typed after the page had been left for a long time, and not saved yet."
LOST = "no longer connected to the course"


@contextmanager
def idle_culler(hub, timeout_s: int, every_s: int):
    """The real jupyterhub-idle-culler against the trial hub, with the test client's token."""
    culler = subprocess.Popen([str(HUB_BIN / "python"), "-m", "jupyterhub_idle_culler", f"--url={hub.url}/hub/api",
                               f"--timeout={timeout_s}", f"--cull-every={every_s}"],
                              env={"JUPYTERHUB_API_TOKEN": hub.token, "PATH": "/usr/bin:/bin"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        culler.terminate()
        culler.wait(10)


def last_activity(hub, name) -> datetime:
    return datetime.fromisoformat(hub.servers(name)[""]["last_activity"].replace("Z", "+00:00"))


def heard_of_activity_since(hub, name, moment: datetime, timeout_s=30) -> datetime:
    """The server's last activity as the hub has it, once the hub has heard of activity at or after ``moment``."""
    deadline = time.monotonic() + timeout_s
    while last_activity(hub, name) < moment and time.monotonic() < deadline:
        time.sleep(1)
    heard = last_activity(hub, name)
    assert heard >= moment, f"the server did not report the page's activity to the hub in {timeout_s} s"
    return heard


def wait_until_stopped(hub, name, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while hub.servers(name) and time.monotonic() < deadline:
        time.sleep(1)
    return not hub.servers(name)


def test_an_open_visible_page_keeps_its_server_from_the_idle_culler(hub, browser):
    """With a module open and nobody touching it, does the page report activity to the hub,
    so a culler that stops servers idle for 40 s leaves this one running for 70 s? (The page asks
    every 3 s and the server tells the hub every 10 s, so the hub's time is at most about 13 s old;
    40 s leaves room for a loaded machine, and 70 s is well past what an idle server would get.)"""
    b = hub.accounts["learner_b"]
    context, page = new_course_page(browser)
    page.add_init_script("window.COURSE_CONNECTION_CHECK_SECONDS = 3;")
    try:
        sign_in(page, hub, b)
        opening = datetime.now(timezone.utc)
        open_module(page, hub, b)
        # The hub hears of the page at the server's next report (10 s here; 5 minutes against an hour
        # on a real hub). A server already running with nothing reported for over 40 s (as after
        # tests/hub/test_hub_limits.py) would be culled before that report, as a real one idle for
        # nearly an hour can be in the minutes after its learner comes back: not what this test asks.
        opened = heard_of_activity_since(hub, b.name, opening)
        with idle_culler(hub, timeout_s=40, every_s=3):
            time.sleep(70)
            assert hub.servers(b.name), "the culler stopped the server of a page open on the screen"
        assert (last_activity(hub, b.name) - opened).total_seconds() >= 40, "the open page reported no activity"
        expect(page.locator(".course-connection-lost")).to_have_count(0)
    finally:
        context.close()


def test_a_page_whose_server_was_culled_says_it_cannot_save_and_keeps_the_text(hub, browser):
    """When the culler has stopped the server under an open module page, and the learner
    types a reflection and selects Save, does the page say it cannot save (an alert), keep
    the text in the box, and pass axe-core?"""
    b = hub.accounts["learner_b"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, b)
        open_module(page, hub, b)
        with idle_culler(hub, timeout_s=1, every_s=2):
            assert wait_until_stopped(hub, b.name), "the culler did not stop the server"
        expect(page.locator(".course-connection-lost")).to_have_count(0)  # not checked since: the page looks normal
        reflection = page.locator(".course-reflection").first
        reflection.locator("textarea").fill(TYPED)
        reflection.get_by_role("button", name="Save").click()
        lost = page.locator(".course-connection-lost")
        expect(lost).to_be_visible(timeout=20_000)
        expect(lost).to_have_attribute("role", "alert")
        expect(lost).to_contain_text(LOST)
        expect(reflection.locator("textarea")).to_have_value(TYPED)
        assert axe_violations(page) == []
    finally:
        context.close()
    record = b.home / "compassionate-leadership-record" / "learner-record.json"
    assert not record.exists() or TYPED not in record.read_text()


def test_every_course_page_on_the_hub_signs_out(hub, browser):
    """Do the course home and a module page have a 'Sign out' link in the header that ends
    the hub session (the home page then asks for a sign-in)?"""
    a = hub.accounts["learner_a"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, a)
        sign_out = page.locator("header.course-header a", has_text="Sign out")
        expect(sign_out).to_have_attribute("href", "/hub/logout")
        open_module(page, hub, a)
        expect(sign_out).to_have_count(1)
        sign_out.click()
        expect(page.locator("#username_input")).to_be_visible(timeout=30_000)
        page.goto(f"{hub.url}/user/{a.name}/voila/render/course_home.ipynb")
        expect(page.locator("#username_input")).to_be_visible(timeout=30_000)
    finally:
        context.close()


def test_the_folder_list_and_error_pages_on_the_hub_sign_out_too(hub, browser):
    """Do Voila's folder list and its 'page not found' page (error.html's frame) have the same header
    'Sign out' link as the course pages, reached by the keyboard just after the course title, with no
    axe-core violations, and does it end the hub session?"""
    b = hub.accounts["learner_b"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, b)
        for address, heading in ((f"/user/{b.name}/voila/tree/", "Compassionate and Inclusive Leadership"),
                                 (f"/user/{b.name}/voila/render/no-such-page.ipynb", "Sorry, this page could not be opened")):
            page.goto(f"{hub.url}{address}")
            expect(page.locator("h1")).to_have_text(heading)
            sign_out = page.locator("header.course-header a", has_text="Sign out")
            expect(sign_out).to_have_count(1)
            expect(sign_out).to_have_attribute("href", "/hub/logout")
            keys = Keys(page)
            assert keys.tab_to(page.locator("header.course-header a.course-header-title")) <= 3
            keys.press("Tab")
            assert keys.is_focused(sign_out), f"{address}: the focus went to {keys.focused} after the title"
            assert axe_violations(page) == [], address
        keys.press("Enter")  # on the error page, signed out from the keyboard
        expect(page.locator("#username_input")).to_be_visible(timeout=30_000)
        page.goto(f"{hub.url}/user/{b.name}/voila/tree/")
        expect(page.locator("#username_input")).to_be_visible(timeout=30_000)
    finally:
        context.close()


def test_restarting_the_hub_leaves_the_server_and_its_open_page_working(hub, browser):
    """When the hub is stopped and started again (as systemctl restart does), is the learner's
    server the same process, and does a reflection saved on the page opened before the
    restart reach the learner's record?"""
    a = hub.accounts["learner_a"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, a)
        open_module(page, hub, a)
        pids = set(_server_pids(a))
        hub.restart()
        assert hub.servers(a.name), "the hub forgot the running server"
        assert set(_server_pids(a)) & pids, "the server was stopped and started again"
        written = "Written after the hub was restarted."
        reflection = page.locator(".course-reflection").first
        status = reflection.locator("[role='status']")
        before = status.inner_text()  # a reflection saved by an earlier test already says "Saved ..."
        reflection.locator("textarea").fill(written)
        reflection.get_by_role("button", name="Save").click()
        expect(status).not_to_have_text(before, timeout=60_000)
        expect(status).to_contain_text("Saved")
        expect(page.locator(".course-connection-lost")).to_have_count(0)
        deadline = time.monotonic() + 30  # the kernel writes the record just after it answers
        while record_of(a)["activities"][REFLECTION_ID]["text"] != written and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        context.close()
    assert record_of(a)["activities"][REFLECTION_ID]["text"] == written


def _server_pids(account):
    uid, _ = account.ids
    found = subprocess.run(["pgrep", "-u", str(uid), "-f", "jupyterhub-singleuser"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]
