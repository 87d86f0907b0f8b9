"""CPU and task limits per learner on the trial hub (leadership_course/hub/limits.py): a
learner's busy loops get at most the hub's cpu_limit (one core), a thread bomb stops at
tasks_limit, inside that learner's own cgroup, while the hub answers; and the server's group
weighs as much as the hub while it starts, a fifth once it runs."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from leadership_course.hub.limits import RUNNING_WEIGHT, STARTING_WEIGHT, Limits
from leadership_course.hub.spawner import CourseSpawner
from test_hub_sign_in import signed_in

BUSY = "while True: pass"
THREAD_BOMB = """
import threading, time
made = 0
try:
    while True:
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        made += 1
except RuntimeError as error:
    print(made, error)
"""


@pytest.fixture(scope="module")
def running_b(hub):
    """Learner B's server, started by signing in through the hub's login form."""
    b = hub.accounts["learner_b"]
    b.started = time.monotonic()
    session = signed_in(hub, b.name, b.password)
    assert session.signed_in, session.answer.text[-500:]
    session.get(f"{hub.url}/hub/spawn", timeout=180)
    deadline = time.monotonic() + 180
    while not hub.servers(b.name).get("", {}).get("ready") and time.monotonic() < deadline:
        time.sleep(1)
    assert hub.servers(b.name).get("", {}).get("ready"), hub.log_tail()
    return b


def as_learner_in_their_cgroup(account, code: str, **kwargs) -> subprocess.Popen:
    """A Python process as the account, in its server's cgroups (as one started from its terminal)."""
    groups = list(Limits().groups(account.name).values())
    uid, gid = account.ids
    return subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", "/usr/bin/python3", "-c",
                             code], preexec_fn=lambda: Limits.join(groups), env={"PATH": "/usr/bin:/bin"}, **kwargs)


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def test_each_server_has_the_hubs_cpu_quota_and_task_limit(hub, running_b):
    """Is the learner's server in a cgroup with a quota of one core and at most 512 tasks?"""
    limits = Limits()
    assert limits.cpu_quota_of(running_b.name) == 1.0
    assert limits.tasks_limit_of(running_b.name) == 512


def test_a_starting_server_weighs_as_much_as_the_hub(hub, running_b):
    """While the learner's server has just started (the sign-in), does its group weigh as much as
    the hub's processes when the cores are busy?"""
    assert time.monotonic() - running_b.started < CourseSpawner.start_cpu_seconds.default_value
    assert Limits().cpu_weight_of(running_b.name) == STARTING_WEIGHT == 100


def test_four_busy_loops_get_at_most_one_core(hub, running_b):
    """Do four busy loops in a learner's cgroup use at most about one core between them, held
    back by the quota, however many cores the machine has free?"""
    limits = Limits()
    throttled = limits.throttled_periods_of(running_b.name)
    loops = [as_learner_in_their_cgroup(running_b, BUSY) for _ in range(4)]
    try:
        time.sleep(1)
        before, started = cpu_seconds([p.pid for p in loops]), time.monotonic()
        time.sleep(6)
        used = (cpu_seconds([p.pid for p in loops]) - before) / (time.monotonic() - started)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait(10)
    assert used <= 1.15, f"four busy loops used {used:.2f} cores"
    assert limits.throttled_periods_of(running_b.name) > throttled, "the quota never held the loops back"


def test_a_thread_bomb_stops_at_the_task_limit(hub, running_b):
    """Does a learner's process that starts threads without end stop below 512 with Python's
    own error, leaving the hub answering?"""
    bomb = as_learner_in_their_cgroup(running_b, THREAD_BOMB, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True)
    out, err = bomb.communicate(timeout=120)
    made = int(out.split()[0]) if out.split() else -1
    assert 0 < made < 512, (out, err[-500:])
    assert "can't start new thread" in out
    assert hub.servers(running_b.name), "the learner's server went down"
    assert hub.api("/users")  # the hub answers


def test_a_running_server_weighs_a_fifth_of_the_hub_after_its_start(hub, running_b):
    """A minute after the start, is the learner's group lowered to a fifth of the hub's weight, so
    their busy loops give way to the hub and to another learner signing in? (Runs last: it waits.)"""
    limits = Limits()
    settled_by = running_b.started + CourseSpawner.start_cpu_seconds.default_value + 30
    while limits.cpu_weight_of(running_b.name) != RUNNING_WEIGHT and time.monotonic() < settled_by:
        time.sleep(1)
    assert limits.cpu_weight_of(running_b.name) == RUNNING_WEIGHT == 20
    assert hub.servers(running_b.name), "the learner's server went down"


def test_a_restarted_hub_lowers_the_weight_of_servers_it_finds_running(hub, running_b):
    """A server still at its starting weight when the hub restarts (its timer gone with the old
    hub): does the new hub, finding it running, lower it to the running weight?"""
    limits = Limits()
    limits.set_cpu_weight(running_b.name, STARTING_WEIGHT)  # as a server caught in its first minute
    hub.restart()
    deadline = time.monotonic() + 60
    while limits.cpu_weight_of(running_b.name) != RUNNING_WEIGHT and time.monotonic() < deadline:
        time.sleep(1)
    assert limits.cpu_weight_of(running_b.name) == RUNNING_WEIGHT, hub.log_tail()
    assert hub.servers(running_b.name), "the learner's server went down"
