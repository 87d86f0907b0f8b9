"""Checking, salvaging and merging record files: plain functions on bytes and dicts.

A record file may come from this machine (perhaps damaged: cut off by a full disk,
hand-edited, written by a faulty tool) or be chosen by a learner to continue their course
(perhaps from Binder, perhaps not a record at all, perhaps crafted to hurt). Either way it
is read with :func:`check_record`, which never raises and never runs anything:

* a file that cannot be a record (too large, not a record, from a newer course, or
  hostile: markup, huge strings, deep nesting) is refused with a plain reason;
* anything else gives back every activity that is still valid; each damaged entry is
  kept, with its reason, for the record's set-aside list; a file cut off part way is
  read as far as it goes.

:func:`merge` then joins two records: per activity the newer entry wins, and the entry
that loses is kept in the set-aside list, so that it can be brought back.

The course has written one layout, version 1: ``{"version": 1, "activities": {id: entry},
"set_aside": [...], "pages_opened": {notebook: {"first": time, "last": time}}}``. Its first
release wrote set-aside files as ``{"file", "reason", "when"}``; assessment answer files
and model answers carry no ``set_aside`` list; records written before module pages were
noted when opened carry no ``pages_opened``. All are read as they are (:func:`migrate`
fills in what is missing). Entries set aside here are ``{"activity", "entry", "reason",
"when"}`` (a damaged page opening adds ``"page"``, with ``"activity": None``), which older
copies of the course keep unread; older copies also leave ``pages_opened`` out when they
save (only when pages were opened is lost, never work).
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

RECORD_VERSION = 1
#: Largest file the continue step takes (a whole course at the longest answers is far
#: smaller; the browser also sends an upload to the kernel in one message).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Longest string in a chosen file (a reflection keeps at most 20,000 characters).
MAX_TEXT_CHARS = 50_000
#: Deepest nesting in a chosen file (a whole course record is 8 levels deep, counting the
#: values at the bottom: record, activities, a scenario, its runs, a run, its path, a step).
MAX_DEPTH = 12
#: Most activities in a chosen file (the course has fewer than a hundred).
MAX_ACTIVITIES = 2_000
#: Most module pages in a chosen file's ``pages_opened`` (the course has a dozen).
MAX_PAGES = 500
#: A page of ``pages_opened``: a notebook, as the course map names it (a path inside the
#: course's folder: no part may start with a dot, so never "..").
PAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*\.ipynb$")
ACTIVITY_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_ID_CHARS = 100
#: Markup that would hurt if a page ever showed it unescaped: script-capable tags,
#: event-handler attributes and script addresses. Plain "<" in a sentence is fine.
HOSTILE_MARKUP = re.compile(
    r"<\s*/?\s*(script|style|iframe|frame|frameset|object|embed|applet|svg|math|img|image|link|meta|base|"
    r"form|input|button|textarea|select|video|audio|source|template|html|body|head|a)(?=[\s/>])"
    r"|<[a-z][^>]*\son[a-z]+\s*="
    r"|javascript\s*:|vbscript\s*:|data\s*:\s*text/html",
    re.IGNORECASE,
)

#: What each known field of an entry must be; other fields may hold any JSON.
FIELD_TYPES = {
    "type": str, "kind": str, "title": str, "prompt": str, "text": str, "place": str,
    "updated": str, "saved_at": str, "completed_at": str, "answered_at": str,
    "module": int, "score": int, "out_of": int, "scale_top": int,
    "completed": bool, "results_shown": bool,
    "answers": dict, "state": dict, "responses": dict, "scores": dict, "labels": dict,
    "path": list, "runs": list, "selected": list,
}
#: What the items of a known list or mapping field must be.
ITEM_TYPES = {"runs": dict, "answers": dict}
TYPE_NAMES = {str: "text", int: "a whole number", bool: "yes or no", dict: "a set of named fields", list: "a list"}


@dataclass
class Checked:
    """What :func:`check_record` found in a file."""

    record: dict | None = None          # the usable record; None when refused
    refused: str | None = None          # why the file cannot be used at all
    damaged: list = field(default_factory=list)   # set-aside items for damaged entries
    problems: list = field(default_factory=list)  # plain sentences about the file as a whole

    @property
    def clean(self):
        """True for a record read whole, with nothing damaged."""
        return self.refused is None and not self.damaged and not self.problems


def check_record(raw, chosen=False):
    """Check the bytes of a record file; see the module docstring.

    ``chosen`` is for a file the learner picked (to continue, or a set-aside file): it is
    held to the limits on size, strings, nesting and markup. The learner's own record is
    read whatever its size."""
    if chosen and len(raw) > MAX_FILE_BYTES:
        return Checked(refused=f"it is {len(raw) / 1024 / 1024:.1f} MB, larger than any course record "
                               f"(the limit is {MAX_FILE_BYTES // 1024 // 1024} MB)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Checked(refused="it is not a text file, so it is not a course record")
    problems, cut = [], []
    try:
        data = json.loads(text)
    except RecursionError:
        return Checked(refused="it is nested far more deeply than any course record")
    except ValueError:
        data, cut = salvage_json(text)
        if not isinstance(data, dict) or "activities" not in data:
            return Checked(refused="it is not a course record (it is not readable as one)")
        problems.append("the file is cut off or damaged part way, so only its readable parts were used")
    if chosen:
        hostile = hostile_reason(data) or hostile_reason([part for _, _, part in cut])
        if hostile:
            return Checked(refused=hostile)
    return _check_layout(data, problems, cut)


def _check_layout(data, problems, cut):
    if not isinstance(data, dict) or not ("activities" in data or "version" in data):
        return Checked(refused="it is not a course record")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > RECORD_VERSION:
        return Checked(refused=f"it was written by a newer version of the course (record version {version}); "
                               "update the course first")
    if not (isinstance(version, int) and not isinstance(version, bool) and version >= 1):
        problems.append("its version is missing or damaged, so it was read as the course's first layout")
    activities = data.get("activities")
    if not isinstance(activities, dict):
        return Checked(refused="its list of activities is missing or damaged, so nothing in it can be used")
    record, damaged, activities = migrate(data), [], dict(activities)
    for name, key, part in cut:
        if name == "activities" and isinstance(part, dict) and part:
            activities[key] = record["activities"][key] = part
            problems.append(f"the work on {activity_title(key, part)} was cut off, so only the part of it "
                            "that could be read was kept")
        elif name == "activities":
            damaged.append({"activity": key, "entry": part, "reason": "it is cut off or damaged in the file"})
        else:
            damaged.append({"activity": None, "entry": part, "reason": f"a damaged part of '{name}'"})
    for activity_id, entry in activities.items():
        reason = entry_problem(activity_id, entry)
        if reason:
            damaged.append({"activity": activity_id, "entry": entry, "reason": reason})
            del record["activities"][activity_id]
            continue
        bad = field_problems(entry)
        if bad:  # the rest of the entry is kept; each damaged field is set aside
            record["activities"][activity_id] = {k: v for k, v in entry.items() if k not in bad}
            damaged.extend({"activity": activity_id, "field": name, "entry": {name: entry[name]}, "reason": why}
                           for name, why in bad.items())
    if not isinstance(data.get("set_aside", []), list):
        problems.append("its list of set-aside work is damaged")
        damaged.append({"activity": None, "entry": data["set_aside"], "reason": "a damaged list of set-aside work"})
        record["set_aside"] = []
    damaged.extend(_check_pages(data.get("pages_opened", {}), record))
    return Checked(record=record, damaged=damaged, problems=problems)


def _check_pages(pages, record):
    """Set-aside items for each damaged entry of ``pages_opened`` (removed from ``record``)."""
    if not isinstance(pages, dict):
        return [{"activity": None, "entry": pages, "reason": "the list of module pages you opened is damaged"}]
    damaged = []
    for page, opened in pages.items():
        reason = page_problem(page, opened)
        if reason:
            damaged.append({"activity": None, "page": page, "entry": opened, "reason": reason})
            del record["pages_opened"][page]
    return damaged


def page_problem(page, opened):
    """Why one entry of ``pages_opened`` cannot be used, or None."""
    if len(page) > MAX_ID_CHARS or not PAGE_NAME.match(page):
        return "a page you opened is not named as a course page"
    if not (isinstance(opened, dict) and all(_moment(opened.get(key)) for key in ("first", "last"))):
        return f"when you opened {page} is not saved as two dates and times"
    return None


def migrate(data):
    """A record in this course's layout from any layout it has written (see above)."""
    activities = data.get("activities") if isinstance(data.get("activities"), dict) else {}
    set_aside = data.get("set_aside", [])
    pages = data.get("pages_opened", {})
    return {"version": RECORD_VERSION, "activities": dict(activities),
            "set_aside": list(set_aside) if isinstance(set_aside, list) else [],
            "pages_opened": dict(pages) if isinstance(pages, dict) else {}}


def entry_problem(activity_id, entry):
    """Why one activity's entry cannot be used at all, or None."""
    if len(activity_id) > MAX_ID_CHARS or not ACTIVITY_ID.match(activity_id):
        return "its name is not the name of an activity"
    if not isinstance(entry, dict):
        return "it is not a set of named fields"
    return None


def field_problems(entry):
    """{field: why} for each known field of an entry that holds the wrong kind of value."""
    found = {}
    for name, wanted in FIELD_TYPES.items():
        if name not in entry:
            continue
        value = entry[name]
        items = value.values() if isinstance(value, dict) else value
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            found[name] = f"its field '{name}' should be {TYPE_NAMES[wanted]}"
        elif name in ITEM_TYPES and not all(isinstance(item, ITEM_TYPES[name]) for item in items):
            found[name] = f"its field '{name}' holds something damaged"
    if "updated" in entry and "updated" not in found and saved_time(entry) is None:
        found["updated"] = "its save time is not a date and time"
    return found


def hostile_reason(data):
    """Why a chosen file looks crafted to hurt (huge strings, deep nesting, too many
    activities, markup), or None."""
    activities = data.get("activities") if isinstance(data, dict) else None
    if isinstance(activities, dict) and len(activities) > MAX_ACTIVITIES:
        return f"it holds {len(activities):,} activities, far more than the course has"
    pages = data.get("pages_opened") if isinstance(data, dict) else None
    if isinstance(pages, dict) and len(pages) > MAX_PAGES:
        return f"it notes {len(pages):,} pages opened, far more than the course has"
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "it is nested far more deeply than any course record"
        if isinstance(value, dict):
            for key, item in value.items():
                problem = _text_problem(key)
                if problem:
                    return problem
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                return problem
    return None


def _text_problem(text):
    if len(text) > MAX_TEXT_CHARS:
        return f"it holds a piece of text of {len(text):,} characters, longer than any answer the course keeps"
    if HOSTILE_MARKUP.search(text):
        return "it holds web page code (markup or script), which a course record never does"
    return None


def salvage_json(text):
    """(data, damaged) from JSON text that does not parse whole (cut off, or broken part way).

    ``data`` holds every whole member of the top object; a member that is itself an object
    or a list and does not parse whole (``activities``, say) is read member by member in
    turn. ``damaged`` lists (field, key, part) for each member of that second level that
    could not be read, with the part of it that could (or None). In the layout the course
    writes (each activity starts a line, indented by two spaces), reading goes on after a
    broken activity at the next one. ``data`` is None when the text does not start as an
    object."""
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if text[at:at + 1] != "{":
        return None, []
    data, damaged = {}, []
    at = _skip(text, at + 1)
    while at < len(text) and text[at] != "}":
        name, at = _read_key(text, at, decoder)
        if name is None:
            break
        try:
            data[name], end = decoder.raw_decode(text, at)
        except (ValueError, RecursionError):
            if text[at:at + 1] not in ("{", "["):
                break
            data[name], broken, end = _read_members(text, at, decoder)
            for key, place in broken:
                part = _read_members(text, place, decoder)[0] if text[place:place + 1] == "{" else None
                damaged.append((name, key, part))
            if end is None:
                break
        at = _after_comma(text, end)
    return data, damaged


#: Where a member of ``activities`` starts in a file the course wrote (json indent=1).
SECOND_LEVEL_KEY = re.compile(r'\n  "(?:[^"\\\n]|\\.)*"\s*:')


def _skip(text, at):
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _after_comma(text, at):
    at = _skip(text, at)
    return _skip(text, at + 1) if text[at:at + 1] == "," else at


def _read_key(text, at, decoder):
    """(key, position after its colon), or (None, at) when no key can be read there."""
    try:
        key, end = decoder.raw_decode(text, at)
    except ValueError:
        return None, at
    end = _skip(text, end)
    if not isinstance(key, str) or text[end:end + 1] != ":":
        return None, at
    return key, _skip(text, end + 1)


def _read_members(text, at, decoder):
    """(container, broken, end) for the object or list at text[at]: its whole members, the
    (key, position) of each member that did not parse, and where the container ended
    (None if the text ran out first). In an object, reading goes on after a broken member
    at the next line that starts a member (SECOND_LEVEL_KEY); in a list it stops there."""
    is_object = text[at] == "{"
    found, broken = ({} if is_object else []), []
    at = _skip(text, at + 1)
    while at < len(text):
        if text[at] in "}]":
            return found, broken, at + 1
        key = len(found)
        if is_object:
            key, at = _read_key(text, at, decoder)
            if key is None:
                return found, broken, None
        try:
            value, end = decoder.raw_decode(text, at)
        except (ValueError, RecursionError):
            broken.append((key, at))
            follow = SECOND_LEVEL_KEY.search(text, at) if is_object else None
            if follow is None:
                return found, broken, None
            at = _skip(text, follow.start())
            continue
        if is_object:
            found[key] = value
        else:
            found.append(value)
        at = _after_comma(text, end)
    return found, broken, None


# --- comparing and merging -----------------------------------------------------------------


def saved_time(entry):
    """When an entry was last saved, as an aware datetime, or None when it does not say."""
    return _moment(entry.get("updated") if isinstance(entry, dict) else None)


def _moment(stamp):
    """ISO text as an aware datetime (a time without an offset is this computer's), or None."""
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()


def item_key(item):
    """A short, stable name for one set-aside item (the same item always has the same key)."""
    return hashlib.sha1(_canonical(item).encode("utf-8")).hexdigest()[:12]


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass
class MergePlan:
    """What merging a chosen record into the learner's will do (or did)."""

    added: list = field(default_factory=list)      # activity ids new to this record
    replaced: list = field(default_factory=list)   # ids whose entry here is older: set aside
    kept: list = field(default_factory=list)       # ids whose entry here is newer: theirs set aside
    same: list = field(default_factory=list)       # ids whose entries are the same
    set_aside_added: int = 0                       # items new to the set-aside list
    pages: list = field(default_factory=list)      # pages whose opening times the file adds to

    @property
    def changes(self):
        return bool(self.added or self.replaced or self.kept or self.set_aside_added or self.pages)


def merge(current, checked, source, when):
    """(merged record, MergePlan): ``checked`` (a :class:`Checked` that was not refused)
    merged into ``current``. Nothing is lost: each entry that does not win is added to
    the set-aside list, and so are the damaged entries and the set-aside work of the file
    (not its notes of set-aside files, which name files in the folder it came from). A
    page opened on either side keeps its first opening and its latest (:func:`join_openings`).
    Merging the same file twice changes nothing the second time."""
    merged = {"version": RECORD_VERSION, "activities": dict(current["activities"]),
              "set_aside": list(current.get("set_aside", [])),
              "pages_opened": dict(current.get("pages_opened", {}))}
    plan = MergePlan()
    seen = {_canonical(_without_when(item)) for item in merged["set_aside"]}

    def set_aside(item):
        fingerprint = _canonical(_without_when(item))
        if fingerprint not in seen:
            seen.add(fingerprint)
            merged["set_aside"].append({**item, "when": when})
            plan.set_aside_added += 1

    for activity_id, theirs in checked.record["activities"].items():
        ours = merged["activities"].get(activity_id)
        if ours is None:
            merged["activities"][activity_id] = theirs
            plan.added.append(activity_id)
        elif _canonical(ours) == _canonical(theirs):
            plan.same.append(activity_id)
        elif _newer(theirs, ours):
            merged["activities"][activity_id] = theirs
            set_aside({"activity": activity_id, "entry": ours,
                       "reason": f"replaced by a newer entry from {source}"})
            plan.replaced.append(activity_id)
        else:
            set_aside({"activity": activity_id, "entry": theirs,
                       "reason": f"an older entry from {source}; the newer one here was kept"})
            plan.kept.append(activity_id)
    for item in checked.damaged:
        set_aside({**item, "reason": f"damaged in {source}: {item['reason']}"})
    for item in checked.record["set_aside"]:
        if isinstance(item, dict) and "file" in item:
            continue  # a note of a file in the folder the record came from, not work
        set_aside(item if isinstance(item, dict) else {"activity": None, "entry": item,
                                                      "reason": f"set aside in {source}"})
    for page, theirs in checked.record["pages_opened"].items():
        ours = merged["pages_opened"].get(page)
        joined = join_openings(ours, theirs)
        if joined != ours:
            merged["pages_opened"][page] = joined
            plan.pages.append(page)
    return merged, plan


def join_openings(ours, theirs):
    """One page's openings on both sides: the earlier first opening and the later last one
    (``ours`` may be None)."""
    if ours is None:
        return dict(theirs)
    first = min((ours["first"], theirs["first"]), key=_moment)
    last = max((ours["last"], theirs["last"]), key=_moment)
    return {**ours, "first": first, "last": last}


def _without_when(item):
    return {k: v for k, v in item.items() if k != "when"} if isinstance(item, dict) else item


def _newer(theirs, ours):
    """True when ``theirs`` was saved later than ``ours`` (an entry with no time is oldest)."""
    mine, other = saved_time(ours), saved_time(theirs)
    if other is None:
        return False
    return mine is None or other > mine


def restorable(item):
    """True for a set-aside item that holds a usable activity entry."""
    return (isinstance(item, dict) and isinstance(item.get("activity"), str) and "field" not in item
            and entry_problem(item["activity"], item.get("entry")) is None and not field_problems(item["entry"]))


# --- what a record holds, in words ----------------------------------------------------------


def newest_time(record):
    """The latest save time of any activity in the record, or None."""
    times = [t for t in (saved_time(e) for e in record["activities"].values()) if t]
    return max(times) if times else None


def spoken_time(moment):
    """'28 November 2026 at 10:42' (in this computer's time zone)."""
    return moment.astimezone().strftime("%d %B %Y at %H:%M").lstrip("0")


def modules_of(record, course):
    """The numbers of the course modules that hold activities of the record, in order."""
    held = set(record["activities"])
    return [m["number"] for m in course.get("modules", []) if held & set(m.get("activities") or [])]


def activity_title(activity_id, entry, course=None):
    """A readable name for an activity: its title, with its module where known."""
    title = entry.get("title") if isinstance(entry, dict) and isinstance(entry.get("title"), str) else activity_id
    for module in (course or {}).get("modules", []):
        if activity_id in (module.get("activities") or []):
            return f"{title} (module {module['number']})"
    return title
