"""The learner's record: every answer, path, result and reflection, kept on their machine.

One JSON file in a folder the learner can choose with $COURSE_RECORD_DIR. Every change is
a locked read-modify-write followed by an atomic replace, so two tabs (two kernels) can
save at the same moment without losing anything. A file that cannot be read is moved
aside, never emptied, and the learner is told where it went.
"""

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

RECORD_DIR_VARIABLE = "COURSE_RECORD_DIR"
RECORD_FILE = "learner-record.json"
RECORD_VERSION = 1


class RecordError(Exception):
    """The record could not be saved (for example, the folder is read-only)."""


def default_record_dir():
    """$COURSE_RECORD_DIR, or a folder in the learner's home."""
    chosen = os.environ.get(RECORD_DIR_VARIABLE)
    return Path(chosen).expanduser() if chosen else Path.home() / "compassionate-leadership-record"


def now():
    """The local time, with its offset, as ISO text."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def empty_record():
    return {"version": RECORD_VERSION, "activities": {}, "set_aside": []}


def _shape_problem(data):
    """Why the data is not a usable record, or None when it is."""
    if not isinstance(data, dict):
        return "it is not a set of named fields"
    if not isinstance(data.get("version"), int) or isinstance(data.get("version"), bool):
        return "its version is missing"
    if data["version"] > RECORD_VERSION:
        return f"it was written by a newer version of the course (version {data['version']})"
    if not isinstance(data.get("activities"), dict):
        return "its list of activities is missing"
    for activity_id, entry in data["activities"].items():
        if not isinstance(entry, dict):
            return f"the entry for '{activity_id}' is damaged"
    if not isinstance(data.get("set_aside", []), list):
        return "its list of set-aside files is damaged"
    return None


class LearnerRecord:
    """Reads and changes the record file safely; see the module docstring.

    ``filename`` lets the same safe file serve other answers (an assessment's answers.json)."""

    def __init__(self, directory=None, filename=RECORD_FILE):
        self.directory = Path(directory) if directory else default_record_dir()
        self.path = self.directory / filename
        self.notices = []

    def _lock(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path) + ".lock", timeout=15)

    def read(self):
        """The whole record (a fresh copy)."""
        try:
            with self._lock():
                return self._load()
        except (OSError, Timeout) as error:
            self.notices.append(f"Your saved work could not be opened ({error.__class__.__name__}).")
            return empty_record()

    def activity(self, activity_id):
        """The saved entry of one activity, or an empty one."""
        return dict(self.read()["activities"].get(activity_id, {}))

    def update(self, activity_id, changes):
        """Merge ``changes`` into one activity's entry and save; return the new entry."""
        try:
            with self._lock():
                data = self._load()
                entry = data["activities"].setdefault(activity_id, {})
                entry.update(changes)
                entry["updated"] = now()
                self._write(data)
                return dict(entry)
        except (OSError, Timeout) as error:
            raise RecordError(f"Your work could not be saved in {self.directory} ({error}).") from error

    def take_notices(self):
        """Messages for the learner not yet shown (for example, a damaged file set aside)."""
        notices, self.notices = self.notices, []
        return notices

    # --- inside the lock ---------------------------------------------------------------

    def _load(self):
        if not self.path.exists():
            return empty_record()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            problem = _shape_problem(data)
        except (ValueError, UnicodeDecodeError):
            problem = "it is not readable JSON"
        if problem is None:
            data.setdefault("set_aside", [])
            return data
        return self._set_aside(problem)

    def _set_aside(self, problem):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = self.path.with_name(f"{self.path.stem}.damaged-{stamp}.json")
        counter = 1
        while kept.exists():
            counter += 1
            kept = self.path.with_name(f"{self.path.stem}.damaged-{stamp}-{counter}.json")
        os.replace(self.path, kept)
        fresh = empty_record()
        fresh["set_aside"].append({"file": kept.name, "reason": problem, "when": now()})
        self._write(fresh)
        self.notices.append(
            f"Your saved work could not be read ({problem}). Nothing was deleted: the old file "
            f"was kept as {kept} and a new record was started. A facilitator can help you recover it."
        )
        return fresh

    def _write(self, data):
        handle, temporary = tempfile.mkstemp(prefix=".record-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, ensure_ascii=False, indent=1)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


_records = {}


def get_record():
    """The record for the current $COURSE_RECORD_DIR (one object per folder per kernel)."""
    directory = default_record_dir()
    if directory not in _records:
        _records[directory] = LearnerRecord(directory)
    return _records[directory]
