"""Run an anonymous pulse for a workshop room: start, serve, export, delete and list workshops.

    workshop start --name "Ward leaders, 21 Nov" --pulse abc-and-voice
    workshop serve                     (serve workshops already created, e.g. after a restart)
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
import sys
from pathlib import Path

from ..content import ContentError
from .pulses import load_pulse
from .store import (DATABASE_VARIABLE, DEFAULT_THRESHOLD, JOIN_URL_VARIABLE, MIN_PASSCODE, MIN_THRESHOLD,
                    STORE_DIR_VARIABLE, WorkshopError, WorkshopStore, check_threshold, passcode_problem, plain_name)

LOCAL = "127.0.0.1"
#: How many workshops ``workshop serve`` prints the addresses of (newest first).
MAX_LISTED = 10


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
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--room", action="store_true",
                           help="let phones and laptops on the same network join (the default: listens on "
                                "every network, and the network sees only the pulse)")
        where.add_argument("--local", action="store_true",
                           help="only this computer can open the pages (to try a pulse out; no phone can join)")
        parser.add_argument("--join-url", help="the address participants open, shown in the QR code, e.g. "
                                               "https://pulse.example.nhs.uk/pulse (default: "
                                               f"${JOIN_URL_VARIABLE}, else this computer's address)")
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
    sockets = _bind(args)
    passcode = args.passcode if args.passcode is not None else _ask_new_passcode()
    code = store.create(args.name, pulse, passcode, args.threshold)
    print(f"Created workshop {code}: \"{plain_name(args.name)}\" ({pulse['title']}, results from "
          f"{args.threshold} answers).")
    return _serve(args, store, code, sockets)


def serve(args, store):
    return _serve(args, store, None, _bind(args))


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
        problem = passcode_problem(first)
        if problem:
            print(problem)
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


def _join_base(args, address):
    """The address participants open: --join-url, else $COURSE_WORKSHOP_JOIN_URL, else this
    computer's (never overwritten)."""
    given = args.join_url or os.environ.get(JOIN_URL_VARIABLE)
    if given:
        if not given.startswith(("http://", "https://")):
            raise ValueError(f"The join address must start with http:// or https:// (it was '{given}').")
        return given.rstrip("/")
    return f"http://{address}:{args.port}/pulse"


def _bind(args):
    """The server's sockets, bound now (before anything is created), or a plain message."""
    from .server import bind

    try:
        return bind(args.port, LOCAL if args.local else "")
    except OSError as error:
        raise ValueError(f"Port {args.port} cannot be used ({error.strerror}): another program, perhaps another "
                         "workshop or the course, is using it. Stop that program, or choose another port with "
                         "--port.") from None


def _serve(args, store, code, sockets):
    """Serve the pulse pages in this process until Ctrl+C (or SIGTERM or SIGHUP)."""
    import asyncio
    import logging

    from .server import is_loopback, listen, make_app

    address = LOCAL if args.local else room_address()
    join_base = _join_base(args, address)
    logging.basicConfig(format="[%(asctime)s] %(message)s", datefmt="%H:%M:%S", level=logging.INFO)
    app = make_app(store, join_base)

    async def run():
        listen(app, sockets)
        stop = asyncio.Event()
        for name in ("SIGTERM", "SIGHUP"):  # closing the terminal, or a service manager
            if hasattr(signal, name):
                asyncio.get_running_loop().add_signal_handler(getattr(signal, name), stop.set)
        _print_addresses(args, store, code, join_base, address, is_loopback)
        await stop.wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    print("The workshop server has stopped (answers are kept).", flush=True)
    return 0


def _print_addresses(args, store, code, join_base, address, is_loopback):
    local = f"http://{LOCAL}:{args.port}/pulse"
    codes = [code] if code else [w["code"] for w in store.list()][:MAX_LISTED]
    print()
    for shown in codes:
        if code:
            print(f"Workshop code: {code}")
        else:
            print(f"Workshop {shown}:")
        print(f"Participants open:  {join_base}/{shown}")
        print(f"Host (controls):    {local}/{shown}/host")
        print(f"Room's screen:      {local}/{shown}/screen")
    if not codes:
        print(f"There are no workshops in the store yet: start one with `workshop start`.\n"
              f"Participants open:  {join_base}")
    if is_loopback(join_base):
        print(f"\nNO PHONE CAN JOIN: {join_base} is this computer's own address. "
              + ("You started with --local; stop (Ctrl+C) and start again without it to let the room join."
                 if args.local else "This computer is on no network. Join a network (the room's Wi-Fi), then "
                 "stop (Ctrl+C) and start again; or give the address phones can use with --join-url."))
    elif not args.local:
        print(f"\nDevices on the same network as this computer ({address}) can join; they can open only the\n"
              "pulse pages. If they cannot, your firewall may be blocking the port, or the network keeps\n"
              "devices apart (common on guest Wi-Fi): see docs/workshop-pulse.md. Anyone on this network who\n"
              "has the link can answer; only someone with the passcode can see the results.")
    print("Press Ctrl+C here to stop the server (answers are kept until you delete the workshop).\n", flush=True)
    if not args.no_browser:
        import webbrowser

        webbrowser.open(f"{local}/{codes[0]}/host" if codes else local)
