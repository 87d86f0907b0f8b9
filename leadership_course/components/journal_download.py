"""Download my journal: links that hand the browser the journal (HTML) and the raw record
(JSON) as files. The files are built in the kernel; nothing goes through a server."""

import base64
from datetime import datetime


from ..journal import journal_html, record_json
from .common import CourseBox, LiveRegion, button, escape, html_widget


def download_link(label, filename, mime, text):
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (f"<a class='course-download' download='{escape(filename)}' "
            f"href='data:{mime};charset=utf-8;base64,{data}'>{escape(label)}</a>")


class JournalDownload(CourseBox):
    def __init__(self, course, record):
        self.course = course
        self.record = record
        self.links = html_widget()
        self.status = LiveRegion()
        intro = html_widget(
            "<h3>Download my journal</h3><p>Your journal gathers your progress, reflections, "
            "pledges and self-check results. The first link saves a page you can read and print.</p>"
            "<p>The second link saves your raw record. Keep it: it is what lets you carry on where you "
            "left off somewhere else, for example in your next Binder session, on another computer or on "
            "your organisation's course service. There, choose it under <strong>Continue from a saved "
            "record</strong> on the course home. The web page cannot do this.</p>"
            "<p>The links hold your work as it was when this page opened. If you have saved more since, "
            "select <strong>Add my latest work</strong> first.</p>"
        )
        refresh = button("Add my latest work", self.refresh, self._report)
        super().__init__([intro, self.links, refresh, self.status], "journal", record)
        self.refresh(announce=False)

    def _report(self, message):
        self.status.html = message

    def refresh(self, announce=True):
        data = self.record.read()
        created = datetime.now().strftime("%d %B %Y at %H:%M")
        day = datetime.now().strftime("%Y-%m-%d")
        self.links.value = (
            "<ul>"
            f"<li>{download_link('Download my journal (web page)', f'my-journal-{day}.html', 'text/html', journal_html(data, self.course, created))}</li>"
            f"<li>{download_link('Download my raw record (JSON)', f'my-learner-record-{day}.json', 'application/json', record_json(data))}</li>"
            "</ul>"
        )
        if announce:
            self.status.html = (f"<p>Your journal and raw record now hold all your saved work "
                                f"({escape(created)}). Select a link to download them.</p>")
