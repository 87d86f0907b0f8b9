"""The workshop notebooks: no outputs, one readable line per code cell, a heading first."""

import json

import pytest

from workshop_helpers import PAGES_DIR

NOTEBOOKS = sorted(PAGES_DIR.glob("*.ipynb"))


def test_the_pages_exist():
    assert {p.name for p in NOTEBOOKS} >= {"course_home.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean_and_simple(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c for c in code if c.get("outputs") or c.get("execution_count") is not None] == []
    assert "widgets" not in notebook.get("metadata", {})
    assert all("\n" not in "".join(c["source"]).strip() for c in code)
    first = notebook["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")
