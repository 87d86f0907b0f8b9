"""Where each activity sits on its module's page: the section (level 2 heading) of the
module's notebook whose cells show it, by the anchor that Voila and the web edition give
that heading. Read from the notebook alone, so building the web edition needs no widgets."""

import functools
import json
import re
from pathlib import Path
from urllib.parse import quote

from .content import load_activity

#: A notebook cell that shows an activity, for example ``show_scenario("busy-shift-scenario")``.
SHOW_CALL = re.compile(r"""\bshow_(\w+)\(\s*["']([a-z0-9-]+)["']""")


def section_anchor(heading):
    """The id nbconvert (and so Voila and the "On this page" list) gives a Markdown heading:
    its text with spaces as hyphens, characters not allowed in an address fragment
    %-encoded (nbconvert.filters.strings.add_anchor)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its words
    text = text.replace("`", "").replace("**", "").strip()
    return quote(text.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


def activity_sections(notebook_path):
    """{activity id: the anchor of the section (level 2 heading) of the page that shows it},
    read from the module's notebook; a plan's parts are in its section. Empty when the
    notebook cannot be read."""
    path = Path(notebook_path)
    try:
        return dict(_sections(str(path), path.stat().st_mtime_ns))
    except (OSError, ValueError):
        return {}


@functools.lru_cache(maxsize=64)
def _sections(path, _changed):
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    found, section = {}, None
    for cell in cells:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            for line in source.splitlines():
                if line.startswith("## "):
                    section = section_anchor(line[3:])
        elif cell["cell_type"] == "code" and section:
            for kind, activity_id in SHOW_CALL.findall(source):
                found.setdefault(activity_id, section)
                if kind == "plan":
                    for part in _plan_parts(activity_id):
                        found.setdefault(part, section)
    return tuple(found.items())


def _plan_parts(plan_id):
    try:
        return [part["reflection"] for part in load_activity(plan_id, "plan")["parts"]]
    except Exception:
        return []
