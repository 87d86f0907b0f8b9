"""Text helpers with no widgets: learner text escaped, authored Markdown as HTML.

Kept apart from the widgets so that nbgrader runs (which show answers as plain HTML) do
not load ipywidgets."""

import html
import re

import mistune

_markdown = mistune.create_markdown(escape=True)


def html_to_text(markup):
    """Roughly the text a reader sees in a piece of HTML."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))).strip()


def markdown(text):
    """Authored Markdown as HTML (raw HTML in the source is escaped)."""
    return _markdown(text or "").strip()


def escape(text):
    """Learner text made safe to place in HTML."""
    return html.escape(str(text), quote=True)
