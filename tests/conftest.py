"""Shared fixtures: a small content folder, an empty learner record for each test, and one
headless Chromium for every browser test (Playwright allows one session per thread)."""

import sys
from pathlib import Path

import pytest

from leadership_course import content, record

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(Path(__file__).parent / "browser"))  # browser_helpers, for every browser test


@pytest.fixture
def content_dir(monkeypatch):
    """The test course in tests/fixtures/content."""
    folder = FIXTURES / "course" / "modules" / "content"
    monkeypatch.setenv(content.CONTENT_DIR_VARIABLE, str(folder))
    content._cached_course.cache_clear()
    yield folder
    content._cached_course.cache_clear()


@pytest.fixture
def learner(tmp_path, monkeypatch, content_dir):
    """A learner's record in a fresh folder, found through $COURSE_RECORD_DIR."""
    folder = tmp_path / "record"
    monkeypatch.setenv(record.RECORD_DIR_VARIABLE, str(folder))
    return record.get_record()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Debian's, $CHROMIUM_PATH, or Playwright's)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from browser_helpers import CHROMIUM_ARGS, chromium_executable

    executable = chromium_executable()
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as error:
            pytest.fail(f"cannot start Chromium ({executable or 'Playwright default'}): {error}. "
                        "Install Debian's chromium, set CHROMIUM_PATH, or run `playwright install chromium`.")
        yield launched
        launched.close()
