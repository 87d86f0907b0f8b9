"""The facilitator dashboard: who has submitted, completion, score spread, what needs marking.

Every chart has alt text and the same figures as a table."""

import ipywidgets as widgets

from ..charts import bar_chart_png, png_data_uri
from ..components.common import escape, html_look

BANDS = [("0 to 24%", 0, 25), ("25 to 49%", 25, 50), ("50 to 74%", 50, 75), ("75 to 100%", 75, 101)]


def score_bands(scores):
    """Counts of submissions in each quarter of the marks."""
    counts = [0] * len(BANDS)
    for _, score, top in scores:
        percent = 100 * score / top if top else 0
        for index, (_, low, high) in enumerate(BANDS):
            if low <= percent < high:
                counts[index] += 1
    return counts


def _problem_item(who, problem):
    detail = (f"<details><summary>Text set aside</summary><pre>{escape(problem['detail'])}</pre></details>"
              if problem.get("detail") else "")
    return (f"<li><strong>{escape(who)}</strong>: {escape(problem.get('reason', ''))} "
            f"<em>What to do:</em> {escape(problem.get('action', ''))}{detail}</li>")


def problems_html(assignment):
    """Every reason kept while collecting and grading: refused files first, then by learner."""
    items = [_problem_item("Refused file", p) for p in assignment.get("refused", [])]
    for student, problems in sorted(assignment.get("problems", {}).items()):
        items += [_problem_item(student, p) for p in problems]
    if not items:
        return "<h3>Problems to look at</h3><p>None found while collecting and grading.</p>"
    return f"<h3>Problems to look at ({len(items)})</h3><ul>{''.join(items)}</ul>"


def dashboard_html(summary):
    students = summary["students"]
    parts = [f"<h2>Learners</h2><p>{len(students)} learner{'s' if len(students) != 1 else ''} in the gradebook "
             "(your roster, and anyone whose work was collected).</p>"]
    if not students:
        parts.append("<p>Register your cohort first: <code>python -m leadership_course roster import "
                     "ROSTER.csv</code>.</p>")
    rows = "".join(
        f"<tr><th scope='row'>{escape(a['name'])}</th><td>{len(a['submitted'])} of {len(students)} submitted</td>"
        f"<td>{len(a['needs_marking'])}</td></tr>" for a in summary["assignments"])
    parts.append("<h2>Completion by module</h2><table><caption>Submissions and hand-marking still to do, "
                 "by assessment</caption><thead><tr><th scope='col'>Assessment</th><th scope='col'>Submitted</th>"
                 f"<th scope='col'>Answers to hand-mark</th></tr></thead><tbody>{rows}</tbody></table>")
    for assignment in summary["assignments"]:
        name = escape(assignment["name"])
        parts.append(f"<h2>{name}</h2>")
        parts.append(problems_html(assignment))
        if not assignment["scores"]:
            parts.append("<p>No submissions yet.</p>")
            continue
        counts = score_bands(assignment["scores"])
        labels = [band for band, _, _ in BANDS]
        figures = ", ".join(f"{label}: {count}" for label, count in zip(labels, counts))
        png = bar_chart_png(labels, counts, max(counts) + 1, f"Scores for {assignment['name']}",
                            xlabel="Number of submissions", whole_numbers=True)
        alt = f"Bar chart of how many submissions for {assignment['name']} scored in each band: {figures}."
        table = "".join(f"<tr><th scope='row'>{label}</th><td>{count}</td></tr>" for label, count in zip(labels, counts))
        parts.append(f"<img src='{png_data_uri(png)}' alt='{escape(alt)}'>"
                     f"<table><caption>Submissions by score band (scores so far; hand-marked answers count "
                     f"once marked)</caption><thead><tr><th scope='col'>Score band</th><th scope='col'>"
                     f"Submissions</th></tr></thead><tbody>{table}</tbody></table>")
        waiting = "".join(f"<li>{escape(student)}: {escape(question)}</li>"
                          for student, question in assignment["needs_marking"])
        parts.append(f"<h3>Still to hand-mark</h3><ul>{waiting or '<li>Nothing: all marked.</li>'}</ul>")
        who = ", ".join(escape(s) for s in assignment["submitted"])
        missing = ", ".join(escape(s) for s in assignment["not_submitted"]) or "nobody"
        parts.append(f"<p><strong>{len(assignment['submitted'])} of {len(students)} submitted:</strong> {who}.<br>"
                     f"<strong>Not yet submitted:</strong> {missing}.</p>")
    return "".join(parts)


class Dashboard(widgets.HTML):
    def __init__(self, summary):
        super().__init__(dashboard_html(summary), **html_look())
        self.add_class("course-box")
        self.add_class("course-dashboard")


PAGE_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 1.1rem; line-height: 1.5; color: #212b32;
       margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1, h2, h3 { line-height: 1.25; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid #aeb7bd; padding: 0.4rem 0.8rem; text-align: left; }
img { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; background: #f0f4f5; padding: 0.5rem; }
"""


def dashboard_page(summary, title="Facilitator dashboard"):
    """The dashboard as one self-contained HTML page that works offline (no scripts at all)."""
    return (f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{PAGE_STYLE}</style>"
            f"</head><body><main><h1>{escape(title)}</h1>{dashboard_html(summary)}</main></body></html>")
