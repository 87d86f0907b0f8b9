"""nbgrader settings for the course's assessments. Run nbgrader commands from this folder.

Several nbgrader defaults leak answers or lose learners' work; each setting below says why
it is here (see ../docs/facilitator-guide/assessment.md for the commands in order)."""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)
HERE = Path(__file__).resolve().parent

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "compassionate-leadership"

# Never copy model answers out of source/, nor lock and temporary files out of a learner's folder.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "model-answers.json",
                            "*.lock", ".record-*.tmp", "*.damaged-*.json"]

# Autograde would otherwise replace each learner's answers.json with the source folder's copy.
c.Autograde.exclude_overwriting = {
    folder.name: ["answers.json"] for folder in (HERE / "source").iterdir() if folder.is_dir()
}

# Nothing a learner wrote takes part in grading (leadership_course/grading/sanitize.py): only the
# notebook and answers file are kept, symbolic links are refused, and the source notebook's own
# cells are graded, with every added, deleted or changed cell reported in the marks export.
c.Autograde.sanitize_preprocessors = [
    "leadership_course.grading.sanitize.KeepOnlyAnswerFiles",
    "nbgrader.preprocessors.ClearOutput",
    "leadership_course.grading.sanitize.UseReleasedCells",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# The grading kernel sees only Python, the course engine and its own submission, read-only, and
# runs as an unprivileged account when nbgrader runs as root (leadership_course/grading/sandbox.py).
c.Execute.kernel_manager_class = "leadership_course.grading.sandbox.SandboxedKernelManager"

# A failing hidden test must not print the hidden lines in its traceback.
c.Execute.extra_arguments = ["--InteractiveShell.xmode=Minimal"]

# The default feedback shows hidden tests and mark schemes; these preprocessors remove them.
# GetGrades, and which parts are not yet marked: the course template says so instead of a 0.
c.GenerateFeedback.preprocessors = [
    "leadership_course.grading.feedback.GetGradesAndMarking",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# nbgrader's feedback page loads MathJax from a CDN; this template (in templates/) does not.
# Set for feedback only (GenerateFeedback's own exporter): formgrader's pages need its own template.
import nbgrader  # noqa: E402

FORMGRADER = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
c.GenerateFeedback.HTMLExporter.template_name = "course-feedback"
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [str(FORMGRADER / "templates"), str(HERE / "templates")]
# The course template extends nbgrader's (feedback/index.html.j2), which includes bootstrap.min.css.
c.GenerateFeedback.HTMLExporter.extra_template_paths = [
    str(FORMGRADER / "templates"), str(FORMGRADER / "static" / "node_modules" / "bootstrap" / "dist" / "css"),
]

# formgrader's marking page (its HTMLExporter, template "formgrade") writes names from the roster and
# gradebook unescaped: templates/formgrade/ holds nbgrader's macros with every value escaped, found first.
c.HTMLExporter.extra_template_basedirs = [str(HERE / "templates"), str(FORMGRADER / "templates")]

# "Download my submission" makes MODULE__LEARNER__TIME.zip holding LEARNER__FILE for each file.
# The course's plugins (leadership_course/grading/collect.py) open zips with limits, refuse odd
# learner IDs and zips whose name and contents disagree, keep each learner's latest download,
# and keep a reason for every refusal.
c.ZipCollectApp.extractor_plugin = "leadership_course.grading.collect.SubmissionZipExtractor"
c.ZipCollectApp.collector_plugin = "leadership_course.grading.collect.SubmissionZipCollector"
# On a hub, nbgrader collect refuses (with a reason in the refused list) and sets aside a link, a folder in
# someone else's name, an unreadable name or a time in the future, and collects everyone else
# (leadership_course/grading/exchange_collect.py).
c.ExchangeFactory.collect = "leadership_course.grading.exchange_collect.CheckedCollect"

# nbgrader export (the guide's totals) writes names unquoted: a comma shifts a row and "=..." runs as a
# formula in a spreadsheet. This one quotes every field and keeps formulas as text.
c.ExportApp.plugin_class = "leadership_course.grading.spreadsheet.SafeCsvExportPlugin"
