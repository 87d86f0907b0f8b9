"""Notebooks in git carry no outputs or widget state, and each code cell is one readable line."""

import json
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


def committed_notebooks():
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=REPO, capture_output=True, text=True).stdout.split()
    found = {p for p in listed if "/fixtures/" not in p}
    found |= {str(p.relative_to(REPO)) for p in (REPO / "modules").glob("*.ipynb")}
    return sorted(found)


def test_there_are_notebooks_to_check():
    """Does the check actually see the course notebooks?"""
    assert "modules/01_why_compassion.ipynb" in committed_notebooks()


@pytest.mark.parametrize("path", committed_notebooks())
def test_notebook_has_no_outputs_or_widget_state(path):
    """Is the notebook free of outputs, execution counts and saved widget state?"""
    notebook = json.loads((REPO / path).read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c for c in code if c.get("outputs")] == []
    assert [c["execution_count"] for c in code if c.get("execution_count") is not None] == []
    assert "widgets" not in notebook.get("metadata", {})


@pytest.mark.parametrize("path", [p for p in committed_notebooks() if p.startswith("modules/")])
def test_module_code_cells_are_one_line(path):
    """Is every code cell in a learner's notebook a single readable line?"""
    notebook = json.loads((REPO / path).read_text(encoding="utf-8"))
    sources = ["".join(c["source"]).strip() for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [s for s in sources if "\n" in s or len(s) > 160] == []
