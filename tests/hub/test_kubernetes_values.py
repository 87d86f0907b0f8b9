"""The Kubernetes route: deploy/kubernetes/config.yaml against the Zero to JupyterHub chart's
own values schema (kept in deploy/kubernetes/vendor/zero-to-jupyterhub, or $COURSE_Z2JH_SCHEMA_DIR),
merged over the chart's defaults as Helm does."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "deploy" / "kubernetes" / "config.yaml"
CHART = Path(os.environ.get("COURSE_Z2JH_SCHEMA_DIR", REPO / "deploy" / "kubernetes" / "vendor" / "zero-to-jupyterhub"))


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
        pytest.fail(f"the chart's values schema is not at {CHART}; set COURSE_Z2JH_SCHEMA_DIR")
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
    mount = user["storage"]["extraVolumeMounts"][0]
    assert mount["mountPath"] == user["extraEnv"]["COURSE_EXCHANGE_ROOT"]
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
