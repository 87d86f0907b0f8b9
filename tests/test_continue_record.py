"""Continue from a saved record, on the course home: choose a file, read what it holds and
what will change, confirm; bring back what was kept aside. Driven as a learner would, in
plain pytest (choose a file, click the buttons, read what is shown)."""

import json
from leadership_course import course_home, reflection
from leadership_course.components.common import is_shown
from leadership_course.components.reflection import Reflection
from leadership_course.content import load_activity
from leadership_course.journal import record_json
from leadership_course.record import RECORD_FILE, LearnerRecord


def choose(home, name, raw, sent=True):
    """Pick a file in the continue step, as the browser sends it (a file over the limit is
    not sent: only its name and size)."""
    home.continue_step.picker._handle_custom_msg({"name": name, "size": len(raw), "sent": sent},
                                                 [memoryview(raw)] if sent else [])


def record_from_elsewhere(folder, text="Written on Binder."):
    """A raw record downloaded from another record folder, made by the real components."""
    other = LearnerRecord(folder)
    Reflection(load_activity("sample-reflection"), other).box.value = text
    return record_json(other.read()).encode("utf-8")


def test_a_record_from_another_folder_shows_what_it_holds_then_merges_on_confirm(learner, tmp_path):
    """Does choosing a record made elsewhere say what it holds and what will change, leave the
    record alone until Continue, and then show the progress and the reflection it held?"""
    raw = record_from_elsewhere(tmp_path / "binder")
    home = course_home()
    choose(home, "my-learner-record-2026-11-28.json", raw)
    step = home.continue_step
    assert is_shown(step.decision) and is_shown(step.confirm_button)
    summary = step.summary.value
    assert "holds work on 1 activity in module 1, last saved on" in summary
    assert "1 activity will be added." in summary
    assert learner.read()["activities"] == {}, "the record changed before the learner confirmed"

    sent = []
    step.picker.send = sent.append
    step.confirm_button.click()
    assert sent == [{"focus": True}], "the keyboard focus was not moved when the buttons were hidden"
    assert "Your course now includes the work from my-learner-record-2026-11-28.json" in step.status.text
    assert "1 of 4 activities done." in home.map.value
    assert reflection("sample-reflection").box.value == "Written on Binder."
    assert not is_shown(step.decision)


def test_choosing_the_same_file_again_changes_nothing(learner, tmp_path):
    """Is a file whose work is already in the record reported as such, with nothing to confirm?"""
    raw = record_from_elsewhere(tmp_path / "binder")
    home = course_home()
    choose(home, "record.json", raw)
    home.continue_step.confirm_button.click()
    before = (learner.path).read_bytes()
    choose(home, "record.json", raw)
    assert "already in your course, so nothing needs to change" in home.continue_step.summary.value
    assert not is_shown(home.continue_step.confirm_button)
    assert learner.path.read_bytes() == before


def test_newer_work_in_the_file_wins_and_the_earlier_answer_can_be_brought_back(learner, tmp_path):
    """When the file holds newer work on an activity: is it used, is the learner's earlier
    answer kept aside and listed, and does Bring this back restore it (setting the newer aside)?"""
    reflection("sample-reflection").box.value = "Written here first."
    raw = json.loads(record_from_elsewhere(tmp_path / "binder", "Written later on Binder."))
    raw["activities"]["sample-reflection"]["updated"] = "2099-01-01T10:00:00+00:00"
    home = course_home()
    choose(home, "binder.json", json.dumps(raw).encode())
    assert "1 activity will be updated with newer work from the file" in home.continue_step.summary.value
    home.continue_step.confirm_button.click()
    assert reflection("sample-reflection").box.value == "Written later on Binder."

    step = home.continue_step
    assert is_shown(step.aside)
    label, key = step.kept_aside.options[0]
    assert label.startswith("Sample reflection (module 1): replaced by a newer entry from binder.json")
    assert step.kept_aside.value == key, "nothing is selected in the list of work kept aside"
    step.bring_back_button.click()
    assert "was brought back" in step.status.text
    assert reflection("sample-reflection").box.value == "Written here first."
    aside = [i["entry"]["text"] for i in learner.read()["set_aside"]]
    assert aside == ["Written later on Binder."], "the answer that was replaced is not kept aside"


def test_older_work_in_the_file_does_not_replace_newer_work_here(learner, tmp_path):
    """Is the learner's newer answer kept, and the older one from the file kept aside?"""
    raw = json.loads(record_from_elsewhere(tmp_path / "binder", "Old text from Binder."))
    raw["activities"]["sample-reflection"]["updated"] = "2001-01-01T10:00:00+00:00"
    reflection("sample-reflection").box.value = "Newer text here."
    home = course_home()
    choose(home, "binder.json", json.dumps(raw).encode())
    assert "1 activity are newer here and stay as they are" in home.continue_step.summary.value
    home.continue_step.confirm_button.click()
    assert reflection("sample-reflection").box.value == "Newer text here."
    assert [i["entry"]["text"] for i in learner.read()["set_aside"]] == ["Old text from Binder."]


def test_a_file_that_is_not_a_record_is_refused_and_nothing_changes(learner):
    """Is a notebook chosen by mistake refused in a plain sentence, with the record untouched?"""
    reflection("sample-reflection").box.value = "Keep me."
    before = learner.path.read_bytes()
    home = course_home()
    choose(home, "01_why_compassion.ipynb", json.dumps({"cells": [], "nbformat": 4}).encode())
    text = home.continue_step.status.text
    assert "01_why_compassion.ipynb cannot be used: it is not a course record. Nothing was changed." in text
    assert not is_shown(home.continue_step.decision)
    assert learner.path.read_bytes() == before


def test_a_hostile_file_is_refused_with_a_reason(learner):
    """Is a record carrying a script refused, and its name shown as text, not markup?"""
    hostile = {"version": 1, "activities": {"sample-reflection": {"text": "<script>alert(1)</script>"}}}
    home = course_home()
    choose(home, "<img src=x onerror=alert(1)>.json", json.dumps(hostile).encode())
    status = home.continue_step.status.html
    assert "web page code (markup or script)" in status and "<img" not in status
    assert learner.read()["activities"] == {}


def test_a_file_the_browser_did_not_send_for_its_size_is_refused(learner):
    """Is a file the browser held back (over the limit) refused in plain words, and does the
    picker tell the browser the limit?"""
    home = course_home()
    assert home.continue_step.picker.max_bytes == 5 * 1024 * 1024
    choose(home, "big.json", b"x" * 100, sent=False)
    assert "big.json cannot be used: it is larger than any course record (the limit is 5 MB)" \
        in home.continue_step.status.text
    assert not learner.path.exists()


def test_a_damaged_record_set_aside_whole_can_be_brought_back_from_the_list(learner, tmp_path):
    """A record cut off part way is read as far as it goes and kept whole as a file: is that
    file offered under Work kept aside, and does bringing it back (after Continue) merge
    what could be read?"""
    raw = record_from_elsewhere(tmp_path / "other")
    learner.directory.mkdir(parents=True)
    learner.path.write_bytes(raw[:-40])  # cut off near the end, as a full disk might
    home = course_home()  # reads the record: repaired and set aside
    step = home.continue_step
    files = [(label, key) for label, key in step.kept_aside.options if label.startswith("The file ")]
    assert len(files) == 1 and "cut off or damaged" in files[0][0]
    learner.path.write_text(json.dumps({"version": 1, "activities": {}, "set_aside":
                                        learner.read()["set_aside"]}))  # as if the salvage had lost it
    step.kept_aside.value = files[0][1]
    step.bring_back_button.click()
    assert is_shown(step.confirm_button), step.summary.value
    step.confirm_button.click()
    assert reflection("sample-reflection").box.value == "Written on Binder."


def test_an_unexpected_error_is_a_plain_message(learner, monkeypatch):
    """If checking the file fails unexpectedly, does the learner get a sentence, not a traceback?"""
    home = course_home()
    monkeypatch.setattr(type(learner), "preview", lambda *a: 1 / 0)
    choose(home, "record.json", b"{}")
    assert "Sorry, something went wrong" in home.continue_step.status.text
    assert "Traceback" not in home.continue_step.status.html


def test_the_record_folder_holds_only_the_record_after_a_merge(learner, tmp_path):
    """Does a merge leave no temporary file behind?"""
    home = course_home()
    choose(home, "record.json", record_from_elsewhere(tmp_path / "binder"))
    home.continue_step.confirm_button.click()
    assert sorted(p.name for p in learner.directory.iterdir()) == [RECORD_FILE, RECORD_FILE + ".lock"]


def test_the_journal_download_says_the_raw_record_lets_the_learner_continue_elsewhere(learner):
    """Does the download box say, in plain words, that the raw record is what lets the
    learner carry on elsewhere, and where to use it?"""
    from leadership_course import journal_download
    from leadership_course.components.markup import html_to_text

    text = html_to_text(journal_download().children[-4].value)
    assert "The second link saves your raw record. Keep it: it is what lets you carry on" in text
    assert "Continue from a saved record on the course home" in text


def test_the_course_home_tells_the_learner_what_was_kept_and_what_set_aside(learner, tmp_path):
    """A record with one damaged entry: does the course home say, in an alert, how much work
    was kept and which part was set aside, and still show the rest as progress?"""
    raw = json.loads(record_from_elsewhere(tmp_path / "other"))
    raw["activities"]["sample-check"] = "damaged by a faulty tool"
    learner.directory.mkdir(parents=True)
    learner.path.write_text(json.dumps(raw))
    home = course_home()
    alert = home.children[1].value
    assert "role='alert'" in alert
    assert "Your work on 1 activity was kept, and you can carry on." in alert
    assert "Set aside because it was damaged: sample-check (it is not a set of named fields)." in alert
    assert "1 of 4 activities done." in home.map.value


def test_a_record_in_which_a_module_was_only_read_marks_that_module_started(learner, tmp_path):
    """Continuing from a record where module 1 was opened but nothing saved: does the summary
    say so, and is the module 'In progress' on the home once confirmed?"""
    other = LearnerRecord(tmp_path / "binder")
    other.note_page_opened("01_test_module.ipynb")
    home = course_home()
    assert "Not started" in home.map.value
    choose(home, "record.json", record_json(other.read()).encode("utf-8"))
    assert ("1 module page you opened there will be added, so the course home counts that module as started."
            in home.continue_step.summary.value)
    home.continue_step.confirm_button.click()
    assert "1 module page you opened there was added" in home.continue_step.status.text
    assert "course-tag-progress'>In progress<" in home.map.value
