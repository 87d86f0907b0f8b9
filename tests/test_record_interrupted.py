"""Saves interrupted by a killed kernel: the record stays whole, and the temporary files the
interrupted saves leave are removed by the next save, never while another tab is writing one."""

import ast
import fnmatch
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from leadership_course.record import OTHER_TEMPORARY_AGE_S, RECORD_FILE, LearnerRecord

#: A kernel saving one activity; its save stops inside the write (in fsync, the temporary
#: file written but not yet in place) until a "go" file appears, or for ever with "hold".
WRITER = """
import os, sys, time
from pathlib import Path
from leadership_course.record import LearnerRecord

folder, signals, name, mode = sys.argv[1:]
real_fsync = os.fsync

def stopped_fsync(handle):
    Path(signals, name + ".writing").touch()
    while mode == "hold" or not Path(signals, name + ".go").exists():
        time.sleep(0.01)
    real_fsync(handle)

os.fsync = stopped_fsync
LearnerRecord(folder).update(name, {"type": "reflection", "text": name * 1000})
"""


def start_writer(folder, signals, name, mode):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(signals), name, mode])


def wait_for(path, process, seconds=30):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, f"the writer ended early (code {process.returncode})"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def temporary_files(folder):
    return sorted(p.name for p in folder.glob(".*.tmp"))


def test_writers_killed_mid_save_leave_the_record_whole_and_the_next_save_cleans_up(tmp_path):
    """Five kernels killed in the middle of a save (the temporary file written, not yet in
    place): does each save remove the file the last interrupted one left, is the record
    still whole, with the work saved before, and does the next save leave the folder
    holding only the record and its lock?"""
    folder, signals = tmp_path / "record", tmp_path / "signals"
    signals.mkdir()
    LearnerRecord(folder).update("saved-before", {"type": "reflection", "text": "Safe."})
    left = []
    for number in range(5):
        writer = start_writer(folder, signals, f"killed-{number}", "hold")
        wait_for(signals / f"killed-{number}.writing", writer)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(10)
        now_left = temporary_files(folder)
        assert len(now_left) == 1 and now_left[0] not in left, f"after kill {number + 1}: {now_left}"
        left += now_left
    learner = LearnerRecord(folder)
    assert learner.read()["activities"] == {"saved-before": LearnerRecord(folder).activity("saved-before")}
    assert learner.take_notices() == [], "the record looked damaged after the interrupted saves"

    learner.update("saved-after", {"type": "reflection", "text": "Also safe."})
    assert sorted(p.name for p in folder.iterdir()) == [RECORD_FILE, RECORD_FILE + ".lock"]
    assert sorted(learner.read()["activities"]) == ["saved-after", "saved-before"]


def test_a_save_never_removes_the_temporary_file_another_tab_is_writing(tmp_path):
    """While one tab is in the middle of a save, does a second tab's save wait for it (its
    temporary file left alone), so that both saves are kept?"""
    folder, signals = tmp_path / "record", tmp_path / "signals"
    signals.mkdir()
    first = start_writer(folder, signals, "first-tab", "go-file")
    wait_for(signals / "first-tab.writing", first)
    writing = temporary_files(folder)
    assert len(writing) == 1
    second = subprocess.Popen([sys.executable, "-c", "import sys; from leadership_course.record import "
                               "LearnerRecord; LearnerRecord(sys.argv[1]).update('second-tab', {'n': 2})",
                               str(folder)])
    time.sleep(1.5)  # long enough for the second save to have cleaned up, had it not waited
    assert second.poll() is None, "the second save did not wait for the first"
    assert temporary_files(folder) == writing, "the temporary file of a save in progress was removed"
    (signals / "first-tab.go").touch()
    assert first.wait(30) == 0 and second.wait(30) == 0
    assert sorted(LearnerRecord(folder).read()["activities"]) == ["first-tab", "second-tab"]
    assert temporary_files(folder) == []


def test_saves_killed_at_random_moments_never_break_the_record(tmp_path):
    """Ten kernels saving large entries in a loop, each killed at a random moment after
    its first save: is the record whole after every kill, holding the work saved before,
    and is the folder clean after one more save?"""
    import random

    folder, signals = tmp_path / "record", tmp_path / "signals"
    signals.mkdir()
    loop = ("import sys; from pathlib import Path; from leadership_course.record import LearnerRecord\n"
            "r = LearnerRecord(sys.argv[1]); n = 0\n"
            "while True:\n    n += 1; r.update(f'loop-{n % 7}', {'text': 'x' * 100_000, 'n': n})\n"
            "    Path(sys.argv[2]).touch()")
    LearnerRecord(folder).update("saved-before", {"text": "Safe."})
    chance = random.Random(13)
    for number in range(10):
        saved = signals / f"saved-{number}"
        writer = subprocess.Popen([sys.executable, "-c", loop, str(folder), str(saved)])
        wait_for(saved, writer)
        time.sleep(chance.uniform(0, 0.3))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(10)
        learner = LearnerRecord(folder)
        activities = learner.read()["activities"]
        assert activities["saved-before"]["text"] == "Safe." and len(activities) > 1
        assert learner.take_notices() == []
        assert len(temporary_files(folder)) <= 1
    LearnerRecord(folder).update("saved-after", {"text": "Also safe."})
    assert sorted(p.name for p in folder.iterdir()) == [RECORD_FILE, RECORD_FILE + ".lock"]


def test_other_temporary_files_are_removed_only_once_they_are_old(tmp_path):
    """A temporary file of an earlier version of the course (no record name in it), or of
    another record file in the same folder, may be one another kernel is writing now: is
    it kept while fresh and removed once old? And are this file's names ones nbgrader's
    configuration leaves out of a submission?"""
    learner = LearnerRecord(tmp_path)
    learner.update("a", {"n": 1})
    others = [tmp_path / ".record-fresh.tmp", tmp_path / ".record-answers.json-fresh.tmp"]
    old = [tmp_path / ".record-old.tmp", tmp_path / ".record-answers.json-old.tmp"]
    for path in others + old:
        path.write_text("{}")
    long_ago = time.time() - OTHER_TEMPORARY_AGE_S - 60
    for path in old:
        os.utime(path, (long_ago, long_ago))
    learner.update("a", {"n": 2})
    assert all(path.exists() for path in others) and not any(path.exists() for path in old)
    assert learner.clean_temporary_files() == []
    config = (Path(__file__).parents[1] / "grading" / "nbgrader_config.py").read_text()
    ignored = ast.literal_eval(re.search(r"CourseDirectory\.ignore = (\[.*?\])", config, re.S).group(1))
    assert any(fnmatch.fnmatch(learner._temporary_prefix + "x1y2.tmp", pattern) for pattern in ignored)
