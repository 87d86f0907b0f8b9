"""What each account's home holds on the hub, made ready before its server starts.

* The home itself: the account's alone (mode 0700), so nobody else can read anything in it.
* ``~/course/``: the course pages, each a link to the one shared copy of the course (read
  only), so an update of the course reaches everyone at their next page load, and a
  learner's own files in that folder (assessments opened from a hand-out) are left alone.
* ``~/course/assessments/``: the learner's own folder for assessments fetched from the
  exchange (mode 0700; never a link to the shared course).
* ``~/compassionate-leadership-record/``: the learner's record (mode 0700), never touched
  by an update.
* For a facilitator, ``~/course/grading/``: a copy of the course's nbgrader folder (made once),
  from the shared course's ``grading/`` (open to the facilitators' group alone) or from
  ``--grading-dir`` (on Kubernetes, a volume only facilitators' pods mount).

Run as the account itself (``python -m leadership_course.hub.homes``), so a link a learner
left in their home can never make root write somewhere else.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
from pathlib import Path

from ..grading.cli import ROUND_FOLDERS
from ..grading.exchange import ASSESSMENTS_DIR

COURSE_LINK_DIR = "course"
RECORD_DIR = "compassionate-leadership-record"
GRADING_DIR = "course/grading"  # under the server's folder, where formgrader looks for it

def private_folder(path: Path) -> None:
    """Make ``path`` (not a link) a folder only its owner can open."""
    if path.is_symlink():
        path.unlink()
    path.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)


def link_course(home: Path, modules: Path) -> Path:
    """Link every entry of the shared ``modules`` into ``home/course``; drop links to entries gone."""
    folder = home / COURSE_LINK_DIR
    private_folder(folder)
    shared = {entry.name for entry in modules.iterdir()
              if not entry.name.startswith(".") and entry.name != ASSESSMENTS_DIR}
    for entry in folder.iterdir():
        if entry.is_symlink() and os.readlink(entry).startswith(str(modules) + os.sep) and entry.name not in shared:
            entry.unlink()  # a page the course no longer has
    for name in sorted(shared):
        link, target = folder / name, modules / name
        if link.is_symlink() and os.readlink(link) == str(target):
            continue
        if link.exists() or link.is_symlink():
            if not link.is_symlink():
                continue  # the learner's own file or folder of that name: kept
            link.unlink()
        os.symlink(target, link)
    return folder


def protect_record(home: Path) -> Path:
    """The record folder and every file in it readable by the learner alone."""
    folder = home / RECORD_DIR
    private_folder(folder)
    for entry in folder.iterdir():
        if entry.is_file() and not entry.is_symlink():
            os.chmod(entry, stat.S_IMODE(entry.stat().st_mode) & 0o700)
    return folder


def copy_grading(home: Path, grading: Path) -> Path:
    """A facilitator's own nbgrader folder, copied once without the course's rounds (their marking is kept)."""
    folder = home / GRADING_DIR
    if not folder.exists():
        shutil.copytree(grading, folder, symlinks=False, ignore=shutil.ignore_patterns(*ROUND_FOLDERS))
        os.chmod(folder, 0o700)
    return folder


def prepare(home: Path, course_dir: Path, facilitator: bool, grading_dir: Path | None = None) -> None:
    os.chmod(home, 0o700)
    private_folder(link_course(home, course_dir / "modules") / ASSESSMENTS_DIR)
    protect_record(home)
    if facilitator:
        copy_grading(home, grading_dir or course_dir / "grading")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadership_course.hub.homes", description=__doc__)
    parser.add_argument("--course-dir", type=Path, required=True)
    parser.add_argument("--facilitator", action="store_true")
    parser.add_argument("--grading-dir", type=Path, help="the facilitators' nbgrader folder (default: the "
                        "course's grading/)")
    args = parser.parse_args(argv)
    prepare(Path.home(), args.course_dir.resolve(), args.facilitator, args.grading_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
