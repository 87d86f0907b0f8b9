"""The hub's other sign-in methods, each in a real hub from deploy/jupyterhub/sign-in/:
self sign-up with admin approval (jupyterhub-nativeauthenticator) end to end over HTTP,
and LTI 1.3 and Microsoft Entra ID, which need their provider, loaded and answering."""

from __future__ import annotations

import re
import shutil
import stat
import urllib.parse

import jwt
import pytest
import requests

from leadership_course.hub import trial
from leadership_course.hub.trial import REPO, hub_folder


def running_hub(folder, settings):
    """A trial hub with ``settings`` (hub.toml lines), failing the test with the reason if it cannot run."""
    try:
        trial.require_hub_environment()
    except trial.TrialError as error:
        pytest.fail(str(error))
    return trial.running_hub(folder, settings)


PASSWORD = "a-long-Passphrase-for-the-test-7"


def signed_in(hub, name, password):
    """A session after posting the login form (check ``.signed_in``)."""
    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=30)
    answer = session.post(f"{hub.url}/hub/login", allow_redirects=False, timeout=30, data={
        "username": name, "password": password, "_xsrf": session.cookies.get("_xsrf")})
    session.signed_in = answer.status_code == 302 and answer.headers.get("Location", "").startswith("/hub/") and "/hub/login" not in answer.headers.get("Location", "")
    session.answer = answer
    return session


def sign_up(hub, name, password):
    session = requests.Session()
    session.get(f"{hub.url}/hub/signup", timeout=30)
    return session.post(f"{hub.url}/hub/signup", timeout=30, data={
        "username": name, "signup_password": password, "signup_password_confirmation": password,
        "email": f"{name}@example.nhs.uk", "_xsrf": session.cookies.get("_xsrf")})


def subfolder(folder, name):
    (folder / name).mkdir()
    return folder / name


@pytest.fixture(scope="module")
def folder():
    made = hub_folder()
    yield made
    shutil.rmtree(made, ignore_errors=True)


def test_sign_up_waits_for_an_admin_to_approve(folder):
    """With sign-up: can a new learner sign up but not sign in until a hub admin approves
    them, then sign in, without becoming an admin or a facilitator?"""
    settings = ['sign_in = "native"', "create_accounts = true", 'admins = ["platformadmin"]']
    with running_hub(subfolder(folder, "native"), settings) as hub:
        sign_up(hub, "platformadmin", PASSWORD)
        admin = signed_in(hub, "platformadmin", PASSWORD)
        assert admin.signed_in, (admin.answer.status_code, admin.answer.headers, admin.answer.text[-500:])

        made = sign_up(hub, "newlearner", PASSWORD)
        assert made.status_code == 200 and "Your information has been sent to the admin" in made.text
        waiting = signed_in(hub, "newlearner", PASSWORD)
        assert not waiting.signed_in and "has not been authorized" in waiting.answer.text

        assert "newlearner" in admin.get(f"{hub.url}/hub/authorize", timeout=30).text
        admin.get(f"{hub.url}/hub/authorize/newlearner", timeout=30)
        learner = signed_in(hub, "newlearner", PASSWORD)
        assert learner.signed_in
        assert learner.get(f"{hub.url}/hub/authorize", timeout=30, allow_redirects=False).status_code in (302, 403)
        user = hub.api("/users/newlearner")
        assert user["admin"] is False and user["groups"] == []


def guide_urls():
    """The addresses deploy/jupyterhub/sign-in/lti13.py tells an administrator to register."""
    text = (REPO / "deploy" / "jupyterhub" / "sign-in" / "lti13.py").read_text()
    return dict(re.findall(r"^  (login URL|redirect URI|public keyset \(JWKS\))\s+https://HUB(/\S+)$", text, re.M))


def test_lti13_sign_in_answers_at_every_address_the_guide_gives(folder):
    """With LTI 1.3: does the hub start and answer at each address the sign-in file tells an
    administrator to register (the login URL, the redirect URI refusing a launch no platform
    signed, and the tool's public keyset, with the same key after a restart and no private
    part), and does the tool's configuration for Canvas name the keyset?"""
    urls = guide_urls()
    assert set(urls) == {"login URL", "redirect URI", "public keyset (JWKS)"}, urls
    lti = subfolder(folder, "lti")
    with running_hub(lti, ['sign_in = "lti13"', "create_accounts = true"]) as hub:
        config = requests.get(f"{hub.url}/hub/lti13/config", timeout=30)
        assert config.status_code == 200
        assert config.json()["oidc_initiation_url"] == hub.url + urls["login URL"]
        assert config.json()["public_jwk_url"] == hub.url + urls["public keyset (JWKS)"]
        login = requests.post(hub.url + urls["login URL"], timeout=30, allow_redirects=False, data={
            "iss": "https://lms.example.nhs.uk", "login_hint": "learner", "target_link_uri": hub.url + "/",
            "client_id": "not-set"})
        assert login.status_code == 302 and login.headers["Location"].startswith("https://lms.example.nhs.uk/")
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(login.headers["Location"]).query)["redirect_uri"] == [
            hub.url + urls["redirect URI"]]
        forged = requests.post(hub.url + urls["redirect URI"], data={"id_token": "forged", "state": "x"},
                               timeout=30, allow_redirects=False)
        assert forged.status_code >= 400
        keyset = requests.get(hub.url + urls["public keyset (JWKS)"], timeout=30)
        assert keyset.status_code == 200 and keyset.headers["Content-Type"].startswith("application/json")
    (key,) = keyset.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "the keyset must hold the public half only"
    assert jwt.algorithms.RSAAlgorithm.from_jwk(key).key_size == 2048
    kept = lti / "state" / "lti13-tool-key.pem"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    with running_hub(lti, ['sign_in = "lti13"', "create_accounts = true"]) as hub:
        again = requests.get(hub.url + urls["public keyset (JWKS)"], timeout=30).json()
    assert again == keyset.json(), "a restart must not change the key the platform registered"


def test_entra_id_sign_in_is_loaded(folder):
    """With Microsoft Entra ID: does the hub start and send a learner to the tenant's sign-in page?"""
    with running_hub(subfolder(folder, "entra"), ['sign_in = "entra"', "create_accounts = true"]) as hub:
        answer = requests.get(f"{hub.url}/hub/oauth_login", timeout=30, allow_redirects=False)
        assert answer.status_code == 302
        target = urllib.parse.urlsplit(answer.headers["Location"])
        assert target.hostname == "login.microsoftonline.com" and target.path == "/not-set/oauth2/authorize"
        query = urllib.parse.parse_qs(target.query)
        assert query["client_id"] == ["not-set"]
        assert query["redirect_uri"] == ["https://hub.example.nhs.uk/hub/oauth_callback"]
