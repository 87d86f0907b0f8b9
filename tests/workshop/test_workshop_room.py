"""The workshop as a host runs it in a room: the commands of the guides as written, the QR
code read back from the page, a restart within 5 seconds with browsers still open, and
what the room's network can reach (the pulse only; no large bodies)."""

import io
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser_helpers import stop_voila
from leadership_course.voila.launch import free_port
from leadership_course.workshop.cli import room_address
from leadership_course.workshop.store import WorkshopStore

from pulse_client import Participant, hidden_field
from workshop_helpers import PASSCODE, REPO

RESTART_SECONDS = 5
START_TIMEOUT_S = 60
GUIDES = [REPO / "docs" / "workshop-pulse.md", REPO / "docs" / "facilitator-guide" / "README.md"]
#: Options a test adds to a guide's command so that it runs unattended, on its own port and store.
UNATTENDED = ["--passcode", PASSCODE, "--no-browser"]


class Command:
    """A ``workshop start`` or ``serve`` running, its printed lines collected as they come."""

    def __init__(self, argv, store_dir, env=None):
        env = {**os.environ, "COURSE_WORKSHOP_DIR": str(store_dir), "PYTHONUNBUFFERED": "1", **(env or {})}
        for name in ("COURSE_WORKSHOP_JOIN_URL", "COURSE_WORKSHOP_DATABASE"):
            if name not in (env or {}):
                env.pop(name, None)
        self.started = time.monotonic()
        self.process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        self.lines = []
        threading.Thread(target=lambda: self.lines.extend(line.rstrip("\n") for line in self.process.stdout),
                         daemon=True).start()

    def ready(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while not any(line.startswith("Press Ctrl+C") for line in list(self.lines)):
            assert self.process.poll() is None and time.monotonic() < deadline, "\n".join(self.lines)
            time.sleep(0.05)
        return self

    def printed(self, label):
        return next(line.split(":", 1)[1].strip() for line in self.lines if line.startswith(label + ":"))

    def stop(self, how=signal.SIGINT):
        stop_voila(self.process, how)


def workshop_command(*args):
    return [sys.executable, "-m", "leadership_course", "workshop", *args]


def answers_page(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def guide_commands(subcommand):
    """The ``workshop SUBCOMMAND`` lines of the guides' code blocks, as written (joined where
    a line ends with a backslash), without their comments."""
    found = []
    for guide in GUIDES:
        text = guide.read_text(encoding="utf-8").replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split("  #")[0].strip()
            if re.match(rf"(\.venv/bin/)?python -m leadership_course workshop {subcommand}\b", line):
                found.append((guide.name, line))
    return found


def decoded_qr(page):
    """The text of the QR code drawn on ``page``, read from a screenshot (zxing-cpp)."""
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(page.locator(".qr svg").screenshot()))
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1, f"{len(codes)} QR codes read"
    return codes[0].text


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"


def test_the_guides_start_commands_give_a_qr_code_the_room_can_use(browser, store_dir):
    """Each `workshop start` in the guides, as written (plus a passcode, a port and no browser,
    to run unattended): does it listen for the room, and does the QR code on the host page,
    read back from the screen, hold the printed address on this computer's network, which
    opens the form from that address?"""
    commands = guide_commands("start")
    assert len(commands) >= 2 and any(name == "README.md" for name, _ in commands)
    for name, line in commands:
        argv = shlex.split(line)
        argv = [sys.executable, *argv[1:]] if argv[0].endswith("python") else argv
        argv = [arg for arg in argv if not arg.startswith("--database") and "postgresql://" not in arg]
        port = free_port("127.0.0.1")
        command = Command(argv + UNATTENDED + ["--port", str(port)], store_dir).ready()
        try:
            join_url = command.printed("Participants open")
            assert "127.0.0.1" not in join_url and join_url.startswith(f"http://{room_address()}:{port}/pulse/")
            assert answers_page(join_url), f"{name}: {join_url} does not open"
            context = browser.new_context()
            host = context.new_page()
            host.goto(command.printed("Host (controls)"))
            host.get_by_label("Host passcode").fill(PASSCODE)
            host.get_by_role("button", name="Sign in").click()
            host.wait_for_selector(".qr svg")
            assert decoded_qr(host) == join_url, name
            assert host.locator(".no-join").count() == 0
            context.close()
        finally:
            command.stop()


def test_a_loopback_join_address_is_said_in_large_type(browser, store_dir):
    """With --local, do the host page and the room's screen say in large type that no phone
    can join, and what to do; and does the command say so too?"""
    port = free_port("127.0.0.1")
    command = Command(workshop_command("start", "--name", "Try-out", "--local", "--port", str(port), *UNATTENDED),
                      store_dir).ready()
    try:
        assert any("NO PHONE CAN JOIN" in line for line in command.lines)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        host = context.new_page()
        host.goto(command.printed("Host (controls)"))
        host.get_by_label("Host passcode").fill(PASSCODE)
        host.get_by_role("button", name="Sign in").click()
        for page in (host, context.new_page()):
            if page is not host:
                page.goto(command.printed("Room's screen"))
            warning = page.locator(".no-join-big")
            assert warning.is_visible() and "No phone can join" in warning.inner_text()
            assert float(warning.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
            assert "--local" in page.locator(".no-join").inner_text()
            assert warning.bounding_box()["y"] < 720  # on the first screen
        context.close()
    finally:
        command.stop()


def test_the_join_address_given_is_kept(browser, store_dir):
    """--join-url, and $COURSE_WORKSHOP_JOIN_URL, are what the command prints and the QR
    code holds: never replaced with this computer's address."""
    for extra, env, expected in (
            (["--join-url", "https://pulse.example.nhs.uk/pulse"], {}, "https://pulse.example.nhs.uk/pulse"),
            ([], {"COURSE_WORKSHOP_JOIN_URL": "https://events.example.nhs.uk/pulse/"},
             "https://events.example.nhs.uk/pulse")):
        port = free_port("127.0.0.1")
        command = Command(workshop_command("start", "--name", "Big event", "--port", str(port), *extra, *UNATTENDED),
                          store_dir, env).ready()
        try:
            code = command.printed("Workshop code")
            assert command.printed("Participants open") == f"{expected}/{code}"
            context = browser.new_context()
            host = context.new_page()
            host.goto(command.printed("Host (controls)"))
            host.get_by_label("Host passcode").fill(PASSCODE)
            host.get_by_role("button", name="Sign in").click()
            host.wait_for_selector(".qr svg")
            assert decoded_qr(host) == f"{expected}/{code}"
            context.close()
        finally:
            command.stop()


def test_a_restart_serves_again_within_five_seconds_with_browsers_open(browser, store_dir, pulse):
    """A crash (kill -9) and a Ctrl+C, each with the host's page and a phone's form open in
    Chromium: does `workshop serve` answer again within 5 s with the same code, passcode and
    answers; does the host's address it prints (the workshop's real code) open the host page,
    still signed in; and is the form that was open before the restart still counted?"""
    store = WorkshopStore(store_dir)
    code = store.create("Restart room", pulse, PASSCODE, 3)
    port = free_port("127.0.0.1")
    serve = workshop_command("serve", "--port", str(port), "--no-browser")
    command = Command(serve, store_dir).ready()
    context = browser.new_context()
    host, phone = context.new_page(), browser.new_context().new_page()
    host.goto(command.printed("Host (controls)"))
    host.get_by_label("Host passcode").fill(PASSCODE)
    host.get_by_role("button", name="Sign in").click()
    host.wait_for_selector("text=Answers so far: 0")
    phone.goto(f"http://127.0.0.1:{port}/pulse/{code}")
    try:
        for how in (signal.SIGKILL, signal.SIGINT):
            command.stop(how)
            command = Command(serve, store_dir)
            while not answers_page(f"http://127.0.0.1:{port}/pulse/{code}"):
                assert command.process.poll() is None, "\n".join(command.lines)
                assert time.monotonic() - command.started < 30
                time.sleep(0.05)
            restarted = time.monotonic() - command.started
            assert restarted < RESTART_SECONDS, f"{restarted:.1f} s"
            command.ready()
            assert command.printed("Host (controls)") == f"http://127.0.0.1:{port}/pulse/{code}/host"
            host.goto(command.printed("Host (controls)"))
            assert "Answers so far:" in host.locator("main").inner_text()  # still signed in
        for group in range(5):
            phone.locator("fieldset").nth(group).locator("label").nth(1).click()
        phone.get_by_label(re.compile("One word")).fill("steady")
        phone.get_by_role("button", name="Send my answers").click()
        phone.wait_for_selector("text=Thank you: your answers are in")
        assert store.responses(code) == 1
    finally:
        context.close()
        phone.context.close()
        command.stop()


def test_a_crash_in_the_middle_of_a_burst_loses_no_acknowledged_answer(store_dir, pulse):
    """120 phones send within about a second and the server is killed (kill -9) while the
    answers arrive (the server stores them in groups, one commit for each). Is every answer
    the server acknowledged (its redirect to the thanks page) stored; and after a restart,
    does pressing Send again count every phone's answer exactly once?"""
    store = WorkshopStore(store_dir)
    code = store.create("Crash room", pulse, PASSCODE, 5)
    port = free_port("127.0.0.1")
    serve = workshop_command("serve", "--port", str(port), "--no-browser")
    command = Command(serve, store_dir).ready()
    phones = [Participant(port) for _ in range(120)]
    answers = {item["id"]: "1" for item in pulse["items"] if item["type"] == "choice"}
    bodies = [phone.form_body(phone.open_form(code), {**answers, "team-in-one-word": "steady"}) for phone in phones]
    start, acknowledged = threading.Barrier(len(phones) + 1), set()

    def person(number):
        start.wait(60)
        time.sleep(number * 0.008)
        try:
            if phones[number].send(code, bodies[number])[1].endswith("/sent"):
                acknowledged.add(number)
        except OSError:  # the server was killed: no answer
            pass

    threads = [threading.Thread(target=person, args=(n,)) for n in range(len(phones))]
    for thread in threads:
        thread.start()
    start.wait(60)
    while store.responses(code) < 30:
        time.sleep(0.005)
    command.stop(signal.SIGKILL)
    for thread in threads:
        thread.join(60)
    assert 0 < len(acknowledged) < len(phones)
    assert store.responses(code) >= len(acknowledged)
    command = Command(serve, store_dir).ready()
    try:
        for number, phone in enumerate(phones):  # each phone presses Send again
            status, location = phone.twin().send(code, bodies[number])
            assert status == 303, (number, status)
            if number in acknowledged:
                assert location.endswith("/sent?again=1"), f"phone {number}'s acknowledged answer was lost"
        assert store.responses(code) == len(phones)
        assert store.host(code, PASSCODE).results().published == len(phones)
    finally:
        command.stop()


@pytest.fixture
def room_server(store_dir, pulse):
    """`workshop serve` listening for the room, with one workshop; (port, code, command)."""
    code = WorkshopStore(store_dir).create("Room", pulse, PASSCODE, 3)
    port = free_port("127.0.0.1")
    command = Command(workshop_command("serve", "--port", str(port), "--no-browser"), store_dir).ready()
    yield port, code, command
    command.stop()


def test_from_the_network_only_the_pulse_answers(room_server):
    """From this computer's network address: the pulse opens; the course's and Voila's
    addresses, Jupyter's API and any other path are a plain 'not found'; the server runs no
    other process (no kernel)."""
    port, code, command = room_server
    address = room_address()
    assert address != "127.0.0.1", "this machine has no network address to test from"
    assert answers_page(f"http://{address}:{port}/pulse/{code}")
    for path in ("/voila/render/course_home.ipynb", "/voila/tree", "/api/kernels", "/tree", "/notebooks/x.ipynb",
                 "/files/workshops.sqlite3", "/pulsex"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://{address}:{port}{path}", timeout=5)
        assert refused.value.code == 404 and "serves only the workshop pulse" in refused.value.read().decode()
    with urllib.request.urlopen(f"http://{address}:{port}/", timeout=5) as reply:
        assert reply.url.endswith("/pulse")
    children = Path(f"/proc/{command.process.pid}/task/{command.process.pid}/children").read_text().split()
    assert children == []


def test_a_one_megabyte_body_is_refused_unread(room_server):
    """Twenty 1 MB posts to the form: each refused, and the server's memory grows by less
    than 5 MB (a body read into memory would add 20 MB)."""
    port, code, command = room_server

    def resident():
        status = Path(f"/proc/{command.process.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) * 1024

    phone = Participant(port)
    phone.open_form(code)
    before = resident()
    body = "token=x&autonomy=" + "a" * 1024 * 1024
    for _ in range(20):
        try:
            status = phone.twin().request("POST", f"/pulse/{code}", body)[0]
        except OSError:  # the server closed the connection without reading the body
            status = None
        assert status in (None, 400, 413)
    assert resident() - before < 5 * 1024**2
    form = phone.open_form(code)
    assert phone.send(code, phone.form_body(form, {}))[0] == 400  # still serving: a form with gaps
    assert hidden_field(form, "token")


@pytest.mark.parametrize("width, height", [(1920, 1080), (1280, 720)])
def test_the_projector_shows_every_result_on_one_screen(browser, room_server, store_dir, width, height):
    """With results shown (the shipped pulse: five questions and the word), is every result
    on the first screen with nothing to scroll, each bar at least an eighth of the screen wide
    at full count, the numbers at least 18 px high; and once the server has stopped, does the
    screen say so within two refreshes?"""
    port, code, command = room_server
    store = WorkshopStore(store_dir)
    for person in range(6):
        device = store.new_device()
        answers = {item["id"]: person % 5 for item in store.workshop(code)["pulse"]["items"] if item["type"] == "choice"}
        store.submit(code, store.form_token(code, 1, device), device, {**answers, "team-in-one-word": "steady"})
    context = browser.new_context(viewport={"width": width, "height": height})
    screen = context.new_page()
    screen.goto(f"http://127.0.0.1:{port}/pulse/{code}/host")
    screen.get_by_label("Host passcode").fill(PASSCODE)
    screen.get_by_role("button", name="Sign in").click()
    screen.get_by_role("button", name="Show the latest results on the screen").click()
    screen.goto(f"http://127.0.0.1:{port}/pulse/{code}/screen")
    sections = screen.locator(".results section")
    assert sections.count() == 6
    assert screen.evaluate("document.documentElement.scrollHeight") <= height
    assert screen.evaluate("document.documentElement.scrollWidth") <= width
    for box in sections.evaluate_all("all => all.map(s => s.getBoundingClientRect().toJSON())"):
        assert box["bottom"] <= height and box["right"] <= width, box
    assert screen.locator(".qr svg").bounding_box()["y"] + 10 < height
    bars = screen.locator("td.bar").evaluate_all("all => all.map(b => b.getBoundingClientRect().width)")
    assert min(bars) >= width / 8, bars
    sizes = screen.locator("td.people").evaluate_all("all => all.map(c => parseFloat(getComputedStyle(c).fontSize))")
    assert min(sizes) >= 18, sizes
    assert "steady (6 people)" in screen.locator("ul.words").inner_text()
    if width == 1280:
        command.stop()
        screen.wait_for_selector("#offline:not(:empty)", timeout=15_000)
        assert "Not connected to the pulse server" in screen.locator("#offline").inner_text()
        assert screen.locator(".results section").count() == 6  # the last results stay
    context.close()
