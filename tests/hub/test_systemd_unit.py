"""The hub's systemd unit, as deploy/jupyterhub/install.py writes it for this checkout, checked
by systemd's own `systemd-analyze verify` (systemd does not run here, so the unit is never
started by it: the trial hub runs the same command line)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

import pytest

from leadership_course.hub.trial import HUB_ENV, REPO

INSTALL = REPO / "deploy" / "jupyterhub" / "install.py"


def install_module():
    spec = importlib.util.spec_from_file_location("course_hub_install", INSTALL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def verify(tmp_path, text):
    if not shutil.which("systemd-analyze"):
        pytest.fail("systemd-analyze is missing: run `python3 run_tests.py` (it installs Debian's systemd)")
    unit = tmp_path / install_module().UNIT
    unit.write_text(text)
    return subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)


def test_the_installed_unit_passes_systemd_analyze_and_survives_a_reboot(tmp_path):
    """Does the unit install.py writes pass `systemd-analyze verify` (its hub command exists),
    start at boot, restart after a crash, and hand learners' memory groups to the hub?"""
    text = install_module().unit_text(HUB_ENV, REPO)
    done = verify(tmp_path, text)
    assert done.returncode == 0, done.stderr
    assert f"ExecStart={HUB_ENV}/bin/jupyterhub -f {REPO}/deploy/jupyterhub/jupyterhub_config.py" in text
    for line in ("WantedBy=multi-user.target", "Restart=always", "Delegate=yes", "KillMode=process"):
        assert line in text.splitlines(), line


def test_a_unit_whose_hub_command_is_missing_is_refused(tmp_path):
    """Does the same check fail for a unit pointing at an environment that is not there?"""
    text = install_module().unit_text(tmp_path / "no-such-environment", REPO)
    done = verify(tmp_path, text)
    assert done.returncode != 0 and "no-such-environment" in done.stderr
