"""Sign-in with the server's own accounts (PAM), the default.

Add a learner:      useradd --create-home --groups course-learners NAME && passwd NAME
Add a facilitator:  useradd --create-home --groups course-facilitators NAME && passwd NAME
Members of the groups in hub.toml's ``allowed_groups`` may sign in (the hub reads them
through PAM each time); facilitators are members of ``facilitator_system_group``.
"""

c = get_config()  # noqa: F821
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no login session per server: nothing for PAM to clean up
