"""The workshop pulse in a real Voila (started by ``workshop start``) and a real Chromium.

One server and one host page serve the whole module; the tests run in order, as a
workshop would: the host signs in (a wrong passcode first), participants answer by
keyboard in separate browser contexts, and the host refreshes the results.
"""

import base64
import re

import pytest
from playwright.sync_api import expect

from browser_helpers import Keys, axe_violations, new_course_page, wait_for_widgets
from leadership_course.workshop.store import WorkshopStore

from workshop_helpers import BROWSER_THRESHOLD, BROWSER_WORKSHOP, PASSCODE

ANSWER_TIMEOUT_MS = 20_000
ITEMS = 5
#: Every page the tests opened: (name, PageLog).
LOGS = []


def open_page(browser, url, name):
    context, page = new_course_page(browser)
    page.goto(url)
    wait_for_widgets(page)
    LOGS.append((name, page.course_log))
    return context, page


def no_violations(page, when):
    violations = axe_violations(page)
    assert not violations, f"axe, {when}:\n" + "\n".join(violations)


def answer_by_keyboard(page, option, press_twice=False):
    """Answer every item with ``option`` using Tab, arrows, Space and Enter only."""
    keys = Keys(page)
    groups = page.locator(".course-pulse fieldset.course-choice-group")
    expect(groups).to_have_count(ITEMS)
    for number in range(ITEMS):
        radios = groups.nth(number).locator("input[type='radio']")
        keys.tab_to(radios.first)
        if option == 0:
            keys.press("Space")
        for _ in range(option):
            keys.press("ArrowDown")
        expect(radios.nth(option)).to_be_checked()
    keys.tab_to(page.get_by_role("button", name="Send my answers"))
    keys.press("Enter")
    if press_twice:  # a second press before the kernel has answered
        keys.press("Enter")
    expect(page.locator(".course-pulse [role='status']")).to_contain_text("Thank you", timeout=ANSWER_TIMEOUT_MS)
    expect(groups.first.locator("input").first).to_be_disabled()
    expect(page.get_by_role("button", name="Send my answers")).to_be_hidden()
    assert not keys.focus_lost, "the focus fell back to <body> after sending"


@pytest.fixture(scope="module")
def host(browser, workshop_server):
    context, page = open_page(browser, workshop_server.url("results.ipynb", workshop_server.code), "results")
    yield page
    context.close()


def status_of(page):
    return page.locator(".course-results [role='status']")


def refresh(host):
    keys = Keys(host)
    keys.tab_to(host.get_by_role("button", name="Refresh"))
    keys.press("Enter")


def test_the_server_prints_both_links(workshop_server):
    """Does ``workshop start`` print the participants' link and the host's link?"""
    out = "\n".join(workshop_server.output)
    code = workshop_server.code
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    assert f"Participants open:  http://127.0.0.1:{workshop_server.port}/voila/render/pulse.ipynb?workshop={code}" in out
    assert f"Results (host):     http://127.0.0.1:{workshop_server.port}/voila/render/results.ipynb?workshop={code}" in out


def test_a_wrong_passcode_is_refused_then_the_right_one_works(host):
    """With the keyboard: is a wrong passcode refused plainly, and does the right one show
    the count with the results still hidden?"""
    no_violations(host, "results page, signing in")
    keys = Keys(host)
    expect(host.get_by_label("Workshop code")).to_have_value(re.compile(r"[A-Z2-9]{6}"))
    passcode = host.get_by_label("Host passcode")
    keys.tab_to(passcode)
    host.keyboard.type("not-the-passcode")
    keys.press("Enter")
    expect(status_of(host)).to_contain_text("That passcode is not right", timeout=ANSWER_TIMEOUT_MS)
    expect(host.get_by_role("button", name="Refresh")).to_be_hidden()
    expect(passcode).to_have_value("")
    keys.tab_to(passcode)
    host.keyboard.type(PASSCODE)
    keys.press("Enter")
    expect(status_of(host)).to_contain_text("Signed in", timeout=ANSWER_TIMEOUT_MS)
    expect(host.get_by_role("heading", name=BROWSER_WORKSHOP)).to_be_focused()
    expect(host.locator(".course-results")).to_contain_text("Answers so far: 0")
    assert host.locator(".course-results img").count() == 0
    no_violations(host, "results page, signed in, nothing to show")


def test_participants_answer_by_keyboard_and_results_stay_hidden(browser, workshop_server, host):
    """Can two participants (separate browsers) answer with the keyboard alone, and do the
    results stay hidden below the threshold?"""
    url = workshop_server.url("pulse.ipynb", workshop_server.code)
    context, first = open_page(browser, url, "pulse 1")
    expect(first.locator(".course-pulse")).to_contain_text("reflective pulse")
    no_violations(first, "pulse page")
    answer_by_keyboard(first, 0, press_twice=True)
    no_violations(first, "pulse page, after sending")
    context.close()
    context, second = open_page(browser, url, "pulse 2")
    answer_by_keyboard(second, 1)
    context.close()
    refresh(host)
    expect(status_of(host)).to_contain_text("Answers so far: 2", timeout=ANSWER_TIMEOUT_MS)
    expect(host.locator(".course-results")).to_contain_text(f"at least {BROWSER_THRESHOLD} people")
    assert host.locator(".course-results img").count() == 0
    assert host.locator(".course-results table").count() == 0


def test_a_participant_without_the_link_types_the_code(browser, workshop_server, host):
    """Without ?workshop= in the link, can a participant type the code (Enter to join), and
    does the third answer make the results appear, with alt text and tables?"""
    context, page = open_page(browser, workshop_server.url("pulse.ipynb"), "pulse 3, typed code")
    no_violations(page, "pulse page asking for the code")
    keys = Keys(page)
    box = page.get_by_label("Workshop code")
    keys.tab_to(box)
    page.keyboard.type(workshop_server.code.lower())
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Core needs and speaking up")).to_be_focused(timeout=ANSWER_TIMEOUT_MS)
    answer_by_keyboard(page, 2)
    context.close()

    refresh(host)
    expect(status_of(host)).to_contain_text("The results combine 3 answers", timeout=ANSWER_TIMEOUT_MS)
    images = host.locator(".course-results img")
    expect(images).to_have_count(ITEMS)
    alt = images.first.get_attribute("alt")
    assert alt.startswith("Bar chart, Autonomy: how many of 3 people chose each answer")
    assert "Not at all: 1; A little: 1; Somewhat: 1; Mostly: 0; Completely: 0." in alt
    expect(host.locator(".course-results table")).to_have_count(ITEMS)
    assert images.first.evaluate("img => img.complete && img.naturalWidth > 0")
    link = host.get_by_role("link", name="Combined counts (CSV, for a spreadsheet)")
    csv_text = base64.b64decode(link.get_attribute("href").split(",", 1)[1]).decode("utf-8")
    assert csv_text.startswith("workshop,item_number,item_id") and csv_text.count("\n") == 1 + 25
    no_violations(host, "results page with charts")


def test_answers_went_to_this_workshop_only(workshop_server):
    store = WorkshopStore(workshop_server.store_dir)
    assert store.responses(workshop_server.code) == 3  # the double Enter counted once
    assert store.responses(workshop_server.other_code) == 0


def test_the_landing_page_is_accessible(browser, workshop_server):
    context, page = open_page(browser, workshop_server.url("course_home.ipynb"), "landing page")
    expect(page.get_by_role("link", name="open the pulse")).to_have_attribute("href", "pulse.ipynb")
    no_violations(page, "landing page")
    context.close()


def test_no_request_left_the_machine_and_no_console_errors(host):
    """Did every page ask only 127.0.0.1 (or data: URLs), and report no console error?"""
    assert len(LOGS) >= 5
    for name, log in LOGS:
        assert log.external_requests == [], f"{name}: {log.external_requests}"
        assert log.console_errors == [], f"{name}: {log.console_errors}"
        assert log.failed_requests == [], f"{name}: {log.failed_requests}"
