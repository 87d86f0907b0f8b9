"""Where your work is saved: in plain words first, then the file's location for anyone who needs it."""


from ..record import RECORD_DIR_VARIABLE
from .common import CourseBox, escape, html_widget


class WhereSaved(CourseBox):
    def __init__(self, record):
        text = (
            "<h3>Where your work is saved</h3>"
            "<p>Your answers, story paths, self-check results and reflections are saved in one file, "
            "on the computer that runs this course. Nothing is sent anywhere else: the course makes no "
            "connection to other websites and collects no statistics about you.</p>"
            "<p>Who else could see that file depends on how you opened the course:</p><ul>"
            "<li>on your own computer or work laptop, anyone who can open your files on it;</li>"
            "<li>on an online service such as Binder, the file is on a temporary computer that is "
            "deleted when your session ends, so download your journal before you leave;</li>"
            "<li>on a server your organisation runs, the people who run it may be able to. Ask your "
            "facilitator.</li></ul>"
            "<details><summary>Technical details: where the file is</summary>"
            f"<p>The file is <code>{escape(record.path)}</code>.</p>"
            "<p>A facilitator or IT team can keep it in another folder with the setting "
            f"<code>{RECORD_DIR_VARIABLE}</code>.</p></details>"
        )
        super().__init__([html_widget(text)], "where-saved", record)
