"""Start Voila on the course's modules folder with the course template and settings.

The template (``templates/course``) and the server settings (``voila.json``,
``jupyter_server_config.json``) live in this folder, in the repository. Voila finds them
through the standard Jupyter search paths, so this module only has to put two folders on
those paths for the process it starts:

* ``JUPYTER_CONFIG_PATH`` gets this folder. Standalone ``voila`` reads ``voila.json`` from
  every Jupyter config folder (and from the current folder); Voila as a jupyter-server
  extension does the same for ``voila.json`` and jupyter-server reads
  ``jupyter_server_config.json`` (kernel culling) from them.
* ``JUPYTER_PATH`` gets a small private folder holding ``nbconvert/templates/course``, a
  link to ``templates/course``. Voila looks for a template called ``course`` in
  ``<data dir>/voila/templates/course`` and ``<data dir>/nbconvert/templates/course`` for
  every Jupyter data folder. The link cannot be ``<dir>/voila/templates/course`` in a
  folder that has no ``voila/themes``: Voila takes its themes from the first
  ``<data dir>/voila`` that exists, and the page would lose its theme.

Binder does not use this module: ``binder/postBuild`` links the same files into the
environment's own Jupyter folders (see docs/voila.md).

Usage from Python (the start command and the browser tests)::

    argv, env = voila_command("modules", port=8866, record_dir="~/course-record")
    subprocess.Popen(argv, env=env)

or from a shell: ``python -m leadership_course.voila.launch --port 8866``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

#: This folder: holds voila.json, jupyter_server_config.json and templates/.
VOILA_DIR = Path(__file__).resolve().parent
#: Name of the course template (``VoilaConfiguration.template`` in voila.json).
TEMPLATE_NAME = "course"
TEMPLATE_DIR = VOILA_DIR / "templates" / TEMPLATE_NAME
#: The folder put on JUPYTER_CONFIG_PATH.
CONFIG_DIR = VOILA_DIR
#: Environment variable the course engine reads for the learner's record folder.
RECORD_DIR_VARIABLE = "COURSE_RECORD_DIR"
#: The page a learner should open first, relative to the modules folder.
HOME_NOTEBOOK = "course_home.ipynb"


def _prepend_path(value: str, existing: str | None) -> str:
    parts = [value] + [p for p in (existing or "").split(os.pathsep) if p and p != value]
    return os.pathsep.join(parts)


def _private_data_root() -> Path:
    """A per-user folder (not shared /tmp) for the template link, one per checkout."""
    from jupyter_core.paths import jupyter_runtime_dir

    digest = hashlib.sha1(str(TEMPLATE_DIR).encode("utf-8")).hexdigest()[:12]
    return Path(jupyter_runtime_dir()) / f"leadership-course-voila-{digest}"


def template_search_dir(root: str | os.PathLike | None = None) -> Path:
    """Return a folder to put on JUPYTER_PATH so that Voila finds the ``course`` template.

    The folder holds ``nbconvert/templates/course``, a symbolic link to this package's
    ``templates/course`` (edits show on the next page load); where links are not allowed
    (some Windows set-ups) it holds a fresh copy instead. Calling it again is cheap.
    """
    root = Path(root) if root is not None else _private_data_root()
    parent = root / "nbconvert" / "templates"
    parent.mkdir(parents=True, exist_ok=True)
    link = parent / TEMPLATE_NAME
    if link.is_symlink():
        if Path(os.readlink(link)) == TEMPLATE_DIR:
            return root
    elif link.exists():
        _remove(link)  # an old copy: refresh it
    tmp = parent / f".{TEMPLATE_NAME}.{os.getpid()}"
    try:
        _remove(tmp)
        os.symlink(TEMPLATE_DIR, tmp, target_is_directory=True)
        os.replace(tmp, link)  # atomic, also over an outdated link
    except OSError:
        _remove(tmp)
        _remove(link)
        shutil.copytree(TEMPLATE_DIR, link)
    return root


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def voila_environment(
    record_dir: str | os.PathLike | None = None,
    base_env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for a Voila process (and its kernels) that uses the course settings."""
    env = dict(os.environ if base_env is None else base_env)
    env["JUPYTER_PATH"] = _prepend_path(str(template_search_dir()), env.get("JUPYTER_PATH"))
    env["JUPYTER_CONFIG_PATH"] = _prepend_path(str(CONFIG_DIR), env.get("JUPYTER_CONFIG_PATH"))
    if record_dir is not None:
        env[RECORD_DIR_VARIABLE] = str(Path(record_dir).expanduser().resolve())
    return env


def voila_command(
    modules_dir: str | os.PathLike,
    port: int,
    record_dir: str | os.PathLike | None = None,
    *,
    ip: str = "127.0.0.1",
    open_browser: bool = False,
    python: str | None = None,
    extra_args: Sequence[str] = (),
    base_env: Mapping[str, str] | None = None,
    preheat: bool = True,
) -> tuple[list[str], dict[str, str]]:
    """Return ``(argv, env)`` that start Voila on ``modules_dir`` (directory mode).

    ``record_dir`` becomes ``$COURSE_RECORD_DIR`` for the kernels; leave it out to keep
    the engine's default. The course home is then at
    ``http://<ip>:<port>/voila/render/course_home.ipynb``.
    The settings themselves (template, denied lab extensions, kernel culling, no
    tracebacks, pre-heated kernels for the course pages) come from voila.json, not from
    this command line; ``preheat=False`` only turns pre-heating off (for the workshop,
    and for computers short of memory).
    """
    modules_dir = Path(modules_dir).expanduser().resolve()
    if not modules_dir.is_dir():
        raise FileNotFoundError(f"The modules folder does not exist: {modules_dir}")
    argv = [
        python or sys.executable,
        "-m",
        "voila",
        str(modules_dir),
        f"--port={int(port)}",
        f"--Voila.ip={ip}",
    ]
    if not open_browser:
        argv.append("--no-browser")
    if not preheat:
        argv.append("--VoilaConfiguration.preheat_kernel=False")
    argv.extend(extra_args)
    return argv, voila_environment(record_dir, base_env)


#: Below this much free memory the start command does not pre-heat kernels: the pool
#: holds one kernel of about 60 MB for each of the eleven course pages.
PREHEAT_MIN_FREE_BYTES = 2 * 1024**3


def free_memory_bytes() -> int | None:
    """Memory available to new programs now (Linux and Windows), or None when unknown."""
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/meminfo", encoding="ascii") as meminfo:
                for line in meminfo:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
        elif os.name == "nt":
            import ctypes

            class MemoryStatus(ctypes.Structure):
                _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong),
                            ("total", ctypes.c_ulonglong), ("available", ctypes.c_ulonglong),
                            ("page_total", ctypes.c_ulonglong), ("page_free", ctypes.c_ulonglong),
                            ("virtual_total", ctypes.c_ulonglong), ("virtual_free", ctypes.c_ulonglong),
                            ("extended", ctypes.c_ulonglong)]

            status = MemoryStatus(length=ctypes.sizeof(MemoryStatus))
            if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
                return int(status.available)
    except (OSError, ValueError, AttributeError):
        pass
    return None


def preheat_fits(free_bytes: int | None) -> bool:
    """Should the course pre-heat kernels, given the free memory (None: unknown, so yes)?"""
    return free_bytes is None or free_bytes >= PREHEAT_MIN_FREE_BYTES


def home_url(port: int, ip: str = "127.0.0.1", page: str = HOME_NOTEBOOK) -> str:
    """Address of the course home page (or ``page``) for a server started by :func:`voila_command`."""
    return f"http://{ip}:{int(port)}/voila/render/{page}"


def free_port(ip: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``ip`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]


def first_free_port(port: int, ip: str = "127.0.0.1", tries: int = 50) -> int:
    """``port`` if nothing listens on it, else the next port that is free (as Voila itself
    would move on, but known before it starts, so the address printed is the one that
    answers). Raises OSError when none of ``tries`` ports is free."""
    for candidate in range(port, min(port + tries, 65536)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Tornado binds
            try:
                sock.bind((ip, candidate))
            except OSError:
                continue
            return candidate
    raise OSError(f"ports {port} to {port + tries - 1} are all in use")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadership_course.voila.launch",
        description="Serve the course modules with Voila and the course template.",
    )
    parser.add_argument("modules_dir", nargs="?", default="modules")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--record-dir", default=None, help="folder for the learner's record")
    parser.add_argument("--open", action="store_true", help="open the course in a browser")
    parser.add_argument("--print", action="store_true", help="print the command, do not run it")
    parser.add_argument("--page", default=HOME_NOTEBOOK,
                        help="the notebook to open (for example the facilitator's dashboard.ipynb)")
    args = parser.parse_args(argv)
    command, env = voila_command(
        args.modules_dir, args.port, args.record_dir, ip=args.ip, open_browser=False
    )
    if args.print:
        for key in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", RECORD_DIR_VARIABLE):
            if key in env:
                print(f"{key}={env[key]}")
        print(" ".join(command))
        return 0
    print(f"Open {home_url(args.port, args.ip, args.page)}", flush=True)
    process = subprocess.Popen(command, env=env)

    def stop(signum, frame):  # pass a stop request on, so that Voila shuts its kernels down
        process.terminate()

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    if args.open:
        import threading
        import webbrowser

        threading.Timer(3.0, webbrowser.open, [home_url(args.port, args.ip, args.page)]).start()
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()


if __name__ == "__main__":
    raise SystemExit(main())
