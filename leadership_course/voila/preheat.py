"""Pre-heated Voila kernels that still show the learner's latest record.

With ``preheat_kernel`` on (voila.json), standalone Voila starts a kernel for each course
page before anyone asks for it and runs the notebook in it. Left alone, that kernel would
read the learner's record at launch time: a page opened an hour later would show the
progress and answers of an hour ago.

So the course splits each page's work in two. While the kernel waits in the pool it does
everything that does not depend on the record: Python, ipywidgets and the engine are
imported, and the components and the course map are loaded. The first ``show_...`` call
then waits, with :func:`voila.utils.wait_for_request`, until a learner opens the page, and
only then reads the record and builds the widgets. Voila sends the page's opening text
to the browser at once, while the widgets are being built.

Elsewhere (JupyterLab, nbval, nbgrader, Voila inside jupyter-server as on Binder, or
Voila without pre-heating) ``VOILA_PREHEAT`` is not ``"True"`` and nothing waits.
"""

from __future__ import annotations

import importlib
import logging
import os

#: Set by Voila in the environment of the kernels it starts ahead of time.
PREHEAT_VARIABLE = "VOILA_PREHEAT"

_log = logging.getLogger(__name__)
_waited = False


def in_preheated_kernel() -> bool:
    """True in a kernel that Voila started before any learner asked for its page."""
    return os.environ.get(PREHEAT_VARIABLE) == "True"


def wait_for_learner() -> None:
    """In a pre-heated kernel, get ready, then wait until a learner opens the page.

    Waits at most once per kernel; returns at once everywhere else. If Voila cannot be
    asked (an unexpected Voila version, say), the page is built straight away: it still
    works, it may only show the record as it was when the kernel started.
    """
    global _waited
    if _waited or not in_preheated_kernel():
        return
    _waited = True
    _warm_up()
    try:
        from voila.utils import wait_for_request

        wait_for_request()
    except Exception as error:  # never stop the page over this
        _log.warning("Could not wait for the page request (%s); building the page now.", error)


#: The component modules a course page may use.
COMPONENTS = ("course_home", "journal_download", "knowledge_check", "picture", "pledge_list",
              "reflection", "scenario", "self_check", "where_saved")


def _warm_up() -> None:
    """Import the components and load the course map: work that does not read the record."""
    for name in COMPONENTS:
        importlib.import_module(f"leadership_course.components.{name}")
    from ..content import ContentError, load_course

    try:
        load_course()
    except ContentError:
        pass  # the page will report it when it is built
