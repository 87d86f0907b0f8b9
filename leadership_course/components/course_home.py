"""Course home: the modules in order, with time, links and progress from the record, and
the step that continues the course from a record saved somewhere else."""


from ..content import find_content_dir, load_activity
from ..grading.open_assessment import assessments_step
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


def module_state(record, module):
    """(tag text, tag kind, done titles, still-to-do titles) of one module."""
    if not module.get("notebook"):
        return "Coming soon", "soon", [], []
    activities = record.get("activities", {})
    titles = activity_titles(module)
    done = [t for a, t in titles.items() if isinstance(activities.get(a), dict) and activities[a].get("completed")]
    left = [t for a, t in titles.items() if t not in done]
    touched = any(isinstance(activities.get(a), dict) for a in titles)
    opened = module["notebook"] in record.get("pages_opened", {})
    count = f" ({len(done)} of {len(titles)} activities)" if titles else ""
    if titles and not left:
        return "Complete" + count, "done", done, left
    if done or touched or opened:  # read, or something saved (even unfinished): under way
        return "In progress" + count, "progress", done, left
    return "Not started" + count, "todo", done, left


def resume_html(course, record):
    """'Continue where you left off': a link to the first module with something left to do."""
    started = False
    for module in course["modules"]:
        tag, kind, done, left = module_state(record, module)
        started = started or bool(done) or kind == "progress"
        if kind in ("todo", "progress") and module.get("notebook"):
            heading = "Continue where you left off" if started else "Start the course"
            link = f"<a href='{escape(module['notebook'])}'>Module {module['number']}: {escape(module['title'])}</a>"
            next_step = f" Next: {escape(left[0])}." if left and kind == "progress" else ""
            return f"<div class='course-resume'><h2>{heading}</h2><p>{link}.{next_step}</p></div>"
    return ("<div class='course-resume'><h2>You have finished the course</h2><p>Every activity is done. "
            "Download your journal below to keep what you wrote.</p></div>")


def course_map_html(course, record):
    """'Continue where you left off' and the course map: a task list of the modules with
    a status tag each and which activities are done and still to do. Links are relative,
    so they work in JupyterLab and Voila."""
    rows = []
    for module in course["modules"]:
        tag, kind, done, left = module_state(record, module)
        title = escape(module["title"])
        if module.get("notebook"):
            title = f"<a href='{escape(module['notebook'])}'>{title}</a>"
        notes = []
        if done:
            notes.append(f"Done: {escape('; '.join(done))}.")
        if done and left:
            notes.append(f"Still to do: {escape('; '.join(left))}.")
        hint = "".join(f"<span class='course-task-hint'>{note}</span>" for note in notes)
        rows.append(
            f"<tr><td>{module['number']}</td><td>{title}<span class='course-task-hint'>{escape(module['purpose'])}"
            f"</span>{hint}</td><td>{module['minutes']} minutes</td>"
            f"<td><strong class='course-tag course-tag-{kind}'>{tag}</strong></td></tr>"
        )
    return (
        f"{resume_html(course, record)}"
        f"<h2>Course map</h2><table class='course-map'><caption>The modules of {escape(course['title'])}, in order"
        "</caption><thead><tr><th scope='col'>Module</th><th scope='col'>Title</th><th scope='col'>Time</th>"
        f"<th scope='col'>Your progress</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


class CourseHome(CourseBox):
    def __init__(self, course, record):
        self.course = course
        self.record = record
        self.map = html_widget(course_map_html(course, record.read()))
        self.continue_step = ContinueFromRecord(course, record, on_change=self.refresh)
        self.assessments = assessments_step(find_content_dir().parent)
        super().__init__([self.map, self.assessments, self.continue_step], "home", record)

    def refresh(self):
        """Show the progress the record holds now."""
        self.map.value = course_map_html(self.course, self.record.read())
