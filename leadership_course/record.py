"""The learner's record: every answer, path, result and reflection, kept on their machine.

One JSON file in a folder the learner can choose with $COURSE_RECORD_DIR. Every change is
a locked read-modify-write followed by an atomic replace, so two tabs (two kernels) can
save at the same moment without losing anything. Because the file is only ever replaced
whole, reading needs no lock (and pages that only read do not load the locking library).
A file that cannot be read is moved aside, never emptied, and the learner is told where it went.
"""

import json
import os
import time
from datetime import datetime
from pathlib import Path

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
        from filelock import FileLock

        self.directory.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path) + ".lock", timeout=15)

    def read(self):
        """The whole record (a fresh copy).

        Read without the lock: a writer replaces the file whole, so a read sees the old
        or the new record, never half of one. Only a file that looks damaged is read
        again under the lock, where it is set aside; so is one that could not be opened
        (on Windows, for a moment while another tab replaces it)."""
        try:
            data, problem = self._parse()
            if problem is None:
                return data
        except OSError:
            pass  # tried again under the lock
        from filelock import Timeout

        try:
            with self._lock():
                return self._load()
        except (OSError, Timeout) as error:
            return self._not_opened(error)

    def _not_opened(self, error):
        self.notices.append(f"Your saved work could not be opened ({error.__class__.__name__}).")
        return empty_record()

    def activity(self, activity_id):
        """The saved entry of one activity, or an empty one."""
        return dict(self.read()["activities"].get(activity_id, {}))

    def update(self, activity_id, changes):
        """Merge ``changes`` into one activity's entry and save; return the new entry."""
        from filelock import Timeout

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

    # --- the file itself (changed only inside the lock) ----------------------------------

    def _parse(self):
        """(record, None) for a usable file or no file; (None, why) for a damaged one."""
        if not self.path.exists():
            return empty_record(), None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            problem = _shape_problem(data)
        except (ValueError, UnicodeDecodeError):
            return None, "it is not readable JSON"
        if problem is not None:
            return None, problem
        data.setdefault("set_aside", [])
        return data, None

    def _load(self):
        data, problem = self._parse()
        return data if problem is None else self._set_aside(problem)

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
        import tempfile

        handle, temporary = tempfile.mkstemp(prefix=".record-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, ensure_ascii=False, indent=1)
                stream.flush()
                os.fsync(stream.fileno())
            _replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _replace(source, target, attempts=50):
    """os.replace, tried again for a moment if the target is open elsewhere: on Windows a
    page reading the record at that instant makes the replace fail with PermissionError."""
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.01)


_records = {}


def get_record():
    """The record for the current $COURSE_RECORD_DIR (one object per folder per kernel)."""
    directory = default_record_dir()
    if directory not in _records:
        _records[directory] = LearnerRecord(directory)
    return _records[directory]
