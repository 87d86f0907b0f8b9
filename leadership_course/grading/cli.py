"""The facilitator's commands around nbgrader's own (see docs/facilitator-guide/assessment.md):

    python -m leadership_course roster import ROSTER.csv   register the cohort with nbgrader
    python -m leadership_course hand-out module-01         a zip for learners, and the inbox
    python -m leadership_course feedback module-01         feedback pages (anyone not ready is named)
    python -m leadership_course return-feedback module-01  one zip per learner, their page only
    python -m leadership_course export-marks               per-question marks as CSV
    python -m leadership_course dashboard                  the dashboard as one offline HTML page
    python -m leadership_course marking-copy DIR           the facilitator's private marking copy

Each uses the nbgrader course given by ``--course-dir``, else the trust's private marking copy
named by the environment variable ``COURSE_GRADING_DIR``, else the one found from the current
folder (``grading/`` or the folder above it)."""

import os
import shutil
from pathlib import Path

COMMANDS = ("roster", "hand-out", "feedback", "return-feedback", "export-marks", "dashboard", "marking-copy")
#: Where a facilitator keeps the trust's marking copy (answer keys, hidden tests, marks), outside any learner's course.
GRADING_DIR_VARIABLE = "COURSE_GRADING_DIR"
#: Not copied into a marking copy: a course folder's own gradebook, rounds and learners' work.
ROUND_FOLDERS = ("gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded", "problems",
                 "hand-out", "returned", "__pycache__")


def find_course_dir(start="."):
    """The nbgrader course folder: $COURSE_GRADING_DIR, else ``start`` or a folder above it, or a ``grading/`` in one."""
    if os.environ.get(GRADING_DIR_VARIABLE):
        return Path(os.environ[GRADING_DIR_VARIABLE]).expanduser().resolve()
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        for candidate in (folder, folder / "grading"):
            if (candidate / "nbgrader_config.py").is_file() and (candidate / "source").is_dir():
                return candidate
    return None


def _course_option(parser):
    parser.add_argument("--course-dir", help="the nbgrader course folder (default: found from here)")


def add_parser(commands):
    roster = commands.add_parser("roster", help="register the cohort (learner IDs) with nbgrader")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True)
    imported = roster_commands.add_parser("import", help="register every learner in a roster CSV "
                                          "(columns id, first_name, last_name, email)")
    imported.add_argument("csv", help="the roster file: keep it private, outside the course folder")
    _course_option(imported)
    listed = roster_commands.add_parser("list", help="list the learner IDs registered")
    _course_option(listed)
    hand = commands.add_parser("hand-out", help="pack each released assessment as a zip for learners")
    hand.add_argument("assignment", nargs="+", help="one or more, for example module-01 module-02")
    _course_option(hand)
    feedback = commands.add_parser("feedback", help="write each learner's feedback page afresh; a learner not yet "
                                       "marked, or whose page cannot be built, is named with the reason and held back")
    feedback.add_argument("assignment")
    feedback.add_argument("--unmarked-ok", action="store_true",
                          help="write pages even for learners with answers not yet marked (the pages say so)")
    _course_option(feedback)
    returned = commands.add_parser("return-feedback", help="pack each learner's own feedback page as a zip")
    returned.add_argument("assignment")
    _course_option(returned)
    marks = commands.add_parser("export-marks", help="write per-question marks from nbgrader's gradebook to CSV")
    marks.add_argument("--out", default="per-question-marks.csv")
    _course_option(marks)
    page = commands.add_parser("dashboard", help="write the facilitator dashboard as one HTML page that works offline")
    page.add_argument("--out", default="dashboard.html")
    _course_option(page)
    copy = commands.add_parser("marking-copy", help="copy the course's grading folder to a private folder of yours, "
                               "outside the course, for the trust's own answer keys and marks")
    copy.add_argument("folder", help="a new folder, for example ~/leadership-course-marking")
    copy.add_argument("--course-dir", help="the grading folder to copy (default: this course's grading/)")


def run(args):
    if args.command == "marking-copy":
        return _marking_copy(args)
    course_dir = Path(args.course_dir) if args.course_dir else find_course_dir()
    if course_dir is None or not (course_dir / "nbgrader_config.py").is_file():
        where = f"{GRADING_DIR_VARIABLE} names {course_dir}, which" if os.environ.get(GRADING_DIR_VARIABLE) else None
        print(f"{where} does not hold nbgrader_config.py." if where else
              "Could not find the nbgrader course folder (the one holding nbgrader_config.py): run this "
              f"from grading/, set {GRADING_DIR_VARIABLE}, or give --course-dir.")
        return 2
    if args.command == "roster":
        return _roster(course_dir, args)
    if args.command == "hand-out":
        return max(_hand_out(course_dir, assignment) for assignment in args.assignment)
    if args.command == "feedback":
        from .feedback import generate_feedback

        return generate_feedback(course_dir, args.assignment, unmarked_ok=args.unmarked_ok)
    if args.command == "return-feedback":
        return _return_feedback(course_dir, args.assignment)
    if args.command == "dashboard":
        from .dashboard import dashboard_page
        from .marks import cohort_summary

        Path(args.out).write_text(dashboard_page(cohort_summary(course_dir)), encoding="utf-8")
        print(f"Wrote the dashboard to {args.out}: open it in any browser; it needs no connection.")
        return 0
    from .marks import write_marks_csv

    count = write_marks_csv(course_dir, args.out)
    print(f"Wrote {count} rows to {args.out}.")
    return 0


def _roster(course_dir, args):
    from .roster import import_roster, roster_ids

    if args.roster_command == "list":
        ids = roster_ids(course_dir)
        print(f"{len(ids)} learner(s) registered: {', '.join(ids) or 'nobody yet'}.")
        return 0
    count, problems = import_roster(course_dir, args.csv)
    for problem in problems:
        print(problem)
    if problems:
        print(f"Nobody was registered: fix the {len(problems)} problem(s) above and run this again.")
        return 1
    print(f"Registered {count} learner(s) with nbgrader; {len(roster_ids(course_dir))} in the gradebook in all.")
    return 0


def _hand_out(course_dir, assignment):
    from .handout import HandOutError, hand_out

    try:
        out, inbox, files = hand_out(course_dir, assignment)
    except HandOutError as error:
        print(error)
        return 1
    print(f"Wrote {out} ({', '.join(files)}): send it to your learners.\n"
          f"Put the submissions they send back in {inbox}, then run `nbgrader zip_collect {assignment}`.")
    return 0


def _return_feedback(course_dir, assignment):
    from .feedback import held_back, submitted
    from .handout import return_feedback
    from .roster import shown_id

    packed, skipped = return_feedback(course_dir, assignment, held_back(course_dir, assignment),
                                      submitted(course_dir, assignment))
    for learner, reason in skipped.items():
        print(f"Not packed for {shown_id(learner)}: {reason}.")
    if packed:
        print(f"Packed {len(packed)} learner(s) in {next(iter(packed.values())).parent}: "
              f"{', '.join(map(shown_id, packed))}. "
              "Send each learner the file with their ID in its name, and only that file.")
    elif skipped:
        print("Nothing was packed: every learner above is held back.")
    else:
        print(f"Nothing was packed: there are no feedback pages yet (`python -m leadership_course feedback "
              f"{assignment}`).")
    return 0 if packed and not skipped else 1


def _marking_copy(args):
    """Copy grading/ (without any round's work) to a new private folder outside the course."""
    source = Path(args.course_dir) if args.course_dir else Path(__file__).resolve().parents[2] / "grading"
    target = Path(args.folder).expanduser().resolve()
    course = source.resolve().parent
    if not (source / "nbgrader_config.py").is_file():
        print(f"{source} is not a course grading folder (it has no nbgrader_config.py).")
        return 2
    if target.exists():
        print(f"{target} already exists: choose a new folder (your marking copy is never overwritten).")
        return 1
    if target == course or course in target.parents:
        print(f"{target} is inside the course folder {course}, which learners may get a copy of: choose a "
              "folder outside it, for example in your home folder.")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target, symlinks=False, ignore=shutil.ignore_patterns(*ROUND_FOLDERS))
    os.chmod(target, 0o700)
    print(f"Made your marking copy in {target} (only you can open it). Put your trust's answer keys in its keys/, "
          f"rebuild each assessment from them, and before every grading command set\n"
          f"    export {GRADING_DIR_VARIABLE}={target}\n"
          f"and run nbgrader's commands from that folder (cd \"${GRADING_DIR_VARIABLE}\").")
    return 0
