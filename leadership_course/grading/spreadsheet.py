"""CSV files a facilitator opens in a spreadsheet: every field quoted, and text that a
spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return)
kept as text with a leading apostrophe. Numbers stay numbers.

``SafeCsvExportPlugin`` is nbgrader's ``export`` (``nbgrader export --to grades.csv``) written
this way (grading/nbgrader_config.py); ``write_rows`` writes the course's own exports."""

import csv

from nbgrader.api import MissingEntry
from nbgrader.plugins.export import CsvExportPlugin

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GRADE_COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                 "raw_score", "late_submission_penalty", "score", "max_score")


def cell(value):
    """``value`` as spreadsheet text that is never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        try:
            float(text)
            return text  # a negative number
        except ValueError:
            return "'" + text
    return text


def write_rows(path, columns, rows):
    """Write dict ``rows`` under ``columns`` to ``path``, every field quoted and made safe."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(column)) for column in columns])


class SafeCsvExportPlugin(CsvExportPlugin):
    """nbgrader's CSV export (same columns and rows), with every field quoted and made safe."""

    def export(self, gradebook):
        dest = self.to or "grades.csv"
        students, assignments = [str(s) for s in self.student], [str(a) for a in self.assignment]
        self.log.info("Exporting grades to %s (every field quoted, formulas kept as text)", dest)
        rows = []
        for assignment in gradebook.assignments:
            if assignments and assignment.name not in assignments:
                continue
            for student in gradebook.students:
                if students and student.id not in students:
                    continue
                row = {"assignment": assignment.name, "duedate": assignment.duedate, "student_id": student.id,
                       "last_name": student.last_name, "first_name": student.first_name, "email": student.email,
                       "max_score": assignment.max_score, "timestamp": "", "raw_score": 0.0,
                       "late_submission_penalty": 0.0, "score": 0.0}
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    pass  # nothing submitted: zero, as nbgrader's own export
                else:
                    penalty = submission.late_submission_penalty
                    row.update(timestamp=submission.timestamp, raw_score=submission.score,
                               late_submission_penalty=penalty, score=max(0.0, submission.score - penalty))
                rows.append(row)
        write_rows(dest, GRADE_COLUMNS, rows)
