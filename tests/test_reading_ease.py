"""Learner-facing text is plain English: Flesch reading ease of at least 60 per module, the usual
line for plain English, for the whole module and for its reading on its own."""

import re

import pytest
import textstat

from course_text import CONTENT, activity, activity_prose, markdown_text, plain, written_modules

THRESHOLD = 60


def reading_text(module):
    """The module's own reading: its Markdown up to the further reading."""
    return plain(markdown_text(module["notebook"]).split("## Further reading")[0])


def module_text(module):
    parts = [markdown_text(module["notebook"]).split("## Further reading")[0]]
    for activity_id in module.get("activities") or []:
        parts += activity_prose(activity(activity_id))
    return plain("\n\n".join(parts))


@pytest.mark.parametrize("module", written_modules(), ids=lambda m: f"module-{m['number']}")
def test_module_reads_easily(module):
    """Does the module's text (reading and activities) score 60 or more for reading ease?"""
    text = module_text(module)
    assert len(text.split()) > 300
    assert textstat.flesch_reading_ease(text) >= THRESHOLD


@pytest.mark.parametrize("module", written_modules(), ids=lambda m: f"module-{m['number']}")
def test_module_reading_alone_reads_easily(module):
    """Does the reading, without the easier activity text, also score 60 or more?"""
    text = reading_text(module)
    assert len(text.split()) > 300
    assert textstat.flesch_reading_ease(text) >= THRESHOLD


def test_the_measure_can_fail():
    """Does dense, long-sentenced text fall below the threshold (so the test can fail)?"""
    dense = ("Organisational psychological safety necessitates systematically institutionalised "
             "interprofessional communication infrastructures facilitating comprehensive "
             "accountability, notwithstanding considerable hierarchical heterogeneity. ") * 20
    assert textstat.flesch_reading_ease(dense) < THRESHOLD


LONGEST_SENTENCE = 30


def sentences(markdown):
    """Sentences of Markdown text: each list item or heading on its own, split after . ! or ? before a capital."""
    found = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.) )", plain(markdown)):
        found += [s for s in re.split(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(]?[A-Z0-9])", " ".join(block.split())) if s]
    return found


def ending_and_debrief_texts():
    """(where, text) for every scenario ending's text and debrief, and every closing debrief."""
    found = []
    for path in sorted(CONTENT.glob("*-scenario.yaml")):
        data = activity(path.stem)
        for ending_id, ending in data["endings"].items():
            found += [(f"{path.stem}: {ending_id}.{field}", ending[field]) for field in ("text", "debrief")]
        if data.get("debrief"):
            found.append((f"{path.stem}: debrief", data["debrief"]))
    return found


def test_no_long_sentences_in_endings_and_debriefs():
    """Is every sentence of every ending and debrief 30 words or fewer?"""
    texts = ending_and_debrief_texts()
    assert len(texts) > 40
    long = [(where, len(s.split()), s) for where, text in texts for s in sentences(text)
            if len(s.split()) > LONGEST_SENTENCE]
    assert long == []


def test_the_sentence_measure_can_fail():
    """Is a 31-word sentence found, and are two short ones kept apart?"""
    assert [len(s.split()) for s in sentences("One two. Word " + "word " * 29 + "end.")] == [2, 31]
    assert len(sentences("- A list item.\n- Another one, \"quoted\". Then more.")) == 3
