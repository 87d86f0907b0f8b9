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
