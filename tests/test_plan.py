"""Plan: several reflections in one card, each part saved as the reflection it is."""

import re
import shutil

import pytest

from leadership_course import plan, reflection, show_plan
from leadership_course.components.reflection import MAX_LENGTH
from leadership_course.content import ContentError, check_all, load_plan


def test_every_part_shows_its_heading_prompt_and_box(learner):
    """Does the card number each part's heading and show its prompt and hint, with a box each?"""
    view = plan("sample-plan")
    shown = " ".join([child.value for child in view.children if isinstance(getattr(child, "value", None), str)]
                     + [f"{box.label_html} {box.hint}" for box in view.boxes])
    assert "<h3>Sample plan</h3><p>Each part is saved when you leave its box" in shown
    assert "<h4>1. First part</h4>" in shown and "What comes first?" in shown and "For example, a walk." in shown
    assert "<h4>2. Second part</h4>" in shown and "What comes next?" in shown
    assert [box.label_html.split("</h4>")[0] for box in view.boxes] == ["<h4>1. First part", "<h4>2. Second part"]


def test_leaving_a_box_saves_that_part_as_its_reflection(learner):
    """Is a part saved under its own reflection id when the learner leaves its box?"""
    view = plan("sample-plan")
    view.boxes[1].value = "Ask for help early."
    saved = learner.activity("sample-plan-second")
    assert saved["text"] == "Ask for help early." and saved["completed"] is True
    assert saved["title"] == "Sample plan: second part" and saved["type"] == "reflection"
    assert learner.activity("sample-plan-first") == {}
    assert re.fullmatch(r"Part 2 saved at \d\d:\d\d\.", view.status.text)


def test_a_second_save_my_plan_says_something_new(learner, monkeypatch):
    """Does a second "Save my plan" in the same minute change the live region's words (a
    screen reader reads a region only when they change)?"""
    monkeypatch.setattr("leadership_course.components.reflection.now", lambda: "2026-12-04T10:42:05")  # one minute
    view = plan("sample-plan")
    view.boxes[0].value = "A walk before a late shift."
    view.save_button.click()
    first = view.status.text
    view.save_button.click()
    assert re.fullmatch(r"Your plan was saved again at \d\d:\d\d\.", view.status.text) and view.status.text != first


def test_save_my_plan_saves_every_part(learner):
    """Does "Save my plan" store every part, an empty one as not completed?"""
    view = plan("sample-plan")
    view.boxes[0].value = "A walk before a late shift."
    view.save_button.click()
    assert learner.activity("sample-plan-first")["text"] == "A walk before a late shift."
    assert learner.activity("sample-plan-second")["completed"] is False
    assert re.fullmatch(r"Your plan was saved at \d\d:\d\d\.", view.status.text)


def test_parts_restored_and_shared_with_the_single_reflection(learner):
    """Does a plan show what was saved before, including text saved by a single reflection box?"""
    reflection("sample-plan-first").box.value = "Written in an older version of the page."
    again = plan("sample-plan")
    assert again.boxes[0].value == "Written in an older version of the page."
    assert again.boxes[1].value == ""
    assert again.status.text.startswith("Saved at ")


def test_very_long_part_is_trimmed_and_said(learner):
    """Is a huge part kept up to the limit, and is the learner told which part?"""
    view = plan("sample-plan")
    view.boxes[0].value = "x" * (MAX_LENGTH + 1)
    assert len(learner.activity("sample-plan-first")["text"]) == MAX_LENGTH
    assert "In part 1, only the first" in view.status.text


def test_part_that_cannot_be_saved_gives_a_plain_message(learner, monkeypatch):
    """Does a failed save tell the learner plainly, without a traceback?"""
    view = plan("sample-plan")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(learner, "update", broken)
    view.boxes[0].value = "Something"
    assert "Sorry, something went wrong" in view.status.text and "Traceback" not in view.status.text


@pytest.fixture
def copied_content(tmp_path, content_dir):
    folder = tmp_path / "content"
    shutil.copytree(content_dir, folder)
    return folder


def test_missing_part_names_the_plan_and_the_part(copied_content):
    """Does a plan whose part has no file name the plan file, the part and the missing file?"""
    (copied_content / "sample-plan-second.yaml").unlink()
    with pytest.raises(ContentError) as caught:
        load_plan("sample-plan", copied_content)
    assert caught.value.problems == [
        f"sample-plan.yaml: parts[2].reflection: sample-plan-second.yaml: there is no activity "
        f"'sample-plan-second' in {copied_content}"]


def test_part_that_is_not_a_reflection_or_in_another_module(copied_content):
    """Are a part of the wrong type and a part from another module reported by check_all?"""
    text = (copied_content / "sample-plan.yaml").read_text()
    (copied_content / "sample-plan.yaml").write_text(text.replace("sample-plan-second", "sample-check"))
    problems = check_all(copied_content)
    assert any(p.startswith("sample-plan.yaml: parts[2].reflection: sample-check.yaml: type: expected a reflection")
               for p in problems), problems
    (copied_content / "sample-plan.yaml").write_text(text)
    first = copied_content / "sample-plan-first.yaml"
    first.write_text(first.read_text().replace("module: 1", "module: 2"))
    assert any("'sample-plan-first' belongs to module 2, the plan to module 1" in p for p in check_all(copied_content))


def test_plan_file_problems_name_the_field(copied_content):
    """Are a plan without parts, a part without a heading and a part used twice reported?"""
    (copied_content / "sample-plan.yaml").write_text(
        "type: plan\nid: sample-plan\nmodule: 1\ntitle: P\nparts:\n"
        "  - {reflection: sample-plan-first}\n  - {reflection: sample-plan-first, heading: Again}\n")
    problems = check_all(copied_content)
    assert "sample-plan.yaml: parts[1].heading: 'heading' is missing" in problems
    assert "sample-plan.yaml: parts[2].reflection: id 'sample-plan-first' is used twice" in problems
    (copied_content / "sample-plan.yaml").write_text("type: plan\nid: sample-plan\nmodule: 1\ntitle: P\nparts: []\n")
    assert "sample-plan.yaml: parts: a plan needs at least one part" in check_all(copied_content)


def test_plan_listed_in_the_course_map_is_reported(copied_content):
    """Is a plan id in course.yaml reported, since progress counts its parts?"""
    course = copied_content / "course.yaml"
    course.write_text(course.read_text().replace("sample-reflection]", "sample-reflection, sample-plan]"))
    assert ("course.yaml: module 1: 'sample-plan' is a plan: list its parts (the reflections) instead"
            in check_all(copied_content))


def test_broken_plan_shows_a_message_not_a_traceback(copied_content, monkeypatch, learner, capsys):
    """Does show_plan with a broken part display a plain message naming the file?"""
    from leadership_course import content

    monkeypatch.setenv(content.CONTENT_DIR_VARIABLE, str(copied_content))
    monkeypatch.delenv("COURSE_STRICT", raising=False)
    (copied_content / "sample-plan-first.yaml").write_text("type: reflection\nid: sample-plan-first\n")
    shown = []
    monkeypatch.setattr("leadership_course.display", shown.append)
    show_plan("sample-plan")
    assert "This plan could not be shown" in shown[0].value
    assert "sample-plan-first.yaml" in shown[0].value and "Traceback" not in shown[0].value
