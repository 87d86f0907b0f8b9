"""nbgrader for a learner on the hub: the course's exchange, for the Assignments tab and the course's own steps."""

import os

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)
c.CourseDirectory.course_id = "compassionate-leadership"
c.Exchange.root = os.environ.get("COURSE_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
