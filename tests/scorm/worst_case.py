"""The largest record a module can hold, for measuring its copy in cmi.suspend_data.

Every activity done; every knowledge-check question answered with every option it allows
(many attempts, far-apart times); each scenario's current path the longest one, with a run
to every ending by the longest path there; every self-check answered and shown; every
reflection at its longest (20,000 characters, non-ASCII, which the copy escapes).
"""

from leadership_course.conditions import condition_holds, follow_choice
from leadership_course.content import load_activity

START = 1_764_800_000  # a moment in December 2025, as Unix seconds
LATEST = START + 600 * 24 * 3600  # far apart: 600 days later


def stamp(seconds):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def longest_paths(scenario):
    """{ending: longest path of steps to it}; raises if a path can loop (no longest path)."""
    best = {}

    def walk(place, state, path, seen):
        if place in scenario["endings"]:
            if len(path) > len(best.get(place, [])):
                best[place] = list(path)
            return
        key = (place, tuple(sorted(state.items())))
        if key in seen:
            raise AssertionError(f"{scenario['id']}: a path can come back to '{place}' with the same state")
        for index, choice in enumerate(scenario["nodes"][place]["choices"]):
            if "requires" in choice and not condition_holds(choice["requires"], state):
                continue
            target, after = follow_choice(choice, state)
            path.append({"node": place, "choice": index, "text": choice["text"]})
            walk(target, after, path, seen | {key})
            path.pop()

    walk(scenario["start"], dict(scenario.get("state") or {}), [], frozenset())
    return best


def state_after(scenario, path):
    state = dict(scenario.get("state") or {})
    for step in path:
        state = follow_choice(scenario["nodes"][step["node"]]["choices"][step["choice"]], state)[1]
    return state


def worst_entry(data):
    common = {"type": data["type"], "title": data["title"], "module": data["module"], "updated": stamp(LATEST)}
    if data["type"] == "knowledge_check":
        answers = {q["id"]: {"selected": list(range(len(q["options"]))) if q["kind"] == "multiple" else
                             [len(q["options"]) - 1], "correct": False, "attempts": 1295, "answered_at": stamp(LATEST)}
                   for q in data["questions"]}
        return {**common, "answers": answers, "score": 0, "out_of": len(answers), "completed": True}
    if data["type"] == "scenario":
        paths = longest_paths(data)
        longest = max(paths.items(), key=lambda item: len(item[1]))
        runs = [{"path": path, "ending": ending, "ending_title": data["endings"][ending]["title"],
                 "outcome": data["endings"][ending]["outcome"], "state": state_after(data, path),
                 "finished_at": stamp(LATEST)} for ending, path in paths.items()]
        return {**common, "path": longest[1], "place": longest[0], "state": state_after(data, longest[1]),
                "runs": runs, "completed": True}
    if data["type"] == "self_check":
        items = [i["id"] for d in data["dimensions"] for i in d["items"]]
        return {**common, "responses": {item: len(data["scale"]) for item in items},
                "scores": {d["id"]: 3.67 for d in data["dimensions"]}, "results_shown": True, "completed": True,
                "labels": {d["id"]: d["label"] for d in data["dimensions"]}, "scale_top": len(data["scale"]),
                "completed_at": stamp(LATEST)}
    return {**common, "kind": data.get("kind", "reflection"), "prompt": data["prompt"], "text": "é" * 20_000,
            "saved_at": stamp(LATEST), "completed": True}


def worst_record(activity_ids):
    """The record, with one early time so that every time in the copy is far from the first."""
    activities = {a: worst_entry(load_activity(a)) for a in activity_ids}
    first = next(iter(activities.values()))
    first["updated"] = stamp(START)
    return {"version": 1, "activities": activities, "set_aside": [], "pages_opened": {}}
