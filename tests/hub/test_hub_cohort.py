"""A cohort on the hub, in a real Chromium through the hub's own login page: learners land
on the course home in Voila in their own servers, keep their work across sign-outs and
the idle culler, and cannot see each other's; the facilitator's formgrader renders."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_helpers import new_course_page, wait_for_widgets
from leadership_course.hub.trial import HUB_BIN
from leadership_course.hub.homes import RECORD_DIR

MODULE = "01_why_compassion.ipynb"
CHECK_ID = "four-behaviours-check"
REFLECTION_ID = "module-1-reflection"
WRITTEN = "On the hub I wrote about the handover where my charge nurse stopped to ask how I was."
SIGN_IN_TIMEOUT_MS = 150_000


def sign_in(page, hub, account):
    """Sign in through the hub's login page; return the seconds until the page's widgets are drawn."""
    started = time.monotonic()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", account.name)
    page.fill("#password_input", account.password)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{account.name}/voila/render/course_home.ipynb", timeout=SIGN_IN_TIMEOUT_MS)
    wait_for_widgets(page, SIGN_IN_TIMEOUT_MS)
    return time.monotonic() - started


def open_module(page, hub, account):
    page.goto(f"{hub.url}/user/{account.name}/voila/render/{MODULE}")
    wait_for_widgets(page, SIGN_IN_TIMEOUT_MS)


def record_of(account) -> dict:
    return json.loads((account.home / RECORD_DIR / "learner-record.json").read_text())


@pytest.fixture(scope="module")
def learner_a_worked(hub, browser):
    """Learner A signs in, answers module 1's first question and saves a reflection, signs out."""
    account = hub.accounts["learner_a"]
    context, page = new_course_page(browser)
    try:
        seconds = sign_in(page, hub, account)
        home = {"lang": page.locator("html").get_attribute("lang"), "title": page.title(),
                "header": page.locator("header.course-header").count(),
                "code": page.locator(".jp-InputArea-editor:visible, .cm-editor:visible").count()
                + page.get_by_text("show_course_home(").count(),
                "menus": page.locator("#jp-MainMenu, .lm-MenuBar").count(),
                "lab_link": page.locator(f"a[href='/user/{account.name}/lab']").count()}
        open_module(page, hub, account)
        question = page.locator(".course-knowledge-check .course-question").first
        question.locator("input[type='radio']").first.check()
        chosen = int(question.locator("input[type='radio']").first.get_attribute("value"))
        question.get_by_role("button", name="Check answer").click()
        expect(question.locator("[role='status']")).not_to_be_empty(timeout=15_000)
        reflection = page.locator(".course-reflection").first
        reflection.locator("textarea").fill(WRITTEN)
        reflection.get_by_role("button", name="Save").click()
        expect(reflection.locator("[role='status']")).to_contain_text("Saved", timeout=15_000)
        external = page.course_log.external_requests
        page.goto(f"{hub.url}/hub/logout")
        expect(page.locator("#username_input")).to_be_visible()
    finally:
        context.close()
    return {"account": account, "seconds": seconds, "home": home, "chosen": chosen, "external": external}


def test_learner_lands_on_the_course_home_in_voila_with_the_course_template(learner_a_worked):
    """Does a learner who signs in land on the course home in Voila, in their own server, with
    the course's page (language, header), no code, no Lab menus, a link to JupyterLab, and no
    request to another host?"""
    home = learner_a_worked["home"]
    assert home["lang"] == "en-GB" and home["header"] == 1, home
    assert "Compassionate and Inclusive Leadership" in home["title"], home
    assert home["code"] == 0 and home["menus"] == 0, home
    assert home["lab_link"] == 1, "the course home links to JupyterLab in the learner's own server"
    assert learner_a_worked["external"] == []


def test_learner_work_is_saved_in_their_own_home_readable_by_them_alone(learner_a_worked):
    """Is the answer and the reflection in the learner's record, in their home, which only they can open?"""
    account = learner_a_worked["account"]
    saved = record_of(account)
    assert saved["activities"][REFLECTION_ID]["text"] == WRITTEN
    answers = saved["activities"][CHECK_ID]["answers"]
    assert [a["selected"] for a in answers.values()] == [[learner_a_worked["chosen"]]]
    uid, _ = account.ids
    for path in (account.home, account.home / RECORD_DIR, account.home / RECORD_DIR / "learner-record.json"):
        assert path.stat().st_uid == uid, path
        assert path.stat().st_mode & 0o077 == 0, f"{path} is open to others: {oct(path.stat().st_mode)}"


def test_learner_finds_their_work_after_signing_out_and_in(hub, browser, learner_a_worked):
    """After signing out and in again, does module 1 show the learner's answer and reflection?"""
    account = learner_a_worked["account"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, account)
        open_module(page, hub, account)
        expect(page.locator(".course-reflection textarea").first).to_have_value(WRITTEN)
        radio = page.locator(f".course-knowledge-check .course-question >> nth=0 >> "
                             f"input[type='radio'][value='{learner_a_worked['chosen']}']")
        expect(radio).to_be_checked()
    finally:
        context.close()


def test_another_learner_cannot_open_the_server_or_read_the_record(hub, browser, learner_a_worked):
    """Does learner B, signed in, get their own empty course, a refusal at A's server, and no
    way to read A's record file from their own account?"""
    a, b = learner_a_worked["account"], hub.accounts["learner_b"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, b)
        open_module(page, hub, b)
        expect(page.locator(".course-reflection textarea").first).to_have_value("")
        response = page.goto(f"{hub.url}/user/{a.name}/voila/render/{MODULE}")
        assert response.status == 403 or f"/user/{b.name}/" in page.url, (response.status, page.url)
        assert WRITTEN not in page.content()
    finally:
        context.close()
    record = a.home / RECORD_DIR / "learner-record.json"
    refused = b.run("cat", str(record))
    assert refused.returncode != 0 and "Permission denied" in refused.stderr
    listing = b.run("ls", str(a.home))
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    assert not (b.home / RECORD_DIR / "learner-record.json").exists() or \
        WRITTEN not in (b.home / RECORD_DIR / "learner-record.json").read_text()


def test_each_server_runs_in_its_own_memory_limit(hub, learner_a_worked):
    """Is the learner's server (and every kernel it started) in a memory cgroup with the hub's limit?"""
    from leadership_course.hub.limits import Limits

    limits = Limits()
    a = learner_a_worked["account"]
    assert limits.limit_of(a.name) == 1024 * 1024 * 1024
    pids = limits.pids_of(a.name)
    uid, _ = a.ids
    owners = {Path(f"/proc/{pid}").stat().st_uid for pid in pids if Path(f"/proc/{pid}").exists()}
    assert len(pids) >= 2 and owners == {uid}, (pids, owners)  # the server and its kernel(s)


def test_a_server_stopped_by_the_idle_culler_comes_back_with_the_work(hub, browser, learner_a_worked):
    """When jupyterhub-idle-culler stops an idle server, does the learner sign in again to the
    course home and find their reflection and answer?"""
    a = learner_a_worked["account"]
    assert hub.servers(a.name), "learner A's server should be running before the culler"
    culler = subprocess.Popen([str(HUB_BIN / "python"), "-m", "jupyterhub_idle_culler", f"--url={hub.url}/hub/api",
                               "--timeout=1", "--cull-every=2"], env={"JUPYTERHUB_API_TOKEN": hub.token,
                                                                       "PATH": "/usr/bin:/bin"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while hub.servers(a.name) and time.monotonic() < deadline:
            time.sleep(1)
        assert not hub.servers(a.name), "the culler did not stop the idle server"
    finally:
        culler.terminate()
        culler.wait(10)
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, a)
        open_module(page, hub, a)
        expect(page.locator(".course-reflection textarea").first).to_have_value(WRITTEN)
    finally:
        context.close()
    assert record_of(a)["activities"][REFLECTION_ID]["text"] == WRITTEN
