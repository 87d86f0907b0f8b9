"""nbgrader for a facilitator on the hub: the course's grading folder in their home
(~/course/grading, a copy of the repository's grading/ with all its protections), and the
hub's exchange."""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)
GRADING = Path.home() / "course" / "grading" / "nbgrader_config.py"
if GRADING.is_file():
    load_subconfig(str(GRADING))  # noqa: F821 (provided by nbgrader when it reads this file)
c.CourseDirectory.course_id = "compassionate-leadership"
c.Exchange.root = os.environ.get("COURSE_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
