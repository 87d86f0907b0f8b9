"""The three dependency lists (pyproject, environment.yml, binder/) agree, and Binder would
build with the conda buildpack and run postBuild."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).parent.parent


def requirement(text):
    """('name', 'range') from 'name>=1,<2' (spaces and comments ignored)."""
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$", text.split("#")[0])
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def runtime_from_pyproject():
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    return dict(requirement(r) for r in data["project"]["dependencies"])


def from_conda(path):
    data = yaml.safe_load(path.read_text())
    return dict(requirement(d) for d in data["dependencies"] if isinstance(d, str) and d not in ("pip",)
                and not d.startswith("python="))


def test_environment_yml_matches_pyproject():
    """Does environment.yml pin the same packages to the same ranges as pyproject.toml?"""
    assert from_conda(REPO / "environment.yml") == runtime_from_pyproject()


def test_binder_environment_matches_root():
    """Does binder/environment.yml (what Binder uses) match environment.yml?"""
    assert from_conda(REPO / "binder" / "environment.yml") == from_conda(REPO / "environment.yml")
    assert yaml.safe_load((REPO / "binder" / "environment.yml").read_text())["dependencies"][0] == \
        yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"][0]


def test_jupyter_voila_and_nbgrader_start_without_the_iri_grammar():
    """Do Jupyter's server, Voila and nbgrader load without rfc3987_syntax? (jsonschema 4.25
    and later import it, and it builds a grammar as it loads: their imports took 1.8 s with it
    and 0.6 s without, at every course server, hub sign-in and nbgrader command.)"""
    code = "import sys, jupyter_server.serverapp, voila.app, nbgrader.apps; print('rfc3987_syntax' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"


def test_test_tools_stay_out_of_the_learner_install():
    """Are pytest, nbval and the browser tools only in the test extra?"""
    runtime = runtime_from_pyproject()
    for tool in ("pytest", "nbval", "playwright", "axe-playwright-python", "jupyter-repo2docker", "textstat"):
        assert tool not in runtime


def test_postbuild_stops_on_error_and_installs_the_package():
    """Does binder/postBuild use set -e and install the course package?"""
    lines = (REPO / "binder" / "postBuild").read_text().splitlines()
    assert "set -e" in lines
    assert any(re.match(r"^pip install .*(-e )?\.$", line) for line in lines)


def test_repo2docker_would_use_conda_and_run_postbuild(tmp_path):
    """Would Binder (repo2docker) build with the conda buildpack from binder/ and run postBuild?"""
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__"))
    repo2docker = Path(sys.executable).with_name("repo2docker")
    result = subprocess.run([str(repo2docker), "--no-build", "--no-run", "--debug", str(copy)],
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]
    assert "Building conda environment for python=3.11" in output
    assert '--file "binder/environment.yml"' in output
    assert "RUN ./binder/postBuild" in output


def test_setup_compiles_the_engine_and_prepares_the_content(tmp_path):
    """Does the start command's set-up leave bytecode for every engine module, even where
    Python is told not to write any, and a prepared copy of every content file?"""
    import importlib.util

    from leadership_course.prepared import copy_path

    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".prepared", "tests",
                                                              "docs", "grading"))
    code = "import sys, start; start.PYTHON = sys.executable; start.prepare_course()"
    subprocess.run([sys.executable, "-c", code], cwd=copy, check=True,
                   env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(copy)})
    sources = list((copy / "leadership_course").rglob("*.py"))
    assert len(sources) > 20
    missing = [str(s.relative_to(copy)) for s in sources if not Path(importlib.util.cache_from_source(s)).is_file()]
    assert not missing
    content = list((copy / "modules" / "content").glob("*.yaml"))
    assert len(content) > 40
    assert [p.name for p in content if not copy_path(p).is_file()] == []


def test_postbuild_compiles_the_engine_and_prepares_the_content():
    """Does binder/postBuild compile the course engine and prepare the content after installing it?"""
    lines = (REPO / "binder" / "postBuild").read_text().splitlines()
    assert "python -m compileall -q leadership_course" in lines
    assert "(cd modules && python -m leadership_course prepare)" in lines
