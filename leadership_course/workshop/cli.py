"""Run an anonymous pulse for a workshop room: start, serve, export, delete and list workshops.

    workshop start --name "Ward leaders, 21 Nov" --pulse abc-and-voice [--room]
    workshop serve [--room]            (serve workshops already created, e.g. after a restart)
    workshop export CODE --out DIR     (combined counts as CSV, and the charts as PNG)
    workshop delete CODE               (the workshop and every answer to it)
    workshop list

The passcode is asked for (typed twice, not shown) unless --passcode is given. Only a
salted scrypt hash of it is stored. Answers go to a SQLite file in --dir, or to PostgreSQL
with --database postgresql://... (or $COURSE_WORKSHOP_DATABASE).
"""

import argparse
import getpass
import os
import signal
import socket
import subprocess
import sys
import webbrowser
from pathlib import Path

from ..content import ContentError
from .pulses import find_pages_dir, load_pulse
from .store import (DATABASE_VARIABLE, DEFAULT_THRESHOLD, JOIN_URL_VARIABLE, MIN_PASSCODE, MIN_THRESHOLD,
                    STORE_DIR_VARIABLE, WorkshopError, WorkshopStore, check_threshold)

LOCAL = "127.0.0.1"


def add_parser(commands):
    """Add ``workshop`` and its own commands to the course's command line."""
    workshop = commands.add_parser("workshop", help="run an anonymous pulse for a workshop room",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = workshop.add_subparsers(dest="workshop_command", required=True)
    start = actions.add_parser("start", help="create a workshop and serve its pulse, host and screen pages")
    start.add_argument("--name", required=True, help='the workshop\'s name, e.g. "Ward leaders, 21 Nov"')
    start.add_argument("--pulse", default="abc-and-voice", help="a pulse id from workshop/pulses, or a .yaml file")
    start.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD,
                       help=f"answers needed before results show, and batch size (default "
                            f"{DEFAULT_THRESHOLD}, at least {MIN_THRESHOLD})")
    serve = actions.add_parser("serve", help="serve the pulse, host and screen pages for existing workshops")
    for parser in (start, serve):
        parser.add_argument("--port", type=int, default=8866)
        parser.add_argument("--room", action="store_true",
                            help="let phones and laptops on the same network join (listens on 0.0.0.0)")
        parser.add_argument("--no-browser", action="store_true", help="do not open the host's page")
    start.add_argument("--passcode", help="the host passcode (default: asked for, not shown)")
    export = actions.add_parser("export", help="write the combined results as CSV and PNG")
    export.add_argument("code")
    export.add_argument("--passcode", help="the host passcode (default: asked for)")
    export.add_argument("--out", default=".", help="the folder for the files (default: here)")
    delete = actions.add_parser("delete", help="delete a workshop and every answer to it")
    delete.add_argument("code")
    delete.add_argument("--passcode", help="the host passcode (default: asked for)")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    actions.add_parser("list", help="list the workshops in the store (no answers)")
    for parser in (start, serve, export, delete, actions.choices["list"]):
        parser.add_argument("--dir", help=f"the workshop store folder (default: ${STORE_DIR_VARIABLE}, "
                                          "else compassionate-leadership-workshops in your home folder)")
        parser.add_argument("--database", help="a PostgreSQL address (postgresql://...) to keep the answers in "
                                               f"instead of the SQLite file (default: ${DATABASE_VARIABLE})")
    return workshop


def run(args):
    """Carry out a ``workshop`` command; a plain message (never a traceback) on a problem."""
    try:
        if args.database:  # the server started below reads it too
            os.environ[DATABASE_VARIABLE] = args.database
        store = WorkshopStore(args.dir)
        return COMMANDS[args.workshop_command](args, store)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except (WorkshopError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):  # Ctrl+C or Ctrl+D at a question
        print("\nStopped; nothing more was done.", file=sys.stderr)
        return 130


def start(args, store):
    pulse = load_pulse(args.pulse)
    check_threshold(args.threshold)
    pages = find_pages_dir()
    _check_port(args.port, args.room)
    passcode = args.passcode if args.passcode is not None else _ask_new_passcode()
    code = store.create(args.name, pulse, passcode, args.threshold)
    print(f"Created workshop {code}: \"{' '.join(args.name.split())}\" ({pulse['title']}, results from "
          f"{args.threshold} answers).")
    return _serve(args, store, pages, code)


def serve(args, store):
    pages = find_pages_dir()
    _check_port(args.port, args.room)
    return _serve(args, store, pages, None)


def export(args, store):
    host = store.host(args.code, _passcode(args))
    results = host.results()
    if not results.shown:
        print(f"Workshop {results.code} has {_answers(results.responses)}; results need at least "
              f"{results.threshold}. Nothing was written.", file=sys.stderr)
        return 1
    from .report import results_csv, results_png

    out = Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"workshop-{results.code}-results"
    stem.with_suffix(".csv").write_text(results_csv(results), encoding="utf-8")
    stem.with_suffix(".png").write_bytes(results_png(results))
    print(f"Wrote the combined results of {results.published} of {_answers(results.responses)}:\n"
          f"  {stem.with_suffix('.csv')}\n  {stem.with_suffix('.png')}")
    return 0


def delete(args, store):
    host = store.host(args.code, _passcode(args))
    answers = host.results().responses
    if not args.yes and sys.stdin.isatty():
        reply = input(f"Delete workshop {host.code} and its {_answers(answers)}? This cannot be undone. "
                      "Type yes to delete: ")
        if reply.strip().lower() != "yes":
            print("Nothing was deleted.")
            return 1
    host.delete()
    print(f"Deleted workshop {host.code} and its {_answers(answers)}.")
    return 0


def list_workshops(args, store):
    workshops = store.list() if store.database_url or store.path.exists() else []
    where = store.database.describe() if store.database_url else store.directory
    if not workshops:
        print(f"No workshops in {where}.")
        return 0
    print(f"Workshops in {where}:")
    print(f"{'Code':<8}{'Created':<12}{'Answers':>8}  {'Results from':>12}  Name (pulse)")
    for w in workshops:
        print(f"{w['code']:<8}{w['created']:<12}{w['responses']:>8}  {w['threshold']:>12}  "
              f"{w['name']} ({w['pulse']})")
    return 0


COMMANDS = {"start": start, "serve": serve, "export": export, "delete": delete, "list": list_workshops}


# --- helpers ------------------------------------------------------------------------------


def _answers(count):
    return f"{count} answer{'' if count == 1 else 's'}"


def _ask_new_passcode():
    if not sys.stdin.isatty():
        raise ValueError("Give the host passcode with --passcode, or run the command in a terminal "
                         "to be asked for it.")
    print(f"Choose a host passcode: at least {MIN_PASSCODE} characters (three short words are easy "
          "to type and hard to guess). You need it to see the results.")
    while True:
        first = getpass.getpass("Host passcode: ")
        if len(first) < MIN_PASSCODE:
            print(f"Please use at least {MIN_PASSCODE} characters.")
            continue
        if getpass.getpass("Type it again: ") == first:
            return first
        print("The two did not match; please try again.")


def _passcode(args):
    if args.passcode is not None:
        return args.passcode
    if not sys.stdin.isatty():
        raise ValueError("Give the host passcode with --passcode.")
    return getpass.getpass("Host passcode: ")


def room_address():
    """This machine's address on its network (no packet is sent), else 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return LOCAL


def _check_port(port, room):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("0.0.0.0" if room else LOCAL, port))
        except OSError:
            raise ValueError(f"Port {port} is in use (is a workshop or the course already running?). "
                             "Stop it, or choose another with --port.") from None


def _serve(args, store, pages, code):
    from ..__main__ import wait_for
    from ..voila.launch import voila_command

    address = room_address() if args.room else LOCAL
    base = f"http://{address}:{args.port}/pulse"
    # Voila with the pulse pages beside it (server.py); no pre-heated kernels for its few notebooks.
    argv, env = voila_command(pages, args.port, ip="0.0.0.0" if args.room else LOCAL, preheat=False)
    argv[argv.index("voila")] = "leadership_course.workshop.server"
    env[STORE_DIR_VARIABLE] = str(store.directory.expanduser().resolve())
    env[JOIN_URL_VARIABLE] = base
    server = subprocess.Popen(argv, env=env, cwd=pages)

    def stop(signum, frame):  # closing the terminal, or a service manager: stop Voila and its kernels
        server.terminate()

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    try:
        if not wait_for(f"http://{LOCAL}:{args.port}/", server):
            print("The workshop server did not start; see the messages above.", file=sys.stderr)
            server.terminate()
            return server.wait(10) or 1
        local = f"http://{LOCAL}:{args.port}/pulse/{code or 'CODE'}"
        host_url = f"{local}/host"
        print()
        if code:
            print(f"Workshop code: {code}")
        print(f"Participants open:  {base}/{code}" if code else f"Participants open:  {base}  (and type the code)")
        print(f"Host (controls):    {host_url}")
        print(f"Room's screen:      {local}/screen")
        if args.room:
            print(f"\nOnly devices on the same network as this computer ({address}) can join. If they cannot,\n"
                  "your firewall may be blocking the port, or the network keeps devices apart (common on\n"
                  "guest Wi-Fi): see docs/workshop-pulse.md. Anyone on this network who has the link can\n"
                  "answer; only someone with the passcode can see the results.")
        else:
            print("\nOnly this computer can open these pages. To let phones on the same network join,\n"
                  "start with --room.")
        print("Press Ctrl+C here to stop the server (answers are kept until you delete the workshop).\n",
              flush=True)
        if not args.no_browser:
            webbrowser.open(host_url if code else f"http://{LOCAL}:{args.port}/pulse")
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait(20)
        return 0
