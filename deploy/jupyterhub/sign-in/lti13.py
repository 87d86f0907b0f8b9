"""Launch from a learning platform (Moodle, Canvas, Blackboard) with LTI 1.3
(jupyterhub-ltiauthenticator; sign-in only, no marks go back to the platform).

Register the hub in the platform as an LTI 1.3 tool with:
  tool URL (target link)  https://HUB/
  login URL               https://HUB/hub/lti13/oauth_login
  redirect URI            https://HUB/hub/lti13/oauth_callback
  public keyset (JWKS)    https://HUB/hub/lti13/jwks
(Canvas can read all of these from https://HUB/hub/lti13/config.)
and put the platform's values in /etc/leadership-course/secrets.env:
  LTI13_ISSUER, LTI13_CLIENT_ID, LTI13_AUTHORIZE_URL, LTI13_JWKS_URL.
The platform's person ID becomes the account name (hub.toml: create_accounts = true).

ltiauthenticator 1.6 serves no keyset of its own, and platforms ask for one when a tool is
registered, so the hub serves the public half of its own key (made at first start beside the
cookie secret, readable by root alone). The hub signs nothing with it while it is sign-in
only. This file is self-contained, so it can be pasted into a Kubernetes hub's extraConfig.
"""

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from jwt.algorithms import RSAAlgorithm
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.handlers import LTI13ConfigHandler

KEY_FILE = "lti13-tool-key.pem"


def tool_keyset(path):
    """The JWKS of the RSA key at ``path``, made (mode 0600) if there is none yet."""
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as stream:
            stream.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":")).encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()  # RFC 7638
    return {"keys": [{**jwk, "kid": kid, "alg": "RS256", "use": "sig"}]}


class ToolKeysetHandler(BaseHandler):
    """/hub/lti13/jwks: the tool's public keyset, for the platform's registration form."""

    def get(self):
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps(self.authenticator.keyset))


class ToolConfigHandler(LTI13ConfigHandler):
    """/hub/lti13/config, with the keyset's address added (Canvas asks for public_jwk_url)."""

    async def get(self):
        self.adding_keyset = True
        await super().get()

    def write(self, chunk):
        if getattr(self, "adding_keyset", False):
            config = json.loads(chunk)
            config["public_jwk_url"] = url_path_join(config["target_link_uri"], self.hub.base_url, "lti13", "jwks")
            chunk, self.adding_keyset = json.dumps(config), False
        super().write(chunk)


class CourseLTI13Authenticator(LTI13Authenticator):
    """ltiauthenticator's LTI 1.3 sign-in, serving the tool's keyset too."""

    config_handler = ToolConfigHandler

    def get_handlers(self, app):
        folder = Path(os.path.abspath(os.path.expanduser(app.cookie_secret_file))).parent
        self.keyset = tool_keyset(folder / KEY_FILE)
        return [*super().get_handlers(app), (url_path_join("lti13", "jwks"), ToolKeysetHandler)]


c = get_config()  # noqa: F821
c.JupyterHub.authenticator_class = CourseLTI13Authenticator
c.LTI13Authenticator.issuer = os.environ.get("LTI13_ISSUER", "https://lms.example.nhs.uk")
c.LTI13Authenticator.client_id = [os.environ.get("LTI13_CLIENT_ID", "not-set")]
c.LTI13Authenticator.authorize_url = os.environ.get(
    "LTI13_AUTHORIZE_URL", "https://lms.example.nhs.uk/mod/lti/auth.php")
c.LTI13Authenticator.jwks_endpoint = os.environ.get("LTI13_JWKS_URL", "https://lms.example.nhs.uk/mod/lti/certs.php")
c.LTI13Authenticator.username_key = "sub"  # the platform's stable person ID, not an e-mail address
c.Authenticator.allow_all = True  # whoever the platform launches (it controls who is enrolled)
c.Authenticator.username_pattern = r"^[a-z0-9][a-z0-9._-]{0,31}$"
