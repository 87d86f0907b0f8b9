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
