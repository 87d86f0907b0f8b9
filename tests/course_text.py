"""Reading the course as a learner sees it: notebook prose and the text of each activity."""

import json
import re
from pathlib import Path

import yaml

REPO = Path(__file__).parent.parent
MODULES = REPO / "modules"
CONTENT = MODULES / "content"


def course():
    return yaml.safe_load((CONTENT / "course.yaml").read_text(encoding="utf-8"))


def written_modules():
    """The course.yaml entries of modules that have a notebook."""
    return [m for m in course()["modules"] if m.get("notebook")]


def cells(notebook_name):
    notebook = json.loads((MODULES / notebook_name).read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"])) for c in notebook["cells"]]


def markdown_text(notebook_name):
    return "\n\n".join(source for kind, source in cells(notebook_name) if kind == "markdown")


def calls(notebook_name, function):
    """The first arguments of every call like show_scenario("id") in the notebook."""
    code = "\n".join(source for kind, source in cells(notebook_name) if kind == "code")
    return re.findall(rf'{function}\("([^"]+)"\)', code)


def activity(activity_id):
    return yaml.safe_load((CONTENT / f"{activity_id}.yaml").read_text(encoding="utf-8"))


def activity_prose(data):
    """Every piece of learner-facing text in an activity, in reading order."""
    skip = {"type", "id", "module", "kind", "next", "go", "when", "requires", "effects", "state",
            "start", "outcome", "correct", "references", "scale", "reverse",
            "requires_because", "rare_best_ending_because"}
    found = []

    def walk(value, key=None):
        if key in skip:
            return
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(data)
    return found


def plain(markdown):
    """Markdown reduced to sentences: no links, URLs, markup, tables or headings' marks."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"https?://\S+", "", text)
    text = re.sub(r"^\s*\|.*\|\s*$", "", text, flags=re.M)
    text = re.sub(r"[*_`>#]", "", text)
    return text
