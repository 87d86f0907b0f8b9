#!/usr/bin/env python3
"""Sizing figures for the course hub, measured on this machine (as root, after
`python3 run_tests.py` or `deploy/jupyterhub/install.py --environment-only .venv-hub`):

    .venv/bin/python deploy/jupyterhub/benchmark.py [--learners 20] [--seconds 60] [--json out.json]

A trial hub (leadership_course/hub/trial.py) with real accounts, signed in through the hub's
login page in a headless Chromium:

1. floor: a learner signs in to a notebook of their own holding one button (an almost
   empty Voila page), one after another;
2. course: a learner signs in to the course home, one after another (in turn with the floor's);
3. warm: the same learners sign in again while their servers are running (floor, then course);
4. neighbour: learners sign in to the course home, one after another, while another learner
   runs four busy loops in their own server's cgroup (as from its terminal);
5. cohort: ``--learners`` learners sign in to the course home within ``--seconds``, evenly
   spaced, all at once in the browser.

For each it reports the time from the login page to the page's widgets drawn, and the memory
of the learner's server and kernel (PSS, summed over the processes in their cgroup).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from leadership_course.hub import trial  # noqa: E402
from leadership_course.hub.limits import Limits  # noqa: E402

FLOOR_NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "ready", "metadata": {},
                             "outputs": [], "source": "import ipywidgets\nipywidgets.Button(description='Ready')"}],
                  "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
                  "nbformat": 4, "nbformat_minor": 5}
#: Voila has run the page and drawn its widgets: every output filled, at least one a widget.
DRAWN = """() => {
  const cells = document.getElementById("rendered_cells");
  if (!cells || getComputedStyle(cells).display === "none" || document.getElementById("loading")) return false;
  const outputs = Array.from(document.querySelectorAll(".jp-OutputArea-output"));
  return outputs.length > 0 && outputs.every((o) => o.childElementCount > 0 || o.textContent.trim() !== "")
    && document.querySelector(".jp-OutputArea-output .jupyter-widgets") !== null;
}"""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = int(os.environ.get("COURSE_BENCHMARK_TIMEOUT_MS", 180_000))
DEBUG = bool(os.environ.get("COURSE_BENCHMARK_DEBUG"))


def memory_mb(name: str) -> float:
    """PSS of every process in the account's memory cgroup (its server and kernels), in MB."""
    total = 0
    for pid in Limits().pids_of(name):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def busy_loops(account, count: int = 4) -> list[subprocess.Popen]:
    """``count`` busy loops as ``account``, in its server's cgroups (as if started from its terminal)."""
    groups = list(Limits().groups(account.name).values())
    uid, gid = account.ids
    return [subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", "/usr/bin/python3",
                              "-c", "while True: pass"], preexec_fn=lambda: Limits.join(groups))
            for _ in range(count)]


async def sign_in(browser, hub, account, target: str) -> dict:
    """Seconds from the login page to ``target`` with its widgets drawn; None if not served."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    started = time.monotonic()
    try:
        after = quote(f"/hub/spawn/{account.name}?next=" + quote(f"/user/{account.name}/{target}", safe=""), safe="")
        await page.goto(f"{hub.url}/hub/login?next={after}")  # start the server, then open the page
        await page.fill("#username_input", account.name)
        await page.fill("#password_input", account.password)
        await page.click("#login_submit")
        await page.wait_for_url(f"**/user/{account.name}/{target}", timeout=TIMEOUT_MS)
        await page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
        seconds = round(time.monotonic() - started, 2)
    except Exception as error:  # reported as not served
        if DEBUG:
            await page.screenshot(path=f"/tmp/bench-{account.name}.png")
            Path(f"/tmp/bench-{account.name}.html").write_text(await page.content())
        await context.close()
        print(f"  {account.name}: not served ({str(error).splitlines()[0]})", flush=True)
        return {"account": account.name, "seconds": None, "error": str(error).splitlines()[0]}
    await asyncio.sleep(3)  # the page settles: every widget drawn, the kernel idle
    result = {"account": account.name, "seconds": seconds, "memory_mb": memory_mb(account.name)}
    print(f"  {account.name} {target}: {result}", flush=True)
    await context.close()
    return result


def summary(results):
    served = [r["seconds"] for r in results if r["seconds"] is not None]
    memory = [r["memory_mb"] for r in results if r.get("memory_mb")]
    out = {"served": len(served), "of": len(results)}
    if served:
        ordered = sorted(served)
        out.update(median_s=round(statistics.median(ordered), 2),
                   p95_s=ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
                   max_s=ordered[-1])
    if memory:
        out.update(median_memory_mb=round(statistics.median(memory), 1), max_memory_mb=max(memory))
    return out


async def measure(hub, learners: int, seconds: float, rounds: int) -> dict:
    from playwright.async_api import async_playwright

    names = sorted(hub.accounts)
    warm, floor, course = names[0], names[1:1 + rounds], names[1 + rounds:1 + 2 * rounds]
    neighbour, cohort = names[1 + 2 * rounds:1 + 3 * rounds], names[1 + 3 * rounds:]
    for key in floor:
        account = hub.accounts[key]
        done = account.run("sh", "-c", f"mkdir -p ~/course && cat > ~/course/floor.ipynb",
                           input=json.dumps(FLOOR_NOTEBOOK))
        assert done.returncode == 0, done.stderr
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        home = "voila/render/course_home.ipynb"
        await sign_in(browser, hub, hub.accounts[warm], home)  # not counted: fills the disk cache
        floor_results, course_results, warm_floor, warm_course = [], [], [], []
        for results in ((floor_results, course_results), (warm_floor, warm_course)):  # cold, then warm
            for f, c in zip(floor, course):  # in turn, so a change in the machine's load touches both alike
                results[0].append(await sign_in(browser, hub, hub.accounts[f], "voila/render/floor.ipynb"))
                results[1].append(await sign_in(browser, hub, hub.accounts[c], home))
        loops = busy_loops(hub.accounts[warm])
        try:
            neighbour_results = [await sign_in(browser, hub, hub.accounts[k], home) for k in neighbour]
        finally:
            for loop in loops:
                loop.kill()
                loop.wait(10)
        spacing = seconds / max(1, len(cohort))

        async def later(index, key):
            await asyncio.sleep(index * spacing)
            return await sign_in(browser, hub, hub.accounts[key], home)

        started = time.monotonic()
        cohort_results = await asyncio.gather(*(later(i, k) for i, k in enumerate(cohort)))
        cohort_wall = round(time.monotonic() - started, 1)
        await browser.close()
    total = sum(memory_mb(hub.accounts[k].name) for k in names)
    return {"floor": summary(floor_results), "course": summary(course_results),
            "warm_floor": summary(warm_floor), "warm_course": summary(warm_course),
            "neighbour": summary(neighbour_results),
            "cohort": {**summary(cohort_results), "learners": len(cohort), "within_s": seconds,
                       "wall_s": cohort_wall, "all_servers_memory_mb": round(total, 1)},
            "details": {"floor": floor_results, "course": course_results, "warm_floor": warm_floor,
                        "warm_course": warm_course, "neighbour": neighbour_results, "cohort": cohort_results}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=20, help="learners signing in together (default 20)")
    parser.add_argument("--seconds", type=float, default=60, help="within this many seconds (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="sign-ins each for the floor and the course")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    total = 1 + 3 * args.rounds + args.learners
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a stop request still removes the accounts
    try:
        with trial.cohort(learners=total, facilitators=0, settings=("memory_limit_mb = 1024",)) as hub:
            results = asyncio.run(measure(hub, args.learners, args.seconds, args.rounds))
    except trial.TrialError as error:
        print(error, file=sys.stderr)
        return 1
    for part in ("floor", "course", "warm_floor", "warm_course", "neighbour", "cohort"):
        print(f"{part:11} {json.dumps(results[part])}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
