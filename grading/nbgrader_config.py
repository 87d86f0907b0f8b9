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

# "Download my submission" makes MODULE__LEARNER.zip holding LEARNER__FILE for each file.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.zipcollect.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.-]*)__(?P<file_id>[^/]+)$"
c.FileNameCollectorPlugin.valid_ext = [".ipynb", ".json"]
