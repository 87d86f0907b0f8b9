"""Fixtures for the workshop pulse tests.

* ``store``: an empty workshop store in a temporary folder (also $COURSE_WORKSHOP_DIR).
* ``pulse``: the checked pulse ``workshop/pulses/abc-and-voice.yaml``.
* ``make_workshop(threshold=5, passcode=PASSCODE, name=...)``: a workshop in ``store``; its code.
* ``answer(code, options, device=None, word="calm")``: submit one person's answers (option
  numbers, one per choice item, or one number for every item; ``word`` for the word item)
  from a form the store issued to ``device`` (a new device unless given); returns the
  store's True/False.
* ``postgres_url``: a real PostgreSQL server for the session: $COURSE_TEST_POSTGRES if set,
  else Debian's PostgreSQL programs (``apt-get install postgresql``; run_tests.py installs
  them as root) started in a temporary folder, stopped at the end.
* ``postgres_store``: ``postgres_store()`` is an empty store in a schema of its own there.
* ``restart_postgres``: ``restart_postgres()`` restarts that server, dropping every connection.

Wrong passcodes wait ``store.WRONG_PASSCODE_DELAY`` seconds; here it is set to 0 unless a
test sets it.

For test_workshop_browser.py (which reuses tests/browser/browser_helpers.py):
* ``workshop_server``: ``python -m leadership_course workshop start`` itself, on a free
  127.0.0.1 port with a temporary $COURSE_WORKSHOP_DIR that already holds another workshop;
  stopped with Ctrl+C (SIGINT) at the end of the session, with anything it left.
* ``browser``: the session's headless Chromium, from tests/conftest.py.
"""

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from leadership_course.workshop import store as store_module
from leadership_course.workshop.pulses import load_pulse
from leadership_course.workshop.store import WorkshopStore

# workshop_helpers.py is beside this file; browser_helpers.py beside the course's browser tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_helpers import stop_voila  # noqa: E402
from postgres_server import TemporaryPostgres, postgres_programs  # noqa: E402
from workshop_helpers import BROWSER_THRESHOLD, BROWSER_WORKSHOP, PASSCODE, PULSES_DIR  # noqa: E402

SERVER_START_TIMEOUT_S = 90
#: Restarts the PostgreSQL server the tests started (empty when $COURSE_TEST_POSTGRES names one).
RESTART_POSTGRES = []


@pytest.fixture(autouse=True)
def no_passcode_delay(monkeypatch):
    monkeypatch.setattr(store_module, "WRONG_PASSCODE_DELAY", 0)


@pytest.fixture
def store(tmp_path, monkeypatch):
    folder = tmp_path / "workshops"
    monkeypatch.setenv(store_module.STORE_DIR_VARIABLE, str(folder))
    monkeypatch.delenv("QUERY_STRING", raising=False)
    return WorkshopStore(folder)


@pytest.fixture(scope="session")
def pulse():
    return load_pulse("abc-and-voice", folder=PULSES_DIR)


@pytest.fixture
def make_workshop(store, pulse):
    def make(threshold=5, passcode=PASSCODE, name="Ward leaders, 21 Nov"):
        return store.create(name, pulse, passcode, threshold)

    return make


@pytest.fixture
def answer(store, pulse):
    def submit(code, options, device=None, word="calm"):
        choices = [item for item in pulse["items"] if item["type"] == "choice"]
        if isinstance(options, int):
            options = [options] * len(choices)
        answers = {item["id"]: option for item, option in zip(choices, options)}
        answers.update({item["id"]: word for item in pulse["items"] if item["type"] == "word"})
        device = device or store.new_device()
        return store.submit(code, store.form_token(code, store.workshop(code)["run"], device), device, answers)

    return submit


# --- a real PostgreSQL server --------------------------------------------------------------------

@pytest.fixture(scope="session")
def postgres_url():
    given = os.environ.get("COURSE_TEST_POSTGRES")
    if given:
        yield given
        return
    if postgres_programs() is None:
        pytest.fail("PostgreSQL is not installed: run `apt-get install postgresql` (python3 run_tests.py "
                    "does this as root on Debian), or give a server in $COURSE_TEST_POSTGRES.")
    with TemporaryPostgres(durable=False) as server:
        RESTART_POSTGRES.append(server.restart)
        yield server.url


@pytest.fixture
def restart_postgres(postgres_url):
    """Restart the session's PostgreSQL (fast shutdown: every connection is dropped)."""
    if not RESTART_POSTGRES:
        pytest.skip("$COURSE_TEST_POSTGRES names a server these tests do not run, so they cannot restart it")
    return RESTART_POSTGRES[0]


@pytest.fixture
def postgres_store(postgres_url, tmp_path):
    """``postgres_store()``: an empty store in a fresh schema of the session's PostgreSQL."""
    import psycopg

    def make():
        schema = f"test_{secrets.token_hex(6)}"
        with psycopg.connect(postgres_url, autocommit=True) as db:
            db.execute(f"CREATE SCHEMA {schema}")
        return WorkshopStore(tmp_path / "unused", f"{postgres_url}?options=-csearch_path%3D{schema}")

    return make


# --- a real workshop server and a real Chromium (test_workshop_browser.py) ---------------------

@dataclass
class WorkshopServer:
    """``workshop start`` running for the tests (it serves in its own process)."""

    process: subprocess.Popen
    port: int
    code: str
    other_code: str
    store_dir: Path
    log_path: Path
    output: list = field(default_factory=list)

    def url(self, path=""):
        """The address of a pulse page, for example ``url(f"/{code}/host")``."""
        return f"http://127.0.0.1:{self.port}/pulse{path}"

    def memory_bytes(self):
        """Resident memory of the command and any process under it (there should be none)."""
        total, waiting = 0, [self.process.pid]
        while waiting:
            pid = waiting.pop()
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            total += int(status.split("VmRSS:")[1].split()[0]) * 1024
            waiting.extend(int(child) for child in children)
        return total

    def log_tail(self, lines=40):
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(self.output[-10:] + text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def workshop_server(tmp_path_factory, pulse):
    """``python -m leadership_course workshop start`` on a free 127.0.0.1 port, with a
    temporary $COURSE_WORKSHOP_DIR that already holds another workshop."""
    from leadership_course.voila.launch import free_port

    work = tmp_path_factory.mktemp("workshop-server")
    store_dir = work / "store"
    other_code = WorkshopStore(store_dir).create("Another room", pulse, "another-passcode", 3)
    port = free_port("127.0.0.1")
    env = {**os.environ, "COURSE_WORKSHOP_DIR": str(store_dir), "PYTHONUNBUFFERED": "1"}
    for name in ("QUERY_STRING", "COURSE_WORKSHOP_JOIN_URL", "COURSE_STRICT"):
        env.pop(name, None)
    argv = [sys.executable, "-m", "leadership_course", "workshop", "start", "--name", BROWSER_WORKSHOP,
            "--pulse", "abc-and-voice", "--threshold", str(BROWSER_THRESHOLD), "--passcode", PASSCODE,
            "--port", str(port), "--no-browser"]
    log_path = work / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    output = []
    # Keep reading the command's output to the end, so that its pipe never fills up.
    threading.Thread(target=lambda: output.extend(line.rstrip("\n") for line in process.stdout),
                     daemon=True).start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    server = WorkshopServer(process, port, "", other_code, store_dir, log_path, output)
    while not any(line.startswith("Host (controls):") for line in list(output)):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_voila(process, signal.SIGINT)
            pytest.fail(f"workshop start did not serve the pages:\n{server.log_tail()}")
        time.sleep(0.2)
    server.code = next(line.split(":", 1)[1].strip() for line in output if line.startswith("Workshop code:"))
    yield server
    stop_voila(process, signal.SIGINT)
