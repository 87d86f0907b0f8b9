"""nbgrader preprocessors that keep a learner's submission from taking part in its own grading.

The course's assessments are answered through widgets and graded from ``answers.json``, so
nothing a learner types into the notebook itself should run. Before nbgrader executes a
submission (its "sanitize" step, configured in ``grading/nbgrader_config.py``):

* ``KeepOnlyAnswerFiles`` removes from the folder that will be graded every file the course
  did not hand out (a folder named like the course package, scripts, copies), refuses
  symbolic links and an oversized answers file, and keeps a reason for each;
* ``UseReleasedCells`` grades the facilitator's own cells: every cell is taken from the source
  notebook, in its order. Cells a learner added are set aside unrun, deleted cells come back,
  and changed cells are restored; each is reported, with the added text, as possible
  tampering. Because the restored cells are the source's, nbgrader's checksum check no
  longer warns about every honest learner (nbgrader #1961), so a warning means something.
"""

import copy
import shutil
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from .problems import add_problem, clear_stage
from .questions import ANSWERS_FILE, ASSESSMENT_FILE, MAX_ANSWERS_BYTES

STAGE = "autograde"
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # written by nbgrader's collect; feedback needs the secret


def _course(preprocessor):
    return CourseDirectory(config=preprocessor.config)


def _who(resources):
    info = resources["nbgrader"]
    return info["assignment"], info["student"], info["notebook"]


def _grade_id(cell):
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


class KeepOnlyAnswerFiles(NbGraderPreprocessor):
    """Leave only the notebooks, the answers file and the course's own files in the graded folder."""

    def preprocess(self, nb, resources):
        assignment, student, _ = _who(resources)
        course = _course(self)
        clear_stage(course.root, assignment, student, STAGE)
        submitted = Path(resources["metadata"]["path"])
        graded = Path(course.format_path(course.autograded_directory, student, assignment))
        expected = {f"{name}.ipynb" for name in self._notebook_names(resources)} | {ANSWERS_FILE, ASSESSMENT_FILE,
                                                                                   *NBGRADER_FILES}

        links = sorted(str(p.relative_to(submitted)) for p in submitted.rglob("*") if p.is_symlink())
        if links:
            add_problem(course.root, assignment, student, STAGE,
                        f"The submission holds symbolic links ({', '.join(links)}); they were refused and not "
                        "followed into grading.",
                        "Ask the learner to send the files themselves. A link to a file elsewhere can be an "
                        "attempt to read or replace files on this computer.")
            if (submitted / ANSWERS_FILE).is_symlink():
                (graded / ANSWERS_FILE).unlink(missing_ok=True)
        shared = submitted / ANSWERS_FILE
        if shared.is_file() and not shared.is_symlink() and shared.stat().st_nlink > 1:
            (graded / ANSWERS_FILE).unlink(missing_ok=True)
            add_problem(course.root, assignment, student, STAGE,
                        f"The answers file is a hard link shared with {shared.stat().st_nlink - 1} other file(s) on "
                        "this computer, so it was not read: a learner's own answers are a file of their own.",
                        "Ask the learner for a new download of their submission. A link to another file can be "
                        "an attempt to hand in the model answers.")
        answers = graded / ANSWERS_FILE
        if answers.is_file() and answers.stat().st_size > MAX_ANSWERS_BYTES:
            answers.unlink()
            add_problem(course.root, assignment, student, STAGE,
                        f"The answers file is larger than {MAX_ANSWERS_BYTES // 1_000_000} MB, so it was not read.",
                        "Ask the learner for a new download of their submission.")
        removed = []
        for entry in sorted(graded.iterdir()) if graded.is_dir() else []:
            if entry.name in expected and entry.is_file() and not entry.is_symlink():
                continue
            removed.append(entry.name)
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        extra = sorted(set(removed) - set(links))
        if extra:
            add_problem(course.root, assignment, student, STAGE,
                        f"Files the course did not hand out were set aside and not used in grading: {', '.join(extra)}.",
                        "Nothing to do unless the learner says an answer is missing. They stay in the submitted folder.")
        return nb, resources

    def _notebook_names(self, resources):
        from nbgrader.api import Gradebook

        assignment, _, _ = _who(resources)
        with Gradebook(resources["nbgrader"]["db_url"], course_id=_course(self).course_id) as gb:
            return [notebook.name for notebook in gb.find_assignment(assignment).notebooks]


class UseReleasedCells(NbGraderPreprocessor):
    """Grade the source notebook's own cells; report every added, deleted or changed cell."""

    def preprocess(self, nb, resources):
        assignment, student, notebook = _who(resources)
        course = _course(self)
        source = nbformat.read(Path(course.format_path(course.source_directory, ".", assignment)) / f"{notebook}.ipynb", 4)
        release_path = Path(course.format_path(course.release_directory, ".", assignment)) / f"{notebook}.ipynb"
        released = nbformat.read(release_path, 4) if release_path.is_file() else source
        handed_out = {_grade_id(cell): cell for cell in released.cells if _grade_id(cell)}

        seen, added, changed = set(), [], []
        for cell in nb.cells:
            grade_id = _grade_id(cell)
            if grade_id not in handed_out or grade_id in seen:
                text = cell.get("source", "")
                added.append(text if isinstance(text, str) else str(text))
                continue
            seen.add(grade_id)
            original = handed_out[grade_id]
            if cell.get("cell_type") != original.cell_type or cell.get("source") != original.source or \
                    cell.get("metadata", {}).get("nbgrader") != original.metadata.get("nbgrader"):
                changed.append(grade_id)
        deleted = [grade_id for grade_id in handed_out if grade_id not in seen]

        if added:
            shown = "\n---\n".join(text.strip() or "(empty cell)" for text in added)
            count = "1 cell that the course did not hand out was" if len(added) == 1 else \
                f"{len(added)} cells that the course did not hand out were"
            add_problem(course.root, assignment, student, STAGE,
                        f"{count} set aside and not run: possible tampering.",
                        "Read the text below. Marks come only from the learner's saved answers, so nothing "
                        "more is needed for grading; talk to the learner if it looks deliberate.",
                        detail=shown)
        if deleted:
            add_problem(course.root, assignment, student, STAGE,
                        f"Cells were deleted from the notebook ({', '.join(deleted)}); the course's own cells "
                        "were put back and graded from the saved answers.",
                        "Nothing to do: the learner's answers file was marked as usual.")
        if changed:
            add_problem(course.root, assignment, student, STAGE,
                        f"Cells were changed in the notebook, their text or their marking settings "
                        f"({', '.join(changed)}); the course's own cells were restored before grading.",
                        "Nothing to do: the changes did not run.")
        for text, what in ((added, "added"), (deleted, "deleted"), (changed, "changed")):
            if text:
                self.log.warning("%s: %d %s cell(s) in %s; see the marks export for details", student, len(text),
                                 what, notebook)

        cells = []
        for cell in source.cells:
            cell = copy.deepcopy(cell)
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            cells.append(cell)
        nb.cells = cells
        nb.metadata = copy.deepcopy(source.metadata)
        return nb, resources

