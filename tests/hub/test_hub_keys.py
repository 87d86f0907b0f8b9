"""Are the answer keys the facilitators' alone on a real trial hub?

The hub runs on a course copied by deploy/jupyterhub/install.py (as a trust's server does),
with real accounts. A learner tries every route to the keys, the hidden tests and the model
answers: their paths in a shell, ~/course, JupyterLab's contents API and a terminal. The
facilitator still gets them in their own grading folder. Each spawn puts a facilitator in the
keys' group and takes anyone else out of it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import grp
import json
import subprocess
import time
import urllib.error
import urllib.parse

import pytest
import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from leadership_course.hub import trial

from test_hub_sign_in import signed_in
from test_systemd_unit import install_module

#: Text found only in module 1's answer key, its source notebook's hidden tests and its model answers.
SECRETS = ("A model answer: a ward sister noticed", 'check_choice("q1-order"', "Award one mark for each")
PRIVATE = ("grading/keys/module-01.yaml", "grading/source/module-01/model-answers.json",
           "grading/source/module-01/module-01-assessment.ipynb", "grading/keys")
SPAWN_TIMEOUT_S = 150


def installed(folder, facilitators_group):
    return install_module().copy_course(trial.REPO, folder / "course", facilitators_group)


@pytest.fixture(scope="module")
def hub():
    try:
        with trial.cohort(learners=1, facilitators=1, install=installed) as running:
            learner = running.accounts["learner_a"]
            # A trust's accounts may have a login shell: the terminal then really runs commands.
            subprocess.run(["usermod", "--shell", "/bin/bash", learner.name], check=True)
            yield running
    except trial.TrialError as error:
        pytest.fail(str(error))


def server_session(hub, account):
    """A signed-in session whose single-user server is running; its API calls carry the XSRF
    token, as JupyterLab's own do (``session.headers``)."""
    session = signed_in(hub, account.name, account.password)
    assert session.signed_in, f"{session.answer.status_code} {session.answer.headers}"
    session.get(f"{hub.url}/hub/spawn", timeout=60)
    deadline = time.monotonic() + SPAWN_TIMEOUT_S
    while True:
        page = session.get(f"{hub.url}/user/{account.name}/lab", timeout=60)
        if page.status_code == 200 and page.url.endswith(f"/user/{account.name}/lab"):
            break
        assert time.monotonic() < deadline, f"{account.name}'s server did not start:\n{hub.log_tail()}"
        time.sleep(1)
    session.headers["X-XSRFToken"] = session.cookies.get("_xsrf", path=f"/user/{account.name}/")
    assert session.get(f"{hub.url}/user/{account.name}/api/contents", timeout=60).status_code == 200
    return session


@pytest.fixture(scope="module")
def learner_session(hub):
    return server_session(hub, hub.accounts["learner_a"])


def terminal_output(hub, session, account, command):
    """What a JupyterLab terminal of the account's own server prints for ``command``."""
    base = f"{hub.url}/user/{account.name}"
    made = session.post(f"{base}/api/terminals", timeout=60)
    assert made.status_code == 200, made.text[:500]
    name = made.json()["name"]
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)

    async def talk():
        url = f"{base.replace('http', 'ws', 1)}/terminals/websocket/{name}"
        socket = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookies}))
        socket.write_message(json.dumps(["stdin", f"{command}; echo DONE-$((6*7))\r"]))
        printed = ""
        deadline = time.monotonic() + 60
        while "DONE-42" not in printed and time.monotonic() < deadline:
            message = await asyncio.wait_for(socket.read_message(), 60)
            if message is None:
                break
            kind, *body = json.loads(message)
            if kind == "stdout":
                printed += body[0]
        socket.close()
        return printed

    try:  # in a thread of its own: a browser test's event loop may be running in this one
        with concurrent.futures.ThreadPoolExecutor(1) as worker:
            return worker.submit(asyncio.run, talk()).result()
    finally:
        session.delete(f"{base}/api/terminals/{name}", timeout=60)


def hub_course(hub):
    return hub.folder / "course"


def test_a_learner_cannot_read_a_key_or_model_answer_by_its_path(hub):
    """In a shell as the learner, does every key, hidden-test notebook and model answer of the
    installed course refuse to open, while the course pages open?"""
    learner, course = hub.accounts["learner_a"], hub_course(hub)
    assert learner.run("cat", str(course / "modules" / "course_home.ipynb")).returncode == 0
    for path in PRIVATE:
        done = learner.run("cat" if not path.endswith("keys") else "ls", str(course / path))
        assert done.returncode != 0 and "Permission denied" in done.stderr, (path, done.stdout[:200])
    found = learner.run("grep", "-rIl", "-e", SECRETS[0], "-e", SECRETS[1], "-e", SECRETS[2], str(course))
    assert found.stdout == "", found.stdout  # the tests' fixtures are not installed either
    assert not (course / "tests").exists()


def test_a_learners_course_folder_and_contents_api_lead_to_no_key(hub, learner_session):
    """Does nothing reachable from the learner's ~/course (links followed) or through
    JupyterLab's contents and files API hold a key, hidden test or model answer?"""
    learner, session = hub.accounts["learner_a"], learner_session
    found = learner.run("grep", "-rIlR", "-e", SECRETS[0], "-e", SECRETS[1], "-e", SECRETS[2],
                        str(learner.home / "course"))
    assert found.stdout == "" and found.returncode == 1, found.stdout + found.stderr[:500]
    base = f"{hub.url}/user/{learner.name}"
    listing = session.get(f"{base}/api/contents", timeout=60).json()
    assert "grading" not in {entry["name"] for entry in listing["content"]}
    course = hub_course(hub)
    for path in (*PRIVATE, f"../../..{course}/grading/keys/module-01.yaml"):
        for api in ("api/contents", "files"):
            answer = session.get(f"{base}/{api}/{urllib.parse.quote(path)}", timeout=60)
            assert answer.status_code in (400, 403, 404), (api, path, answer.status_code)
            assert not any(secret in answer.text for secret in SECRETS)


def test_a_learners_terminal_cannot_read_the_keys(hub, learner_session):
    """In a JupyterLab terminal of the learner's own server, does a key refuse to open?"""
    learner, session = hub.accounts["learner_a"], learner_session
    course = hub_course(hub)
    printed = terminal_output(hub, session, learner, f"cat {course}/grading/keys/module-01.yaml "
                              f"{course}/grading/source/module-01/model-answers.json; id -un")
    assert "DONE-42" in printed and learner.name in printed, printed[-800:]  # the terminal ran the commands
    assert "Permission denied" in printed
    assert not any(secret in printed for secret in SECRETS), printed[-800:]


def test_the_facilitator_gets_the_keys_in_their_own_grading_folder(hub):
    """Does the facilitator's server give them ~/course/grading with the keys, theirs alone?"""
    facilitator = hub.accounts["facilitator"]
    session = server_session(hub, facilitator)
    answer = session.get(f"{hub.url}/user/{facilitator.name}/api/contents/grading/keys/module-01.yaml",
                         timeout=60)
    assert answer.status_code == 200 and SECRETS[0] in answer.json()["content"]
    assert (facilitator.home / "course" / "grading").stat().st_mode & 0o077 == 0


def stop_server(hub, account):
    try:
        hub.api(f"/users/{account.name}/server", method="DELETE")
    except urllib.error.HTTPError as error:
        if error.code != 404:  # 404: not signed in yet, so no server
            raise
        return
    deadline = time.monotonic() + SPAWN_TIMEOUT_S
    while hub.servers(account.name):
        assert time.monotonic() < deadline, f"{account.name}'s server did not stop:\n{hub.log_tail()}"
        time.sleep(0.5)


def test_each_spawn_keeps_the_grading_group_to_facilitators(hub):
    """With the facilitator taken out of grading/'s group (install.py gives grading/ to the
    facilitators' system group; they stay able to sign in as a member of the learners' group)
    and a learner put into it (so the learner could read the keys), is the facilitator back in
    it and the learner out of it once each one's server starts again? (Runs last: it restarts
    both servers.)"""
    facilitator, learner = hub.accounts["facilitator"], hub.accounts["learner_a"]
    keys = hub_course(hub) / "grading" / "keys" / "module-01.yaml"
    group = grp.getgrgid((hub_course(hub) / "grading").stat().st_gid).gr_name
    learners = next(g.gr_name for g in grp.getgrall() if learner.name in g.gr_mem and g.gr_name.endswith("-learners"))
    for account in (facilitator, learner):
        stop_server(hub, account)
    subprocess.run(["usermod", "--append", "--groups", learners, facilitator.name], check=True)
    subprocess.run(["gpasswd", "--delete", facilitator.name, group], check=True, capture_output=True)
    subprocess.run(["gpasswd", "--add", learner.name, group], check=True, capture_output=True)
    assert learner.run("cat", str(keys)).returncode == 0  # the group is all that keeps the keys
    assert facilitator.run("cat", str(keys)).returncode != 0
    for account in (facilitator, learner):
        server_session(hub, account)
    members = grp.getgrnam(group).gr_mem
    assert facilitator.name in members and learner.name not in members, members
    assert facilitator.run("cat", str(keys)).returncode == 0
    done = learner.run("cat", str(keys))
    assert done.returncode != 0 and "Permission denied" in done.stderr
