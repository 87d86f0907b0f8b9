"""Self-check: Likert items grouped into dimensions; results as a chart with alt text and
a table. A reflective tool, never a validated measure or a diagnosis."""


from ..charts import bar_chart_png, png_data_uri
from ..record import now
from .choice_group import ChoiceGroup
from .common import CourseBox, LiveRegion, button, escape, friendly_message, html_widget
from .markup import markdown

DISCLAIMER = (
    "This self-check is for your own reflection. It is not a validated measure, and it "
    "cannot diagnose anything. Your answers stay on this computer."
)


def dimension_scores(self_check, responses):
    """Average score (1 to scale length) per dimension, counting reverse items the other way."""
    top = len(self_check["scale"])
    scores = {}
    for dimension in self_check["dimensions"]:
        values = []
        for item in dimension["items"]:
            answer = responses.get(item["id"])
            if isinstance(answer, int) and not isinstance(answer, bool) and 1 <= answer <= top:
                values.append(top + 1 - answer if item.get("reverse") else answer)
        if len(values) == len(dimension["items"]):
            scores[dimension["id"]] = round(sum(values) / len(values), 2)
    return scores


def results_alt(labels, values, top):
    """The chart's text equivalent (the page's and the journal's), one decimal place."""
    figures = ", ".join(f"{label} {value:.1f}" for label, value in zip(labels, values))
    return f"Bar chart of your average for each area, on a scale of 1 to {top}: {figures}."


def results_html(self_check, scores):
    """The chart (with alt text) and the same figures as a table."""
    top = len(self_check["scale"])
    labels = [d["label"] for d in self_check["dimensions"]]
    values = [scores[d["id"]] for d in self_check["dimensions"]]
    alt = results_alt(labels, values, top)
    png = bar_chart_png(labels, values, top, "Your self-check results")
    rows = "".join(f"<tr><th scope='row'>{escape(l)}</th><td>{v:.1f}</td></tr>" for l, v in zip(labels, values))
    return (
        "<h4>Your results</h4>"
        f"<p><em>{DISCLAIMER}</em></p>"
        f"<img src='{png_data_uri(png)}' alt='{escape(alt)}'>"
        f"<table><caption>Your average for each area (1 to {top}; higher means you said "
        f"it happens more)</caption><thead><tr><th scope='col'>Area</th>"
        f"<th scope='col'>Your average</th></tr></thead><tbody>{rows}</tbody></table>"
    )


class SelfCheck(CourseBox):
    """The items as radio groups, a Show my results button, the results; saved as you go."""

    def __init__(self, self_check, record):
        self.self_check = self_check
        self.record = record
        scale = self_check["scale"]
        entry = record.activity(self_check["id"])
        saved = entry.get("responses") if isinstance(entry.get("responses"), dict) else {}
        self.status = LiveRegion()
        self.results = html_widget()
        self.results_asked = False  # Show my results was selected before every answer was in
        self.selectors = {}
        parts = [html_widget(f"<h3>Self-check: {escape(self_check['title'])}</h3>"
                              f"{markdown(self_check.get('intro', ''))}<p><em>{DISCLAIMER}</em></p>")]
        number = 0
        total = sum(len(d["items"]) for d in self_check["dimensions"])
        for dimension in self_check["dimensions"]:
            for item in dimension["items"]:
                number += 1
                value = saved.get(item["id"])
                selector = ChoiceGroup(scale, horizontal=True,
                                       legend_html=f"<strong>{number} of {total}.</strong> {escape(item['text'])}",
                                       value=[value - 1] if value in range(1, len(scale) + 1) else [])
                selector.observe(lambda change: self._guarded_save(), names="value")
                self.selectors[item["id"]] = selector
                parts.append(selector)
        parts += [button("Show my results", self.show_results, self._report), self.status, self.results]
        super().__init__(parts, "self-check", record)
        if entry.get("results_shown") and len(self.responses) == total:
            self.show_results()

    def _report(self, message):
        self.status.html = message

    @property
    def responses(self):
        """Item id -> point on the scale (1 = first label)."""
        return {item: s.value[0] + 1 for item, s in self.selectors.items() if s.value}

    def answer(self, item_id, value):
        """Choose a point on the scale (1 = first label) for one item."""
        self.selectors[item_id].value = [value - 1]

    def _guarded_save(self):
        """Save an answer as it is chosen. If Show my results was refused for want of answers,
        show them once the last one is in: ipywidgets can deliver a choice after the click."""
        try:
            self.save()
            if self.results_asked and len(self.responses) == len(self.selectors):
                self.show_results()
        except Exception as error:  # same plain message as a button would give
            self._report(friendly_message(error))

    def save(self, **extra):
        responses = self.responses
        self.record.update(self.self_check["id"], {
            "type": "self_check", "title": self.self_check["title"], "module": self.self_check["module"],
            "responses": responses, "scores": dimension_scores(self.self_check, responses), **extra,
        })

    def show_results(self):
        missing = len(self.selectors) - len(self.responses)
        if missing:
            self.results_asked = True
            self.status.html = f"<p>Please answer every statement first: {missing} still to answer.</p>"
            return
        self.results_asked = False
        scores = dimension_scores(self.self_check, self.responses)
        self.results.value = results_html(self.self_check, scores)
        self.status.html = "<p>Your results are below. They are saved in your journal.</p>"
        labels = {d["id"]: d["label"] for d in self.self_check["dimensions"]}
        self.save(results_shown=True, completed=True, labels=labels, scale_top=len(self.self_check["scale"]),
                  completed_at=now())
