"""The facilitator's JupyterLab on the hub: its terminal runs the guide's commands as written (a
terminal opened through the facilitator's own server: JupyterLab's terminal API and its
websocket, from a signed-in Chromium, with nothing set up by the test), it does not ask
about Jupyter's news (which would fetch from the internet), and the facilitator's course
home points to formgrader rather than offering assessments to get."""

from __future__ import annotations

import json
import re

import pytest

from browser_helpers import new_course_page
from test_hub_cohort import sign_in

#: docs/facilitator-guide/hub.md, step 3 and step 5, as written there.
GUIDE_COMMANDS = ["cd ~/course/grading", "nbgrader --version", "nbgrader collect --update module-01",
                  "python -m leadership_course feedback --help"]

#: What JupyterLab's terminal does: POST api/terminals, then talk over terminals/websocket/<name>.
RUN_IN_TERMINAL = """async ({base, line}) => {
  for (let i = 0; i < 100 && !/(^|;\\s*)_xsrf=/.test(document.cookie); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const xsrf = decodeURIComponent(document.cookie.match(/(?:^|;\\s*)_xsrf=([^;]+)/)[1]);
  const made = await fetch(base + "api/terminals", {method: "POST", credentials: "same-origin",
                                                   headers: {"X-XSRFToken": xsrf}});
  if (!made.ok) { return "could not open a terminal: " + made.status; }
  const name = (await made.json()).name;
  const socket = new WebSocket(location.origin.replace(/^http/, "ws") + base + "terminals/websocket/" + name);
  let seen = "";
  return await new Promise((resolve) => {
    const done = (text) => { socket.close(); resolve(text); };
    socket.onopen = () => socket.send(JSON.stringify(["stdin", line + "\\r"]));
    socket.onmessage = (event) => {
      const [kind, text] = JSON.parse(event.data);
      if (kind === "stdout") { seen += text; }
      if (seen.includes("ALL" + "-DONE")) { done(seen); }
    };
    socket.onclose = () => resolve(seen);
    setTimeout(() => done(seen + "\\n(timed out)"), 150000);
  });
}"""


@pytest.fixture(scope="module")
def facilitator_page(hub, browser):
    """The facilitator, signed in to the hub in Chromium (on the course home)."""
    facilitator = hub.accounts["facilitator"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, facilitator)
        yield page, f"/user/{facilitator.name}/"
    finally:
        context.close()


def test_the_facilitators_terminal_runs_the_guides_commands(facilitator_page):
    """In a terminal opened in the facilitator's own server, do `nbgrader --version`,
    `nbgrader collect --update module-01` and `python -m leadership_course ...` run from
    ~/course/grading (no 'not found'), each ending with status 0?"""
    page, base = facilitator_page
    line = "; ".join(f"{command}; echo STATUS-$?" for command in GUIDE_COMMANDS) + '; echo ALL"-"DONE'
    seen = page.evaluate(RUN_IN_TERMINAL, {"base": base, "line": line})
    assert "ALL-DONE" in seen, seen[-2000:]
    assert "command not found" not in seen and "No module named" not in seen, seen[-2000:]
    assert "nbgrader version" in seen.lower(), seen[-2000:]
    assert "usage: python -m leadership_course feedback" in seen, seen[-2000:]
    statuses = re.findall(r"STATUS-(\d+)", seen)  # the echoed command line has STATUS-$?
    # cd, nbgrader --version and the course's command succeed; collect is nbgrader's own answer
    # (0, or "Course not found" while nothing has been released on this trial hub's exchange)
    assert [statuses[i] for i in (0, 1, 3)] == ["0", "0", "0"], seen[-2000:]
    assert statuses[2] == "0" or "[CollectApp" in seen, seen[-2000:]


def test_jupyterlab_does_not_ask_about_jupyter_news(facilitator_page):
    """Is JupyterLab's news plugin (its prompt, and fetching news from the internet) turned off
    in the page JupyterLab is served with?"""
    page, base = facilitator_page
    lab = page.context.new_page()
    try:
        lab.goto(page.url.split("/user/")[0] + base + "lab", wait_until="domcontentloaded")
        config = json.loads(lab.locator("#jupyter-config-data").text_content())
    finally:
        lab.close()
    assert "@jupyterlab/apputils-extension:announcements" in config["disabledExtensions"], config["disabledExtensions"]


def test_the_facilitators_course_home_points_to_formgrader_not_to_assessments_to_get(facilitator_page):
    """Does the facilitator's own course home say where they release assessments (formgrader),
    instead of offering them "Assessments from your facilitator"?"""
    page, _ = facilitator_page
    assert page.get_by_role("heading", name="Assessments you release").count() == 1
    assert page.get_by_text("Assessments from your facilitator").count() == 0
    assert page.get_by_role("button", name="Get this assessment").count() == 0
