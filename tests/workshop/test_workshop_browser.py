"""The pulse pages in a real Chromium, on the server ``workshop start`` runs.

The tests run in order, as a workshop would: the host signs in by keyboard (a wrong
passcode first); participants on a 320 px phone answer by touch, by keyboard and with
scripts turned off; the host shows the results on the room's screen and hides a word.
axe-core checks every page; no page asks any host but 127.0.0.1.
"""

import re

import pytest
from playwright.sync_api import expect

from browser_helpers import Keys, PageLog, axe_violations
from leadership_course.workshop.store import WorkshopStore

from workshop_helpers import BROWSER_THRESHOLD, BROWSER_WORKSHOP, PASSCODE

PHONE = {"viewport": {"width": 320, "height": 640}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2, "locale": "en-GB"}
CHOICE_ITEMS = 5
#: Every page the tests opened: (name, PageLog).
LOGS = []
#: The browser reports these answers as errors; the tests cause them on purpose: a form
#: sent with gaps (400), a wrong passcode (403), a code that is no workshop's (404).
EXPECTED_ERROR = re.compile(r"status of (400|403|404) \(.*\) \[http://127\.0\.0\.1:\d+/pulse(/[A-Z0-9]{6}(/host)?|\?code=nonsense)\]$")


def open_page(browser, url, name, **settings):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", **settings})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log = PageLog().attach(page)
    LOGS.append((name, log))
    page.goto(url)
    return context, page


def no_violations(page, when):
    violations = axe_violations(page)
    assert not violations, f"axe, {when}:\n" + "\n".join(violations)


def fits_the_phone(page):
    """No sideways scrolling at 320 px, and every answer a target at least 44 px high."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    heights = page.locator(".option").evaluate_all("rows => rows.map(row => row.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights


@pytest.fixture(scope="module")
def host(browser, workshop_server):
    context, page = open_page(browser, workshop_server.url(f"/{workshop_server.code}/host"), "host")
    yield page
    context.close()


def test_the_host_signs_in_by_keyboard_after_a_wrong_passcode(host):
    no_violations(host, "host sign-in")
    keys = Keys(host)
    keys.tab_to(host.get_by_label("Host passcode"))
    host.keyboard.type("not-the-passcode")
    keys.press("Enter")
    expect(host.locator(".error-summary")).to_contain_text("That passcode is not right")
    no_violations(host, "host sign-in, wrong passcode")
    keys.tab_to(host.get_by_label("Host passcode"))
    host.keyboard.type(PASSCODE)
    keys.press("Enter")
    expect(host.get_by_role("heading", name=BROWSER_WORKSHOP, exact=True)).to_be_visible()
    expect(host.get_by_role("status")).to_contain_text("Signed in")
    expect(host.locator("main")).to_contain_text("Answers so far: 0")
    expect(host.locator(".qr svg")).to_be_visible()
    expect(host.locator(".code-big")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
    expect(host.locator("main")).to_contain_text(f"/pulse/{host.locator('.code-big').inner_text()}")
    no_violations(host, "host page, nothing to show yet")


def test_a_phone_answers_by_touch(browser, workshop_server):
    """On a 320 px phone, by tapping: every answer, the one word, Send; then thanks."""
    context, phone = open_page(browser, workshop_server.url(f"/{workshop_server.code}"), "phone, touch", **PHONE)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Core needs and speaking up")
    fits_the_phone(phone)
    no_violations(phone, "pulse form on a phone")
    phone.get_by_role("button", name="Send my answers").tap()  # nothing chosen yet
    expect(phone.locator(".error-summary")).to_be_focused()
    no_violations(phone, "pulse form with problems")
    for group in range(CHOICE_ITEMS):
        phone.locator("fieldset").nth(group).locator("label").nth(0).tap()
    phone.get_by_label(re.compile("One word for how your team feels")).tap()
    phone.keyboard.type("Hopeful")
    phone.get_by_role("button", name="Send my answers").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you: your answers are in")
    no_violations(phone, "thanks page on a phone")
    context.close()


def test_a_phone_answers_by_keyboard(browser, workshop_server):
    """Tab to each group, arrows to choose, type the word, Enter to send (twice)."""
    context, phone = open_page(browser, workshop_server.url(f"/{workshop_server.code}"), "phone, keyboard", **PHONE)
    keys = Keys(phone)
    groups = phone.locator("fieldset")
    for group in range(CHOICE_ITEMS):
        radios = groups.nth(group).locator("input[type='radio']")
        keys.tab_to(radios.first)
        keys.press("ArrowDown")
        expect(radios.nth(1)).to_be_checked()
    keys.tab_to(phone.get_by_label(re.compile("One word for how your team feels")))
    phone.keyboard.type("hopeful")
    keys.tab_to(phone.get_by_role("button", name="Send my answers"))
    keys.press("Enter")
    keys.press("Enter")  # a second press while sending: the page's script holds it back
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you: your answers are in")
    context.close()


def test_a_phone_with_scripts_turned_off_answers_and_joins_by_code(browser, workshop_server):
    """With JavaScript off: join by typing the code, answer, send; the thanks page follows."""
    context, phone = open_page(browser, workshop_server.url(), "phone, no scripts", java_script_enabled=False, **PHONE)
    phone.get_by_label("Workshop code").fill(workshop_server.code.lower())
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Core needs and speaking up")
    fits_the_phone(phone)
    for group in range(CHOICE_ITEMS):
        phone.locator("fieldset").nth(group).locator("label").nth(2).click()
    phone.get_by_label(re.compile("One word for how your team feels")).fill("hopeful")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you: your answers are in")
    context.close()
    assert WorkshopStore(workshop_server.store_dir).responses(workshop_server.code) == 3
    assert WorkshopStore(workshop_server.store_dir).responses(workshop_server.other_code) == 0


def test_the_join_page_is_accessible(browser, workshop_server):
    context, page = open_page(browser, workshop_server.url(), "join page", **PHONE)
    no_violations(page, "join page")
    page.get_by_label("Workshop code").fill("nonsense")
    page.get_by_role("button", name="Join").tap()
    expect(page.locator(".error-summary")).to_contain_text("is not a workshop code")
    no_violations(page, "join page, wrong code")
    context.close()


def test_the_host_shows_results_on_the_screen_and_hides_a_word(browser, workshop_server, host):
    """Three answers (the threshold): the host sees tables and the word; the screen shows
    nothing until the host shows it; a hidden word leaves the screen."""
    assert BROWSER_THRESHOLD == 3
    host.reload()
    expect(host.locator("main")).to_contain_text("Answers so far: 3")
    expect(host.locator("table").first).to_contain_text("Not at all")
    expect(host.locator("main")).to_contain_text("hopeful")
    no_violations(host, "host page with results")
    screen_context = host.context
    screen = screen_context.new_page()
    LOGS.append(("screen", PageLog().attach(screen)))
    screen.goto(workshop_server.url(f"/{workshop_server.code}/screen"))
    expect(screen.locator("main")).to_contain_text("appear here when your host shows them")
    expect(screen.locator(".code-big")).to_have_text(workshop_server.code)
    assert screen.locator("table").count() == 0
    no_violations(screen, "the room's screen, before results")
    keys = Keys(host)
    keys.tab_to(host.get_by_role("button", name="Show the latest results on the screen"))
    keys.press("Enter")
    expect(host.get_by_role("status")).to_contain_text("The screen now shows the latest results")
    screen.reload()
    expect(screen.locator("main")).to_contain_text("The combined answers of 3 people")
    expect(screen.locator("table")).to_have_count(CHOICE_ITEMS)
    expect(screen.locator("ul.words")).to_contain_text("hopeful (3 people)")
    assert screen.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    no_violations(screen, "the room's screen, with results")
    host.get_by_role("button", name="Hide “hopeful”").click()
    expect(host.get_by_role("status")).to_contain_text("The word is hidden")
    screen.reload()
    expect(screen.locator("main")).not_to_contain_text("hopeful")
    screen.close()


def test_the_closed_pulse_and_an_unknown_workshop_say_so_accessibly(browser, workshop_server, host):
    """With the pulse closed, does the phone's page say so (no form), and does a code that is
    no workshop's give a plain page? Both axe-clean."""
    host.get_by_role("button", name="Close the pulse").click()
    expect(host.get_by_role("status")).to_contain_text("The pulse is closed")
    context, phone = open_page(browser, workshop_server.url(f"/{workshop_server.code}"), "phone, closed", **PHONE)
    expect(phone.get_by_role("status")).to_contain_text("The pulse is not open at the moment")
    assert phone.locator("form").count() == 0
    no_violations(phone, "pulse page, closed")
    phone.goto(workshop_server.url("/ZZZZZZ"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Workshop not found")
    no_violations(phone, "unknown workshop")
    context.close()
    host.get_by_role("button", name="Open the pulse").click()
    expect(host.get_by_role("status")).to_contain_text("The pulse is open")


#: Where the banner's words and the content column begin and end, from their boxes: the banner's
#: text (a range over it) and its paragraph's content box; the main column's content box.
COLUMN_EDGES = """() => {
  const bar = document.querySelector("header.bar p"), main = document.querySelector("main");
  const inner = element => {
    const box = element.getBoundingClientRect(), style = getComputedStyle(element);
    return [box.left + parseFloat(style.paddingLeft), box.right - parseFloat(style.paddingRight)];
  };
  const words = document.createRange();
  words.selectNodeContents(bar);
  return {words: words.getBoundingClientRect().left, banner: inner(bar), column: inner(main),
          heading: document.querySelector("main h1").getBoundingClientRect().left};
}"""


@pytest.mark.parametrize("width", [320, 1280])
def test_the_banner_lines_up_with_the_content_column(browser, workshop_server, host, width):
    """On every kind of pulse page (join, form, thanks, host sign-in, host, the room's screen),
    at 320 and 1280 px: do the banner's words start where the page's heading and column start,
    and does the banner's column end where the content's does (within 1 px)?"""
    code = workshop_server.code
    phone = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    pages = [(phone.new_page(), name, path) for name, path in (
        ("join", ""), ("form", f"/{code}"), ("thanks", f"/{code}/sent"), ("host sign-in", f"/{code}/host"))]
    host.set_viewport_size({"width": width, "height": 800})
    screen = host.context.new_page()
    screen.set_viewport_size({"width": width, "height": 800})
    pages += [(host, "host", f"/{code}/host"), (screen, "screen", f"/{code}/screen")]
    try:
        for page, name, path in pages:
            page.goto(workshop_server.url(path))
            edges = page.evaluate(COLUMN_EDGES)
            where = f"{name} at {width} px: {edges}"
            assert abs(edges["words"] - edges["column"][0]) <= 1 and abs(edges["heading"] - edges["column"][0]) <= 1, where
            assert abs(edges["banner"][0] - edges["column"][0]) <= 1, where
            assert abs(edges["banner"][1] - edges["column"][1]) <= 1, where
    finally:
        screen.close()
        phone.close()
        host.set_viewport_size({"width": 1280, "height": 900})


def test_no_request_left_the_machine_and_no_console_errors(host):
    assert len(LOGS) >= 6
    for name, log in LOGS:
        assert log.requests, name
        assert log.external_requests == [], f"{name}: {log.external_requests}"
        errors = [error for error in log.console_errors if not EXPECTED_ERROR.search(error)]
        assert errors == [], f"{name}: {errors}"
        assert log.failed_requests == [], f"{name}: {log.failed_requests}"
