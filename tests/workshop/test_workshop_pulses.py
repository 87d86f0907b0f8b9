"""Pulse files: the shipped pulse is valid and honest about what it is; broken files give
messages that name the file and the field."""

import textwrap

import pytest
import textstat

from leadership_course.content import ContentError
from leadership_course.workshop.pulses import available_pulses, check_pulse, load_pulse

from workshop_helpers import PULSES_DIR

GOOD = """
id: tiny
title: A tiny pulse
scale: [Rarely, Sometimes, Often]
items:
  - id: first
    label: First
    prompt: Is this the first item?
"""


def problems_of(tmp_path, text, name="tiny"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_pulse(str(path))
    return raised.value.problems


@pytest.mark.parametrize("pulse_id", available_pulses(PULSES_DIR))
def test_every_shipped_pulse_is_valid(pulse_id):
    pulse = load_pulse(pulse_id, folder=PULSES_DIR)
    assert pulse["id"] == pulse_id
    assert all(len(item["options"]) >= 2 for item in pulse["items"] if item["type"] == "choice")
    assert all(item["options"] == [] for item in pulse["items"] if item["type"] == "word")


def test_the_abc_pulse_asks_about_the_three_core_needs_and_speaking_up():
    """Does the workshop's default pulse cover autonomy, belonging, contribution and voice?"""
    pulse = load_pulse("abc-and-voice", folder=PULSES_DIR)
    ids = [item["id"] for item in pulse["items"]]
    assert ids[:3] == ["autonomy", "belonging", "contribution"]
    assert ids[3:5] == ["safe-to-speak-up", "concerns-taken-seriously"]
    assert len(pulse["items"][4]["options"]) == 5 and pulse["items"][4]["options"][0] == "Never"
    assert [item["id"] for item in pulse["items"] if item["type"] == "word"] == ["team-in-one-word"]


def test_what_participants_read_is_plain_english():
    """Do the page's notes and the shipped pulse's wording score 60 or more for reading ease?"""
    import re

    from leadership_course.workshop.server import TEMPLATES

    pulse = load_pulse("abc-and-voice", folder=PULSES_DIR)
    note = (TEMPLATES / "pulse.html").read_text(encoding="utf-8").split('<div class="note">')[1].split("</div>")[0]
    note = re.sub(r"<[^>]+>|\{\{[^}]*\}\}", " ", note)
    text = " ".join([note, pulse["intro"], *(item["prompt"] for item in pulse["items"])])
    assert textstat.flesch_reading_ease(text) >= 60


def test_a_word_item_needs_no_options(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(GOOD.replace("scale: [Rarely, Sometimes, Often]\n", "") + "    type: word\n", encoding="utf-8")
    assert load_pulse(str(path))["items"][0] == {"id": "first", "label": "First", "prompt": "Is this the first item?",
                                                 "type": "word", "options": []}


def test_a_pulse_loads_from_a_path(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(GOOD, encoding="utf-8")
    pulse = load_pulse(str(path))
    assert pulse["items"][0]["options"] == ["Rarely", "Sometimes", "Often"]


@pytest.mark.parametrize("change, expected", [
    (("    prompt: Is this the first item?\n", ""), "tiny.yaml: items[1].prompt: 'prompt' is missing"),
    (("    label: First\n", "    label: First\n    promt: typo\n"), "tiny.yaml: items[1].promt: 'promt' is not a field here"),
    (("id: tiny", "id: other"), "tiny.yaml: id: 'other' does not match the file name 'tiny'"),
    (("scale: [Rarely, Sometimes, Often]", "scale: [Often]"), "tiny.yaml: scale: give 2 to 7 answers"),
    (("scale: [Rarely, Sometimes, Often]", "scale: [Often, Often]"), "tiny.yaml: scale: the same answer is listed twice"),
    (("scale: [Rarely, Sometimes, Often]", "scale: [Rarely, Sometimes, 3]"), "tiny.yaml: scale[3]: each answer must be a piece of text"),
    (("scale: [Rarely, Sometimes, Often]\n", ""), "tiny.yaml: items[1].options: give the item its own 'options'"),
    (("title: A tiny pulse", "title: ''"), "tiny.yaml: title: 'title' is empty"),
    (("    label: First", "    label: A label that is far too long for the chart title here"),
     "tiny.yaml: items[1].label: keep the label to 40 characters"),
    (("    label: First\n", "    label: First\n    type: essay\n"), "tiny.yaml: items[1].type: 'essay' is not a type"),
    (("    label: First\n", "    label: First\n    type: word\n    options: [A, B]\n"),
     "tiny.yaml: items[1].options: a 'word' item has no options"),
])
def test_broken_pulses_name_the_file_and_field(tmp_path, change, expected):
    """Does each mistake give a message naming the file and the field?"""
    old, new = change
    assert old in GOOD
    problems = problems_of(tmp_path, GOOD.replace(old, new))
    assert any(p.startswith(expected) for p in problems), problems


def test_yes_and_no_read_as_true_and_false_are_explained(tmp_path):
    """YAML reads a bare Yes or No as true or false: is the author told to quote it?"""
    problems = problems_of(tmp_path, GOOD.replace("[Rarely, Sometimes, Often]", "[No, Partly, Yes]"))
    assert "tiny.yaml: scale[1]: 'No' was read as false: put it in quotes (\"No\")" in problems


def test_a_duplicate_item_id_is_reported(tmp_path):
    text = GOOD + "  - id: first\n    label: Again\n    prompt: Twice?\n"
    assert "tiny.yaml: items[2].id: id 'first' is used twice" in problems_of(tmp_path, text)


def test_a_yaml_syntax_error_names_the_line(tmp_path):
    [problem] = problems_of(tmp_path, "id: tiny\ntitle: [unclosed\n")
    assert problem.startswith("tiny.yaml: line ")


def test_an_unknown_pulse_lists_the_known_ones():
    with pytest.raises(ContentError, match="abc-and-voice"):
        load_pulse("no-such-pulse", folder=PULSES_DIR)


def test_check_pulse_reports_every_problem_at_once():
    problems = []
    try:
        check_pulse({"id": "x", "items": [{"id": "Bad Id"}]}, "x.yaml", expected_id="x")
    except ContentError as error:
        problems = error.problems
    assert len(problems) >= 4  # title, id pattern, label, prompt, options
