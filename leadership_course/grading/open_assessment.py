"""Open an assessment from the course home: the learner chooses the zip their facilitator sent
(``python -m leadership_course hand-out``), the course checks it and keeps it in
``modules/assessments/<id>/``, and the course home links to each assessment kept there.

Works the same on a laptop, on Binder and in JupyterLab (the browser's own file picker). On a
hub, where the course has nbgrader's exchange (``exchange.course_exchange()``), the step lists
what the facilitator has released instead, and "Get this assessment" fetches it into the same
folder. The zip is untrusted: only an assessment's questions file and its notebook are taken from it,
each code cell of the notebook must be one of the course's own one-line calls (so nothing
else can run when the page opens), and a learner's saved answers beside it are never touched."""

import io
import os
import re
import zipfile
from pathlib import Path

import ipywidgets as widgets

from .exchange import ASSESSMENTS_DIR, HUB_ROLE_VARIABLE, ExchangeProblem, course_exchange, said_as_time
from .questions import ASSESSMENT_FILE, EDITOR_ONLY_FRAME, check_assessment
from ..components.common import LiveRegion, button, escape, html_widget, plain_look, safe_callback
from ..components.continue_record import RecordFilePicker
from ..content import ContentError

MAX_ZIP_BYTES = 2 * 1024 * 1024
MAX_FILE_BYTES = 1024 * 1024
FOLDER = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
NOTEBOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.ipynb$")
#: The only lines an assessment's code cells may hold: the course's import and its calls.
SAFE_LINE = re.compile(r'^(from leadership_course import [A-Za-z_, ]+'
                       r'|(show_[a-z_]+|check_answered)\((["\'][A-Za-z0-9._-]*["\'])?\)(\s+#[^\n]*)?)$')
MARKUP = re.compile(r"<\s*[A-Za-z/!?]|javascript:", re.IGNORECASE)


class NotAnAssessment(ValueError):
    """Why a chosen file was not taken, as a plain phrase."""


def _safe_notebook(raw):
    import nbformat

    try:
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception:
        raise NotAnAssessment("its notebook could not be read") from None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            safe = all(SAFE_LINE.match(line.strip()) for line in cell.source.splitlines() if line.strip())
            safe = safe and not cell.get("outputs")
        else:  # markdown is shown as HTML in the web app: no tags but the editor-only note's, no pictures inside
            text = "\n".join(line for line in cell.source.splitlines() if line.strip() not in EDITOR_ONLY_FRAME)
            safe = cell.cell_type == "markdown" and not MARKUP.search(text) and not cell.get("attachments")
        if not safe:
            raise NotAnAssessment("its notebook holds something that is not part of a course assessment")
    return notebook


def read_assessment_zip(data):
    """(folder name, {file name: bytes}) of a handed-out assessment, or NotAnAssessment."""
    if len(data) > MAX_ZIP_BYTES:
        raise NotAnAssessment("it is much larger than an assessment")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except (zipfile.BadZipFile, ValueError):
        raise NotAnAssessment("it is not a zip file") from None
    folders = {e.filename.split("/")[0] for e in entries}
    if len(folders) != 1 or len(entries) != 2 or not FOLDER.match(next(iter(folders))):
        raise NotAnAssessment("it is not an assessment from your facilitator (one folder holding "
                              "assessment.yaml and a notebook)")
    folder = next(iter(folders))
    files = {}
    for entry in entries:
        name = entry.filename[len(folder) + 1:]
        if entry.file_size > MAX_FILE_BYTES or not (name == ASSESSMENT_FILE or NOTEBOOK_NAME.match(name)):
            raise NotAnAssessment(f"it holds a file an assessment does not have ({escape(name)[:80]})")
        files[name] = archive.read(entry)
    if ASSESSMENT_FILE not in files:
        raise NotAnAssessment("it has no assessment.yaml")
    try:
        import yaml

        questions = check_assessment(yaml.safe_load(files[ASSESSMENT_FILE].decode("utf-8")))
    except (ContentError, ValueError, UnicodeDecodeError, yaml.YAMLError):
        raise NotAnAssessment("its questions file is damaged") from None
    if questions["id"] != folder or questions["notebook"] not in files:
        raise NotAnAssessment("its questions file and notebook do not belong together")
    _safe_notebook(files[questions["notebook"]])
    return folder, files


def keep_assessment(modules_dir, folder, files):
    """Write the files into ``modules/assessments/<folder>/`` (answers saved there are kept);
    return the notebook's path relative to ``modules_dir``."""
    target = Path(modules_dir) / ASSESSMENTS_DIR / folder
    target.mkdir(parents=True, exist_ok=True)
    for name, raw in files.items():
        partial = target / f".{name}.part"
        partial.write_bytes(raw)
        partial.replace(target / name)
    notebook = next(name for name in files if name.endswith(".ipynb"))
    return f"{ASSESSMENTS_DIR}/{folder}/{notebook}"


def kept_assessments(modules_dir):
    """[(title, relative notebook path)] of the assessments kept in ``modules/assessments/``."""
    kept = []
    for questions_file in sorted((Path(modules_dir) / ASSESSMENTS_DIR).glob(f"*/{ASSESSMENT_FILE}")):
        try:
            import yaml

            questions = check_assessment(yaml.safe_load(questions_file.read_text(encoding="utf-8")))
        except Exception:  # a damaged copy: the learner can choose the zip again
            continue
        if (questions_file.parent / questions["notebook"]).is_file():
            kept.append((questions["title"], f"{ASSESSMENTS_DIR}/{questions_file.parent.name}/{questions['notebook']}"))
    return kept


def _submitted_on(moment):
    return f" (you submitted it on {said_as_time(moment)})" if moment else ""


def _links_html(kept, submitted=None):
    """The list of kept assessments; ``submitted`` gives, by link, when each was last submitted (on a hub)."""
    if not kept:
        return "<p>You have no assessments yet.</p>"
    submitted = submitted or {}
    items = "".join(f"<li><a href='{escape(path)}'>{escape(title)}</a>{_submitted_on(submitted.get(path))}</li>"
                    for title, path in kept)
    return f"<p>Your assessments (your answers are saved as you go):</p><ul>{items}</ul>"


def released_title(exchange, assessment_id):
    """The title in a released assessment's questions file, or its id if the file cannot be read."""
    try:
        import yaml

        questions_file = exchange.root / exchange.course_id / "outbound" / assessment_id / ASSESSMENT_FILE
        return check_assessment(yaml.safe_load(questions_file.read_text(encoding="utf-8")))["title"]
    except Exception:
        return assessment_id


class ReleasedAssessments(widgets.VBox):
    """On a hub: the assessments the facilitator has released, each with "Get this assessment"."""

    def __init__(self, modules_dir, exchange):
        self.modules_dir = Path(modules_dir)
        self.exchange = exchange
        intro = html_widget(
            "<h2>Assessments from your facilitator</h2><p>Your facilitator releases each assessment here. "
            "Select Get this assessment to add it to your course. Your answers are saved as you go, and you "
            "submit from the assessment's own page.</p>")
        self.status = LiveRegion()
        self.waiting = widgets.VBox(**plain_look())
        self.links = html_widget()
        super().__init__([intro, self.waiting, self.status, self.links], **plain_look())
        self.add_class("course-open-assessment")
        self.refresh()

    def _report(self, message):
        self.status.html = message

    def refresh(self):
        """List what is released and not yet fetched, with a button each; link what is fetched."""
        try:
            released = self.exchange.released()
        except ExchangeProblem as problem:
            self.status.html = f"<p>{escape(str(problem))}</p>"
            released = []
        rows = []
        for assessment_id, status in released:
            if status == "released":
                title = released_title(self.exchange, assessment_id)
                get = button(f"Get this assessment: {title}", lambda i=assessment_id: self.get(i), self._report)
                rows.append(get)
        self.waiting.children = rows
        kept = kept_assessments(self.modules_dir)
        if kept or rows:
            submitted = {path: self.exchange.last_submitted(Path(path).parent.name) for _, path in kept}
            self.links.value = _links_html(kept, submitted) if kept else ""
        else:
            self.links.value = ("<p>Nothing has been released to you yet. Your facilitator will tell you when an "
                                "assessment is ready.</p>")

    def get(self, assessment_id):
        try:
            self.exchange.fetch(assessment_id)
        except ExchangeProblem as problem:
            self.status.html = f"<p>{escape(str(problem))}</p>"
            return
        self.refresh()
        kept = {Path(link).parent.name: (title, link) for title, link in kept_assessments(self.modules_dir)}
        if assessment_id not in kept:
            self.status.html = ("<p>The assessment was copied, but it cannot be opened from here. Please tell "
                                "your facilitator.</p>")
            return
        title, link = kept[assessment_id]
        self.status.html = f"<p>{escape(title)} is ready: select <a href='{escape(link)}'>{escape(title)}</a> to start.</p>"


def assessments_step(modules_dir):
    """The course home's "Assessments from your facilitator": from the hub's exchange if the
    course has one, otherwise from a hand-out zip. A facilitator on a hub is told where they
    release assessments instead."""
    if os.environ.get(HUB_ROLE_VARIABLE) == "facilitator":
        return html_widget(
            "<h2>Assessments you release</h2><p>You release assessments, collect and mark them in formgrader: "
            "open JupyterLab (the link at the foot of this page), then select Nbgrader, then Formgrader. Your "
            "learners get each assessment here, on their own course home.</p>")
    exchange = course_exchange()
    return ReleasedAssessments(modules_dir, exchange) if exchange is not None else OpenAssessment(modules_dir)


class OpenAssessment(widgets.VBox):
    """The course home's "Assessments from your facilitator" step, from a hand-out zip."""

    def __init__(self, modules_dir):
        self.modules_dir = Path(modules_dir)
        intro = html_widget(
            "<h2>Assessments from your facilitator</h2><p>If your facilitator sent you an assessment as a "
            "zip file (for example <code>module-01.zip</code>), choose it here: it opens from this page. "
            "You do not need to unzip it.</p>")
        self.picker = RecordFilePicker(max_bytes=MAX_ZIP_BYTES, accept=".zip,application/zip",
                                       label="Choose the assessment file (it ends in .zip)")
        self.status = LiveRegion()
        self.links = html_widget(_links_html(kept_assessments(self.modules_dir)))
        self.picker.on_file(safe_callback(self._report)(self._chosen))
        super().__init__([intro, self.picker, self.status, self.links], **plain_look())
        self.add_class("course-open-assessment")

    def _report(self, message):
        self.status.html = message

    def _chosen(self, name, size, content):
        name = str(name or "the file")[:80]
        if content is None:  # the browser held back a file too large to be an assessment
            self.status.html = (f"<p><strong>{escape(name)} cannot be opened:</strong> it is much larger than "
                                "an assessment. Nothing was changed.</p>")
            return
        self.take(name, content)

    def take(self, name, data):
        """Check a chosen zip and keep it; say what happened."""
        try:
            folder, files = read_assessment_zip(data)
            path = keep_assessment(self.modules_dir, folder, files)
        except NotAnAssessment as reason:
            self.status.html = f"<p><strong>{escape(name)} cannot be opened:</strong> {reason}. Nothing was changed.</p>"
            return
        except OSError:
            self.status.html = ("<p>Sorry, this copy of the course cannot keep files. Ask your facilitator how "
                                "to open the assessment.</p>")
            return
        self.links.value = _links_html(kept_assessments(self.modules_dir))
        self.status.html = (f"<p>{escape(name)} is ready: select <a href='{escape(path)}'>"
                            f"{escape(dict((p, t) for t, p in kept_assessments(self.modules_dir))[path])}</a> "
                            "to start.</p>")
