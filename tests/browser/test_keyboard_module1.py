"""Module 1 with the keyboard only: Tab, Shift+Tab, Space, Enter and arrow keys, no mouse.

What to press comes from the content files (the same ones the page is built from), so the
tests follow the content when an author edits it.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from browser_helpers import MODULES_DIR

NOTEBOOK = "01_why_compassion.ipynb"
CHECK_ID = "four-behaviours-check"
SCENARIO_ID = "busy-shift-scenario"
ANSWER_TIMEOUT_MS = 15_000


def activity(activity_id, kind):
    from leadership_course.content import load_activity

    return load_activity(activity_id, kind, content_dir=MODULES_DIR / "content")


def words(markdown_text, count=8):
    """The first few words of a piece of content, as they read on the page."""
    plain = re.sub(r"[*_`#>\[\]]", "", markdown_text)
    return " ".join(plain.split()[:count])


def test_answer_a_question_with_the_keyboard(open_course_page, keys, axe, voila_server):
    """Can a learner answer the first knowledge-check question with arrow keys, Space and
    Enter alone, and is the feedback put in the role="status" region (and saved)?"""
    check = activity(CHECK_ID, "knowledge_check")
    question = check["questions"][0]
    assert question["kind"] in ("single", "true_false"), "this test answers a single-choice question"
    correct = next(i for i, option in enumerate(question["options"]) if option["correct"])

    page = open_course_page(NOTEBOOK)
    view = page.locator(".course-knowledge-check .course-question").first
    radios = view.locator("input[type='radio']")
    expect(radios).to_have_count(len(question["options"]))
    option_number = correct  # options are shuffled per learner: find where the right one is shown
    correct = [int(v) for v in radios.evaluate_all("els => els.map(e => e.value)")].index(option_number)

    # Tab to the first option, then move with the arrow keys to the right one.
    keys.tab_to(radios.first)
    if correct == 0 and len(question["options"]) > 1:
        keys.press("ArrowDown")
        expect(radios.nth(1)).to_be_checked()
        keys.press("ArrowUp")
    else:
        for _ in range(correct):
            keys.press("ArrowDown")
    keys.press("Space")
    expect(radios.nth(correct)).to_be_checked()
    assert keys.is_focused(radios.nth(correct))

    # Tab on to "Check answer" and press Enter.
    keys.tab_to(view.get_by_role("button", name="Check answer"))
    keys.press("Enter")

    status = view.locator("[role='status']")
    expect(status).to_contain_text("Correct", timeout=ANSWER_TIMEOUT_MS)
    expect(status).to_contain_text(words(question["options"][option_number]["feedback"]))
    expect(view.get_by_role("button", name="Try again")).to_be_visible()
    assert not keys.focus_lost, "knowledge check: the focus fell back to <body> after Check answer"

    violations = axe(page)
    assert not violations, "axe, after answering:\n" + "\n".join(violations)

    saved = json.loads((voila_server.record_dir / "learner-record.json").read_text())
    answer = saved["activities"][CHECK_ID]["answers"][question["id"]]
    assert answer["selected"] == [option_number] and answer["correct"] is True


def planned_path(scenario):
    """The first choice on offer at every step, from the start to an ending:
    [(choice text, consequence)], ending id."""
    from leadership_course.components.scenario import ScenarioWalk

    walk = ScenarioWalk(scenario)
    place, state, steps = scenario["start"], dict(scenario.get("state") or {}), []
    while place not in walk.endings:
        index = walk.open_choices(place, state)[0]
        choice = walk.nodes[place]["choices"][index]
        steps.append((choice["text"], choice["consequence"]))
        place, state = walk.choose(place, state, index)
        assert len(steps) < 50, "the scenario does not end"
    return steps, place


def test_walk_a_scenario_to_an_ending_with_the_keyboard(open_course_page, keys, axe, voila_server):
    """Can a learner walk the module 1 scenario from its start to an ending using Tab,
    Shift+Tab and Enter, hearing each consequence in the role="status" region, and then
    use Back (Space) and Restart (Enter)?"""
    scenario = activity(SCENARIO_ID, "scenario")
    steps, ending_id = planned_path(scenario)
    ending = scenario["endings"][ending_id]

    page = open_course_page(NOTEBOOK)
    box = page.locator(".course-scenario")
    status = box.locator("[role='status']")
    focus_lost_after = []

    for number, (choice_text, consequence) in enumerate(steps, start=1):
        expect(box.locator("h4").first).to_have_text(f"Step {number}")
        choice = box.get_by_role("button", name=" ".join(choice_text.split()), exact=True)
        keys.tab_to(choice)
        keys.press("Enter")
        expect(status).to_contain_text("What happens next", timeout=ANSWER_TIMEOUT_MS)
        expect(status).to_contain_text(words(consequence))
        if keys.focus_lost:
            focus_lost_after.append(number)

    heading = box.get_by_role("heading", name=f"Ending: {ending['title']}")
    expect(heading).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(box).to_contain_text(words(ending["text"]))

    saved = json.loads((voila_server.record_dir / "learner-record.json").read_text())
    runs = saved["activities"][SCENARIO_ID]["runs"]
    assert runs and runs[-1]["ending"] == ending_id

    violations = axe(page)
    assert not violations, "axe, at the ending:\n" + "\n".join(violations)

    # Back, with Space: the last step comes back.
    keys.tab_to(box.get_by_role("button", name="Back"))
    keys.press("Space")
    expect(status).to_contain_text("You went back one step", timeout=ANSWER_TIMEOUT_MS)
    expect(box.locator("h4").first).to_have_text(f"Step {len(steps)}")

    # Restart, with Enter: back to step 1.
    keys.tab_to(box.get_by_role("button", name="Restart"))
    keys.press("Enter")
    expect(status).to_contain_text("back at the start", timeout=ANSWER_TIMEOUT_MS)
    expect(box.locator("h4").first).to_have_text("Step 1")

    assert focus_lost_after == [], f"scenario: the focus fell back to <body> after step(s) {focus_lost_after}"
