"""A trust's marking copy on a laptop: its own keys and marks in a private folder outside the
course, found by the grading commands through COURSE_GRADING_DIR (real commands, real nbgrader)."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent.parent
BIN = Path(sys.executable).parent


def course(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "leadership_course", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})})


def test_the_marking_copy_is_private_and_holds_no_rounds(tmp_path):
    """Does `marking-copy` copy grading/ (keys, sources) into a folder only its owner opens,
    without any gradebook, round or learner's work, and never over an existing folder?"""
    source = tmp_path / "course" / "grading"
    shutil.copytree(REPO / "grading", source, ignore=shutil.ignore_patterns("gradebook.db", "release", "submitted"))
    (source / "gradebook.db").write_text("the course folder's own marks")
    (source / "submitted" / "ab12").mkdir(parents=True)
    target = tmp_path / "mine" / "marking"
    done = course("marking-copy", str(target), "--course-dir", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"export COURSE_GRADING_DIR={target}" in done.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert (target / "keys" / "module-01.yaml").read_text() == (source / "keys" / "module-01.yaml").read_text()
    assert (target / "nbgrader_config.py").is_file()
    assert not (target / "gradebook.db").exists() and not (target / "submitted").exists()
    again = course("marking-copy", str(target), "--course-dir", str(source), cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stdout


def test_a_marking_copy_inside_the_course_is_refused(tmp_path):
    """Is a marking copy inside the course folder (which learners may get a copy of) refused?"""
    source = tmp_path / "course" / "grading"
    shutil.copytree(REPO / "grading", source, ignore=shutil.ignore_patterns("gradebook.db", "release"))
    done = course("marking-copy", str(tmp_path / "course" / "modules" / "marks"), "--course-dir", str(source),
                  cwd=tmp_path)
    assert done.returncode == 1 and "inside the course folder" in done.stdout
    assert not (tmp_path / "course" / "modules" / "marks").exists()


def test_the_grading_commands_use_the_marking_copy_named_by_the_variable(tmp_path):
    """With COURSE_GRADING_DIR set, does a grading command run from anywhere (here the public
    course's own grading/) register the cohort in the marking copy and nowhere else?"""
    public = tmp_path / "course" / "grading"
    shutil.copytree(REPO / "grading", public, ignore=shutil.ignore_patterns("gradebook.db", "release"))
    marking = tmp_path / "private" / "marking"
    assert course("marking-copy", str(marking), "--course-dir", str(public), cwd=tmp_path).returncode == 0
    roster = tmp_path / "private" / "roster.csv"
    roster.write_text("id,first_name,last_name\nab12,Asha,Bhatt\n")
    done = course("roster", "import", str(roster), cwd=public, env={"COURSE_GRADING_DIR": str(marking)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (marking / "gradebook.db").is_file() and not (public / "gradebook.db").exists()
    missing = course("roster", "list", cwd=public, env={"COURSE_GRADING_DIR": str(tmp_path / "nowhere")})
    assert missing.returncode == 2 and "COURSE_GRADING_DIR names" in missing.stdout
