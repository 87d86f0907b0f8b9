"""The start command (``python -m leadership_course start``, which start.py runs) in a real
Chromium: the address it prints is the course's, even when its port is taken, and Ctrl+C
stops it quietly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from browser_helpers import LOCAL_HOST, REPO_ROOT, stop_voila, wait_for_widgets
from leadership_course.voila.launch import free_port

START_TIMEOUT_S = 120


class OtherServer(BaseHTTPRequestHandler):
    """Another program on the course's port, as a second course or any local server."""

    def do_GET(self):
        body = b"<html><body><h1>Another program</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_printed_address_is_the_course_when_its_port_is_taken(page, tmp_path):
    """With another server on the port asked for, does the start command say the port is in
    use and print an address on another port, and does that address show the course home?"""
    taken = free_port(LOCAL_HOST)
    other = HTTPServer((LOCAL_HOST, taken), OtherServer)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    env = {**os.environ, "COURSE_RECORD_DIR": str(tmp_path / "record")}
    process = subprocess.Popen(
        [sys.executable, "-m", "leadership_course", "start", "--port", str(taken), "--no-browser", "--no-preheat"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printed = []
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        address = None
        while address is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            printed.append(line)
            found = re.search(r"The course is open at (\S+)", line)
            address = found and found.group(1)
        assert address, f"no address was printed: {''.join(printed)}"
        assert f"Port {taken} is in use" in "".join(printed)
        assert f":{taken}/" not in address, f"the printed address is the other program's: {address}"
        page.goto(address)
        wait_for_widgets(page)
        assert "Another program" not in page.content()
        assert page.locator(".course-home").count() == 1, "the printed address does not show the course home"
    finally:
        stop_voila(process, signal.SIGINT)
        other.shutdown()
        other.server_close()


def test_the_terminal_says_where_the_course_is_and_little_else(page, tmp_path):
    """Started with the README's ``start.py`` and stopped soon after with Ctrl+C (SIGINT to
    the terminal's process group), while the pages' kernels are still starting: does the
    learner's terminal show the address, how to stop, and that the course stopped, with no
    warnings (untrusted notebooks, unencrypted local kernel connections, websocket pings), no
    kernel's error from the stop and no traceback, while the full output is kept in the
    server's log?"""
    port = free_port(LOCAL_HOST)
    env = {**os.environ, "COURSE_RECORD_DIR": str(tmp_path / "record"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "run")}
    process = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "start.py"), "--port", str(port), "--no-browser"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        # as in a terminal, where Ctrl+C reaches Python: a suite started in the background (`… &`) passes SIGINT on
        # ignored, and a command started so never sees Ctrl+C (tried: it hung until killed)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    printed = []
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            printed.append(line)
            if "Press Ctrl+C" in line:
                break
        page.goto(f"http://{LOCAL_HOST}:{port}/voila/render/course_home.ipynb")
        wait_for_widgets(page)
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl+C in a terminal
        rest, _ = process.communicate(timeout=60)
        printed.append(rest)
    finally:
        if process.poll() is None:
            stop_voila(process)
    shown = "".join(printed)
    assert f"The course is open at http://127.0.0.1:{port}/voila/render/course_home.ipynb" in shown
    assert "The course has stopped. Your work is saved." in shown
    for noise in ("WARNING", "ERROR", "Traceback", "eavesdropping", "not trusted", "websocket_ping", "KeyboardInterrupt"):
        assert noise not in shown, f"the terminal shows {noise!r}:\n{shown}"
    lines = [line for line in shown.splitlines() if line.strip()]
    assert len(lines) <= 4, f"the terminal shows more than the learner needs:\n{shown}"
    log = (tmp_path / "run" / "leadership-course-server.log").read_text()
    assert "is not trusted" in log and "Kernel started" in log, "the server's messages must be kept in its log"
