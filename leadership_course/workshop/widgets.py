"""The two workshop pages: the participant's pulse form and the host's results.

Both are built from the course's own parts (CourseBox, ChoiceGroup, LiveRegion, button),
so they look and behave like the rest of the course, with the keyboard and with a screen
reader, and are tested headless like every other component. The Send button and the two
small forms send what is on the screen with the click (see parts.py for why).
"""

import base64
import os
import secrets
from datetime import datetime
from urllib.parse import quote

import ipywidgets as widgets

from ..charts import png_data_uri
from ..components.choice_group import ChoiceGroup
from ..components.common import CourseBox, LiveRegion, button, escape, hbox, html_widget, plain_look, set_shown, vbox
from ..components.markup import markdown
from .parts import FieldsForm, FocusHeading, SendButton, StatusRegion
from .report import item_alt_text, item_chart_png, people, results_csv, results_png
from .store import JOIN_URL_VARIABLE, UnknownWorkshop, WorkshopError, WrongPasscode

RESULTS_STYLES = """
<style>
.course-results table { min-width: 18rem; }
.course-results caption { text-align: left; font-weight: 600; padding: 4px 0; }
.course-results .course-big-number { font-size: 1.4rem; }
.course-results img { display: block; margin: 8px 0; }
</style>
"""

REFLECTIVE_NOTE = (
    "<p>This is a <strong>reflective pulse</strong> to start a conversation, not a measure. The "
    "questions were written for this course; they are not a validated survey.</p>"
)


def anonymity_note(threshold):
    return (
        "<p>Your answers are anonymous. Nothing that could identify you is kept: no name, no "
        "address of your device, no time of day. Your host sees only the room's combined answers, "
        f"and only once at least {threshold} people have answered.</p>"
    )


class _NoRecord:
    """The workshop pages keep no learner record, so there are no record notices."""

    @staticmethod
    def take_notices():
        return []


def download_link(label, filename, mime, data):
    """A link that hands the browser ``data`` (bytes or text) as a file; nothing goes
    through a server."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    charset = ";charset=utf-8" if isinstance(data, str) else ""
    encoded = base64.b64encode(raw).decode("ascii")
    return (f"<a class='course-download' download='{escape(filename)}' "
            f"href='data:{mime}{charset};base64,{encoded}'>{escape(label)}</a>")


# --- participants ---------------------------------------------------------------------------


class PulseForm(CourseBox):
    """One participant's form. The page load's random token makes a second Send (or a
    double click) count once; after sending, the form is locked and says thanks."""

    def __init__(self, store, workshop):
        self.store = store
        self.workshop = workshop
        self.token = secrets.token_urlsafe(24)
        self.sent = False
        pulse = workshop["pulse"]
        self.heading = FocusHeading(pulse["title"])
        intro = html_widget(
            f"<p>Workshop: <strong>{escape(workshop['name'])}</strong></p>"
            f"{REFLECTIVE_NOTE}{anonymity_note(workshop['threshold'])}{markdown(pulse.get('intro'))}"
            f"<p>Choose one answer for each of the {len(pulse['items'])} questions, then select "
            "<strong>Send my answers</strong>.</p>"
        )
        self.groups = []
        for number, item in enumerate(pulse["items"], start=1):
            legend = f"<p><strong>{number}. {escape(item['label'])}.</strong> {escape(item['prompt'])}</p>"
            self.groups.append(ChoiceGroup(item["options"], legend_html=legend))
        self.status = StatusRegion()
        self.submit_button = SendButton("Send my answers", self.submit, self._report, "course-pulse")
        super().__init__([self.heading, intro, *self.groups, self.submit_button, self.status], "pulse",
                         _NoRecord())

    def _report(self, message):
        self.status.html = message

    def answers(self):
        """{item id: option number} for every question answered so far."""
        return {item["id"]: group.value[0]
                for item, group in zip(self.workshop["pulse"]["items"], self.groups) if group.value}

    def _take_from_page(self, shown):
        """Set the groups to the answers the page showed when Send was pressed."""
        if len(shown) != len(self.groups):
            return
        for group, option in zip(self.groups, shown):
            if isinstance(option, int) and not isinstance(option, bool) and 0 <= option < len(group.options):
                group.value = [option]
            elif option is None:
                group.value = []

    def submit(self, shown=None):
        """Send the answers (``shown``: the options checked on the page, from the click)."""
        if self.sent:  # a second press or a double click: already counted once
            return
        if shown is not None:
            self._take_from_page(shown)
        items = self.workshop["pulse"]["items"]
        answers = self.answers()
        missing = [f"{number} ({item['label']})" for number, item in enumerate(items, start=1)
                   if item["id"] not in answers]
        if missing:
            self.status.html = (f"<p>Please answer every question before sending. Not answered yet: "
                                f"{escape(', '.join(missing))}.</p>")
            return
        try:
            self.store.submit(self.workshop["code"], self.token, answers)
        except (WorkshopError, ValueError) as error:
            self.status.html = f"<p>Sorry, your answers could not be sent. {escape(error)}</p>"
            return
        self.sent = True
        for group in self.groups:
            group.disabled = True
        self.submit_button.disabled = True
        set_shown(self.submit_button, False)
        self.status.html = ("<p><strong>Thank you.</strong> Your answers have been added to the room's "
                            "combined answers, with nothing that identifies you. The form is now locked; "
                            "you can close this page.</p>")
        self.status.focus()


class PulsePage(widgets.VBox):
    """The participant's page: the form for the workshop in the link, or, without a code (or
    with a wrong one), a box to type the code the host gave."""

    def __init__(self, store, code=None):
        self.store = store
        self.form = None
        self.status = LiveRegion()
        self.code_form = FieldsForm(
            [{"name": "code", "label": "Workshop code", "value": code or ""}], "Join",
            lambda values: self.join(values.get("code", "")), self._report)
        self.join_box = CourseBox([
            html_widget("<h2>Join a workshop pulse</h2><p>Type the workshop code your host gave you "
                         "(6 letters and digits), then select <strong>Join</strong>.</p>"),
            self.code_form, self.status], "pulse-join", _NoRecord())
        super().__init__([self.join_box], **plain_look())
        if code:
            self.join(code, focus=False)

    def _report(self, message):
        self.status.html = message

    def join(self, code, focus=True):
        try:
            workshop = self.store.workshop(code)
        except WorkshopError as error:
            self.status.html = f"<p>{escape(error)}</p>"
            return
        self.form = PulseForm(self.store, workshop)
        self.children = [self.form]
        if focus:  # the Join button has gone: move the keyboard focus to the form's heading
            self.form.heading.focus()


# --- the host ---------------------------------------------------------------------------


class ResultsPage(CourseBox):
    """The host's page: sign in with the workshop code and passcode, then see how many have
    answered and, from the threshold on, the combined results in batches."""

    def __init__(self, store, code=None):
        self.store = store
        self.access = None
        self.results = None
        self._drawn_for = None
        self.status = StatusRegion()
        self.sign_in_form = FieldsForm(
            [{"name": "code", "label": "Workshop code", "value": code or ""},
             {"name": "passcode", "label": "Host passcode", "type": "password",
              "autocomplete": "current-password"}],
            "Show results", lambda values: self.sign_in(values.get("code", ""), values.get("passcode", "")),
            self._report)
        self.sign_in_box = vbox([
            html_widget("<h2>Sign in as the host</h2><p>Type the workshop code and the host "
                         "passcode chosen when the workshop was started.</p>"),
            self.sign_in_form])
        self.heading = FocusHeading()
        self.about = html_widget()
        self.summary = html_widget()
        self.charts = html_widget()
        self.downloads = html_widget()
        self.refresh_button = button("Refresh", self.refresh, self._report)
        self.delete_button = button("Delete this workshop's data", self.ask_delete, self._report)
        self.confirm_yes = button("Yes, delete everything", self.delete, self._report)
        self.confirm_no = button("Cancel", self.cancel_delete, self._report)
        self.confirm_box = vbox([
            html_widget("<p><strong>Delete this workshop and every answer to it?</strong> This cannot "
                         "be undone. Download the results first if you want to keep them.</p>"),
            hbox([self.confirm_yes, self.confirm_no])])
        set_shown(self.confirm_box, False)
        self.delete_box = vbox([
            html_widget("<h3>When the workshop is over</h3>"),
            self.delete_button, self.confirm_box])
        self.view = vbox([self.heading, self.about, self.summary, self.refresh_button, self.charts,
                                  self.downloads, self.delete_box])
        set_shown(self.view, False)
        super().__init__([html_widget(RESULTS_STYLES), self.sign_in_box, self.view, self.status], "results",
                         _NoRecord())

    def _report(self, message):
        self.status.html = message

    # --- signing in -----------------------------------------------------------------------

    def sign_in(self, code, passcode):
        if not str(passcode or "").strip():
            self.status.html = "<p>Type the host passcode, then select Show results.</p>"
            self.sign_in_form.focus("passcode")
            return
        try:
            self.access = self.store.host(code, passcode)
        except WrongPasscode as error:
            self.sign_in_form.clear("passcode")
            self.status.html = f"<p>{escape(error)}</p>"
            self.sign_in_form.focus("passcode")
            return
        except WorkshopError as error:
            self.status.html = f"<p>{escape(error)}</p>"
            return
        self.sign_in_form.clear("passcode")
        set_shown(self.sign_in_box, False)
        set_shown(self.view, True)
        self.refresh(announce=False)
        self.status.html = f"<p>Signed in to workshop {escape(self.access.code)}. {self._count_text()}</p>"
        self.heading.focus()

    # --- results ---------------------------------------------------------------------------

    def _count_text(self):
        return f"Answers so far: {self.results.responses}." if self.results else ""

    def refresh(self, announce=True):
        try:
            self.results = self.access.results()
        except UnknownWorkshop as error:
            self._gone(str(error))
            return
        except WorkshopError as error:
            self.status.html = f"<p>Sorry, the results could not be read. {escape(error)}</p>"
            return
        results = self.results
        self.heading.text = results.name
        self.about.value = (f"<p>Pulse: {escape(results.pulse_title)}. Workshop code: "
                            f"<strong>{escape(results.code)}</strong>.</p>{self._join_text()}")
        self.summary.value = self._summary_html(results)
        if self._drawn_for != results.published:
            pngs = [item_chart_png(item, results.published) for item in results.items] if results.shown else []
            self.charts.value = self._charts_html(results, pngs) if results.shown else ""
            self.downloads.value = self._downloads_html(results, pngs) if results.shown else ""
            self._drawn_for = results.published
        if announce:
            stamp = datetime.now().strftime("%H:%M")
            shown = (f"The results combine {results.published} answers." if results.shown
                     else "Results are not shown yet.")
            self.status.html = f"<p>Updated at {stamp}. {self._count_text()} {shown}</p>"

    def _join_text(self):
        base = os.environ.get(JOIN_URL_VARIABLE)
        if not base:
            return ""
        link = f"{base}?workshop={quote(self.results.code)}"
        return f"<p>Participants join at <a href='{escape(link)}'>{escape(link)}</a></p>"

    @staticmethod
    def _summary_html(results):
        k = results.threshold
        parts = [f"<p class='course-big-number'><strong>Answers so far: {results.responses}</strong></p>"]
        if not results.shown:
            more = k - results.responses
            parts.append(f"<p>The combined results appear when at least {k} people have answered "
                         f"({more} more to go). Until then, nothing is shown, so that nobody's answers "
                         "can be picked out.</p>")
        else:
            parts.append(
                f"<p>These results combine the first {results.published} answers. To keep everyone "
                f"anonymous, results are shown in batches of {k}: they change next when "
                f"{results.next_update} people have answered. Because every update adds at least "
                f"{k} people, comparing two views cannot reveal anyone's answers.</p>")
        parts.append(REFLECTIVE_NOTE)
        return "".join(parts)

    @staticmethod
    def _charts_html(results, pngs):
        parts = []
        for item, png in zip(results.items, pngs):
            rows = "".join(f"<tr><td>{escape(option)}</td><td>{count}</td></tr>"
                           for option, count in zip(item.options, item.counts))
            parts.append(
                f"<h3>{escape(item.label)}</h3><p>{escape(item.prompt)}</p>"
                f"<img src='{png_data_uri(png)}' alt='{escape(item_alt_text(item, results.published))}'>"
                f"<table><caption>{escape(item.label)}: answers of {people(results.published)}</caption>"
                "<thead><tr><th scope='col'>Answer</th><th scope='col'>People</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")
        return "".join(parts)

    @staticmethod
    def _downloads_html(results, pngs):
        stem = f"workshop-{results.code}-results"
        table = download_link("Combined counts (CSV, for a spreadsheet)", f"{stem}.csv", "text/csv",
                              results_csv(results))
        picture = download_link("All charts (PNG picture)", f"{stem}.png", "image/png", results_png(results, pngs))
        return f"<h3>Download the combined results</h3><ul><li>{table}</li><li>{picture}</li></ul>"

    # --- deleting ---------------------------------------------------------------------------

    def ask_delete(self):
        set_shown(self.delete_button, False)
        set_shown(self.confirm_box, True)
        self.confirm_no.focus()

    def cancel_delete(self):
        set_shown(self.confirm_box, False)
        set_shown(self.delete_button, True)
        self.delete_button.focus()

    def delete(self):
        code = self.access.code
        try:
            self.access.delete()
        except WorkshopError as error:
            self.status.html = f"<p>Sorry, nothing was deleted. {escape(error)}</p>"
            return
        self._gone(f"Workshop {code} and every answer to it have been deleted.")

    def _gone(self, message):
        self.access = None
        self.results = None
        set_shown(self.view, False)
        self.view.children = []
        self.status.html = f"<p>{escape(message)}</p>"
        self.status.focus()
