"""Self-check: answers saved as given, averages with reverse items, chart with alt text and table."""

import re

from leadership_course import self_check
from leadership_course.components.self_check import DISCLAIMER, dimension_scores


def test_scores_count_reverse_items_the_other_way(content_dir):
    """Is 'Rarely' on a reverse-scored item counted as the top of the scale?"""
    from leadership_course.content import load_activity

    activity = load_activity("sample-self-check")
    scores = dimension_scores(activity, {"noticing-1": 4, "noticing-2": 1, "helping-1": 2})
    assert scores == {"noticing": 4.0, "helping": 2.0}


def test_results_need_every_answer(learner):
    """Does Show my results ask for the missing answers first?"""
    view = self_check("sample-self-check")
    view.answer("noticing-1", 3)
    view.show_results()
    assert "2 still to answer" in view.status.text
    assert view.results.value == ""


def test_results_asked_for_before_the_last_answer_arrived_show_when_it_does(learner):
    """If Show my results reaches the kernel before the last choice (ipywidgets can order
    them so), do the results show once that choice arrives, without a second click?"""
    view = self_check("sample-self-check")
    view.answer("noticing-1", 3)
    view.answer("noticing-2", 2)
    view.show_results()
    assert "1 still to answer" in view.status.text and view.results.value == ""
    view.answer("helping-1", 4)
    assert "Your results" in view.results.value
    assert learner.activity("sample-self-check")["completed"] is True


def test_answers_alone_never_show_results_unasked(learner):
    """Does answering every statement without selecting Show my results leave the results
    hidden, so they come only when the learner asks?"""
    view = self_check("sample-self-check")
    for item, value in {"noticing-1": 3, "noticing-2": 2, "helping-1": 4}.items():
        view.answer(item, value)
    assert view.results.value == ""
    assert "completed" not in learner.activity("sample-self-check")


def test_results_chart_has_alt_text_and_table(learner):
    """Are results shown as an image with alt text giving the figures, and as a table?"""
    view = self_check("sample-self-check")
    for item, value in {"noticing-1": 3, "noticing-2": 2, "helping-1": 4}.items():
        view.answer(item, value)
    view.show_results()
    page = view.results.value
    alt = re.search(r"alt='([^']*)'", page).group(1)
    assert alt == "Bar chart of your average for each area, on a scale of 1 to 4: Noticing 3.0, Helping 4.0."
    assert page.count("data:image/png;base64,") == 1
    assert "<th scope='row'>Noticing</th><td>3.0</td>" in page
    assert DISCLAIMER in page
    saved = learner.activity("sample-self-check")
    assert saved["completed"] is True and saved["scores"] == {"noticing": 3.0, "helping": 4.0}


def test_answers_and_results_restored(learner):
    """Are answers and results shown again when the cell is run again?"""
    view = self_check("sample-self-check")
    for item, value in {"noticing-1": 1, "noticing-2": 4, "helping-1": 2}.items():
        view.answer(item, value)
    view.show_results()
    again = self_check("sample-self-check")
    assert again.responses == {"noticing-1": 1, "noticing-2": 4, "helping-1": 2}
    assert "Your results" in again.results.value


def test_partial_answers_are_saved_as_given(learner):
    """Is each answer saved the moment it is chosen?"""
    view = self_check("sample-self-check")
    view.answer("helping-1", 2)
    assert learner.activity("sample-self-check")["responses"] == {"helping-1": 2}
