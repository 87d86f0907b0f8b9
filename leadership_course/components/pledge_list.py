"""All the pledges the learner has made, module by module (for the final module)."""


from .common import CourseBox, LiveRegion, button, escape, html_widget


def pledges_html(record):
    """Every saved pledge with text, in module order."""
    entries = [e for e in record.get("activities", {}).values()
               if e.get("type") == "reflection" and e.get("kind") == "pledge"
               and isinstance(e.get("text"), str) and e["text"].strip()]
    entries.sort(key=lambda e: (e.get("module") if isinstance(e.get("module"), int) else 99, e.get("title", "")))
    if not entries:
        return "<p>You have not saved any pledges yet. Each module ends with one.</p>"
    items = "".join(
        f"<li><strong>Module {escape(e.get('module', '?'))}: {escape(e.get('title', ''))}</strong>"
        f"<blockquote style='white-space:pre-wrap'>{escape(e['text'])}</blockquote></li>"
        for e in entries
    )
    return f"<ol>{items}</ol>"


class PledgeList(CourseBox):
    def __init__(self, record):
        self.record = record
        self.list = html_widget(pledges_html(record.read()))
        self.status = LiveRegion()
        intro = html_widget("<h3>Your pledges so far</h3>")
        refresh = button("Show my latest pledges", self.refresh, self._report)
        super().__init__([intro, self.list, refresh, self.status], "pledges", record)

    def _report(self, message):
        self.status.html = message

    def refresh(self):
        self.list.value = pledges_html(self.record.read())
        self.status.html = "<p>Your pledges are up to date.</p>"
