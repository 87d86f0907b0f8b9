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
REFLECTION_ID = "module-1-reflection"
SELF_CHECK_ID = "four-behaviours-self-check"
ANSWER_TIMEOUT_MS = 15_000


def activity(activity_id, kind):
    from leadership_course.content import load_activity

    return load_activity(activity_id, kind, content_dir=MODULES_DIR / "content")


def words(markdown_text, count=8):
    """The first few words of a piece of content, as they read on the page."""
    plain = re.sub(r"[*_`#>\[\]]", "", markdown_text)
    return " ".join(plain.split()[:count])


def wait_for_focus(page, locator, what):
    """Wait (up to the answer timeout) until ``locator`` has the keyboard focus."""
    handle = locator.element_handle(timeout=ANSWER_TIMEOUT_MS)
    try:
        page.wait_for_function("element => element === document.activeElement", arg=handle,
                               timeout=ANSWER_TIMEOUT_MS)
    except Exception:
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"{what}: the focus is on {focused}") from None


def test_answer_a_question_wrong_then_right_with_the_keyboard(open_course_page, keys, axe, voila_server):
    """Can a learner answer a knowledge-check question wrong, select Try again and answer it
    right with arrow keys, Space and Enter alone, hearing each result in a role="status"
    region, with the focus on the question after Try again and never on the page body,
    and is the answer saved and the score line announced?"""
    check = activity(CHECK_ID, "knowledge_check")
    question = check["questions"][0]
    assert question["kind"] in ("single", "true_false"), "this test answers a single-choice question"
    right = next(i for i, option in enumerate(question["options"]) if option["correct"])
    wrong = next(i for i, option in enumerate(question["options"]) if not option["correct"])

    page = open_course_page(NOTEBOOK)
    view = page.locator(".course-knowledge-check .course-question").first
    radios = view.locator("input[type='radio']")
    expect(radios).to_have_count(len(question["options"]))
    shown = [int(v) for v in radios.evaluate_all("els => els.map(e => e.value)")]  # shuffled per learner
    status = view.locator("[role='status']")

    def choose(option_number):
        place = shown.index(option_number)
        if not view.locator("input:focus").count():
            keys.tab_to(radios.first)
        current = shown.index(int(page.evaluate("() => document.activeElement.value")))
        key = "ArrowDown" if place > current else "ArrowUp"
        for _ in range(abs(place - current)):
            keys.press(key)
        keys.press("Space")
        expect(radios.nth(place)).to_be_checked()

    # A wrong answer: the feedback says so and the focus goes to Try again.
    choose(wrong)
    keys.tab_to(view.get_by_role("button", name="Check answer"))
    keys.press("Enter")
    expect(status).to_contain_text("Not quite", timeout=ANSWER_TIMEOUT_MS)
    expect(status).to_contain_text(words(question["options"][wrong]["feedback"]))
    try_again = view.get_by_role("button", name="Try again")
    wait_for_focus(page, try_again, "after a wrong answer")

    # Try again: the focus goes to the question's options (so the question is read) and
    # the region says what to do.
    keys.press("Enter")
    expect(status).to_contain_text("Have another go", timeout=ANSWER_TIMEOUT_MS)
    wait_for_focus(page, radios.first, "after Try again")
    legend = view.locator("legend")
    assert words(question["prompt"], 4) in " ".join(legend.inner_text().split())

    # The right answer: Correct, no Try again, the focus stays on the chosen option.
    choose(right)
    keys.tab_to(view.get_by_role("button", name="Check answer"))
    keys.press("Enter")
    expect(status).to_contain_text("Correct", timeout=ANSWER_TIMEOUT_MS)
    expect(status).to_contain_text(words(question["options"][right]["feedback"]))
    expect(try_again).to_be_hidden()
    wait_for_focus(page, radios.nth(shown.index(right)), "after a right answer")
    expect(radios.nth(shown.index(right))).to_be_checked()
    score = page.locator(".course-knowledge-check [role='status']:has(.course-score)")
    expect(score).to_contain_text("Your score: 1 of", timeout=ANSWER_TIMEOUT_MS)

    violations = axe(page)
    assert not violations, "axe, after answering:\n" + "\n".join(violations)

    saved = json.loads((voila_server.record_dir / "learner-record.json").read_text())
    answer = saved["activities"][CHECK_ID]["answers"][question["id"]]
    assert answer["selected"] == [right] and answer["correct"] is True and answer["attempts"] == 2


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
    """Can a learner walk the module 1 scenario from its start to an ending with the
    keyboard alone (arrow keys between the choices, Enter), hearing each consequence and
    then the next step's story or the ending, with the focus on that step's or ending's
    heading; and then use Back (Space) and Restart (Enter), the focus on the heading again?"""
    scenario = activity(SCENARIO_ID, "scenario")
    steps, ending_id = planned_path(scenario)
    ending = scenario["endings"][ending_id]
    texts = [scenario["nodes"][node]["text"] for node in planned_nodes(scenario)]

    page = open_course_page(NOTEBOOK)
    box = page.locator(".course-scenario")
    status = box.locator("[role='status'].course-feedback")
    announcer = box.locator("[role='status'].course-unseen")
    heading = box.locator(".course-focusable-html h4").first

    # The arrow keys move between the choices.
    choice_buttons = box.locator("button.course-choice-button")
    if choice_buttons.count() > 1:
        keys.tab_to(choice_buttons.first)
        keys.press("ArrowDown")
        assert keys.is_focused(choice_buttons.nth(1)), f"ArrowDown went to {keys.focused}"
        keys.press("ArrowUp")
        assert keys.is_focused(choice_buttons.first), f"ArrowUp went to {keys.focused}"

    for number, (choice_text, consequence) in enumerate(steps, start=1):
        expect(heading).to_have_text(f"Step {number}")
        choice = box.get_by_role("button", name=" ".join(choice_text.split()), exact=True)
        keys.tab_to(choice)
        keys.press("Enter")
        expect(status).to_contain_text("What happens next", timeout=ANSWER_TIMEOUT_MS)
        expect(status).to_contain_text(words(consequence))
        if number < len(steps):
            expect(heading).to_have_text(f"Step {number + 1}", timeout=ANSWER_TIMEOUT_MS)
            expect(announcer).to_contain_text(f"Step {number + 1}.")
            expect(announcer).to_contain_text(words(texts[number]))
            wait_for_focus(page, heading, f"after the choice at step {number}")

    ending_heading = box.get_by_role("heading", name=f"Ending: {ending['title']}")
    expect(ending_heading).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(announcer).to_contain_text(f"Ending: {ending['title']}.")
    expect(announcer).to_contain_text(words(ending["text"]))
    wait_for_focus(page, ending_heading, "at the ending")
    top = ending_heading.bounding_box()
    assert top and 0 <= top["y"] < 900 / 2, f"the page did not show the ending's heading at the top: {top}"
    expect(box).to_contain_text("Endings you have reached")

    saved = json.loads((voila_server.record_dir / "learner-record.json").read_text())
    runs = saved["activities"][SCENARIO_ID]["runs"]
    assert runs and runs[-1]["ending"] == ending_id

    violations = axe(page)
    assert not violations, "axe, at the ending:\n" + "\n".join(violations)

    # Back, with Space: the last step comes back, with its heading focused.
    keys.tab_to(box.get_by_role("button", name="Back"))
    keys.press("Space")
    expect(status).to_contain_text("You went back one step", timeout=ANSWER_TIMEOUT_MS)
    expect(heading).to_have_text(f"Step {len(steps)}")
    wait_for_focus(page, heading, "after Back")

    # Restart, with Enter: back to step 1.
    keys.tab_to(box.get_by_role("button", name="Restart"))
    keys.press("Enter")
    expect(status).to_contain_text("back at the start", timeout=ANSWER_TIMEOUT_MS)
    expect(heading).to_have_text("Step 1")
    wait_for_focus(page, heading, "after Restart")


def planned_nodes(scenario):
    """The nodes the first-choice path passes through, in order."""
    from leadership_course.components.scenario import ScenarioWalk

    walk = ScenarioWalk(scenario)
    place, state, nodes = scenario["start"], dict(scenario.get("state") or {}), []
    while place not in walk.endings:
        nodes.append(place)
        place, state = walk.choose(place, state, walk.open_choices(place, state)[0])
    return nodes


def test_save_a_reflection_twice_with_the_keyboard(open_course_page, keys, voila_server):
    """Is the reflection box named by its prompt, and does leaving it ("Saved automatically")
    and then pressing Save ("Saved at", not "again") each say so in the role="status"
    region, with the focus kept on Save?"""
    reflection = activity(REFLECTION_ID, "reflection")
    page = open_course_page(NOTEBOOK)
    box = page.locator(".course-reflection").first
    textbox = box.get_by_role("textbox", name=words(reflection["prompt"], 5))
    expect(textbox).to_have_count(1)
    status = box.locator("[role='status']")

    keys.tab_to(textbox)
    page.keyboard.type("I will ask the team what gets in their way.")
    save = box.get_by_role("button", name="Save")
    keys.tab_to(save)  # leaving the box saves it
    expect(status).to_have_text(re.compile(r"Saved automatically at \d\d:\d\d\."), timeout=ANSWER_TIMEOUT_MS)
    keys.press("Enter")  # the learner's first Save: not "again"
    expect(status).to_have_text(re.compile(r"Saved at \d\d:\d\d\."), timeout=ANSWER_TIMEOUT_MS)
    assert keys.is_focused(save) and not keys.focus_lost

    saved = json.loads((voila_server.record_dir / "learner-record.json").read_text())
    assert saved["activities"][REFLECTION_ID]["text"] == "I will ask the team what gets in their way."


def test_answer_the_self_check_and_see_the_results_with_the_keyboard(open_course_page, keys, axe, voila_server):
    """Can a learner answer every self-check statement with Tab and the arrow keys, select
    Show my results with Enter straight after the last choice, and hear that the results
    are below, with the averages in a table, the answers saved and the focus kept?"""
    from leadership_course.components.self_check import dimension_scores

    self_check = activity(SELF_CHECK_ID, "self_check")
    items = [item for dimension in self_check["dimensions"] for item in dimension["items"]]
    page = open_course_page(NOTEBOOK)
    box = page.locator(".course-self-check")
    groups = box.locator("fieldset")
    expect(groups).to_have_count(len(items))

    for number in range(len(items)):  # into each group, then ArrowRight chooses its second point
        radios = groups.nth(number).locator("input[type='radio']")
        keys.tab_to(radios.first)
        keys.press("ArrowRight")
        expect(radios.nth(1)).to_be_checked()
    show = box.get_by_role("button", name="Show my results")
    keys.tab_to(show)
    keys.press("Enter")

    status = box.locator("[role='status']").first
    expect(status).to_contain_text("Your results are below", timeout=ANSWER_TIMEOUT_MS)
    expected = dimension_scores(self_check, {item["id"]: 2 for item in items})
    for dimension in self_check["dimensions"]:
        row = box.get_by_role("row", name=dimension["label"])
        expect(row).to_contain_text(f"{expected[dimension['id']]:.1f}")
    assert keys.is_focused(show) and not keys.focus_lost

    saved = json.loads((voila_server.record_dir / "learner-record.json").read_text())["activities"][SELF_CHECK_ID]
    assert saved["responses"] == {item["id"]: 2 for item in items} and saved["completed"] is True

    violations = axe(page)
    assert not violations, "axe, with the results shown:\n" + "\n".join(violations)
