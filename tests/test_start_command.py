"""The start command: every option is in the README, and a taken port is passed over."""

import re
import socket
import subprocess
import sys
from pathlib import Path

from leadership_course.voila.launch import first_free_port, free_port

REPO = Path(__file__).parent.parent


def test_the_readme_lists_every_option_of_start_py():
    """Does the README's 'Run the course on your own computer' section show each option
    that ``python3 start.py --help`` offers (--lab, --port, --no-browser, --no-preheat)?"""
    shown = subprocess.run([sys.executable, str(REPO / "start.py"), "--help"], capture_output=True, text=True,
                           check=True).stdout
    options = set(re.findall(r"(--[a-z][a-z-]+)", shown.split("options:")[-1])) - {"--help"}
    assert {"--lab", "--port", "--no-browser", "--no-preheat"} <= options
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Run the course on your own computer")[1].split("\n## ")[0]
    missing = sorted(option for option in options if f"python3 start.py {option}" not in section)
    assert not missing, f"the README does not show: {missing}"


def test_a_port_in_use_is_passed_over_for_the_next_free_one():
    """Does the start command's port choice keep a free port, and pass over one that
    another program listens on?"""
    port = free_port()
    assert first_free_port(port) == port
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        chosen = first_free_port(port)
    assert chosen > port


def test_setting_up_shows_pips_messages_only_when_it_fails(capsys, monkeypatch):
    """Does the start command's set-up keep pip's routine output (build notices, index
    warnings) out of the learner's terminal, and show it, with what to do, when pip fails?"""
    import pytest

    sys.path.insert(0, str(REPO))
    try:
        import start
    finally:
        sys.path.remove(str(REPO))
    monkeypatch.setattr(start, "PYTHON", Path(sys.executable))
    start.pip("--version")
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit) as stopped:
        start.pip("install", "--no-index", "--quiet", "no-such-course-package-xyz")
    shown = capsys.readouterr().out
    assert "no-such-course-package-xyz" in shown and "ERROR" in shown
    assert "run the same command again" in str(stopped.value)


def test_an_install_counts_only_when_as_new_as_pyproject_and_the_tests_install_holds_the_course(tmp_path,
                                                                                                  monkeypatch):
    """Does the start command set up .venv again when no install, or only an older one, is
    recorded; and take the tests' install ("[test]") as the course's, but not the other way?"""
    sys.path.insert(0, str(REPO))
    try:
        import start
    finally:
        sys.path.remove(str(REPO))
    monkeypatch.setattr(start, "VENV", tmp_path)
    wanted = (REPO / "pyproject.toml").stat().st_mtime
    assert not start.installed() and not start.installed("[test]")
    (tmp_path / ".installed").write_text(str(wanted - 60))
    assert not start.installed()
    (tmp_path / ".installed").write_text(str(wanted))
    assert start.installed() and not start.installed("[test]")
    (tmp_path / ".installed").unlink()
    (tmp_path / ".installed[test]").write_text(str(wanted))
    assert start.installed() and start.installed("[test]")


def test_the_package_licence_is_an_spdx_string():
    """Is the licence an SPDX string with a setuptools that reads it (a TOML table made
    setuptools print a deprecation box three times on the first run)?"""
    import tomllib

    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert data["project"]["license"] == "MIT"
    assert data["build-system"]["requires"] == ["setuptools>=77"]
