"""The Kubernetes route's exchange (deploy/kubernetes/config.yaml), where every pod is the same
user ID: a learner's pod mounts as inbound only its own folder, inbound/<learner>, and collect,
with the facilitator's profile and the chart's settings, refuses a submission named for anyone
else. Real nbgrader commands. No cluster here: each learner's view of the exchange is a folder
whose outbound, feedback and inbound are symbolic links to the volume's folders (where the pod
has subPath mounts), so each submission lands where the pod's would."""

import json
import shutil
import subprocess

import yaml

from test_nbgrader_end_to_end import BIN, ENV, REPO

from leadership_course.grading.problems import REFUSED, read_problems
from leadership_course.hub.spawner import PROFILES_DIR

COURSE = "compassionate-leadership"
ASSESSMENT = "module-01"
CHART_ENV = yaml.safe_load((REPO / "deploy" / "kubernetes" / "config.yaml").read_text())["singleuser"]["extraEnv"]
ANSWERS = json.loads((REPO / "tests" / "fixtures" / "submissions" / "complete.answers.json").read_text())


def nbgrader(cwd, env, *args):
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env={**ENV, **env}, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def learner_pod(tmp_path, volume, name):
    """A learner's server as its pod sees the exchange: outbound and feedback, and as inbound its own folder
    (made by the pod's init container before the server starts)."""
    own = volume / COURSE / "inbound" / name
    own.mkdir(exist_ok=True)
    view = tmp_path / "views" / name / COURSE
    view.mkdir(parents=True)
    for folder, target in (("outbound", "outbound"), ("feedback", "feedback"), ("inbound", f"inbound/{name}")):
        (view / folder).symlink_to(volume / COURSE / target)
    home = tmp_path / "homes" / name
    home.mkdir(parents=True)
    return home, {"HOME": str(home), "JUPYTER_CONFIG_PATH": str(PROFILES_DIR / "learner"),
                  "COURSE_EXCHANGE_ROOT": str(view.parent), "COURSE_SERVER_ROOT": str(home / "course")}


def submit(home, env, student, written):
    """Submit the fetched assessment with ``written`` as its first written answer. In a pod nbgrader names the
    submission after JUPYTERHUB_USER (the pod's user is jovyan); here ``--student`` gives the name."""
    answers = json.loads(json.dumps(ANSWERS))
    answers["activities"]["r1-example"]["text"] = written
    (home / "course" / "assessments" / ASSESSMENT / "answers.json").write_text(json.dumps(answers))
    nbgrader(home, env, "submit", ASSESSMENT, f"--student={student}")


def test_a_submission_in_another_learners_name_is_refused_on_kubernetes(tmp_path):
    """Alice and Bob submit from their own pods; Bob then submits in Alice's name (all his pod can write to is
    his own folder), and a submission sits in inbound's top level, its name made to break a shell command. Does
    collect, set up as the chart sets it, collect Alice's and Bob's own work, refuse Bob's one in Alice's name
    with a reason naming both and the stray one, set both aside, and end with exit status 0; and does the
    delete command the reason gives remove only what was set aside?"""
    volume = tmp_path / "volume"  # the exchange's volume, as exchange-setup.yaml leaves it
    for folder in ("outbound", "inbound", "feedback"):
        (volume / COURSE / folder).mkdir(parents=True)
    grading = tmp_path / "facilitator" / "course" / "grading"
    shutil.copytree(REPO / "grading", grading, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded", "problems"))
    facilitator = {"HOME": str(tmp_path / "facilitator"), "JUPYTER_CONFIG_PATH": str(PROFILES_DIR / "facilitator"),
                   "COURSE_EXCHANGE_ROOT": str(volume),
                   **{name: CHART_ENV[name] for name in ("COURSE_CHECK_SUBMISSION_OWNER",
                                                         "COURSE_INBOUND_PER_LEARNER")}}
    nbgrader(grading, facilitator, "generate_assignment", ASSESSMENT, "--force")
    nbgrader(grading, facilitator, "release_assignment", ASSESSMENT, "--force")

    for name in ("alice", "bob"):
        home, env = learner_pod(tmp_path, volume, name)
        if name == "alice":
            nbgrader(home, env, "fetch_assignment", ASSESSMENT)
            fetched = home / "course" / "assessments"
        else:  # the same release (one fetch is enough to show it reaches a learner's pod)
            shutil.copytree(fetched, home / "course" / "assessments")
        submit(home, env, name, f"{name.title()}'s own reflection.")
    submit(home, env, "alice", "Bob's text, handed in as Alice's.")  # newer than Alice's: it would replace hers
    planted = next((volume / COURSE / "inbound" / "bob").glob("alice+*"))
    # as a pod mounting the whole exchange (a facilitator's) could leave, with a name made to break a shell command
    stray = volume / COURSE / "inbound" / (planted.name.rsplit("+", 1)[0].replace("alice+", "carol+")
                                           + "+x'$(touch pwned)'")
    shutil.copytree(planted, stray)

    collected = nbgrader(grading, facilitator, "collect", ASSESSMENT)

    submitted = grading / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["alice", "bob"], collected.stderr[-2000:]
    for name in ("alice", "bob"):
        answers = json.loads((submitted / name / ASSESSMENT / "answers.json").read_text())
        assert answers["activities"]["r1-example"]["text"] == f"{name.title()}'s own reflection.", name
    refused = read_problems(grading, ASSESSMENT, REFUSED)
    assert len(refused) == 2, refused
    [in_her_name] = [entry for entry in refused if planted.name in entry["reason"]]
    assert "it says it is alice's submission but was made in bob's own folder" in in_her_name["reason"]
    assert "whose folder it was in (bob)" in in_her_name["action"]
    assert f"rm -r '{planted.parent / ('.refused+' + planted.name)}'" in in_her_name["action"]
    [outside] = [entry for entry in refused if stray.name in entry["reason"]]
    assert "not in a learner's own folder" in outside["reason"]
    assert not planted.exists() and (planted.parent / f".refused+{planted.name}").is_dir()
    assert not stray.exists() and (stray.parent / f".refused+{stray.name}").is_dir()
    subprocess.run(["sh", "-c", outside["action"].split("in your terminal with  ")[1]], cwd=tmp_path, check=True)
    assert not (stray.parent / f".refused+{stray.name}").exists() and not (tmp_path / "pwned").exists()
    assert [p.name.split("+")[0] for p in (volume / COURSE / "inbound" / "alice").iterdir()] == ["alice"]
