"""Reflection and pledge: typed text is saved visibly and restored."""

import re

from leadership_course import reflection
from leadership_course.components.reflection import MAX_LENGTH


def test_save_shows_the_time(learner, monkeypatch):
    """Does leaving the box say 'Saved automatically at HH:MM', then Save 'Saved at HH:MM'
    (not 'again': the learner pressed it once), and a second Save 'Saved again at HH:MM'?"""
    monkeypatch.setattr("leadership_course.components.reflection.now", lambda: "2026-12-04T10:42:05")  # one minute
    view = reflection("sample-reflection")
    view.box.value = "I will ask how I can help."
    assert re.fullmatch(r"Saved automatically at \d\d:\d\d\.", view.status.text)  # the box was left
    view.save_button.click()
    assert re.fullmatch(r"Saved at \d\d:\d\d\.", view.status.text), "Save must say something new"
    view.save_button.click()
    assert re.fullmatch(r"Saved again at \d\d:\d\d\.", view.status.text), "a second Save must say something new"
    saved = learner.activity("sample-reflection")
    assert saved["text"] == "I will ask how I can help." and saved["completed"] is True
    assert saved["kind"] == "pledge"


def test_leaving_the_box_saves(learner):
    """Is the text saved when the box's value changes (the learner leaves the box)?"""
    view = reflection("sample-reflection")
    view.box.value = "Listen first."
    assert learner.activity("sample-reflection")["text"] == "Listen first."


def test_text_restored_on_reload(learner):
    """Is the saved text shown again, with its saved time?"""
    reflection("sample-reflection").box.value = "Stay curious."
    again = reflection("sample-reflection")
    assert again.box.value == "Stay curious."
    assert again.status.text.startswith("Saved at ")


def test_very_long_text_is_trimmed_and_said(learner):
    """Is a huge text kept up to the limit, and is the learner told?"""
    view = reflection("sample-reflection")
    view.box.value = "x" * (MAX_LENGTH + 10)
    assert len(learner.activity("sample-reflection")["text"]) == MAX_LENGTH
    assert "Only the first" in view.status.text


def test_the_box_is_named_by_its_prompt(learner):
    """Is the reflection's prompt the text box's label, so that a screen reader says it?"""
    from leadership_course.content import load_activity
    from leadership_course.components.markup import html_to_text

    view = reflection("sample-reflection")
    prompt = load_activity("sample-reflection", "reflection")["prompt"]
    assert html_to_text(view.box.label_html).startswith(" ".join(prompt.split())[:30])


def test_a_pledge_titled_my_pledge_is_not_headed_your_pledge_my_pledge():
    """Is a title that already names its kind shown alone, and any other after the kind?"""
    from leadership_course.components.reflection import heading

    assert heading("pledge", "My pledge") == "My pledge"
    assert heading("pledge", "Kindness at handover") == "Your pledge: Kindness at handover"
    assert heading("goals", "My goals for this course") == "My goals for this course"
