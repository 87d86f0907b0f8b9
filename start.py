#!/usr/bin/env python3
"""Start the course on this computer: python3 start.py

The first run makes a private Python environment in .venv (a minute or two), then every
run starts the course and opens the course home in your web browser. Your answers are
saved on this computer only. Press Ctrl+C in this window to stop the course.

Options: --lab opens JupyterLab instead of the course web app; --port N picks the port;
--no-browser does not open a browser; --no-preheat saves about 700 MB of memory (each page
then takes up to a second longer to open).
"""

import argparse
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent
VENV = REPO / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment(extras=""):
    """Create .venv and install the course (and ``extras``) when anything is missing."""
    if installed(extras):
        enable_server_extensions()
        prepare_course()
        return
    if not PYTHON.exists():
        print("Setting up the course for the first time (this takes a minute or two)...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    else:
        print("Updating the course's private environment (a minute or two)...", flush=True)
    target = f".{extras}" if extras else "."
    pip("install", "--quiet", "--upgrade", "pip")
    pip("install", "--quiet", "-e", target)
    enable_server_extensions()
    (VENV / f".installed{extras}").write_text(str((REPO / "pyproject.toml").stat().st_mtime))
    prepare_course()


def installed(extras=""):
    """Is .venv's install with ``extras`` as new as pyproject.toml? An install with extras
    (the tests' "[test]") holds the plain course too."""
    wanted = (REPO / "pyproject.toml").stat().st_mtime
    stamps = [VENV / f".installed{extras}"] if extras else VENV.glob(".installed*")
    return any(stamp.is_file() and float(stamp.read_text() or 0) >= wanted for stamp in stamps)


def pip(*args):
    """Run pip in .venv; its messages (build notices, the package index's warnings) are
    shown only when it fails."""
    done = subprocess.run([str(PYTHON), "-m", "pip", *args], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout + done.stderr)
        sys.exit("Setting up the course did not work (the messages above say why). Check that this "
                 "computer can reach the Python package index, then run the same command again.")


#: The course's jupyter-server extensions, enabled for every server of .venv (JupyterLab, formgrader)
#: as `jupyter server extension enable --sys-prefix` would: formgrader's plain page for a submission it
#: cannot open (leadership_course/grading/formgrader_pages.py).
SERVER_EXTENSIONS = ("leadership_course.grading.formgrader_pages",)
SERVER_CONFIG = VENV / "etc" / "jupyter" / "jupyter_server_config.d" / "leadership_course.json"


def enable_server_extensions():
    text = json.dumps({"ServerApp": {"jpserver_extensions": dict.fromkeys(SERVER_EXTENSIONS, True)}}, indent=2)
    if not SERVER_CONFIG.exists() or SERVER_CONFIG.read_text() != text:
        SERVER_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        SERVER_CONFIG.write_text(text)


def prepare_course():
    """Work no page should do while a learner waits: compile the course engine to bytecode
    (only files that changed, even where Python may not write bytecode) and keep a
    ready-to-read copy of the checked content. Content problems are listed, not fatal:
    the pages then read the YAML and report them."""
    subprocess.run([str(PYTHON), "-m", "compileall", "-q", "leadership_course"], check=True, cwd=REPO)
    prepared = subprocess.run([str(PYTHON), "-m", "leadership_course", "prepare"], cwd=REPO / "modules",
                              stdout=subprocess.PIPE, text=True)
    if prepared.returncode != 0:
        print(prepared.stdout, end="")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", action="store_true", help="open JupyterLab instead of the course web app")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-preheat", action="store_true",
                        help="do not keep a kernel ready for each page (uses about 700 MB less memory)")
    args = parser.parse_args()
    if sys.version_info < (3, 10):
        sys.exit("The course needs Python 3.10 or newer. Please install it from python.org.")
    try:
        ensure_environment()
    except KeyboardInterrupt:
        print("\nStopped before the course started. Run the same command again to carry on.")
        return 130
    command = [str(PYTHON), "-m", "leadership_course", "start", "--port", str(args.port)]
    if args.lab:
        command.append("--lab")
    if args.no_browser:
        command.append("--no-browser")
    if args.no_preheat:
        command.append("--no-preheat")
    course = subprocess.Popen(command, cwd=REPO)
    while True:
        try:
            return course.wait()
        except KeyboardInterrupt:
            # Ctrl+C reaches the course too: it stops its server and says so; wait for that
            # (subprocess.run would kill it a quarter of a second later, before it could)
            continue


if __name__ == "__main__":
    sys.exit(main())
