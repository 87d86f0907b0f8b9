"""Branching scenario: state carries across choices, history opens choices and picks endings."""

import pytest

from leadership_course import scenario


def texts(view):
    return [text for _, text in view.visible_choices()]


def choose(view, text):
    """Select the choice whose label is ``text``, as a learner would."""
    for number, label in view.choices.options:
        if label == text:
            view.choices.choose(number)
            return
    raise AssertionError(f"no choice '{text}' among {texts(view)}")


def test_consequence_is_shown_as_what_happens_next(learner):
    """Does a choice show what happens next, not right or wrong?"""
    view = scenario("sample-scenario")
    choose(view, "Listen")
    assert view.consequence.text == "What happens next: They open up."
    assert "The second step." in view.body.value


def test_choice_depends_on_history(learner):
    """Is a choice offered only when earlier choices have built enough trust?"""
    rushed = scenario("sample-scenario")
    choose(rushed, "Rush off")
    assert texts(rushed) == ["Carry on"]
    rushed.restart_button.click()
    choose(rushed, "Listen")
    assert texts(rushed) == ["Offer help (only if trusted)", "Carry on"]


@pytest.mark.parametrize("first, second, ending", [
    ("Listen", "Offer help (only if trusted)", "good"),
    ("Listen", "Carry on", "middling"),
    ("Rush off", "Carry on", "hard"),
])
def test_ending_depends_on_the_state(learner, first, second, ending):
    """Does the same last choice lead to different endings depending on the path taken?"""
    view = scenario("sample-scenario")
    for text in (first, second, "Decide"):
        choose(view, text)
    assert view.place == ending and view.at_ending
    assert view.choices.options == []
    run = learner.activity("sample-scenario")["runs"][-1]
    assert run["ending"] == ending
    assert [step["text"] for step in run["path"]] == [first, second, "Decide"]


def test_debrief_shows_path_outcome_and_evidence(learner):
    """Does the ending show the outcome, the learner's path, the debrief and the references?"""
    view = scenario("sample-scenario")
    for text in ("Listen", "Offer help (only if trusted)", "Decide"):
        choose(view, text)
    page = view.body.value
    assert "Ending: Good end" in page and "Outcome:</strong> a positive ending" in page
    assert "<li>Listen</li><li>Offer help (only if trusted)</li><li>Decide</li>" in page
    assert "Listening built trust." in page
    assert "Author A. A sample source." in page and "https://example.org/sample" in page


def test_back_undoes_the_last_choice_and_its_effect(learner):
    """Does Back return to the previous step with the state as it was?"""
    view = scenario("sample-scenario")
    choose(view, "Listen")
    assert view.state == {"trust": 1}
    view.back_button.click()
    assert view.place == "first" and view.state == {"trust": 0} and view.path == []
    assert learner.activity("sample-scenario")["path"] == []


def test_restart_keeps_finished_runs(learner):
    """Does Restart go back to the start but keep the endings already reached?"""
    view = scenario("sample-scenario")
    for text in ("Rush off", "Carry on", "Decide"):
        choose(view, text)
    view.restart_button.click()
    assert view.place == "first"
    saved = learner.activity("sample-scenario")
    assert saved["completed"] is True and len(saved["runs"]) == 1


def test_path_is_restored_on_reload(learner):
    """Does showing the scenario again continue from where the learner was?"""
    view = scenario("sample-scenario")
    choose(view, "Listen")
    again = scenario("sample-scenario")
    assert again.place == "second" and again.state == {"trust": 1}
    assert texts(again) == ["Offer help (only if trusted)", "Carry on"]


def test_saved_path_that_no_longer_fits_is_cut_short(learner):
    """Is a saved path with impossible steps cut at the first bad step instead of crashing?"""
    learner.update("sample-scenario", {"path": [{"node": "first", "choice": 0}, {"node": "second", "choice": 0},
                                                 {"node": "third", "choice": 99}], "runs": "junk"})
    view = scenario("sample-scenario")
    assert view.place == "third" and len(view.path) == 2 and view.runs == []


def test_choice_not_on_offer_is_refused(learner):
    """Can a hidden (conditional) choice not be taken by calling pick directly?"""
    view = scenario("sample-scenario")
    choose(view, "Rush off")
    with pytest.raises(ValueError):
        view.pick(0)


def test_a_choice_from_an_earlier_step_is_ignored(learner):
    """Is a click on a button of a step already left (sent before the buttons were
    replaced) ignored, so that one click never takes two steps?"""
    view = scenario("sample-scenario")
    stale_round = view.choices.round
    choose(view, "Listen")
    view.choices._message(view.choices, {"choose": 1, "round": stale_round}, [])
    assert view.place == "second" and len(view.path) == 1


def test_endings_reached_are_listed_after_a_reload(learner):
    """Does the scenario list the endings the learner has reached, also after a reload?"""
    view = scenario("sample-scenario")
    for text in ("Rush off", "Carry on", "Decide"):
        choose(view, text)
    view.restart_button.click()
    again = scenario("sample-scenario")
    assert again.endings_reached() == [("Hard end", "difficult")]
    assert "Endings you have reached:</strong> 1 of 3." in again.standing.value


def test_the_evidence_at_an_ending_links_each_reference_by_its_title(learner):
    """Is each reference under "Evidence" a link named by the reference's text (what a
    screen reader reads), with no bare address shown?"""
    view = scenario("sample-scenario")
    for text in ("Rush off", "Carry on", "Decide"):
        choose(view, text)
    evidence = view.body.value.split("<h4>Evidence</h4>")[1]
    assert "<a href='https://example.org/sample'>Author A. A sample source. Publisher, 2020.</a>" in evidence
    assert ">https://" not in evidence
