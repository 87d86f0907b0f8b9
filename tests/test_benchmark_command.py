"""The benchmark command (benchmarks/run.py): it checks what it needs before it measures
anything, and keeps every figure measured before a part that fails."""

import importlib.util
import sys
import types
from pathlib import Path

import pytest

RUN = Path(__file__).parents[1] / "benchmarks" / "run.py"


@pytest.fixture
def bench(monkeypatch, tmp_path):
    """benchmarks/run.py as a module, writing its table to a temporary folder, with the
    start command's set-up counted instead of run."""
    spec = importlib.util.spec_from_file_location("benchmark_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "RESULTS", tmp_path / "results")
    prepared = []
    monkeypatch.setitem(sys.modules, "start", types.SimpleNamespace(prepare_course=lambda: prepared.append(1)))
    module.prepared = prepared
    return module


def test_a_missing_playwright_stops_it_before_anything_is_measured(bench, monkeypatch, capsys):
    """Without Playwright (as after the start command's install), does `--only import,voila`
    stop at once, naming the package, the part that needs it and how to add it, with
    nothing set up or measured?"""
    real = importlib.util.find_spec
    monkeypatch.setattr(bench.importlib.util, "find_spec", lambda name: None if name == "playwright" else real(name))
    monkeypatch.setattr(sys, "argv", ["run.py", "--only", "import,voila"])
    assert bench.main() == 2
    message = capsys.readouterr().err
    assert "nothing was measured" in message and "playwright (needed by: voila)" in message
    assert "-m pip install playwright" in message
    assert bench.prepared == [] and not (bench.RESULTS / "latest.md").exists()


def test_an_unknown_part_is_refused(bench, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["run.py", "--only", "import,vojla"])
    with pytest.raises(SystemExit):
        bench.main()
    assert bench.prepared == []


def test_figures_measured_before_a_failing_part_are_kept(bench, monkeypatch):
    """When a part fails after another has been measured, is the table file written with
    the first part's figures and a note of where it stopped?"""
    def fake_import(runs, rows):
        rows.append(("Import the course engine (the notebooks' first cell)", 0.2, 0.3, "import ipywidgets", 1.5))

    def failing_execute(runs, rows, memory_rows):
        raise ModuleNotFoundError("No module named 'nbclient'")

    monkeypatch.setattr(bench, "bench_import", fake_import)
    monkeypatch.setattr(bench, "bench_execute", failing_execute)
    monkeypatch.setattr(sys, "argv", ["run.py", "--only", "import,execute", "--runs", "1"])
    with pytest.raises(ModuleNotFoundError):
        bench.main()
    table = (bench.RESULTS / "latest.md").read_text()
    assert "| Import the course engine (the notebooks' first cell) | 0.200 | 0.300 |" in table
    assert "Stopped while measuring execute (ModuleNotFoundError: No module named 'nbclient')" in table
