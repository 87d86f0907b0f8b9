#!/usr/bin/env python3
"""Run the whole test suite: python3 run_tests.py [pytest options]

Sets up .venv with the course and its test tools when needed, makes sure a Chromium is
available for the browser tests (Debian's package when run as root on Debian or Ubuntu,
otherwise Playwright's own download, or the browser named in $CHROMIUM_PATH), and that
PostgreSQL's programs are there for the workshop store's tests (Debian's package as root;
the tests start their own server in a temporary folder, or use $COURSE_TEST_POSTGRES),
that configurable-http-proxy (npm) is there for the hub's tests (in .venv/proxy; Debian's npm
as root where missing), then runs pytest on tests/.
"""

import glob
import os
import shutil
import subprocess
import sys

from start import PYTHON, REPO, ensure_environment


def find_chromium():
    """The Chromium the browser tests will drive, installing one if none is found."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing Chromium from Debian's packages...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return shutil.which("chromium")
    print("Installing Playwright's Chromium...", flush=True)
    subprocess.run([str(PYTHON), "-m", "playwright", "install", "chromium"], check=True)
    return ""  # the tests then use Playwright's own browser


def ensure_grading_sandbox():
    """bubblewrap, which sandboxes the kernel that grades a submission (Debian's package, as root)."""
    if shutil.which("bwrap") or not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        return
    print("Installing bubblewrap from Debian's packages (the grading sandbox)...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "bubblewrap"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def ensure_postgresql():
    """Debian's PostgreSQL, for the workshop store's tests (they start their own server), as root."""
    if os.environ.get("COURSE_TEST_POSTGRES") or glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        return
    print("Installing PostgreSQL from Debian's packages (the workshop store's tests)...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


#: configurable-http-proxy for the hub's tests (tests/hub/conftest.py looks here).
PROXY_DIR = REPO / ".venv" / "proxy"


def ensure_http_proxy():
    """configurable-http-proxy from npm, which the hub's tests run in front of a real JupyterHub."""
    if (PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        return
    if not shutil.which("npm") and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing npm from Debian's packages (the hub's proxy)...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nodejs", "npm"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    print("Installing configurable-http-proxy from npm (the hub's tests)...", flush=True)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(PROXY_DIR),
                    "configurable-http-proxy@4"], check=True)


def main():
    ensure_environment("[test]")
    ensure_http_proxy()
    ensure_grading_sandbox()
    ensure_postgresql()
    chromium = find_chromium()
    env = {**os.environ, "CHROMIUM_PATH": chromium or ""}
    return subprocess.run([str(PYTHON), "-m", "pytest", *sys.argv[1:]], cwd=REPO, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
