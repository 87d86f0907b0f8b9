"""Reasons a facilitator must see, kept while collecting and grading, read by the marks export
and the dashboard.

A learner's reasons for one assessment are in ``problems/<assignment>/<learner>.json`` in the
nbgrader course folder; files refused before any learner could be named (an odd id, a zip
that is not a submission) are in ``problems/<assignment>/_refused.json`` (an underscore, which no
learner ID holds, so a learner called "refused" keeps their own). Each reason is a
dictionary: ``stage`` (collect or autograde), ``reason`` and ``action`` (plain sentences for
the facilitator) and, where it helps, ``detail`` (for example the text of an added cell).
A rerun of a stage replaces that stage's reasons."""

import json
import os
from pathlib import Path

PROBLEMS_DIR = "problems"
REFUSED = "_refused"
MAX_DETAIL = 2000


def _path(course_dir, assignment, learner):
    return Path(course_dir) / PROBLEMS_DIR / assignment / f"{learner}.json"


def read_problems(course_dir, assignment, learner=REFUSED):
    """The reasons kept for ``learner`` (or the refused files), oldest first; [] when none."""
    try:
        data = json.loads(_path(course_dir, assignment, learner).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []


def _write(course_dir, assignment, learner, entries):
    path = _path(course_dir, assignment, learner)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(entries, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def add_problem(course_dir, assignment, learner, stage, reason, action, detail=None):
    """Keep one reason for the facilitator (``learner`` must already be a safe learner id)."""
    entry = {"stage": stage, "reason": reason, "action": action}
    if detail:
        entry["detail"] = detail[:MAX_DETAIL] + (" [cut]" if len(detail) > MAX_DETAIL else "")
    entries = read_problems(course_dir, assignment, learner)
    if entry not in entries:
        _write(course_dir, assignment, learner, entries + [entry])


def clear_stage(course_dir, assignment, learner, stage):
    """Forget ``learner``'s reasons from an earlier run of ``stage``."""
    entries = read_problems(course_dir, assignment, learner)
    kept = [entry for entry in entries if entry.get("stage") != stage]
    if kept != entries:
        _write(course_dir, assignment, learner, kept)


def clear_collect_stage(course_dir, assignment):
    """Forget every reason an earlier zip_collect of ``assignment`` gave (it is being rerun)."""
    folder = Path(course_dir) / PROBLEMS_DIR / assignment
    for path in folder.glob("*.json") if folder.is_dir() else []:
        clear_stage(course_dir, assignment, path.stem, "collect")
