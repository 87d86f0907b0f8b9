"""Keyboard-only navigation between pages in Voila: course home -> module 1 -> module 2."""

from browser_helpers import wait_for_widgets


def test_home_to_module_1_and_on_to_module_2(page, keys, voila_server):
    """Can a learner go from the course home to module 1 (through the course map) and on to
    module 2 (through the Next link), with Tab and Enter alone?"""
    page.goto(voila_server.url("course_home.ipynb"))
    wait_for_widgets(page)
    course_map_link = page.locator(".course-home").get_by_role("link", name="Why compassion? The four behaviours")
    keys.tab_to(course_map_link)
    keys.press("Enter")
    page.wait_for_url("**/voila/render/01_why_compassion.ipynb")
    wait_for_widgets(page)
    assert page.get_by_role("heading", level=1).first.inner_text() == "Module 1: Why compassion? The four behaviours"

    next_link = page.get_by_role("link", name="Next: Module 2: The ABC of core needs").last
    keys.tab_to(next_link)
    keys.press("Enter")
    page.wait_for_url("**/voila/render/02_abc_of_core_needs.ipynb")
    wait_for_widgets(page)
    assert page.get_by_role("heading", level=1).first.inner_text().startswith("Module 2:")
