"""The cohort: the rule every learner ID follows, and the roster a facilitator registers.

A learner ID names the learner's folders in nbgrader (``submitted/ID/``) and their files in a
downloaded submission (``ID__FILE``), so the download widget, the collector and the roster
all check it with ``LEARNER_ID``. IDs are lowercase so that two learners never share a folder
on a computer that ignores case, and hold no underscore, which separates ID and file name.

The roster is a CSV file in the layout of ``nbgrader db student import``: a column ``id`` and,
optionally, ``first_name``, ``last_name`` and ``email``. It links IDs to names, so it stays
private: keep it outside the course folder and never send it to learners."""

import csv
import re

#: The rule inside a larger pattern (no anchors): 1 to 64 characters, lowercase letters and
#: digits, with a single dot or dash between two of them (so never "..", which the collector
#: refuses in a file name as a way out of its folder).
LEARNER_ID_PATTERN = r"[a-z0-9](?:[a-z0-9]|[.-](?=[a-z0-9])){0,63}"
LEARNER_ID = re.compile(LEARNER_ID_PATTERN)  # always with fullmatch: "$" would let a final newline through
LEARNER_ID_RULE = ("lowercase letters and digits, with dots or dashes between them (for example ab12 or "
                   "ward7-04), at most 64 characters")
ROSTER_COLUMNS = ("id", "first_name", "last_name", "email")
#: Roster text nbgrader's pages and a spreadsheet could take as code: markup, control characters,
#: and a leading formula character.
UNSAFE_TEXT = re.compile(r"[<>\x00-\x1f\x7f]|^[=+\-@]")


def normalise_learner_id(text):
    """What a learner typed, as an ID: spaces trimmed, lowercase (it may still break the rule)."""
    return text.strip().lower()


def is_learner_id(text):
    return isinstance(text, str) and bool(LEARNER_ID.fullmatch(text))


def shown_id(text):
    """A learner ID for a facilitator's terminal: as it is, or quoted and escaped when it breaks the rule."""
    return text if is_learner_id(text) else repr(text)


def unsafe_text_problem(column, value):
    """Why a roster value cannot be registered, or None: names reach formgrader's pages and exports."""
    found = UNSAFE_TEXT.search(value or "")
    if found is None:
        return None
    if found.start() == 0 and found.group() in "=+-@":
        return (f"{column} '{value}' starts with '{found.group()}', which a spreadsheet runs as a formula: "
                "remove it")
    shown = repr(found.group()) if found.group() in "<>" else "a control character"
    return (f"{column} '{value}' holds {shown}: names are shown in formgrader's pages, where markup could run as "
            "code, so the course does not register it; remove it")


def read_roster(path):
    """(learners, problems): each row as a dict of ROSTER_COLUMNS, and every problem by line.

    The roster is used only when ``problems`` is empty, so a half-right file registers nobody."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            rows = list(reader)
            header = [name.strip() for name in reader.fieldnames or []]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return [], [f"{path}: could not be read as a CSV file ({error})"]
    if "id" not in header:
        return [], [f"{path}: the first line must name the columns, including 'id' "
                    f"(for example: {','.join(ROSTER_COLUMNS)})"]
    learners, problems, seen = [], [], {}
    for line, row in enumerate(rows, start=2):
        row = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        learner_id = row.get("id", "")
        if not learner_id and not any(row.values()):
            continue  # a blank line
        if not is_learner_id(learner_id):
            problems.append(f"{path}, line {line}: '{learner_id}' is not a learner ID: use {LEARNER_ID_RULE}")
        elif learner_id in seen:
            problems.append(f"{path}, line {line}: '{learner_id}' is already on line {seen[learner_id]}")
        elif any(unsafe_text_problem(column, row.get(column)) for column in ROSTER_COLUMNS[1:]):
            problems += [f"{path}, line {line}: {unsafe_text_problem(column, row.get(column))}"
                         for column in ROSTER_COLUMNS[1:] if unsafe_text_problem(column, row.get(column))]
        else:
            seen[learner_id] = line
            learners.append({column: row.get(column) or None for column in ROSTER_COLUMNS})
    if not learners and not problems:
        problems.append(f"{path}: there is nobody on the roster")
    return learners, problems


def import_roster(course_dir, path):
    """Register every learner on the roster in nbgrader's gradebook (as ``nbgrader db student
    import`` does); return (number registered, problems). Registers nobody if any row is wrong."""
    from .marks import gradebook

    learners, problems = read_roster(path)
    if problems:
        return 0, problems
    with gradebook(course_dir) as gb:
        for learner in learners:
            gb.update_or_create_student(learner["id"], **{k: v for k, v in learner.items() if k != "id"})
    return len(learners), []


def roster_ids(course_dir):
    """The IDs registered with nbgrader, sorted."""
    from .marks import gradebook

    with gradebook(course_dir) as gb:
        return sorted(student.id for student in gb.students)
