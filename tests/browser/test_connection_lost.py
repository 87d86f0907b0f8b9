"""A course page whose server has gone (static/connection.js in the course template), on the
start command's own Voila in Chromium: while the server runs, the page's checks succeed and
say nothing; once it has stopped, a Save says the page cannot save and the text stays. Off a
hub there is no Sign out link."""

from __future__ import annotations

from playwright.sync_api import expect

from browser_helpers import new_course_page, start_voila, stop_voila, wait_for_widgets

TYPED = "Typed after the course had been closed on this laptop."


def test_a_page_whose_voila_stopped_says_it_cannot_save_and_keeps_the_text(browser, tmp_path):
    """Do the page's checks pass quietly while Voila runs, and once it has stopped, does Save
    bring the alert and leave the typed text in the box (and is there no Sign out off a hub)?"""
    server = start_voila(tmp_path)
    context, page = new_course_page(browser)
    try:
        page.add_init_script("window.COURSE_CONNECTION_CHECK_SECONDS = 1;")
        checks = []
        page.on("response", lambda r: checks.append(r.status) if "/api/kernels/" in r.url else None)
        page.goto(f"{server.base_url}/voila/render/01_why_compassion.ipynb")
        wait_for_widgets(page)
        page.wait_for_timeout(3000)
        assert checks and set(checks) == {200}, checks  # the check reaches the kernel and says nothing
        expect(page.locator(".course-connection-lost")).to_have_count(0)
        expect(page.locator(".course-header-sign-out")).to_have_count(0)
        stop_voila(server.process)
        reflection = page.locator(".course-reflection").first
        reflection.locator("textarea").fill(TYPED)
        reflection.get_by_role("button", name="Save").click()
        expect(page.locator(".course-connection-lost")).to_contain_text("no longer connected", timeout=20_000)
        expect(reflection.locator("textarea")).to_have_value(TYPED)
    finally:
        context.close()
        stop_voila(server.process)
