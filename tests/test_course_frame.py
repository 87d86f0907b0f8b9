"""Every module has the shape in CURRICULUM.md: title, time, three outcomes, activities,
key points, a pledge, further reading and links on to the rest of the course."""

import re

import pytest

from course_text import activity, calls, cells, course, markdown_text, written_modules

MODULES = [m for m in written_modules() if m["number"] > 0]
ALL = written_modules()
#: Every module's topic can upset someone (bullying, harm, burnout, whistleblowing, distress at work),
#: and Module 0 promises a content note in each.
UPSETTING = set(range(1, 10))
#: The support CURRICULUM.md asks a content note to signpost, and the pointer to urgent help.
SIGNPOSTS = ("line manager", "occupational health", "employee assistance", "speaking-up policy",
             "Freedom to Speak Up Guardian", "Getting help now")


def module_id(module):
    return f"module-{module['number']}"


@pytest.mark.parametrize("module", ALL, ids=module_id)
def test_title_time_and_three_outcomes(module):
    """Does the module open with its title, purpose, time and exactly three outcomes?"""
    text = markdown_text(module["notebook"])
    assert f"# Module {module['number']}: {module['title']}" in text
    assert f"**Time:** about {module['minutes']} minutes" in text
    outcomes = text.split("## What you will be able to do")[1].split("\n#")[0]
    assert len(re.findall(r"^\d\. ", outcomes, flags=re.M)) == 3


@pytest.mark.parametrize("module", ALL, ids=module_id)
def test_key_points_pledge_and_further_reading(module):
    """Does the module end with key points, a pledge and further reading?"""
    text = markdown_text(module["notebook"])
    assert "## Key points" in text and "## Further reading" in text
    pledges = [a for a in calls(module["notebook"], "show_reflection") if activity(a).get("kind") == "pledge"]
    assert pledges, "no pledge"


@pytest.mark.parametrize("module", MODULES, ids=module_id)
def test_minutes_in_range(module):
    """Is the module's time between 20 and 40 minutes?"""
    assert 20 <= module["minutes"] <= 40


@pytest.mark.parametrize("module", [m for m in MODULES if m["number"] in UPSETTING], ids=module_id)
def test_content_note_with_support(module):
    """Does the module open with a content note that signposts support, speaking-up routes and urgent help?"""
    note = content_note(module["notebook"])
    assert [sign for sign in SIGNPOSTS if sign not in note] == []


def content_note(notebook):
    """The content note: the quoted paragraph that starts '**Content note.**', without its quote marks."""
    text = markdown_text(notebook)
    match = re.search(r"^> \*\*Content note\.\*\*.*?(?=\n(?!>))", text, flags=re.M | re.S)
    assert match, "no content note"
    return " ".join(line.lstrip("> ").strip() for line in match.group(0).splitlines())


def test_content_note_check_can_fail():
    """Is a note without speaking-up routes or urgent help caught?"""
    note = "Content note. Talk to your line manager or occupational health."
    assert [sign for sign in SIGNPOSTS if sign not in note] != []


URGENT_NUMBERS = ("999", "NHS 111", "select the mental health option", "116 123", "85258", "0300 0303 300")


def test_getting_help_now_lists_the_checked_lines():
    """Does Module 0's 'Getting help now' give 999, NHS 111's mental health option and the checked lines?"""
    text = markdown_text("00_start_here.ipynb").split("## Getting help now")[1].split("\n## ")[0]
    assert [item for item in URGENT_NUMBERS if item not in text] == []
    assert "0300 131 7000" not in text and "FRONTLINE" not in text  # COVID-era lines, not current


@pytest.mark.parametrize("module", MODULES, ids=module_id)
def test_knowledge_check_of_four_to_six_questions(module):
    """Has the module a knowledge check of 4 to 6 questions?"""
    checks = calls(module["notebook"], "show_knowledge_check")
    assert any(4 <= len(activity(c)["questions"]) <= 6 for c in checks)


def endings_and_depths(scenario):
    """All endings reachable and the number of decisions on every path (ignoring conditions)."""
    depths, endings = [], set()

    def walk(node, depth):
        if node in scenario["endings"]:
            depths.append(depth)
            endings.add(node)
            return
        for choice in scenario["nodes"][node]["choices"]:
            targets = [choice["next"]] if isinstance(choice["next"], str) else [e["go"] for e in choice["next"]]
            for target in targets:
                walk(target, depth + 1)

    walk(scenario["start"], 0)
    return endings, depths


@pytest.mark.parametrize("module", MODULES, ids=module_id)
def test_scenario_shape(module):
    """Has the module a scenario with 3+ decisions on every path, 3+ endings and state?"""
    scenarios = [activity(s) for s in calls(module["notebook"], "show_scenario")]
    assert scenarios, "no scenario"
    for scenario in scenarios:
        endings, depths = endings_and_depths(scenario)
        assert len(endings) >= 3
        assert min(depths) >= 3
        assert scenario.get("state")
        outcomes = {scenario["endings"][e]["outcome"] for e in endings}
        assert len(outcomes) >= 2


@pytest.mark.parametrize("module", MODULES, ids=module_id)
def test_self_check_or_reflection(module):
    """Has the module a self-check, a plan or a reflection (besides its pledge)?"""
    reflections = [a for a in calls(module["notebook"], "show_reflection") if activity(a).get("kind") != "pledge"]
    assert calls(module["notebook"], "show_self_check") or calls(module["notebook"], "show_plan") or reflections


@pytest.mark.parametrize("module", ALL, ids=module_id)
def test_every_activity_in_course_map_is_shown(module):
    """Is every activity listed for the module in course.yaml shown in its notebook (a plan
    shows its parts), and no other?"""
    shown = []
    for function in ("show_knowledge_check", "show_scenario", "show_self_check", "show_reflection"):
        shown += calls(module["notebook"], function)
    for plan_id in calls(module["notebook"], "show_plan"):
        shown += [part["reflection"] for part in activity(plan_id)["parts"]]
    assert sorted(shown) == sorted(module.get("activities") or [])


@pytest.mark.parametrize("module", ALL, ids=module_id)
def test_links_to_neighbours(module):
    """Does the module link to the course home, and to the next module when it exists?"""
    text = markdown_text(module["notebook"])
    assert "](course_home.ipynb)" in text
    numbers = {m["number"]: m for m in course()["modules"]}
    after = numbers.get(module["number"] + 1)
    if after and after.get("notebook"):
        assert f"]({after['notebook']})" in text


@pytest.mark.parametrize("module", ALL, ids=module_id)
def test_first_code_cell_imports_what_is_used(module):
    """Does the first code cell import exactly the functions the notebook calls?"""
    code = [source for kind, source in cells(module["notebook"]) if kind == "code"]
    imported = set(re.match(r"from leadership_course import (.+)$", code[0]).group(1).split(", "))
    used = {re.match(r"(\w+)\(", line).group(1) for line in code[1:]}
    assert imported == used


def glossary_terms():
    from course_text import CONTENT
    import yaml

    path = CONTENT / "glossary.yaml"
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else []


@pytest.mark.parametrize("module", MODULES, ids=module_id)
def test_glossary_terms_link_to_the_glossary(module):
    """Does a module that uses a glossary abbreviation (such as FTSU or WRES) link to the glossary?"""
    text = markdown_text(module["notebook"])
    used = [t for t in glossary_terms() if t.isupper() and re.search(rf"\b{re.escape(t)}\b", text)]
    if used:
        assert "](glossary.ipynb" in text, f"uses {used} but does not link to glossary.ipynb"


def test_every_picture_is_listed_and_shown():
    """Is every picture in assets/ listed with alt text, and shown by some notebook?"""
    from course_text import REPO
    import yaml

    listed = yaml.safe_load((REPO / "assets" / "pictures.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in (REPO / "assets").glob("*.svg")}
    assert files == {entry["file"] for entry in listed.values()}
    shown = set()
    for module in ALL:
        shown |= set(calls(module["notebook"], "show_picture"))
    assert shown == set(listed)


@pytest.mark.parametrize("module", ALL, ids=module_id)
def test_tables_have_a_header_in_every_column(module):
    """Has every Markdown table a heading in each column (screen readers need them)?"""
    lines = markdown_text(module["notebook"]).splitlines()
    for header, rule in zip(lines, lines[1:]):
        if header.startswith("|") and re.match(r"^\|(\s*:?-+:?\s*\|)+$", rule.strip()):
            cells = [c.strip() for c in header.strip().strip("|").split("|")]
            assert all(cells), f"a table header is empty: {header}"
