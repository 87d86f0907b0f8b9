"""Assessment widgets: questions and written answers saved to answers.json, a submission
check, "Download my submission" for a laptop and Binder, and "Submit to my facilitator" with
"Get my feedback" on a hub (nbgrader's exchange, ``exchange.py``).

While nbgrader grades (NBGRADER_EXECUTION is set) each part shows the submitted answer as
plain, escaped HTML instead of a widget, so graders and feedback readers see it."""

import base64
import io
import json
import weakref
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import ipywidgets as widgets

from .exchange import ExchangeProblem, files_url, submitted_note
from .questions import (
    ANSWERS_FILE,
    MAX_WRITTEN_LENGTH,
    chosen_options,
    written_text,
)
from .roster import LEARNER_ID, LEARNER_ID_RULE, normalise_learner_id
from ..record import now
from ..components.choice_group import ChoiceGroup, shuffled_order
from ..components.common import CourseBox, LiveRegion, TextBox, button, escape, html_widget, plain_look, text_box_look
from ..components.markup import markdown


def _clock(stamp):
    return datetime.fromisoformat(stamp).strftime("%H:%M")


#: The download boxes of this kernel: each hears of every answer saved after it prepared a file.
_DOWNLOADS = weakref.WeakSet()


def answers_saved():
    """An answer was saved: a prepared submission that no longer holds the saved answers is withdrawn."""
    for download in list(_DOWNLOADS):
        download.check_prepared()


def answers_content(data):
    """The answers themselves (options chosen, text written) in an answers file's bytes, without times."""
    try:
        activities = json.loads(data).get("activities", {})
        return {key: (entry.get("selected"), entry.get("text")) for key, entry in activities.items()
                if isinstance(entry, dict)}
    except (ValueError, AttributeError):
        return None


class AssessmentQuestion(CourseBox):
    """One question; the chosen options are saved (as their text) the moment they change."""

    def __init__(self, question, number, store):
        self.question = question
        self.store = store
        saved = chosen_options(question, store.activity(question["id"])) or []
        order = [] if question["kind"] == "true_false" else \
            shuffled_order(len(question["options"]), Path(store.path).resolve().parent, question["id"])
        self.selector = ChoiceGroup(question["options"], legend_html=markdown(question["prompt"]),
                                    multiple=question["kind"] == "multiple",
                                    value=[question["options"].index(t) for t in saved], order=order)
        self.status = LiveRegion()
        self.selector.observe(lambda change: self.save(), names="value")
        super().__init__([html_widget(f"<h3>Question {number}</h3>"), self.selector, self.status],
                         "assessment-question", store)

    def save(self):
        chosen = [self.question["options"][i] for i in self.selector.value]
        try:
            self.store.update(self.question["id"], {"type": "choice", "selected": chosen, "saved_at": now()})
        except Exception:  # shown plainly; the learner can choose again
            self.status.html = "<p>Sorry, your answer could not be saved. Please try again.</p>"
            return
        self.status.html = f"<p>Answer saved at {_clock(now())}.</p>" if chosen else "<p>Answer cleared.</p>"
        answers_saved()


class WrittenAnswer(CourseBox):
    """A written answer, marked by a person: saved on Save and when the learner leaves the box."""

    def __init__(self, written, store):
        self.written = written
        self.store = store
        self.status = LiveRegion()
        self.box = TextBox(value=written_text(store.activity(written["id"])), label_html=markdown(written["prompt"]),
                           rows=8)  # the box is named by its prompt, and saved when the learner leaves it
        self.box.observe(lambda change: self.save(), names="value")
        save = button("Save", self.save, self._report)
        super().__init__([self.box, save, self.status], "written-answer", store)

    def _report(self, message):
        self.status.html = message

    def save(self):
        text = self.box.value[:MAX_WRITTEN_LENGTH]
        try:
            self.store.update(self.written["id"], {"type": "written", "text": text, "saved_at": now()})
        except Exception:
            self.status.html = "<p>Sorry, your answer could not be saved. Please try again.</p>"
            return
        note = f" Only the first {MAX_WRITTEN_LENGTH:,} characters were kept." if len(self.box.value) > MAX_WRITTEN_LENGTH else ""
        self.status.html = f"<p>Saved at {_clock(now())}.{note}</p>"
        answers_saved()


def submission_zip(learner_id, assessment, folder=".", typed=None):
    """(file name, zip bytes, the answers file's bytes in it) laid out for ``nbgrader zip_collect``.

    The name carries the time (UTC), so that a learner's later download replaces an earlier one;
    the zip's comment keeps the ID as typed, so two people whose IDs differ only in capitals or
    spaces are reported as a clash when collected."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = (learner_id if typed is None else typed).encode("utf-8")[:200]
        notebook = folder / assessment["notebook"]
        archive.writestr(f"{learner_id}__{assessment['notebook']}", notebook.read_bytes())
        answers = folder / ANSWERS_FILE
        data = answers.read_bytes() if answers.exists() else json.dumps({"version": 1, "activities": {}}).encode()
        archive.writestr(f"{learner_id}__{ANSWERS_FILE}", data)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{assessment['id']}__{learner_id}__{stamp}.zip", buffer.getvalue(), data


class SubmissionDownload(CourseBox):
    """The learner types the ID their facilitator gave them and downloads one zip file. The file
    is withdrawn as soon as an answer saved after it differs from what it holds (an answer
    changed later, or a change the page showed as saved that reached the kernel after Prepare)."""

    def __init__(self, assessment, store):
        self.assessment = assessment
        self.folder = Path(store.path).resolve().parent
        self.packed = None  # the answers the prepared file holds
        self.learner_id = widgets.Text(description="Your learner ID", placeholder="for example ab12",
                                       **plain_look(),
                                       style=text_box_look()["style"])
        self.link = html_widget()
        self.status = LiveRegion()
        intro = html_widget("<h3>Download my submission</h3><p>Type the learner ID your facilitator gave "
                             "you, then select Prepare my submission. Save the file and send it to your "
                             "facilitator as they asked.</p>")
        prepare = button("Prepare my submission", self.prepare, self._report)
        super().__init__([intro, self.learner_id, prepare, self.status, self.link], "submission-download", store)
        _DOWNLOADS.add(self)

    def _report(self, message):
        self.status.html = message

    def prepare(self):
        learner_id = normalise_learner_id(self.learner_id.value)
        if not LEARNER_ID.fullmatch(learner_id):
            self.link.value = ""
            self.status.html = (f"<p>Please type your learner ID as your facilitator gave it: {LEARNER_ID_RULE}."
                                "</p>")
            return
        name, data, answers = submission_zip(learner_id, self.assessment, self.folder, typed=self.learner_id.value)
        self.packed = answers_content(answers)
        encoded = base64.b64encode(data).decode("ascii")
        self.link.value = (f"<p><a class='course-download' download='{escape(name)}' "
                           f"href='data:application/zip;base64,{encoded}'>Save {escape(name)}</a></p>")
        self.status.html = f"<p>Your submission is ready: select Save {escape(name)}.</p>"

    def check_prepared(self):
        if self.packed is None:
            return
        answers = self.folder / ANSWERS_FILE
        current = answers_content(answers.read_bytes()) if answers.exists() else {}
        if current != self.packed:
            self.packed = None
            self.link.value = ""
            self.status.html = ("<p>You changed an answer after preparing your submission, so that file no longer "
                                "holds all your answers and was withdrawn. Select Prepare my submission again.</p>")


class HubSubmission(CourseBox):
    """On a hub: submit through nbgrader's exchange as the learner's own account, then get feedback."""

    def __init__(self, exchange, store):
        self.exchange = exchange
        self.folder = Path(store.path).resolve().parent
        self.status = LiveRegion()
        submitted = exchange.last_submitted(self.folder.name)
        if submitted:
            self.status.html = submitted_note(submitted)
        self.feedback_status = LiveRegion()
        self.feedback_link = html_widget()
        submit_intro = html_widget(
            "<h3>Submit to my facilitator</h3><p>When you have answered every question, select Submit to my "
            "facilitator. If you change an answer later, you can submit again: your facilitator marks your "
            "latest submission.</p>")
        feedback_intro = html_widget(
            "<h3>My feedback</h3><p>When your facilitator has marked your work, they will tell you. Then select "
            "Get my feedback to see your marks and their comments.</p>")
        submit = button("Submit to my facilitator", self.submit, self._report)
        get_feedback = button("Get my feedback", self.get_feedback, self._report_feedback, extra_class="course-secondary")
        super().__init__([submit_intro, submit, self.status, feedback_intro, get_feedback, self.feedback_status,
                          self.feedback_link], "hub-submission", store)

    def _report(self, message):
        self.status.html = message

    def _report_feedback(self, message):
        self.feedback_status.html = message

    def submit(self):
        try:
            self.exchange.submit(self.folder)
        except ExchangeProblem as problem:
            self.status.html = f"<p>{escape(str(problem))}</p>"
            return
        submitted = self.exchange.last_submitted(self.folder.name)
        self.status.html = (f"{submitted_note(submitted)}<p>Your facilitator can now mark your answers.</p>" if submitted
                            else "<p>Submitted. Your facilitator can now mark your answers.</p>")

    def get_feedback(self):
        try:
            page = self.exchange.fetch_feedback(self.folder)
        except ExchangeProblem as problem:
            self.feedback_status.html = f"<p>{escape(str(problem))}</p>"
            return
        if page is None:
            self.feedback_link.value = ""
            self.feedback_status.html = "<p>There is no feedback for you yet. Your facilitator will tell you when it is ready.</p>"
            return
        url = files_url(page)
        self.feedback_link.value = (f"<p><a class='course-feedback-link' href='{escape(url)}'>"
                                    "Open my feedback</a></p>") if url else \
            f"<p>Your feedback is in your course folder: {escape(str(page.relative_to(self.folder)))}.</p>"
        self.feedback_status.html = "<p>Your feedback is ready.</p>"
