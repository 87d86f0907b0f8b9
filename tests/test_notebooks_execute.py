"""Every module notebook runs headless (nbval) with a fresh record, an existing one and a damaged one.

$COURSE_STRICT=1 makes any activity that fails to load fail the run."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
MODULES = REPO / "modules"


def run_nbval(record_dir):
    env = {**os.environ, "COURSE_RECORD_DIR": str(record_dir), "COURSE_STRICT": "1",
           "MPLBACKEND": "Agg"}
    env.pop("COURSE_CONTENT_DIR", None)
    notebooks = sorted(str(p) for p in MODULES.glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
                             "--rootdir", str(MODULES), *notebooks],
                            cwd=MODULES, env=env, capture_output=True, text=True, timeout=900)
    return result


def completed_record(folder):
    """A record in which every activity of the course has been done, made by driving the components."""
    code = r"""
import os
os.chdir(os.environ["MODULES"])
from leadership_course import knowledge_check, scenario, self_check, reflection
from leadership_course.content import load_course, load_activity
for module in load_course()["modules"]:
    for activity_id in module.get("activities") or []:
        kind = load_activity(activity_id)["type"]
        if kind == "knowledge_check":
            view = knowledge_check(activity_id)
            for q in view.views:
                q.select([i for i, o in enumerate(q.question["options"]) if o["correct"]])
                q.check_button.click()
        elif kind == "scenario":
            view = scenario(activity_id)
            while not view.at_ending:
                view.pick(view.visible_choices()[0][0])
        elif kind == "self_check":
            view = self_check(activity_id)
            for item in view.selectors:
                view.answer(item, 2)
            view.show_results()
        else:
            reflection(activity_id).box.value = "Existing <b>answer</b> & text"
"""
    env = {**os.environ, "COURSE_RECORD_DIR": str(folder), "MODULES": str(MODULES), "MPLBACKEND": "Agg"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


@pytest.mark.parametrize("state", ["fresh", "existing", "damaged"])
def test_every_module_notebook_runs(tmp_path, state):
    """Does every notebook run headless without an error, whatever the learner's record holds?"""
    if state == "existing":
        completed_record(tmp_path)
        assert len(json.loads((tmp_path / "learner-record.json").read_text())["activities"]) >= 5
    if state == "damaged":
        (tmp_path / "learner-record.json").write_text("{not json", encoding="utf-8")
    result = run_nbval(tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    if state == "damaged":
        assert list(tmp_path.glob("learner-record.damaged-*.json"))
