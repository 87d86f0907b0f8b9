"""Pre-heated Voila kernels that still show the learner's latest record.

With ``preheat_kernel`` on (voila.json), standalone Voila starts a kernel for each course
page before anyone asks for it and runs the notebook in it. Left alone, that kernel would
read the learner's record at launch time: a page opened an hour later would show the
progress and answers of an hour ago.

So the course splits each page's work in two. While the kernel waits in the pool it does
everything that does not depend on the record: Python, ipywidgets and the engine are
imported, and the components and the course map are loaded. The first ``show_...`` call
then waits until a learner opens the page, and only then reads the record and builds the
widgets. Voila sends the page's opening text to the browser at once, while the widgets
are being built.

The wait is Voila's own protocol (``voila.utils.wait_for_request`` in Voila 0.5): the
kernel opens a websocket to ``<server>/voila/query/<kernel id>`` and Voila sends the
request's details down it when the page is requested. The course speaks it with
tornado, which the kernel has loaded already: importing ``voila.utils`` would load
jupyter-server into every waiting kernel (about 2 s of CPU and tens of MB each, and
eleven kernels start together when the course starts).

Elsewhere (JupyterLab, nbval, nbgrader, Voila inside jupyter-server as on Binder, or
Voila without pre-heating) ``VOILA_PREHEAT`` is not ``"True"`` and nothing waits.
"""

from __future__ import annotations

import importlib
import logging
import os

#: Set by Voila in the environment of the kernels it starts ahead of time.
PREHEAT_VARIABLE = "VOILA_PREHEAT"
#: Seconds allowed to open the websocket to Voila (the wait for the learner has no limit).
CONNECT_TIMEOUT_S = 10

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
        os.environ.update(receive_request_info(request_info_url()))
    except Exception as error:  # never stop the page over this
        _log.warning("Could not wait for the page request (%s); building the page now.", error)


def request_info_url() -> str:
    """The websocket on which Voila announces the page request for this kernel."""
    env = os.environ
    server_url = env.get("VOILA_SERVER_URL", "/")
    base = env.get("VOILA_WS_BASE_URL", server_url)
    return (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
            f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env['VOILA_KERNEL_ID']}")


def receive_request_info(url: str) -> dict[str, str]:
    """Block until Voila sends the request's details (CGI-style variables) on ``url``."""
    import asyncio
    import json
    import threading

    import tornado.websocket

    async def receive():
        connection = await tornado.websocket.websocket_connect(url, connect_timeout=CONNECT_TIMEOUT_S)
        try:
            message = await connection.read_message()
        finally:
            connection.close()
        if message is None:
            raise ConnectionError("Voila closed the connection")
        return message

    outcome = {}

    def run():  # in a thread of its own: the kernel's event loop is busy running this cell
        try:
            outcome["message"] = asyncio.run(receive())
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, name="wait-for-learner", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return {str(key): str(value) for key, value in json.loads(outcome["message"]).items()}


#: The component modules a course page may use.
COMPONENTS = ("course_home", "journal_download", "knowledge_check", "picture", "pledge_list",
              "plan", "reflection", "scenario", "self_check", "where_saved")


def _warm_up() -> None:
    """Import the components and load the course map: work that does not read the record."""
    for name in COMPONENTS:
        importlib.import_module(f"leadership_course.components.{name}")
    from ..content import ContentError, load_course

    try:
        load_course()
    except ContentError:
        pass  # the page will report it when it is built
