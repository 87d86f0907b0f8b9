"""`python -m leadership_course record ...`: a facilitator lists, checks, merges and recovers
a learner's record files, through the course's own command line."""

import json

from leadership_course.__main__ import main
from leadership_course.record import RECORD_FILE, LearnerRecord


def saved_record(folder, text="From the trust laptop."):
    """A record file made in another folder, as a learner would bring it."""
    LearnerRecord(folder).update("module-1-reflection", {"type": "reflection", "title": "Why compassion",
                                                         "text": text, "completed": True})
    return folder / RECORD_FILE


def test_check_says_what_a_record_holds_and_refuses_what_is_not_one(tmp_path, capsys):
    """Does `record check` describe a good file, name the reason for a bad one, and exit 1?"""
    good = saved_record(tmp_path / "laptop")
    notebook = tmp_path / "notes.ipynb"
    notebook.write_text(json.dumps({"cells": [], "nbformat": 4}))
    assert main(["record", "check", str(good)]) == 0
    assert main(["record", "check", str(notebook), str(good)]) == 1
    shown = capsys.readouterr().out
    assert "a course record with 1 activity in module 1, last saved on" in shown
    assert "notes.ipynb: cannot be used: it is not a course record." in shown


def test_merge_dry_run_changes_nothing_and_merge_is_done_once(tmp_path, capsys):
    """Does --dry-run leave the folder alone, a merge add the work, and a second merge change nothing?"""
    source = saved_record(tmp_path / "laptop")
    folder = tmp_path / "hub"
    assert main(["record", "merge", str(source), "--folder", str(folder), "--dry-run"]) == 0
    assert not (folder / RECORD_FILE).exists()
    assert main(["record", "merge", str(source), "--folder", str(folder)]) == 0
    assert LearnerRecord(folder).activity("module-1-reflection")["text"] == "From the trust laptop."
    before = (folder / RECORD_FILE).read_bytes()
    assert main(["record", "merge", str(source), "--folder", str(folder)]) == 0
    assert (folder / RECORD_FILE).read_bytes() == before
    shown = capsys.readouterr().out
    assert "1 added" in shown and "Nothing was changed (--dry-run)." in shown and "Nothing needed to change." in shown


def test_merge_refuses_a_file_from_a_newer_course(tmp_path, capsys):
    """Is a record from a newer version of the course refused with exit 1 and no change?"""
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"version": 99, "activities": {}}))
    assert main(["record", "merge", str(newer), "--folder", str(tmp_path / "hub")]) == 1
    assert "written by a newer version of the course" in capsys.readouterr().out
    assert not (tmp_path / "hub" / RECORD_FILE).exists()


def test_list_and_recover_bring_back_a_file_that_was_set_aside(tmp_path, capsys):
    """A record broken in the middle is repaired and kept whole as a file: does `record list`
    show that file, and `record recover` merge it back, with every entry in the end?"""
    folder = tmp_path / "record"
    saved_record(folder)
    LearnerRecord(folder).update("module-1-pledge", {"type": "reflection", "text": "My pledge"})
    text = (folder / RECORD_FILE).read_text()
    (folder / RECORD_FILE).write_text(text.replace('"My pledge"', '"My pledge'))  # a hand edit gone wrong
    assert main(["record", "list", "--folder", str(folder)]) == 0
    shown = capsys.readouterr().out
    assert "Some of your saved work was damaged" in shown and "file kept aside: learner-record.damaged-" in shown
    activities = LearnerRecord(folder).read()["activities"]
    assert activities["module-1-reflection"]["text"] == "From the trust laptop."
    assert "text" not in activities["module-1-pledge"], "a broken field was taken as whole"
    assert "the work on module-1-pledge was cut off" in shown

    # as if the learner had since lost those activities: recovering the kept file gives them back
    (folder / RECORD_FILE).write_text(json.dumps({"version": 1, "activities": {}, "set_aside":
                                                  LearnerRecord(folder).read()["set_aside"]}))
    assert main(["record", "recover", "--folder", str(folder)]) == 0
    assert "2 added" in capsys.readouterr().out
    activities = LearnerRecord(folder).read()["activities"]
    assert activities["module-1-reflection"]["text"] == "From the trust laptop."
    assert set(activities) == {"module-1-reflection", "module-1-pledge"}


def test_recover_brings_back_an_entry_by_its_key(tmp_path, capsys):
    """Does `record recover KEY` bring back an entry a merge replaced, shown by `record list`?"""
    folder = tmp_path / "record"
    saved_record(folder, "Older words")
    newer = json.loads(saved_record(tmp_path / "binder", "Newer words").read_text())
    newer["activities"]["module-1-reflection"]["updated"] = "2099-01-01T09:00:00+00:00"
    (tmp_path / "binder.json").write_text(json.dumps(newer))
    main(["record", "merge", str(tmp_path / "binder.json"), "--folder", str(folder)])
    capsys.readouterr()
    main(["record", "list", "--folder", str(folder)])
    listed = capsys.readouterr().out
    key = listed.split("kept aside [")[1].split("]")[0]
    assert main(["record", "recover", key, "--folder", str(folder)]) == 0
    assert LearnerRecord(folder).activity("module-1-reflection")["text"] == "Older words"
    assert main(["record", "recover", "no-such-key", "--folder", str(folder)]) == 1
