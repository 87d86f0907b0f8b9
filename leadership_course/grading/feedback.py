"""Feedback that cannot go out wrong: every rerun writes it afresh, a part not yet marked says
so on the page, never 0, and one learner whose page cannot be built never stops the others.

``python -m leadership_course feedback ASSIGNMENT`` runs nbgrader's own ``generate_feedback``
once (always with ``--force``, so pages marked since the last run are rewritten) for every
learner who can have a page, and names each learner held back with the reason: autograde did
not grade them, an answer is not yet marked (unless ``--unmarked-ok``), or nbgrader failed for
them (their graded notebook is damaged, say). The course's nbgrader config uses
``GetGradesAndMarking`` in place of nbgrader's GetGrades, for the course feedback template."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.preprocessors import GetGrades

from .marks import assessment_parts, gradebook
from .roster import shown_id


class GetGradesAndMarking(GetGrades):
    """nbgrader's GetGrades, and which parts still need a mark (``needs_manual_grade`` on each
    cell, ``not_yet_marked`` in the resources), so the feedback page can say so."""

    def _get_score(self, cell, resources):
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        cell.metadata.nbgrader["needs_manual_grade"] = bool(grade.needs_manual_grade)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        resources["nbgrader"]["not_yet_marked"] = sum(
            1 for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("needs_manual_grade"))
        return nb, resources


NOT_READY = "not yet marked: "
#: What nbgrader's failure for one learner means, by the exception its log names last.
FAILURES = (
    (("NotJSONError", "JSONDecodeError", "NBFormatError", "ValidationError", "UnicodeDecodeError"),
     "their graded notebook in autograded/{learner}/{assignment} is damaged and cannot be read as a notebook"),
    (("MissingEntry",), "the gradebook does not hold their submission (were they removed from it?)"),
    (("PermissionError",), "their graded files in autograded/{learner}/{assignment} cannot be opened"),
)
FAILED = re.compile(r"There was an error processing assignment '[^']*' for student '([^']*)'")
RECORD = re.compile(r"^\[\w+ \| [A-Z]+\] ", re.M)


def not_yet_marked(course_dir, assignment):
    """[(learner, part name)] for every answer of ``assignment`` that still needs a hand mark."""
    parts = assessment_parts(course_dir, assignment)
    waiting = []
    with gradebook(course_dir) as gb:
        try:
            found = gb.assignment_submissions(assignment)
        except MissingEntry:  # not in the gradebook yet
            return []
        for submission in sorted(found, key=lambda s: s.student.id):
            for notebook in submission.notebooks:
                waiting += [(submission.student.id, parts.get(g.name, (g.name,))[0])
                            for g in sorted(notebook.grades, key=lambda g: g.name) if g.needs_manual_grade]
    return waiting


def submitted(course_dir, assignment):
    """{learner: [notebook names]} for each learner with a submission of ``assignment`` in the gradebook."""
    with gradebook(course_dir) as gb:
        try:
            found = gb.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        return {s.student.id: sorted(n.notebook.name for n in s.notebooks) for s in found}


def held_back(course_dir, assignment, unmarked_ok=False):
    """{learner: reason} for each learner who submitted but has no feedback to build yet: autograde
    did not grade them (no graded notebook), or (unless ``unmarked_ok``) an answer is not yet marked."""
    reasons = {}
    for learner, names in submitted(course_dir, assignment).items():
        graded = Path(course_dir) / "autograded" / learner / assignment
        if not all((graded / f"{name}.ipynb").is_file() for name in names):
            reasons[learner] = (f"autograde did not grade their submission, so autograded/{learner}/{assignment} "
                                "holds no graded notebook: see their problems on the dashboard, then grade them again "
                                f"with `nbgrader autograde {assignment} --student {learner} --force`, or "
                                "ask them to send their submission again")
    if not unmarked_ok:
        for learner, part in not_yet_marked(course_dir, assignment):
            if learner not in reasons or reasons[learner].startswith(NOT_READY):
                reasons[learner] = f"{reasons[learner]}, {part}" if learner in reasons else f"{NOT_READY}{part}"
    return dict(sorted(reasons.items()))


def failures(log, assignment):
    """{learner: plain reason} for each learner nbgrader's generate_feedback ``log`` says it failed for."""
    failed = FAILED.findall(log)
    last_error = {}  # learner -> the last line of the traceback logged after "error processing assignment: PATH"
    records = RECORD.split(log)
    for record, following in zip(records, records[1:] + [""]):
        if record.startswith("There was an error processing assignment: ") and "Traceback" in following:
            learner = Path(record.split(": ", 1)[1].strip()).parent.name
            last_error[learner] = [line.strip() for line in following.strip().splitlines()][-1]
    reasons = {}
    for learner in failed:
        error = last_error.get(learner, "")
        reason = next((text for names, text in FAILURES if error.split(":")[0].rsplit(".", 1)[-1] in names),
                      f"nbgrader could not build their page ({error[:300] or 'no reason given'})")
        reasons[learner] = (reason.format(learner=learner, assignment=assignment) +
                            f": grade them again with `nbgrader autograde {assignment} --student {learner} --force`")
    return reasons


def withdraw_earlier_page(course_dir, assignment, learner):
    """Remove a held-back learner's page left in feedback/ by an earlier run (nbgrader's
    release_feedback sends whatever is there), and return its path; None if there was none.
    The page is made from the gradebook, so the next run that can build it writes it again."""
    folder = Path(course_dir) / "feedback"
    page = folder / learner / assignment
    if page.is_symlink():
        page.unlink()
    elif page.is_dir() and page.resolve().is_relative_to(folder.resolve()):
        shutil.rmtree(page)
    else:
        return None
    return f"feedback/{shown_id(learner)}/{assignment}"


def nbgrader_command(course_dir, *args):
    """Run one nbgrader command in the course folder (with this Python's tools on PATH)."""
    here = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{here}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(here / "nbgrader"), *args], cwd=course_dir, env=env, capture_output=True,
                          text=True)


def generate_feedback(course_dir, assignment, unmarked_ok=False, say=print):
    """Write the feedback page afresh for every learner who can have one, and name each learner held
    back with the reason. Returns 0 when every learner who submitted has a page, else 1."""
    course_dir = Path(course_dir)
    learners = sorted(set(submitted(course_dir, assignment)) |
                      {p.parent.name for p in (course_dir / "autograded").glob(f"*/{assignment}") if p.is_dir()})
    if not learners:
        say(f"Nobody's submission of {assignment} is graded yet: run `nbgrader autograde {assignment}` first.")
        return 1
    if unmarked_ok:
        waiting = not_yet_marked(course_dir, assignment)
        if waiting:
            say(f"{len(waiting)} written answer(s) of {assignment} are not yet marked: their pages say "
                "'Not yet marked', and the score is not final.")
    reasons = held_back(course_dir, assignment, unmarked_ok)
    building = [learner for learner in learners if learner not in reasons]
    if building:
        result = nbgrader_command(course_dir, "generate_feedback", assignment, "--force",
                                  f"--CourseDirectory.student_id_exclude={','.join(reasons)}")
        log = result.stdout + result.stderr
        failed = failures(log, assignment)
        if result.returncode != 0 and not failed:
            say(log[-3000:])
            say(f"nbgrader generate_feedback failed for {assignment} as a whole, not for one learner (its messages "
                "are above): put that right, then run this again.")
            return 1
        reasons.update(failed)
    built = [learner for learner in building if learner not in reasons]
    if reasons:
        say(f"No feedback page was written for {len(reasons)} learner(s) of {assignment}:")
        for learner, reason in sorted(reasons.items()):
            earlier = withdraw_earlier_page(course_dir, assignment, learner)
            say(f"  {shown_id(learner)}: {reason}." +
                (f" Their earlier page ({earlier}) was taken out, so it cannot be returned by mistake." if earlier else ""))
        if not unmarked_ok and any(reason.startswith(NOT_READY) for reason in reasons.values()):
            say("Mark their answers in formgrader, then run this again (or add --unmarked-ok to write pages "
                "that say 'Not yet marked').")
    folder = course_dir / "feedback"
    if built:
        say(f"Wrote the feedback page of {len(built)} of {len(learners)} learner(s) in {folder}: "
            f"{', '.join(map(shown_id, built))}.")
    else:
        say(f"No feedback was written for {assignment}.")
    return 1 if reasons else 0
