"""Single sign-on with the organisation's Microsoft Entra ID (NHSmail uses it), through
oauthenticator's AzureAdOAuthenticator.

Register an application in Entra ID with redirect URI https://HUB/hub/oauth_callback,
then put in /etc/leadership-course/secrets.env:
  ENTRA_TENANT_ID, ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET, ENTRA_CALLBACK_URL,
  and ENTRA_ALLOWED_GROUPS (Entra group object IDs, comma-separated) to limit who may sign in.
The account name is the part of the sign-in address before '@', lower case: use it for one
e-mail domain only (hub.toml: create_accounts = true).
"""

import os

c = get_config()  # noqa: F821
c.JupyterHub.authenticator_class = "azuread"
c.AzureAdOAuthenticator.tenant_id = os.environ.get("ENTRA_TENANT_ID", "not-set")
c.AzureAdOAuthenticator.client_id = os.environ.get("ENTRA_CLIENT_ID", "not-set")
c.AzureAdOAuthenticator.client_secret = os.environ.get("ENTRA_CLIENT_SECRET", "not-set")
c.AzureAdOAuthenticator.oauth_callback_url = os.environ.get(
    "ENTRA_CALLBACK_URL", "https://hub.example.nhs.uk/hub/oauth_callback")
c.AzureAdOAuthenticator.username_claim = lambda info: info["preferred_username"].split("@")[0].lower()
groups = [g for g in os.environ.get("ENTRA_ALLOWED_GROUPS", "").split(",") if g]
if groups:
    c.AzureAdOAuthenticator.auth_state_groups_key = "user.groups"
    c.AzureAdOAuthenticator.allowed_groups = set(groups)
else:
    c.AzureAdOAuthenticator.allow_all = True  # anyone in the tenant: set ENTRA_ALLOWED_GROUPS for a cohort
