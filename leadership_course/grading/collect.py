"""Collecting submissions safely: nbgrader plugins for ``zip_collect`` (the hub's ``collect`` step is
``exchange_collect``).

A learner's "Download my submission" zip is named ``<assignment>__<learner>__<time>.zip`` and
holds ``<learner>__<file>`` for the notebook and the answers file. With the course's
configuration:

* ``SubmissionZipExtractor`` opens each zip with limits and, before copying anything, reads
  every entry to its end (so its CRC is checked) and the time in its name; it refuses, with a
  reason, a file that is not a zip, a zip with entries that point outside its folder, links,
  folders, too many or too large entries, a damaged, encrypted or unusually compressed entry,
  or an impossible time. Whatever else goes wrong with one zip becomes its reason too, and
  the batch goes on;
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
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
from nbgrader.plugins.zipcollect import ExtractorPlugin, FileNameCollectorPlugin

from .problems import REFUSED, add_problem, clear_collect_stage, read_problems
from .questions import ANSWERS_FILE, MAX_ANSWERS_BYTES
from .roster import LEARNER_ID, roster_ids

STAGE = "collect"
MAX_ENTRIES = 10
MAX_NOTEBOOK_BYTES = 5_000_000
#: Both always with fullmatch ("$" would let a final newline through).
ZIP_NAME = re.compile(r"(?P<assignment>[^_][^/]*?)__(?P<learner>[^/]+?)(?:__(?P<time>\d{8}T\d{6}Z))?"
                      r"(?: ?\(\d+\))?(?:-\d+)?")
ENTRY_NAME = re.compile(r"(?P<learner>[^/]+?)__(?P<file>[^/]+)")
TIME_FORMAT = "%Y%m%dT%H%M%SZ"
#: Compression the course's own downloads use (a browser's or an archiver's re-zip may store).
USUAL_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
CHUNK = 64 * 1024
#: A download's time may run ahead of this computer's clock by this much (another computer's clock).
CLOCK_SLACK = timedelta(days=1)
ASK_AGAIN = "Ask the learner to use Download my submission again and send the new file."


def released_notebooks(coursedir):
    """The names of the notebooks handed out for the assignment being collected."""
    folder = Path(coursedir.format_path(coursedir.release_directory, ".", coursedir.assignment_id))
    return sorted(p.name for p in folder.glob("*.ipynb"))


def readable_notebook(path, coursedir, course, assignment, learner):
    """Put the released notebook in place of a submitted one that cannot be read: grading uses the
    released cells and the learner's answers file, so nothing of theirs is lost; say so."""
    try:
        nbformat.read(str(path), as_version=4)
        return
    except Exception as error:  # noqa: BLE001 (whatever stops nbformat stops autograde for the cohort)
        why = f"{type(error).__name__}: {str(error)[:80]}"
    release = Path(coursedir.format_path(coursedir.release_directory, ".", coursedir.assignment_id))
    released = release / Path(path).name if (release / Path(path).name).is_file() else None
    if released is None and len(released_notebooks(coursedir)) == 1:
        released = release / released_notebooks(coursedir)[0]
    if released is None:
        return
    shutil.copyfile(released, path)
    add_problem(course, assignment, learner, STAGE,
                f"The notebook could not be read ({why}); the released one was put in its place, and the "
                "learner's answers file was graded as usual.",
                "Nothing to do for the marks: answers come from the answers file. Ask the learner about it if "
                "it happens again.")


def renamed_reason(found, released):
    return (f"The notebook was renamed ({found[:80]!r}); it was collected as {released} and graded from "
            "the learner's answers file as usual.")


def _assignment_and_course(plugin):
    app = plugin.parent
    return app.coursedir.assignment_id, app.coursedir.root


def _refuse(course, assignment, name, reason, action=ASK_AGAIN):
    add_problem(course, assignment, REFUSED, STAGE, f"{name}: {reason}", action)


def name_time(name):
    """The download time in a zip's name (``None`` if it has none); ValueError if it cannot be a time."""
    match = ZIP_NAME.fullmatch(name)
    if not match or not match["time"]:
        return None
    return datetime.strptime(match["time"], TIME_FORMAT).replace(tzinfo=timezone.utc)


def entry_problem(archive, entry):
    """Why one entry cannot be read whole and intact, or ''; it is read to its end, so its CRC is checked."""
    name = entry.filename
    if entry.flag_bits & 0x1:
        return f"an entry ({name[:80]!r}) is encrypted, which the course's downloads never are."
    if entry.compress_type not in USUAL_COMPRESSION:
        return f"an entry ({name[:80]!r}) uses a compression the course does not read (method {entry.compress_type})."
    limit = MAX_ANSWERS_BYTES if name.endswith(ANSWERS_FILE) else MAX_NOTEBOOK_BYTES
    read = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                if read > limit:
                    return f"an entry ({name[:80]!r}) is far larger than a real submission."
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as error:
        return f"an entry ({name[:80]!r}) is damaged and cannot be read ({type(error).__name__}: {str(error)[:120]})."
    return ""


def zip_problem(path):
    """Why the zip at ``path`` cannot be a course submission, or '' when every entry reads safely."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
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
        for entry in entries:
            problem = entry_problem(archive, entry)
            if problem:
                return problem
    try:
        when = name_time(path.stem)
    except (ValueError, OverflowError):
        return (f"its name carries a time that cannot be ({ZIP_NAME.fullmatch(path.stem)['time']}): it was "
                "renamed or damaged.")
    if when and when > datetime.now(timezone.utc) + CLOCK_SLACK:
        return (f"its name carries a time in the future ({when:%Y-%m-%d %H:%M} UTC), so it would replace any real "
                "download; it was renamed, and was not collected.")
    return ""


class SubmissionZipExtractor(ExtractorPlugin):
    """Extract each learner's zip into its own folder, refusing unsafe zips with a reason."""

    def extract(self, archive_path, extracted_path):
        assignment, course = _assignment_and_course(self)
        clear_collect_stage(course, assignment)
        typed = {}  # learner ID: {the ID as typed (the zip's comment): zip name}
        for path in sorted(Path(archive_path).iterdir()) if Path(archive_path).is_dir() else []:
            folder = Path(extracted_path) / path.stem
            try:
                if self.extract_one(path, folder, course, assignment):
                    self.note_typed_id(path, typed)
            except Exception as error:  # one zip never stops the batch: its reason is kept instead
                shutil.rmtree(folder, ignore_errors=True)
                _refuse(course, assignment, path.name, f"it could not be opened ({type(error).__name__}: "
                        f"{str(error)[:120]}).")
        for learner, forms in typed.items():
            if len(forms) > 1:
                shown = ", ".join(f"{form!r} in {name}" for form, name in sorted(forms.items()))
                add_problem(course, assignment, learner, STAGE,
                            f"Downloads under ID {learner} were typed differently ({shown}): they may come from "
                            "two people. Only the latest was collected.",
                            "Ask who sent each file. If they are two people, give one a new ID and ask them to "
                            "download again.")

    @staticmethod
    def note_typed_id(path, typed):
        match = ZIP_NAME.fullmatch(path.stem)
        with zipfile.ZipFile(path) as archive:
            form = archive.comment.decode("utf-8", errors="replace")
        if match and form:
            typed.setdefault(match["learner"], {}).setdefault(form, path.name)

    def extract_one(self, path, folder, course, assignment):
        """Extract one zip into ``folder``; True if it was, False if it was refused (with its reason)."""
        if path.is_symlink() or not path.is_file():
            _refuse(course, assignment, path.name, "this is a link or a folder, not a submission zip.")
            return False
        if path.suffix.lower() != ".zip":
            _refuse(course, assignment, path.name, "only the zip files made by Download my submission "
                    "can be collected.")
            return False
        problem = zip_problem(path)
        if problem:
            _refuse(course, assignment, path.name, problem)
            return False
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
        return True


class SubmissionZipCollector(FileNameCollectorPlugin):
    """Name the learner, file and time of each extracted file; refuse what does not fit
    (including, once a roster is registered, a learner ID that is not on it)."""

    def _roster(self):
        if not hasattr(self, "_roster_ids"):
            self._roster_ids = set(roster_ids(self.parent.coursedir.root))
        return self._roster_ids

    def collect(self, submitted_file):
        assignment, course = _assignment_and_course(self)
        try:
            return self.collect_one(Path(submitted_file), assignment, course)
        except Exception as error:  # one file never stops the batch: its reason is kept instead
            _refuse(course, assignment, f"{Path(submitted_file).parent.name}.zip", f"a file in it could not be "
                    f"collected ({type(error).__name__}: {str(error)[:120]}).")
            return None

    def collect_one(self, path, assignment, course):
        zip_name = f"{path.parent.name}.zip"
        match, entry = ZIP_NAME.fullmatch(path.parent.name), ENTRY_NAME.fullmatch(path.name)
        if not match or not entry or match["assignment"] != assignment:
            _refuse(course, assignment, zip_name, f"its name is not that of a {assignment} submission "
                    f"({assignment}__LEARNER-ID__TIME.zip).")
            return None
        learner = entry["learner"]
        if not LEARNER_ID.fullmatch(learner):
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
        if file_id.endswith(".ipynb"):
            readable_notebook(path, self.parent.coursedir, course, assignment, learner)
        when = name_time(path.parent.name) or datetime.fromtimestamp(path.parent.stat().st_mtime, timezone.utc)
        stamp = when.strftime("%Y-%m-%d %H:%M:%S UTC")
        if file_id == ANSWERS_FILE:
            self._note_replacement(course, assignment, learner, zip_name, when)
        return {"student_id": learner, "file_id": file_id, "timestamp": stamp}

    def _note_replacement(self, course, assignment, learner, zip_name, when):
        """nbgrader keeps a learner's latest download: say which one was set aside, with both times."""
        if not hasattr(self, "_latest"):
            self._latest = {}
        earlier = self._latest.get(learner)
        self._latest[learner] = max(earlier, (when, zip_name)) if earlier else (when, zip_name)
        if earlier:
            (old_when, old_zip), (new_when, new_zip) = sorted([earlier, (when, zip_name)])
            add_problem(course, assignment, learner, STAGE,
                        f"More than one download: {new_zip} ({new_when:%Y-%m-%d %H:%M} UTC) was collected in place "
                        f"of {old_zip} ({old_when:%Y-%m-%d %H:%M} UTC).",
                        "Nothing to do if the learner sent both. If not, ask them which is theirs: a zip renamed "
                        "to a later time can replace someone's work.")


def refused(course_dir, assignment):
    """The zips refused for ``assignment``, with their reasons."""
    return read_problems(course_dir, assignment, REFUSED)
