"""A real PostgreSQL server in a temporary folder, from Debian's PostgreSQL programs
(``apt-get install postgresql``; run_tests.py installs them as root). Used by the workshop
tests (conftest.py) and by the pulse benchmark (benchmarks/run.py).

    with TemporaryPostgres(durable=True) as server:
        server.url        # postgresql://pulse@127.0.0.1:PORT/postgres
        server.restart()  # fast shutdown (every connection dropped), then start again

``durable=False`` (the tests) turns off fsync: faster, and nothing must survive a power cut.
``durable=True`` (the benchmark) keeps PostgreSQL's own settings: every commit on disk.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def postgres_programs():
    """The folder of Debian's PostgreSQL programs (initdb, pg_ctl), newest version first."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


class TemporaryPostgres:
    def __init__(self, durable=False, max_connections=200):
        self.programs = postgres_programs()
        if self.programs is None:
            raise RuntimeError("PostgreSQL is not installed: run `apt-get install postgresql` (python3 run_tests.py "
                               "does this as root on Debian).")
        self.durable, self.max_connections = durable, max_connections
        self.folder = self.url = None

    def _run(self, *argv):
        subprocess.run([*self.as_owner, *argv], check=True, capture_output=True)

    def _pg_ctl(self, *argv):
        self._run(self.programs / "pg_ctl", "-D", self.folder / "data", "-l", self.folder / "log", "-w", *argv)

    def __enter__(self):
        from leadership_course.voila.launch import free_port

        self.folder = Path(tempfile.mkdtemp(prefix="pulse-postgres-"))
        self.as_owner = []
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.folder, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        port = free_port("127.0.0.1")
        self._run(self.programs / "initdb", "-D", self.folder / "data", "-U", "pulse", "-A", "trust", "-E", "UTF8",
                  *([] if self.durable else ["--no-sync"]))
        self.options = (f"-k {self.folder} -p {port} -c listen_addresses=127.0.0.1 "
                        f"-c max_connections={self.max_connections}{'' if self.durable else ' -c fsync=off'}")
        self._pg_ctl("-o", self.options, "start")
        self.url = f"postgresql://pulse@127.0.0.1:{port}/postgres"
        return self

    def restart(self):
        self._pg_ctl("-o", self.options, "-m", "fast", "restart")

    def __exit__(self, *failure):
        try:
            self._pg_ctl("-m", "fast", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
