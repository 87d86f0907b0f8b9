"""Launch from a learning platform (Moodle, Canvas, Blackboard) with LTI 1.3
(jupyterhub-ltiauthenticator; sign-in only, no marks go back to the platform).

Register the hub in the platform as an LTI 1.3 tool with:
  login URL   https://HUB/hub/lti13/oauth_login
  redirect    https://HUB/hub/lti13/oauth_callback
  JWKS URL    https://HUB/hub/lti13/jwks
and put the platform's values in /etc/leadership-course/secrets.env:
  LTI13_ISSUER, LTI13_CLIENT_ID, LTI13_AUTHORIZE_URL, LTI13_JWKS_URL.
The platform's person ID becomes the account name (hub.toml: create_accounts = true).
"""

import os

c = get_config()  # noqa: F821
c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
c.LTI13Authenticator.issuer = os.environ.get("LTI13_ISSUER", "https://lms.example.nhs.uk")
c.LTI13Authenticator.client_id = [os.environ.get("LTI13_CLIENT_ID", "not-set")]
c.LTI13Authenticator.authorize_url = os.environ.get(
    "LTI13_AUTHORIZE_URL", "https://lms.example.nhs.uk/mod/lti/auth.php")
c.LTI13Authenticator.jwks_endpoint = os.environ.get("LTI13_JWKS_URL", "https://lms.example.nhs.uk/mod/lti/certs.php")
c.LTI13Authenticator.username_key = "sub"  # the platform's stable person ID, not an e-mail address
c.Authenticator.allow_all = True  # whoever the platform launches (it controls who is enrolled)
c.Authenticator.username_pattern = r"^[a-z0-9][a-z0-9._-]{0,31}$"
