"""The learner's journal: their record as a readable HTML document, and the raw JSON.

Learner text is always escaped. The document is self-contained (no outside requests)."""

import json

from .components.common import escape
from .components.scenario import OUTCOME_NAMES
from .components.self_check import results_alt

JOURNAL_STYLE = (
    "body{font-family:system-ui,sans-serif;font-size:1rem;max-width:48rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#111;overflow-wrap:anywhere}h1,h2,h3{line-height:1.25}"
    "blockquote{border-left:4px solid #555;margin:0;padding:0 1rem;white-space:pre-wrap}"
    "table{border-collapse:collapse;max-width:100%}th,td{border:1px solid #555;padding:4px 8px;text-align:left}"
    ".chart{max-width:30rem;margin:1rem 0}.bar-label{display:block}.bar-row{margin-bottom:.5rem}"
    ".bar-track{display:inline-block;width:calc(100% - 3rem);border-left:2px solid #111;vertical-align:middle}"
    ".bar{display:block;height:1.25rem;background:#0072B2;border:1px solid #111;box-sizing:border-box}"
    ".bar-value{display:inline-block;width:2.5rem;margin-left:.5rem}"
    ".bar-scale{display:flex;justify-content:space-between;width:calc(100% - 3rem)}"
)


def _module_entries(record, course):
    """[(module, [(activity id, entry)])] in course order, then anything not in the course map."""
    activities = record.get("activities", {})
    placed, grouped = set(), []
    for module in course.get("modules", []):
        entries = [(a, activities[a]) for a in module.get("activities") or [] if a in activities]
        placed.update(a for a, _ in entries)
        grouped.append((module, entries))
    others = [(a, e) for a, e in activities.items() if a not in placed]
    if others:
        grouped.append(({"number": None, "title": "Other activities"}, others))
    return grouped


def progress(record, module):
    """(done, total) activities of a module."""
    activities = record.get("activities", {})
    ids = module.get("activities") or []
    done = sum(1 for a in ids if isinstance(activities.get(a), dict) and activities[a].get("completed"))
    return done, len(ids)


def journal_html(record, course, created):
    """The whole journal as one HTML page."""
    out = [
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>My journal: {escape(course.get('title', 'Course'))}</title>",
        f"<style>{JOURNAL_STYLE}</style></head><body><main>",
        f"<h1>My journal: {escape(course.get('title', 'Course'))}</h1>",
        f"<p>Made on {escape(created)}. It holds your progress, reflections, pledges and "
        "self-check results. Keep it somewhere private.</p>",
        "<h2>Progress</h2><table><thead><tr><th scope='col'>Module</th><th scope='col'>Done</th></tr>"
        "</thead><tbody>",
    ]
    for module in course.get("modules", []):
        done, total = progress(record, module)
        if total:
            out.append(f"<tr><td>{module['number']}. {escape(module['title'])}</td><td>{done} of {total}</td></tr>")
    out.append("</tbody></table>")
    for module, entries in _module_entries(record, course):
        if not entries:
            continue
        label = f"Module {module['number']}: " if module.get("number") is not None else ""
        out.append(f"<h2>{label}{escape(module['title'])}</h2>")
        for _, entry in entries:
            out.append(_entry_html(entry))
    out.append("</main></body></html>")
    return "".join(out)


def _entry_html(entry):
    title = escape(entry.get("title", "Activity"))
    kind = entry.get("type")
    if kind == "reflection":
        text = entry.get("text") if isinstance(entry.get("text"), str) else ""
        return (f"<h3>{title}</h3><p><em>{escape(entry.get('prompt', ''))}</em></p>"
                f"<blockquote>{escape(text) or '(nothing written yet)'}</blockquote>")
    if kind == "knowledge_check":
        return f"<h3>{title}</h3><p>Score: {escape(entry.get('score', 0))} of {escape(entry.get('out_of', '?'))}.</p>"
    if kind == "scenario":
        runs = entry.get("runs") if isinstance(entry.get("runs"), list) else []
        reached = {}  # (title, outcome) -> times, in the order first reached
        for run in runs:
            if isinstance(run, dict):
                ending = (str(run.get("ending_title", "")), str(run.get("outcome", "")))
                reached[ending] = reached.get(ending, 0) + 1
        items = "".join(
            f"<li>{escape(ending)} ({escape(OUTCOME_NAMES.get(outcome, outcome))})"
            f"{f', {times} times' if times > 1 else ''}</li>"
            for (ending, outcome), times in reached.items()
        )
        return f"<h3>{title}</h3><p>Endings you reached:</p><ul>{items or '<li>none yet</li>'}</ul>"
    if kind == "self_check":
        scores = entry.get("scores") if isinstance(entry.get("scores"), dict) else {}
        labels = entry.get("labels") if isinstance(entry.get("labels"), dict) else {}
        figures = [(str(labels.get(k, k)), v) for k, v in scores.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)]
        rows = "".join(f"<tr><td>{escape(label)}</td><td>{value:.1f}</td></tr>" for label, value in figures)
        top = entry.get("scale_top")
        return (f"<h3>{title}</h3><p>For reflection only, not a validated measure.</p>"
                f"{_chart_html(figures, top) if isinstance(top, int) and top > 1 else ''}"
                f"<table><thead><tr><th scope='col'>Area</th><th scope='col'>Your average</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")
    return f"<h3>{title}</h3>"


def _chart_html(figures, top):
    """A bar chart of (label, average) from 0 to ``top`` in HTML and CSS (no script, no
    picture file), read by a screen reader as its text equivalent, as on the page."""
    rows = "".join(
        f"<div class='bar-row'><span class='bar-label'>{escape(label)}</span><span class='bar-track'>"
        f"<span class='bar' style='width:{max(0.0, min(value, top)) / top * 100:.1f}%'></span></span>"
        f"<span class='bar-value'>{value:.1f}</span></div>"
        for label, value in figures)
    scale = "".join(f"<span>{mark}</span>" for mark in range(top + 1))
    alt = results_alt([label for label, _ in figures], [value for _, value in figures], top)
    return (f"<div class='chart' role='img' aria-label='{escape(alt)}'>{rows}"
            f"<div class='bar-scale'>{scale}</div><p>Average (1 to {top})</p></div>")


def record_json(record):
    return json.dumps(record, ensure_ascii=False, indent=1)
