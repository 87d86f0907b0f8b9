"""Every module has an assessment; each source notebook is built from its answer key and
is up to date; the questions learners receive hold no answers."""

import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from leadership_course.grading.questions import check_assessment
from leadership_course.grading.builder import DISCLOSURE, EDITOR_ONLY, build_notebook, check_key, model_answers

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


def _correct_positions():
    """(single-choice positions by option count, multiple-choice position lists) across every assessment."""
    single, multiple = {}, []
    for key_path in KEYS:
        questions = yaml.safe_load((GRADING / "source" / key_path.stem / "assessment.yaml").read_text())["questions"]
        answers = yaml.safe_load(key_path.read_text())["answers"]
        for question in questions:
            positions = [question["options"].index(text) for text in answers[question["id"]]]
            if question["kind"] == "single":
                single.setdefault(len(question["options"]), []).append(positions[0])
            elif question["kind"] == "multiple":
                multiple.append(positions)
    return single, multiple


def test_right_answers_are_spread_over_every_position():
    """Does an option's position say nothing about whether it is right? In single-choice questions
    with four options each position holds the right answer about a quarter of the time, and in
    multiple-choice questions the right answers do not gather in the first places."""
    single, multiple = _correct_positions()
    four = single[4]
    for position in range(4):
        share = four.count(position) / len(four)
        assert 0.15 <= share <= 0.35, f"position {position + 1} is right in {share:.0%} of four-option questions"
    first_place = sum(1 for positions in multiple if 0 in positions) / len(multiple)
    last_place = sum(1 for positions in multiple if 3 in positions) / len(multiple)
    assert first_place <= 0.8 and last_place >= 0.4, (first_place, last_place)


@pytest.mark.parametrize("key_path", KEYS, ids=[p.stem for p in KEYS])
def test_questions_file_does_not_say_where_the_key_is(key_path):
    """Does the questions file that learners receive keep quiet about the answer key?"""
    text = (GRADING / "source" / key_path.stem / "assessment.yaml").read_text().lower()
    assert "keys" not in text and "answer key" not in text


def _urgent_help_lines():
    """The urgent-help lines of Module 0's "Getting help now", one per sentence-bearing line, as learners read them."""
    notebook = json.loads((REPO / "modules" / "00_start_here.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    section = text.split("## Getting help now", 1)[1].split("For help that is not urgent", 1)[0]
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n|\n(?=- )", section) if part.strip()]


@pytest.mark.parametrize("module", ["04", "05", "08", "09"])
def test_upsetting_assessments_warn_and_signpost_first(module):
    """Do the assessments that ask about real concerns, incidents, pressures and warning signs open with a
    content note: the module's signposting, a line that the facilitator reads the answers and may act on a
    risk, and the urgent-help lines exactly as Module 0 gives them?"""
    folder = GRADING / "source" / f"module-{module}"
    assessment = yaml.safe_load((folder / "assessment.yaml").read_text(encoding="utf-8"))
    cells = nbformat.read(folder / assessment["notebook"], 4).cells
    assert cells[1].metadata["nbgrader"]["grade_id"] == "content-note"
    note = " ".join(cells[1].source.split())
    for needed in ("**Content note.**", "occupational health", "employee assistance programme",
                   "Freedom to Speak Up Guardian", "Your facilitator reads your written answers.",
                   "risk to someone's safety, they may need to act on it or pass it on"):
        assert needed in note, needed
    lines = _urgent_help_lines()
    assert len(lines) == 5 and "**999**" in lines[0] and "**0300 0303 300**" in lines[-1]
    for line in lines:
        assert line in note, line


def test_every_written_part_says_who_reads_it():
    """Does every assessment with written answers say, above them, that the facilitator reads them?"""
    for key_path in KEYS:
        folder = GRADING / "source" / key_path.stem
        assessment = yaml.safe_load((folder / "assessment.yaml").read_text(encoding="utf-8"))
        cells = nbformat.read(folder / assessment["notebook"], 4).cells
        part_2 = next(c.source for c in cells if c.metadata["nbgrader"]["grade_id"] == "part-2")
        assert DISCLOSURE in part_2, key_path.stem


def test_no_assessment_tells_a_learner_to_run_cells():
    """Does no learner-facing text of any assessment (its Markdown, mark schemes aside) speak of running
    cells, restarting a kernel or an 'assignment', and is its only markup the note for JupyterLab,
    which the course web app and feedback page hide?"""
    for key_path in KEYS:
        folder = GRADING / "source" / key_path.stem
        assessment = yaml.safe_load((folder / "assessment.yaml").read_text(encoding="utf-8"))
        cells = nbformat.read(folder / assessment["notebook"], 4).cells
        text = "\n".join(re.sub(r"=== BEGIN MARK SCHEME ===.*?=== END MARK SCHEME ===", "", c.source, flags=re.S)
                         for c in cells if c.cell_type == "markdown")
        for jargon in ("run all", "run,", "cells", "restart", "kernel", "assignment", "shift"):
            assert jargon not in text.lower(), (key_path.stem, jargon)
        assert EDITOR_ONLY in cells[0].source
        assert re.findall(r"<[^>]+>", text) == ['<div class="course-editor-only">', "</div>"], key_path.stem
