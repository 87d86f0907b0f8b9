"""Does the web edition's journal (leadership_course/web/static/journal.js, run in Node)
write the same page as the Python course's (leadership_course/journal.py) from the same
record: progress, reflections, pledges and plans, scores, each ending once with its count,
the self-check's chart and scale with the page's rounding? A change to either side that
is not made to the other fails here, naming the section that differs."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from leadership_course.content import find_content_dir, load_activity, load_course
from leadership_course.journal import journal_html
from leadership_course.record_check import check_record
from leadership_course.web.build import _course_data

HERE = Path(__file__).parent
CREATED = "4 December 2026 at 10:42"


def entries():
    """A record with every kind of entry, as the course saves them, plus hostile text."""
    def reflection(activity_id, text, **extra):
        found = load_activity(activity_id, "reflection")
        return {"type": "reflection", "kind": found.get("kind", "reflection"), "title": found["title"],
                "module": found["module"], "prompt": found["prompt"], "text": text,
                "saved_at": "2026-12-04T10:42:00+00:00", "completed": bool(text.strip()), **extra}

    run = {"path": [], "ending": "e", "ending_title": "Team steadied", "outcome": "positive",
           "finished_at": "2026-12-04T10:00:00+00:00"}
    return {
        "module-1-pledge": reflection("module-1-pledge", "Ask <b>how</b> people are & 'listen'.\n\nEvery day."),
        "module-1-reflection": reflection("module-1-reflection", "See https://www.england.nhs.uk/" + "a" * 120),
        "sustainability-plan-drains": reflection("sustainability-plan-drains", "Overrunning ward rounds."),
        "sustainability-plan-support": reflection("sustainability-plan-support", ""),
        "module-9-final-pledge": reflection("module-9-final-pledge", "Stop and listen."),
        "four-behaviours-check": {"type": "knowledge_check", "title": "Check what you know", "module": 1,
                                  "score": 2, "out_of": 3, "answers": {}, "completed": False},
        "busy-shift-scenario": {"type": "scenario", "title": "A busy shift", "module": 1, "path": [], "completed": True,
                                "runs": [run, dict(run), {**run, "ending_title": "Hard <end>", "outcome": "difficult"},
                                         dict(run), {**run, "outcome": "strange"}]},
        "abc-team-self-audit": {"type": "self_check", "title": "Team self-audit", "module": 2, "completed": True,
                                "scores": {"autonomy": 2.25, "belonging": 2.75, "contribution": 1.67, "odd": True},
                                "labels": {"autonomy": "Autonomy", "belonging": "Belonging's <place>"},
                                "scale_top": 4, "results_shown": True},
        "four-behaviours-self-check": {"type": "self_check", "title": "Self-check", "module": 1, "scores": {"a": 3.0}},
        "not-in-the-course": {"type": "reflection", "title": "Kept from an older edition", "text": "Still mine."},
        "no-title-at-all": {"type": "knowledge_check"},
    }


def records():
    full = {"version": 1, "activities": entries(), "set_aside": [], "pages_opened": {}}
    one_module = {"version": 1, "activities": {k: v for k, v in entries().items() if v.get("module") == 1}}
    texts = [json.dumps(full), json.dumps(one_module), json.dumps({"version": 1, "activities": {}})]
    checked = [check_record(text.encode("utf-8")) for text in texts]
    assert all(c.record for c in checked)
    return [c.record for c in checked]


def sections(page):
    """The page cut before each heading, so that a difference is named by where it is."""
    return re.split(r"(?=<h[123]>)", page)


def test_the_web_journal_is_the_python_journal_for_the_same_record(tmp_path):
    """For a record holding pledges, a plan, reflections (with markup and a long word), a
    score, an ending reached four times and others, self-checks at exact halves (2.25, 2.75)
    and 1.67 with and without a scale, an entry outside the course map and one with no
    title, and for an empty record: is journal.js's page the same as journal.py's?"""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("Node.js is needed for the web edition's journal test (Debian: apt-get install nodejs)")
    course = load_course()
    cases = records()
    data = tmp_path / "journal.json"
    data.write_text(json.dumps({"course": _course_data(course, find_content_dir()), "created": CREATED,
                                "records": cases}), encoding="utf-8")
    result = subprocess.run([node, str(HERE / "journal_render.js")], capture_output=True, text=True, timeout=60,
                            env={"JOURNAL_CASES": str(data), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-3000:]
    web = json.loads(result.stdout)
    assert web["figures"] == [f"{x:.1f}" for x in [2.25, 2.75, 1.67, 3.05, 0.25, 41.75, 2, 3.5, 1.125, 0.05]]
    for number, (record, page) in enumerate(zip(cases, web["journals"])):
        python = journal_html(record, course, CREATED)
        for ours, theirs in zip(sections(page), sections(python)):
            assert ours == theirs, f"record {number}: the web journal differs from Python's here"
        assert page == python, f"record {number}: the web journal has other sections than Python's"
    full = web["journals"][0]
    # What the two share is what the learner needs (checked once here, so the test cannot pass on two empty pages).
    assert "<meta name='viewport'" in full and "overflow-wrap:anywhere" in full
    assert full.count("Team steadied (a positive ending)") == 1 and "Team steadied (a positive ending), 3 times" in full
    assert "<td>2.2</td>" in full and "<td>2.8</td>" in full and "<td>1.7</td>" in full and "1.67" not in full
    assert "<div class='bar-scale'><span>0</span>" in full and "Ask &lt;b&gt;how&lt;/b&gt;" in full
    assert "Overrunning ward rounds." in full and "My final pledge" in full and "Your pledge: My pledge" not in full
    assert "<h2>Other activities</h2>" in full
