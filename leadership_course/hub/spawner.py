"""``CourseSpawner``: each account's single-user server, as that account, on the course.

A local process per account (JupyterHub's ``LocalProcessSpawner``), with:

* the home made ready first (``homes``), run as the account itself;
* the server's folder ``~/course`` and its first page the course home in Voila, with the
  course template (the Jupyter settings folders below); JupyterLab at ``/user/<name>/lab``;
* the learner's or the facilitator's settings: ``deploy/jupyterhub/profiles/<profile>/``
  comes first on ``JUPYTER_CONFIG_PATH`` (formgrader only for facilitators), then the
  course's own Voila settings (``leadership_course/voila``);
* files it makes readable by the account alone (umask 077);
* its kernels on ipc sockets (not TCP) in a runtime folder of its own (``runtime_dir``);
* its own cgroup with the hub's per-learner memory, CPU and task limits (``limits``); for
  ``start_cpu_seconds`` after the start the group weighs as much as the hub, then a fifth.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import re
import subprocess
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Bool, Float, Integer, Unicode, default

from ..grading.exchange import HUB_ROLE_VARIABLE, SERVER_ROOT_VARIABLE
from ..voila.launch import CONFIG_DIR as VOILA_CONFIG_DIR, HOME_NOTEBOOK, template_search_dir
from .homes import COURSE_LINK_DIR, RECORD_DIR
from .limits import RUNNING_WEIGHT, Limits
from .settings import FACILITATOR_GROUP

PROFILES_DIR = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub" / "profiles"
#: Environment variable the profiles' nbgrader_config.py reads for the exchange folder.
EXCHANGE_VARIABLE = "COURSE_EXCHANGE_ROOT"
#: Names the spawner will make a system account for (Debian's useradd rules, made stricter).
ACCOUNT_NAME = re.compile(r"[a-z][a-z0-9._-]{0,31}")


class CourseSpawner(LocalProcessSpawner):
    """A learner's or facilitator's server on the course (see the module notes)."""

    course_dir = Unicode(help="The installed course (holds modules/ and grading/).").tag(config=True)
    exchange_dir = Unicode(help="nbgrader's exchange folder, shared by every account.").tag(config=True)
    data_dir = Unicode(help="A folder every account can read, for the course template's link.").tag(config=True)
    profiles_dir = Unicode(str(PROFILES_DIR), help="Folder of the learner and facilitator profiles.").tag(config=True)
    memory_limit_mb = Integer(1024, help="Memory for each server and its kernels (0: no limit).").tag(config=True)
    cpu_limit = Float(1.0, help="Cores each server and its kernels may use at most (0: no limit).").tag(config=True)
    tasks_limit = Integer(512, help="Processes and threads for each server and its kernels (0: no limit).").tag(
        config=True)
    start_cpu_seconds = Float(60, help="For this long after a server starts (the sign-in: the server, then "
                              "the first page's kernel) its cgroup weighs as much as the hub's processes when the "
                              "cores are busy; then a fifth of that, so it gives way to others signing in.").tag(
        config=True)
    create_accounts = Bool(False, help="Make a system account (no password, no login shell) for a new name.").tag(
        config=True)
    facilitator_system_group = Unicode("", help="The system group that owns the exchange's course folders; "
                                       "a facilitator's account is added to it.").tag(config=True)
    runtime_dir = Unicode("", help="A root-owned folder holding each account's private Jupyter runtime folder "
                          "(its kernels' connection files and ipc sockets); empty: the default in the home.").tag(
        config=True)

    _limits = None  # one Limits for the hub process
    _settle = None  # the timer that lowers this server's CPU weight after its start
    _settled = False  # this hub has lowered it (a restarted hub lowers it for servers it finds running)

    def is_facilitator(self) -> bool:
        return any(group.name == FACILITATOR_GROUP for group in self.user.groups)

    @property
    def profile(self) -> str:
        return "facilitator" if self.is_facilitator() else "learner"

    def home(self) -> Path:
        return Path(pwd.getpwnam(self.user.name).pw_dir)

    @default("notebook_dir")
    def _default_notebook_dir(self):
        return f"~/{COURSE_LINK_DIR}"

    @default("default_url")
    def _default_default_url(self):
        return f"/voila/render/{HOME_NOTEBOOK}"

    def get_env(self):
        env = super().get_env()
        bin_dir = str(Path(sys.executable).parent)  # nbgrader runs alembic from PATH
        env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(Path(self.profiles_dir) / self.profile),
                                                      str(VOILA_CONFIG_DIR)])
        env["JUPYTER_PATH"] = str(template_search_dir(self.data_dir))
        env[EXCHANGE_VARIABLE] = self.exchange_dir
        env["COURSE_RECORD_DIR"] = str(self.home() / RECORD_DIR)
        env[SERVER_ROOT_VARIABLE] = str(self.home() / COURSE_LINK_DIR)  # learner profile: where assessments go
        env[HUB_ROLE_VARIABLE] = self.profile  # the course home: a facilitator is not offered assessments
        if self.runtime_dir:
            env["JUPYTER_RUNTIME_DIR"] = str(self.private_runtime_dir())
        return env

    def private_runtime_dir(self) -> Path:
        return Path(self.runtime_dir) / str(pwd.getpwnam(self.user.name).pw_uid)

    def make_runtime_dir(self):
        """The account's runtime folder, theirs alone (0700) in root's folder (0755), so nobody can make it
        first: the kernels' ipc sockets are there (profiles' KernelManager.transport), with a path short
        enough for a socket (at most 107 bytes) whatever the account's name."""
        parent, account = Path(self.runtime_dir), pwd.getpwnam(self.user.name)
        parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.chown(parent, 0, 0)
        os.chmod(parent, 0o755)
        folder = self.private_runtime_dir()
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chown(folder, account.pw_uid, account.pw_gid)
        os.chmod(folder, 0o700)

    @classmethod
    def limits(cls) -> Limits:
        if cls._limits is None:
            cls._limits = Limits()
            if not cls._limits.ready():
                cls._limits.owns = {}
        return cls._limits

    def make_preexec_fn(self, name):
        become_user = set_user_setuid(name)
        groups = []
        if self.memory_limit_mb:
            limits = self.limits()
            if not limits.owns:
                self.log.warning("No memory, CPU or task limit for %s's server: %s", name, limits.problem)
            else:
                groups = limits.set_limits(name, self.memory_limit_mb * 1024 * 1024, self.cpu_limit, self.tasks_limit)
                for missing in sorted({"cpu", "pids"} - set(limits.owns)):
                    self.log.warning("No %s limit for %s's server: no %s cgroup controller", missing, name, missing)

        def preexec():
            Limits.join(groups)
            os.umask(0o077)
            become_user()

        return preexec

    async def ensure_account(self):
        """With ``create_accounts`` (sign-up, LTI, Entra ID): a system account for a name seen first."""
        try:
            pwd.getpwnam(self.user.name)
            return
        except KeyError:
            if not self.create_accounts:
                raise RuntimeError(f"There is no system account called {self.user.name!r} on this server.") from None
        if not ACCOUNT_NAME.fullmatch(self.user.name):
            raise RuntimeError(f"{self.user.name!r} cannot be a system account name (lower-case letters, "
                               "digits, '.', '_' and '-', starting with a letter, at most 32).")
        await asyncio.to_thread(subprocess.run, ["useradd", "--create-home", "--shell", "/usr/sbin/nologin",
                                                 "--user-group", self.user.name], check=True, capture_output=True)

    def grading_group(self) -> str | None:
        """The group that alone opens the shared course's grading/ (install.py), or None if it is open to all."""
        try:
            folder = os.stat(Path(self.course_dir) / "grading")
        except OSError:
            return None
        if folder.st_gid == 0 or folder.st_mode & 0o007:
            return None
        return grp.getgrgid(folder.st_gid).gr_name

    async def keep_grading_group(self):
        """Facilitators (however named: settings, sign-in or group) in grading/'s group; nobody else."""
        group = self.grading_group()
        if group is None:
            return
        member = self.user.name in grp.getgrnam(group).gr_mem
        if self.is_facilitator() and not member:
            await asyncio.to_thread(subprocess.run, ["gpasswd", "--add", self.user.name, group], check=True,
                                    capture_output=True)
        elif member and not self.is_facilitator():
            await asyncio.to_thread(subprocess.run, ["gpasswd", "--delete", self.user.name, group], check=True,
                                    capture_output=True)

    async def join_facilitators_group(self):
        """A facilitator named in the settings (not by system group) joins it, so their release can write
        to the exchange (leadership_course/hub/exchange_folders.py)."""
        try:
            group = grp.getgrnam(self.facilitator_system_group)
        except KeyError:
            self.log.warning("No system group %s: %s cannot release assessments", self.facilitator_system_group,
                             self.user.name)
            return
        if self.user.name not in group.gr_mem and pwd.getpwnam(self.user.name).pw_gid != group.gr_gid:
            await asyncio.to_thread(subprocess.run, ["usermod", "--append", "--groups", group.gr_name, self.user.name],
                                    check=True, capture_output=True)

    async def prepare_home(self):
        """Make the home ready as the account itself (``homes``); a failure stops the spawn with its reason."""
        await self.ensure_account()
        if self.runtime_dir:
            self.make_runtime_dir()
        if self.is_facilitator() and self.facilitator_system_group:
            await self.join_facilitators_group()
        await self.keep_grading_group()
        home = self.home()
        if not home.is_dir():  # an account made without a home (sign-up): make it, owned by them
            account = pwd.getpwnam(self.user.name)
            home.mkdir(mode=0o700, parents=True)
            os.chown(home, account.pw_uid, account.pw_gid)
        argv = [sys.executable, "-m", "leadership_course.hub.homes", "--course-dir", self.course_dir]
        if self.is_facilitator():
            argv.append("--facilitator")
        env = {"HOME": str(home), "PATH": os.defpath}
        done = await asyncio.to_thread(subprocess.run, argv, env=env, cwd=home, capture_output=True, text=True,
                                       preexec_fn=set_user_setuid(self.user.name), timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"Could not make {self.user.name}'s course folder ready: {done.stderr[-800:]}")

    async def start(self):
        await self.prepare_home()
        self.cancel_settle()
        self._settled = False
        started = await super().start()
        if self.memory_limit_mb and self.limits().owns.get("cpu"):
            self._settle = asyncio.get_running_loop().call_later(self.start_cpu_seconds, self.settle_cpu_weight)
        return started

    def settle_cpu_weight(self):
        """The server has started: from now on its busy work gives way to the hub and to sign-ins."""
        self._settle, self._settled = None, True
        try:
            self.limits().set_cpu_weight(self.user.name, RUNNING_WEIGHT)
        except OSError as error:  # the server stopped and its group went
            self.log.warning("Could not lower %s's CPU weight: %s", self.user.name, error)

    def cancel_settle(self):
        if self._settle is not None:
            self._settle.cancel()
            self._settle = None

    async def poll(self):
        status = await super().poll()
        if status is None and self._settle is None and not self._settled and self.memory_limit_mb \
                and self.limits().owns.get("cpu"):
            self.settle_cpu_weight()  # a server the hub found running when it started
        return status

    async def stop(self, now=False):
        self.cancel_settle()
        return await super().stop(now=now)
