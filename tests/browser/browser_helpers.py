"""Helpers for the browser tests (imported by conftest.py and the test modules).

Kept out of conftest.py so that test modules can import them by a unique name.
"""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.error
import urllib.request

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The folder Voila serves; COURSE_VOILA_MODULES_DIR points it elsewhere (template work).
MODULES_DIR = Path(os.environ.get("COURSE_VOILA_MODULES_DIR", REPO_ROOT / "modules"))
LOCAL_HOST = "127.0.0.1"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: How long a page may take to draw all its widgets (2-core machine, cold kernel).
RENDER_TIMEOUT_MS = 60_000


def chromium_executable() -> str | None:
    """$CHROMIUM_PATH, else Debian's /usr/bin/chromium, else None (Playwright's own)."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def new_course_page(browser):
    """A fresh browser context and page with a ``PageLog`` at ``page.course_log``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(RENDER_TIMEOUT_MS)
    page.course_log = PageLog().attach(page)
    return context, page


# --------------------------------------------------------------------------- recording


def is_local_url(url: str) -> bool:
    """True for 127.0.0.1 addresses, data: URLs and blob: URLs made by a 127.0.0.1 page."""
    scheme = urlsplit(url).scheme
    if scheme == "data":
        return True
    if scheme == "blob":
        return is_local_url(url[len("blob:"):])
    if scheme in ("http", "https", "ws", "wss"):
        return urlsplit(url).hostname == LOCAL_HOST
    return False


@dataclass
class PageLog:
    """Every request URL a page made and every error and warning it reported."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def attach(self, page) -> "PageLog":
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("requestfailed", lambda request: self.failed_requests.append(
            f"{request.url} ({request.failure})"))
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        return self

    def _on_console(self, message) -> None:
        if message.type in ("error", "warning"):
            where = (message.location or {}).get("url", "")
            kept = self.console_errors if message.type == "error" else self.console_warnings
            kept.append(f"{message.text} [{where}]" if where else message.text)

    @property
    def external_requests(self) -> list[str]:
        """Requests to any host other than the page's own 127.0.0.1 server."""
        return [url for url in self.requests if not is_local_url(url)]


# --------------------------------------------------------------------------- waiting

_ALL_WIDGETS_DRAWN = """
() => {
  const cells = document.getElementById("rendered_cells");
  if (!cells || getComputedStyle(cells).display === "none") return false;
  if (document.getElementById("loading")) return false;
  // Voila replaces the JSON script of each output with a renderer: all must be gone.
  if (document.querySelector('script[type="application/vnd.voila.cell-output+json"]')) return false;
  // The course template has moved Voila's shell into <main>.
  if (!document.querySelector("main#main .jp-LabShell")) return false;
  // A widget output stays empty until its model has arrived from the kernel.
  const outputs = Array.from(document.querySelectorAll(".jp-OutputArea-output"));
  return outputs.every((o) => o.childElementCount > 0 || o.textContent.trim() !== "");
}
"""


_DRAWING_STATE = """
() => ({
  loading: (document.getElementById("loading") || {}).textContent || null,
  outputs: document.querySelectorAll(".jp-OutputArea-output").length,
  emptyOutputs: Array.from(document.querySelectorAll(".jp-OutputArea-output"))
    .filter((o) => o.childElementCount === 0 && o.textContent.trim() === "").length,
  undrawnOutputs: document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]').length,
  text: document.body ? document.body.innerText.slice(0, 300) : null,
})
"""


def wait_for_widgets(page, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
    """Wait until Voila has run the notebook and drawn every output and widget, and the
    network is quiet; fail if a widget could not be drawn."""
    try:
        page.wait_for_function(_ALL_WIDGETS_DRAWN, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{page.url}: not every widget was drawn in {timeout_ms / 1000:.0f} s; "
                             f"the page showed: {page.evaluate(_DRAWING_STATE)}") from None
    page.wait_for_load_state("networkidle", timeout=timeout_ms)
    broken = page.locator(".jp-OutputArea-output", has_text="Error displaying widget")
    assert broken.count() == 0, f"a widget could not be drawn: {broken.first.inner_text()}"


# --------------------------------------------------------------------------- axe


def axe_violations(page, context=None) -> list[str]:
    """Run axe-core on the page; every violation of any impact, one entry per element.

    All of axe's default rules run (WCAG 2.0/2.1/2.2 A and AA, best practices), plus
    ``target-size`` (WCAG 2.2 SC 2.5.8, 24 px targets), which axe leaves off by default.
    """
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
    results = Axe().run(page, context=context, options=options).response
    lines = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            snippet = " ".join(node.get("html", "").split())[:200]
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    element: {target}\n    html: {snippet}\n    {summary}"
            )
    return lines


# --------------------------------------------------------------------------- keyboard


class Keys:
    """Keyboard-only moves on a page (Tab, Shift+Tab, Space, Enter, arrows; no mouse)."""

    def __init__(self, page):
        self.page = page

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def is_focused(self, locator) -> bool:
        return locator.evaluate("element => element === document.activeElement")

    @property
    def focused(self) -> str:
        """The focused element's HTML (start of it), for messages."""
        return self.page.evaluate(
            "() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 200) : ''; }"
        )

    @property
    def focus_lost(self) -> bool:
        """True when, after up to 2 s for the kernel's focus message to arrive, nothing but
        <body> has the focus."""
        script = "() => !document.activeElement || document.activeElement === document.body"
        for _ in range(20):
            if not self.page.evaluate(script):
                return False
            self.page.wait_for_timeout(100)
        return True

    def tab_to(self, locator, *, max_presses: int = 250) -> int:
        """Press Tab until ``locator`` has the focus, or Shift+Tab when it comes before the
        focused element. Returns the number of presses."""
        locator.wait_for(state="visible")
        forward = locator.evaluate(
            """target => {
                 const focused = document.activeElement;
                 if (!focused || focused === document.body) return true;
                 return !!(focused.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING);
               }"""
        )
        key = "Tab" if forward else "Shift+Tab"
        for presses in range(1, max_presses + 1):
            if self.is_focused(locator):
                return presses - 1
            self.press(key)
        if self.is_focused(locator):
            return max_presses
        raise AssertionError(f"{key} x{max_presses} never reached {locator}; focus is on {self.focused}")


def stop_voila(process: subprocess.Popen, stop_signal: int = signal.SIGTERM) -> None:
    """Stop Voila (or a command running it) with ``stop_signal``: it shuts its kernels down.
    Then end any process of ours that is left."""
    try:
        import psutil  # a dependency of ipykernel

        children = psutil.Process(process.pid).children(recursive=True)
    except Exception:
        children = []
    if process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for child in children:
        try:
            if child.is_running():
                child.terminate()
                child.wait(timeout=5)
        except Exception:
            try:
                child.kill()
            except Exception:
                pass


@dataclass
class VoilaServer:
    """A Voila process started for the tests."""

    process: subprocess.Popen
    port: int
    record_dir: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{LOCAL_HOST}:{self.port}"

    def url(self, notebook: str) -> str:
        """Address of a notebook (relative to the modules folder) rendered by Voila."""
        return f"{self.base_url}/voila/render/{notebook}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def start_voila(work: Path, timeout_s: float = 60) -> VoilaServer:
    """Voila as the start command runs it (course template, settings, pre-heated pools) on a
    free 127.0.0.1 port, serving the modules folder, with its record folder and log in
    ``work``. Stop it with ``stop_voila(server.process)``."""
    from leadership_course.voila.launch import free_port, voila_command

    record_dir = work / "record"
    record_dir.mkdir()
    port = free_port(LOCAL_HOST)
    argv, env = voila_command(MODULES_DIR, port, record_dir, ip=LOCAL_HOST)
    log_path = work / "voila.log"
    with open(log_path, "wb") as log:
        # cwd: Voila reads a voila.json in its working folder first; start in an empty one.
        process = subprocess.Popen(argv, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    server = VoilaServer(process, port, record_dir, log_path)
    wait_until_serving(server, lambda: answers(server.base_url + "/"), "Voila", timeout_s)
    return server


def wait_until_serving(server: VoilaServer, ready, name: str, timeout_s: float = 60) -> None:
    """Wait until ``ready()`` is true for a server just started; fail the test, with the
    end of its log, if the process exits first or ``timeout_s`` passes (then stop it)."""
    import pytest

    deadline = time.monotonic() + timeout_s
    while not ready():
        if server.process.poll() is not None:
            pytest.fail(f"{name} exited with code {server.process.returncode}:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            stop_voila(server.process)
            pytest.fail(f"{name} did not answer within {timeout_s} s:\n{server.log_tail()}")
        time.sleep(0.2)


def answers(url: str) -> bool:
    """True when ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
