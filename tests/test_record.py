"""The learner's record: kept on the learner's machine, saved atomically, never lost."""

import json
import multiprocessing
import os
import subprocess
import sys

import pytest

from leadership_course.record import RECORD_FILE, LearnerRecord, get_record


def test_record_folder_is_set_by_environment_variable(learner, tmp_path):
    """Does $COURSE_RECORD_DIR decide where the record is written?"""
    learner.update("a", {"text": "hello"})
    assert (tmp_path / "record" / RECORD_FILE).is_file()
    assert json.loads((tmp_path / "record" / RECORD_FILE).read_text())["activities"]["a"]["text"] == "hello"


def test_update_merges_into_the_entry(learner):
    """Does a second update keep the fields of the first?"""
    learner.update("a", {"one": 1})
    learner.update("a", {"two": 2})
    entry = learner.activity("a")
    assert (entry["one"], entry["two"]) == (1, 2)


def test_no_temporary_files_left_behind(learner):
    """Does an atomic save leave only the record and its lock?"""
    for n in range(5):
        learner.update("a", {"n": n})
    names = sorted(p.name for p in learner.directory.iterdir())
    assert names == [RECORD_FILE, RECORD_FILE + ".lock"]


def _write_many(folder, prefix, count):
    record = LearnerRecord(folder)
    for n in range(count):
        record.update(f"{prefix}-{n}", {"n": n})


def test_two_kernels_writing_at_once_lose_nothing(tmp_path):
    """Do two processes saving 40 answers each at the same time keep all 80?"""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(tmp_path, name, 40)) for name in ("tab1", "tab2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    activities = LearnerRecord(tmp_path).read()["activities"]
    assert len(activities) == 80
    assert {activities[f"tab2-{n}"]["n"] for n in range(40)} == set(range(40))


def test_damaged_file_is_set_aside_and_reported(tmp_path):
    """Is a damaged file kept under a new name, a fresh record started, and the learner told?"""
    (tmp_path / RECORD_FILE).write_text('{"version": 1, "activities": {"a": ', encoding="utf-8")
    record = LearnerRecord(tmp_path)
    data = record.read()
    kept = list(tmp_path.glob("learner-record.damaged-*.json"))
    assert len(kept) == 1
    assert kept[0].read_text() == '{"version": 1, "activities": {"a": '
    assert data["activities"] == {}
    assert data["set_aside"][0]["file"] == kept[0].name
    notices = record.take_notices()
    assert len(notices) == 1 and kept[0].name in notices[0] and "Nothing was deleted" in notices[0]
    assert record.take_notices() == []


def test_an_entry_of_the_wrong_shape_is_set_aside_and_the_rest_kept(tmp_path):
    """Is valid JSON with one entry of the wrong shape repaired: that entry set aside (as it
    was, with its reason), the other entry kept, and the learner told both?"""
    (tmp_path / RECORD_FILE).write_text(json.dumps({"version": 1, "activities": {"a": "oops", "b": {"n": 1}}}))
    record = LearnerRecord(tmp_path)
    data = record.read()
    assert data["activities"] == {"b": {"n": 1}}
    assert [(i["activity"], i["entry"], i["reason"]) for i in data["set_aside"]] == [
        ("a", "oops", "it is not a set of named fields")]
    notice = record.take_notices()[0]
    assert "Your work on 1 activity was kept" in notice and "a (it is not a set of named fields)" in notice
    assert LearnerRecord(tmp_path).read() == data, "the repair was not saved"


def test_get_record_follows_the_environment(monkeypatch, tmp_path):
    """Does each record folder get its own record object?"""
    monkeypatch.setenv("COURSE_RECORD_DIR", str(tmp_path / "one"))
    first = get_record()
    monkeypatch.setenv("COURSE_RECORD_DIR", str(tmp_path / "two"))
    assert get_record() is not first
    assert get_record().directory == tmp_path / "two"


def _read_many(folder, count, found):
    record = LearnerRecord(folder)
    for _ in range(count):
        record.read()
    found.put(record.take_notices())


def test_reads_racing_another_kernels_saves_set_nothing_aside(tmp_path):
    """Reads take no lock: does a reader racing 200 saves report no damage and set nothing aside?"""
    LearnerRecord(tmp_path).update("start", {"n": 0})
    context = multiprocessing.get_context("spawn")
    found = context.Queue()
    writer = context.Process(target=_write_many, args=(tmp_path, "w", 200))
    reader = context.Process(target=_read_many, args=(tmp_path, 2000, found))
    writer.start()
    reader.start()
    notices = found.get(timeout=120)
    for worker in (writer, reader):
        worker.join(120)
        assert worker.exitcode == 0
    assert notices == []
    assert list(tmp_path.glob("learner-record.damaged-*.json")) == []
    assert len(LearnerRecord(tmp_path).read()["activities"]) == 201


def test_a_page_that_only_reads_does_not_load_the_locking_library(tmp_path):
    """Is filelock imported only when something is saved?"""
    code = ("import sys; from leadership_course.record import LearnerRecord; "
            f"r = LearnerRecord({str(tmp_path)!r}); r.read(); print('filelock' in sys.modules); "
            "r.update('a', {'n': 1}); print('filelock' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["False", "True"]


def test_a_replace_blocked_for_a_moment_is_tried_again(monkeypatch, tmp_path):
    """On Windows a reader holding the file open makes os.replace fail briefly: is the save kept?"""
    real_replace, failures = os.replace, []

    def blocked_twice(source, target):
        if len(failures) < 2:
            failures.append(target)
            raise PermissionError("the file is open in another process")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", blocked_twice)
    LearnerRecord(tmp_path).update("a", {"n": 1})
    assert len(failures) == 2
    assert LearnerRecord(tmp_path).activity("a")["n"] == 1


def test_opening_a_page_notes_its_first_and_latest_opening(tmp_path, monkeypatch):
    """Does a page opened twice (two page views, two kernels) keep its first opening and
    update its latest, without touching the activities?"""
    from leadership_course import record as record_module

    times = iter(["2026-12-01T09:00:00+00:00", "2026-12-01T11:30:00+00:00"])
    monkeypatch.setattr(record_module, "now", lambda: next(times))
    LearnerRecord(tmp_path).note_page_opened("01_why_compassion.ipynb")
    again = LearnerRecord(tmp_path)
    again.note_page_opened("01_why_compassion.ipynb")
    again.note_page_opened("01_why_compassion.ipynb")  # same kernel: not saved again (no third time)
    data = LearnerRecord(tmp_path).read()
    assert data["pages_opened"] == {"01_why_compassion.ipynb": {"first": "2026-12-01T09:00:00+00:00",
                                                                "last": "2026-12-01T11:30:00+00:00"}}
    assert data["activities"] == {}


def test_a_page_name_the_check_would_set_aside_is_never_saved(tmp_path):
    """Is a page name that is not a course page refused before anything is written?"""
    with pytest.raises(ValueError):
        LearnerRecord(tmp_path).note_page_opened("../outside.ipynb")
    assert not (tmp_path / RECORD_FILE).exists()
