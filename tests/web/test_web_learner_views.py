"""The web edition shows what the Voila course shows a sighted learner (as
tests/browser/test_learner_views.py checks there): the consequence of a scenario choice in
view with the new step, a plan's second save heard, a reflection's saves in new words,
further reading named by title and within a 320 px screen, and a returning learner's home
leading with "Continue where you left off" to the next unfinished module."""

import json
import re

import pytest
from playwright.sync_api import expect

from leadership_course.components.scenario import ScenarioWalk
from leadership_course.content import load_activity, load_course

STORAGE_KEY = "compassionate-leadership-record"


@pytest.mark.parametrize("width,height", [(1366, 768), (320, 640)], ids=["1366x768", "320x640"])
def test_the_consequence_of_a_choice_stays_in_view_with_the_new_step(web_site, web_page, width, height):
    """After a choice clicked with the mouse, is the "What happens next" box on screen, with
    the new step's heading below it and focused, and the new step still announced?"""
    scenario = load_activity("busy-shift-scenario", "scenario")
    walk = ScenarioWalk(scenario)
    choice = walk.nodes[scenario["start"]]["choices"][0]
    assert walk.choose(scenario["start"], dict(scenario.get("state") or {}), 0)[0] in walk.nodes
    page = web_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto(web_site.url("01_why_compassion.html"))
    box = page.locator(".course-scenario")
    heading = box.locator(".course-focusable-html h4").first
    box.get_by_role("button", name=" ".join(choice["text"].split()), exact=True).click()
    expect(heading).to_have_text("Step 2")
    status = box.locator("[role='status'].course-feedback")
    expect(status).to_contain_text("What happens next")
    expect(box.locator("[role='status'].course-unseen")).to_contain_text("Step 2.")
    expect(heading).to_be_focused()
    where = status.evaluate("""element => ({ top: element.getBoundingClientRect().top,
        labelBottom: element.querySelector('strong').getBoundingClientRect().bottom, height: window.innerHeight })""")
    assert 0 <= where["top"] and where["labelBottom"] <= where["height"], f"the consequence is not in view: {where}"
    below, above = heading.bounding_box(), status.bounding_box()
    assert below["y"] >= above["y"] + above["height"] - 1, "the new step must follow the consequence"
    if height >= 768:
        assert below["y"] + below["height"] <= height, f"the step's heading is below the screen: {below}"


def said_anew(status, act, again):
    """Do ``act`` and check the region's words change: "... again at" in the same minute
    (the clock may turn between the two saves, and then the time alone is new)."""
    before = status.inner_text()
    act()
    expect(status).not_to_have_text(before)
    after = status.inner_text()
    assert after.startswith(again) or after[-6:] != before[-6:], (before, after)


def test_saves_of_a_plan_and_a_reflection_each_say_something_new(web_site, web_page):
    """Does a second "Save my plan" in the same minute change the role="status" region's
    words, and a cut part say so; and does a reflection say "Saved automatically" on leaving the box, then "Saved
    at" on Save, then "Saved again at", as the Voila reflection does?"""
    page = web_page
    page.goto(web_site.url("09_sustaining_yourself.html"))
    card = page.locator(".course-plan")
    status = card.locator("[role='status']")
    card.locator("textarea").first.fill("Overrunning ward rounds.")
    save = card.get_by_role("button", name="Save my plan")
    save.click()
    expect(status).to_have_text(re.compile(r"^Your plan was saved at \d\d:\d\d\.$"))
    said_anew(status, lambda: save.click(), "Your plan was saved again at")
    card.locator("textarea").nth(1).fill("x" * 20_001)  # as plan.py says it
    save.click()
    expect(status).to_contain_text("In part 2, only the first 20,000 characters were kept.")

    reflection = page.locator(".course-reflection").first
    said = reflection.locator("[role='status']")
    reflection.locator("textarea").fill("Time with my team.")
    reflection.locator("textarea").press("Tab")
    expect(said).to_have_text(re.compile(r"^Saved automatically at \d\d:\d\d\.$"))
    reflection.get_by_role("button", name="Save", exact=True).click()
    expect(said).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))
    said_anew(said, lambda: reflection.get_by_role("button", name="Save", exact=True).click(), "Saved again at")


def test_links_are_named_by_title_and_fit_a_320_px_screen(web_site, web_page):
    """On a 320 px screen, is every visible link of module 1 within the screen, is each
    further-reading link named by its reference rather than its bare address, and is each
    evidence link at a scenario's ending named by its reference too?"""
    page = web_page
    page.set_viewport_size({"width": 320, "height": 640})
    scenario = load_activity("busy-shift-scenario", "scenario")
    walk = ScenarioWalk(scenario)
    path, place, state = [], scenario["start"], dict(scenario.get("state") or {})
    while place in walk.nodes:  # the first open choice each time, to an ending
        choice = walk.open_choices(place, state)[0]
        path.append({"node": place, "choice": choice, "text": walk.nodes[place]["choices"][choice]["text"]})
        place, state = walk.choose(place, state, choice)
    page.goto(web_site.url("glossary.html"))
    page.evaluate("([key, text]) => localStorage.setItem(key, text)", [STORAGE_KEY, json.dumps({
        "version": 1, "set_aside": [], "pages_opened": {}, "activities": {"busy-shift-scenario": {
            "type": "scenario", "title": scenario["title"], "module": 1, "path": path, "place": place,
            "state": state, "runs": [], "updated": "2026-12-04T10:00:00+00:00"}}})])
    page.goto(web_site.url("01_why_compassion.html"))
    evidence = page.locator(".course-scenario .course-focusable-html").locator(
        "xpath=.//h4[normalize-space()='Evidence']/following-sibling::ul[1]//a")
    assert evidence.count() >= 1
    reading = page.locator("h2", has_text="Further reading").locator("xpath=following-sibling::ul[1]//a")
    assert reading.count() >= 2
    for links in (evidence, reading):
        for index in range(links.count()):
            name = links.nth(index).inner_text().strip()
            assert not name.startswith("http") and len(name) > 10, f"a link is named {name!r}"
    wide = page.evaluate("""() => [...document.querySelectorAll('#main a[href]')]
        .filter((a) => a.getClientRects().length)
        .filter((a) => Math.max(...[...a.getClientRects()].map((r) => r.right)) > 320.5).map((a) => a.href)""")
    assert not wide, f"links run off a 320 px screen: {wide}"


def test_a_returning_learners_home_leads_with_continue_to_the_next_module(web_site, web_page, axe):
    """With modules 3 and 4 done (and nothing else), does the course home at 1366x768 show
    "Continue where you left off" first, under the page's heading and above the fold, with
    a link to module 5, and no "New here? Start with Module 0"; and does a new learner
    still see "New here?"?"""
    modules = {module["number"]: module for module in load_course()["modules"]}
    done = {activity: {"completed": True, "updated": "2026-12-01T09:00:00+00:00"}
            for number in (3, 4) for activity in modules[number]["activities"]}
    page = web_page
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(web_site.url("course_home.html"))
    expect(page.get_by_text("New here?")).to_be_visible()
    expect(page.locator(".course-resume")).to_contain_text("Start the course")
    page.evaluate("([key, text]) => localStorage.setItem(key, text)", [STORAGE_KEY, json.dumps(
        {"version": 1, "set_aside": [], "pages_opened": {}, "activities": done})])
    page.goto(web_site.url("course_home.html"))
    resume = page.locator(".course-resume")
    expect(resume).to_have_count(1)
    expect(resume).to_contain_text("Continue where you left off")
    link = resume.get_by_role("link")
    assert link.get_attribute("href").split("#")[0] == modules[5]["notebook"].replace(".ipynb", ".html")
    box = resume.bounding_box()
    assert box["y"] + box["height"] <= 768, f"'Continue where you left off' is below the fold: {box}"
    after = page.evaluate("() => document.querySelector('#main h1').nextElementSibling.textContent.trim().slice(0, 40)")
    assert after.startswith("Continue where you left off"), after
    expect(page.get_by_text("New here?")).to_be_hidden()
    problems = axe(page)
    assert not problems, "axe, on a returning learner's home:\n" + "\n".join(problems)


def test_feedback_on_an_option_that_ends_with_a_full_stop_has_no_second_one(web_site, web_page):
    """Does "You chose" read "…performance. " and not "…performance.." for an option that is a
    sentence, as the Voila knowledge check does?"""
    check = load_activity("four-behaviours-check", "knowledge_check")
    number, question = next((n, q) for n, q in enumerate(check["questions"])
                            if any(o["text"].rstrip().endswith(".") for o in q["options"]))
    option = next(i for i, o in enumerate(question["options"]) if o["text"].rstrip().endswith("."))
    page = web_page
    page.goto(web_site.url("01_why_compassion.html"))
    view = page.locator(".course-knowledge-check .course-question").nth(number)
    view.locator(f"input[value='{option}']").check()
    view.get_by_role("button", name="Check answer").click()
    feedback = view.locator("[role='status']")
    expect(feedback).to_contain_text("You chose")
    text = " ".join(feedback.inner_text().split())
    assert question["options"][option]["text"].rstrip() + " " in text and ".." not in text, text
