"""nbgrader for a learner on the hub: the course's exchange, for the Assignments tab and the course's own steps.

Assessments are fetched into ~/course/assessments/, where the course home lists them and
each assessment's page submits from (leadership_course/grading/exchange.py)."""

import os

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)
c.CourseDirectory.course_id = "compassionate-leadership"
c.Exchange.root = os.environ.get("COURSE_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
# The exchange is root's, its course folders the facilitators' group's (made at installation:
# leadership_course/hub/exchange_folders.py): nbgrader must not ask to own them or to write to its root.
c.CourseDirectory.groupshared = True
c.Exchange.assignment_dir = os.path.join(os.environ.get("COURSE_SERVER_ROOT", os.path.expanduser("~/course")),
                                         "assessments")
