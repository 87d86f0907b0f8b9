"""Continue from a saved record in the course web app, in a real Chromium: a learner picks
the raw record they downloaded from another record folder (Binder, say) on the course
home, reads what it holds, continues, and finds their progress and reflections.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from leadership_course.components.journal_download import JournalDownload
from leadership_course.components.reflection import Reflection
from leadership_course.content import load_activity, load_course
from leadership_course.record import LearnerRecord

HOME = "course_home.ipynb"
MODULE_1 = "01_why_compassion.ipynb"
WRITTEN = {"module-1-reflection": "On Binder I wrote about the night I was thanked by my ward manager.",
           "module-1-pledge": "I will thank one colleague by name every shift."}


def downloaded_record(folder):
    """The raw record as the journal's download link gives it, from work done with the
    course's own components in another record folder."""
    elsewhere = LearnerRecord(folder)
    for activity_id, text in WRITTEN.items():
        Reflection(load_activity(activity_id), elsewhere).box.value = text
    links = JournalDownload(load_course(), elsewhere).links.value
    name, data = re.search(r"download='([^']+\.json)' href='data:application/json;charset=utf-8;base64,([^']+)'",
                           links).groups()
    return name, base64.b64decode(data)


@pytest.fixture
def new_learners_folder(voila_server):
    """The shared server's record folder, emptied for the test and put back as it was after."""
    folder = voila_server.record_dir
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    for name in before:
        (folder / name).unlink()
    yield folder
    for path in folder.iterdir():
        if path.is_file():
            path.unlink()
    for name, content in before.items():
        (folder / name).write_bytes(content)


def test_a_record_from_another_folder_continues_the_course(new_learners_folder, open_course_page,
                                                          tmp_path, axe, keys_for):
    """On the course home in Voila: is a file too large to send refused in the browser, does
    choosing a record downloaded elsewhere then show what it holds (axe-clean), change
    nothing until Continue, then show the module's progress; can newer work from a later
    file be taken and the learner's earlier answer brought back from the list (axe-clean);
    and does module 1 then show the reflections the first file held?"""
    folder = new_learners_folder
    name, raw = downloaded_record(tmp_path / "binder")

    page = open_course_page(HOME)
    keys = keys_for(page)
    step = page.locator(".course-continue")
    picker = step.get_by_label("Choose your record file (it ends in .json)")
    keys.tab_to(picker)
    # Too large for the page's connection: the browser holds it back, and the page still works.
    picker.set_input_files(files=[{"name": "huge.json", "mimeType": "application/json",
                                   "buffer": b" " * (12 * 1024 * 1024)}])
    step.get_by_text("huge.json cannot be used: it is larger than any course record").wait_for()

    picker.set_input_files(files=[{"name": name, "mimeType": "application/json", "buffer": raw}])
    summary = step.get_by_text(re.compile(r"It holds work on 2 activities in module 1, last saved on"))
    summary.wait_for()
    assert picker.evaluate("input => [...input.files].map((f) => f.name)") == [name], (
        "the file input must still name the file just chosen (not 'No file chosen')")
    assert "2 activities will be added." in step.inner_text()
    status = step.locator("[role=status]").first
    assert f"{name} was checked" in status.inner_text()
    violations = axe(page)
    assert not violations, "axe on the continue step:\n" + "\n".join(violations)
    assert not (folder / "learner-record.json").exists(), "the record changed before the learner chose Continue"

    confirm = step.get_by_role("button", name="Continue with this record")
    keys.tab_to(confirm)
    keys.press("Enter")
    step.get_by_text(f"Your course now includes the work from {name}.").wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.type === 'file'")
    assert keys.is_focused(picker), f"the focus went to {keys.focused} when the buttons were hidden"
    # Only module 1 has work in the record, so only its progress can read "2 of".
    page.locator(".course-home").get_by_text(re.compile(r"2 of \d+ activities done\.")).wait_for()

    # A later file with newer work on one reflection: it wins, the learner's is kept aside,
    # and the learner brings theirs back from the list, with the keyboard.
    later = json.loads(raw)
    later["activities"]["module-1-reflection"].update(text="Rewritten later.", updated="2099-01-01T09:00:00+00:00")
    picker.set_input_files(files=[{"name": "later.json", "mimeType": "application/json",
                                   "buffer": json.dumps(later).encode()}])
    step.get_by_text("1 activity will be updated with newer work from the file.").wait_for()
    keys.tab_to(confirm)
    keys.press("Enter")
    step.get_by_text("Your course now includes the work from later.json.").wait_for()
    kept_aside = step.get_by_label("Kept aside")
    kept_aside.wait_for()
    violations = axe(page)
    assert not violations, "axe after continuing, with work kept aside:\n" + "\n".join(violations)
    assert "replaced by a newer entry from later.json" in kept_aside.inner_text().replace("\xa0", " ")
    keys.tab_to(step.get_by_role("button", name="Bring this back"))
    keys.press("Enter")
    step.get_by_text(re.compile(r"was brought back\. The answer it replaced is kept aside\.")).wait_for()

    page = open_course_page(MODULE_1)
    shown = "t => [...document.querySelectorAll('.course-reflection textarea')].some(box => box.value === t)"
    for text in WRITTEN.values():
        page.wait_for_function(shown, arg=text, timeout=30_000)  # fails if module 1 never shows the text
