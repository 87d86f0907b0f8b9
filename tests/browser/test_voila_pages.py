"""Every course page (home, modules, glossary, bibliography) as a learner gets it from
Voila, in a real Chromium.

Each page is loaded once (one kernel each) and then examined by several tests.
"""

from __future__ import annotations

import json
import warnings

import pytest

from browser_helpers import MODULES_DIR, new_course_page, wait_for_widgets

def first_heading(notebook):
    """The text of the notebook's first '# ' heading: the page title the template gives."""
    for cell in json.loads((MODULES_DIR / notebook).read_text(encoding="utf-8"))["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if cell["cell_type"] == "markdown" and line.startswith("# "):
                return line[2:].strip()
    return notebook


PAGES = {path.name: first_heading(path.name) for path in sorted(MODULES_DIR.glob("*.ipynb"))}


@pytest.fixture(scope="module", params=list(PAGES), ids=[name[:-6] for name in PAGES])
def served(request, browser, voila_server):
    """(page, log, notebook): the notebook loaded through Voila, every widget drawn.

    These tests examine the drawn page, not how reliably it loads (test_preheated_pages.py
    and test_kernels_freed.py do): a page not drawn within the time is loaded once more, as a
    learner would reload it, and what it showed is kept as a warning in the test report."""
    notebook = request.param
    context, page = new_course_page(browser)
    page.goto(voila_server.url(notebook))
    try:
        wait_for_widgets(page)
    except AssertionError as first_try:
        warnings.warn(f"{notebook} was loaded again: {first_try}\nVoila's log:\n{voila_server.log_tail()}")
        page.reload()
        wait_for_widgets(page)
    yield page, page.course_log, notebook
    context.close()


def test_skip_link_moves_focus_to_main(served, keys_for):
    """Does the first Tab reach a visible "Skip to main content" link, and does Enter on
    it move the keyboard focus to <main id="main">?"""
    page, _, _ = served
    keys = keys_for(page)
    skip = page.locator("a.course-skip-link")
    keys.press("Tab")
    assert keys.is_focused(skip), f"the first Tab went to {keys.focused}"
    assert skip.inner_text().strip() == "Skip to main content"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["height"] >= 24, f"skip link not visible on focus: {box}"
    keys.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main'")
    assert page.evaluate("() => document.activeElement.tagName") == "MAIN"


def test_axe_finds_no_violations(served, axe):
    """Does axe-core report no violations of any impact (WCAG 2.2 A/AA, best practice,
    24 px targets) on the fully drawn page?"""
    page, _, notebook = served
    violations = axe(page)
    assert not violations, f"{notebook}: {len(violations)} axe violation(s):\n" + "\n".join(violations)


def test_at_320px_wide_axe_finds_no_violations_and_nothing_scrolls_sideways(served, axe):
    """At 320 px wide (a small phone, or 1280 px at 400% zoom), does axe-core still report no
    violations, and does the page fit without scrolling sideways?"""
    page, _, notebook = served
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        page.wait_for_timeout(100)
        violations = axe(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert not violations, f"{notebook} at 320 px: {len(violations)} axe violation(s):\n" + "\n".join(violations)
    assert width <= 320, f"{notebook} at 320 px is {width} px wide"


_DESIGN_SIZES = """
() => {
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const bodyFont = getComputedStyle(document.body).fontFamily;
  const out = [];
  for (const b of document.querySelectorAll("main button")) {
    if (!shown(b)) continue;
    const r = b.getBoundingClientRect(), s = getComputedStyle(b);
    if (r.height < 44) out.push(`button "${b.textContent.trim()}" is ${r.height} px high`);
    if (s.fontFamily !== bodyFont) out.push(`button "${b.textContent.trim()}" uses ${s.fontFamily}`);
    if (parseInt(s.fontWeight) < 600 && !b.classList.contains("course-choice-button"))
      out.push(`button "${b.textContent.trim()}" is not semibold`);
  }
  for (const i of document.querySelectorAll(".course-choice-group input")) {
    const r = i.getBoundingClientRect();
    if (shown(i) && (r.width < 40 || r.height < 40)) out.push(`option ${i.value} is ${r.width}x${r.height} px`);
  }
  for (const t of document.querySelectorAll("main textarea")) {
    if (shown(t) && getComputedStyle(t).fontFamily !== bodyFont) out.push(`a text box uses ${getComputedStyle(t).fontFamily}`);
  }
  return out;
}
"""


def test_components_use_the_design_sizes(served):
    """Do the page's buttons, options and text boxes follow the NHS.UK design system's
    sizes: buttons at least 44 px high in the page's one (semibold) font, radios and
    checkboxes 40 px, text boxes in the page's font (not as code)?"""
    page, _, notebook = served
    problems = page.evaluate(_DESIGN_SIZES)
    assert not problems, f"{notebook}:\n" + "\n".join(problems)


def test_module_pages_have_an_on_this_page_list(served):
    """Does a page with three or more sections open with an 'On this page' list whose
    links lead to each section's heading?"""
    page, _, notebook = served
    sections = page.locator("#rendered_cells h2[id]:not(#course-contents-title)")
    contents = page.get_by_role("navigation", name="On this page")
    if sections.count() < 3:
        assert contents.count() == 0
        return
    links = contents.get_by_role("link")
    assert links.count() == sections.count(), f"{notebook}: {links.count()} links for {sections.count()} sections"
    for n in range(links.count()):
        target = links.nth(n).get_attribute("href")[1:]
        assert page.evaluate("id => !!document.getElementById(id)", target), f"{notebook}: no section {target}"


def test_no_request_leaves_the_machine(served):
    """Does every request the page makes (scripts, styles, fonts, widgets, MathJax) go to
    the course's own 127.0.0.1 server?"""
    _, log, notebook = served
    assert log.requests, "no requests were recorded"
    assert not log.external_requests, f"{notebook} asked other hosts for:\n" + "\n".join(log.external_requests)


def test_no_console_errors(served):
    """Does the page load without a single console error or failed request?"""
    _, log, notebook = served
    assert not log.console_errors, f"{notebook} console errors:\n" + "\n".join(log.console_errors)
    assert not log.failed_requests, f"{notebook} failed requests:\n" + "\n".join(log.failed_requests)


def test_front_end_package_versions_agree(served):
    """Does every lab extension on the page (Voila's widget manager, ipywidgets' front end,
    anywidget) get the JupyterLab package versions it was built for from Voila's page,
    with no 'Unsatisfied version' or 'No satisfying version' warning? (The pins in
    pyproject.toml and why: docs/voila.md.)"""
    _, log, notebook = served
    mismatches = [text for text in log.console_warnings
                  if "Unsatisfied version" in text or "No satisfying version" in text]
    assert not mismatches, f"{notebook}: {len(mismatches)} version warnings:\n" + "\n".join(mismatches)


def test_page_language_and_title(served):
    """Is the page marked as British English, and is its title the notebook's first heading?"""
    page, _, notebook = served
    assert page.locator("html").get_attribute("lang") == "en-GB"
    assert page.locator("html[lang='en-GB']").count() == 1
    assert page.title() == PAGES[notebook]


def test_landmarks_hold_the_content(served):
    """Is there one banner with the course title linking to the course home, one <main>
    holding every notebook cell, and one footer?"""
    page, _, _ = served
    banner = page.get_by_role("banner")
    assert banner.count() == 1
    home_link = banner.get_by_role("link", name="Compassionate and Inclusive Leadership")
    assert home_link.get_attribute("href") == "course_home.ipynb"
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    outside = page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-Cell')).filter(c => !c.closest('main#main')).length"
    )
    assert outside == 0, f"{outside} notebook cell(s) are outside <main>"


def test_no_traceback_is_shown(served):
    """Is the learner spared any traceback or Voila's developer hint?"""
    page, _, notebook = served
    text = page.locator("body").inner_text()
    for marker in ("Traceback", "show_tracebacks", "There was an error when executing cell"):
        assert marker not in text, f"{notebook} shows {marker!r}"


@pytest.mark.parametrize(
    "path, heading",
    [
        ("/", "Compassionate and Inclusive Leadership"),
        ("/voila/render/no_such_page.ipynb", "Sorry, this page could not be opened"),
    ],
    ids=["folder-list", "page-not-found"],
)
def test_folder_list_and_missing_page(page, voila_server, axe, path, heading):
    """Are Voila's other pages (its folder list, and the page for a wrong address) in the
    course frame too: en-GB, landmarks, a plain heading, a way home, no Sign out off a hub (the hub
    test checks it there), nothing from other hosts and no axe violations?"""
    response = page.goto(voila_server.base_url + path)
    assert response.status == (200 if path == "/" else 404)
    assert page.locator("html").get_attribute("lang") == "en-GB"
    assert page.locator("header.course-header a").all_inner_texts() == ["Compassionate and Inclusive Leadership"]
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_role("main").get_by_role("link").count() >= 1
    assert not page.course_log.external_requests, page.course_log.external_requests
    violations = axe(page)
    assert not violations, "\n".join(violations)
