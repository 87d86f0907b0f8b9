"""Leaving a page frees its kernel: an ordinary navigation and a closed tab, under the
start command's standalone Voila and under jupyter-server with Voila as its extension (as
Binder and JupyterHub run the course).

Voila's front end asks the server to shut the page's kernel down when the page is left;
without the course template's fix the server refuses it (403, '_xsrf' argument missing,
Voila issue #1458) and every visited page keeps a kernel until it is culled.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from browser_helpers import (LOCAL_HOST, MODULES_DIR, VoilaServer, new_course_page, start_voila, stop_voila,
                             wait_for_widgets, wait_until_serving)
from leadership_course.voila.launch import VOILA_DIR, free_port, voila_environment

VISITS = ["course_home.ipynb", "00_start_here.ipynb", "01_why_compassion.ipynb", "course_home.ipynb"]
SHUTDOWN_WAIT_S = 15
SERVER_START_TIMEOUT_S = 60
#: Longest wait for every pool to be full after Voila starts (they start one after another).
POOLS_FILL_S = 180


def running_kernel_ids(voila_server):
    """Ids of the kernels running under the Voila process (from their connection files)."""
    ids = set()
    for process in psutil.Process(voila_server.process.pid).children(recursive=True):
        try:
            found = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(process.cmdline()))
        except psutil.Error:
            continue
        if found:
            ids.add(found.group(1))
    return ids


def page_kernel_id(page):
    return page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def wait_until_gone(voila_server, kernel_ids):
    deadline = time.monotonic() + SHUTDOWN_WAIT_S
    while time.monotonic() < deadline:
        left = kernel_ids & running_kernel_ids(voila_server)
        if not left:
            return set()
        time.sleep(0.25)
    return left


def pools_hold():
    """How many pre-heated kernels the course's Voila settings keep (all pools full)."""
    pools = json.loads((VOILA_DIR / "voila.json").read_text())["VoilaKernelManager"]["kernel_pools_config"]
    return sum(pool.get("pool_size", 0) for pool in pools.values())


def visit_then_close(browser, server, most, first_query=""):
    """Visit VISITS in one tab, then close it. After each page is left its kernel must be
    shut down, leaving at most ``most`` kernels running; so must the last page's when the
    tab closes. ``first_query`` is added to the first address (a token to sign in with)."""
    context, page = new_course_page(browser)
    visited = []
    try:
        for number, notebook in enumerate(VISITS):
            page.goto(server.url(notebook) + (first_query if number == 0 else ""))
            wait_for_widgets(page)
            assert page.locator("header.course-header").count() == 1, f"{notebook}: not in the course template"
            visited.append(page_kernel_id(page))
            assert visited[-1] in running_kernel_ids(server), f"{notebook}: its kernel is not running"
            if len(visited) > 1:
                left = wait_until_gone(server, {visited[-2]})
                assert not left, f"the kernel of the page before {notebook} still runs: {left}"
            running = running_kernel_ids(server)
            assert len(running) <= most, f"on {notebook}: {len(running)} kernels running, more than {most}"
        page.close(run_before_unload=True)
        left = wait_until_gone(server, set(visited))
        assert not left, f"kernel of the closed tab still runs: {left}"
    finally:
        context.close()


@pytest.fixture
def voila_of_its_own(tmp_path):
    """The start command's Voila, used by this test alone: pages other tests closed without
    unloading (a closed Playwright context sends nothing) keep kernels in the shared one."""
    server = start_voila(tmp_path, SERVER_START_TIMEOUT_S)
    yield server
    stop_voila(server.process)


def test_leaving_a_page_or_closing_its_tab_shuts_its_kernel_down(browser, voila_of_its_own):
    """Once the pools of pre-heated kernels are full: after each of the pages visited one
    after another in a tab, are no more kernels running than the pools hold plus the open
    page's, is every page's kernel shut down when it is left or its tab closed, and no
    refused shutdown request in the server's log?"""
    voila_server = voila_of_its_own
    pools = pools_hold()
    deadline = time.monotonic() + POOLS_FILL_S
    while len(running_kernel_ids(voila_server)) < pools:  # at launch, the pools fill one after another
        assert time.monotonic() < deadline, f"the pools never held {pools} kernels:\n{voila_server.log_tail()}"
        time.sleep(0.25)
    visit_then_close(browser, voila_server, most=pools + 1)
    # The pools refill the kernels the pages took: wait for that, then count.
    deadline = time.monotonic() + SHUTDOWN_WAIT_S
    while len(running_kernel_ids(voila_server)) > pools and time.monotonic() < deadline:
        time.sleep(0.25)
    assert len(running_kernel_ids(voila_server)) <= pools
    log = voila_server.log_path.read_text(errors="replace")
    assert "'_xsrf' argument missing" not in log


@pytest.fixture
def jupyter_server_with_voila(tmp_path):
    """``jupyter server`` on a free 127.0.0.1 port, with its installed extensions (Voila
    among them) and the course's settings on the Jupyter paths, as on Binder and a hub:
    pages at /voila/render/..., signed in with a token, XSRF protection on."""
    if not MODULES_DIR.is_dir():
        pytest.skip(f"no modules folder at {MODULES_DIR}")
    record_dir = tmp_path / "record"
    record_dir.mkdir()
    port = free_port(LOCAL_HOST)
    token = secrets.token_hex(16)
    argv = [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
            f"--ServerApp.ip={LOCAL_HOST}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={MODULES_DIR}", f"--IdentityProvider.token={token}"]
    log_path = tmp_path / "jupyter-server.log"
    with open(log_path, "wb") as log:  # cwd: an empty folder, so no stray voila.json is read
        process = subprocess.Popen(argv, env=voila_environment(record_dir), cwd=tmp_path,
                                   stdout=log, stderr=subprocess.STDOUT)
    server = VoilaServer(process, port, record_dir, log_path)
    wait_until_serving(server, lambda: _signed_in_api_answers(server, token), "jupyter server", SERVER_START_TIMEOUT_S)
    yield server, token
    stop_voila(process)


def _signed_in_api_answers(server, token):
    try:
        with urllib.request.urlopen(f"{server.base_url}/api/status?token={token}", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def test_under_jupyter_server_leaving_a_page_or_closing_its_tab_shuts_its_kernel_down(
        browser, jupyter_server_with_voila):
    """Under jupyter-server (no pool of pre-heated kernels there), after pages visited in a
    tab and the tab closed, is every one of their kernels shut down, so that none is left
    running, with no refused shutdown request in the log, while the course template is in
    use and XSRF protection on?"""
    server, token = jupyter_server_with_voila
    visit_then_close(browser, server, most=1, first_query=f"?token={token}")
    assert running_kernel_ids(server) == set()
    log = server.log_path.read_text(errors="replace")
    assert "'_xsrf' argument missing" not in log
    # XSRF protection is on: signed in by cookie, a POST without the token is refused.
    context, page = new_course_page(browser)
    try:
        page.goto(f"{server.base_url}/api/status?token={token}")
        refused = context.request.post(f"{server.base_url}/api/kernels")
        assert refused.status == 403, f"a POST without the XSRF token got {refused.status}"
    finally:
        context.close()
