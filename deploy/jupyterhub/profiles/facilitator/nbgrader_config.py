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
# The exchange is root's, its course folders the facilitators' group's (made at installation:
# leadership_course/hub/exchange_folders.py): nbgrader must not ask to own them or to write to its root.
c.CourseDirectory.groupshared = True
# collect refuses a submission not owned by the account it names (grading/exchange_collect.py). On
# Kubernetes every pod is the same user ID, so its config turns that check off and refuses instead a
# submission named for anyone but the learner whose own inbound folder it is in (each pod mounts only its own).
c.ExchangeCollect.check_owner = os.environ.get("COURSE_CHECK_SUBMISSION_OWNER", "1") != "0"
c.CheckedCollect.inbound_folders = os.environ.get("COURSE_INBOUND_PER_LEARNER", "0") == "1"
