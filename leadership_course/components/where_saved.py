"""Where your work is saved: the record's folder and what it holds, in plain words."""


from ..record import RECORD_DIR_VARIABLE
from .common import CourseBox, escape, html_widget


class WhereSaved(CourseBox):
    def __init__(self, record):
        text = (
            "<h3>Where your work is saved</h3>"
            f"<p>Your answers, scenario paths, self-check results and reflections are saved in "
            f"one file on this computer:</p><p><code>{escape(record.path)}</code></p>"
            "<p>Nothing is sent anywhere else: the course makes no connection to other websites and "
            "collects no statistics about you. If you use the course on a shared or online service "
            "such as Binder, the file lives there only while your session lasts, so download your "
            "journal before you leave.</p>"
            f"<p>A facilitator can choose another folder with the setting <code>{RECORD_DIR_VARIABLE}</code>.</p>"
        )
        super().__init__([html_widget(text)], "where-saved", record)
