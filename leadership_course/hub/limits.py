"""Limits per learner: each single-user server (and every kernel, terminal and process it
starts) runs in its own Linux cgroup, ``leadership-course-<name>`` beside the hub's own, with

* **memory**: above ``memory_limit_mb`` the kernel stops a process inside the group, never
  the hub or another learner;
* **CPU**: at most ``cpu_limit`` cores (a CFS quota); and since the group sits beside the hub's
  processes, when the cores are busy a learner weighs as one process there however many they
  run: as much as the hub while their server starts (``STARTING_WEIGHT``), a fifth of it once
  it runs (``RUNNING_WEIGHT``, set by the spawner a minute after the start). So a learner
  signing in, and the hub, come before another learner's busy loops; running learners share
  alike;
* **tasks**: at most ``tasks_limit`` processes and threads (a fork bomb stops there).

Works with cgroup v1 (one hierarchy per controller) and v2 (one hierarchy; under systemd the
hub's unit has ``Delegate=yes``, and the hub itself is moved into a leaf named ``hub``, as
cgroup v2 asks, with the learners' groups beside it). Where a controller cannot be written, the hub logs a warning and servers
start without that limit.
"""

from __future__ import annotations

import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP_NAME = "leadership-course"
CONTROLLERS = ("memory", "cpu", "pids")
CFS_PERIOD_US = 100_000
#: CPU weights (cgroup v2's ``cpu.weight``; 100 is any process's or unit's own; v1's
#: ``cpu.shares`` are 1024 for 100): a learner's server while it starts, and once it runs.
STARTING_WEIGHT = 100
RUNNING_WEIGHT = 20
#: Files by cgroup version: memory limit, memory use.
FILES = {1: {"memory": "memory.limit_in_bytes", "usage": "memory.usage_in_bytes"},
         2: {"memory": "memory.max", "usage": "memory.current"}}


def _own_cgroups() -> tuple[dict[str, Path], int] | None:
    """({controller: folder of this process's cgroup}, cgroup version), or None without memory."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    found = {}
    for line in lines:  # v1 first: a hybrid system's v2 hierarchy has no controllers
        number, controllers, path = line.split(":", 2)
        for controller in set(controllers.split(",")) & set(CONTROLLERS):
            for mount in (CGROUP_ROOT / controllers, CGROUP_ROOT / controller):
                if (mount / path.lstrip("/")).is_dir():
                    found[controller] = mount / path.lstrip("/")
                    break
    if "memory" in found:
        return found, 1
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "":
            folder = CGROUP_ROOT / path.lstrip("/")
            available = (folder / "cgroup.controllers").read_text().split()
            if "memory" in available:
                return {c: folder for c in CONTROLLERS if c in available}, 2
    return None


class Limits:
    """Makes and fills one cgroup per account (per controller on v1), beside the hub's own."""

    def __init__(self):
        found = _own_cgroups()
        self.version = found[1] if found else None
        #: The hub's own cgroup for each controller (empty: no limits here).
        self.owns = dict(found[0]) if found else {}
        self.problem = None if found else "no memory cgroup found for the hub"

    def ready(self) -> bool:
        """v2: move the hub into a leaf, so groups can be made beside it. False, with .problem, if not possible."""
        if not self.owns:
            return False
        if self.version == 1:
            return True
        own = self.owns["memory"]
        try:
            leaf = own / "hub"
            leaf.mkdir(exist_ok=True)
            for pid in (own / "cgroup.procs").read_text().split():
                (leaf / "cgroup.procs").write_text(pid)
            (own / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in self.owns))
            return True
        except OSError as error:
            self.problem = f"cannot use cgroup {own}: {error}"
            return False

    def groups(self, name: str) -> dict[str, Path]:
        """The account's group for each controller (on v2 they are one folder)."""
        return {c: own / f"{GROUP_NAME}-{name}" for c, own in self.owns.items()}

    def group(self, name: str) -> Path:
        return self.groups(name)["memory"]

    def set_limits(self, name: str, memory_bytes: int, cpu_cores: float = 0, tasks: int = 0,
                   cpu_weight: int = STARTING_WEIGHT) -> list[Path]:
        """Make the account's groups with these limits (0: none); return the folders to ``join``."""
        files = FILES[self.version]
        groups = self.groups(name)
        for folder in groups.values():
            folder.mkdir(exist_ok=True)
        (groups["memory"] / files["memory"]).write_text(str(int(memory_bytes)))
        if self.version == 1:  # no swap either, where the kernel keeps swap accounting
            swap = groups["memory"] / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(int(memory_bytes)))
        if "cpu" in groups:
            quota = int(cpu_cores * CFS_PERIOD_US) if cpu_cores else -1
            if self.version == 2:
                (groups["cpu"] / "cpu.max").write_text(f"{'max' if quota < 0 else quota} {CFS_PERIOD_US}")
            else:
                (groups["cpu"] / "cpu.cfs_period_us").write_text(str(CFS_PERIOD_US))
                (groups["cpu"] / "cpu.cfs_quota_us").write_text(str(quota))
            self.set_cpu_weight(name, cpu_weight)
        if "pids" in groups:
            (groups["pids"] / "pids.max").write_text(str(tasks) if tasks else "max")
        return sorted(set(groups.values()))

    def set_cpu_weight(self, name: str, weight: int) -> None:
        """Weigh the account's group against the hub and other learners when the cores are busy."""
        folder = self.groups(name)["cpu"]
        if self.version == 2:
            (folder / "cpu.weight").write_text(str(weight))
        else:
            (folder / "cpu.shares").write_text(str(max(2, weight * 1024 // 100)))

    def cpu_weight_of(self, name: str) -> int:
        """The account's CPU weight (100: as much as the hub)."""
        folder = self.groups(name)["cpu"]
        if self.version == 2:
            return int((folder / "cpu.weight").read_text())
        return round(int((folder / "cpu.shares").read_text()) * 100 / 1024)

    @staticmethod
    def join(groups: list[Path]) -> None:
        """Put the calling process in ``groups`` (called between fork and exec, still as root)."""
        for folder in groups:
            with open(folder / "cgroup.procs", "w") as procs:
                procs.write(str(os.getpid()))

    def limit_of(self, name: str) -> int:
        return int((self.group(name) / FILES[self.version]["memory"]).read_text().strip())

    def usage_of(self, name: str) -> int:
        return int((self.group(name) / FILES[self.version]["usage"]).read_text().strip())

    def cpu_quota_of(self, name: str) -> float:
        """Cores the account may use (0: no quota)."""
        folder = self.groups(name)["cpu"]
        if self.version == 2:
            quota, period = (folder / "cpu.max").read_text().split()
            return 0 if quota == "max" else int(quota) / int(period)
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        return 0 if quota < 0 else quota / int((folder / "cpu.cfs_period_us").read_text())

    def throttled_periods_of(self, name: str) -> int:
        """How many times the account's group has been held back by its CPU quota."""
        stat = dict(line.split() for line in (self.groups(name)["cpu"] / "cpu.stat").read_text().splitlines())
        return int(stat["nr_throttled"])

    def tasks_limit_of(self, name: str) -> int:
        value = (self.groups(name)["pids"] / "pids.max").read_text().strip()
        return 0 if value == "max" else int(value)

    def pids_of(self, name: str) -> list[int]:
        return [int(pid) for pid in (self.group(name) / "cgroup.procs").read_text().split()]
