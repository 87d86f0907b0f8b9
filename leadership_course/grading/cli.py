"""The facilitator's commands around nbgrader's own (see docs/facilitator-guide/assessment.md):

    python -m leadership_course roster import ROSTER.csv   register the cohort with nbgrader
    python -m leadership_course hand-out module-01         a zip for learners, and the inbox
    python -m leadership_course feedback module-01         feedback pages, once all is marked
    python -m leadership_course return-feedback module-01  one zip per learner, their page only
    python -m leadership_course export-marks               per-question marks as CSV
    python -m leadership_course dashboard                  the dashboard as one offline HTML page

Each finds the nbgrader course from the current folder (``grading/`` or the folder above it)
unless ``--course-dir`` is given."""

from pathlib import Path

COMMANDS = ("roster", "hand-out", "feedback", "return-feedback", "export-marks", "dashboard")


def find_course_dir(start="."):
    """The nbgrader course folder: ``start`` or a folder above it, or a ``grading/`` in one."""
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
    feedback = commands.add_parser("feedback", help="write feedback pages afresh once every answer is marked")
    feedback.add_argument("assignment")
    feedback.add_argument("--unmarked-ok", action="store_true",
                          help="write pages even though some answers are not yet marked (they say so)")
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


def run(args):
    course_dir = Path(args.course_dir) if args.course_dir else find_course_dir()
    if course_dir is None or not (course_dir / "nbgrader_config.py").is_file():
        print("Could not find the nbgrader course folder (the one holding nbgrader_config.py): run this "
              "from grading/, or give --course-dir.")
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
    from .feedback import not_yet_marked
    from .handout import return_feedback

    not_ready = {}
    for learner, part in not_yet_marked(course_dir, assignment):
        not_ready[learner] = f"{not_ready[learner]}, {part}" if learner in not_ready else f"not yet marked: {part}"
    packed, skipped = return_feedback(course_dir, assignment, not_ready)
    for learner, reason in skipped.items():
        print(f"Not packed: {learner} ({reason}).")
    if packed:
        print(f"Packed {len(packed)} learner(s) in {next(iter(packed.values())).parent}: send each learner "
              "the file with their ID in its name, and only that file.")
    elif not skipped:
        print(f"Nothing was packed: there are no feedback pages yet (`python -m leadership_course feedback "
              f"{assignment}`).")
    return 0 if packed and not skipped else 1
