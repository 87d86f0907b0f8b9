"""Prepared content: pages read a JSON copy of the checked content while it fits the YAML."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadership_course import content, prepared
from leadership_course.components.markup import markdown, render_markdown

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"


@pytest.fixture
def course_copy(tmp_path, monkeypatch):
    """A copy of the test course (content and assets), its content folder in use, prepared."""
    shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    folder = tmp_path / "course" / "modules" / "content"
    monkeypatch.setenv(content.CONTENT_DIR_VARIABLE, str(folder))
    content._cached_course.cache_clear()
    assert prepared.prepare_all(folder) == []
    yield folder
    content._cached_course.cache_clear()


def never_read_yaml(monkeypatch):
    def refuse(path):
        raise AssertionError(f"read the YAML of {path}")

    monkeypatch.setattr(content, "read_yaml", refuse)


def test_every_content_file_gets_a_copy(course_copy):
    """Is there a prepared copy of every content file and of assets/pictures.yaml?"""
    for path in [*course_copy.glob("*.yaml"), content.assets_dir(course_copy) / "pictures.yaml"]:
        assert prepared.copy_path(path).is_file(), path


def test_pages_read_the_copies_not_the_yaml(course_copy, monkeypatch):
    """While the copies fit, are the activities, course map, references and glossary read without YAML?"""
    never_read_yaml(monkeypatch)
    assert content.load_activity("sample-check", "knowledge_check")["id"] == "sample-check"
    assert content.load_course()["title"] == "Test course"
    assert content.load_references() == content.check_references(yaml_of(course_copy / "references.yaml"),
                                                                   "references.yaml")


def yaml_of(path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_copies_hold_the_same_data_as_the_yaml(course_copy):
    """Does every copy hold exactly what checking the YAML gives?"""
    for path in course_copy.glob("*.yaml"):
        assert prepared.read_prepared(path) == yaml_of(path), path


def test_an_edited_file_is_read_from_its_yaml(course_copy):
    """After an author edits a file, does the page show the edit rather than the old copy?"""
    path = course_copy / "sample-reflection.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("What will you do?", "What will you try first?"),
                    encoding="utf-8")
    assert content.load_activity("sample-reflection")["prompt"] == "What will you try first?"


def test_a_damaged_or_foreign_copy_is_passed_over(course_copy):
    """Is a damaged copy, or one from another format, ignored without an error?"""
    path = course_copy / "sample-reflection.yaml"
    prepared.copy_path(path).write_text("{not json", encoding="utf-8")
    assert content.load_activity("sample-reflection")["prompt"] == "What will you do?"
    prepared.copy_path(path).write_text(json.dumps({"format": 0}), encoding="utf-8")
    assert content.load_activity("sample-reflection")["prompt"] == "What will you do?"


def test_a_copy_of_the_wrong_type_still_gets_the_plain_message(course_copy):
    """Does asking for the wrong type still name the file and the field, as the YAML check does?"""
    with pytest.raises(content.ContentError, match="sample-check.yaml: type: expected a reflection"):
        content.load_activity("sample-check", "reflection")


def test_broken_content_is_not_prepared(course_copy):
    """Is nothing prepared while the content has a problem, and is the problem returned?"""
    shutil.rmtree(course_copy / prepared.FOLDER)
    (course_copy / "sample-reflection.yaml").write_text("type: reflection\nid: sample-reflection\n")
    problems = prepared.prepare_all(course_copy)
    assert any(p.startswith("sample-reflection.yaml: module:") for p in problems)
    assert not (course_copy / prepared.FOLDER).exists()


def test_data_json_cannot_hold_gets_no_copy(tmp_path):
    """Is a file whose data JSON would change (a number as a key) left without a copy?"""
    path = tmp_path / "odd.yaml"
    path.write_text("scale: {1: Rarely}\n")
    assert prepared.write_prepared(path, {"scale": {1: "Rarely"}}) is False
    assert not prepared.copy_path(path).exists()


def test_prepared_markdown_is_what_mistune_renders(course_copy):
    """Is the HTML kept in a copy the same as rendering the Markdown now?"""
    data = prepared.read_prepared(course_copy / "sample-check.yaml")
    for text in prepared.every_string(data):
        assert prepared.PRERENDERED[text] == render_markdown(text)
    assert markdown("A *new* text") == "<p>A <em>new</em> text</p>"


def test_a_prepared_page_loads_neither_yaml_nor_mistune(course_copy, tmp_path):
    """Does a page built from prepared content leave the YAML and Markdown libraries unloaded?"""
    code = ("import sys\nfrom leadership_course import knowledge_check, reflection, scenario, course_home, picture\n"
            "knowledge_check('sample-check'); scenario('sample-scenario'); reflection('sample-reflection')\n"
            "course_home()\n"
            "print(sorted(name for name in ('yaml', 'mistune') if name in sys.modules))")
    env = {**os.environ, content.CONTENT_DIR_VARIABLE: str(course_copy), "COURSE_RECORD_DIR": str(tmp_path / "r")}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_prepare_command_reports_problems(tmp_path):
    """Does `python -m leadership_course prepare` exit non-zero and list the problems of broken content?"""
    (tmp_path / "course.yaml").write_text("title: T\nmodules: []\n")
    (tmp_path / "bad.yaml").write_text("type: reflection\nid: bad\n")
    result = subprocess.run([sys.executable, "-m", "leadership_course", "prepare", "--content", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "bad.yaml: module:" in result.stdout


def test_prepare_where_copies_cannot_be_written_says_so_plainly(tmp_path):
    """Where the copies cannot be written, does prepare say so in a sentence, without a
    traceback, and leave the start command free to go on?"""
    shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    folder = tmp_path / "course" / "modules" / "content"
    (folder / prepared.FOLDER).write_text("a file where the folder should be")
    result = subprocess.run([sys.executable, "-m", "leadership_course", "prepare", "--content", str(folder)],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "Could not keep prepared content" in result.stderr and "Traceback" not in result.stderr
