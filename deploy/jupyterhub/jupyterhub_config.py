"""JupyterHub's configuration for the course on one server (see README.md beside this file).

A trust changes nothing here: its choices are in /etc/leadership-course/hub.toml
(hub.toml.example lists them), or in the file named by $COURSE_HUB_SETTINGS. Secrets for
LTI and Entra ID come from the environment (/etc/leadership-course/secrets.env).
"""

import os
from pathlib import Path

from leadership_course.hub.config import configure
from leadership_course.hub.settings import HubSettings

c = get_config()  # noqa: F821 (provided by JupyterHub when it reads this file)
settings = HubSettings.load(os.environ.get("COURSE_HUB_SETTINGS", "/etc/leadership-course/hub.toml"))
configure(c, settings)
load_subconfig(str(Path(__file__).resolve().parent / "sign-in" / f"{settings.sign_in}.py"))  # noqa: F821
