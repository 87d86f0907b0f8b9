"""Every reference is in the bibliography, every bibliography entry is cited, and every
link matches the course's source list."""

import re
from pathlib import Path

import pytest
import yaml

from course_text import CONTENT, activity, markdown_text, written_modules

REFERENCES = yaml.safe_load((CONTENT / "references.yaml").read_text(encoding="utf-8"))
SOURCES = Path(__file__).parent.parent.parent / "shared" / "SOURCES.md"


def further_reading(module):
    section = markdown_text(module["notebook"]).split("## Further reading")[1].split("\n## ")[0]
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]


def cited_keys(module):
    keys = set()
    for line in further_reading(module):
        keys |= {key for key, entry in REFERENCES.items() if entry["text"] in line}
    for activity_id in module.get("activities") or []:
        keys |= set(activity(activity_id).get("references") or [])
    return keys


@pytest.mark.parametrize("module", written_modules(), ids=lambda m: f"module-{m['number']}")
def test_further_reading_is_in_the_bibliography(module):
    """Is every further-reading entry a bibliography entry, with its exact text and link?"""
    lines = further_reading(module)
    assert lines
    for line in lines:
        matches = [entry for entry in REFERENCES.values() if entry["text"] in line]
        assert matches, f"not in references.yaml: {line}"
        assert all(entry.get("url", "") in line for entry in matches)


def test_every_bibliography_entry_is_cited():
    """Is every entry of references.yaml cited by at least one module?"""
    cited = set().union(*(cited_keys(m) for m in written_modules()))
    assert sorted(set(REFERENCES) - cited) == []


@pytest.mark.skipif(not SOURCES.is_file(), reason="the course's source list (../shared/SOURCES.md) is not beside this checkout")
def test_every_link_is_in_the_source_list():
    """Is every URL and DOI in the bibliography written exactly as in SOURCES.md?"""
    sources = SOURCES.read_text(encoding="utf-8")
    for key, entry in REFERENCES.items():
        if entry.get("url"):
            assert entry["url"] in sources, key
        for doi in re.findall(r"doi:?\s*(10\.\S+?)[.;,]?(?:\s|$)", entry["text"]):
            assert doi in sources, key
