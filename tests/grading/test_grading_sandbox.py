"""Does the kernel that grades a submission see only its own folder, read-only, as an
unprivileged account when grading runs as root?"""

import json
import os
import shutil

import pytest

from leadership_course.grading.sandbox import SandboxedKernelManager, bwrap_path

PROBE = """
import json, os
found = {}
for name, path in PATHS.items():
    try:
        with open(path) as stream:
            stream.read()
        found[name] = "read"
    except OSError as error:
        found[name] = type(error).__name__
try:
    open("answers.json", "w").write("{}")
    found["write-own-folder"] = "written"
except OSError as error:
    found["write-own-folder"] = type(error).__name__
found["uid"] = os.getuid()
import leadership_course.grading.marking
found["engine"] = "imported"
print(json.dumps(found))
"""


def run_in_grading_kernel(folder, code):
    manager = SandboxedKernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(folder))
    client = manager.client()
    client.start_channels()
    outputs = []
    try:
        client.wait_for_ready(timeout=60)
        client.execute_interactive(code, timeout=60, output_hook=lambda msg: outputs.append(msg))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")


def test_grading_kernel_reads_only_its_own_submission(tmp_path):
    """Can the grading kernel read its own answers but not a key beside the course, another
    learner's folder or the home folder, and write nothing, even its own answers?"""
    assert bwrap_path(), "bubblewrap is needed for the grading sandbox (run_tests.py installs it)"
    own = tmp_path / "autograded" / "ab12" / "module-01"
    other = tmp_path / "autograded" / "cd34" / "module-01"
    keys = tmp_path / "keys"
    for folder in (own, other, keys):
        folder.mkdir(parents=True)
    (own / "answers.json").write_text("{}")
    (other / "answers.json").write_text("{}")
    (keys / "module-01.yaml").write_text("answers: secret")
    paths = {"own-answers": str(own / "answers.json"), "other-learner": str(other / "answers.json"),
             "answer-key": str(keys / "module-01.yaml"), "home": os.path.expanduser("~/.bashrc")}
    text = run_in_grading_kernel(own, f"PATHS = {json.dumps(paths)}\n{PROBE}")
    found = json.loads(text.strip().splitlines()[-1])
    assert found["own-answers"] == "read" and found["engine"] == "imported"
    assert found["other-learner"] != "read" and found["answer-key"] != "read" and found["home"] != "read"
    assert found["write-own-folder"] != "written"
    assert (own / "answers.json").read_text() == "{}"
    if os.geteuid() == 0:
        assert found["uid"] != 0


def test_sandbox_can_be_required(monkeypatch, tmp_path):
    """Where bwrap is missing, does a sandbox marked required refuse to grade rather than run unguarded?"""
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    manager = SandboxedKernelManager(kernel_name="python3", required=True)
    with pytest.raises(RuntimeError, match="not sandboxed"):
        manager.start_kernel(cwd=str(tmp_path))
