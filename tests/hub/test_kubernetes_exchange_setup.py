"""The Kubernetes route's exchange (deploy/kubernetes/exchange-setup.yaml): its Job's own script,
run here as root on a folder standing in for the volume, makes the same exchange as one server."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from leadership_course.hub.exchange_folders import COURSE_FOLDERS

SETUP = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes" / "exchange-setup.yaml"
MOUNT = "/srv/nbgrader/exchange"


def script() -> str:
    job = yaml.safe_load(SETUP.read_text())
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["volumeMounts"][0]["mountPath"] == MOUNT
    assert job["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 0
    return container["command"][-1]


@pytest.mark.skipif(os.geteuid() != 0, reason="the Job runs as root (chown)")
def test_the_setup_job_makes_the_exchange_closed_to_learners(tmp_path):
    """Does the Job's script, on a world-writable volume with nothing in it, leave the exchange root
    root's (0755) and the course's folders root's and group 2000's with nbgrader's modes, as
    install.py does on one server, and say it is ready?"""
    volume = tmp_path / "volume"
    volume.mkdir(mode=0o777)
    os.chmod(volume, 0o1777)
    done = subprocess.run(["sh", "-c", script().replace(MOUNT, str(volume))], capture_output=True, text=True)
    assert done.returncode == 0 and "The exchange is ready." in done.stdout, done.stderr
    root = volume.stat()
    assert (root.st_uid, root.st_gid, stat.S_IMODE(root.st_mode)) == (0, 0, 0o755)
    for name, mode in COURSE_FOLDERS.items():
        info = (volume / "compassionate-leadership" / name).stat()
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, 2000, mode), name


@pytest.mark.skipif(os.geteuid() != 0, reason="the init container runs as root (chown)")
def test_the_init_container_makes_the_learners_inbound_folder_like_inbound(tmp_path):
    """Does a learner pod's init container (deploy/kubernetes/config.yaml), on the folder Kubernetes makes for
    its mount the first time (root's, 0755), leave it root's and group 2000's with inbound's own mode, 2773
    (the learner's server can submit into it but not list it; facilitators collect from it)?"""
    [init] = yaml.safe_load((SETUP.parent / "config.yaml").read_text())["singleuser"]["initContainers"]
    [mount] = init["volumeMounts"]
    folder = tmp_path / "inbound" / "jane.doe"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)
    done = subprocess.run([*init["command"][:-1], init["command"][-1].replace(mount["mountPath"], str(folder))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    info = folder.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, 2000, COURSE_FOLDERS["inbound"])
