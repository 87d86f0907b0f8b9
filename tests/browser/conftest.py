"""Browser test harness: one real Voila server and one Chromium for the whole session.

Fixtures
* ``voila_server``: Voila (standalone, directory mode) on a free 127.0.0.1 port serving the
  course's ``modules/`` folder, started with ``leadership_course.voila.launch.voila_command``
  exactly as the start command does (course template and settings), with a temporary
  ``$COURSE_RECORD_DIR``. Stopped, with its kernels, at the end of the session.
* ``browser``: headless Chromium driven by Playwright: $CHROMIUM_PATH, else Debian's
  /usr/bin/chromium, else Playwright's own browser if one is installed.
* ``page``: a fresh context and page per test; ``page.course_log`` is a ``PageLog`` of every
  request URL and every console error.
* ``open_course_page(notebook)``: loads a notebook through Voila and waits until every widget
  is drawn (``browser_helpers.wait_for_widgets``).
* ``axe``: ``axe(page)`` runs axe-core (bundled, no download) and returns every violation of
  any impact as readable text.
* ``keys`` / ``keys_for(page)``: keyboard-only moves (``browser_helpers.Keys``).

Set COURSE_VOILA_MODULES_DIR to serve another folder (for example a throwaway notebook
while working on the template).
"""

from __future__ import annotations

import pytest

from browser_helpers import (
    MODULES_DIR,
    Keys,
    axe_violations,
    new_course_page,
    start_voila,
    stop_voila,
    wait_for_widgets,
)

SERVER_START_TIMEOUT_S = 60


# --------------------------------------------------------------------------- server


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """Voila on a free 127.0.0.1 port serving the modules folder, for the whole session."""
    if not MODULES_DIR.is_dir():
        pytest.skip(f"no modules folder at {MODULES_DIR}")
    server = start_voila(tmp_path_factory.mktemp("voila"), SERVER_START_TIMEOUT_S)
    yield server
    stop_voila(server.process)


# --------------------------------------------------------------------------- browser


@pytest.fixture
def page(browser):
    """A fresh context and page; ``page.course_log`` records requests and console errors."""
    context, new_page = new_course_page(browser)
    yield new_page
    context.close()


@pytest.fixture
def open_course_page(page, voila_server):
    """``open_course_page("01_why_compassion.ipynb")``: load it and wait for every widget."""

    def open_(notebook: str):
        if not (MODULES_DIR / notebook).is_file():
            pytest.skip(f"{notebook} is not in {MODULES_DIR} yet")
        page.goto(voila_server.url(notebook))
        wait_for_widgets(page)
        return page

    return open_


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def axe():
    """``axe(page)`` -> list of readable violations (empty when the page passes)."""
    return axe_violations


@pytest.fixture
def keys(page) -> Keys:
    """Keyboard-only moves on ``page``."""
    return Keys(page)


@pytest.fixture
def keys_for():
    """``keys_for(page)``: keyboard-only moves on a page made by another fixture."""
    return Keys
