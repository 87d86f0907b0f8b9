"""Do the web edition's rules (leadership_course/web/static/engine.js and record.js) give
the same answers as the Python engine, for every scenario path, every knowledge-check
answer, self-check answers and damaged records?

pytest works out the Python answers and writes them to a JSON file; Node's own test runner
(parity.test.js) computes the same with the web edition's scripts and compares. A change
to the content, to Python or to JavaScript that breaks parity fails here."""

import itertools
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from leadership_course.components.knowledge_check import score_answer, valid_selection
from leadership_course.components.scenario import ScenarioWalk
from leadership_course.components.self_check import dimension_scores
from leadership_course.content import find_content_dir, load_activity
from leadership_course.record_check import check_record

HERE = Path(__file__).parent
CONTENT = find_content_dir(Path(__file__).parent.parent / "modules")


def activities(kind):
    return [load_activity(path.stem, kind, CONTENT) for path in sorted(CONTENT.glob("*.yaml"))
            if f"type: {kind}" in path.read_text(encoding="utf-8")]


def scenario_paths(scenario):
    """Every path of choices from the start to an ending, as the checker's walk follows them."""
    walk = ScenarioWalk(scenario)
    paths, waiting = [], [[]]
    while waiting:
        choices = waiting.pop()
        _, place, state = walk.replay([{"node": n, "choice": c} for n, c in choices])
        if place in walk.endings:
            paths.append(choices)
            continue
        waiting.extend(choices + [(place, i)] for i in walk.open_choices(place, state))
    return paths


def scenario_case(scenario):
    walk = ScenarioWalk(scenario)
    cases = []
    for choices in scenario_paths(scenario):
        steps = []
        for length in range(len(choices) + 1):
            kept, place, state = walk.replay([{"node": n, "choice": c} for n, c in choices[:length]])
            offered = [] if place in walk.endings else walk.open_choices(place, state)
            steps.append({"place": place, "state": state, "offered": offered, "kept": len(kept)})
        cases.append({"choices": [c for _, c in choices], "steps": steps, "ending": steps[-1]["place"]})
    # A saved path that no longer fits (a wrong node, a choice not on offer) is cut where it stops fitting.
    broken = [{"node": scenario["start"], "choice": 99}, {"node": "nowhere", "choice": 0}]
    kept, place, state = walk.replay(broken)
    return {"scenario": scenario, "paths": cases, "broken": {"path": broken, "kept": len(kept), "place": place,
                                                               "state": state}}


def question_cases(question):
    count = len(question["options"])
    sizes = range(1, count + 1) if question["kind"] == "multiple" else [1]
    selections = [list(s) for size in sizes for s in itertools.combinations(range(count), size)]
    selections += [[], [count], [0, 0], [True]]
    return [{"selected": s, "correct": score_answer(question, [i for i in s if isinstance(i, int)])
             if s and all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < count for i in s) else None,
             "valid": valid_selection(question, s)} for s in selections]


def self_check_cases(self_check, rng):
    top = len(self_check["scale"])
    items = [item["id"] for d in self_check["dimensions"] for item in d["items"]]
    sets = [{i: v for i in items} for v in range(1, top + 1)]
    sets += [{i: rng.randint(1, top) for i in items} for _ in range(60)]
    sets += [{i: rng.randint(1, top) for i in items[: len(items) // 2]}, {items[0]: 0, items[1]: top + 1},
             {i: 2 for i in items[1:]}]
    return [{"responses": r, "scores": dimension_scores(self_check, r)} for r in sets]


def record_cases():
    """Records cut off or damaged at many places, as Python reads them."""
    record = {"version": 1, "activities": {
        "four-behaviours-check": {"type": "knowledge_check", "title": "Check", "module": 1, "score": 1, "out_of": 2,
                                  "answers": {"q1": {"selected": [1], "correct": True, "attempts": 1}},
                                  "updated": "2026-12-01T10:00:00+00:00"},
        "busy-shift-scenario": {"type": "scenario", "title": "Shift", "module": 1, "path": [{"node": "arrival", "choice": 0}],
                                "runs": [], "state": {"trust": 1}, "updated": "2026-12-01T10:05:00+00:00"},
        "module-1-reflection": {"type": "reflection", "title": "Reflection", "module": 1, "text": "Ward rounds, twice.",
                                "updated": "2026-12-01T10:06:00+00:00"},
        "bad-fields": {"type": "reflection", "module": "one", "completed": "yes", "text": "kept", "updated": "not a time"},
        "Not An Id": {"type": "reflection"}},
        "set_aside": [], "pages_opened": {"01_why_compassion.ipynb": {"first": "2026-12-01T09:59:00+00:00",
                                                                      "last": "2026-12-01T10:06:00+00:00"},
                                          "../escape.ipynb": {"first": "x", "last": "y"}}}
    text = json.dumps(record, ensure_ascii=False, indent=1)
    texts = [text] + [text[:cut] for cut in range(40, len(text), 37)]
    texts += [text.replace('"attempts": 1', '"attempts": 1,,'), "not json", "[]", '{"version": 9, "activities": {}}',
              '{"activities": {"a-b": {"text": "<script>x</script>"}}}']
    cases = []
    for raw in texts:
        for chosen in (False, True):
            checked = check_record(raw.encode("utf-8"), chosen=chosen)
            cases.append({"text": raw, "chosen": chosen, "refused": checked.refused is not None,
                          "activities": checked.record["activities"] if checked.record else None,
                          "damaged": sorted(f"{d['activity']}|{d.get('field')}|{d.get('page')}" for d in checked.damaged),
                          "problems": len(checked.problems)})
    return cases


def test_web_rules_match_python_for_all_content(tmp_path):
    """Does engine.js reach the same state, offer the same choices and reach the same ending as
    Python on every path of every scenario; score every knowledge-check answer set the same;
    give every self-check the same scores; and does record.js keep the same entries of a
    damaged record as record_check.py?"""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("Node.js is needed for the web edition's parity test (Debian: apt-get install nodejs)")
    rng = random.Random(23)
    scenarios = [scenario_case(s) for s in activities("scenario")]
    checks = [{"question": q, "cases": question_cases(q)} for a in activities("knowledge_check") for q in a["questions"]]
    self_checks = [{"self_check": s, "cases": self_check_cases(s, rng)} for s in activities("self_check")]
    assert scenarios and checks and self_checks
    assert sum(len(s["paths"]) for s in scenarios) > 100, "every path of every scenario is compared"
    cases = tmp_path / "parity.json"
    cases.write_text(json.dumps({"scenarios": scenarios, "checks": checks, "self_checks": self_checks,
                                 "records": record_cases()}), encoding="utf-8")
    result = subprocess.run([node, "--test", str(HERE / "parity.test.js")], capture_output=True, text=True,
                            env={"PARITY_CASES": str(cases), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout and "# pass 4" in result.stdout, result.stdout[-2000:]
