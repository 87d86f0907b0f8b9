"""The hub tried as a hostile learner in the cohort would, with the JupyterLab terminal one link
away: each attack runs as learner B's own account on the trial hub and fails, and the
facilitator's ``nbgrader collect`` (as the guide writes it) still collects everyone else,
keeping a reason for each thing it refused."""

from __future__ import annotations

import grp
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from leadership_course.grading.problems import REFUSED, read_problems
from leadership_course.hub.spawner import PROFILES_DIR
from leadership_course.hub.trial import REPO
from test_hub_cohort import sign_in
from browser_helpers import new_course_page

COURSE = "compassionate-leadership"
ASSESSMENT = "module-02"
PLANTED = "module-04"
OLDER = "module-05"
MARKER = "B wrote this"
FUTURE = "2099-01-01 00:00:00.000000 UTC"


def run_as(account, hub, *argv, cwd=None):
    """A command as ``account``, with its hub profile's nbgrader settings (as its terminal has them)."""
    profile = "facilitator" if account.role == "facilitator" else "learner"
    return account.run(*argv, cwd=cwd or account.home, env={
        "JUPYTER_CONFIG_PATH": str(PROFILES_DIR / profile), "COURSE_EXCHANGE_ROOT": str(hub.exchange)})


def python_as(account, hub, code):
    return run_as(account, hub, "python", "-c", code)


def ok(done, what):
    assert done.returncode == 0, f"{what}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def course_folders_ready(hub, account):
    """The account's home as its server's start makes it (leadership_course/hub/homes.py)."""
    argv = ["python", "-m", "leadership_course.hub.homes", "--course-dir", str(REPO)]
    ok(account.run(*argv, *(["--facilitator"] if account.role == "facilitator" else [])), "homes")


def write_answers(learner, text) -> Path:
    """The learner's answers file in their fetched assessment, written as them."""
    answers = learner.home / "course" / "assessments" / ASSESSMENT / "answers.json"
    ok(learner.run("python", "-c", f"import pathlib; pathlib.Path({str(answers)!r}).write_text({text!r})"), "answers")
    return answers


@pytest.fixture(scope="module")
def exchange_in_use(hub):
    """Module 2 released by the facilitator; A and B each got it and submitted it honestly, and the
    facilitator collected both, as the guide says."""
    a, b, facilitator = hub.accounts["learner_a"], hub.accounts["learner_b"], hub.accounts["facilitator"]
    for account in (a, b, facilitator):
        course_folders_ready(hub, account)
    grading = facilitator.home / "course" / "grading"
    ok(run_as(facilitator, hub, "nbgrader", "generate_assignment", ASSESSMENT, "--force", cwd=grading), "generate")
    ok(run_as(facilitator, hub, "nbgrader", "release_assignment", ASSESSMENT, "--force", cwd=grading), "release")
    for learner in (a, b):
        ok(run_as(learner, hub, "nbgrader", "fetch_assignment", ASSESSMENT), f"fetch as {learner.name}")
        write_answers(learner, json.dumps({"by": learner.name}))
        ok(run_as(learner, hub, "nbgrader", "submit", ASSESSMENT), f"submit as {learner.name}")
    first = ok(run_as(facilitator, hub, "nbgrader", "collect", ASSESSMENT, cwd=grading), "the first collect")
    return {"a": a, "b": b, "facilitator": facilitator, "grading": grading, "first": first}


def inbound(hub) -> Path:
    return hub.exchange / COURSE / "inbound"


def submitted(grading, learner) -> Path:
    return grading / "submitted" / learner.name / ASSESSMENT


@pytest.fixture(scope="module")
def attacked_then_collected(hub, exchange_in_use):
    """Learner B, in their own account, leaves in inbound: a submission in A's name (nbgrader's own
    submit with --student), a folder with a time in the future, a link to A's collected submission in
    the facilitator's grading folder, and a folder whose name cannot be read (mode 0700). Then the
    facilitator collects again with --update (the latest of each learner)."""
    a, b, grading = exchange_in_use["a"], exchange_in_use["b"], exchange_in_use["grading"]
    answers = write_answers(b, MARKER)
    ok(run_as(b, hub, "nbgrader", "submit", ASSESSMENT, f"--student={a.name}"), "B submits in A's name")
    names = {"future": f"{b.name}+{ASSESSMENT}+{FUTURE}+zz", "link": f"{b.name}+{ASSESSMENT}+2026-12-01 "
             "09:00:00.000000 UTC+ln", "unreadable": f"zz+{ASSESSMENT}+not a time+x"}
    plant = f"""
import os, shutil
inbound = {str(inbound(hub))!r}
source = {str(answers.parent)!r}
shutil.copytree(source, os.path.join(inbound, {names['future']!r}))
os.symlink({str(submitted(grading, a))!r}, os.path.join(inbound, {names['link']!r}))
os.mkdir(os.path.join(inbound, {names['unreadable']!r}), 0o700)
"""
    ok(b.run("python", "-c", plant), "B plants in inbound")
    done = run_as(exchange_in_use["facilitator"], hub, "nbgrader", "collect", "--update", ASSESSMENT, cwd=grading)
    return {**exchange_in_use, "hub": hub, "names": names, "collect": done,
            "refused": read_problems(grading, ASSESSMENT, REFUSED)}


def refusal(attacked, fragment):
    found = [entry for entry in attacked["refused"] if fragment in entry["reason"]]
    assert len(found) == 1, f"{fragment!r} in {attacked['refused']}"
    return found[0]


def test_a_learner_cannot_plant_an_assessment_in_the_exchange(hub):
    """Can learner B make an outbound/module-04 (an assessment every learner would be offered), or
    a course folder of their own in the exchange's root? Neither; and the folders exist, root's and
    the facilitators' group's, with nbgrader's modes, before anything was released."""
    b = hub.accounts["learner_b"]
    for target in (hub.exchange / COURSE / "outbound" / PLANTED, hub.exchange / "another-course"):
        done = b.run("mkdir", "-p", str(target))
        assert done.returncode != 0 and "Permission denied" in done.stderr, done
        assert not target.exists()
    group = grp.getgrgid(os.stat(hub.exchange / COURSE).st_gid).gr_name
    assert group.endswith("-facilitators") and hub.accounts["facilitator"].name in grp.getgrnam(group).gr_mem
    modes = {name: stat.S_IMODE(os.stat(hub.exchange / COURSE / name).st_mode)
             for name in ("", "outbound", "inbound", "feedback")}
    assert modes == {"": 0o2775, "outbound": 0o2775, "inbound": 0o2773, "feedback": 0o2771}
    root = os.stat(hub.exchange)
    assert (root.st_uid, stat.S_IMODE(root.st_mode)) == (0, 0o755)


def test_the_facilitators_release_works_and_belongs_to_the_facilitators_group(hub, exchange_in_use):
    """Does the facilitator's release (nbgrader's own, from the grading folder) work in the exchange made
    at installation, leaving a folder of the facilitators' group that learners can read but not change?"""
    released = hub.exchange / COURSE / "outbound" / ASSESSMENT
    assert released.stat().st_gid == (hub.exchange / COURSE / "outbound").stat().st_gid
    b = hub.accounts["learner_b"]
    assert b.run("touch", str(released / "extra.py")).returncode != 0
    assert b.run("rm", "-rf", str(released)).returncode != 0 and released.is_dir()


def test_the_course_home_offers_nothing_a_facilitator_did_not_release(hub, exchange_in_use):
    """A folder in outbound that a learner made (as on an exchange from before this was fixed, put
    there here by root as B's) is not offered by the course home's "Get this assessment", and getting
    it by name is refused, while the facilitator's releases are offered (one from before the fix too,
    in the facilitator's own group)."""
    b, facilitator = hub.accounts["learner_b"], hub.accounts["facilitator"]
    planted, older = hub.exchange / COURSE / "outbound" / PLANTED, hub.exchange / COURSE / "outbound" / OLDER
    for folder, owner in ((planted, b), (older, facilitator)):
        folder.mkdir()
        (folder / "assessment.ipynb").write_text("{}")
        for path in (folder, folder / "assessment.ipynb"):
            os.chown(path, *owner.ids)
    try:
        check = f"""
import json
from leadership_course.grading.exchange import ExchangeProblem, course_exchange
exchange = course_exchange()
try:
    exchange.fetch({PLANTED!r})
    fetched = "fetched"
except ExchangeProblem as problem:
    fetched = str(problem)
print(json.dumps({{"offered": exchange.released(), "fetch": fetched}}))
"""
        shown = json.loads(ok(python_as(hub.accounts["learner_a"], hub, check), "A's course home").stdout)
    finally:
        for folder in (planted, older):
            shutil.rmtree(folder)
    assert [ASSESSMENT, "fetched"] in shown["offered"] and [OLDER, "released"] in shown["offered"]
    assert PLANTED not in {assessment for assessment, _ in shown["offered"]}
    assert "not released by your facilitator" in shown["fetch"]


def test_a_learner_cannot_read_the_hubs_database_or_list_its_state_folder(hub):
    """Can learner B read the hub's SQLite database (accounts, groups, hashed tokens) or list its
    state folder? No: both are root's alone; the folder every account reads is elsewhere."""
    b, state = hub.accounts["learner_b"], hub.folder / "state"
    for argv in (("cat", str(state / "jupyterhub.sqlite")), ("ls", str(state))):
        done = b.run(*argv)
        assert done.returncode != 0 and "Permission denied" in done.stderr, done
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "jupyterhub.sqlite").stat().st_mode) == 0o600
    assert (state / "jupyterhub.sqlite").stat().st_size > 0, "the hub keeps its database in that file"
    assert b.run("ls", str(hub.folder / "state-jupyter-data")).returncode == 0, "the template's folder is apart"


def test_submitting_in_another_learners_name_is_refused_and_set_aside(attacked_then_collected):
    """B's submission under A's name (nbgrader submit --student) does not replace A's with --update:
    it is refused with a reason naming both accounts and set aside, and A's own work stays collected."""
    attacked, a, b = attacked_then_collected, attacked_then_collected["a"], attacked_then_collected["b"]
    ok(attacked["collect"], "collect --update after B's attacks")
    entry = refusal(attacked, f"says it is {a.name}'s submission but belongs to {b.name}")
    assert "set aside" in entry["action"] and "sudo rm -r" in entry["action"]
    collected = submitted(attacked["grading"], a)
    own = a.home / "course" / "assessments" / ASSESSMENT / "answers.json"
    assert MARKER not in (collected / "answers.json").read_text()
    assert json.loads((collected / "answers.json").read_text()) == {"by": a.name} == json.loads(own.read_text())


def test_a_submission_time_in_the_future_is_refused(attacked_then_collected):
    """B's folder dated 2099 would beat every later submission: refused, set aside, B's honest one kept."""
    attacked, b = attacked_then_collected, attacked_then_collected["b"]
    refusal(attacked, "is in the future")
    assert not (inbound_of(attacked) / attacked["names"]["future"]).exists()
    assert (inbound_of(attacked) / f".refused+{attacked['names']['future']}").is_dir()
    timestamp = (submitted(attacked["grading"], b) / "timestamp.txt").read_text()
    assert not timestamp.startswith("2099")


def test_a_submission_folder_that_is_a_link_is_refused_not_followed(attacked_then_collected):
    """B's link to A's collected submission in the facilitator's folder: refused as a link, and
    B's collected submission is not A's (A's submission secret is not copied as B's)."""
    attacked, a, b = attacked_then_collected, attacked_then_collected["a"], attacked_then_collected["b"]
    refusal(attacked, "is a symbolic link")
    secret = "submission_secret.txt"
    assert (submitted(attacked["grading"], b) / secret).read_text() != \
        (submitted(attacked["grading"], a) / secret).read_text()
    assert (inbound_of(attacked) / f".refused+{attacked['names']['link']}").is_symlink()


def test_a_folder_whose_name_cannot_be_read_does_not_stop_the_collect(attacked_then_collected):
    """B's 'zz+module-02+not a time+x' (mode 0700) once ended collect in a traceback with nothing
    collected: now it is refused with its reason and set aside, and everyone else is collected."""
    attacked = attacked_then_collected
    done = attacked["collect"]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    refusal(attacked, "'not a time'")
    assert (inbound_of(attacked) / f".refused+{attacked['names']['unreadable']}").is_dir()
    for learner in (attacked["a"], attacked["b"]):
        assert (submitted(attacked["grading"], learner) / "module-02-assessment.ipynb").is_file()
    again = ok(run_as(attacked["facilitator"], attacked["hub"], "nbgrader", "collect", "--update", ASSESSMENT,
                      cwd=attacked["grading"]), "collect once more")
    assert "Traceback" not in again.stderr
    assert read_problems(attacked["grading"], ASSESSMENT, REFUSED) == attacked["refused"], "nothing new refused"


def inbound_of(attacked) -> Path:
    return inbound(attacked["hub"])


SCAN_LISTENING_TCP = """
import json, sys
uid = int(sys.argv[1])
ports = {}
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(table).read().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[7]) == uid:  # LISTEN, owned by uid: port and socket inode
            ports[int(fields[1].rsplit(":", 1)[1], 16)] = fields[9]
print(json.dumps(ports))
"""

SUBSCRIBE_TCP = """
import json, sys, zmq
received = {}
context = zmq.Context()
for port in json.loads(sys.argv[1]):
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"tcp://127.0.0.1:{port}")
    if sub.poll(2000):
        received[port] = repr(sub.recv_multipart())[:200]
    sub.close(linger=0)
print(json.dumps(received))
"""

REACH_IPC = """
import json, os, socket, sys, zmq
paths, runtime = json.loads(sys.argv[1]), sys.argv[2]
result = {}
try:
    os.listdir(runtime)
    result["list"] = "listed"
except PermissionError:
    result["list"] = "denied"
raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    raw.connect(paths["iopub"])
    result["connect"] = "connected"
except PermissionError:
    result["connect"] = "denied"
context = zmq.Context()
sub = context.socket(zmq.SUB)
monitor = sub.get_monitor_socket(zmq.EVENT_CONNECTED)
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.connect("ipc://" + paths["iopub"])
result["zmq_connected"] = bool(monitor.poll(3000))
result["zmq_message"] = bool(sub.poll(1000))
print(json.dumps(result))
"""


def holders(account, inodes) -> dict[str, str]:
    """Which of the account's processes hold the sockets ``inodes`` (read as root): inode -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or entry.stat().st_uid != account.ids[0]:
                continue
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    found[target[8:-1]] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
        except OSError:
            continue
    return found


def kernels_of(account) -> list[dict]:
    """The connection files of the account's running kernels (read as root from their command lines)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or entry.stat().st_uid != account.ids[0]:
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"ipykernel" in arg for arg in argv) and b"-f" in argv:
            path = Path(argv[argv.index(b"-f") + 1].decode())
            found.append({"file": path, **json.loads(path.read_text())})
    return found


def test_a_learner_cannot_reach_another_learners_kernels(hub, browser):
    """With A's course home open (its kernel and Voila's preheated kernels running), does B find A's
    kernels listening on TCP in /proc/net/tcp, or reach their ipc sockets in A's private runtime folder
    (a raw connect, or a pyzmq subscriber to A's iopub, where A's typing would show)? No: A's kernels
    use ipc in A's own runtime folder; a subscriber on each TCP port A listens on gets nothing."""
    a, b = hub.accounts["learner_a"], hub.accounts["learner_b"]
    context, page = new_course_page(browser)
    try:
        sign_in(page, hub, a)
        kernels = kernels_of(a)
        assert kernels, "A's course home runs at least one kernel"
        assert {kernel["transport"] for kernel in kernels} == {"ipc"}
        runtime = hub.folder / "state-runtime" / str(a.ids[0])
        assert runtime.stat().st_uid == a.ids[0] and runtime.stat().st_mode & 0o077 == 0
        for kernel in kernels:
            assert Path(kernel["ip"]).parent == runtime, kernel["ip"]
        ports = json.loads(ok(b.run("python", "-c", SCAN_LISTENING_TCP, str(a.ids[0])), "B's scan").stdout)
        held = holders(a, set(ports.values()))
        by_kernels = [inode for inode, line in held.items() if "ipykernel" in line]
        # ipykernel's own pipe for subprocesses' output (a PULL socket taking only messages signed with a
        # random key); with TCP transport each kernel would listen on five more ports, iopub among them
        assert len(by_kernels) <= len(kernels), (ports, held)
        subscribed = json.loads(ok(b.run("python", "-c", SUBSCRIBE_TCP, json.dumps(sorted(ports))), "B's SUB").stdout)
        assert subscribed == {}, f"B received messages from A's ports: {subscribed}"
        kernel = kernels[0]
        paths = json.dumps({"iopub": f"{kernel['ip']}-{kernel['iopub_port']}"})
        from_b = json.loads(ok(b.run("python", "-c", REACH_IPC, paths, str(runtime)), "B's attempt").stdout)
        from_a = json.loads(ok(a.run("python", "-c", REACH_IPC, paths, str(runtime)), "A's own").stdout)
    finally:
        context.close()
    assert from_b == {"list": "denied", "connect": "denied", "zmq_connected": False, "zmq_message": False}
    assert from_a["list"] == "listed" and from_a["connect"] == "connected" and from_a["zmq_connected"]
