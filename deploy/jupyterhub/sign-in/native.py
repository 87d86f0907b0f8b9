"""Self sign-up with admin approval (jupyterhub-nativeauthenticator).

A learner signs up at /hub/signup with a name and password; they cannot sign in until a
hub admin approves them at /hub/authorize. The spawner then makes their system account
(hub.toml: ``create_accounts = true``, ``sign_in = "native"``). The first admin signs up
with a name listed in ``admins`` and is approved automatically.
"""

c = get_config()  # noqa: F821
c.JupyterHub.authenticator_class = "native"
c.NativeAuthenticator.open_signup = False  # every new account waits for an admin's approval
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 300
c.Authenticator.allow_all = True  # everyone an admin has approved (the approval is the allow list)
c.Authenticator.username_pattern = r"^[a-z][a-z0-9._-]{0,31}$"  # names that can be system accounts
