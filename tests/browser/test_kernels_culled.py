"""A page whose browser was killed (no shutdown request) has its kernel culled a set time
after its connection closed, and a page still open keeps its kernel however long it is idle.

The course's kernel manager starts a kernel's idle clock again when its last connection
closes (leadership_course/voila/kernels.py); the culler's settings come from voila.json.
Here they are made short (seconds) so that the test is quick.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import psutil

from browser_helpers import (CHROMIUM_ARGS, LOCAL_HOST, MODULES_DIR, VoilaServer, answers, chromium_executable,
                             new_course_page, stop_voila, wait_for_widgets, wait_until_serving)
from leadership_course.voila.launch import free_port, voila_command
from test_kernels_freed import page_kernel_id, running_kernel_ids

TIMEOUT_S = 10
INTERVAL_S = 2


def start_culling_voila(work, timeout_s, interval_s):
    """Voila as the start command runs it, without pre-heating, culling after ``timeout_s``."""
    record_dir = work / "record"
    record_dir.mkdir()
    port = free_port(LOCAL_HOST)
    argv, env = voila_command(MODULES_DIR, port, record_dir, ip=LOCAL_HOST, preheat=False, extra_args=[
        f"--MappingKernelManager.cull_idle_timeout={timeout_s}",
        f"--MappingKernelManager.cull_interval={interval_s}"])
    log_path = work / "voila.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    server = VoilaServer(process, port, record_dir, log_path)
    wait_until_serving(server, lambda: answers(server.base_url + "/"), "Voila", 60)
    return server


def killed_browser_kernel_life(server, browser_type, idle_before_kill_s):
    """Open a page in a browser of its own, leave it idle, kill the browser (SIGKILL); return
    (the page's kernel id, seconds from the kill until its kernel was gone)."""
    ours = {p.pid for p in psutil.Process(os.getpid()).children(recursive=True)}
    browser = browser_type.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
    launched = [p for p in psutil.Process(os.getpid()).children(recursive=True)
                if p.pid not in ours and "chrom" in p.name().lower()]
    top = [p for p in launched if p.ppid() not in {q.pid for q in launched}]
    assert top, "the browser's process was not found"
    _, page = new_course_page(browser)
    page.goto(server.url("00_start_here.ipynb"))
    wait_for_widgets(page)
    kernel = page_kernel_id(page)
    time.sleep(idle_before_kill_s)
    killed_at = time.monotonic()
    for process in top:
        process.send_signal(signal.SIGKILL)
    while kernel in running_kernel_ids(server) and time.monotonic() - killed_at < 600:
        time.sleep(0.5)
    return kernel, time.monotonic() - killed_at


def test_a_killed_browsers_kernel_is_culled_after_the_set_time_and_an_open_pages_is_not(browser, tmp_path):
    """With culling after 10 s: is the kernel of a page whose browser was killed after 15 s
    of quiet reading kept at least 10 s after the kill (its idle clock starts when the
    connection closes) and gone within 10 s plus two culler rounds, while a page open all
    along, idle longer than that, keeps its kernel?"""
    server = start_culling_voila(tmp_path, TIMEOUT_S, INTERVAL_S)
    context, open_page = new_course_page(browser)
    try:
        open_page.goto(server.url("course_home.ipynb"))
        wait_for_widgets(open_page)
        kept = page_kernel_id(open_page)
        killed, life = killed_browser_kernel_life(server, browser.browser_type, TIMEOUT_S + 5)
        assert killed not in running_kernel_ids(server), f"the killed page's kernel lived on ({life:.0f} s)"
        assert TIMEOUT_S - 1 <= life <= TIMEOUT_S + 2 * INTERVAL_S + 3, (
            f"the killed page's kernel went {life:.1f} s after the kill; expected about {TIMEOUT_S} s")
        assert kept in running_kernel_ids(server), "the open page's kernel was culled"
    finally:
        context.close()
        stop_voila(server.process)
