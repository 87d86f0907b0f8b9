"""Wording a governance lead relies on: the professional duty of candour is never paraphrased
without "where appropriate" (the patient comes first), and the National Guardian's Office,
which closed in 2026, is never described in the present tense."""

import json
import re
from pathlib import Path

import pytest
import yaml

from leadership_course.prepared import every_string

REPO = Path(__file__).parent.parent


def course_blocks():
    """(file, block) for every paragraph or list item a learner, facilitator or adopter reads."""
    found = []
    for path in sorted((REPO / "modules").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                found += [(path.name, b) for b in re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.) )", "".join(cell["source"]))]
    yaml_files = [*(REPO / "modules" / "content").glob("*.yaml"), *(REPO / "grading").glob("*/*.yaml"),
                  *(REPO / "grading" / "source").glob("*/assessment.yaml"), REPO / "assets" / "pictures.yaml"]
    for path in sorted(yaml_files):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name == "glossary.yaml":  # an entry is all about its term, so the term leads each block
            found += [(path.name, f"{term}: {entry['meaning']}") for term, entry in data.items()]
        else:
            found += [(path.name, text) for text in every_string(data)]
    for path in sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")]):
        text = path.read_text(encoding="utf-8")
        found += [(path.name, b) for b in re.split(r"\n\s*\n|\n(?=\s*(?:[-*|]|\d+\.) )", text)]
    for path in sorted((REPO / "assets").glob("*.svg")):
        found += [(path.name, " ".join(re.findall(r">([^<>]+)</text>", path.read_text(encoding="utf-8"))))]
    return [(name, " ".join(block.split())) for name, block in found if block.strip()]


_TELLS = re.compile(r"\btells? (the (person|patient)|them|him|her)\b", re.I)


def candour_without_where_appropriate(block):
    """True when a block paraphrases the duty of candour's "tell the patient" without "where appropriate"."""
    return ("candour" in block.lower() and bool(_TELLS.search(block)) and "where appropriate" not in block
            and "statutory" not in block.lower())


_NGO = re.compile(r"\bNGO\b|National Guardian's Office")
_PRESENT = re.compile(
    r"\b(tracks|offers|runs|publishes|provides|supports|reports|wants|asks|requires|says|leads|trains|names|"
    r"calculates|works|hosts|oversees|is|are)\b|\bhas (?!since\b|closed\b)\w+", re.I)
_REQUIREMENTS = re.compile(r"\b(NGO|National Guardian's Office)('s)? requirements\b")


def ngo_in_present_tense(block):
    """The sentences of a block that speak of the National Guardian's Office in the present tense."""
    sentences = re.split(r"(?<=[.!?])\s+", block)
    if block.startswith("NGO: "):  # the glossary entry: every sentence is about the office
        sentences = [s for s in sentences if not s.startswith("From 1 July")]
        return [s for s in sentences if _PRESENT.search(s.replace("NGO: ", ""))]
    return [s for s in sentences if _REQUIREMENTS.search(s) or (_NGO.search(s) and _PRESENT.search(_NGO.split(s, 1)[1]))]


BLOCKS = course_blocks()


def test_the_course_text_is_read():
    """Are the notebooks, activities, assessments, guides and pictures all read?"""
    names = {name for name, _ in BLOCKS}
    assert {"05_learning_not_blame.ipynb", "medicine-error-scenario.yaml", "glossary.yaml", "module-05.md",
            "README.md", "assessment.yaml", "routes-to-speak-up.svg"} <= names
    assert sum("candour" in block.lower() for _, block in BLOCKS) >= 8


def test_candour_is_never_paraphrased_without_where_appropriate():
    """Does every paraphrase of "tell the patient" under the duty of candour keep "where appropriate"?"""
    found = [(name, block[:120]) for name, block in BLOCKS if candour_without_where_appropriate(block)]
    assert found == []
    assert sum("where appropriate" in block and "candour" in block.lower() for _, block in BLOCKS) >= 5


def test_the_national_guardians_office_is_never_in_the_present_tense():
    """Is the National Guardian's Office, closed in 2026, always described in the past tense?"""
    found = [(name, sentence) for name, block in BLOCKS for sentence in ngo_in_present_tense(block)]
    assert found == []


@pytest.mark.parametrize("block", [
    "The professional duty of candour asks you to tell the person, or their family, when something goes wrong.",
    "Duty of candour: the professional duty asks you to tell the person or their family, say sorry.",
])
def test_candour_check_catches_the_old_wording(block):
    """Do the wordings the December 2026 review found fail the candour check?"""
    assert candour_without_where_appropriate(block)


@pytest.mark.parametrize("block", [
    "Speaking up is not only about patient safety. The National Guardian's Office tracks how many staff feel safe.",
    "The National Guardian's Office (NGO) wrote the guide with NHS England, and offers free training.",
    "6. Support Guardians to do their role in a way that meets workers' needs and the NGO's requirements.",
    "NGO: The office of the National Guardian. It also tracks speaking-up results in the NHS Staff Survey.",
])
def test_present_tense_check_catches_the_old_wording(block):
    """Do the present-tense wordings the December 2026 review found fail the check?"""
    assert ngo_in_present_tense(block)
