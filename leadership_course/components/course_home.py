"""Course home: "Continue where you left off", the course map as a task list (each module
with its time, a link and a status tag from the record), and the step that continues the
course from a record saved somewhere else."""

import functools
import json
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from ..content import find_content_dir, load_activity
from ..grading.open_assessment import assessments_step
from .common import CourseBox, escape, html_widget
from .continue_record import ContinueFromRecord

#: A notebook cell that shows an activity, for example ``show_scenario("busy-shift-scenario")``.
SHOW_CALL = re.compile(r"""\bshow_(\w+)\(\s*["']([a-z0-9-]+)["']""")


def activity_titles(module):
    """{activity id: its title} for a module's activities (an id whose file cannot be read
    is shown by its id, so that the home page still draws)."""
    titles = {}
    for activity_id in module.get("activities") or []:
        try:
            titles[activity_id] = load_activity(activity_id)["title"]
        except Exception:
            titles[activity_id] = activity_id
    return titles


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


class ModuleState(NamedTuple):
    """Where the learner is in one module."""

    tag: str      # the status tag's words
    kind: str     # done, progress, todo or soon (the tag's style)
    done: list    # titles of the activities done
    left: list    # (id, title) of each activity still to do, in the course map's order


def module_state(record, module):
    """The :class:`ModuleState` of one module: "In progress" once its page was opened or
    something in it saved (even unfinished), "Complete" when every activity is done."""
    if not module.get("notebook"):
        return ModuleState("Coming soon", "soon", [], [])
    activities = record.get("activities", {})
    titles = activity_titles(module)
    finished = {a for a in titles if isinstance(activities.get(a), dict) and activities[a].get("completed")}
    done = [t for a, t in titles.items() if a in finished]
    left = [(a, t) for a, t in titles.items() if a not in finished]
    touched = any(isinstance(activities.get(a), dict) for a in titles)
    opened = module["notebook"] in record.get("pages_opened", {})
    if titles and not left:
        return ModuleState("Complete", "done", done, left)
    if done or touched or opened:
        return ModuleState("In progress", "progress", done, left)
    return ModuleState("Not started", "todo", done, left)


def next_activity_link(module, activity_id):
    """A link (relative) to the section of the module page that shows ``activity_id``; the
    page itself when the notebook does not show it under a section heading."""
    anchor = activity_sections(find_content_dir().parent / module["notebook"]).get(activity_id)
    return module["notebook"] + (f"#{anchor}" if anchor else "")


def resume_html(course, record):
    """"Start the course" (a link to the first module's page) or "Continue where you left
    off": a link to the next unfinished activity of the first module in progress, else to
    the first module not begun after the last one finished (else the first not begun)."""
    states = [(module, module_state(record, module)) for module in course["modules"]]
    begun = [(m, s) for m, s in states if s.kind in ("todo", "progress")]
    if not begun:
        return ("<div class='course-resume'><h2>You have finished the course</h2><p>Every activity is done. "
                "Download your journal below to keep what you wrote.</p></div>")
    if not any(s.done or s.kind in ("progress", "done") for _, s in states):
        module = begun[0][0]
        return (f"<div class='course-resume'><h2>Start the course</h2><p><a href='{escape(module['notebook'])}'>"
                f"Module {module['number']}: {escape(module['title'])}</a></p></div>")
    in_progress = [(m, s) for m, s in begun if s.kind == "progress"]
    last_done = max((i for i, (_, s) in enumerate(states) if s.kind == "done"), default=-1)
    after = [(m, s) for m, s in states[last_done + 1:] if s.kind == "todo"]
    module, state = (in_progress or after or begun)[0]
    name = f"Module {module['number']}: {escape(module['title'])}"
    if state.kind == "todo" or not state.left:  # a module not begun opens at its start
        next_step = f"<a href='{escape(module['notebook'])}'>{name}</a>."
    else:
        activity_id, title = state.left[0]
        next_step = f"<a href='{escape(next_activity_link(module, activity_id))}'>{escape(title)}</a>, in {name}."
    return (f"<div class='course-resume course-returning'><h2>Continue where you left off</h2>"
            f"<p>Next: {next_step}</p></div>")


def task_html(module, state):
    """One module as an item of the NHS.UK task list: its name as a link, a hint (purpose,
    time, what is done and left) and its status tag, both read with the link."""
    key = f"course-module-{module['number']}"
    total = len(state.done) + len(state.left)
    hint = [escape(module["purpose"]), f"About {module['minutes']} minutes."]
    if state.kind != "soon" and total:
        hint.append(f"{len(state.done)} of {total} activities done.")
    if state.done and state.left:
        hint.append(f"Done: {escape('; '.join(state.done))}. Still to do: {escape('; '.join(t for _, t in state.left))}.")
    name = f"Module {module['number']}: {escape(module['title'])}"
    if module.get("notebook"):
        name = (f"<a class='course-task-link' href='{escape(module['notebook'])}' "
                f"aria-describedby='{key}-hint {key}-status'>{name}</a>")
    return (f"<li class='course-task'><div class='course-task-name'>{name}"
            f"<span class='course-task-hint' id='{key}-hint'>{' '.join(hint)}</span></div>"
            f"<div class='course-task-status' id='{key}-status'>"
            f"<strong class='course-tag course-tag-{state.kind}'>{state.tag}</strong></div></li>")


def course_map_html(course, record):
    """"Continue where you left off" and the course map. Links are relative, so they work
    in JupyterLab and Voila."""
    items = "".join(task_html(module, module_state(record, module)) for module in course["modules"])
    return f"{resume_html(course, record)}<h2>Course map</h2><ul class='course-task-list'>{items}</ul>"


class CourseHome(CourseBox):
    def __init__(self, course, record):
        self.course = course
        self.record = record
        self.map = html_widget(course_map_html(course, record.read()))
        self.continue_step = ContinueFromRecord(course, record, on_change=self.refresh)
        self.assessments = assessments_step(find_content_dir().parent)  # the exchange on a hub, else a zip
        super().__init__([self.map, self.assessments, self.continue_step], "home", record)

    def refresh(self):
        """Show the progress the record holds now."""
        self.map.value = course_map_html(self.course, self.record.read())
