"""Formgrader's panel in a facilitator's JupyterLab on JupyterHub 4.1 and later.

JupyterHub's single-user servers send ``Content-Security-Policy: frame-ancestors 'none'``
with every page, and formgrader's panel in JupyterLab is a frame holding
``<server>/formgrader``, so the browser leaves it blank (nbgrader issues #1915, #1947).
nbgrader's documentation offers ``frame-ancestors 'self'`` for the whole server. This
extension is narrower: only formgrader's own pages, and only in a facilitator's server
(it is enabled in ``deploy/jupyterhub/profiles/facilitator`` alone), may be framed, and
only by pages of that same server. Every other page keeps the hub's ``'none'``.
"""

from __future__ import annotations

from tornado.web import OutputTransform

FRAME_POLICY = "frame-ancestors 'self'"


def formgrader_transform(base_url: str):
    """An output transform that relaxes the policy for ``<base_url>formgrader`` pages only."""
    prefix = base_url.rstrip("/") + "/formgrader"

    class FormgraderFrame(OutputTransform):
        def __init__(self, request):
            super().__init__(request)
            path = request.path
            self.applies = path == prefix or path.startswith(prefix + "/")

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            if self.applies:
                headers["Content-Security-Policy"] = FRAME_POLICY
            return status_code, headers, chunk

    return FormgraderFrame


def _jupyter_server_extension_points():
    return [{"module": "leadership_course.hub.formgrader_frame"}]


def _load_jupyter_server_extension(serverapp):
    serverapp.web_app.add_transform(formgrader_transform(serverapp.base_url))
    serverapp.log.info("Formgrader's pages may be framed by this server's own pages (%s).", FRAME_POLICY)
