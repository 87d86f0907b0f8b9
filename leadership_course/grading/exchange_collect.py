"""The hub's ``nbgrader collect``: nbgrader's own collect step, refusing what a learner could
leave in the exchange's inbound folder to submit in someone else's name or to read files.

``CheckedCollect`` (set by ``c.ExchangeFactory.collect`` in grading/nbgrader_config.py) refuses,
before anything is copied, each inbound entry that

* is a symbolic link, or not a folder;
* has a name nbgrader cannot read (``LEARNER+ASSESSMENT+TIME+RANDOM``), including an odd learner ID;
* is not owned by the account it names (nbgrader only warns "cheating attempt?");
* carries a time in the future (it would beat every honest resubmission with ``--update``).

With ``inbound_folders`` (the Kubernetes route, where every pod is the same user ID, so the owner
says nothing), each learner's server can write only into its own ``inbound/<learner>/`` (the pod
mounts that folder alone as inbound: deploy/kubernetes/config.yaml). Collect then reads those
folders and also refuses an entry whose name is not the learner of the folder it is in, or that
is not in a learner's folder at all.

Each refusal is kept with its reason in the assessment's refused list (``problems.py``; the
dashboard and the marks export show it), and the entry is set aside in inbound as
``.refused+<its name>``, which nbgrader never reads again. Everyone else is collected as usual.
Links inside a submission are not followed or copied, and are reported for that learner; a
``timestamp.txt`` the learner changed into something nbgrader cannot read is put back to the
exchange's own time, and an unreadable notebook is replaced by the released one, each with a reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shlex
import shutil
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import ignore_patterns, parse_utc
from traitlets import Bool

from .collect import STAGE, readable_notebook, released_notebooks, renamed_reason
from .problems import REFUSED, add_problem

#: A learner's account name or course ID, as nbgrader writes it first in a submission's name.
ACCOUNT = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: What a submission's time may be ahead of this server's clock (pods' clocks differ a little).
CLOCK_SLACK = timedelta(minutes=2)
SET_ASIDE = ".refused+"
CLEAR = ("It was set aside in the exchange as {aside!r} and will not be collected. Ask the learner who owns it "
         "({owner}) about it; your platform team can delete it with  sudo rm -r {path}")
#: With inbound_folders every pod is the same user, the facilitator's too, so the facilitator can delete it.
#: (Each path is quoted for the shell: a learner chooses the name.)
CLEAR_FOLDERS = ("It was set aside in the exchange as {aside!r} and will not be collected. Ask the learner whose "
                 "folder it was in ({owner}) about it; you can delete it in your terminal with  "
                 "chmod -R u+rwx {path} && rm -r {path}")


def owner_name(info: os.stat_result) -> str:
    try:
        return pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        return f"user id {info.st_uid}"


class CheckedCollect(ExchangeCollect):
    """nbgrader's collect step with the refusals in the module notes."""

    inbound_folders = Bool(False, help="Each learner submits into inbound/<learner>/ (a pod that mounts only "
                           "that folder as inbound): collect those folders, and refuse an entry named for "
                           "anyone but the folder's learner, or not in a learner's folder.").tag(config=True)

    def why_refused(self, path: str, info: os.stat_result) -> str:
        """Why the inbound entry at ``path`` is not collected, or '' when it is a submission."""
        name = os.path.basename(path)
        if stat.S_ISLNK(info.st_mode):
            return f"it is a symbolic link (to {os.readlink(path)[:120]!r}), not a submission."
        if not stat.S_ISDIR(info.st_mode):
            return "it is a file, not a submission folder."
        parts = name.rsplit("+", 3)
        if len(parts) < 3 or not ACCOUNT.fullmatch(parts[0]):
            return "its name does not start with a learner's account name, so nobody can be credited with it."
        try:
            when = parse_utc(parts[2])
        except (ValueError, OverflowError, TypeError):
            return f"its time ({parts[2][:40]!r}) cannot be read."
        if when > datetime.now(timezone.utc).replace(tzinfo=None) + CLOCK_SLACK:
            return f"its time ({parts[2][:40]}) is in the future, so it would replace every later submission."
        if self.check_owner and owner_name(info) != parts[0]:
            return (f"it says it is {parts[0]}'s submission but belongs to {owner_name(info)}: "
                    "a submission in someone else's name.")
        if self.inbound_folders:
            folder = self.learner_folder(path)
            if not folder:
                return "it is not in a learner's own folder in inbound, so nobody can tell who made it."
            if folder != parts[0]:
                return (f"it says it is {parts[0]}'s submission but was made in {folder}'s own folder: "
                        "a submission in someone else's name.")
        return ""

    def learner_folder(self, path):
        """The learner's folder in inbound that the entry at ``path`` is in, or '' when it is in inbound itself."""
        folder = os.path.relpath(os.path.dirname(path), self.inbound_path)
        return "" if folder == "." else folder

    def _path_to_record(self, path):
        info = os.lstat(path)
        reason = self.why_refused(path, info)
        if not reason:
            record = super()._path_to_record(path)
            record["filename"] = os.path.relpath(path, self.inbound_path)  # copy_files joins it to inbound
            return record
        self.refuse(path, info, reason)
        # a group of its own, dropped after nbgrader's own sorting (init_src)
        return {"username": f"{SET_ASIDE}{path}", "filename": os.path.basename(path), "timestamp": datetime.min,
                "refused": True}

    def refuse(self, path, info, reason):
        name = os.path.basename(path)
        aside = os.path.join(os.path.dirname(path), SET_ASIDE + name)
        try:
            os.rename(path, aside)
        except OSError as error:
            action = (f"It could not be set aside ({error.strerror}); your platform team can delete it with  "
                      f"sudo rm -r {shlex.quote(path)}")
        else:
            if self.inbound_folders:
                action = CLEAR_FOLDERS.format(aside=os.path.basename(aside), path=shlex.quote(aside),
                                              owner=self.learner_folder(path) or "none: it is in no learner's folder")
            else:
                action = CLEAR.format(aside=os.path.basename(aside), owner=owner_name(info), path=shlex.quote(aside))
        self.log.warning("Not collected: %s: %s", name, reason)
        add_problem(self.coursedir.root, self.coursedir.assignment_id, REFUSED, STAGE,
                    f"In the exchange, {name[:120]!r}: {reason}", action)

    def init_src(self):
        super().init_src()
        if self.inbound_folders:  # nbgrader's own glob reads inbound's top level only
            pattern = os.path.join(self.inbound_path, "*", f"{self.coursedir.student_id or '*'}+"
                                   f"{self.coursedir.assignment_id}+*")
            self.src_records += self.chosen([self._path_to_record(path) for path in glob.glob(pattern)])
        self.src_records = [record for record in self.src_records if not record.get("refused")]

    def chosen(self, records):
        """nbgrader's choice of one submission per learner: the newest, or with --before-duedate the
        newest one made before the due date when there is one."""
        choices = []
        for group in groupby(records, lambda record: record["username"]).values():
            group = self._sort_by_timestamp(group)
            early = [record for record in group
                     if self.before_duedate and self.duedate is not None and record["timestamp"] <= self.duedate]
            choices.append((early or group)[0])
        return choices

    def do_copy(self, src, dest, log=None):
        """Copy one submission without following or copying links inside it (reported for the learner)."""
        links = [os.path.relpath(os.path.join(root, name), src)
                 for root, dirs, files in os.walk(src) for name in dirs + files
                 if os.path.islink(os.path.join(root, name))]
        usual = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                max_file_size=self.coursedir.max_file_size, log=self.log)

        def ignore(directory, names):
            return set(usual(directory, names)) | {n for n in names if os.path.islink(os.path.join(directory, n))}

        shutil.copytree(src, dest, ignore=ignore)
        learner = Path(dest).parent.name
        released = released_notebooks(self.coursedir)
        notebooks = sorted(p.name for p in Path(dest).glob("*.ipynb"))
        if len(released) == 1 and notebooks and released[0] not in notebooks:
            os.replace(Path(dest) / notebooks[-1], Path(dest) / released[0])
            add_problem(self.coursedir.root, self.coursedir.assignment_id, learner, STAGE,
                        renamed_reason(notebooks[-1], released[0]), "Nothing to do.")
        sane_timestamp(Path(dest), self._path_to_record(src)["timestamp"], self.coursedir.root,
                       self.coursedir.assignment_id, learner)
        for notebook in Path(dest).glob("*.ipynb"):
            readable_notebook(notebook, self.coursedir, self.coursedir.root, self.coursedir.assignment_id, learner)
        if links:
            add_problem(self.coursedir.root, self.coursedir.assignment_id, learner, STAGE,
                        f"The submission held symbolic links ({', '.join(links)}); they were not followed or "
                        "collected.",
                        "Ask the learner to submit the files themselves. A link to a file elsewhere can be an "
                        "attempt to read files on the hub.")


def sane_timestamp(folder, when, course, assignment, learner):
    """Make ``folder/timestamp.txt`` a time nbgrader reads (the exchange's own, ``when``) if the learner
    changed it into something else: text that is no time, a number too large, a folder."""
    path = folder / "timestamp.txt"
    try:
        found = path.read_text(encoding="utf-8", errors="strict").strip()
        parse_utc(found)
        return
    except FileNotFoundError:
        return  # nbgrader's own rule for a submission without one
    except Exception as error:  # noqa: BLE001 (anything nbgrader would stop at)
        what = "is a folder" if path.is_dir() else f"could not be read as a time ({type(error).__name__})"
    if path.is_dir():
        shutil.rmtree(path)
    path.write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")
    add_problem(course, assignment, learner, STAGE,
                f"timestamp.txt in the submission {what}; the time the exchange gave the submission "
                f"({when:%Y-%m-%d %H:%M} UTC) was used instead.",
                "Nothing to do for the marks. The learner, or something on their computer, changed a file "
                "nbgrader wrote: ask them about it if it looks deliberate.")
