"""Learner records from the command line, for a facilitator helping a learner.

    record list [--folder DIR]                    what a record folder holds
    record check FILE [FILE ...]                  what each file holds, what is damaged, whether it can be used
    record merge FILE [--folder DIR] [--dry-run]  continue the record in DIR from FILE
    record recover [KEY_OR_FILE ...] [--folder DIR] [--dry-run]
                                                  bring back what the record set aside (every set-aside file
                                                  when none is named; an entry by the key `list` shows)

The folder is $COURSE_RECORD_DIR, or the learner's default. Merging works as on the course
home: per activity the newer entry wins and the other is kept aside, so nothing is lost;
a file that is not a record, too large, from a newer course or crafted to hurt changes
nothing. Files are read, never run.
"""

import argparse
from pathlib import Path

from .content import ContentError, load_course
from .record import LearnerRecord, default_record_dir
from .record_check import (MAX_FILE_BYTES, activity_title, check_record, item_key, merge, modules_of, newest_time,
                           restorable, spoken_time)


def add_parser(commands):
    """Add ``record`` and its own commands to the course's command line."""
    record = commands.add_parser("record", help="list, check, merge and recover learner records",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = record.add_subparsers(dest="record_command", required=True)
    listing = actions.add_parser("list", help="what a record folder holds")
    check = actions.add_parser("check", help="check record files without changing anything")
    check.add_argument("files", nargs="+", type=Path)
    merging = actions.add_parser("merge", help="continue the record in the folder from a saved record file")
    merging.add_argument("file", type=Path)
    recover = actions.add_parser("recover", help="bring back what the record set aside")
    recover.add_argument("names", nargs="*", help="set-aside files or entry keys (default: every set-aside file)")
    for parser in (listing, merging, recover):
        parser.add_argument("--folder", type=Path, help="the record folder (default: $COURSE_RECORD_DIR, "
                                                        "or the learner's default)")
    for parser in (merging, recover):
        parser.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")


def run(args, out=print):
    """Carry out a ``record`` command; returns the exit status (1 when a file cannot be used)."""
    course = _course()
    if args.record_command == "check":
        return max(_check(path, course, out) for path in args.files)
    record = LearnerRecord(args.folder or default_record_dir())
    if args.record_command == "list":
        return _list(record, course, out)
    if args.record_command == "merge":
        raw = _read(args.file, out)
        return 1 if raw is None else _merge(record, raw, args.file.name, args.dry_run, course, out)
    return _recover(record, args.names, args.dry_run, course, out)


def _course():
    try:
        return load_course()
    except ContentError:  # run away from the course: module numbers are not shown
        return {}


def _read(path, out):
    """The first bytes of a file, up to just over the size limit; None if it cannot be read."""
    try:
        with open(path, "rb") as stream:
            return stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        out(f"{path}: cannot be read ({error.strerror or error}).")
        return None


def _holds(record, course):
    count = len(record["activities"])
    modules = modules_of(record, course)
    newest = newest_time(record)
    return (f"{count} activit{'y' if count == 1 else 'ies'}"
            + (f" in module{'s' if len(modules) > 1 else ''} {', '.join(map(str, modules))}" if modules else "")
            + (f", last saved on {spoken_time(newest)}" if newest else ""))


def _check(path, course, out):
    raw = _read(path, out)
    if raw is None:
        return 1
    checked = check_record(raw, chosen=True)
    if checked.refused:
        out(f"{path}: cannot be used: {checked.refused}.")
        return 1
    out(f"{path}: a course record with {_holds(checked.record, course)}.")
    for problem in checked.problems:
        out(f"  damaged: {problem}")
    for item in checked.damaged:
        out(f"  set aside if merged: {item['activity'] or 'a part'} ({item['reason']})")
    return 0


def _list(record, course, out):
    data = record.read()
    for notice in record.take_notices():
        out(notice)
    out(f"Record: {record.path} ({_holds(data, course)})" if record.path.exists()
        else f"No record yet in {record.directory}.")
    for item in data["set_aside"]:
        if restorable(item):
            out(f"  kept aside [{item_key(item)}]: {activity_title(item['activity'], item['entry'], course)}, "
                f"{item.get('reason', '')} ({item.get('when', '')})")
        elif isinstance(item, dict) and item.get("file"):
            there = "" if record.set_aside_file(item["file"]) is not None else " (no longer in the folder)"
            out(f"  file kept aside: {item['file']}{there}, {item.get('reason', '')} ({item.get('when', '')})")
        elif isinstance(item, dict):
            out(f"  damaged part kept aside: {item.get('activity') or 'a part'}, {item.get('reason', '')}")
    if record.directory.is_dir():
        left = sorted(p.name for p in record.directory.glob(".*.tmp"))
        if left:
            out(f"  {len(left)} temporary file(s) from interrupted saves; the next save removes them.")
    return 0


def _merge(record, raw, source, dry_run, course, out):
    if dry_run:
        checked = check_record(raw, chosen=True)
        plan = None if checked.refused else merge(record.read(), checked, source, "")[1]
    else:
        checked, plan = record.merge_file(raw, source)
    if checked.refused:
        out(f"{source}: cannot be used: {checked.refused}. Nothing was changed.")
        return 1
    verb = "would be" if dry_run else "were"
    out(f"{source}: {_holds(checked.record, course)}.")
    out(f"  {len(plan.added)} added, {len(plan.replaced)} replaced by newer work (the earlier kept aside), "
        f"{len(plan.kept)} newer in the record (the file's kept aside), {len(plan.same)} the same; "
        f"{plan.set_aside_added} item(s) {verb} kept aside; module pages opened: {len(plan.pages)} "
        f"{verb} added or brought up to date.")
    if not plan.changes:
        out("  Nothing needed to change.")
    elif dry_run:
        out("  Nothing was changed (--dry-run).")
    return 0


def _recover(record, names, dry_run, course, out):
    set_aside = record.read()["set_aside"]
    files = [item["file"] for item in set_aside if isinstance(item, dict) and isinstance(item.get("file"), str)
             and record.set_aside_file(item["file"]) is not None]
    entries = {item_key(item): item for item in set_aside if restorable(item)}
    chosen = names or files
    if not chosen:
        out(f"Nothing to recover: {record.directory} holds no set-aside file.")
        return 0
    status = 0
    for name in chosen:
        if name in entries:
            title = activity_title(entries[name]["activity"], entries[name]["entry"], course)
            if dry_run:
                out(f"{name}: {title} would be brought back (the current entry kept aside).")
            else:
                record.restore(name)
                out(f"{name}: {title} was brought back; the entry it replaced is kept aside.")
        elif name in files:
            status = max(status, _merge(record, record.set_aside_file(name), name, dry_run, course, out))
        else:
            out(f"{name}: nothing of that name is kept aside in {record.path} (see `record list`).")
            status = 1
    return status
