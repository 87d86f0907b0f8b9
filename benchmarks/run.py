"""Benchmarks: what learners, facilitators and hosts wait for, beside the floor set by
Jupyter itself, measured in the same run on the same machine.

    .venv/bin/python benchmarks/run.py [--runs 5] [--only import,execute,autograde,voila,pulse,web]

(``pulse`` also opens and sends the pulse form for 50 and 200 phones at once on a real workshop
server, on SQLite and on PostgreSQL (``--postgres URL``, else a temporary server from Debian's
PostgreSQL programs), and restarts ``workshop serve``; ``web`` measures the web edition from a
plain static server.)

Prints a table (kernel memory comes with "execute", kernel counts with "voila") and writes it
to benchmarks/results/latest.md. Every figure is a median over ``--runs`` runs. Before it
measures anything it checks that the chosen parts have what they need (Playwright and a
Chromium for "voila" and "pulse"); the table file is written again after each part, so a
part that fails or is stopped loses no figure measured before it. Not part of the test
suite's pass/fail.
"""

import argparse
import glob
import importlib.util
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
MODULES = REPO / "modules"
RESULTS = REPO / "benchmarks" / "results"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}
#: The parts, in the order they run.
PARTS = ("import", "execute", "autograde", "voila", "pulse", "web")
#: Python packages each part needs beyond the course's own install.
NEEDS = {"execute": ["nbclient"], "autograde": ["nbgrader"], "voila": ["voila", "playwright", "psutil"],
         "pulse": ["playwright", "psycopg"], "web": ["playwright"]}
#: Parts that drive a real Chromium.
BROWSER_PARTS = {"voila", "pulse", "web"}
MEMORY_CELL = "import re; print(int(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1)))"


def median(values):
    return statistics.median(values)


def course_notebooks():
    return sorted(p for p in MODULES.glob("*.ipynb") if p.name[0].isdigit() or p.name == "course_home.ipynb")


def empty_notebook(folder):
    path = Path(folder) / "empty.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


FULL_ENGINE = "from leadership_course.voila.preheat import _warm_up; _warm_up()"


def import_times(codes, runs):
    """Seconds for a fresh interpreter to run each piece of ``codes``, less a bare
    interpreter's start; the pieces take turns, so that a busy moment hits all alike."""
    def once(code):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", code], check=True, env=ENV)
        return time.perf_counter() - start

    times = {code: [] for code in ("pass", *codes)}
    for _ in range(runs):
        for code in times:
            times[code].append(once(code))
    bare = median(times["pass"])
    return [median(times[code]) - bare for code in codes]


def chart_cells(path):
    """Cells that answer the page's self-check and draw its results chart (matplotlib)."""
    code = "\n".join(cell.source for cell in nbformat.read(path, 4).cells if cell.cell_type == "code")
    found = re.search(r'show_self_check\("([^"]+)"\)', code)
    if not found:
        return []
    return [nbformat.v4.new_code_cell(
        f"from leadership_course import self_check\nchart_check = self_check({found.group(1)!r})\n"
        "for item in chart_check.selectors: chart_check.answer(item, 1)\nchart_check.show_results()")]


def execute(path, record_dir, with_memory=False, extra_cells=()):
    """(seconds to execute headless, kernel RSS in MB afterwards) for one notebook."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, 4)
    notebook.cells.extend(extra_cells)
    if with_memory:
        notebook.cells.append(nbformat.v4.new_code_cell(MEMORY_CELL))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    os.environ["COURSE_RECORD_DIR"] = str(record_dir)
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    memory = None
    if with_memory:
        memory = int(notebook.cells[-1].outputs[0]["text"]) / 1024
    return seconds, memory


def bench_execute(runs, rows, memory_rows):
    with tempfile.TemporaryDirectory() as folder:
        empty = empty_notebook(folder)
        floor, results = [], {path: [] for path in course_notebooks()}
        for _ in range(runs):  # the floor takes its turn between the modules in every round
            floor.append(execute(empty, folder, True))
            for path in results:
                results[path].append(execute(path, tempfile.mkdtemp(), True))
        floor_time, floor_mem = median([f[0] for f in floor]), median([f[1] for f in floor])
        for path, measured in results.items():
            seconds, memory = median([r[0] for r in measured]), median([r[1] for r in measured])
            rows.append((f"Execute {path.name} headless", seconds, floor_time, "empty notebook", 1.5))
            memory_rows.append((f"Kernel memory after {path.name}", memory - floor_mem, floor_mem))
            extra = chart_cells(path)
            if extra:
                memory = median([execute(path, tempfile.mkdtemp(), True, extra)[1] for _ in range(runs)])
                memory_rows.append((f"Kernel memory after {path.name} with its self-check chart drawn",
                                    memory - floor_mem, floor_mem))


def bench_autograde(runs, rows, batch=30):
    """Seconds per submission autograding ``batch`` copies of module 1, against an empty assignment."""
    def timed(course, assignment):
        start = time.perf_counter()
        subprocess.run([str(BIN / "nbgrader"), "autograde", assignment, "--force"], cwd=course, env=ENV,
                       check=True, capture_output=True)
        return (time.perf_counter() - start) / batch

    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder) / "grading"
        shutil.copytree(REPO / "grading", course, ignore=shutil.ignore_patterns(
            "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded"))
        empty_source = course / "source" / "empty"
        empty_source.mkdir()
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        notebook.cells[0].metadata["nbgrader"] = {"grade": True, "grade_id": "t", "locked": True, "points": 1,
                                                  "schema_version": 3, "solution": False, "task": False}
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, empty_source / "empty.ipynb")
        for assignment in ("module-01", "empty"):
            subprocess.run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=course,
                           env=ENV, check=True, capture_output=True)
        answers = REPO / "tests" / "fixtures" / "submissions" / "complete.answers.json"
        for n in range(batch):
            for assignment in ("module-01", "empty"):
                target = course / "submitted" / f"learner-{n:02d}" / assignment
                shutil.copytree(course / "release" / assignment, target)
                if assignment == "module-01":
                    shutil.copy(answers, target / "answers.json")
        course_runs, floor_runs = [], []
        for _ in range(runs):  # in turns, so that a busy moment hits both alike
            course_runs.append(timed(course, "module-01"))
            floor_runs.append(timed(course, "empty"))
        rows.append((f"Autograde one module-01 submission (batch of {batch})", median(course_runs),
                     median(floor_runs), "autograde of an empty notebook", 1.5))


def first_widget_seconds(context, url):
    """Seconds from navigation until the first course widget on the page can be used.

    The page opens in ``context``, whose cache already holds Voila's scripts (as a
    learner's browser does after the first page); it is then closed as a learner's tab
    is, and Voila shuts its kernel down."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    usable = page.locator(".widget-button:not([disabled]), .course-choice-group input:not([disabled]), "
                          "textarea, a.course-download")
    usable.locator("visible=true").first.wait_for(timeout=120_000)  # a hidden match does not count
    seconds = time.perf_counter() - start
    page.close(run_before_unload=True)
    time.sleep(0.5)  # let the shutdown request reach the server
    return seconds


FLOOR_PAGE = "zz_one_button.ipynb"


def _pools_filled(log_path):
    """How many times Voila has logged that a page's pool of pre-heated kernels is full."""
    try:
        return log_path.read_text(errors="replace").count("Kernel pool of ")
    except OSError:
        return 0


def _wait_for_pools(log_path, count, seconds=300):
    deadline = time.monotonic() + seconds
    while _pools_filled(log_path) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(8)  # a filled pool's kernel still runs the page's first cell (the import)


def bench_voila(runs, rows, preheat):
    """Voila time to first interactive widget per page, against a notebook with one button.

    Cold: pre-heating off, so every visit starts a kernel. Pre-heated: the course's own
    settings (voila.json), with the one-button page given a pool too; before each visit
    every pool is full again and its kernel has reached the point where it waits for a
    learner, as it would be for a learner who reads a page before opening the next."""
    import json

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from browser_helpers import CHROMIUM_ARGS, chromium_executable
    from leadership_course.__main__ import wait_for
    from leadership_course.voila.launch import VOILA_DIR, free_port, voila_command

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        served = folder / "modules"
        shutil.copytree(MODULES, served)
        floor = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import ipywidgets; ipywidgets.Button(description='Go')")])
        floor.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(floor, served / FLOOR_PAGE)
        pages = [FLOOR_PAGE] + [path.name for path in course_notebooks()]
        extra = []
        if preheat:  # Voila reads voila.json from its working folder last: the course's settings plus the floor
            settings = json.loads((VOILA_DIR / "voila.json").read_text())
            settings["VoilaKernelManager"]["kernel_pools_config"][FLOOR_PAGE] = {"pool_size": 1}
            (folder / "voila.json").write_text(json.dumps(settings))
        else:
            extra = ["--VoilaConfiguration.preheat_kernel=False"]
        port = free_port("127.0.0.1")
        argv, env = voila_command(served, port, folder / "record", extra_args=extra)
        log_path = folder / "voila.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(argv, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(f"http://127.0.0.1:{port}/", server, seconds=120)
            if preheat:
                _wait_for_pools(log_path, len(pages))
            label = "pre-heated" if preheat else "cold"
            times = {name: [] for name in pages}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
                context = browser.new_context()
                url = f"http://127.0.0.1:{port}/voila/render/"
                first_widget_seconds(context, url + FLOOR_PAGE)  # fill the browser's cache with Voila's scripts
                if preheat:
                    _wait_for_pools(log_path, len(pages) + 1)
                for _ in range(runs):
                    for name in pages:
                        filled = _pools_filled(log_path)
                        times[name].append(first_widget_seconds(context, url + name))
                        if preheat:
                            _wait_for_pools(log_path, filled + 1)
                browser.close()
            floor_time = median(times[FLOOR_PAGE])
            for name in pages[1:]:
                rows.append((f"Voila, {label}: first widget on {name}", median(times[name]), floor_time,
                             "notebook with one button", 1.3))
        finally:
            server.terminate()
            server.wait(30)


def bench_first_page(runs, rows):
    """The course home opened as soon as the server answers (as the start command does),
    with pre-heating, against the same without: at launch every pooled kernel starts at once."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from browser_helpers import CHROMIUM_ARGS, chromium_executable
    from leadership_course.__main__ import wait_for
    from leadership_course.voila.launch import free_port, voila_command

    def once(browser, preheat):
        with tempfile.TemporaryDirectory() as folder:
            port = free_port("127.0.0.1")
            argv, env = voila_command(MODULES, port, Path(folder) / "record", preheat=preheat)
            server = subprocess.Popen(argv, env=env, cwd=folder, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            try:
                wait_for(f"http://127.0.0.1:{port}/", server, seconds=120)
                context = browser.new_context()
                seconds = first_widget_seconds(context, f"http://127.0.0.1:{port}/voila/render/course_home.ipynb")
                context.close()
                return seconds
            finally:
                server.terminate()
                server.wait(30)
                time.sleep(3)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        with_pools = median([once(browser, True) for _ in range(runs)])
        without = median([once(browser, False) for _ in range(runs)])
        browser.close()
    rows.append(("Voila: course home opened as the server starts, pre-heated", with_pools, without,
                 "same, without pre-heating", 1.3))


def _kernel_count(server):
    """Kernels running under a Voila process (from their connection files)."""
    import psutil

    count = 0
    for process in psutil.Process(server.pid).children(recursive=True):
        try:
            count += bool(re.search(r"kernel-[0-9a-f-]{36}\.json", " ".join(process.cmdline())))
        except psutil.Error:
            pass
    return count


def _settled_kernel_count(server, quiet_s=5, longest_s=90):
    """The kernel count once it has not changed for ``quiet_s`` seconds (pools refilled,
    shutdowns done), or after ``longest_s``."""
    deadline, last, since = time.monotonic() + longest_s, None, time.monotonic()
    while time.monotonic() < deadline:
        count = _kernel_count(server)
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
        time.sleep(0.5)
    return last


def bench_kernels(notes, visits=10):
    """Kernels running on a pre-heated course server (the course's own settings) after
    ``visits`` page visits in one tab, then after the tab is closed; the pools hold one
    kernel per page, so at most that plus the open page's should run."""
    import json

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from browser_helpers import CHROMIUM_ARGS, chromium_executable, wait_for_widgets
    from leadership_course.__main__ import wait_for
    from leadership_course.voila.launch import VOILA_DIR, free_port, voila_command

    pools = sum(pool.get("pool_size", 0) for pool in json.loads((VOILA_DIR / "voila.json").read_text())
                ["VoilaKernelManager"]["kernel_pools_config"].values())
    pages = [path.name for path in course_notebooks()]
    with tempfile.TemporaryDirectory() as folder:
        port = free_port("127.0.0.1")
        argv, env = voila_command(MODULES, port, Path(folder) / "record")
        server = subprocess.Popen(argv, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"http://127.0.0.1:{port}/", server, seconds=120)
            deadline = time.monotonic() + 300
            while _kernel_count(server) < pools and time.monotonic() < deadline:
                time.sleep(0.5)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
                context = browser.new_context()  # its own context: the browser stays open when the tab closes
                page = context.new_page()
                for number in range(visits):
                    page.goto(f"http://127.0.0.1:{port}/voila/render/{pages[number % len(pages)]}")
                    wait_for_widgets(page)
                after_visits = _settled_kernel_count(server)
                page.close(run_before_unload=True)
                after_close = _settled_kernel_count(server)
                context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(30)
    notes.append(f"- Kernels running after {visits} page visits in one tab, pre-heated (the pools hold {pools}, "
                 f"so at most {pools + 1} with the open page): {after_visits}; after the tab was closed: {after_close}.")


def bench_pulse(runs, rows):
    """50 concurrent submissions (10 processes x 5), against 50 bare SQLite inserts in the same way."""
    import multiprocessing
    import sqlite3

    from leadership_course.workshop.pulses import load_pulse
    from leadership_course.workshop.store import WorkshopStore

    def insert_many(path, count, offset):
        db = sqlite3.connect(path, timeout=30)
        for n in range(count):
            with db:
                db.execute("INSERT INTO t VALUES (?)", (offset + n,))
        db.close()

    spawn = multiprocessing.get_context("fork")

    def concurrent(target, args_for):
        workers = [spawn.Process(target=target, args=args_for(i)) for i in range(10)]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return time.perf_counter() - start

    pulse = load_pulse(REPO / "workshop" / "pulses" / "abc-and-voice.yaml")
    course_times, floor_times, refresh_times = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            store = WorkshopStore(folder)
            code = store.create("Benchmark", pulse, "benchmark-passcode", 5)
            answers = {item["id"]: 0 if item["type"] == "choice" else "calm" for item in pulse["items"]}
            course_times.append(concurrent(_submit_answers, lambda i: (folder, code, 5, i * 5, answers)))
            host = store.host(code, "benchmark-passcode")
            start = time.perf_counter()
            host.results()
            refresh_times.append(time.perf_counter() - start)
            bare = Path(folder) / "bare.sqlite"
            with sqlite3.connect(bare) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE t (n INTEGER UNIQUE)")
            floor_times.append(concurrent(insert_many, lambda i: (bare, 5, i * 5)))
    rows.append(("Pulse: store 50 concurrent submissions (10 processes)", median(course_times),
                 median(floor_times), "50 bare SQLite inserts, same processes", None))
    rows.append(("Pulse: host results refresh (read and combine)", median(refresh_times), None, "", None))


def _open_at_once(port, paths, check):
    """Every path opened by its own client at the same moment: (seconds each until the whole
    page has arrived, the open connections). ``check(body)`` says the page is usable."""
    import http.client
    import threading

    start = threading.Barrier(len(paths))
    times, connections, failures = [None] * len(paths), [], []

    def person(number):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connections.append(connection)
        start.wait()
        began = time.perf_counter()
        connection.request("GET", paths[number])
        reply = connection.getresponse()
        body = reply.read().decode("utf-8")
        times[number] = time.perf_counter() - began
        if reply.status != 200 or not check(body):
            failures.append((number, reply.status))

    threads = [threading.Thread(target=person, args=(n,)) for n in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    if failures or None in times:
        raise RuntimeError(f"pages that did not arrive whole: {failures[:5]}")
    return times, connections


def bench_web(runs, rows, notes, page="01_why_compassion.html", room=200):
    """The web edition from Python's static file server: navigation to the first usable activity of
    a module page in a fresh Chromium context (nothing cached), against the same page with
    its scripts taken out (its text as static HTML: the floor), in turns; then ``room``
    learners requesting the page at the same moment; the site's size."""
    from playwright.sync_api import sync_playwright

    from leadership_course.voila.launch import free_port
    from leadership_course.web.build import build_site

    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from browser_helpers import CHROMIUM_ARGS, chromium_executable

    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "course"
        build_site(site)
        text = (site / page).read_text(encoding="utf-8")
        (site / "floor.html").write_text(re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S), encoding="utf-8")
        port = free_port()
        # Python's own static server, with room for a whole room's connections in its queue
        # (its default of 5 refuses most of 200 learners arriving in the same instant).
        serve = ("import functools, http.server as h\nh.ThreadingHTTPServer.request_queue_size = 1024\n"
                 f"h.ThreadingHTTPServer(('127.0.0.1', {port}), functools.partial(h.SimpleHTTPRequestHandler, "
                 f"directory={folder!r})).serve_forever()")
        server = subprocess.Popen([PYTHON, "-c", serve], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            times = {"web": [], "floor": []}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
                for run in range(runs):  # the two take turns, and which goes first alternates
                    for kind, name in [("floor", "floor.html"), ("web", page)][:: 1 if run % 2 else -1]:
                        context = browser.new_context(viewport={"width": 1280, "height": 900})
                        tab = context.new_page()
                        start = time.perf_counter()
                        tab.goto(f"http://127.0.0.1:{port}/course/{name}", wait_until="load")
                        if kind == "web":  # the first control of the first activity, drawn by ui.js
                            tab.locator(".course-activity :is(button, input, textarea)").first.wait_for(state="visible")
                        else:  # the page's heading, shown (the same wait, so the same cost of asking)
                            tab.locator("main h1").first.wait_for(state="visible")
                        times[kind].append(time.perf_counter() - start)
                        context.close()
                browser.close()
            rows.append((f"Web edition: {page}, navigation to the first usable activity (fresh browser)",
                         median(times["web"]), median(times["floor"]), "the same page's text as static HTML, no script",
                         1.2))
            seconds, connections = _open_at_once(port, [f"/course/{page}"] * room, lambda body: "course-data" in body)
            memory = _server_memory_mb(server.pid)
            for connection in connections:
                connection.close()
            rows.append((f"Web edition: {room} learners open {page} at once (95th percentile)",
                         percentile(seconds, 0.95), None, f"median {median(seconds):.3f} s", None))
        finally:
            server.terminate()
            server.wait(10)
        size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file() and p.name != "floor.html")
        scripts = sum((site / "static" / n).stat().st_size for n in ("engine.js", "record.js", "journal.js", "ui.js"))
        notes.append(f"- Web edition: {size / 1024:.0f} kB for the whole site ({len(list(site.glob('*.html'))) - 1} "
                     f"pages), of which {scripts / 1024:.0f} kB of script; {page} is "
                     f"{(site / page).stat().st_size / 1024:.0f} kB. The static server (Python's http.server) held "
                     f"{memory:.0f} MB with {room} learners connected; it keeps nothing per learner.")


def _send_at_once(port, code, people):
    """``people`` phones, each its own client with the form it opened (its device cookie and
    token), send their answers at the same moment: seconds each until the redirect arrives."""
    import http.client
    import threading
    import urllib.parse

    start = threading.Barrier(people)
    times, failures = [None] * people, []

    def person(number):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", f"/pulse/{code}")
        reply = connection.getresponse()
        page = reply.read().decode("utf-8")
        cookie = "; ".join(header.split(";")[0] for header in reply.headers.get_all("Set-Cookie") or [])
        token = re.search(r'name="token" value="([^"]*)"', page).group(1)
        items = re.findall(r'name="([a-z0-9-]+)" value="0"', page)
        body = urllib.parse.urlencode({"token": token, **{item: "1" for item in items}, "team-in-one-word": "steady"})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        start.wait()
        began = time.perf_counter()
        connection.request("POST", f"/pulse/{code}", body=body, headers=headers)
        reply = connection.getresponse()
        reply.read()
        times[number] = time.perf_counter() - began
        if reply.status != 303:
            failures.append((number, reply.status))
        connection.close()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    if failures or None in times:
        raise RuntimeError(f"answers that were not taken: {failures[:5]}")
    return times


def _server_memory_mb(pid):
    """Resident memory of a process and every process under it, in MB."""
    total, waiting = 0, [pid]
    while waiting:
        current = waiting.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
        waiting.extend(int(child) for child in children)
    return total


def _phone_seconds(port, code, runs):
    """Median seconds from navigation to a usable Send button in a fresh 320 px Chromium
    context (nothing cached), for the form and for its static copy, in turns."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from browser_helpers import CHROMIUM_ARGS, chromium_executable

    times = {"pulse": [], "floor": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        for _ in range(runs):
            for kind, path in (("floor", "/floor/floor.html"), ("pulse", f"/pulse/{code}")):
                context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
                page = context.new_page()
                start = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}{path}")
                page.get_by_role("button", name="Send my answers").wait_for(state="visible")
                times[kind].append(time.perf_counter() - start)
                context.close()
        browser.close()
    return median(times["pulse"]), median(times["floor"])


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


#: The pulse server (server.py's application) plus a plain file handler for the floor, on 127.0.0.1.
PULSE_WITH_FLOOR = """
import asyncio, sys
from tornado.web import StaticFileHandler
from leadership_course.workshop.server import bind, listen, make_app

async def main():
    app = make_app()
    app.add_handlers(r".*", [(r"/floor/(.*)", StaticFileHandler, {"path": sys.argv[2]})])
    listen(app, bind(int(sys.argv[1]), "127.0.0.1"))
    await asyncio.Event().wait()

asyncio.run(main())
"""


def bench_pulse_room(runs, rows, notes, database=None, rooms=(50, 200)):
    """A room opening the pulse form at once, and a room sending it at once (each phone its
    own connection, with the form, cookie and token it opened), each against a static copy
    of the page opened at once from the same server. The three bursts take turns within each
    round, and which goes first rotates, so that a busy moment on the machine hits them
    alike. On SQLite, or on PostgreSQL at ``database``; on SQLite also the server's memory
    with 200 connected and one phone in Chromium."""
    from leadership_course.voila.launch import free_port
    from leadership_course.workshop.pulses import load_pulse
    from leadership_course.workshop.store import DATABASE_VARIABLE, STORE_DIR_VARIABLE, WorkshopStore

    sys.path.insert(0, str(REPO))
    from leadership_course.__main__ import wait_for

    label = "PostgreSQL" if database else "SQLite"
    pulse = load_pulse(REPO / "workshop" / "pulses" / "abc-and-voice.yaml")
    with tempfile.TemporaryDirectory() as folder:
        pages = Path(folder) / "pages"
        shutil.copytree(REPO / "workshop", pages)
        store = WorkshopStore(Path(folder) / "store", database)
        code = store.create("Benchmark room", pulse, "benchmark-passcode", 5)
        port = free_port()
        # The workshop server's application as `workshop start` runs it, with /floor/ serving files as they are.
        argv = [sys.executable, "-c", PULSE_WITH_FLOOR, str(port), str(pages)]
        env = {**os.environ, STORE_DIR_VARIABLE: str(store.directory)}
        env.pop(DATABASE_VARIABLE, None)
        if database:
            env[DATABASE_VARIABLE] = database
        server = subprocess.Popen(argv, env=env, cwd=pages, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if not wait_for(f"http://127.0.0.1:{port}/pulse", server):
                raise RuntimeError("the workshop server did not start")
            import urllib.request

            with urllib.request.urlopen(f"http://127.0.0.1:{port}/pulse/{code}") as reply:
                (pages / "floor.html").write_bytes(reply.read())
            usable = lambda body: "Send my answers" in body and body.rstrip().endswith("</html>")  # noqa: E731
            idle_mb, connected_mb, load = _server_memory_mb(server.pid), [], [os.getloadavg()[0]]

            def burst(kind, people):
                if kind == "send":
                    return _send_at_once(port, code, people)
                times, connections = _open_at_once(port, ["/floor/floor.html" if kind == "floor" else
                                                          f"/pulse/{code}"] * people, usable)
                if kind == "open" and people == max(rooms):
                    connected_mb.append(_server_memory_mb(server.pid))
                for connection in connections:
                    connection.close()
                return times

            for people in rooms:
                kinds = ("floor", "open", "send")
                p95, middle = ({kind: [] for kind in kinds} for _ in range(2))
                for run in range(runs):
                    for kind in kinds[run % 3:] + kinds[:run % 3]:
                        times = burst(kind, people)
                        p95[kind].append(percentile(times, 0.95))
                        middle[kind].append(median(times))
                load.append(os.getloadavg()[0])
                floor_p95 = median(p95["floor"])
                rows.append((f"Pulse form, {people} phones opening at once ({label}): median", median(middle["open"]),
                             median(middle["floor"]), "static copy of the page, same server, same rounds", None))
                target = 2 if database else 1.5
                for kind, what in (("open", "Pulse form, {} phones opening at once"),
                                   ("send", "Pulse answers, {} phones sending at once")):
                    rows.append((f"{what.format(people)} ({label}): 95th percentile", median(p95[kind]), floor_p95,
                                 "static copy of the page opened at once, same server, same rounds", target))
                    ratios = sorted(value / floor for value, floor in zip(p95[kind], p95["floor"]))
                    notes.append(f"- {what.format(people)} ({label}), 95th percentile against the floor's in the same "
                                 f"round, {runs} rounds: {', '.join(f'{r:.2f}' for r in ratios)} "
                                 f"(median {median(ratios):.2f}).")
                if people >= 200:
                    notes.append(f"- Pulse form, {people} phones at once ({label}), 95th percentile: "
                                 f"{median(p95['open']):.3f} s (target ≤ 2 s: "
                                 f"{'met' if median(p95['open']) <= 2 else 'NOT met'}).")
            notes.append(f"- Load average (1 minute) during the {label} room bursts: "
                         f"{min(load):.1f} to {max(load):.1f} on {os.cpu_count()} cores.")
            if database:
                return
            notes.append(f"- Pulse server memory (the whole process tree) with {max(rooms)} phones connected: "
                         f"{max(connected_mb):.0f} MB, idle {idle_mb:.0f} MB (target ≤ 400 MB: "
                         f"{'met' if max(connected_mb) <= 400 else 'NOT met'}).")
            phone, floor = _phone_seconds(port, code, runs)
            rows.append(("Pulse form on one phone in Chromium (320 px), to a usable Send button", phone, floor,
                         "static copy of the page, same server", 1.5))
        finally:
            server.terminate()
            server.wait(30)


def bench_pulse_postgres(runs, rows, notes, url=None):
    """bench_pulse_room on PostgreSQL: the server at ``url``, else a temporary one started
    here from Debian's PostgreSQL programs with PostgreSQL's own settings (every commit
    written to disk, as a real deployment keeps it; the tests turn that off)."""
    if url:
        return bench_pulse_room(runs, rows, notes, database=url)
    sys.path.insert(0, str(REPO / "tests" / "workshop"))
    from postgres_server import TemporaryPostgres

    with TemporaryPostgres(durable=True) as server:
        bench_pulse_room(runs, rows, notes, database=server.url)


#: The least a pulse server's start can take: a bare tornado server answering on the same address.
BARE_TORNADO = """
import asyncio, sys
import tornado.web

class Page(tornado.web.RequestHandler):
    def get(self, code):
        self.write("ok")

async def main():
    tornado.web.Application([(r"/pulse/(.*)", Page)]).listen(int(sys.argv[1]), "127.0.0.1")
    await asyncio.Event().wait()

asyncio.run(main())
"""


def restart_seconds(argv, url, env, runs):
    """Seconds from starting ``argv`` to the first 200 from ``url``, once per run; each run
    starts as the last one's server is stopped (a crash, then a Ctrl+C, in turn) with a
    browser's connection to it still open, as a host restarting would."""
    import http.client
    import signal
    import urllib.error
    import urllib.parse
    import urllib.request

    times, server = [], None
    address = urllib.parse.urlsplit(url)
    try:
        for number in range(runs + 1):  # the first start only sets up the restart
            held = None
            if server is not None:
                held = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
                held.request("GET", address.path)
                held.getresponse().read()  # kept alive, as an open page is
                server.send_signal(signal.SIGKILL if number % 2 else signal.SIGINT)
                server.wait(30)
            start = time.perf_counter()
            server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2) as reply:
                        if reply.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError):
                    if server.poll() is not None or time.perf_counter() - start > 60:
                        raise RuntimeError(f"{argv[2:]} did not serve {url}") from None
                    time.sleep(0.02)
            if number:
                times.append(time.perf_counter() - start)
            if held is not None:
                held.close()
    finally:
        if server is not None:
            server.kill()
            server.wait(30)
    return times


def bench_pulse_restart(runs, rows, notes):
    """`workshop serve` restarted: seconds to the first page served, against a bare tornado server."""
    from leadership_course.voila.launch import free_port
    from leadership_course.workshop.pulses import load_pulse
    from leadership_course.workshop.store import STORE_DIR_VARIABLE, WorkshopStore

    pulse = load_pulse(REPO / "workshop" / "pulses" / "abc-and-voice.yaml")
    with tempfile.TemporaryDirectory() as folder:
        store = WorkshopStore(folder)
        code = store.create("Benchmark restart", pulse, "benchmark-passcode", 5)
        port = free_port()
        url = f"http://127.0.0.1:{port}/pulse/{code}"
        env = {**os.environ, STORE_DIR_VARIABLE: str(store.directory)}
        serve = [PYTHON, "-m", "leadership_course", "workshop", "serve", "--port", str(port), "--local",
                 "--no-browser"]
        course = restart_seconds(serve, url, env, runs)
        floor = restart_seconds([PYTHON, "-c", BARE_TORNADO, str(port)], url, env, runs)
    rows.append(("Pulse: `workshop serve` after a crash or Ctrl+C, to the first page served", median(course),
                 median(floor), "bare tornado server started the same way", None))
    notes.append(f"- Pulse restart, `workshop serve` to the first page: median {median(course):.2f} s, slowest "
                 f"{max(course):.2f} s (target < 5 s: {'met' if max(course) < 5 else 'NOT met'}).")


def _submit_answers(folder, code, count, offset, answers):
    from leadership_course.workshop.store import WorkshopStore

    store = WorkshopStore(folder)
    run = store.workshop(code)["run"]
    for _ in range(count):  # one device each, as each answer is one person
        device = store.new_device()
        store.submit(code, store.form_token(code, run, device), device, answers)


def progress(section):
    """Say on stderr which part is being measured (the table goes to stdout)."""
    print(f"{time.strftime('%H:%M:%S')} measuring {section}...", file=sys.stderr, flush=True)


def missing_requirements(wanted, postgres=None):
    """Plain sentences for what the chosen parts need and this machine lacks (empty when
    nothing is missing). Checked before anything is measured."""
    modules = sorted({name for part in wanted for name in NEEDS.get(part, ()) if importlib.util.find_spec(name) is None})
    if modules:
        parts = ", ".join(part for part in PARTS if part in wanted and set(NEEDS.get(part, ())) & set(modules))
        return [f"Python package(s) missing: {', '.join(modules)} (needed by: {parts}). The start command installs "
                f"the course only; add them with `{PYTHON} -m pip install {' '.join(modules)}`, or leave those "
                "parts out with --only."]
    if "pulse" in wanted and not postgres and not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return ["The pulse part runs on PostgreSQL too: install Debian's `postgresql` package (python3 run_tests.py "
                "does so as root), give a server with --postgres, or leave the part out with --only."]
    if wanted & BROWSER_PARTS and not chromium_found():
        return ["No Chromium found for the browser parts (voila, pulse): install Debian's `chromium` package, "
                f"set CHROMIUM_PATH, or run `{PYTHON} -m playwright install chromium`."]
    return []


def chromium_found():
    """True when the browser parts can start a Chromium (the system's, or Playwright's own)."""
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from browser_helpers import chromium_executable
    from playwright.sync_api import sync_playwright

    if chromium_executable():
        return True
    with sync_playwright() as playwright:
        return Path(playwright.chromium.executable_path).exists()


def write_table(rows, memory_rows, notes, show=True):
    """Write the table to benchmarks/results/latest.md (and print it when ``show``)."""
    lines = [f"# Benchmarks ({date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()})", "",
             "| What | Course (s) | Floor (s) | Floor is | Ratio | Target |", "|---|---|---|---|---|---|"]
    for name, value, floor, floor_name, target in rows:
        if floor is None:
            lines.append(f"| {name} | {value:.3f} | – | {floor_name or 'no floor'} | – | – |")
            continue
        ratio = value / floor
        verdict = f"≤ {target} ({'met' if ratio <= target else 'NOT met'})" if target else "no target set"
        lines.append(f"| {name} | {value:.3f} | {floor:.3f} | {floor_name} | {ratio:.2f} | {verdict} |")
    if memory_rows:
        lines += ["", "| What | Above empty kernel (MB) | Empty kernel (MB) | Target |", "|---|---|---|---|"]
        for name, extra, floor in memory_rows:
            lines.append(f"| {name} | {extra:.1f} | {floor:.1f} | ≤ 60 MB ({'met' if extra <= 60 else 'NOT met'}) |")
    lines += ["", *notes]
    text = "\n".join(lines) + "\n"
    if show:
        print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--postgres", help="a PostgreSQL address for the pulse part (default: a temporary server "
                                           "started from Debian's PostgreSQL programs)")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    if wanted - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(wanted - set(PARTS)))}; the parts are {', '.join(PARTS)}")
    problems = missing_requirements(wanted, args.postgres)
    if problems:
        print("The benchmark cannot start, so nothing was measured:", *problems, sep="\n- ", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO))
    from start import prepare_course

    prepare_course()  # as the start command leaves it: engine compiled, content prepared
    rows, memory_rows, notes = [], [], []
    steps = [
        ("import", "import", lambda: bench_import(args.runs, rows)),
        ("execute", "execute", lambda: bench_execute(args.runs, rows, memory_rows)),
        ("autograde", "autograde", lambda: bench_autograde(max(3, args.runs // 2), rows)),
        ("voila", "voila (cold)", lambda: bench_voila(args.runs, rows, preheat=False)),
        ("voila", "voila (pre-heated)", lambda: bench_voila(args.runs, rows, preheat=True)),
        ("voila", "voila (first page after launch)", lambda: bench_first_page(args.runs, rows)),
        ("voila", "voila (kernels after ten page visits)", lambda: bench_kernels(notes)),
        ("pulse", "pulse", lambda: bench_pulse(args.runs, rows)),
        ("pulse", "pulse (a room at once, SQLite)", lambda: bench_pulse_room(args.runs, rows, notes)),
        ("pulse", "pulse (a room at once, PostgreSQL)", lambda: bench_pulse_postgres(args.runs, rows, notes,
                                                                                      args.postgres)),
        ("pulse", "pulse (a restart)", lambda: bench_pulse_restart(args.runs, rows, notes)),
        ("web", "web edition", lambda: bench_web(args.runs, rows, notes)),
    ]
    for part, label, step in steps:
        if part not in wanted:
            continue
        progress(label)
        try:
            step()
        except BaseException as error:  # also Ctrl+C: keep what was measured before it
            notes.append(f"- Stopped while measuring {label} ({type(error).__name__}: {error}); "
                         "every figure above was measured before that.")
            write_table(rows, memory_rows, notes)
            raise
        write_table(rows, memory_rows, notes, show=False)  # each figure kept as soon as it is measured
    write_table(rows, memory_rows, notes)
    return 0


def bench_import(runs, rows):
    floor, package, full = import_times(["import ipywidgets", "import leadership_course", FULL_ENGINE], runs)
    rows.append(("Import the course engine (the notebooks' first cell)", package, floor, "import ipywidgets", 1.5))
    rows.append(("Import the engine with every component and the course map", full, floor, "import ipywidgets", 1.5))


if __name__ == "__main__":
    sys.exit(main())
