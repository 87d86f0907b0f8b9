"""Assessment widgets: answers saved to answers.json as the learner clicks and types,
restored on reload, shown plainly while grading; the questions file holds no answers."""

import base64
import io
import re
import json
import shutil
import zipfile
from pathlib import Path

import pytest

import leadership_course as course
from leadership_course.grading.marking import check_choice
from leadership_course.grading.questions import check_assessment, read_answers
from leadership_course.content import ContentError

SOURCE = Path(__file__).parent.parent.parent / "grading" / "source" / "module-01"


@pytest.fixture
def assignment(tmp_path, monkeypatch):
    """A learner's copy of the module 1 assessment, as the working folder (like a kernel's)."""
    for name in ("assessment.yaml", "module-01-assessment.ipynb"):
        shutil.copy(SOURCE / name, tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return tmp_path


def test_choice_is_saved_as_option_text_and_restored(assignment):
    """Is a click saved at once, by option text, and shown again on reload?"""
    view = course.question("q1-order")
    view.selector.value = [0]
    saved = json.loads((assignment / "answers.json").read_text())["activities"]["q1-order"]
    assert saved["selected"] == ["Attending, understanding, empathising, helping"]
    assert view.status.text.startswith("Answer saved at ")
    assert course.question("q1-order").selector.value == [0]


def test_written_answer_saved_and_restored(assignment):
    """Is a written answer saved when the learner leaves the box, and restored?"""
    course.written_answer("r1-example").box.value = "I listened first."
    assert course.written_answer("r1-example").box.value == "I listened first."


def test_hidden_test_passes_only_for_the_right_answer(assignment):
    """Does check_choice pass the right answer and fail others without naming the answer?"""
    course.question("q3-answers").selector.value = [0]
    with pytest.raises(AssertionError, match="not the answer the mark scheme expects") as caught:
        check_choice("q3-answers", ["False"])
    assert "False" not in str(caught.value)
    course.question("q3-answers").selector.value = [1]
    check_choice("q3-answers", ["False"])


def test_grading_shows_answers_as_escaped_html(assignment, monkeypatch):
    """While nbgrader grades, are answers shown as plain HTML with learner text escaped?"""
    course.written_answer("r1-example").box.value = "<script>x()</script>"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    shown = course.written_answer("r1-example").data
    assert "&lt;script&gt;x()&lt;/script&gt;" in shown and "<script>" not in shown
    assert "No answer given." in course.question("q2-myths").data


def test_download_needs_a_learner_id_and_makes_a_zip_collect_layout(assignment):
    """Does the download refuse a bad ID, and make MODULE__ID__TIME.zip holding ID__FILE entries?"""
    course.question("q1-order").selector.value = [0]
    download = course.submission_download()
    download.learner_id.value = "../../etc"
    download.prepare()
    assert download.link.value == "" and "Please type your learner ID" in download.status.text
    download.learner_id.value = " AB12"
    download.prepare()
    assert re.search(r"download='module-01__ab12__\d{8}T\d{6}Z\.zip'", download.link.value)
    prepared = base64.b64decode(re.search(r"base64,([^']+)'", download.link.value).group(1))
    assert zipfile.ZipFile(io.BytesIO(prepared)).comment == b" AB12"  # as typed: a clash is seen on collect
    from leadership_course.grading.learner_widgets import submission_zip

    name, data, _ = submission_zip("ab12", course.load_assessment())
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert re.fullmatch(r"module-01__ab12__\d{8}T\d{6}Z\.zip", name)
    assert sorted(names) == ["ab12__answers.json", "ab12__module-01-assessment.ipynb"]


def packed_answers(download):
    data = base64.b64decode(re.search(r"base64,([^']+)'", download.link.value).group(1))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("ab12__answers.json"))["activities"]


def test_a_change_after_preparing_withdraws_the_prepared_file(assignment):
    """When a tick or an answer is saved after Prepare (a late change from the page, or a later
    edit), is the old file withdrawn with a reason, and does preparing again hold the change?"""
    download = course.submission_download()
    download.learner_id.value = "ab12"
    question = course.question("q2-myths")
    question.selector.value = [0, 1]
    download.prepare()
    assert len(packed_answers(download)["q2-myths"]["selected"]) == 2
    question.selector.value = [0, 1, 2]  # reaches the kernel after Prepare: the page shows it saved
    assert "Answer saved" in question.status.text
    assert download.link.value == "" and "withdrawn" in download.status.text
    download.prepare()
    assert len(packed_answers(download)["q2-myths"]["selected"]) == 3
    written = course.written_answer("r1-example")
    written.box.value = "My example."
    assert download.link.value == "" and "Select Prepare my submission again" in download.status.text


def test_saving_the_same_answers_again_keeps_the_prepared_file(assignment):
    """Does pressing Save on an unchanged answer leave a prepared file in place?"""
    written = course.written_answer("r1-example")
    written.box.value = "My example."
    download = course.submission_download()
    download.learner_id.value = "ab12"
    download.prepare()
    written.save()
    assert "Save module-01__ab12__" in download.link.value
    assert packed_answers(download)["r1-example"]["text"] == "My example."


def test_questions_file_with_answers_is_refused():
    """Is a questions file that carries answers (which learners would receive) refused?"""
    data = {"type": "assessment", "id": "m", "module": 1, "title": "T", "notebook": "m.ipynb",
            "questions": [{"id": "q", "kind": "single", "prompt": "P", "options": ["A", "B"], "answer": "A"}]}
    with pytest.raises(ContentError, match="questions\\[1\\].answer: answers must not be in the questions file"):
        check_assessment(data)


def test_read_answers_never_raises(tmp_path):
    """Are a missing, a damaged and a wrongly shaped answers file each reported, not raised?"""
    assert "No answers file was found" in read_answers(tmp_path)[1][0]
    (tmp_path / "answers.json").write_text("{oops")
    assert "damaged" in read_answers(tmp_path)[1][0]
    (tmp_path / "answers.json").write_text('{"activities": []}')
    assert "expected layout" in read_answers(tmp_path)[1][0]


def test_autograding_loads_no_widget_library(tmp_path):
    """While nbgrader runs a submission, do the parts show as plain HTML without loading
    ipywidgets or anywidget (each would add its import time to every submission)?"""
    import subprocess
    import sys

    source = Path(__file__).resolve().parents[2] / "grading" / "source" / "module-01"
    shutil.copytree(source, tmp_path / "module-01")
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
    shutil.copy(fixtures / "complete.answers.json", tmp_path / "module-01" / "answers.json")
    code = (
        "import json, sys\n"
        "notebook = json.load(open('module-01-assessment.ipynb'))\n"
        "scope = {}\n"
        "for cell in notebook['cells']:\n"
        "    if cell['cell_type'] == 'code':\n"
        "        exec(''.join(cell['source']), scope)\n"
        "print(json.dumps(sorted(m for m in ('ipywidgets', 'anywidget') if m in sys.modules)))\n"
    )
    env = {**__import__("os").environ, "NBGRADER_EXECUTION": "autograde", "COURSE_STRICT": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / "module-01", env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
