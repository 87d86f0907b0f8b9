"""nbgrader's exchange from inside the course, for a learner on a hub: what the facilitator
has released, getting an assessment, submitting it and getting its feedback, all as the
learner's own account with the settings of the hub's learner profile (JUPYTER_CONFIG_PATH,
deploy/jupyterhub/profiles/learner/nbgrader_config.py). nbgrader's own exchange classes
do the work, so the Assignments tab in JupyterLab and the course see the same thing.

Without an exchange (a laptop, Binder) ``course_exchange()`` is None and the course offers
the hand-out zip and "Download my submission" instead. Every failure is a plain sentence."""

from __future__ import annotations

import logging
import os
import stat
from datetime import datetime
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

#: The folder, beside the course home, that holds a learner's assessments (fetched or from a zip).
ASSESSMENTS_DIR = "assessments"
#: The hub's single-user servers set this to the server's root folder (the learner's ~/course).
SERVER_ROOT_VARIABLE = "COURSE_SERVER_ROOT"
#: Set by the hub's spawner: "learner" or "facilitator" (a facilitator's course home offers no assessments).
HUB_ROLE_VARIABLE = "COURSE_HUB_ROLE"
#: At most this many entries of the learner's nbgrader cache are read (a real one holds one per submit).
MAX_CACHE_ENTRIES = 10_000
#: nbgrader's Exchange.timestamp_format, unless its settings change it.
NBGRADER_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"

_quiet = logging.getLogger("leadership_course.exchange")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class ExchangeProblem(Exception):
    """Why an exchange step did not happen, as a sentence a learner can act on."""


def _nbgrader_config():
    """The nbgrader settings on JUPYTER_CONFIG_PATH, the way nbgrader's Assignments tab reads them."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    for folder in reversed(jupyter_config_path()):  # the first folder on the path wins
        if (Path(folder) / "nbgrader_config.py").is_file():
            config.merge(PyFileConfigLoader("nbgrader_config.py", folder).load_config())
    return config


class CourseExchange:
    """The learner's view of the course's exchange; made by ``course_exchange()``."""

    def __init__(self, config):
        self.config = config
        self.course_id = config.CourseDirectory.course_id
        self.root = Path(config.Exchange.root)
        self.assessments_dir = Path(config.Exchange.get("assignment_dir", ".")).expanduser().resolve()
        self.outbound = self.root / self.course_id / "outbound"

    def _action(self, name, assessment_id="", assessments_dir=None):
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange import ExchangeFactory

        config = self.config.copy()
        config.CourseDirectory.assignment_id = assessment_id
        config.Exchange.assignment_dir = str(assessments_dir or self.assessments_dir)
        kind = getattr(ExchangeFactory(config=config, log=_quiet), name)
        return kind(coursedir=CourseDirectory(config=config, log=_quiet),
                    authenticator=Authenticator(config=config, log=_quiet), config=config, log=_quiet)

    def _start(self, action, what):
        from nbgrader.exchange import ExchangeError

        try:
            return action.start()
        except ExchangeError:
            raise ExchangeProblem(f"Sorry, {what} did not work. Please try again in a minute; if it still does "
                                  "not work, tell your facilitator.") from None

    def released(self):
        """[(assessment id, "released" or "fetched")] for this course, sorted by id: the folders in the
        exchange's outbound folder, as nbgrader's list gives them, read here without importing nbgrader
        (which would hold about 70 MB more in every learner's course home kernel)."""
        try:
            entries = sorted(self.outbound.iterdir())
        except OSError:
            return []
        return [(entry.name, "fetched" if (self.assessments_dir / entry.name).is_dir() else "released")
                for entry in entries if entry.is_dir() and not entry.name.startswith(".")
                and released_by_facilitator(entry)]

    def last_submitted(self, assessment_id):
        """When this account last submitted ``assessment_id`` (an aware datetime), or None.

        Read from nbgrader's own record of each submit, a folder ``<student>+<assessment>+<time>`` in the
        learner's cache (``Exchange.cache``, by default ``nbgrader_cache`` in Jupyter's data folder); the
        exchange's inbound folder cannot be listed by learners. A missing or odd cache gives None, never
        an error."""
        try:
            from jupyter_core.paths import jupyter_data_dir

            cache = Path(self.config.Exchange.get("cache") or Path(jupyter_data_dir()) / "nbgrader_cache")
            time_format = self.config.Exchange.get("timestamp_format", NBGRADER_TIME_FORMAT)
            zone = ZoneInfo(self.config.Exchange.get("timezone", "UTC"))
            names = [entry.name for entry in islice((cache / self.course_id).iterdir(), MAX_CACHE_ENTRIES)]
        except Exception:  # no cache yet, not a folder, unreadable, odd settings: no submission known
            return None
        times = [when for when in (_submit_time(name, assessment_id, time_format, zone) for name in names) if when]
        return max(times, default=None)

    def fetch(self, assessment_id):
        """Copy a released assessment into the learner's assessments folder; return that folder."""
        if not released_by_facilitator(self.outbound / assessment_id):
            raise ExchangeProblem("Sorry, that assessment was not released by your facilitator, so it cannot be "
                                  "opened. Please tell your facilitator.")
        self.assessments_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._start(self._action("FetchAssignment", assessment_id), "getting the assessment")
        return self.assessments_dir / assessment_id

    def submit(self, folder):
        """Submit the assessment in ``folder`` (its name is the assessment's id) to the facilitator."""
        folder = Path(folder).resolve()
        self._start(self._action("Submit", folder.name, folder.parent), "submitting")

    def fetch_feedback(self, folder):
        """Get any feedback released for ``folder``'s submissions; return the newest page, or None."""
        folder = Path(folder).resolve()
        if not (self.root / self.course_id / "feedback").is_dir():  # made by the first release_feedback
            return None
        self._start(self._action("FetchFeedback", folder.name, folder.parent), "getting your feedback")
        pages = sorted((folder / "feedback").glob("*/*.html"))
        return pages[-1] if pages else None


def _submit_time(name, assessment_id, time_format, zone):
    """The time in a cache folder's name ``<student>+<assessment>+<time>``, written by nbgrader in
    ``time_format`` in the time zone ``zone``; None when the name is not one of ``assessment_id``'s submissions."""
    parts = name.split("+", 2)
    if len(parts) != 3 or parts[1] != assessment_id:
        return None
    try:
        return datetime.strptime(parts[2], time_format).replace(tzinfo=zone)
    except ValueError:
        return None


def released_by_facilitator(entry):
    """Whether ``entry`` in the exchange's outbound folder was put there by root (or this account) or by
    a member of the group that owns outbound (on a hub, only facilitators can write there or give a
    folder that group: deploy/jupyterhub/README.md). Anything another learner may have planted is
    never offered."""
    entry = Path(entry)
    try:
        outbound, course, found = os.stat(entry.parent), os.stat(entry.parent.parent), os.lstat(entry)
    except OSError:
        return False
    trusted = (0, os.getuid())
    folders_closed = all(info.st_uid in trusted and not info.st_mode & 0o002 for info in (outbound, course))
    by_facilitator = (found.st_uid in trusted or found.st_gid == outbound.st_gid
                      or _in_group(found.st_uid, outbound.st_gid))
    return folders_closed and by_facilitator and stat.S_ISDIR(found.st_mode) and not found.st_mode & 0o002


def _in_group(uid, gid):
    """Whether account ``uid`` belongs to group ``gid`` (a release from before the exchange was the group's)."""
    import grp  # Unix only: the course also runs on Windows, without an exchange
    import pwd

    try:
        account, group = pwd.getpwuid(uid), grp.getgrgid(gid)
    except KeyError:
        return False
    return account.pw_gid == gid or account.pw_name in group.gr_mem


def course_exchange():
    """The exchange this course runs with, or None when it has none (no course id, or no exchange folder)."""
    try:
        config = _nbgrader_config()
    except Exception:  # a settings file that cannot be read: the course works without the exchange
        _quiet.exception("nbgrader settings could not be read")
        return None
    course_id = config.CourseDirectory.get("course_id")
    root = config.Exchange.get("root")
    if not course_id or not root or not Path(root).is_dir():
        return None
    return CourseExchange(config)


def said_as_time(moment):
    """A time as NHS.UK writes it, in this computer's time zone: '4 December 2026 at 9:45pm'."""
    local = moment.astimezone()
    if (local.hour, local.minute) in ((0, 0), (12, 0)):
        clock = "midnight" if local.hour == 0 else "midday"
    else:
        clock = f"{local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
    return f"{local.day} {local:%B %Y} at {clock}"


def submitted_note(moment):
    """What a learner is told about an assessment they submitted at ``moment``, as HTML."""
    return (f"<p class='course-submitted'><strong>You submitted this on {said_as_time(moment)}.</strong> You can "
            "submit again: your facilitator marks your latest submission.</p>")


def files_url(path):
    """The address of a file in the learner's server (its /files/ page), or None outside a hub."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    root = os.environ.get(SERVER_ROOT_VARIABLE)
    if not prefix or not root:
        return None
    try:
        relative = Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return None
    from urllib.parse import quote

    return f"{prefix.rstrip('/')}/files/{quote(relative.as_posix())}"
