"""Prepared content: a JSON copy of each checked content file, with the HTML of its Markdown.

``python -m leadership_course prepare`` (run by the start command and Binder's postBuild)
writes the copies into a ``.prepared`` folder beside the YAML files. A page then reads JSON
instead of loading the YAML and Markdown libraries, about 50 ms of every page on a 2-core
machine. A copy is used only while its YAML file keeps the size and modification time it
was made from: an edited file, or a missing or damaged copy, is read from the YAML as before.
"""

import json
import os
from pathlib import Path

FORMAT = 1
FOLDER = ".prepared"

#: Markdown source -> HTML, from the copies read so far (markup.markdown looks here first).
PRERENDERED = {}


def copy_path(path):
    """Where the prepared copy of the YAML file ``path`` is kept."""
    path = Path(path)
    return path.parent / FOLDER / f"{path.stem}.json"


def _stamp(path):
    stat = os.stat(path)
    return [stat.st_mtime_ns, stat.st_size]


def read_prepared(path):
    """The checked data prepared from the YAML file ``path``, or None when no copy fits it."""
    try:
        with open(copy_path(path), encoding="utf-8") as file:
            prepared = json.load(file)
        if prepared["format"] != FORMAT or prepared["source"] != _stamp(path):
            return None
        PRERENDERED.update(prepared["html"])
        return prepared["data"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_prepared(path, data):
    """Keep a copy of ``data``, checked content read from the YAML file ``path``; return
    False, keeping none, when JSON cannot hold the data as it is (a date, a number as a key)."""
    from .components.markup import render_markdown

    target = copy_path(path)
    try:
        text = json.dumps({"format": FORMAT, "source": _stamp(path), "data": data,
                           "html": {source: render_markdown(source) for source in every_string(data)}},
                          ensure_ascii=False)
        faithful = json.loads(text)["data"] == data
    except (TypeError, ValueError):
        faithful = False
    if not faithful:
        target.unlink(missing_ok=True)
        return False
    target.parent.mkdir(exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)
    return True


def every_string(value):
    """Every text in ``value``: any of them may be shown as Markdown."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from every_string(item)
    elif isinstance(value, list):
        for item in value:
            yield from every_string(item)


def prepare_all(content_dir):
    """Check the whole course and write a copy of every content file; return the problems
    found (nothing is prepared while there are any)."""
    from . import content

    folder = Path(content_dir)
    problems = content.check_all(folder)
    if problems:
        return problems
    sources = sorted(folder.glob("*.yaml"))
    pictures = content.assets_dir(folder) / "pictures.yaml"
    if pictures.is_file():
        sources.append(pictures)
    for path in sources:
        write_prepared(path, content.read_yaml(path))
    return []
