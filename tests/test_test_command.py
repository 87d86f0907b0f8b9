"""The README's test command (run_tests.py) as a fresh machine runs it."""

import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
HELD_S = 4


@pytest.fixture
def apt_with_its_lists_locked(tmp_path, monkeypatch):
    """apt reading its package lists from ``tmp_path`` (no sources: nothing is downloaded), with the
    lists' lock held for HELD_S seconds, as another install (unattended upgrades) would hold it."""
    if not (shutil.which("apt-get") and os.geteuid() == 0):
        pytest.fail("this test needs Debian's apt-get and root, as the test command's installs do")
    (tmp_path / "lists" / "partial").mkdir(parents=True)
    (tmp_path / "parts").mkdir()
    config = tmp_path / "apt.conf"
    config.write_text(f'Dir::State::Lists "{tmp_path}/lists/";\nDir::Etc::SourceList "/dev/null";\n'
                      f'Dir::Etc::SourceParts "{tmp_path}/parts/";\nDir::Cache::pkgcache "";\n'
                      'Dir::Cache::srcpkgcache "";\n')
    monkeypatch.setenv("APT_CONFIG", str(config))
    lock = os.open(tmp_path / "lists" / "lock", os.O_RDWR | os.O_CREAT, 0o640)
    fcntl.lockf(lock, fcntl.LOCK_EX)
    release = threading.Timer(HELD_S, fcntl.lockf, (lock, fcntl.LOCK_UN))
    release.start()
    yield
    release.join()
    os.close(lock)


def test_debian_installs_wait_for_the_package_managers_lock(apt_with_its_lists_locked, capsys):
    """While another install holds apt's lock, does the test command's install wait for it and
    then succeed, where a plain apt-get fails at once?"""
    plain = subprocess.run(["apt-get", "update", "-qq"], capture_output=True, text=True)
    assert plain.returncode != 0 and "Could not get lock" in plain.stdout + plain.stderr

    sys.path.insert(0, str(REPO))
    try:
        from run_tests import apt_install
    finally:
        sys.path.remove(str(REPO))
    started = time.monotonic()
    apt_install("bubblewrap")  # installed already: apt has nothing to do once it has the lock
    waited = time.monotonic() - started
    assert waited >= HELD_S - 1, waited
    assert "Waiting for another install to finish" in capsys.readouterr().out
