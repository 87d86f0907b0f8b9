"""The course's Voila template and settings, without a browser: how Voila finds them (local
launch and Binder) and what the template makes of a notebook, including a failing cell.

Discovery is checked in a fresh Python process, because Jupyter reads its search paths
from the environment.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from leadership_course.voila import launch

VOILA_DIR = launch.VOILA_DIR


def run_python(code: str, env: dict[str, str], cwd: Path) -> dict:
    """Run ``code`` in a fresh interpreter with ``env``; it prints one JSON object."""
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


DISCOVERY = """
import json, os
from voila.paths import collect_template_paths
from voila.utils import get_data_dir
from voila.server_extension import load_config_file
paths = collect_template_paths(["voila", "nbconvert"], "course", prune=True)
config = load_config_file() or {}
voila = dict(config.get("VoilaConfiguration", {}))
print(json.dumps({
    "template_dir": os.path.realpath(paths[0]),
    "themes": os.path.isdir(os.path.join(get_data_dir(), "themes", "@jupyterlab", "theme-light-extension")),
    "voila": voila,
}))
"""


def test_launcher_environment_finds_template_and_settings(tmp_path):
    """With the launcher's environment, does Voila find the course template first, keep
    its own themes, and read the course settings from voila.json?"""
    env = launch.voila_environment(tmp_path / "record")
    found = run_python(DISCOVERY, env, tmp_path)
    assert found["template_dir"] == str(launch.TEMPLATE_DIR)
    assert found["themes"], "Voila would lose its light theme"
    assert found["voila"]["template"] == "course"
    assert found["voila"]["show_tracebacks"] is False
    assert env["COURSE_RECORD_DIR"] == str((tmp_path / "record").resolve())


def test_voila_command_serves_the_modules_folder(tmp_path):
    """Does voila_command give a runnable command for the modules folder on 127.0.0.1 and
    the given port, without opening a browser?"""
    argv, env = launch.voila_command(tmp_path, 8999, tmp_path / "record")
    assert argv[1:4] == ["-m", "voila", str(tmp_path.resolve())]
    assert "--port=8999" in argv and "--Voila.ip=127.0.0.1" in argv and "--no-browser" in argv
    assert str(launch.CONFIG_DIR) in env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    with pytest.raises(FileNotFoundError):
        launch.voila_command(tmp_path / "missing", 8999)


def test_preheating_can_be_turned_off_for_workshops_and_small_computers(tmp_path):
    """Does preheat=False add Voila's switch, and does the start command keep pre-heating
    only with at least 2 GB free (or when free memory cannot be read)?"""
    on, _ = launch.voila_command(tmp_path, 8999)
    off, _ = launch.voila_command(tmp_path, 8999, preheat=False)
    assert "--VoilaConfiguration.preheat_kernel=False" in off
    assert not any(arg.startswith("--VoilaConfiguration.preheat") for arg in on)
    assert launch.preheat_fits(None) and launch.preheat_fits(launch.PREHEAT_MIN_FREE_BYTES)
    assert not launch.preheat_fits(launch.PREHEAT_MIN_FREE_BYTES - 1)
    free = launch.free_memory_bytes()
    assert free is None or free > 0


def test_binder_setup_links_template_and_settings(tmp_path):
    """Does binder_setup.sh (for binder/postBuild) put the template and settings where
    Voila as a jupyter-server extension finds them, and is it safe to run twice?"""
    prefix = tmp_path / "prefix"
    env = {**os.environ, "JUPYTER_PREFIX": str(prefix)}
    for _ in range(2):
        subprocess.run(["bash", str(VOILA_DIR / "binder_setup.sh")], env=env, check=True,
                       capture_output=True, text=True, timeout=60)
    assert (prefix / "share/jupyter/voila/templates/course").resolve() == launch.TEMPLATE_DIR
    assert (prefix / "etc/jupyter/voila.json").resolve() == VOILA_DIR / "voila.json"
    assert (prefix / "etc/jupyter/jupyter_server_config.json").resolve() == VOILA_DIR / "jupyter_server_config.json"
    # As Jupyter would search that prefix (the repository root is the working folder).
    clean = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH")}
    clean.update(JUPYTER_PATH=str(prefix / "share/jupyter"), JUPYTER_CONFIG_PATH=str(prefix / "etc/jupyter"))
    found = run_python(DISCOVERY, clean, tmp_path)
    assert found["template_dir"] == str(launch.TEMPLATE_DIR)
    assert found["voila"]["template"] == "course"


@pytest.mark.parametrize("profile", ["learner", "facilitator"])
def test_hub_profiles_give_voila_the_sign_out_page(tmp_path, profile):
    """With the hub's settings folders (a profile's, then the course's, as the spawner sets
    JUPYTER_CONFIG_PATH), does Voila's server extension read the hub's sign-out page and the
    course settings? Voila 0.5.8 reads its settings only from voila.json files, not from
    jupyter_server_config.json, so none may be left there."""
    profile_dir = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub" / "profiles" / profile
    server = json.loads((profile_dir / "jupyter_server_config.json").read_text())
    assert "VoilaConfiguration" not in server, "Voila 0.5.8 would not read it there (docs/voila.md)"
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_CONFIG_PATH"}
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(profile_dir), str(launch.CONFIG_DIR)])
    found = run_python(DISCOVERY, env, tmp_path)
    assert found["voila"]["extension_config"]["leadership-course"]["signOutUrl"] == "/hub/logout"
    assert found["voila"]["template"] == "course"


def test_binder_setup_will_not_overwrite_a_real_config_file(tmp_path):
    """Does binder_setup.sh stop, rather than silently replace, a server config it did not make?"""
    prefix = tmp_path / "prefix"
    (prefix / "etc/jupyter").mkdir(parents=True)
    (prefix / "etc/jupyter/jupyter_server_config.json").write_text("{}")
    done = subprocess.run(["bash", str(VOILA_DIR / "binder_setup.sh")],
                          env={**os.environ, "JUPYTER_PREFIX": str(prefix)}, capture_output=True, text=True)
    assert done.returncode != 0 and "merge" in done.stderr


def test_settings_files_agree():
    """Do voila.json (standalone Voila) and jupyter_server_config.json (Voila inside
    jupyter-server, as on Binder, beside JupyterLab) both cull idle kernels but never a
    connected one, standalone Voila (whose kernel manager starts the idle clock when a page's
    connection closes) no later than jupyter-server; and does voila.json hide tracebacks and
    deny the lab extensions that break in Voila?"""
    voila = json.loads((VOILA_DIR / "voila.json").read_text())
    server = json.loads((VOILA_DIR / "jupyter_server_config.json").read_text())
    for culling in (voila["MappingKernelManager"], server["MappingKernelManager"]):
        assert 0 < culling["cull_interval"] < culling["cull_idle_timeout"]
        assert culling["cull_connected"] is False, "an open page's kernel must never be culled"
    assert voila["MappingKernelManager"]["cull_idle_timeout"] <= server["MappingKernelManager"]["cull_idle_timeout"]
    assert voila["VoilaConfiguration"]["multi_kernel_manager_class"] == "leadership_course.voila.kernels.CourseKernelManager"
    settings = voila["VoilaConfiguration"]
    assert settings["template"] == launch.TEMPLATE_NAME
    assert settings["show_tracebacks"] is False
    assert {"@jupyter/nbgrader", "@jupyter-notebook/lab-extension"} <= set(settings["extension_denylist"])
    assert "extension_allowlist" not in settings, "an allowlist stops the widgets from rendering"


def test_course_pages_have_preheated_kernels_and_nothing_else_does():
    """Does voila.json keep one pre-heated kernel for the course home and each module page
    (the pages a learner moves between), and none for any other notebook (glossary,
    workshop pages, assessments), so that memory goes where learners wait?"""
    import yaml

    voila = json.loads((VOILA_DIR / "voila.json").read_text())
    assert voila["VoilaConfiguration"]["preheat_kernel"] is True
    assert voila["VoilaConfiguration"].get("progressive_rendering") is not True, "Voila cannot do both"
    pools = voila["VoilaKernelManager"]["kernel_pools_config"]
    assert pools.pop("default") == {"pool_size": 0}
    course = yaml.safe_load((launch.VOILA_DIR.parents[1] / "modules" / "content" / "course.yaml").read_text())
    pages = {launch.HOME_NOTEBOOK} | {module["notebook"] for module in course["modules"]}
    assert set(pools) == pages
    assert all(settings["pool_size"] == 1 for settings in pools.values())
    first = [page for page, settings in pools.items()
             if settings.get("kernel_env_variables", {}).get("COURSE_FIRST_PAGE") == "1"]
    assert first == [launch.HOME_NOTEBOOK], "the course home's kernel starts first at launch"
    assert voila["VoilaConfiguration"]["multi_kernel_manager_class"] == "leadership_course.voila.kernels.CourseKernelManager"
    assert all((launch.VOILA_DIR.parents[1] / "modules" / page).is_file() for page in pages)


# --------------------------------------------------------------------------- rendering


def render(cells, name="a_page") -> str:
    """Render notebook cells (with ready-made outputs) through the course template, as
    Voila does, but with no kernel."""
    import nbformat
    from voila.exporter import VoilaExporter
    from voila.paths import collect_template_paths

    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    exporter = VoilaExporter(
        template_paths=collect_template_paths(["voila", "nbconvert"], "course"),
        template_name="course", base_url="/", theme="light",
    )
    exporter.exclude_input = exporter.exclude_input_prompt = exporter.exclude_output_prompt = True

    async def kernel_start(nb):
        return "a-kernel-id"

    async def cells_of(nb, kernel_id):
        for cell in nb.cells:
            yield cell

    async def generate():
        chunks = []
        async for chunk, _ in exporter.generate_from_notebook_node(
            nb,
            resources={"base_url": "/", "theme": "light", "template": "course",
                       "metadata": {"name": name}, "page_config": {}},
            extra_context={"frontend": "voila", "main_js": "voila.js", "kernel_start": kernel_start,
                           "cell_generator": cells_of, "progressive_rendering": False},
            page_config={"fullStaticUrl": "/voila/static",
                         "fullMathjaxUrl": "https://cdnjs.cloudflare.com/mathjax.js",
                         "mathjaxConfig": "TeX-AMS_CHTML-full,Safe"},
        ):
            chunks.append(chunk)
        return "".join(chunks)

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, generate()).result()


@pytest.fixture
def course_template_env(monkeypatch, tmp_path):
    """Jupyter search paths as the launcher sets them, in this process."""
    env = launch.voila_environment(tmp_path / "record")
    for key in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):
        monkeypatch.setenv(key, env[key])


def failing_cell(show_tracebacks=False):
    """A code cell whose error output is what Voila sends (stripped unless show_tracebacks)."""
    import nbformat
    from voila.execute import VoilaExecutor

    cell = nbformat.v4.new_code_cell("1/0", execution_count=3, outputs=[nbformat.v4.new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero",
        traceback=["Traceback (most recent call last)", "ZeroDivisionError: division by zero"])])
    if not show_tracebacks:
        VoilaExecutor(nbformat.v4.new_notebook(), km=None).strip_code_cell_errors(cell)
    return cell


def test_page_frame(course_template_env):
    """Does a rendered page have lang="en-GB", the first heading as its title, a skip link
    before a banner that links to the course home, <main id="main"> around the cells and a
    footer, and no address on another host?"""
    import nbformat

    html = render([nbformat.v4.new_markdown_cell("[Course home](course_home.ipynb)"),
                   nbformat.v4.new_markdown_cell("Intro\n\n# Module 9: The **real** title\n\nText")])
    assert '<html lang="en-GB">' in html
    assert "<title>Module 9: The real title</title>" in html
    body = html[html.index("<body"):]
    assert body.index('class="course-skip-link" href="#main"') < body.index("<header") < body.index('<main id="main"')
    assert 'href="course_home.ipynb"' in body[body.index("<header"):body.index("</header>")]
    assert body.index('<main id="main"') < body.index('id="rendered_cells"') < body.index("</main>") < body.index("<footer")
    assert html.count('id="main"') == 1
    external = re.findall(r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", html)
    assert external == [], f"the page would load from other hosts: {external}"
    assert "fontawesome" not in html.lower()
    assert '"fullMathjaxUrl": null' in html and '"mathjaxConfig": null' in html


def test_title_falls_back_to_the_file_name(course_template_env):
    """With no heading in the notebook, is the page titled with its file name?"""
    import nbformat

    html = render([nbformat.v4.new_markdown_cell("No heading here.")], name="03_some_module")
    assert "<title>03_some_module</title>" in html


def test_failing_cell_shows_a_friendly_message(course_template_env):
    """When a cell fails (tracebacks hidden, the course setting), does the learner get a
    plain message to reload or tell the facilitator, and no trace of the error?"""
    import nbformat

    html = render([nbformat.v4.new_markdown_cell("# A page"), failing_cell()])
    assert "Sorry, this part of the page could not be shown." in html
    assert 'role="alert"' in html
    for leak in ("ZeroDivisionError", "Traceback", "show_tracebacks", "There was an error when executing"):
        assert leak not in html


def test_failing_cell_keeps_the_traceback_for_developers(course_template_env):
    """With show_tracebacks=True (voila --debug) is the real traceback still shown?"""
    import nbformat

    html = render([nbformat.v4.new_markdown_cell("# A page"), failing_cell(show_tracebacks=True)])
    assert "ZeroDivisionError" in html
    assert "Sorry, this part of the page could not be shown." not in html
