"""The Kubernetes route: deploy/kubernetes/config.yaml against the Zero to JupyterHub chart's
own values schema (a copy kept in deploy/kubernetes/vendor/zero-to-jupyterhub),
merged over the chart's defaults as Helm does."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "deploy" / "kubernetes" / "config.yaml"
CHART = REPO / "deploy" / "kubernetes" / "vendor" / "zero-to-jupyterhub"


def merged(base, override):
    """Helm's merge of a config over the chart's values: mappings key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merged(base.get(key), value) if key in base else value
        return out
    return copy.deepcopy(override)


@pytest.fixture(scope="module")
def chart():
    if not (CHART / "values.schema.yaml").is_file():
        pytest.fail(f"the chart's values schema is not at {CHART}")
    return (yaml.safe_load((CHART / "values.yaml").read_text()),
            yaml.safe_load((CHART / "values.schema.yaml").read_text()))


def validate(config, chart):
    values, schema = chart
    jsonschema.validate(merged(values, config), schema)


def test_the_course_config_is_valid_for_the_chart(chart):
    """Does Helm's schema accept the course's config.yaml, merged over the chart's defaults?"""
    validate(yaml.safe_load(CONFIG.read_text()), chart)


@pytest.mark.parametrize("where, value", [
    (("singleuser", "defaultUrl"), 8866),
    (("singleuser", "storage", "type"), "shared-folder"),
    (("cull", "timeout"), "an hour"),
    (("singleuser", "memroy"), {"limit": "1G"}),
])
def test_a_broken_config_is_refused(chart, where, value):
    """Is a wrong type, an unknown storage type or a misspelt key refused by the same check?"""
    config = yaml.safe_load(CONFIG.read_text())
    node = config
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(config, chart)


def test_the_config_opens_the_course_and_shares_the_exchange():
    """Does every learner's pod open the course home in Voila, with a memory limit, its own
    volume, the exchange on a ReadWriteMany claim, and culling on; and does the hub's extra
    Python compile?"""
    config = yaml.safe_load(CONFIG.read_text())
    user = config["singleuser"]
    assert user["defaultUrl"] == "/voila/render/course_home.ipynb"
    assert user["memory"]["limit"] and user["storage"]["type"] == "dynamic"
    claim = user["storage"]["extraVolumes"][0]["persistentVolumeClaim"]["claimName"]
    for mount in user["storage"]["extraVolumeMounts"]:
        assert mount["mountPath"].startswith(user["extraEnv"]["COURSE_EXCHANGE_ROOT"] + "/")
    volume = yaml.safe_load((CONFIG.parent / "exchange-volume.yaml").read_text())
    assert volume["metadata"]["name"] == claim and volume["spec"]["accessModes"] == ["ReadWriteMany"]
    assert config["cull"]["enabled"] is True
    for name, code in config["hub"]["extraConfig"].items():
        compile(code, name, "exec")
    assert "/srv/course/deploy/jupyterhub/profiles/{profile}" in config["hub"]["extraConfig"]["course.py"]
    for profile in ("learner", "facilitator"):
        assert (REPO / "deploy" / "jupyterhub" / "profiles" / profile).is_dir()


#: Text found only in module 1's answer key, its source notebook's hidden tests and its model answers.
KEY_TEXT = ("A model answer: a ward sister noticed", 'check_choice("q1-order"', "Award one mark for each")


def image_build_context(monkeypatch):
    """The files repo2docker puts in the image's build context for this repository (the
    learners' image on Kubernetes, and Binder's), from repo2docker's own build step."""
    import tarfile

    from repo2docker.buildpacks import CondaBuildPack

    class Recorder:  # in place of a Docker engine: keeps the context repo2docker sends it
        def build(self, fileobj, **options):
            self.context = tarfile.open(fileobj=fileobj)
            return iter(())

    monkeypatch.chdir(REPO)
    pack, engine = CondaBuildPack("buildpack-deps:jammy"), Recorder()
    pack.platform = "linux/amd64"
    assert pack.detect(), "repo2docker no longer reads binder/environment.yml"
    list(pack.build(engine, "course:test", 0, {}, [], {}))
    return engine.context


def test_the_learners_image_holds_no_answer_key(monkeypatch):
    """Does the image repo2docker builds from this repository leave out the facilitators'
    grading/ (keys, hidden tests, model answers) and the tests' answers, while holding the course?"""
    context = image_build_context(monkeypatch)
    names = {member.name for member in context.getmembers()}
    assert "src/modules/course_home.ipynb" in names and "src/leadership_course/__init__.py" in names
    private = sorted(name for name in names if name.startswith(("src/grading", "src/tests", "src/.git/")))
    assert private == [], private[:10]
    for member in context.getmembers():
        if member.isfile() and member.name.startswith("src/"):
            text = context.extractfile(member).read().decode("utf-8", errors="replace")
            assert not any(secret in text for secret in KEY_TEXT), member.name
    assert (REPO / "grading" / "keys" / "module-01.yaml").is_file()  # the checkout itself keeps them


def test_only_facilitators_pods_mount_the_grading_volume():
    """Does the pre-spawn hook mount the grading volume (read-only) for a facilitator and never
    for a learner, do learners' values mount nothing of it, and does only a facilitator's start
    command copy grading from it?"""
    from types import SimpleNamespace

    from traitlets.config import Config

    config = yaml.safe_load(CONFIG.read_text())
    user = config["singleuser"]
    claims = [v.get("persistentVolumeClaim", {}).get("claimName") for v in user["storage"]["extraVolumes"]]
    assert "course-grading" not in claims
    assert all("grading" not in m["mountPath"] for m in user["storage"]["extraVolumeMounts"])
    grading = yaml.safe_load((CONFIG.parent / "grading-volume.yaml").read_text())
    assert grading["metadata"]["name"] == "course-grading"

    c = Config()
    exec(config["hub"]["extraConfig"]["course.py"], {"c": c})
    hook = c.KubeSpawner.pre_spawn_hook
    mounted = {}
    for role, groups in (("learner", []), ("facilitator", ["formgrade-compassionate-leadership"])):
        spawner = SimpleNamespace(user=SimpleNamespace(groups=[SimpleNamespace(name=g) for g in groups]),
                                  environment={}, volumes=[{"name": "home"}], volume_mounts=[{"name": "home"}])
        hook(spawner)
        mounted[role] = ([v["name"] for v in spawner.volumes], spawner.volume_mounts, spawner.environment)
    assert mounted["learner"][0] == ["home"] and "COURSE_FACILITATOR" not in mounted["learner"][2]
    assert mounted["facilitator"][0] == ["home", "course-grading"]
    assert {"name": "course-grading", "mountPath": "/srv/course-grading", "readOnly": True} in mounted["facilitator"][1]
    command = " ".join(user["cmd"])
    assert '[ -n "$COURSE_FACILITATOR" ] && echo --facilitator --grading-dir /srv/course-grading' in command


#: How a learner's pod sees the exchange: where nbgrader looks (under COURSE_EXCHANGE_ROOT), the
#: folder of the volume mounted there, and whether it is read-only.
LEARNERS_EXCHANGE = {
    "compassionate-leadership/outbound": ("compassionate-leadership/outbound", True),
    "compassionate-leadership/feedback": ("compassionate-leadership/feedback", True),
    "compassionate-leadership/inbound": ("compassionate-leadership/inbound/{unescaped_username}", False),
}


def test_a_learners_pod_mounts_of_inbound_only_its_own_folder():
    """Do the values mount in every pod, of the exchange, only the released assessments and the feedback
    (read-only) and, as inbound, the learner's own folder; does an init container make that folder; and do
    the pods run as the image's user with collect set to check folders instead of owners?"""
    config = yaml.safe_load(CONFIG.read_text())
    user = config["singleuser"]
    root = user["extraEnv"]["COURSE_EXCHANGE_ROOT"]
    mounts = {m["mountPath"].removeprefix(root + "/"): (m.get("subPath"), m.get("readOnly", False))
              for m in user["storage"]["extraVolumeMounts"] if m["name"] == "nbgrader-exchange"}
    assert mounts == LEARNERS_EXCHANGE
    [init] = user["initContainers"]
    assert init["securityContext"]["runAsUser"] == 0
    assert [m["subPath"] for m in init["volumeMounts"]] == [LEARNERS_EXCHANGE["compassionate-leadership/inbound"][0]]
    assert "{" not in " ".join(init["command"]).replace("{unescaped_username}", "")  # KubeSpawner formats it
    env = user["extraEnv"]
    assert env["COURSE_INBOUND_PER_LEARNER"] == "1" and env["COURSE_CHECK_SUBMISSION_OWNER"] == "0"
    assert "uid" not in user and "KubeSpawner.uid" not in config["hub"]["extraConfig"]["course.py"]


#: KubeSpawner reads a cluster's address when it is made; this one is never contacted (no pod is started).
KUBECONFIG = {"apiVersion": "v1", "kind": "Config", "current-context": "none",
              "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:9"}}],
              "users": [{"name": "none", "user": {"token": "none"}}],
              "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}]}


def rendered_pod(name, groups, tmp_path, monkeypatch):
    """The pod the chart's hub would ask Kubernetes for, for account ``name`` in ``groups``: the values handed to
    KubeSpawner as the chart's jupyterhub_config.py hands them (extraVolumes by name, extraVolumeMounts as
    "<index>-<name>", initContainers as they are, the home volume's mount), the course's hub.extraConfig and
    pre-spawn hook, then KubeSpawner's own get_pod_manifest, as the JSON its API client sends."""
    import asyncio
    import concurrent.futures
    from types import SimpleNamespace

    from kubernetes_asyncio.config import kube_config
    from kubespawner import KubeSpawner
    from traitlets.config import Config

    config = yaml.safe_load(CONFIG.read_text())
    user, c = config["singleuser"], Config()
    storage = user["storage"]
    c.KubeSpawner.volumes = {"volume-{user_server}": {"name": "volume-{user_server}",
                                                      "persistentVolumeClaim": {"claimName": "{pvc_name}"}},
                             **{v["name"]: v for v in storage["extraVolumes"]}}
    c.KubeSpawner.volume_mounts = {"volume-{user_server}": {"name": "volume-{user_server}",
                                                            "mountPath": storage["homeMountPath"]},
                                   **{f"{i}-{m['name']}": m for i, m in enumerate(storage["extraVolumeMounts"])}}
    c.KubeSpawner.init_containers = user["initContainers"]
    c.KubeSpawner.uid = yaml.safe_load((CHART / "values.yaml").read_text())["singleuser"]["uid"]
    exec(config["hub"]["extraConfig"]["course.py"], {"c": c})
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(KUBECONFIG))
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "kubeconfig"))
    account = SimpleNamespace(name=name, id=7, url=f"/user/{name}/",
                              groups=[SimpleNamespace(name=group) for group in groups])

    async def render():  # KubeSpawner makes its (unused) API client in a running event loop
        spawner = KubeSpawner(config=c, user=account, _mock=True)
        spawner.pre_spawn_hook(spawner)
        return spawner.api.api_client.sanitize_for_serialization(await spawner.get_pod_manifest())

    # in a thread of its own: a browser test's event loop may be running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, render()).result(), user


def test_kubespawner_gives_each_learner_their_own_inbound_folder(tmp_path, monkeypatch):
    """With KubeSpawner itself: does jane.doe's pod (a name its escaping would change) mount, of the exchange,
    outbound and feedback read-only and as inbound exactly inbound/jane.doe (the name nbgrader gives her
    submissions), does the init container make that same folder with its script unchanged, and does the pod
    run as the image's user 1000?"""
    pod, user = rendered_pod("jane.doe", [], tmp_path, monkeypatch)
    [server] = pod["spec"]["containers"]
    root = user["extraEnv"]["COURSE_EXCHANGE_ROOT"]
    mounts = {m["mountPath"]: (m.get("subPath"), m.get("readOnly", False)) for m in server["volumeMounts"]
              if m["name"] == "nbgrader-exchange"}
    assert mounts == {f"{root}/{where}": (sub_path.format(unescaped_username="jane.doe"), read_only)
                      for where, (sub_path, read_only) in LEARNERS_EXCHANGE.items()}
    assert not any(m["name"] == "course-grading" for m in server["volumeMounts"])
    [init] = [c for c in pod["spec"]["initContainers"] if c["name"] == "inbound-folder"]
    assert [(m["name"], m["subPath"]) for m in init["volumeMounts"]] == [
        ("nbgrader-exchange", "compassionate-leadership/inbound/jane.doe")]
    assert init["command"] == user["initContainers"][0]["command"]
    assert init["securityContext"]["runAsUser"] == 0 and server["securityContext"]["runAsUser"] == 1000


def test_kubespawner_gives_a_facilitator_the_whole_exchange(tmp_path, monkeypatch):
    """With KubeSpawner itself and the chart's dictionaries of volumes and mounts: does a facilitator's pod
    mount the whole exchange, writable (to release and collect), instead of a learner's three folders, the
    grading volume read-only, and the facilitators' group?"""
    pod, user = rendered_pod("fran", ["formgrade-compassionate-leadership"], tmp_path, monkeypatch)
    [server] = pod["spec"]["containers"]
    exchange = [(m["mountPath"], m.get("subPath"), m.get("readOnly", False)) for m in server["volumeMounts"]
                if m["name"] == "nbgrader-exchange"]
    assert exchange == [(user["extraEnv"]["COURSE_EXCHANGE_ROOT"], None, False)]
    assert [(m["mountPath"], m.get("readOnly")) for m in server["volumeMounts"] if m["name"] == "course-grading"] == [
        ("/srv/course-grading", True)]
    assert "course-grading" in [v["name"] for v in pod["spec"]["volumes"]]
    assert pod["spec"]["securityContext"]["supplementalGroups"] == [2000]
