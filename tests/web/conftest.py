"""The web edition, built once and served from a sub-path by a plain static server
(python -m http.server), for the tests in this folder.

* ``web_site``: the built site: ``web_site.url(page)`` is its address under
  ``/nhs/learning/course/`` on 127.0.0.1, ``web_site.folder`` the files.
* ``web_page``: a fresh browser context and page (see browser_helpers.new_course_page) in
  which every request to another host is stopped and noted in ``page.blocked``.
"""

import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_helpers import is_local_url, new_course_page

SUB_PATH = "nhs/learning/course"


@dataclass
class WebSite:
    folder: Path
    port: int

    def url(self, page="course_home.html"):
        return f"http://127.0.0.1:{self.port}/{SUB_PATH}/{page}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def web_site(tmp_path_factory):
    from leadership_course.web.build import build_site

    root = tmp_path_factory.mktemp("web")
    folder = root / SUB_PATH
    build_site(folder)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    site = WebSite(folder, port)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(site.url(), timeout=5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.2)
    yield site
    server.terminate()
    server.wait(10)


@pytest.fixture
def web_page(browser):
    context, page = new_course_page(browser)
    page.blocked = []

    def route(route_):
        if is_local_url(route_.request.url):
            route_.continue_()
        else:
            page.blocked.append(route_.request.url)
            route_.abort()

    context.route("**/*", route)
    yield page
    context.close()


@pytest.fixture
def axe():
    """``axe(page)`` -> every axe-core violation as readable text (browser_helpers.axe_violations)."""
    from browser_helpers import axe_violations

    return axe_violations


@pytest.fixture
def keys_for():
    """``keys_for(page)``: keyboard-only moves (browser_helpers.Keys)."""
    from browser_helpers import Keys

    return Keys
