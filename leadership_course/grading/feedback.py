"""Feedback that cannot go out wrong: it names what is not yet marked before it is written,
every rerun writes it afresh, and a part not yet marked says so on the page, never 0.

``python -m leadership_course feedback ASSIGNMENT`` runs nbgrader's own ``generate_feedback``
(always with ``--force``, so pages marked since the last run are rewritten) only once every
written answer is marked, unless ``--unmarked-ok`` is given. The course's nbgrader config uses
``GetGradesAndMarking`` in place of nbgrader's GetGrades, for the course feedback template."""

import os
import subprocess
import sys
from pathlib import Path

from nbgrader.preprocessors import GetGrades

from .marks import assessment_parts, gradebook


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


def not_yet_marked(course_dir, assignment):
    """[(learner, part name)] for every answer of ``assignment`` that still needs a hand mark."""
    parts = assessment_parts(course_dir, assignment)
    waiting = []
    with gradebook(course_dir) as gb:
        for submission in sorted(gb.assignment_submissions(assignment), key=lambda s: s.student.id):
            for notebook in submission.notebooks:
                waiting += [(submission.student.id, parts.get(g.name, (g.name,))[0])
                            for g in sorted(notebook.grades, key=lambda g: g.name) if g.needs_manual_grade]
    return waiting


def nbgrader_command(course_dir, *args):
    """Run one nbgrader command in the course folder (with this Python's tools on PATH)."""
    here = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{here}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(here / "nbgrader"), *args], cwd=course_dir, env=env, capture_output=True,
                          text=True)


def generate_feedback(course_dir, assignment, unmarked_ok=False, say=print):
    """Write every learner's feedback page afresh; return 0, or 1 (nothing written) when answers
    are not yet marked and ``unmarked_ok`` is off, or when nbgrader fails."""
    waiting = not_yet_marked(course_dir, assignment)
    if waiting:
        say(f"{len(waiting)} written answer(s) of {assignment} are not yet marked:")
        for learner, part in waiting:
            say(f"  {learner}: {part}")
        if not unmarked_ok:
            say("No feedback was written. Mark them in formgrader, then run this again "
                "(or add --unmarked-ok to write pages that say 'Not yet marked').")
            return 1
    result = nbgrader_command(course_dir, "generate_feedback", assignment, "--force")
    if result.returncode != 0:
        say(result.stdout[-3000:] + result.stderr[-3000:])
        say(f"nbgrader generate_feedback failed for {assignment} (its messages are above).")
        return 1
    pages = sorted((Path(course_dir) / "feedback").glob(f"*/{assignment}/*.html"))
    say(f"Wrote {len(pages)} feedback page(s) for {assignment} in {Path(course_dir) / 'feedback'}.")
    return 0
