"""Content files are checked on load; every problem names the file, the item and the field."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from leadership_course.content import (ContentError, check_all, ends_a_sentence, load_activity, safety_or_consent,
                                       scenario_paths)

FIXTURES = Path(__file__).parent / "fixtures" / "course" / "modules" / "content"
REPO = Path(__file__).parent.parent


def write(folder, name, text):
    (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def problems_for(tmp_path, name, text):
    write(tmp_path, name, text)
    with pytest.raises(ContentError) as caught:
        load_activity(name, content_dir=tmp_path)
    return caught.value.problems


def scenario_text(nodes, endings="  end: {title: End, outcome: mixed, text: Done., debrief: Why.}\n",
                  start="a", state="{trust: 0}"):
    return (f"type: scenario\nid: s\nmodule: 1\ntitle: S\nstate: {state}\nstart: {start}\n"
            f"nodes:\n{nodes}endings:\n{endings}")


def test_sample_content_is_valid():
    """Does the test course pass every check?"""
    assert check_all(FIXTURES) == []


BROKEN_CASES = {
    "missing-feedback": (
        """
        type: knowledge_check
        id: missing-feedback
        module: 1
        title: T
        questions:
          - id: q
            kind: single
            prompt: P?
            options:
              - {text: A, correct: true, feedback: Yes.}
              - {text: B, correct: false}
        """,
        "missing-feedback.yaml: questions[1].options[2].feedback: 'feedback' is missing",
    ),
    "two-correct-single": (
        """
        type: knowledge_check
        id: two-correct-single
        module: 1
        title: T
        questions:
          - id: q
            kind: single
            prompt: P?
            options:
              - {text: A, correct: true, feedback: Yes.}
              - {text: B, correct: true, feedback: Yes.}
        """,
        "questions[1].options: a single question needs exactly one correct option, found 2",
    ),
    "bad-true-false": (
        """
        type: knowledge_check
        id: bad-true-false
        module: 1
        title: T
        questions:
          - id: q
            kind: true_false
            prompt: P?
            options:
              - {text: Right, correct: true, feedback: Yes.}
              - {text: Wrong, correct: false, feedback: No.}
        """,
        "a true_false question has exactly two options, 'True' and 'False'",
    ),
    "unknown-kind": (
        "type: knowledge_check\nid: unknown-kind\nmodule: 1\ntitle: T\nquestions:\n"
        "  - {id: q, kind: essay, prompt: P, options: [{text: A, correct: true, feedback: F}, "
        "{text: B, correct: false, feedback: G}]}\n",
        "questions[1].kind: 'essay' is not one of single, multiple, true_false",
    ),
    "wrong-id": (
        "type: reflection\nid: another-name\nmodule: 1\ntitle: T\nprompt: P\n",
        "wrong-id.yaml: id: 'another-name' does not match the file name 'wrong-id'",
    ),
    "module-as-text": (
        "type: reflection\nid: module-as-text\nmodule: one\ntitle: T\nprompt: P\n",
        "module-as-text.yaml: module: 'module' must be a whole number, not text",
    ),
    "bad-yaml": (
        "type: reflection\nid: bad-yaml\n  title: [unclosed\n",
        "bad-yaml.yaml: line",
    ),
    "self-check-short-scale": (
        "type: self_check\nid: self-check-short-scale\nmodule: 1\ntitle: T\nscale: [Yes, No]\n"
        "dimensions:\n  - {id: d, label: D, items: [{id: i, text: I}]}\n",
        "self-check-short-scale.yaml: scale: the scale needs 3 to 7 text labels",
    ),
    "duplicate-item": (
        "type: self_check\nid: duplicate-item\nmodule: 1\ntitle: T\nscale: [A, B, C]\n"
        "dimensions:\n  - {id: d, label: D, items: [{id: i, text: I}, {id: i, text: J}]}\n",
        "dimensions[1].items[2].id: id 'i' is used twice",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_file_reports_file_item_and_field(tmp_path, name):
    """Does each broken file fail with a message naming its file, item and field?"""
    text, expected = BROKEN_CASES[name]
    problems = problems_for(tmp_path, name, textwrap.dedent(text))
    assert any(expected in p for p in problems), problems


def test_scenario_target_that_does_not_exist(tmp_path):
    """Is a choice leading to a missing node reported?"""
    nodes = "  a:\n    text: A\n    choices:\n      - {text: Go, consequence: C, next: nowhere}\n"
    problems = problems_for(tmp_path, "s", scenario_text(nodes))
    assert "s.yaml: nodes.a.choices[1].next: 'nowhere' is neither a node nor an ending" in problems


def test_scenario_unreachable_node_and_ending(tmp_path):
    """Are nodes and endings that no path reaches reported?"""
    nodes = ("  a:\n    text: A\n    choices:\n      - {text: Go, consequence: C, next: end}\n"
             "  island:\n    text: I\n    choices:\n      - {text: Go, consequence: C, next: lost}\n")
    endings = ("  end: {title: E, outcome: mixed, text: T., debrief: D.}\n"
               "  lost: {title: L, outcome: difficult, text: T., debrief: D.}\n")
    problems = problems_for(tmp_path, "s", scenario_text(nodes, endings))
    assert "s.yaml: nodes.island: 'island' cannot be reached from the start" in problems
    assert "s.yaml: endings.lost: 'lost' cannot be reached from the start" in problems


def test_scenario_loop_is_reported(tmp_path):
    """Is a path that loops back on itself (and so never ends) reported?"""
    nodes = ("  a:\n    text: A\n    choices:\n      - {text: Onward, consequence: C, next: b}\n"
             "  b:\n    text: B\n    choices:\n      - {text: Back, consequence: C, next: a}\n"
             "      - {text: End, consequence: C, next: end}\n")
    problems = problems_for(tmp_path, "s", scenario_text(nodes))
    assert any("a path loops back on itself: a -> b -> a" in p for p in problems), problems


def test_scenario_node_where_every_choice_is_conditional(tmp_path):
    """Is a node where the learner could be left with no choice reported?"""
    nodes = "  a:\n    text: A\n    choices:\n      - {text: Go, requires: 'trust >= 1', consequence: C, next: end}\n"
    problems = problems_for(tmp_path, "s", scenario_text(nodes))
    assert "s.yaml: nodes.a.choices: at least one choice must have no 'requires', so nobody is stuck" in problems


def test_scenario_undeclared_state_and_bad_condition(tmp_path):
    """Are unknown state names and unreadable conditions reported with their place?"""
    nodes = ("  a:\n    text: A\n    choices:\n"
             "      - {text: Go, consequence: C, effects: {mood: 1}, next: end}\n"
             "      - {text: If, requires: 'trust is high', consequence: C, next: end}\n")
    problems = problems_for(tmp_path, "s", scenario_text(nodes))
    assert "s.yaml: nodes.a.choices[1].effects.mood: 'mood' is not declared under 'state'" in problems
    assert any(p.startswith("s.yaml: nodes.a.choices[2].requires: cannot read 'trust is high'") for p in problems)


def test_scenario_conditional_next_needs_a_default(tmp_path):
    """Must a state-dependent 'next' end with an entry that always applies?"""
    nodes = ("  a:\n    text: A\n    choices:\n      - text: Go\n        consequence: C\n        next:\n"
             "          - {when: 'trust >= 1', go: end}\n")
    problems = problems_for(tmp_path, "s", scenario_text(nodes))
    assert "s.yaml: nodes.a.choices[1].next[1]: the last entry must have no 'when', so there is always a way on" in problems


def test_unquoted_yes_explains_the_quotes(tmp_path):
    """Does YAML's habit of reading Yes as true/false get a message an author can act on?"""
    text = BROKEN_CASES["missing-feedback"][0].replace("{text: B, correct: false}", "{text: B, correct: false, feedback: Yes}")
    problems = problems_for(tmp_path, "missing-feedback", textwrap.dedent(text))
    assert any("'feedback' must be text, not true or false (put it in quotes" in p for p in problems), problems


def test_missing_activity_file_names_it(tmp_path):
    """Does asking for an activity that has no file say which file is missing?"""
    with pytest.raises(ContentError, match="no-such-thing.yaml: there is no activity"):
        load_activity("no-such-thing", content_dir=tmp_path)


def test_check_command_fails_on_broken_content(tmp_path):
    """Does `python -m leadership_course check` exit non-zero and list the problems?"""
    (tmp_path / "course.yaml").write_text(
        "title: T\nmodules:\n  - {number: 1, title: M, purpose: P, minutes: 20, activities: [absent]}\n")
    write(tmp_path, "wrong-id", BROKEN_CASES["wrong-id"][0])
    result = subprocess.run([sys.executable, "-m", "leadership_course", "check", "--content", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "course.yaml: module 1: activity 'absent' has no file" in result.stdout
    assert "wrong-id.yaml: id:" in result.stdout


def test_course_content_is_valid():
    """Does the real course content pass `python -m leadership_course check`?"""
    result = subprocess.run([sys.executable, "-m", "leadership_course", "check"], cwd=REPO / "modules",
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_scenario_ending_that_the_conditions_never_allow(tmp_path):
    """Is an ending reported when the graph reaches it but no path's state ever does?"""
    nodes = ("  a:\n    text: A\n    choices:\n"
             "      - text: Go\n        consequence: C\n        effects: {trust: 1}\n        next:\n"
             "          - {when: 'trust >= 5', go: best}\n          - {go: end}\n")
    endings = ("  end: {title: E, outcome: mixed, text: T., debrief: D.}\n"
               "  best: {title: B, outcome: positive, text: T., debrief: D.}\n")
    problems = problems_for(tmp_path, "s", scenario_text(nodes, endings))
    assert ("s.yaml: endings.best: no path reaches this ending: the conditions on the way "
            "('requires' and 'when') never let it happen") in problems


def test_scenario_choice_that_is_never_on_offer(tmp_path):
    """Is a conditional choice reported when no path arrives with the state it needs?"""
    nodes = ("  a:\n    text: A\n    choices:\n"
             "      - {text: Go, consequence: C, next: end}\n"
             "      - {text: Only if, requires: 'trust >= 1', consequence: C, next: end}\n")
    problems = problems_for(tmp_path, "s", scenario_text(nodes))
    assert "s.yaml: nodes.a.choices[2].requires: this choice is never on offer: no path arrives here with trust >= 1" in problems


def test_help_or_consent_choice_cannot_be_hidden(tmp_path):
    """Is a choice marked always_open (it offers help or asks consent) refused when it has 'requires'?"""
    nodes = ("  a:\n    text: A\n    choices:\n"
             "      - {text: Go, consequence: C, effects: {trust: 1}, next: b}\n"
             "  b:\n    text: B\n    choices:\n"
             "      - {text: Carry on, consequence: C, next: end}\n"
             "      - {text: Ask what would help, always_open: true, requires: 'trust >= 1', consequence: C, next: end}\n")
    problems = problems_for(tmp_path, "s", scenario_text(nodes))
    assert ("s.yaml: nodes.b.choices[2].requires: this choice offers help or asks for consent ('always_open'), "
            "so it must be on offer on every path: remove 'requires'") in problems
    fixed = scenario_text(nodes.replace(", requires: 'trust >= 1'", ""))
    write(tmp_path, "s", fixed)
    assert load_activity("s", content_dir=tmp_path)["nodes"]["b"]["choices"][1]["always_open"] is True


#: Words that mark a choice offering help, asking for help, or about consent and confidentiality.
HELP_OR_CONSENT = re.compile(r"occupational health|supervision|what would help|extra pair of hands|"
                             r"\b(her|his|their) name\b|consent|confidential|safe to drive|safe in (him|her|them)self",
                             re.I)


def course_choices():
    for path in sorted((REPO / "modules" / "content").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("type") == "scenario":
            for node_id, node in data["nodes"].items():
                for index, choice in enumerate(node["choices"]):
                    yield f"{path.name}: {node_id}[{index + 1}]", choice


def test_course_help_and_consent_choices_are_never_hidden():
    """Is no course choice that speaks of help, support or consent hidden behind 'requires'?"""
    found = [(where, choice) for where, choice in course_choices() if HELP_OR_CONSENT.search(choice["text"])]
    assert len([where for where, choice in found if choice.get("always_open")]) >= 6
    assert [where for where, choice in found if "requires" in choice] == []


def test_feedback_or_debrief_cut_off_mid_sentence_is_reported(tmp_path):
    """Is feedback, an ending or a debrief that stops mid-sentence (or trails off in "...") reported?"""
    text = BROKEN_CASES["missing-feedback"][0].replace(
        "{text: B, correct: false}", "{text: B, correct: false, feedback: She asked and listened...}")
    problems = problems_for(tmp_path, "missing-feedback", textwrap.dedent(text))
    assert ("missing-feedback.yaml: questions[1].options[2].feedback: this text stops mid-sentence: "
            "end it with a full stop, ! or ?") in problems
    nodes = "  a:\n    text: A\n    choices:\n      - {text: Go, consequence: C, next: end}\n"
    endings = "  end: {title: E, outcome: mixed, text: It ended, debrief: Why it matters.}\n"
    problems = problems_for(tmp_path, "s", scenario_text(nodes, endings))
    assert "s.yaml: endings.end.text: this text stops mid-sentence: end it with a full stop, ! or ?" in problems


@pytest.mark.parametrize("text, finished", [
    ("Done.", True), ('She said "yes."', True), ("Is it?", True), ("(see Module 5.)", True),
    ("and listened...", False), ("and listened\u2026", False), ("A model answer: the myth", False),
])
def test_ends_a_sentence(text, finished):
    """Does ends_a_sentence tell a finished sentence from one cut off or trailing away?"""
    assert ends_a_sentence(text) is finished


# The three choices the December 2026 review found hidden behind a score, put back as they were.
HIDDEN_BEFORE = {
    "mdt-meeting-scenario": ("weighing-up", 0, "picture >= 1",
                             "nodes.weighing-up.choices[1].requires: this choice checks that someone is safe"),
    "collective-falls-scenario": ("who-leads", 2, "direction >= 1 and commitment >= 1",
                                  "nodes.who-leads.choices[3].requires: this choice asks what matters to the person"),
    "medicine-error-scenario": ("next-steps", 0, "learning >= 2",
                                "endings.ending-team-learns: the best ending is open on only"),
}


@pytest.mark.parametrize("scenario", sorted(HIDDEN_BEFORE))
def test_choice_hidden_again_fails_the_check(tmp_path, scenario):
    """Does putting back a hidden safety, consent or system-learning choice (without 'always_open') fail?"""
    node, index, requires, expected = HIDDEN_BEFORE[scenario]
    data = yaml.safe_load((REPO / "modules" / "content" / f"{scenario}.yaml").read_text(encoding="utf-8"))
    load_activity(scenario, content_dir=REPO / "modules" / "content")
    choice = data["nodes"][node]["choices"][index]
    choice.pop("always_open", None)
    choice["requires"] = requires
    (tmp_path / f"{scenario}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_activity(scenario, content_dir=tmp_path)
    assert any(problem.startswith(f"{scenario}.yaml: {expected}") for problem in caught.value.problems), \
        caught.value.problems


@pytest.mark.parametrize("text, does", [
    ("Ask Jess and Femi to do a joint kitchen assessment tomorrow.", "checks that someone is safe"),
    ("Ask whether he is safe to drive home.", "checks that someone is safe"),
    ("Complete an incident report before you go.", "reports"),
    ("Make a safeguarding referral.", "safeguards"),
    ("With Mr Ellis's agreement, talk to Carol.", "asks a person's consent"),
    ("Ask Joy how she would like her name used.", "asks a person's consent"),
    ("Ask him whether he would like his daughter involved.", "asks a person's consent"),
    ("Visit Mr Booth and ask what matters most to him.", "asks what matters to the person"),
    ("Invite Ravi to the next team meeting, and offer to report on visits.", None),
    ("Propose that all three write a short statement against the criteria.", None),
])
def test_safety_or_consent_is_found_by_what_the_text_does(text, does):
    """Is a choice's purpose read from its words (and an ordinary choice left alone)?"""
    assert safety_or_consent(text) == does


def test_requires_because_lets_the_author_say_why(tmp_path):
    """May a consent choice be hidden when 'requires_because' says why, and only then?"""
    hidden = ("  a:\n    text: A\n    choices:\n      - {text: Go, consequence: C, effects: {trust: 1}, next: b}\n"
              "      - {text: Stay, consequence: C, next: b}\n"
              "  b:\n    text: B\n    choices:\n      - {text: Go on, consequence: C, next: end}\n"
              "      - {text: Ask her consent to share it, requires: 'trust >= 1', consequence: C, next: end}\n")
    problems = problems_for(tmp_path, "s", scenario_text(hidden))
    assert any(p.startswith("s.yaml: nodes.b.choices[2].requires: this choice asks a person's consent") for p in problems)
    because = hidden.replace("requires: 'trust >= 1',", "requires: 'trust >= 1', requires_because: She asked first.,")
    write(tmp_path, "s", scenario_text(because))
    assert load_activity("s", content_dir=tmp_path)["nodes"]["b"]["choices"][1]["requires_because"]


RARE = ("  a:\n    text: A\n    choices:\n"
        + "".join(f"      - {{text: C{i}, consequence: C, next: b}}\n" for i in range(10))
        + "      - {text: Best way, consequence: C, effects: {trust: 1}, next: b}\n"
        "  b:\n    text: B\n    choices:\n      - text: Onward\n        consequence: C\n        next:\n"
        "          - {when: 'trust >= 1', go: best}\n          - go: end\n")
RARE_ENDINGS = ("  best: {title: B, outcome: positive, text: T., debrief: D.}\n"
                "  end: {title: E, outcome: mixed, text: T., debrief: D.}\n")


def test_paths_are_counted_per_ending():
    """Are paths counted per ending, with the arrivals at the best ending's last decision?"""
    data = yaml.safe_load(scenario_text(RARE, RARE_ENDINGS))
    paths = scenario_paths(data)
    assert paths["endings"] == {"best": 1, "end": 10}
    assert (paths["last"], paths["arrivals"], paths["best_open"]) == (["b"], 11, 1)


def test_rare_best_ending_fails_unless_the_scenario_says_why(tmp_path):
    """Does a best ending open on under a tenth of arrivals fail, unless 'rare_best_ending_because' says why?"""
    problems = problems_for(tmp_path, "s", scenario_text(RARE, RARE_ENDINGS))
    assert ("s.yaml: endings.best: the best ending is open on only 1 of 11 paths that arrive at its last decision "
            "(b), fewer than 10%: open the way (fewer 'requires', gentler 'when'), or say why in "
            "'rare_best_ending_because'") in problems
    write(tmp_path, "s", scenario_text(RARE, RARE_ENDINGS).replace("start: a", "rare_best_ending_because: Why.\nstart: a"))
    assert load_activity("s", content_dir=tmp_path)["rare_best_ending_because"] == "Why."


def test_check_command_reports_paths_per_ending():
    """Does `check` list, for every scenario, how many paths reach each ending?"""
    result = subprocess.run([sys.executable, "-m", "leadership_course", "check"], cwd=REPO / "modules",
                            capture_output=True, text=True)
    scenarios = sorted(p.stem for p in (REPO / "modules" / "content").glob("*-scenario.yaml"))
    lines = [line for line in result.stdout.splitlines() if " paths (" in line]
    assert [line.split(":")[0] for line in lines] == scenarios
    assert any(line.startswith("medicine-error-scenario: ") and "ending-team-learns " in line for line in lines)
