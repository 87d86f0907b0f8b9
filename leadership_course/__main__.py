"""Command line for the course.

``python -m leadership_course check`` checks all course content;
``python -m leadership_course start`` serves the course and opens the course home;
``python -m leadership_course workshop start --name NAME`` runs an anonymous pulse for a room;
``python -m leadership_course record list`` (check, merge, recover) helps a learner with their record;
``python -m leadership_course build-web OUT`` writes the web edition (static pages, no server needed).
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .content import ContentError, check_all, find_content_dir, path_report
from .prepared import prepare_all

HOME_NOTEBOOK = "course_home.ipynb"


def wait_for(url, process, seconds=90):
    """Wait until ``url`` answers (True) or the server stops or time runs out (False)."""
    import urllib.request  # here: the other commands (the workshop server among them) never need it

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def server_log_path():
    """Where the start command keeps the course server's full output (for whoever helps)."""
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir()) / "leadership-course-server.log"


def for_the_learner(line):
    """Is this line of the server's output something a learner must see? Only errors are:
    routine messages, the kernels' warnings about local connections and untrusted
    notebooks, and the tracebacks of a stop go to the log alone."""
    return bool(re.search(r"\b(ERROR|CRITICAL)\b", line)) and "Traceback" not in line


def relay(stream, log_path, stopping):
    """Copy the server's output to the log file (else nowhere: it must still be read, or
    the server would stall); print only what the learner must see, and nothing once the
    learner has asked it to stop."""
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "w", encoding="utf-8", errors="replace")
    except OSError:
        log = open(os.devnull, "w")
    with log:
        for line in stream:
            log.write(line)
            log.flush()
            if for_the_learner(line) and not stopping.is_set():
                print(line.rstrip()[:300], flush=True)


def without_ctrl_c():
    """Popen's arguments for a server that ignores the terminal's Ctrl+C (on Linux and macOS):
    this command stops it, once the relay is quiet, so no message of its stopping reaches the
    learner. (Reached by Ctrl+C itself, Voila stopped its kernels while this busy command had
    not yet woken, and one kernel's error reached the terminal.)"""
    if os.name == "nt":
        return {}
    return {"preexec_fn": lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)}


def start(port, lab=False, open_browser=True, preheat=True):
    """Serve the course on 127.0.0.1 (Voila by default, or JupyterLab) until Ctrl+C.

    Voila keeps a kernel ready for each course page unless ``preheat`` is off or the
    computer is short of free memory."""
    modules = find_content_dir().parent
    if lab:  # JupyterLab keeps its login token and opens the browser itself
        argv = [sys.executable, "-m", "jupyterlab", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.root_dir={modules}", f"--ServerApp.open_browser={open_browser}",
                f"--LabApp.default_url=/lab/tree/{HOME_NOTEBOOK}"]
        env, url = None, None
    else:
        from .voila.launch import first_free_port, free_memory_bytes, preheat_fits, voila_command

        if preheat and not preheat_fits(free_memory_bytes()):
            print("This computer is short of free memory, so pages will start when you open them "
                  "(up to a second slower).", flush=True)
            preheat = False
        try:
            free = first_free_port(port)
        except OSError:
            print(f"Ports {port} and the next 49 are in use. Choose another with --port, for example "
                  "--port 9000.", flush=True)
            return 1
        if free != port:
            print(f"Port {port} is in use (perhaps the course is already open there), so the course "
                  f"uses port {free}.", flush=True)
            port = free
        # Voila must not move to another port by itself: the address printed would be wrong.
        argv, env = voila_command(modules, port, preheat=preheat, extra_args=["--Voila.port_retries=0"])
        url = f"http://127.0.0.1:{port}/voila/render/{HOME_NOTEBOOK}"
    stopping = threading.Event()
    if lab:
        server = subprocess.Popen(argv, env=env, cwd=modules)
    else:  # the learner sees the address and any error; everything else goes to the log
        log_path = server_log_path()
        server = subprocess.Popen(argv, env=env, cwd=modules, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, encoding="utf-8", errors="replace", **without_ctrl_c())
        threading.Thread(target=relay, args=(server.stdout, log_path, stopping), daemon=True).start()
    try:
        if url and wait_for(url.split("/voila/")[0] + "/", server):
            print(f"\nThe course is open at {url}\nPress Ctrl+C here to stop it.\n", flush=True)
            if open_browser:
                import webbrowser

                webbrowser.open(url)
        code = server.wait()
    except KeyboardInterrupt:
        stopping.set()
        server.terminate()
        try:
            server.wait(10)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            server.kill()
        print("The course has stopped. Your work is saved.", flush=True)
        return 0
    if not lab and code != 0:
        print(f"The course server stopped unexpectedly. Its messages are in {log_path}", flush=True)
    return code


def build_web(out, content=None):
    """Write the web edition into ``out``; refuse, with the content check's messages, when
    the content has a problem."""
    from .web.build import build_site

    try:
        pages = build_site(out, content)
    except ContentError as error:
        print("\n".join(error.problems))
        print("The web edition was not built: put these problems right first.", file=sys.stderr)
        return 1
    print(f"Wrote the web edition ({len(pages)} pages) to {out}. Open {pages[0].name} there, or serve the folder "
          "from any web server.")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m leadership_course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check every content file and report each problem")
    check.add_argument("--content", help="the content folder (default: found from here)")
    prepare = commands.add_parser("prepare", help="check the content and keep a ready-to-read copy for pages")
    prepare.add_argument("--content", help="the content folder (default: found from here)")
    serve = commands.add_parser("start", help="serve the course on this computer and open the course home")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--lab", action="store_true", help="JupyterLab instead of the course web app")
    serve.add_argument("--no-browser", action="store_true")
    serve.add_argument("--no-preheat", action="store_true",
                       help="do not keep a kernel ready for each page (uses about 700 MB less memory)")
    web = commands.add_parser("build-web", help="write the web edition: static pages any web server can serve")
    web.add_argument("out", help="the folder to write it into (made if missing)")
    web.add_argument("--content", help="the content folder (default: found from here)")
    builder = commands.add_parser("build-assessment", help="write an assessment's source notebook from its answer key")
    builder.add_argument("keys", nargs="+", help="answer key files, e.g. grading/keys/module-01.yaml")
    from .grading.cli import add_parser as add_grading_parser

    add_grading_parser(commands)  # roster, hand-out, feedback, return-feedback, export-marks
    from .workshop.cli import add_parser as add_workshop_parser

    add_workshop_parser(commands)
    from .web.scorm import add_parser as add_scorm_parser

    add_scorm_parser(commands)  # build-scorm: SCORM 1.2 packages for an LMS
    from .record_cli import add_parser as add_record_parser

    add_record_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "record":
        from .record_cli import run as run_record

        return run_record(args)
    if args.command == "workshop":
        from .workshop.cli import run as run_workshop

        return run_workshop(args)
    if args.command == "build-web":
        return build_web(args.out, args.content)
    if args.command == "build-scorm":
        from .web.scorm import run as run_scorm

        return run_scorm(args)
    if args.command == "build-assessment":
        from .grading.builder import build

        for key in args.keys:
            try:
                notebook, _ = build(key)
            except ContentError as error:
                print("\n".join(error.problems))
                return 1
            print(f"Wrote {notebook} and its model answers.")
        return 0
    from .grading.cli import COMMANDS as GRADING_COMMANDS, run as run_grading

    if args.command in GRADING_COMMANDS:
        return run_grading(args)
    if args.command == "start":
        return start(args.port, lab=args.lab, open_browser=not args.no_browser, preheat=not args.no_preheat)
    if args.command in ("check", "prepare"):
        try:
            folder = args.content or find_content_dir()
            problems = check_all(folder) if args.command == "check" else prepare_all(folder)
        except ContentError as error:
            problems = error.problems
            folder = args.content or "(not found)"
        except OSError as error:  # a read-only copy of the course: pages read the YAML instead
            print(f"Could not keep prepared content in {folder} ({error.strerror or error}); "
                  "pages will read the content files directly.", file=sys.stderr)
            return 0
        for problem in problems:
            print(problem)
        if problems:
            print(f"{len(problems)} problem(s) found in {folder}.", file=sys.stderr)
            return 1
        print(f"All content in {folder} is valid{' and prepared' if args.command == 'prepare' else ''}.")
        if args.command == "check":
            print("Paths through each scenario:", *path_report(folder), sep="\n")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
