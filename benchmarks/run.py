"""Benchmarks: what learners, facilitators and hosts wait for, beside the floor set by
Jupyter itself, measured in the same run on the same machine.

    .venv/bin/python benchmarks/run.py [--runs 5] [--only import,execute,autograde]

Prints a table (kernel memory comes with "execute") and writes it to benchmarks/results/latest.md.
Every figure is a median over
``--runs`` runs. Not part of the test suite's pass/fail.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
MODULES = REPO / "modules"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}
MEMORY_CELL = "import re; print(int(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1)))"


def median(values):
    return statistics.median(values)


def course_notebooks():
    return sorted(p for p in MODULES.glob("*.ipynb") if p.name[0].isdigit() or p.name == "course_home.ipynb")


def empty_notebook(folder):
    path = Path(folder) / "empty.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def import_time(module, runs):
    """Seconds for a fresh interpreter to import ``module``, less a bare interpreter's start."""
    def once(code):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", code], check=True, env=ENV)
        return time.perf_counter() - start
    bare = median([once("pass") for _ in range(runs)])
    return median([once(f"import {module}") for _ in range(runs)]) - bare


def execute(path, record_dir, with_memory=False):
    """(seconds to execute headless, kernel RSS in MB afterwards) for one notebook."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, 4)
    if with_memory:
        notebook.cells.append(nbformat.v4.new_code_cell(MEMORY_CELL))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    os.environ["COURSE_RECORD_DIR"] = str(record_dir)
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    memory = None
    if with_memory:
        memory = int(notebook.cells[-1].outputs[0]["text"]) / 1024
    return seconds, memory


def bench_execute(runs, rows, memory_rows):
    with tempfile.TemporaryDirectory() as folder:
        empty = empty_notebook(folder)
        floor = [execute(empty, folder, True) for _ in range(runs)]
        floor_time, floor_mem = median([f[0] for f in floor]), median([f[1] for f in floor])
        for path in course_notebooks():
            results = [execute(path, tempfile.mkdtemp(), True) for _ in range(runs)]
            seconds, memory = median([r[0] for r in results]), median([r[1] for r in results])
            rows.append((f"Execute {path.name} headless", seconds, floor_time, "empty notebook", 1.5))
            memory_rows.append((f"Kernel memory after {path.name}", memory - floor_mem, floor_mem))


def bench_autograde(runs, rows, batch=30):
    """Seconds per submission autograding ``batch`` copies of module 1, against an empty assignment."""
    def timed(course, assignment):
        start = time.perf_counter()
        subprocess.run([str(BIN / "nbgrader"), "autograde", assignment, "--force"], cwd=course, env=ENV,
                       check=True, capture_output=True)
        return (time.perf_counter() - start) / batch

    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder) / "grading"
        shutil.copytree(REPO / "grading", course, ignore=shutil.ignore_patterns(
            "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded"))
        empty_source = course / "source" / "empty"
        empty_source.mkdir()
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        notebook.cells[0].metadata["nbgrader"] = {"grade": True, "grade_id": "t", "locked": True, "points": 1,
                                                  "schema_version": 3, "solution": False, "task": False}
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, empty_source / "empty.ipynb")
        for assignment in ("module-01", "empty"):
            subprocess.run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=course,
                           env=ENV, check=True, capture_output=True)
        answers = REPO / "tests" / "fixtures" / "submissions" / "complete.answers.json"
        for n in range(batch):
            for assignment in ("module-01", "empty"):
                target = course / "submitted" / f"learner-{n:02d}" / assignment
                shutil.copytree(course / "release" / assignment, target)
                if assignment == "module-01":
                    shutil.copy(answers, target / "answers.json")
        course_runs = [timed(course, "module-01") for _ in range(runs)]
        floor_runs = [timed(course, "empty") for _ in range(runs)]
        rows.append((f"Autograde one module-01 submission (batch of {batch})", median(course_runs),
                     median(floor_runs), "autograde of an empty notebook", 1.5))


def write_table(rows, memory_rows, notes):
    lines = [f"# Benchmarks ({date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()})", "",
             "| What | Course (s) | Floor (s) | Floor is | Ratio | Target |", "|---|---|---|---|---|---|"]
    for name, value, floor, floor_name, target in rows:
        ratio = value / floor if floor else float("nan")
        verdict = "met" if ratio <= target else "NOT met"
        lines.append(f"| {name} | {value:.3f} | {floor:.3f} | {floor_name} | {ratio:.2f} | ≤ {target} ({verdict}) |")
    if memory_rows:
        lines += ["", "| What | Above empty kernel (MB) | Empty kernel (MB) | Target |", "|---|---|---|---|"]
        for name, extra, floor in memory_rows:
            lines.append(f"| {name} | {extra:.1f} | {floor:.1f} | ≤ 60 MB ({'met' if extra <= 60 else 'NOT met'}) |")
    lines += ["", *notes]
    text = "\n".join(lines) + "\n"
    print(text)
    out = REPO / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="import,execute,autograde")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    rows, memory_rows, notes = [], [], []
    if "import" in wanted:
        rows.append(("Import the course engine", import_time("leadership_course", args.runs),
                     import_time("ipywidgets", args.runs), "import ipywidgets", 1.5))
    if "execute" in wanted:
        bench_execute(args.runs, rows, memory_rows)
    if "autograde" in wanted:
        bench_autograde(max(1, args.runs // 2), rows)
    write_table(rows, memory_rows, notes)


if __name__ == "__main__":
    main()
