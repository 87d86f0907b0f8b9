"""Learner-facing text is plain English: Flesch reading ease of at least 60 per module, the usual
line for plain English, for the whole module and for its reading on its own."""

import pytest
import textstat

from course_text import activity, activity_prose, markdown_text, plain, written_modules

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
