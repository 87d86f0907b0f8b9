"""Formgrader's page for a submission it cannot open: a plain page saying why and what to do.

formgrader shows a submission from its graded notebook in ``autograded/``. When that notebook is
missing (autograde did not grade the learner) nbgrader 0.9's "not found" template imports a file
it no longer ships (``formgrade_macros.tpl``), and when it is damaged the converter raises: either
way the facilitator got "Sorry, the formgrader encountered an error" (status 500) and a
traceback in the server's log. nbgrader builds that template's jinja2 environment from its own
folder only, with no setting for another, so this jupyter-server extension serves the
submission page first: for a notebook that is missing or cannot be read, a plain page (status
404); for every other submission, nbgrader's own page. It is enabled for every server of the
course's environment (``start.py`` writes ``.venv/etc/jupyter/jupyter_server_config.d/``) and in
the hub's facilitator profile, and adds its page only where formgrader itself is enabled.
"""

from __future__ import annotations

import os
from html import escape
from urllib.parse import quote

import nbformat
from jupyter_server.utils import url_path_join
from nbgrader.api import MissingEntry
from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf
from nbgrader.server_extensions.formgrader.handlers import SubmissionHandler
from tornado import web

FORMGRADER = "nbgrader.server_extensions.formgrader"
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>This submission cannot be opened</title>
<link rel="stylesheet" href="{base}/formgrader/static/node_modules/bootstrap/dist/css/bootstrap.min.css">
</head>
<body>
<main class="container">
<h1>This submission cannot be opened</h1>
<p>{learner}'s graded notebook for {assignment} ({notebook}) {what}, so formgrader cannot show it and
there is nothing to mark here yet.</p>
<h2>What to do</h2>
<ol>
<li>See the dashboard's problems for {learner}: they say what went wrong while collecting and grading.</li>
<li>Grade it again from your grading folder: <code>nbgrader autograde {assignment} --student {learner} --force</code></li>
<li>If that fails too, ask {learner} to send their submission again, collect it and grade it.</li>
</ol>
<p><a href="{base}/formgrader/gradebook/{assignment_url}/{notebook_url}">Back to the submissions of {notebook}</a></p>
</main>
</body>
</html>
"""


def unreadable(path):
    """Why the notebook at ``path`` cannot be shown (a plain phrase), or None when it reads."""
    if not os.path.isfile(path):
        return "is missing"
    try:
        nbformat.read(path, as_version=nbformat.NO_CONVERT)
    except Exception:  # any damage: not JSON, not a notebook, not readable
        return "is damaged and cannot be read"
    return None


class SubmissionPage(SubmissionHandler):
    """nbgrader's submission page, or the plain page when the graded notebook cannot be read."""

    @web.authenticated
    @check_xsrf
    @check_notebook_dir
    def get(self, submission_id):
        try:
            submission = self.gradebook.find_submission_notebook_by_id(submission_id)
        except MissingEntry:
            return super().get(submission_id)  # nbgrader's own 404
        assignment, notebook = submission.assignment.assignment.name, submission.notebook.name
        learner = submission.student.id
        path = os.path.join(self.coursedir.format_path(self.coursedir.autograded_directory, learner, assignment),
                            f"{notebook}.ipynb")
        what = unreadable(path)
        if what is None:
            return super().get(submission_id)
        self.log.warning("formgrader: %s's graded notebook %s %s", learner, path, what)
        self.set_status(404)
        self.finish(PAGE.format(base=escape(self.base_url), learner=escape(learner), what=what,
                                assignment=escape(assignment), notebook=escape(notebook),
                                assignment_url=escape(quote(assignment)), notebook_url=escape(quote(notebook))))


def _jupyter_server_extension_points():
    return [{"module": "leadership_course.grading.formgrader_pages"}]


def _load_jupyter_server_extension(serverapp):
    """Put the submission page before formgrader's own (extensions load in name order, so this one first)."""
    if not serverapp.jpserver_extensions.get(FORMGRADER):
        return
    pattern = url_path_join(serverapp.web_app.settings["base_url"], r"/formgrader/submissions/([^/]+)/?")
    serverapp.web_app.add_handlers(".*$", [(pattern, SubmissionPage)])
