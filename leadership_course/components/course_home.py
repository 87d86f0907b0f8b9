"""Course home: "Continue where you left off", the course map as a task list (each module
with its time, a link and a status tag from the record), and the step that continues the
course from a record saved somewhere else."""

from typing import NamedTuple

from ..content import find_content_dir, load_activity
from ..grading.open_assessment import assessments_step
from ..page_sections import activity_sections
from .common import CourseBox, escape, html_widget
from .continue_record import ContinueFromRecord


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
