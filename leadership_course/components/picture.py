"""Pictures drawn for the course (SVG files in assets/), shown with their alt text.

The picture is placed in the page as data, so it shows the same in JupyterLab and Voila
and needs no file server."""

import base64

import ipywidgets as widgets

from .common import escape, html_look

MIME_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def picture_html(entry, path):
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = f"<figcaption>{escape(entry['caption'])}</figcaption>" if entry.get("caption") else ""
    return (f"<figure class='course-picture'><img src='data:{MIME_TYPES[path.suffix]};base64,{data}' "
            f"alt='{escape(entry['alt'])}' style='max-width:100%;height:auto'>{caption}</figure>")


class Picture(widgets.HTML):
    def __init__(self, entry, path):
        super().__init__(picture_html(entry, path), **html_look())
        self.add_class("course-picture-box")
