"""Leaving a page frees its kernel: an ordinary navigation and a closed tab.

Voila's front end asks the server to shut the page's kernel down when the page is left;
without the course template's fix the server refuses it (403, '_xsrf' argument missing,
Voila issue #1458) and every visited page keeps a kernel until it is culled.
"""

from __future__ import annotations

import re
import time

import psutil

from browser_helpers import new_course_page, wait_for_widgets

VISITS = ["course_home.ipynb", "00_start_here.ipynb", "01_why_compassion.ipynb", "course_home.ipynb"]
SHUTDOWN_WAIT_S = 15


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


def test_leaving_a_page_or_closing_its_tab_shuts_its_kernel_down(browser, voila_server):
    """After pages visited one after another in a tab, and the tab closed, is every one of
    their kernels shut down (and no more kernels running than before), with no refused
    shutdown request in the server's log?"""
    before = running_kernel_ids(voila_server)
    context, page = new_course_page(browser)
    visited = []
    try:
        for notebook in VISITS:
            page.goto(voila_server.url(notebook))
            wait_for_widgets(page)
            visited.append(page_kernel_id(page))
            assert visited[-1] in running_kernel_ids(voila_server), f"{notebook}: its kernel is not running"
            if len(visited) > 1:
                left = wait_until_gone(voila_server, {visited[-2]})
                assert not left, f"the kernel of the page before {notebook} still runs: {left}"
        page.close(run_before_unload=True)
        left = wait_until_gone(voila_server, set(visited))
        assert not left, f"kernel of the closed tab still runs: {left}"
    finally:
        context.close()
    # The pools refill the kernels the pages took: wait for that, then count.
    deadline = time.monotonic() + SHUTDOWN_WAIT_S
    while len(running_kernel_ids(voila_server)) > len(before) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert len(running_kernel_ids(voila_server)) <= len(before)
    log = voila_server.log_path.read_text(errors="replace")
    assert "'_xsrf' argument missing" not in log
