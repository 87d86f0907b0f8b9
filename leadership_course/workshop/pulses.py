"""Pulse files: the items of a workshop pulse, written as YAML in ``workshop/pulses/``.

A pulse file is content, like the course's activity files: a clinical educator can edit it
without touching Python. It is checked on load, and every problem names the file and the
field (``abc-and-voice.yaml: items[2].prompt: 'prompt' is missing``). The format is in
docs/workshop-pulse.md.

When a host starts a workshop, the checked pulse is copied into the workshop's store, so
editing the file later never changes (or mixes up) the answers of a running workshop.
"""

import os
from pathlib import Path

from ..content import _ID, ContentError, _Checker, read_yaml

#: Set this to use pulse files from another folder.
PULSES_DIR_VARIABLE = "COURSE_PULSES_DIR"
TOP_FIELDS = ("id", "title", "intro", "scale", "items")
ITEM_FIELDS = ("id", "label", "prompt", "type", "options")
#: An item's ``type``: pick one of its options (the default), or type one word.
ITEM_TYPES = ("choice", "word")
MAX_ITEMS = 12
MAX_LABEL = 40
OPTIONS_RANGE = (2, 7)


def find_pages_dir(start=None):
    """The workshop's folder (``pulses/`` in it): ``workshop/`` found from the working folder
    or its parents, else the one beside this package."""
    def is_pages(folder):
        return folder.name == "workshop" and (folder / "pulses").is_dir()

    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for candidate in (folder, folder / "workshop"):
            if is_pages(candidate):
                return candidate
    beside = Path(__file__).resolve().parents[2] / "workshop"
    if is_pages(beside):
        return beside
    raise ContentError(["The workshop folder (with pulses/) was not found: "
                        "run the command from the course folder."])


def pulses_dir():
    """$COURSE_PULSES_DIR, else ``workshop/pulses``."""
    if os.environ.get(PULSES_DIR_VARIABLE):
        return Path(os.environ[PULSES_DIR_VARIABLE])
    return find_pages_dir() / "pulses"


def available_pulses(folder=None):
    """The ids of the pulse files in ``folder`` (default: :func:`pulses_dir`)."""
    try:
        folder = Path(folder) if folder else pulses_dir()
    except ContentError:
        return []
    return sorted(p.stem for p in folder.glob("*.yaml"))


def load_pulse(name, folder=None):
    """Load and check a pulse by id (a file in the pulses folder) or by a path to a YAML file."""
    candidate = Path(str(name)).expanduser()
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        path = candidate
    else:
        if not isinstance(name, str) or not _ID.match(name):
            raise ContentError([f"'{name}' is not a pulse id (lower-case letters, digits and dashes) "
                                "or the path of a .yaml file"])
        folder = Path(folder) if folder else pulses_dir()
        path = folder / f"{name}.yaml"
        if not path.is_file():
            known = ", ".join(available_pulses(folder)) or "none"
            raise ContentError([f"{path.name}: there is no pulse '{name}' in {folder} (pulses there: {known})"])
    return check_pulse(read_yaml(path), path.name, expected_id=path.stem)


def check_pulse(data, filename, expected_id=None):
    """The pulse as a plain dict, every item with its own ``options``; or ContentError
    listing every problem found."""
    check = _Checker(filename)
    if not isinstance(data, dict):
        check.problem("", "the file must hold a set of named fields (id, title, scale, items)")
        check.done(None)
    _unknown_fields(check, data, TOP_FIELDS, "")
    pulse_id = check.field(data, "id", "")
    if pulse_id is not None:
        if not _ID.match(pulse_id):
            check.problem("id", f"id '{pulse_id}' must use lower-case letters, digits and dashes")
        elif expected_id is not None and pulse_id != expected_id:
            check.problem("id", f"'{pulse_id}' does not match the file name '{expected_id}'")
    title = check.field(data, "title", "")
    intro = check.field(data, "intro", "", required=False)
    scale = _options(check, data, "scale", "", required=False)
    items = check.field(data, "items", "", list)
    checked = []
    if items is not None:
        if not 1 <= len(items) <= MAX_ITEMS:
            check.problem("items", f"a pulse needs 1 to {MAX_ITEMS} items, found {len(items)}")
        seen = set()
        for index, item in enumerate(items):
            where = f"items[{index + 1}]"
            if not isinstance(item, dict):
                check.problem(where, "expected a set of named fields (id, label, prompt)")
                continue
            _unknown_fields(check, item, ITEM_FIELDS, where)
            item_id = check.field(item, "id", where)
            check.unique_id(item_id, f"{where}.id", seen)
            label = check.field(item, "label", where)
            if label is not None and len(label) > MAX_LABEL:
                check.problem(f"{where}.label", f"keep the label to {MAX_LABEL} characters (it names the chart)")
            prompt = check.field(item, "prompt", where)
            kind = item.get("type", "choice")
            if kind not in ITEM_TYPES:
                check.problem(f"{where}.type", f"'{kind}' is not a type of item (types: {', '.join(ITEM_TYPES)})")
            if kind == "word":
                if "options" in item:
                    check.problem(f"{where}.options", "a 'word' item has no options: people type one word")
                checked.append({"id": item_id, "label": label, "prompt": prompt, "type": "word", "options": []})
                continue
            options = _options(check, item, "options", where, required=False)
            if options is None and "options" not in item and scale is None and "scale" not in data:
                check.problem(f"{where}.options", "give the item its own 'options', or give the pulse a 'scale'")
            checked.append({"id": item_id, "label": label, "prompt": prompt, "type": "choice",
                            "options": options or scale})
    return check.done({"id": pulse_id, "title": title, "intro": intro or "", "items": checked})


def _options(check, mapping, key, where, required):
    place = f"{where}.{key}" if where else key
    values = check.field(mapping, key, where, list, required=required)
    if values is None:
        return None
    low, high = OPTIONS_RANGE
    if not low <= len(values) <= high:
        check.problem(place, f"give {low} to {high} answers to choose from, found {len(values)}")
    texts = []
    for index, value in enumerate(values):
        if isinstance(value, bool):  # YAML reads a bare Yes, No, On or Off as true or false
            word = "Yes" if value else "No"
            check.problem(f"{place}[{index + 1}]", f"'{word}' was read as {str(value).lower()}: "
                                                   f"put it in quotes (\"{word}\")")
        elif not isinstance(value, str) or not value.strip():
            check.problem(f"{place}[{index + 1}]", "each answer must be a piece of text (put it in quotes)")
        else:
            texts.append(value.strip())
    if len(set(texts)) != len(texts):
        check.problem(place, "the same answer is listed twice")
    return texts if len(texts) == len(values) else None


def _unknown_fields(check, mapping, known, where):
    for key in mapping:
        if key not in known:
            place = f"{where}.{key}" if where else str(key)
            check.problem(place, f"'{key}' is not a field here (fields: {', '.join(known)})")
