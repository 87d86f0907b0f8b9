"""Collecting submissions safely: nbgrader plugins for ``zip_collect`` (the hub's ``collect`` step is
``exchange_collect``).

A learner's "Download my submission" zip is named ``<assignment>__<learner>__<time>.zip`` and
holds ``<learner>__<file>`` for the notebook and the answers file. With the course's
configuration:

* ``SubmissionZipExtractor`` opens each zip with limits and refuses, with a reason, a file that
  is not a zip, a zip with entries that point outside its folder, links, folders, too many or
  too large entries;
* ``SubmissionZipCollector`` accepts only the course's learner ids (and, once a roster is
  registered, only the ids on it), refuses a zip whose name
  and entries name different learners, and gives every file a time (from the zip's name, or
  the zip itself), so that several downloads from one learner keep the latest rather than
  stopping the batch with "Duplicate submission file";

Every refusal is kept (``problems.py``) for the marks export and the dashboard.
"""

import os
import re
import shutil
import stat
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.plugins.zipcollect import ExtractorPlugin, FileNameCollectorPlugin

from .problems import REFUSED, add_problem, clear_collect_stage, read_problems
from .questions import ANSWERS_FILE, MAX_ANSWERS_BYTES
from .roster import LEARNER_ID, roster_ids

STAGE = "collect"
MAX_ENTRIES = 10
MAX_NOTEBOOK_BYTES = 5_000_000
ZIP_NAME = re.compile(r"^(?P<assignment>[^_][^/]*?)__(?P<learner>[^/]+?)(?:__(?P<time>\d{8}T\d{6}Z))?"
                      r"(?: ?\(\d+\))?(?:-\d+)?$")
ENTRY_NAME = re.compile(r"^(?P<learner>[^/]+?)__(?P<file>[^/]+)$")
ASK_AGAIN = "Ask the learner to use Download my submission again and send the new file."


def released_notebooks(coursedir):
    """The names of the notebooks handed out for the assignment being collected."""
    folder = Path(coursedir.format_path(coursedir.release_directory, ".", coursedir.assignment_id))
    return sorted(p.name for p in folder.glob("*.ipynb"))


def renamed_reason(found, released):
    return (f"The notebook was renamed ({found[:80]!r}); it was collected as {released} and graded from "
            "the learner's answers file as usual.")


def _assignment_and_course(plugin):
    app = plugin.parent
    return app.coursedir.assignment_id, app.coursedir.root


def _refuse(course, assignment, name, reason, action=ASK_AGAIN):
    add_problem(course, assignment, REFUSED, STAGE, f"{name}: {reason}", action)


def zip_problem(path):
    """Why the zip at ``path`` cannot be a course submission, or '' when it can be opened safely."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return "this is not a zip file that the course made, or it is damaged."
    with archive:
        entries = archive.infolist()
        if not entries or len(entries) > MAX_ENTRIES:
            return f"the zip holds {len(entries)} files; a submission holds the notebook and the answers file."
        for entry in entries:
            name = entry.filename
            if name.startswith(("/", "\\")) or "/" in name or "\\" in name or ".." in name or ":" in name:
                return f"an entry ({name[:80]!r}) points outside its own folder or into a folder."
            if stat.S_ISLNK(entry.external_attr >> 16):
                return f"an entry ({name[:80]!r}) is a symbolic link."
            limit = MAX_ANSWERS_BYTES if name.endswith(ANSWERS_FILE) else MAX_NOTEBOOK_BYTES
            if entry.file_size > limit:
                return f"an entry ({name[:80]!r}) is far larger than a real submission."
    return ""


class SubmissionZipExtractor(ExtractorPlugin):
    """Extract each learner's zip into its own folder, refusing unsafe zips with a reason."""

    def extract(self, archive_path, extracted_path):
        assignment, course = _assignment_and_course(self)
        clear_collect_stage(course, assignment)
        for path in sorted(Path(archive_path).iterdir()) if Path(archive_path).is_dir() else []:
            if path.is_symlink() or not path.is_file():
                _refuse(course, assignment, path.name, "this is a link or a folder, not a submission zip.")
                continue
            if path.suffix.lower() != ".zip":
                _refuse(course, assignment, path.name, "only the zip files made by Download my submission "
                        "can be collected.")
                continue
            problem = zip_problem(path)
            if problem:
                _refuse(course, assignment, path.name, problem)
                continue
            folder = Path(extracted_path) / path.stem
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            with zipfile.ZipFile(path) as archive:
                for entry in archive.infolist():
                    target = folder / entry.filename
                    with archive.open(entry) as source, open(target, "wb") as out:
                        shutil.copyfileobj(source, out)
            received = path.stat().st_mtime  # the folder keeps the zip's time, for a zip without one in its name
            os.utime(folder, (received, received))


class SubmissionZipCollector(FileNameCollectorPlugin):
    """Name the learner, file and time of each extracted file; refuse what does not fit
    (including, once a roster is registered, a learner ID that is not on it)."""

    def _roster(self):
        if not hasattr(self, "_roster_ids"):
            self._roster_ids = set(roster_ids(self.parent.coursedir.root))
        return self._roster_ids

    def collect(self, submitted_file):
        assignment, course = _assignment_and_course(self)
        path = Path(submitted_file)
        zip_name = f"{path.parent.name}.zip"
        match, entry = ZIP_NAME.match(path.parent.name), ENTRY_NAME.match(path.name)
        if not match or not entry or match["assignment"] != assignment:
            _refuse(course, assignment, zip_name, f"its name is not that of a {assignment} submission "
                    f"({assignment}__LEARNER-ID__TIME.zip).")
            return None
        learner = entry["learner"]
        if not LEARNER_ID.match(learner):
            _refuse(course, assignment, zip_name, "the learner ID inside it is not one the course accepts "
                    "(letters, numbers, dots and dashes, starting with a letter or number).",
                    "Check the learner's ID on your roster and ask them to download again with it.")
            return None
        roster = self._roster()
        if roster and learner not in roster:
            _refuse(course, assignment, zip_name, f"learner ID {learner!r} is not on the roster registered "
                    "with nbgrader, so it was not collected.",
                    "Check the ID against your roster: a typing slip, or a learner who needs adding with "
                    "python -m leadership_course roster import.")
            return None
        if match["learner"] != learner:
            _refuse(course, assignment, zip_name, f"its name says learner {match['learner'][:40]!r} but the "
                    f"files inside say {learner!r}, so it was not collected for either.",
                    "Ask the learner which ID is theirs; a renamed zip can be an attempt to submit for someone else.")
            return None
        file_id = entry["file"]
        if file_id != ANSWERS_FILE and not file_id.endswith(".ipynb"):
            add_problem(course, assignment, learner, STAGE, f"{zip_name}: the file {file_id[:80]!r} is not "
                        "part of a submission and was not collected.", "Nothing to do.")
            return None
        released = released_notebooks(self.parent.coursedir)
        if file_id.endswith(".ipynb") and file_id not in released and len(released) == 1:
            add_problem(course, assignment, learner, STAGE, renamed_reason(file_id, released[0]), "Nothing to do.")
            file_id = released[0]
        if match["time"]:
            when = datetime.strptime(match["time"], "%Y%m%dT%H%M%SZ")
        else:
            when = datetime.fromtimestamp(path.parent.stat().st_mtime, timezone.utc)
        stamp = when.strftime("%Y-%m-%d %H:%M:%S UTC")
        return {"student_id": learner, "file_id": file_id, "timestamp": stamp}


def refused(course_dir, assignment):
    """The zips refused for ``assignment``, with their reasons."""
    return read_problems(course_dir, assignment, REFUSED)
