"""Module 9's sustainability plan with the keyboard only: type, Tab on, Enter on Save."""

from __future__ import annotations

import json

from playwright.sync_api import expect

NOTEBOOK = "09_sustaining_yourself.ipynb"
PLAN_ID = "sustainability-plan"
SAVE_TIMEOUT_MS = 15_000


def test_fill_in_a_plan_with_the_keyboard(open_course_page, keys, axe, voila_server):
    """Is each part saved as its own reflection when the learner tabs out of its box, and
    every part when they press Enter on "Save my plan", with the news in the status region?"""
    from browser_helpers import MODULES_DIR
    from leadership_course.content import load_plan

    plan, parts = load_plan(PLAN_ID, MODULES_DIR / "content")
    page = open_course_page(NOTEBOOK)
    card = page.locator(".course-plan")
    boxes = card.locator("textarea")
    expect(boxes).to_have_count(len(parts))
    expect(card.get_by_role("heading", name=f"1. {parts[0][0]}")).to_be_visible()
    for number, (heading, _) in enumerate(parts, start=1):  # each box is named by its part's heading
        expect(card.get_by_role("textbox", name=f"{number}. {heading}")).to_have_count(1)
    status = card.locator("[role='status']")

    keys.tab_to(boxes.nth(0))
    page.keyboard.type("Overrunning ward rounds.")
    keys.press("Tab")  # leaving the box saves part 1
    expect(status).to_contain_text("Part 1 saved at", timeout=SAVE_TIMEOUT_MS)
    assert keys.is_focused(boxes.nth(1))
    page.keyboard.type("Lunch with the team on Fridays.")

    keys.tab_to(card.get_by_role("button", name="Save my plan"))
    keys.press("Enter")
    expect(status).to_contain_text("Your plan was saved at", timeout=SAVE_TIMEOUT_MS)
    assert not keys.focus_lost

    saved = json.loads((voila_server.record_dir / "learner-record.json").read_text())["activities"]
    assert saved[parts[0][1]["id"]]["text"] == "Overrunning ward rounds."
    assert saved[parts[1][1]["id"]]["text"] == "Lunch with the team on Fridays."
    assert saved[parts[1][1]["id"]]["completed"] is True and saved[parts[2][1]["id"]]["completed"] is False

    violations = axe(page)
    assert not violations, "axe, after saving the plan:\n" + "\n".join(violations)
