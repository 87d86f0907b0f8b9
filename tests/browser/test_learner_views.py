"""What a sighted learner sees, as a mouse, touch or phone learner would: the consequence of
a scenario choice in view with the new step, a plan's second save heard, and the
downloaded journal readable on a phone."""

from __future__ import annotations

import base64
import pytest
from playwright.sync_api import expect

from browser_helpers import RENDER_TIMEOUT_MS, wait_for_widgets

ANSWER_TIMEOUT_MS = 15_000

#: (width, height) of a laptop screen and of a small phone.
SCREENS = [(1366, 768), (320, 640)]


def first_choice(scenario_id):
    """(choice text, consequence, whether it leads to a step) of the first choice at the start."""
    from browser_helpers import MODULES_DIR
    from leadership_course.components.scenario import ScenarioWalk
    from leadership_course.content import load_activity

    scenario = load_activity(scenario_id, "scenario", content_dir=MODULES_DIR / "content")
    walk = ScenarioWalk(scenario)
    choice = walk.nodes[scenario["start"]]["choices"][0]
    place, _ = walk.choose(scenario["start"], dict(scenario.get("state") or {}), 0)
    return choice["text"], choice["consequence"], place in walk.nodes


@pytest.fixture
def record_put_back(voila_server):
    """The session's record, put back as it was after the test (other tests share it)."""
    from leadership_course.record import RECORD_FILE

    path = voila_server.record_dir / RECORD_FILE
    before = path.read_bytes() if path.exists() else None
    yield voila_server.record_dir
    if before is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(before)


@pytest.mark.parametrize("width,height", SCREENS, ids=["1366x768", "320x640"])
def test_the_consequence_of_a_choice_stays_in_view_with_the_new_step(record_put_back, open_course_page, width,
                                                                   height):
    """After a choice clicked with the mouse, is the "What happens next" box on screen (its
    top in view, not scrolled above it), with the new step's heading just below it and
    focused, and does the screen reader still hear the consequence and then the new step?"""
    text, consequence, to_step = first_choice("busy-shift-scenario")
    assert to_step, "this test needs a first choice that leads to a step, not an ending"
    page = open_course_page("01_why_compassion.ipynb")
    page.set_viewport_size({"width": width, "height": height})
    box = page.locator(".course-scenario")
    heading = box.locator(".course-focusable-html h4").first
    if heading.inner_text() != "Step 1":  # another test left the shared record part way
        box.get_by_role("button", name="Restart").click()
        expect(heading).to_have_text("Step 1", timeout=ANSWER_TIMEOUT_MS)
    box.get_by_role("button", name=" ".join(text.split()), exact=True).click()
    expect(heading).to_have_text("Step 2", timeout=ANSWER_TIMEOUT_MS)
    status = box.locator("[role='status'].course-feedback")
    expect(status).to_contain_text("What happens next")
    expect(status).to_contain_text(" ".join(consequence.split()[:6]))
    announcer = box.locator("[role='status'].course-unseen")
    expect(announcer).to_contain_text("Step 2.")
    page.wait_for_function("element => element === document.activeElement", arg=heading.element_handle(),
                           timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(300)  # the scroll follows the focus message
    where = status.evaluate("""element => {
        const box = element.getBoundingClientRect();
        const label = element.querySelector('strong').getBoundingClientRect();
        return { top: box.top, labelBottom: label.bottom, height: window.innerHeight };
    }""")
    assert 0 <= where["top"] and where["labelBottom"] <= where["height"], (
        f"at {width}x{height} the consequence box is not in view: {where}")
    below = heading.bounding_box()
    status_box = status.bounding_box()
    assert below["y"] >= status_box["y"] + status_box["height"] - 1, "the new step must follow the consequence"
    if height >= 768:  # on a laptop both show at once
        assert below["y"] + below["height"] <= height, f"the step's heading is below the screen: {below}"


def test_a_second_save_my_plan_in_the_same_minute_changes_the_status(record_put_back, open_course_page):
    """Does a second "Save my plan" change the role="status" region's words, so that a
    screen reader announces it?"""
    page = open_course_page("09_sustaining_yourself.ipynb")
    card = page.locator(".course-plan")
    status = card.locator("[role='status']")
    card.locator("textarea").first.fill("Overrunning ward rounds.")
    save = card.get_by_role("button", name="Save my plan")
    save.click()
    expect(status).to_contain_text("Your plan was saved at", timeout=ANSWER_TIMEOUT_MS)
    first = status.inner_text()
    save.click()
    expect(status).not_to_have_text(first, timeout=ANSWER_TIMEOUT_MS)
    assert "saved" in status.inner_text()


def test_the_downloaded_journal_reads_on_a_320_px_phone(record_put_back, open_course_page, browser):
    """Does the journal downloaded from the course home lay out at the phone's width (no
    sideways scroll) with its text at 16 CSS px or more as shown, with a long unbroken word
    in a reflection and a self-check's chart?"""
    from leadership_course.record import LearnerRecord

    LearnerRecord(record_put_back).update("module-1-reflection", {
        "type": "reflection", "title": "Reflection", "module": 1, "prompt": "What gets in the way?",
        "text": "See https://www.england.nhs.uk/a-very-long-address-with-no-spaces-at-all-in-it/",
        "saved_at": "2026-12-04T10:42:00", "completed": True})
    LearnerRecord(record_put_back).update("compassion-self-check", {
        "type": "self_check", "title": "Self-check", "module": 1, "scores": {"listening": 1.67, "helping": 5.0},
        "labels": {"listening": "Listening with fascination", "helping": "Helping"}, "scale_top": 5,
        "completed": True})
    page = open_course_page("course_home.ipynb")
    link = page.get_by_role("link", name="Download my journal (web page)")
    href = link.get_attribute("href")
    journal = base64.b64decode(href.split("base64,", 1)[1]).decode("utf-8")
    assert "a-very-long-address" in journal and "class='chart' role='img'" in journal

    phone = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True,
                                device_scale_factor=2, locale="en-GB")
    try:
        view = phone.new_page()
        view.set_content(journal, timeout=RENDER_TIMEOUT_MS)
        measured = view.evaluate("""() => {
            const root = document.documentElement;
            const scale = window.visualViewport.scale;
            const sizes = [...document.querySelectorAll('body *')]
              .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
              .map((e) => parseFloat(getComputedStyle(e).fontSize) * scale);
            return { layoutWidth: root.clientWidth, scrollWidth: root.scrollWidth, scale,
                     smallest: Math.min(...sizes) };
        }""")
    finally:
        phone.close()
    assert measured["layoutWidth"] <= 320, f"the journal lays out wider than the phone: {measured}"
    assert measured["scrollWidth"] <= measured["layoutWidth"], f"the journal scrolls sideways: {measured}"
    assert measured["smallest"] >= 16, f"text smaller than 16 CSS px as shown: {measured}"


def test_further_reading_links_are_named_by_title_and_fit_a_320_px_screen(open_course_page):
    """On a 320 px screen, is every link of module 1's text within the screen (a long
    address wraps, not cut off), and is each further-reading link named by its reference's
    title rather than read out as a bare address?"""
    page = open_course_page("01_why_compassion.ipynb")
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(300)
    links = page.evaluate("""() => [...document.querySelectorAll('#rendered_cells a[href]')]
        .filter((a) => a.getClientRects().length)
        .map((a) => ({ name: a.textContent.trim(), href: a.getAttribute('href'),
                       right: Math.max(...[...a.getClientRects()].map((r) => r.right)) }))""")
    reading = page.locator("h2", has_text="Further reading").locator("xpath=following-sibling::ul[1]//a")
    assert reading.count() >= 2
    for index in range(reading.count()):
        name = reading.nth(index).inner_text().strip()
        assert not name.startswith("http") and len(name) > 10, f"a further-reading link is named {name!r}"
    wide = [link for link in links if link["right"] > 320 + 0.5]
    assert not wide, f"links run off a 320 px screen: {wide}"


def test_a_returning_learners_home_leads_with_continue_to_the_next_module(record_put_back, open_course_page):
    """With modules 3 and 4 done (and nothing else), does the course home at 1366x768 show
    "Continue where you left off" first, under the page's heading and above the fold, with
    a link to module 5, and no "New here? Start with Module 0"?"""
    from browser_helpers import MODULES_DIR
    from leadership_course.content import load_course
    from leadership_course.record import RECORD_FILE, LearnerRecord

    course = load_course(MODULES_DIR / "content")
    modules = {module["number"]: module for module in course["modules"]}
    (record_put_back / RECORD_FILE).unlink(missing_ok=True)
    record = LearnerRecord(record_put_back)
    for number in (3, 4):
        for activity in modules[number]["activities"]:
            record.update(activity, {"completed": True, "updated": "2026-12-01T09:00:00+00:00"})
    page = open_course_page("course_home.ipynb")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.evaluate("() => window.scrollTo(0, 0)")
    resume = page.locator(".course-resume")
    expect(resume).to_have_count(1)
    expect(resume).to_contain_text("Continue where you left off")
    link = resume.get_by_role("link")
    assert link.get_attribute("href").split("#")[0] == modules[5]["notebook"]
    box = resume.bounding_box()
    assert box["y"] + box["height"] <= 768, f"'Continue where you left off' is below the fold: {box}"
    first_after_heading = page.evaluate("""() => {
        const h1 = document.querySelector('#rendered_cells h1');
        return h1.nextElementSibling && h1.nextElementSibling.textContent.trim().slice(0, 40);
    }""")
    assert first_after_heading.startswith("Continue where you left off"), first_after_heading
    expect(page.get_by_text("New here?")).to_be_hidden()
