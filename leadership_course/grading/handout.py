"""Hand-out and return without a hub.

``hand_out`` packs a released assessment as one zip for learners (nothing from ``source/``
or ``keys/``) and makes ``downloaded/<assignment>/archive/``, where the learners' downloads
go for ``nbgrader zip_collect``. ``return_feedback`` packs each learner's own feedback page,
and nothing else, as ``returned/<assignment>/<assignment>__<learner>__feedback.zip``."""

import shutil
import zipfile
from pathlib import Path

from .questions import MODEL_ANSWERS_FILE
from .roster import is_learner_id

HAND_OUT_DIR = "hand-out"
RETURN_DIR = "returned"
#: Text that only the instructor's copy holds: a release containing any of it is not handed out.
SECRETS = ("BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "check_choice(", "model_answer")


class HandOutError(Exception):
    """A plain sentence for the facilitator: why nothing was packed."""


def hand_out(course_dir, assignment):
    """(zip path, archive folder, file names): the release packed under ``<assignment>/``."""
    course_dir = Path(course_dir)
    release = course_dir / "release" / assignment
    if not release.is_dir():
        raise HandOutError(f"There is no release/{assignment} yet: run `nbgrader generate_assignment "
                           f"{assignment}` first.")
    files = sorted(p for p in release.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.name == MODEL_ANSWERS_FILE or any(secret in text for secret in SECRETS):
            raise HandOutError(f"release/{assignment}/{path.relative_to(release)} holds answers or a mark "
                               f"scheme, so nothing was packed: run `nbgrader generate_assignment {assignment} "
                               "--force` again and check `nbgrader validate --invert`.")
    out = course_dir / HAND_OUT_DIR / f"{assignment}.zip"
    out.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"{assignment}/{path.relative_to(release).as_posix()}")
    inbox = course_dir / "downloaded" / assignment / "archive"
    inbox.mkdir(parents=True, exist_ok=True)
    return out, inbox, [p.relative_to(release).as_posix() for p in files]


def feedback_pages(course_dir, assignment, learner):
    """The learner's own feedback pages: regular .html files (never links) in their folder."""
    folder = Path(course_dir) / "feedback" / learner / assignment
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.html") if p.is_file() and not p.is_symlink())


def return_feedback(course_dir, assignment, not_ready=(), learners=()):
    """(packed {learner: zip path}, skipped {learner: reason}) for each learner with a feedback folder
    or in ``learners`` (everyone who submitted). Learners in ``not_ready`` ({learner: reason}, for
    example answers not yet marked) are skipped. The folder is made afresh each time."""
    course_dir = Path(course_dir)
    out = course_dir / RETURN_DIR / assignment
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    packed, skipped = {}, {}
    folders = {folder.parent.name for folder in (course_dir / "feedback").glob(f"*/{assignment}")}
    for learner in sorted(folders | set(learners)):
        if not is_learner_id(learner):
            skipped[learner] = "the folder name is not a learner ID, so it was not packed"
            continue
        if learner in not_ready:
            skipped[learner] = not_ready[learner]
            continue
        pages = feedback_pages(course_dir, assignment, learner)
        if not pages:
            skipped[learner] = (f"no feedback page was found: `python -m leadership_course feedback {assignment}` "
                                "says why")
            continue
        path = out / f"{assignment}__{learner}__feedback.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for page in pages:
                archive.write(page, f"{assignment}-feedback/{page.name}")
        packed[learner] = path
    return packed, skipped
