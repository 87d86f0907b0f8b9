"""Shared fixtures: a small content folder and an empty learner record for each test."""

from pathlib import Path

import pytest

from leadership_course import content, record

FIXTURES = Path(__file__).parent / "fixtures"


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
