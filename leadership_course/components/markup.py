"""Text helpers with no widgets: learner text escaped, authored Markdown as HTML.

Kept apart from the widgets so that nbgrader runs (which show answers as plain HTML) do
not load ipywidgets."""

import functools
import html
import re

from ..prepared import PRERENDERED


def html_to_text(markup):
    """Roughly the text a reader sees in a piece of HTML."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))).strip()


def markdown(text):
    """Authored Markdown as HTML (raw HTML in the source is escaped): from prepared content
    when it holds this text, so that a page need not load mistune."""
    if not text:
        return ""
    found = PRERENDERED.get(text)
    return found if found is not None else render_markdown(text)


def render_markdown(text):
    """Markdown rendered now by mistune."""
    return _mistune()(text).strip()


@functools.cache
def _mistune():
    import mistune

    return mistune.create_markdown(escape=True)


def escape(text):
    """Learner text made safe to place in HTML."""
    return html.escape(str(text), quote=True)
