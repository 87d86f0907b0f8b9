"""The combined bibliography and the glossary, each as one page built from content files."""

import ipywidgets as widgets

from .common import escape, html_look
from .markup import markdown


def reference_html(entry):
    """One reference, as a link named by its text (a screen reader reads the title, not
    the address) where it has an address."""
    if entry.get("url"):
        return f"<a href='{escape(entry['url'])}'>{escape(entry['text'])}</a>"
    return escape(entry["text"])


class Bibliography(widgets.HTML):
    def __init__(self, references):
        entries = sorted(references.values(), key=lambda e: e["text"].lower())
        items = "".join(f"<li>{reference_html(e)}</li>" for e in entries)
        super().__init__(f"<ol class='course-bibliography'>{items}</ol>", **html_look())


class Glossary(widgets.HTML):
    def __init__(self, glossary):
        rows = []
        for term in sorted(glossary, key=str.lower):
            entry = glossary[term]
            full = f" ({escape(entry['full'])})" if entry.get("full") else ""
            rows.append(f"<dt id='{escape(term.lower())}'><strong>{escape(term)}</strong>{full}</dt>"
                        f"<dd>{markdown(entry['meaning'])}</dd>")
        super().__init__(f"<dl class='course-glossary'>{''.join(rows)}</dl>", **html_look())
