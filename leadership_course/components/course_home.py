"""Course home: the modules in order, with time, links and progress from the record, and
the step that continues the course from a record saved somewhere else."""


from ..content import find_content_dir
from ..grading.open_assessment import OpenAssessment
from ..journal import progress
from .common import CourseBox, escape, html_widget
from .continue_record import ContinueFromRecord


def course_map_html(course, record):
    """The course map as a table; links are relative, so they work in JupyterLab and Voila."""
    rows = []
    for module in course["modules"]:
        done, total = progress(record, module)
        title = escape(module["title"])
        if module.get("notebook"):
            title = f"<a href='{escape(module['notebook'])}'>{title}</a>"
            state = "Not started" if done == 0 else ("Complete" if done == total else "In progress")
            state += f" ({done} of {total} activities)" if total else ""
        else:
            state = "Coming soon"
        rows.append(
            f"<tr><td>{module['number']}</td><td>{title}<br><span>{escape(module['purpose'])}</span></td>"
            f"<td>{module['minutes']} minutes</td><td>{state}</td></tr>"
        )
    return (
        f"<h2>Course map</h2><table><caption>The modules of {escape(course['title'])}, in order</caption>"
        "<thead><tr><th scope='col'>Module</th><th scope='col'>Title</th><th scope='col'>Time</th>"
        f"<th scope='col'>Your progress</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


class CourseHome(CourseBox):
    def __init__(self, course, record):
        self.course = course
        self.record = record
        self.map = html_widget(course_map_html(course, record.read()))
        self.continue_step = ContinueFromRecord(course, record, on_change=self.refresh)
        self.assessments = OpenAssessment(find_content_dir().parent)
        super().__init__([self.map, self.assessments, self.continue_step], "home", record)

    def refresh(self):
        """Show the progress the record holds now."""
        self.map.value = course_map_html(self.course, self.record.read())
