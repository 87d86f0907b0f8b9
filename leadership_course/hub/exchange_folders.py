"""nbgrader's exchange on one server, made by root when the hub is installed (install.py, and
the trial hub), before any release, so that no learner can make the course's folders first:

    <exchange>/                              root:root           0755  learners add nothing here
    <exchange>/compassionate-leadership/     root:<facilitators> 2775
        outbound/                            root:<facilitators> 2775  only facilitators release
        inbound/                             root:<facilitators> 2773  learners submit, cannot list
        feedback/                            root:<facilitators> 2771  a learner opens only their own

These are the modes nbgrader's own release steps give these folders with
``CourseDirectory.groupshared`` (nbgrader/exchange/default/release_assignment.py and
release_feedback.py), which both hub profiles set: nbgrader then neither asks for a
world-writable exchange nor to own these folders, and what a facilitator releases belongs
to the facilitators' group.
"""

from __future__ import annotations

import grp
import os
from pathlib import Path

from ..grading.exchange import released_by_facilitator
from .settings import COURSE_ID

#: Each folder in the course's part of the exchange, and its mode.
COURSE_FOLDERS = {"": 0o2775, "outbound": 0o2775, "inbound": 0o2773, "feedback": 0o2771}


def make_exchange(root: str | os.PathLike, group: str) -> list[str]:
    """Make (or put right) the exchange at ``root`` for the facilitators' system ``group``;
    return a sentence for each thing found in ``outbound/`` that a facilitator did not release."""
    root = Path(root)
    gid = grp.getgrnam(group).gr_gid
    root.mkdir(parents=True, exist_ok=True)
    os.chown(root, 0, 0)
    os.chmod(root, 0o755)
    for name, mode in COURSE_FOLDERS.items():
        folder = root / COURSE_ID / name
        if folder.is_symlink():
            folder.unlink()
        folder.mkdir(exist_ok=True)
        os.chown(folder, 0, gid)
        os.chmod(folder, mode)
    outbound = root / COURSE_ID / "outbound"
    return [f"{entry} was not released by a facilitator: the course does not offer it. Remove it with "
            f"rm -r '{entry}'" for entry in sorted(outbound.iterdir()) if not released_by_facilitator(entry)]



def main(argv=None) -> int:
    """``python -m leadership_course.hub.exchange_folders SETTINGS``: the exchange for the hub's settings
    (its ``exchange_dir`` and ``facilitator_system_group``), as root; install.py runs it."""
    import argparse

    from .settings import HubSettings

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("settings", help="the hub's settings file (/etc/leadership-course/hub.toml)")
    settings_path = parser.parse_args(argv).settings
    settings = HubSettings.load(settings_path)
    group = settings.facilitator_system_group or "root"
    try:
        grp.getgrnam(group)
    except KeyError:
        parser.exit(1, f"There is no system group called {group!r} (facilitator_system_group in {settings_path}): "
                       f"make it with  groupadd {group}  and run this again.\n")
    for note in make_exchange(settings.exchange_dir, group):
        print(f"[course hub] {note}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
