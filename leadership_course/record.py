"""The learner's record: every answer, path, result and reflection, kept on their machine.

One JSON file in a folder the learner can choose with $COURSE_RECORD_DIR. Every change is
a locked read-modify-write followed by an atomic replace, so two tabs (two kernels) can
save at the same moment without losing anything. Because the file is only ever replaced
whole, reading needs no lock (and pages that only read do not load the locking library).
A damaged file gives back everything still valid (record_check.py): damaged entries go to
the record's set-aside list, a file that was cut off or cannot be used is moved aside,
never emptied, and the learner is told, in plain words, what was kept and what was not.
The same set-aside list keeps each entry that a merge (continuing from a saved record)
replaced, so it can be brought back. Temporary files left by an interrupted save are
removed by the next save, under the lock, so never while another tab is writing one.
"""

import contextlib
import json
import os
import time
from datetime import datetime
from pathlib import Path

from .record_check import PAGE_NAME, RECORD_VERSION, Checked, activity_title, check_record, item_key, merge, restorable

RECORD_DIR_VARIABLE = "COURSE_RECORD_DIR"
RECORD_FILE = "learner-record.json"
#: Every temporary file of a save is named so (nbgrader's config leaves them out of a
#: submission). This version adds the record's own name after the prefix; a file without
#: it (earlier versions), or of another record file, is removed only once this old, so
#: never while a kernel still running an earlier version, or saving that file, writes it.
TEMPORARY_FILES = ".record-*.tmp"
OTHER_TEMPORARY_AGE_S = 600


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
    return {"version": RECORD_VERSION, "activities": {}, "set_aside": [], "pages_opened": {}}


class LearnerRecord:
    """Reads and changes the record file safely; see the module docstring.

    ``filename`` lets the same safe file serve other answers (an assessment's answers.json)."""

    def __init__(self, directory=None, filename=RECORD_FILE):
        self.directory = Path(directory) if directory else default_record_dir()
        self.path = self.directory / filename
        self.notices = []
        self._pages_noted = set()

    def _lock(self):
        from filelock import FileLock

        self.directory.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path) + ".lock", timeout=15)

    def read(self):
        """The whole record (a fresh copy).

        Read without the lock: a writer replaces the file whole, so a read sees the old
        or the new record, never half of one. Only a file that looks damaged is read
        again under the lock, where it is repaired; so is one that could not be opened
        (on Windows, for a moment while another tab replaces it)."""
        try:
            checked = self._parse()
            if checked.clean:
                return checked.record
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
        with self._saving():
            data = self._load()
            entry = data["activities"].setdefault(activity_id, {})
            entry.update(changes)
            entry["updated"] = now()
            self._write(data)
            return dict(entry)

    def note_page_opened(self, page):
        """Note that the learner opened the module page ``page`` (its notebook's name): its
        first and latest opening. One save per page per kernel, so one per page view in
        Voila; a page opened again in the same kernel (JupyterLab) is not saved again."""
        if page in self._pages_noted:
            return
        if not PAGE_NAME.match(page):  # the check would set it aside again at once
            raise ValueError(f"'{page}' is not the name of a course page")
        with self._saving():
            data = self._load()
            stamp = now()
            first = data["pages_opened"].get(page, {}).get("first", stamp)
            data["pages_opened"][page] = {"first": first, "last": stamp}
            self._write(data)
        self._pages_noted.add(page)

    @contextlib.contextmanager
    def _saving(self):
        """The lock, with any failure to save given as a RecordError in plain words."""
        from filelock import Timeout

        try:
            with self._lock():
                yield
        except (OSError, Timeout) as error:
            raise RecordError(f"Your work could not be saved in {self.directory} ({error}).") from error

    def preview(self, raw, source):
        """(Checked, MergePlan or None): what the file ``raw`` holds and what merging it
        would change. Changes nothing."""
        checked = check_record(raw, chosen=True)
        if checked.refused:
            return checked, None
        return checked, merge(self.read(), checked, source, now())[1]

    def merge_file(self, raw, source):
        """Merge the record file ``raw`` (named ``source`` for the learner) into this one:
        per activity the newer entry wins, and every other entry is set aside. Returns
        (Checked, MergePlan or None); a refused file changes nothing."""
        checked = check_record(raw, chosen=True)
        if checked.refused:
            return checked, None
        with self._saving():
            merged, plan = merge(self._load(), checked, source, now())
            if plan.changes:
                self._write(merged)
            return checked, plan

    def restore(self, key):
        """Bring back the set-aside entry named ``key`` (see record_check.item_key); the entry
        it replaces is set aside in its turn. Returns the activity id, or None when there is
        no such entry (another tab may have brought it back already)."""
        with self._saving():
            data = self._load()
            found = next((item for item in data["set_aside"] if item_key(item) == key and restorable(item)), None)
            if found is None:
                return None
            activity_id = found["activity"]
            data["set_aside"].remove(found)
            current = data["activities"].get(activity_id)
            if current is not None:
                data["set_aside"].append({"activity": activity_id, "entry": current, "when": now(),
                                          "reason": "replaced when you brought back an earlier entry"})
            data["activities"][activity_id] = {**found["entry"], "updated": now()}
            self._write(data)
            return activity_id

    def set_aside_file(self, name):
        """The bytes of a file this record set aside, by the name its set-aside list gives;
        None for any other name (only ``<record>.damaged-*.json`` in this folder) or a file
        no longer there."""
        if not (isinstance(name, str) and Path(name).name == name and name.endswith(".json")
                and name.startswith(f"{self.path.stem}.damaged-")):
            return None
        path = self.directory / name
        try:
            return path.read_bytes() if path.is_file() and not path.is_symlink() else None
        except OSError:
            return None

    def clean_temporary_files(self):
        """Remove the temporary files interrupted saves left; returns their names."""
        with self._saving():
            return self._clean_temporary_files()

    def take_notices(self):
        """Messages for the learner not yet shown (for example, a damaged file set aside)."""
        notices, self.notices = self.notices, []
        return notices

    # --- the file itself (changed only inside the lock) ----------------------------------

    def _parse(self):
        """A Checked for the file (an empty record when there is none)."""
        if not self.path.exists():
            return Checked(record=empty_record())
        return check_record(self.path.read_bytes())

    def _load(self):
        checked = self._parse()
        return checked.record if checked.clean else self._repair(checked)

    def _repair(self, checked):
        """Keep everything still valid; set aside what is not; tell the learner. A file that
        could not be read whole (or not at all) is first moved aside, never emptied."""
        stamp = now()
        kept = None
        if checked.refused or checked.problems:
            kept = self._move_aside()
        data = checked.record or empty_record()
        if kept:
            reason = checked.refused or "; ".join(checked.problems)
            data["set_aside"].append({"file": kept.name, "reason": reason, "when": stamp})
        data["set_aside"].extend({**item, "when": stamp} for item in checked.damaged)
        self._write(data)
        self.notices.append(repair_notice(checked, kept))
        return data

    def _move_aside(self):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = self.path.with_name(f"{self.path.stem}.damaged-{stamp}.json")
        counter = 1
        while kept.exists():
            counter += 1
            kept = self.path.with_name(f"{self.path.stem}.damaged-{stamp}-{counter}.json")
        os.replace(self.path, kept)
        return kept

    def _write(self, data):
        import tempfile

        self._clean_temporary_files()
        handle, temporary = tempfile.mkstemp(prefix=self._temporary_prefix, suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, ensure_ascii=False, indent=1)
                stream.flush()
                os.fsync(stream.fileno())
            _replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @property
    def _temporary_prefix(self):
        return f".record-{self.path.name}-"

    def _clean_temporary_files(self):
        """Inside the lock no other tab is saving this file, so every temporary file of
        this file is left over from a save that was interrupted; any other is removed
        once it is OTHER_TEMPORARY_AGE_S old (see TEMPORARY_FILES)."""
        removed = []
        limit = time.time() - OTHER_TEMPORARY_AGE_S
        for path in self.directory.glob(TEMPORARY_FILES):
            try:
                if not path.name.startswith(self._temporary_prefix) and path.stat().st_mtime > limit:
                    continue
                path.unlink()
                removed.append(path.name)
            except OSError:  # gone already, or (on Windows) still open
                pass
        return removed


def repair_notice(checked, kept):
    """What the learner is told when their record needed repair, in plain words."""
    if checked.refused:
        return (f"Your saved work could not be read ({checked.refused}). Nothing was deleted: the old file "
                f"was kept as {kept} and a new record was started. You, or a facilitator, can bring it back "
                "with \"Continue from a saved record\" on the course home.")
    count = len(checked.record["activities"])
    parts = [f"Some of your saved work was damaged, so it was repaired. Your work on {count} "
             f"activit{'y' if count == 1 else 'ies'} was kept, and you can carry on."]
    if checked.damaged:
        names = "; ".join(f"{activity_title(item['activity'], item['entry'])} ({item['reason']})"
                          if item["activity"] else item["reason"] for item in checked.damaged)
        parts.append(f"Set aside because it was damaged: {names}. Nothing was deleted.")
    if kept:
        parts.append(f"Also, {'; '.join(checked.problems)}. The old file was kept, whole, as {kept}.")
    return " ".join(parts)


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
