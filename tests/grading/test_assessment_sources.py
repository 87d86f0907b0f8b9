"""Every module has an assessment; each source notebook is built from its answer key and
is up to date; the questions learners receive hold no answers."""

import json
from pathlib import Path

import nbformat
import pytest
import yaml

from leadership_course.grading.questions import check_assessment
from leadership_course.grading.builder import build_notebook, check_key, model_answers

REPO = Path(__file__).parent.parent.parent
GRADING = REPO / "grading"
COURSE = yaml.safe_load((REPO / "modules" / "content" / "course.yaml").read_text())
KEYS = sorted((GRADING / "keys").glob("*.yaml"))


def test_every_written_module_has_an_assessment():
    """Has every module from 1 with a notebook an assessment folder and an answer key?"""
    wanted = {f"module-{m['number']:02d}" for m in COURSE["modules"] if m["number"] >= 1 and m.get("notebook")}
    assert wanted <= {p.stem for p in KEYS}
    assert wanted <= {p.name for p in (GRADING / "source").iterdir() if p.is_dir()}


@pytest.mark.parametrize("key_path", KEYS, ids=[p.stem for p in KEYS])
def test_source_notebook_is_built_from_the_key(key_path):
    """Is the committed source notebook exactly what its answer key builds, with 4 to 6
    questions and one or two written answers?"""
    folder = GRADING / "source" / key_path.stem
    assessment = check_assessment(yaml.safe_load((folder / "assessment.yaml").read_text()))
    key = check_key(yaml.safe_load(key_path.read_text()), assessment, key_path.name)
    assert 4 <= len(assessment["questions"]) <= 6
    assert 1 <= len(assessment.get("written") or []) <= 2
    committed = nbformat.read(folder / assessment["notebook"], 4)
    built = build_notebook(assessment, key)
    assert [c.source for c in committed.cells] == [c.source for c in built.cells], \
        f"rebuild with: python -m leadership_course build-assessment {key_path.relative_to(REPO)}"
    assert [c.metadata for c in committed.cells] == [c.metadata for c in built.cells]
    assert json.loads((folder / "model-answers.json").read_text()) == model_answers(assessment, key)
