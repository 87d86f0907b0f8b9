"""For facilitators: per-question marks and a cohort summary, read from nbgrader's gradebook.

nbgrader's own ``export`` gives totals only; this reads every grade through
``nbgrader.api.Gradebook`` and adds, for each submission, the problems a grader should know
about (a missing notebook, a damaged answers file, an answer that could not be read)."""

import os
import sys
from pathlib import Path

from .problems import REFUSED, read_problems
from .questions import ANSWERS_FILE, chosen_options, load_assessment, read_answers, written_text

COURSE_ID = "compassionate-leadership"
NOT_YET_MARKED = "not yet marked"
MARK_COLUMNS = ["student", "assignment", "notebook", "question", "part", "kind", "score", "max_score",
                "auto_score", "manual_score", "needs_hand_marking", "reason", "comments", "problems"]

ANSWERS_ACTION = ("ask the learner to check their answers and send a new download of their submission "
                  "(or submit again on the hub), then rerun autograde.")


def gradebook(course_dir):
    from nbgrader.api import Gradebook

    # nbgrader runs `alembic` from PATH when it makes a new gradebook: this Python's own first.
    here = str(Path(sys.executable).parent)
    if here not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")
    return Gradebook(f"sqlite:///{Path(course_dir) / 'gradebook.db'}", course_id=COURSE_ID)


def assessment_parts(course_dir, assignment):
    """{grade name: (label, question or written item)} for an assessment, e.g. 'Written answer 2'."""
    try:
        assessment = load_assessment(Path(course_dir) / "source" / assignment)
    except Exception:  # no questions file: the export falls back to nbgrader's names
        return {}
    parts = {q["id"]: (f"Question {n}", q) for n, q in enumerate(assessment["questions"], start=1)}
    for number, item in enumerate(assessment.get("written") or [], start=1):
        parts[f"{item['id']}-task"] = (f"Written answer {number}", item)
    return parts


def lost_mark_reason(grade, item, answers):
    """Why a part scored less than its marks: wrong, not answered, not valid, or not yet marked."""
    if grade.needs_manual_grade:
        return NOT_YET_MARKED
    if grade.score >= grade.max_score:
        return ""
    if item is None:
        return "the test did not pass (see the graded notebook)"
    entry = answers.get(item["id"])
    if "options" not in item:  # a written answer, marked by hand
        return "not answered" if not written_text(entry).strip() else "marked by hand (see the comments)"
    if entry is None:
        return "not answered"
    if chosen_options(item, entry) is None:
        return "not valid: the saved answer is not a choice of this question's options"
    return "wrong answer"


def ungraded(course_dir, student, assignment, notebook_names):
    """[problem] when the gradebook holds ``student``'s submission but autograde wrote no graded
    copy of one of its notebooks (nbgrader failed for them alone), in the problems/ files' shape."""
    graded = Path(course_dir) / "autograded" / student / assignment
    missing = [f"{name}.ipynb" for name in notebook_names if not (graded / f"{name}.ipynb").is_file()]
    if not missing:
        return []
    return [{"reason": f"autograde did not grade {', '.join(missing)}, so the score shown is not theirs.",
             "action": f"run `nbgrader autograde {assignment} --student {student} --force` and read its messages; "
                       "if it says the notebook cannot be read, ask them to send their submission again."}]


def submission_problems(course_dir, student, assignment, notebook_names):
    """Plain reasons why a submission may score less than the learner expects."""
    course_dir = Path(course_dir)
    problems = []
    submitted = course_dir / "submitted" / student / assignment
    for name in notebook_names:
        if not (submitted / f"{name}.ipynb").exists():
            others = sorted(p.name for p in submitted.glob("*.ipynb")) if submitted.exists() else []
            found = f" (found: {', '.join(others)})" if others else ""
            problems.append(f"notebook {name}.ipynb was not submitted{found}")
    graded = course_dir / "autograded" / student / assignment
    folder = graded if (graded / ANSWERS_FILE).exists() or not submitted.exists() else submitted
    answers, answer_problems = read_answers(folder)
    problems += [f"{problem} What to do: {ANSWERS_ACTION}" for problem in answer_problems]
    try:
        questions = load_assessment(course_dir / "source" / assignment)["questions"]
    except Exception:
        questions = []
    for question in questions:
        if question["id"] in answers and chosen_options(question, answers[question["id"]]) is None:
            problems.append(f"the answer to {question['id']} could not be read")
    for kept in read_problems(course_dir, assignment, student) + ungraded(course_dir, student, assignment,
                                                                          notebook_names):
        detail = f" Text: {kept['detail']}" if kept.get("detail") else ""
        problems.append(f"{kept.get('reason', '')} What to do: {kept.get('action', '')}{detail}")
    return problems


def per_question_marks(course_dir):
    """One row per learner, assignment and graded part, as dictionaries (MARK_COLUMNS)."""
    rows = []
    with gradebook(course_dir) as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            notebook_names = [n.name for n in assignment.notebooks]
            parts = assessment_parts(course_dir, assignment.name)
            for student in sorted(gb.students, key=lambda s: s.id):
                try:
                    submission = gb.find_submission(assignment.name, student.id)
                except Exception:  # MissingEntry: nothing submitted
                    continue
                problems = "; ".join(submission_problems(course_dir, student.id, assignment.name, notebook_names))
                if not any(notebook.grades for notebook in submission.notebooks):
                    rows.append({"student": student.id, "assignment": assignment.name, "notebook": "",
                                 "question": "(whole submission)", "part": "", "kind": "automatic", "score": 0,
                                 "max_score": assignment.max_score, "auto_score": 0, "manual_score": None,
                                 "needs_hand_marking": False, "reason": "nothing could be graded",
                                 "comments": "", "problems": problems or "nothing could be graded"})
                answers = read_answers(Path(course_dir) / "autograded" / student.id / assignment.name)[0]
                for notebook in submission.notebooks:
                    comments = {c.name: c.comment for c in notebook.comments if c.comment}
                    for grade in sorted(notebook.grades, key=lambda g: g.name):
                        kind = "hand-marked" if grade.cell_type == "markdown" or grade.auto_score is None else "automatic"
                        label, item = parts.get(grade.name, (grade.name, None))
                        rows.append({
                            "student": student.id, "assignment": assignment.name, "notebook": notebook.name,
                            "question": grade.name, "part": label, "kind": kind,
                            "score": NOT_YET_MARKED if grade.needs_manual_grade else grade.score,
                            "max_score": grade.max_score, "auto_score": grade.auto_score,
                            "manual_score": grade.manual_score, "needs_hand_marking": grade.needs_manual_grade,
                            "reason": lost_mark_reason(grade, item, answers),
                            "comments": comments.get(grade.name, ""), "problems": problems,
                        })
    return rows


def write_marks_csv(course_dir, path):
    """Write per-question marks to ``path``; return the number of rows."""
    from .spreadsheet import write_rows

    rows = per_question_marks(course_dir)
    write_rows(path, MARK_COLUMNS, rows)
    return len(rows)


def cohort_summary(course_dir):
    """What the dashboard shows: the learners registered with nbgrader (the roster, and anyone
    whose work was collected), submissions, scores and what still needs marking (by part name)."""
    with gradebook(course_dir) as gb:
        students = sorted(s.id for s in gb.students)
        assignments = []
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            parts = assessment_parts(course_dir, assignment.name)
            submitted, scores, waiting, problems = [], [], [], {}
            for student in students:
                try:
                    submission = gb.find_submission(assignment.name, student)
                except Exception:
                    continue
                submitted.append(student)
                scores.append((student, submission.score, submission.max_score))
                for notebook in submission.notebooks:
                    waiting += [(student, parts.get(g.name, (g.name,))[0])
                                for g in sorted(notebook.grades, key=lambda g: g.name) if g.needs_manual_grade]
                found = read_problems(course_dir, assignment.name, student) + ungraded(
                    course_dir, student, assignment.name, [n.name for n in assignment.notebooks])
                if found:
                    problems[student] = found
            assignments.append({"name": assignment.name, "max_score": assignment.max_score,
                                "submitted": submitted, "not_submitted": [s for s in students if s not in submitted],
                                "scores": scores, "needs_marking": waiting,
                                "problems": problems,
                                "refused": read_problems(course_dir, assignment.name, REFUSED)})
    return {"students": students, "assignments": assignments}
