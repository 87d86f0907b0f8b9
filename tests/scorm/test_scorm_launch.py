"""Does scorm.js tell a real SCORM 1.2 runtime the right things? Its launch logic (status and
its never going back, pass mark, score, exit, interactions sent once and again when not
committed, session time, an absent or throwing API) against scorm-again's Scorm12API in
Node's own test runner (launch.test.mjs), with module 1's book. No browser."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from leadership_course.content import load_course
from leadership_course.web.scorm import book

HERE = Path(__file__).parent
RUNTIME = HERE.parents[1] / ".npm-test" / "node_modules" / "scorm-again" / "dist" / "esm" / "scorm12.js"


def test_launch_logic_against_scorm_again(tmp_path):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("Node.js is needed (Debian: apt-get install nodejs)")
    if not RUNTIME.is_file():
        pytest.fail(f"scorm-again is not in {RUNTIME.parents[2]}: run python3 run_tests.py, which installs it")
    module = next(m for m in load_course()["modules"] if m["number"] == 1)
    (tmp_path / "book.json").write_text(json.dumps(book(module["activities"], "t")), encoding="utf-8")
    result = subprocess.run([node, "--test", str(HERE / "launch.test.mjs")], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "SCORM_BOOK": str(tmp_path / "book.json")})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout and "# pass 9" in result.stdout
