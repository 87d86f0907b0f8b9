"""What importing the course loads: the workshop server and the command line start without the
notebook libraries (IPython, ipywidgets, matplotlib, nbgrader), the notebooks' names all still
resolve, and the package's modules import each other in no new cycle."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import leadership_course
from leadership_course.voila.launch import free_port
from leadership_course.workshop.pulses import load_pulse
from leadership_course.workshop.store import WorkshopStore

REPO = Path(__file__).parent.parent
PACKAGE = REPO / "leadership_course"
NOTEBOOK_LIBRARIES = ("IPython", "ipywidgets", "matplotlib", "nbgrader")
#: The import cycles the package keeps on purpose (each module set imports one another).
ALLOWED_CYCLES = [{"leadership_course.__main__", "leadership_course.workshop.cli"},
                  {"leadership_course.content", "leadership_course.prepared", "leadership_course.components.markup"}]

#: In a fresh interpreter: run `workshop serve` as `python -m leadership_course` does; once its
#: pulse, host and screen pages answer, print which of the libraries (argv[3:]) are loaded, then
#: which are after reading `leadership_course.display` (the check does see IPython), and stop.
SERVE_AND_LOOK = """
import json, os, signal, sys, threading, time, urllib.request
from leadership_course.__main__ import main

port, code, libraries = sys.argv[1], sys.argv[2], sys.argv[3:]

def loaded():
    return sorted(name for name in libraries if name in sys.modules)

def look():
    statuses = []
    for page in (f"/pulse/{code}", f"/pulse/{code}/host", f"/pulse/{code}/screen"):
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=5) as reply:
                    statuses.append(reply.status)
                    break
            except OSError:
                time.sleep(0.05)
    serving = loaded()
    import leadership_course
    leadership_course.display
    print(json.dumps({"statuses": statuses, "serving": serving, "after_display": loaded()}), flush=True)
    os.kill(os.getpid(), signal.SIGTERM)  # `workshop serve` stops cleanly on SIGTERM

threading.Thread(target=look, daemon=True).start()
sys.exit(main(["workshop", "serve", "--port", port, "--local", "--no-browser"]))
"""


def run_python(code, *args, env=None, timeout=120):
    result = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                            timeout=timeout, cwd=REPO, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_workshop_serve_loads_no_notebook_library_while_serving(tmp_path):
    """`python -m leadership_course workshop serve` answers its pulse, host and screen pages
    with none of IPython, ipywidgets, matplotlib or nbgrader imported."""
    code = WorkshopStore(tmp_path).create("Imports", load_pulse("abc-and-voice"), "imports-passcode", 3)
    out = run_python(SERVE_AND_LOOK, free_port(), code, *NOTEBOOK_LIBRARIES, env={"COURSE_WORKSHOP_DIR": str(tmp_path)})
    seen = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    assert seen["statuses"] == [200, 200, 200]
    assert seen["serving"] == []
    assert "IPython" in seen["after_display"]  # the check sees a library once something does import it


def test_importing_the_package_and_other_commands_loads_no_notebook_library(tmp_path):
    """`import leadership_course`, the notebooks' first line, the workshop's modules, and the
    `check` and `workshop list` commands import none of the notebook libraries."""
    code = f"""
import sys
import leadership_course
from leadership_course import show_scenario, show_reflection, check_choice
import leadership_course.workshop.cli, leadership_course.workshop.server, leadership_course.__main__
from leadership_course.__main__ import main
for argv in (["check"], ["workshop", "list", "--dir", sys.argv[1]]):
    assert main(argv) == 0, argv
print(sorted(name for name in {NOTEBOOK_LIBRARIES!r} if name in sys.modules))
"""
    assert run_python(code, tmp_path).strip().splitlines()[-1] == "[]"


def test_every_public_name_resolves_and_star_import_works():
    """Each name in __all__ (and each name the package passes on) is what it was before the
    package loaded lazily; `from leadership_course import *` gives every name in __all__."""
    from IPython.display import display

    from leadership_course import content, record
    from leadership_course.grading import marking, questions

    names = {}
    exec("from leadership_course import *", names)
    assert set(leadership_course.__all__) <= set(names)
    for name in leadership_course.__all__:
        assert callable(names[name]) and names[name] is getattr(leadership_course, name), name
    assert names["check_choice"] is marking.check_choice and names["check_answered"] is marking.check_answered
    assert leadership_course.display is display
    assert leadership_course.ContentError is content.ContentError
    assert leadership_course.get_record is record.get_record
    assert leadership_course.grading_run is questions.grading_run
    assert set(leadership_course.__all__) | {"display", "load_activity", "get_record"} <= set(dir(leadership_course))
    try:
        leadership_course.no_such_name
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_every_name_the_notebooks_import_resolves():
    """Every `from leadership_course import ...` line in the course's and the assessments'
    notebooks names something the package has."""
    lines = set()
    for notebook in [*REPO.glob("modules/*.ipynb"), *REPO.glob("grading/**/*.ipynb")]:
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            lines |= set(re.findall(r"^from leadership_course import (.+)$", source, re.MULTILINE))
    names = {name.strip() for line in lines for name in line.split(",")}
    assert {"show_course_home", "show_question", "check_choice"} <= names
    for name in names:
        assert getattr(leadership_course, name) is not None, name


def package_imports():
    """{module: the package's modules it imports, at the top or inside a function}."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    imports = {name: set() for name in modules}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[:len(here) - node.level + 1] + [node.module or ""]).strip(".") \
                    if node.level else node.module
                found = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            else:
                continue
            imports[name] |= {target for target in found if target in modules and target != name}
    return imports


def test_the_package_has_no_import_cycle_but_the_allowed_ones():
    """Modules that import one another (directly or round a loop) are only the allowed sets."""
    imports = package_imports()
    reach = {}
    for start in imports:
        seen, todo = set(), [start]
        while todo:
            for target in imports[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        reach[start] = seen
    cycles = {frozenset({name} | {other for other in reach[name] if name in reach[other]})
              for name in imports if name in reach[name]}
    assert imports["leadership_course.content"]  # the walk does find imports
    for cycle in cycles:
        assert any(cycle <= allowed for allowed in ALLOWED_CYCLES), sorted(cycle)
