"""A trial hub: the course's JupyterHub (deploy/jupyterhub/jupyterhub_config.py) with real
system accounts, on free 127.0.0.1 ports, for the hub's tests and the sizing benchmark
(deploy/jupyterhub/benchmark.py). Accounts are made with useradd and removed afterwards,
with their processes, even on failure. Needs root and the hub's shared environment
(deploy/jupyterhub/install.py --environment-only .venv-hub) with configurable-http-proxy.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..voila.launch import free_port
from .exchange_folders import make_exchange
from .limits import Limits

REPO = Path(__file__).resolve().parents[2]
HUB_CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
#: The hub's shared environment (deploy/jupyterhub/install.py --environment-only, run by run_tests.py).
HUB_ENV = Path(os.environ.get("COURSE_TEST_HUB_ENV", REPO / ".venv-hub"))
HUB_BIN = HUB_ENV / "bin"
PROXY = HUB_ENV / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_START_TIMEOUT_S = 60
#: What the test's own hub client may do (the idle culler's scopes, to run the real culler on demand).
CLIENT_SCOPES = ["list:users", "read:users", "read:users:activity", "read:servers", "delete:servers"]


@dataclass
class Account:
    name: str
    password: str
    role: str  # "learner" or "facilitator"

    @property
    def home(self) -> Path:
        return Path(pwd.getpwnam(self.name).pw_dir)

    @property
    def ids(self) -> tuple[int, int]:
        entry = pwd.getpwnam(self.name)
        return entry.pw_uid, entry.pw_gid

    def run(self, *argv, **kwargs) -> subprocess.CompletedProcess:
        """Run a command as this account (not root), with its home and the course's environment."""
        uid, gid = self.ids
        env = {"HOME": str(self.home), "USER": self.name, "PATH": f"{HUB_BIN}:{os.defpath}"}
        env.update(kwargs.pop("env", {}))
        return subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", *argv],
                              env=env, capture_output=True, text=True, timeout=kwargs.pop("timeout", 300), **kwargs)


@dataclass
class Hub:
    url: str
    token: str
    folder: Path
    process: subprocess.Popen
    accounts: dict[str, Account] = field(default_factory=dict)
    env: dict = field(default_factory=dict)

    @property
    def exchange(self) -> Path:
        return self.folder / "exchange"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}/hub/api{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            return json.loads(body) if body else None

    def servers(self, name: str) -> dict:
        return self.api(f"/users/{name}")["servers"]

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join((self.folder / "hub.log").read_text(errors="replace").splitlines()[-lines:])

    def start(self) -> None:
        """Start the hub process (its log is appended to hub.log) and wait until it answers."""
        with open(self.folder / "hub.log", "ab") as log:
            self.process = subprocess.Popen([str(HUB_BIN / "jupyterhub"), "-f", str(self.folder / "jupyterhub_config.py")],
                                            cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + HUB_START_TIMEOUT_S
        while not _answers(f"{self.url}/hub/api"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise TrialError(f"the hub did not start:\n{self.log_tail()}")
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop the hub process as systemd would (SIGTERM); learners' servers keep running."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop_servers(self, timeout_s: float = 60) -> None:
        """Stop every running server through the hub's API (the hub leaves them running when it stops)."""
        running = [user["name"] for user in self.api("/users?state=active") if user.get("servers")]
        for name in running:
            with contextlib.suppress(OSError):
                self.api(f"/users/{name}/server", method="DELETE")
        deadline = time.monotonic() + timeout_s
        while running and time.monotonic() < deadline:
            running = [name for name in running if self.servers(name)]
            time.sleep(0.5)


def _processes_of(uids: set[int]) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _remove_accounts(accounts, groups):
    uids = set()
    for account in accounts:
        try:
            uids.add(pwd.getpwnam(account.name).pw_uid)
        except KeyError:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):  # the test accounts' own processes, by id
        for pid in _processes_of(uids):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        time.sleep(0.5)
    for account in accounts:
        subprocess.run(["userdel", "--remove", account.name], capture_output=True)
        for folder in Limits().groups(account.name).values():
            if folder.is_dir():
                try:
                    folder.rmdir()
                except OSError:
                    pass
    for group in groups:
        subprocess.run(["groupdel", group], capture_output=True)


def _answers(url: str) -> bool:
    """True once ``url`` answers 200 (the proxy answers 404 until the hub's route is added)."""
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


class TrialError(RuntimeError):
    """The trial hub cannot run here; the message says why and what to do."""


def require_hub_environment():
    if not (HUB_BIN / "jupyterhub").exists() or not PROXY.exists():
        raise TrialError(f"the hub's environment is not at {HUB_ENV}: run `python3 run_tests.py` (it makes it with "
                    "deploy/jupyterhub/install.py --environment-only) or set COURSE_TEST_HUB_ENV")


@contextlib.contextmanager
def running_hub(folder: Path, settings: list[str], accounts: dict | None = None, course_dir: Path = REPO,
                facilitators_group: str = "root"):
    """A hub from deploy/jupyterhub/jupyterhub_config.py with ``settings`` (hub.toml lines) added,
    on free 127.0.0.1 ports, state in ``folder``, on ``course_dir`` (this checkout, or a course
    copied by install.py); its servers, then the hub, stopped on leaving."""
    require_hub_environment()
    os.chmod(folder, 0o755)
    make_exchange(folder / "exchange", facilitators_group)  # as install.py makes it
    port, hub_port, api_port = free_port(), free_port(), free_port()
    (folder / "hub.toml").write_text("\n".join([
        f'course_dir = "{course_dir}"', f'state_dir = "{folder / "state"}"', f'exchange_dir = "{folder / "exchange"}"',
        f'proxy_command = "{PROXY}"', 'ip = "127.0.0.1"', f"port = {port}", f"hub_port = {hub_port}",
        f"proxy_api_port = {api_port}", *settings, ""]))
    token = secrets.token_hex(16)
    (folder / "jupyterhub_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(HUB_CONFIG)!r})\n"
        f"c.JupyterHub.services.append({{'name': 'test-client', 'api_token': {token!r}}})\n"
        f"c.JupyterHub.load_roles.append({{'name': 'test-client', 'services': ['test-client'], "
        f"'scopes': {CLIENT_SCOPES!r}}})\n"
        # servers tell the hub of their activity every 10 s (5 minutes on a real hub), so tests see it
        "c.Spawner.environment = {'JUPYTERHUB_ACTIVITY_INTERVAL': '10'}\n")
    env = {**os.environ, "COURSE_HUB_SETTINGS": str(folder / "hub.toml"),
           "PATH": f"{HUB_BIN}:{os.environ.get('PATH', os.defpath)}"}
    running = Hub(f"http://127.0.0.1:{port}", token, folder, None, accounts or {}, env)
    try:
        running.start()
        yield running
    finally:
        if running.process is not None and running.process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                running.stop_servers()
        if running.process is not None:
            running.stop()
        proxy_pid = folder / "state" / "jupyterhub-proxy.pid"
        if proxy_pid.exists():  # a hub that could not clean up leaves its proxy running
            try:
                os.kill(int(proxy_pid.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError, PermissionError):
                pass


def hub_folder() -> Path:
    """A folder the learners' accounts can enter (pytest's own temporary folders are root's alone)."""
    return Path(tempfile.mkdtemp(prefix="course-hub-", dir="/tmp"))




def check_readable_by_accounts():
    """The course checkout and the environment's Python must be open to every account."""
    if os.geteuid() != 0:
        raise TrialError("the hub needs root: it starts each learner's server as their own account")
    require_hub_environment()
    base = Path(subprocess.run([str(HUB_BIN / "python"), "-c", "import sys; print(sys.base_prefix)"],
                               capture_output=True, text=True).stdout.strip() or "/")
    for folder in (REPO, *REPO.parents, base, *base.parents):
        if not os.stat(folder).st_mode & 0o001:
            raise TrialError(f"{folder} cannot be entered by other accounts, so the learners' servers cannot run "
                             "the course or its Python from there: use a checkout and a Python outside /root")


@contextlib.contextmanager
def cohort(learners: int = 2, facilitators: int = 1, settings: tuple[str, ...] = (), install=None):
    """A running trial hub with ``learners`` and ``facilitators`` accounts (PAM sign-in); the
    accounts are keyed learner_a, learner_b, ... and facilitator (facilitator_2, ...).
    ``install(folder, facilitators_group)``, if given, returns the course folder the hub runs on."""
    check_readable_by_accounts()
    tag = secrets.token_hex(3)
    groups = {"learner": f"clt{tag}-learners", "facilitator": f"clt{tag}-facilitators"}
    roles = [(f"learner_{chr(97 + i)}" if i < 26 else f"learner_{i}", f"l{i}", "learner") for i in range(learners)]
    roles += [("facilitator" if i == 0 else f"facilitator_{i + 1}", f"f{i}", "facilitator") for i in range(facilitators)]
    accounts = {key: Account(f"clt{tag}{suffix}", secrets.token_urlsafe(12), kind) for key, suffix, kind in roles}
    folder = hub_folder()
    try:
        for group in groups.values():
            subprocess.run(["groupadd", group], check=True)
        for account in accounts.values():
            subprocess.run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin", "--groups",
                            groups[account.role], account.name], check=True)
            subprocess.run(["chpasswd"], input=f"{account.name}:{account.password}", text=True, check=True)
        course_dir = install(folder, groups["facilitator"]) if install else REPO
        with running_hub(folder, [f'allowed_groups = ["{groups["learner"]}", "{groups["facilitator"]}"]',
                                  f'facilitator_system_group = "{groups["facilitator"]}"', *settings],
                         accounts, course_dir, groups["facilitator"]) as running:
            yield running
    finally:
        _remove_accounts(list(accounts.values()), tuple(groups.values()))
        shutil.rmtree(folder, ignore_errors=True)
