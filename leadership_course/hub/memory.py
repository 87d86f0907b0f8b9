"""A memory limit per learner: each single-user server (and every kernel it starts) runs in
its own Linux memory cgroup, ``<the hub's cgroup>/leadership-course/<name>``, and the
kernel stops what goes over the limit inside it, never the hub or another learner.

Works with cgroup v1 (``memory.limit_in_bytes``) and v2 (``memory.max``; under systemd the
hub's unit has ``Delegate=yes``, and the hub itself is moved into a leaf named ``hub``,
as cgroup v2 asks). Where no memory cgroup can be written, the hub logs a warning and
servers start without a limit.
"""

from __future__ import annotations

import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP_NAME = "leadership-course"


def _own_cgroup() -> tuple[Path, int] | None:
    """(folder of this process's memory cgroup, cgroup version), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:  # v1 first: a hybrid system's v2 hierarchy has no memory controller
        number, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            folder = CGROUP_ROOT / "memory" / path.lstrip("/")
            if folder.is_dir():
                return folder, 1
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "":
            folder = CGROUP_ROOT / path.lstrip("/")
            if "memory" in (folder / "cgroup.controllers").read_text().split():
                return folder, 2
    return None


class MemoryLimits:
    """Makes and fills one memory cgroup per account, below the hub's own."""

    def __init__(self):
        found = _own_cgroup()
        self.version = found[1] if found else None
        self.parent = (found[0] / GROUP_NAME) if found else None
        self.problem = None if found else "no memory cgroup found for the hub"

    def ready(self) -> bool:
        """Make the parent group (v2: move the hub into a leaf first). False, with .problem, if not possible."""
        if self.parent is None:
            return False
        try:
            if self.version == 2:
                own = self.parent.parent
                leaf = own / "hub"
                leaf.mkdir(exist_ok=True)
                for pid in (own / "cgroup.procs").read_text().split():
                    (leaf / "cgroup.procs").write_text(pid)
                (own / "cgroup.subtree_control").write_text("+memory")
                self.parent.mkdir(exist_ok=True)
                (self.parent / "cgroup.subtree_control").write_text("+memory")
            else:
                self.parent.mkdir(exist_ok=True)
            return True
        except OSError as error:
            self.problem = f"cannot use memory cgroup {self.parent}: {error}"
            return False

    def group(self, name: str) -> Path:
        return self.parent / name

    def set_limit(self, name: str, limit_bytes: int) -> Path:
        """Make the account's group with ``limit_bytes``; return it (processes join it in ``join``)."""
        group = self.group(name)
        group.mkdir(exist_ok=True)
        limit_file = "memory.max" if self.version == 2 else "memory.limit_in_bytes"
        (group / limit_file).write_text(str(int(limit_bytes)))
        if self.version == 1:  # no swap either, where the kernel keeps swap accounting
            swap = group / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(int(limit_bytes)))
        return group

    @staticmethod
    def join(group: Path) -> None:
        """Put the calling process in ``group`` (called between fork and exec, still as root)."""
        with open(group / "cgroup.procs", "w") as procs:
            procs.write(str(os.getpid()))

    def limit_of(self, name: str) -> int:
        limit_file = "memory.max" if self.version == 2 else "memory.limit_in_bytes"
        return int((self.group(name) / limit_file).read_text().strip())

    def usage_of(self, name: str) -> int:
        usage_file = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        return int((self.group(name) / usage_file).read_text().strip())

    def pids_of(self, name: str) -> list[int]:
        return [int(pid) for pid in (self.group(name) / "cgroup.procs").read_text().split()]
