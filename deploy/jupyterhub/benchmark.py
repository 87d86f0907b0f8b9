#!/usr/bin/env python3
"""Sizing figures for the course hub, measured on this machine (as root, after
`python3 run_tests.py` or `deploy/jupyterhub/install.py --environment-only .venv-hub`):

    .venv/bin/python deploy/jupyterhub/benchmark.py [--learners 20] [--seconds 60] [--json out.json]
    .venv/bin/python deploy/jupyterhub/benchmark.py --only neighbour [--neighbour-rounds 8]

A trial hub (leadership_course/hub/trial.py) with real accounts, signed in through the hub's
login page in a headless Chromium:

1. floor: a learner signs in to a notebook of their own holding one button (an almost
   empty Voila page), one after another;
2. course: a learner signs in to the course home, one after another (in turn with the floor's);
3. warm: the same learners sign in again while their servers are running (floor, then course);
4. neighbour: in each of ``--neighbour-rounds`` rounds, one learner signs in to the course home
   alone and another while a third learner runs four busy loops in their own server's cgroup
   (as from its terminal, once that server is past its start: limits.py's CPU weights). The
   two take turns at going first, so a change in the machine's load touches both alike. Each
   round gives a ratio (with loops / alone); the median ratio and its range are reported, with
   the load average before each sign-in. These learners' servers are stopped after their
   sign-ins, so every round starts from the same machine;
5. cohort: ``--learners`` learners sign in to the course home within ``--seconds``, evenly
   spaced, all at once in the browser.

For each it reports the time from the login page to the page's widgets drawn, and the memory
of the learner's server and kernel (PSS, summed over the processes in their cgroup); and the
machine's cores and load average (1 minute) at the start and the end.
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
from leadership_course.hub.limits import RUNNING_WEIGHT, Limits  # noqa: E402
from leadership_course.hub.spawner import CourseSpawner  # noqa: E402

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


def stop_server(hub, account, timeout_s: float = 60) -> None:
    """Stop the account's server through the hub's API and wait until it has gone."""
    try:
        hub.api(f"/users/{account.name}/server", method="DELETE")
    except OSError:  # a server that never started
        pass
    deadline = time.monotonic() + timeout_s
    while hub.servers(account.name) and time.monotonic() < deadline:
        time.sleep(0.5)


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


async def neighbour_rounds(browser, hub, busy, pairs, page: str) -> dict:
    """Each round, one learner of the pair signs in alone and the other while ``busy`` runs
    four busy loops; they take turns at going first. The ratio of each round, its median and range."""
    limits, settled_by = Limits(), time.monotonic() + CourseSpawner.start_cpu_seconds.default_value + 30
    while limits.cpu_weight_of(busy.name) != RUNNING_WEIGHT and time.monotonic() < settled_by:
        await asyncio.sleep(1)  # the busy learner's server is past its start, as one working for a while
    rounds = []
    for number, (alone, beside) in enumerate(pairs, 1):
        order = (("alone", alone), ("busy", beside)) if number % 2 else (("busy", beside), ("alone", alone))
        times = {}
        for side, account in order:
            load = os.getloadavg()[0]  # before this round's loops add to it
            loops = busy_loops(busy) if side == "busy" else []
            try:
                await asyncio.sleep(2)  # the loops reach their quota (the same pause alone)
                result = await sign_in(browser, hub, account, page)
            finally:
                for loop in loops:
                    loop.kill()
                    loop.wait(10)
            times[side] = {**result, "load_average": round(load, 2)}
            stop_server(hub, account)
        ratio = (round(times["busy"]["seconds"] / times["alone"]["seconds"], 2)
                 if times["alone"]["seconds"] and times["busy"]["seconds"] else None)
        rounds.append({"round": number, "first": order[0][0], **{f"{side}_s": times[side]["seconds"] for side in times},
                       "ratio": ratio, "load_average": [times["alone"]["load_average"], times["busy"]["load_average"]]})
        print(f"  neighbour round {number}: {rounds[-1]}", flush=True)
    ratios = [r["ratio"] for r in rounds if r["ratio"] is not None]
    alone = [r["alone_s"] for r in rounds if r["alone_s"] is not None]
    beside = [r["busy_s"] for r in rounds if r["busy_s"] is not None]
    loads = [load for r in rounds for load in r["load_average"]]
    out = {"rounds": len(rounds), "measured": len(ratios), "alone_median_s": median(alone),
           "busy_median_s": median(beside), "alone_range_s": spread(alone), "busy_range_s": spread(beside),
           "ratio_median": median(ratios), "ratio_range": spread(ratios),
           "load_average_range": spread(loads)}
    return {**out, "details": rounds}


def median(values):
    return round(statistics.median(values), 2) if values else None


def spread(values):
    return [min(values), max(values)] if values else None


async def measure(hub, learners: int, seconds: float, rounds: int, neighbour_pairs: int, only: str | None) -> dict:
    from playwright.async_api import async_playwright

    names = sorted(hub.accounts)
    warm, floor, course = names[0], names[1:1 + rounds], names[1 + rounds:1 + 2 * rounds]
    neighbour = names[1 + 2 * rounds:1 + 2 * rounds + 2 * neighbour_pairs]
    cohort = names[1 + 2 * rounds + 2 * neighbour_pairs:]
    pairs = [(hub.accounts[a], hub.accounts[b]) for a, b in zip(neighbour[::2], neighbour[1::2])]
    for key in floor:
        account = hub.accounts[key]
        done = account.run("sh", "-c", f"mkdir -p ~/course && cat > ~/course/floor.ipynb",
                           input=json.dumps(FLOOR_NOTEBOOK))
        assert done.returncode == 0, done.stderr
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        home = "voila/render/course_home.ipynb"
        await sign_in(browser, hub, hub.accounts[warm], home)  # not counted: fills the disk cache
        if only == "neighbour":
            neighbour = await neighbour_rounds(browser, hub, hub.accounts[warm], pairs, home)
            await browser.close()
            return {"neighbour": {k: v for k, v in neighbour.items() if k != "details"},
                    "details": {"neighbour": neighbour["details"]}}
        floor_results, course_results, warm_floor, warm_course = [], [], [], []
        for results in ((floor_results, course_results), (warm_floor, warm_course)):  # cold, then warm
            for f, c in zip(floor, course):  # in turn, so a change in the machine's load touches both alike
                results[0].append(await sign_in(browser, hub, hub.accounts[f], "voila/render/floor.ipynb"))
                results[1].append(await sign_in(browser, hub, hub.accounts[c], home))
        neighbour = await neighbour_rounds(browser, hub, hub.accounts[warm], pairs, home)
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
            "neighbour": {k: v for k, v in neighbour.items() if k != "details"},
            "cohort": {**summary(cohort_results), "learners": len(cohort), "within_s": seconds,
                       "wall_s": cohort_wall, "all_servers_memory_mb": round(total, 1)},
            "details": {"floor": floor_results, "course": course_results, "warm_floor": warm_floor,
                        "warm_course": warm_course, "neighbour": neighbour["details"], "cohort": cohort_results}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=20, help="learners signing in together (default 20)")
    parser.add_argument("--seconds", type=float, default=60, help="within this many seconds (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="sign-ins each for the floor and the course")
    parser.add_argument("--neighbour-rounds", type=int, default=8,
                        help="rounds of a sign-in alone and one beside busy loops (default 8)")
    parser.add_argument("--only", choices=["neighbour"], help="measure only this part")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.only == "neighbour":
        args.rounds = args.learners = 0
    total = 1 + 2 * args.rounds + 2 * args.neighbour_rounds + args.learners
    machine = {"cores": os.cpu_count(), "load_average_start": round(os.getloadavg()[0], 2)}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a stop request still removes the accounts
    try:
        with trial.cohort(learners=total, facilitators=0, settings=("memory_limit_mb = 1024",)) as hub:
            results = asyncio.run(measure(hub, args.learners, args.seconds, args.rounds, args.neighbour_rounds,
                                          args.only))
    except trial.TrialError as error:
        print(error, file=sys.stderr)
        return 1
    results["machine"] = {**machine, "load_average_end": round(os.getloadavg()[0], 2)}
    for part in ("machine", "floor", "course", "warm_floor", "warm_course", "neighbour", "cohort"):
        if part in results:
            print(f"{part:11} {json.dumps(results[part])}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
