"""The facilitator's terminal on the hub runs the guide's commands as written: a terminal
opened through the facilitator's own server (JupyterLab's terminal API and its websocket,
from a signed-in Chromium), with nothing set up by the test."""

from __future__ import annotations

import re

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


def test_the_facilitators_terminal_runs_the_guides_commands(hub, browser):
    """In a terminal opened in the facilitator's own server, do `nbgrader --version`,
    `nbgrader collect --update module-01` and `python -m leadership_course ...` run from
    ~/course/grading (no 'not found'), each ending with status 0?"""
    facilitator = hub.accounts["facilitator"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, facilitator)
        line = "; ".join(f"{command}; echo STATUS-$?" for command in GUIDE_COMMANDS) + '; echo ALL"-"DONE'
        seen = page.evaluate(RUN_IN_TERMINAL, {"base": f"/user/{facilitator.name}/", "line": line})
    finally:
        context.close()
    assert "ALL-DONE" in seen, seen[-2000:]
    assert "command not found" not in seen and "No module named" not in seen, seen[-2000:]
    assert "nbgrader version" in seen.lower(), seen[-2000:]
    assert "usage: python -m leadership_course feedback" in seen, seen[-2000:]
    statuses = re.findall(r"STATUS-(\d+)", seen)  # the echoed command line has STATUS-$?
    # cd, nbgrader --version and the course's command succeed; collect is nbgrader's own answer
    # (0, or "Course not found" while nothing has been released on this trial hub's exchange)
    assert [statuses[i] for i in (0, 1, 3)] == ["0", "0", "0"], seen[-2000:]
    assert statuses[2] == "0" or "[CollectApp" in seen, seen[-2000:]
