"""Can a determined learner fake marks, or one broken submission stop the cohort?

One batch of honest and dishonest submissions, collected with nbgrader's own zip_collect and
graded with its own autograde under the course's configuration, on a copy of grading/. Each
case is named after what it tries; every dishonest one must score only what its real answers
earn, touch nothing outside its folder, and leave a reason for the facilitator."""

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).parent.parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "submissions"
ASSIGNMENT = "module-01"
NOTEBOOK = "module-01-assessment"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
EXPECTED_AUTO = {  # automatic marks out of 5: only what the learner's real answers earn
    "honest-complete": 5, "honest-partial": 2,
    "added-cell-rewrites-answers": 2, "package-shadows-engine": 2, "answers-link-to-model-answers": 0,
    "link-to-answer-key": 5, "deleted-question-cells": 5, "deeply-nested-answers": 0,
    "two-downloads": 5, "two-downloads-same-name": 5, "renamed-notebook-in-zip": 5, "unreadable-notebook": 5,
    "id-typed-two-ways": 5,
}
CHEAT_CELL = """\
import json, pathlib
here = pathlib.Path.cwd()
pathlib.Path(here / "answers.json").write_text(json.dumps(json.load(open(here.parents[2] / "source" / "module-01" / "model-answers.json"))))
open(here.parents[2] / "PWNED-by-added-cell", "w").write("x")
print("LEAKED " + open(here.parents[2] / "keys" / "module-01.yaml").read())
"""
SHADOW_PACKAGE = """\
import pathlib
pathlib.Path(pathlib.Path.cwd().parents[2] / "PWNED-by-package").write_text("x")
def check_choice(*args): pass
def check_answered(*args): pass
"""


def nbgrader(course, *args):
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=ENV, capture_output=True, text=True,
                          timeout=900)


def digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def zipped(path, entries, mtime=None, compression=zipfile.ZIP_DEFLATED, typed=None):
    with zipfile.ZipFile(path, "w", compression) as archive:
        if typed is not None:  # the ID as the learner typed it, kept by Download my submission
            archive.comment = typed.encode()
        for name, data in entries.items():
            archive.writestr(name, data)
    if mtime:
        os.utime(path, (mtime, mtime))


def patched(path, change):
    """Rewrite the zip at ``path`` with ``change(bytes) -> bytes``, as damage in transit or a tool would."""
    path.write_bytes(change(bytearray(path.read_bytes())))


def headers(data, local_offset, central_offset, value):
    """Set a 2-byte field of every entry's local and central header (flags: 6 and 8; method: 8 and 10)."""
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        start = data.find(signature)
        while start != -1:
            data[start + offset:start + offset + 2] = (int.from_bytes(data[start + offset:start + offset + 2],
                                                                      "little") | value).to_bytes(2, "little")
            start = data.find(signature, start + 4)
    return data


def flip_a_byte_of(text):
    def change(data):
        at = data.find(text.encode()) + 20
        data[at] ^= 0x01
        return data
    return change


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The whole cohort collected, autograded, given feedback and exported in one run each."""
    course = tmp_path_factory.mktemp("integrity")
    shutil.copytree(REPO / "grading", course, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("gradebook.db", "release", "submitted", "autograded",
                                                  "feedback", "downloaded", "answers.json", "problems"))
    keys = course / "keys"
    (course / "source" / ASSIGNMENT / "model-answers.json").chmod(0o644)
    assert nbgrader(course, "generate_assignment", ASSIGNMENT, "--force").returncode == 0
    release = course / "release" / ASSIGNMENT
    released = nbformat.read(release / f"{NOTEBOOK}.ipynb", 4)
    complete = (FIXTURES / "complete.answers.json").read_text()
    partial = (FIXTURES / "partial.answers.json").read_text()
    protected = {"keys": digest(keys), "source": digest(course / "source")}

    def submit(student, answers=None, cells=None, extra=None):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        notebook = nbformat.from_dict(json.loads(json.dumps(released)))
        if cells:
            cells(notebook)
        nbformat.write(notebook, folder / f"{NOTEBOOK}.ipynb")
        shutil.copy(release / "assessment.yaml", folder)
        if answers is not None:
            (folder / "answers.json").write_text(answers)
        if extra:
            extra(folder)

    submit("honest-complete", complete)
    submit("honest-partial", partial)
    submit("added-cell-rewrites-answers", partial,
           cells=lambda nb: nb.cells.insert(3, nbformat.v4.new_code_cell(CHEAT_CELL)))

    def shadow(folder):
        (folder / "leadership_course").mkdir()
        (folder / "leadership_course" / "__init__.py").write_text(SHADOW_PACKAGE)
    submit("package-shadows-engine", partial, extra=shadow)
    submit("answers-link-to-model-answers", None,
           extra=lambda f: (f / "answers.json").symlink_to(course / "source" / ASSIGNMENT / "model-answers.json"))
    submit("link-to-answer-key", complete,
           extra=lambda f: (f / "notes.txt").symlink_to(keys / "module-01.yaml"))

    def delete_questions(nb):
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in ("q1-order", "q2-myths")]
    submit("deleted-question-cells", complete, cells=delete_questions)
    submit("deeply-nested-answers", '{"version": 1, "activities": {"q1-order": {"selected": ' + "[" * 50_000 +
           "]" * 50_000 + "}}}")

    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    notebook_bytes = (release / f"{NOTEBOOK}.ipynb").read_bytes()

    def entries(learner, answers, notebook_name=f"{NOTEBOOK}.ipynb"):
        return {f"{learner}__{notebook_name}": notebook_bytes, f"{learner}__answers.json": answers}
    zipped(archive / "module-01__two-downloads__20261201T090000Z.zip", entries("two-downloads", partial))
    zipped(archive / "module-01__two-downloads__20261201T093000Z.zip", entries("two-downloads", complete))
    zipped(archive / "module-01__two-downloads-same-name.zip", entries("two-downloads-same-name", partial),
           mtime=1_790_000_000)
    zipped(archive / "module-01__two-downloads-same-name (1).zip", entries("two-downloads-same-name", complete),
           mtime=1_790_003_600)
    zipped(archive / "module-01__renamed-notebook-in-zip__20261201T090000Z.zip",
           entries("renamed-notebook-in-zip", complete, "module-01-assessment (copy).ipynb"))
    zipped(archive / "module-01__José Müller__20261201T090000Z.zip", entries("José Müller", complete))
    zipped(archive / "module-01__zipslip__20261201T090000Z.zip", {"../../../zipslip__answers.json": complete})
    zipped(archive / "module-01__someone-else__20261201T090000Z.zip", entries("honest-partial", complete))
    (archive / "my-answers.docx").write_bytes(b"not a zip")
    # Zips that stopped zip_collect for everyone: read whole, and their times parsed, before anything is copied.
    zipped(archive / "module-01__impossible-time__20261341T256199Z.zip", entries("impossible-time", complete))
    zipped(archive / "module-01__year-zero__00000101T090000Z.zip", entries("year-zero", complete))
    crc = archive / "module-01__crc-corrupted-entry__20261201T090000Z.zip"
    zipped(crc, entries("crc-corrupted-entry", complete), compression=zipfile.ZIP_STORED)
    patched(crc, flip_a_byte_of(complete))
    encrypted = archive / "module-01__entry-marked-encrypted__20261201T090000Z.zip"
    zipped(encrypted, entries("entry-marked-encrypted", complete))
    patched(encrypted, lambda data: headers(data, 6, 8, 0x1))
    deflate64 = archive / "module-01__deflate64-entry__20261201T090000Z.zip"
    zipped(deflate64, entries("deflate64-entry", complete))
    patched(deflate64, lambda data: headers(data, 8, 10, 9))  # method 8 (deflate) | 9 = 9: Deflate64
    zipped(archive / "module-01__two-downloads\n__20261201T100000Z.zip", entries("two-downloads\n", partial))
    zipped(archive / "module-01__honest-complete__20991231T235959Z.zip", entries("honest-complete", partial))
    zipped(archive / "module-01__id-typed-two-ways__20261201T090000Z.zip", entries("id-typed-two-ways", partial),
           typed="ID-Typed-Two-Ways")
    zipped(archive / "module-01__id-typed-two-ways__20261201T093000Z.zip", entries("id-typed-two-ways", complete),
           typed=" id-typed-two-ways")
    zipped(archive / "module-01__unreadable-notebook__20261201T090000Z.zip",
           {"unreadable-notebook__module-01-assessment.ipynb": b'{"cells": [', "unreadable-notebook__answers.json": complete})

    collect = nbgrader(course, "zip_collect", ASSIGNMENT, "--force")
    autograde = nbgrader(course, "autograde", ASSIGNMENT, "--force")
    feedback = nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    export = subprocess.run([sys.executable, "-m", "leadership_course", "export-marks", "--course-dir", str(course),
                             "--out", str(course / "per-question.csv")], cwd=course, env=ENV, capture_output=True,
                            text=True)
    return {"dir": course, "collect": collect, "autograde": autograde, "feedback": feedback, "export": export,
            "protected": protected}


def rows_for(batch, student):
    with open(batch["dir"] / "per-question.csv", newline="") as stream:
        return [r for r in csv.DictReader(stream) if r["student"] == student]


def test_every_step_completes_for_the_whole_batch(batch):
    """Do zip_collect, autograde, feedback and the marks export all finish, whatever was submitted?"""
    for step in ("collect", "autograde", "feedback", "export"):
        result = batch[step]
        assert result.returncode == 0, (step, result.stdout[-2000:], result.stderr[-3000:])
    assert "Traceback" not in batch["export"].stderr


@pytest.mark.parametrize("student", sorted(EXPECTED_AUTO))
def test_each_case_scores_only_what_its_real_answers_earn(batch, student):
    """Is every honest and dishonest case graded to the automatic marks its real answers earn,
    with every automatic question marked automatically (none left for hand-marking)?"""
    automatic = [r for r in rows_for(batch, student) if r["kind"] == "automatic"]
    assert len(automatic) == 5, student
    assert sum(float(r["score"]) for r in automatic) == EXPECTED_AUTO[student]
    assert all(r["needs_hand_marking"] == "False" for r in automatic)


def test_nothing_outside_the_submission_was_read_or_changed(batch):
    """Did no learner code run: no file written outside its folder, keys and sources unchanged,
    and no key text in any graded notebook or feedback page?"""
    course = batch["dir"]
    assert not list(course.rglob("PWNED-*"))
    assert digest(course / "keys") == batch["protected"]["keys"]
    assert digest(course / "source") == batch["protected"]["source"]
    assert not (course / "zipslip__answers.json").exists() and not (course.parent / "zipslip__answers.json").exists()
    never = ("LEAKED", "PWNED", "Traceback (most recent call last)")
    for folder, secrets in (("autograded", never), ("feedback", never + ("Award one mark", "check_choice("))):
        for path in (course / folder).rglob("*"):  # autograded notebooks keep mark schemes: facilitators only
            assert not path.is_symlink(), path
            if path.is_file():
                text = path.read_text(errors="replace")
                for secret in secrets:
                    assert secret not in text, (path, secret)
    assert not (course / "autograded" / "package-shadows-engine" / ASSIGNMENT / "leadership_course").exists()
    assert not (course / "autograded" / "link-to-answer-key" / ASSIGNMENT / "notes.txt").exists()


REASONS = {
    "added-cell-rewrites-answers": "set aside and not run: possible tampering",
    "package-shadows-engine": "Files the course did not hand out were set aside",
    "answers-link-to-model-answers": "symbolic links (answers.json)",
    "link-to-answer-key": "symbolic links (notes.txt)",
    "deleted-question-cells": "Cells were deleted from the notebook",
    "deeply-nested-answers": "nested far deeper than a real one",
    "renamed-notebook-in-zip": "The notebook was renamed",
    "unreadable-notebook": "The notebook could not be read (NotJSONError",
    "id-typed-two-ways": "were typed differently (' id-typed-two-ways' in module-01__id-typed-two-ways__20261201T093000Z"
                         ".zip, 'ID-Typed-Two-Ways' in module-01__id-typed-two-ways__20261201T090000Z.zip)",
}


@pytest.mark.parametrize("student", sorted(REASONS))
def test_each_dishonest_or_broken_case_carries_its_reason(batch, student):
    """Does the marks export give the facilitator the reason and what to do, for every case?"""
    problems = rows_for(batch, student)[0]["problems"]
    assert REASONS[student] in problems and "What to do:" in problems


def test_honest_learners_carry_no_reason_and_autograde_warns_only_about_cheats(batch):
    """Do honest learners carry no reason, and does autograde's log warn about nobody honest
    (no checksum warning for every learner)?"""
    for student in ("honest-complete", "honest-partial"):
        assert rows_for(batch, student)[0]["problems"] == ""
    log = batch["autograde"].stdout + batch["autograde"].stderr
    assert "checksum" not in log
    warned = {line.split("]", 1)[1].split(":")[0].strip() for line in log.splitlines()
              if "WARNING" in line and "cell(s)" in line}
    assert warned == {"added-cell-rewrites-answers", "deleted-question-cells"}


def test_the_added_cell_text_reaches_the_facilitator(batch):
    """Is the text of an added cell shown to the facilitator, who must judge the tampering?"""
    problems = rows_for(batch, "added-cell-rewrites-answers")[0]["problems"]
    assert "PWNED-by-added-cell" in problems


def test_refused_zips_are_named_with_their_reasons(batch):
    """Is every refused zip on the dashboard with its reason: an odd ID, entries that point
    outside their folder, a name that disagrees with the files inside, a file that is not a zip?"""
    from leadership_course.grading.dashboard import dashboard_html
    from leadership_course.grading.marks import cohort_summary

    summary = cohort_summary(batch["dir"])
    refused = " ".join(p["reason"] for p in next(a for a in summary["assignments"] if a["name"] == ASSIGNMENT)["refused"])
    assert "José Müller" in refused and "not one the course accepts" in refused
    assert "zipslip" in refused and "points outside its own folder" in refused
    assert "someone-else" in refused and "files inside say 'honest-partial'" in refused
    assert "my-answers.docx" in refused
    page = dashboard_html(summary)
    assert "Problems to look at" in page and "points outside its own folder" in page
    assert "possible tampering" in page and "&lt;" not in refused
    # the honest learner named by someone else's zip keeps their own work
    answers = json.loads((batch["dir"] / "submitted" / "honest-partial" / ASSIGNMENT / "answers.json").read_text())
    assert answers == json.loads((FIXTURES / "partial.answers.json").read_text())


BROKEN_ZIPS = {  # learner ID in the zip: what the facilitator is told
    "impossible-time": "its name carries a time that cannot be (20261341T256199Z)",
    "year-zero": "its name carries a time that cannot be (00000101T090000Z)",
    "crc-corrupted-entry": "is damaged and cannot be read (BadZipFile: Bad CRC-32",
    "entry-marked-encrypted": "is encrypted",
    "deflate64-entry": "uses a compression the course does not read (method 9)",
    "two-downloads\n": "the learner ID inside it is not one the course accepts",
    "honest-complete": "its name carries a time in the future (2099-12-31 23:59 UTC)",  # meant to replace theirs
}


@pytest.mark.parametrize("learner", sorted(BROKEN_ZIPS), ids=lambda learner: learner.replace("\n", "-newline"))
def test_a_broken_download_is_refused_with_its_reason_and_the_batch_goes_on(batch, learner):
    """Is a zip with an impossible time, a damaged, encrypted or Deflate64 entry, or an ID with a
    final newline refused with its reason, nothing of it collected, while the others are graded?"""
    from leadership_course.grading.collect import refused

    reasons = [p["reason"] for p in refused(batch["dir"], ASSIGNMENT) if p["reason"].startswith(f"module-01__{learner}__")]
    assert len(reasons) == 1 and BROKEN_ZIPS[learner] in reasons[0], reasons
    assert not (batch["dir"] / "submitted" / learner).exists() or learner == "honest-complete"
    assert sorted(p.name for p in (batch["dir"] / "submitted").iterdir() if p.name.startswith("two-downloads")) == [
        "two-downloads", "two-downloads-same-name"]
    assert batch["collect"].returncode == 0 and "Traceback" not in batch["collect"].stderr
    assert len(rows_for(batch, "honest-complete")) > 0 and len(rows_for(batch, "two-downloads")) > 0


def test_latest_download_wins(batch):
    """With two downloads from one learner, is the later one collected (by the time in its name,
    or by the file's time when the browser added ' (1)'), and is the facilitator told which was
    set aside, with both times?"""
    for learner in ("two-downloads", "two-downloads-same-name"):
        answers = json.loads((batch["dir"] / "submitted" / learner / ASSIGNMENT / "answers.json").read_text())
        assert answers == json.loads((FIXTURES / "complete.answers.json").read_text())
    problems = rows_for(batch, "two-downloads")[0]["problems"]
    assert ("module-01__two-downloads__20261201T093000Z.zip (2026-12-01 09:30 UTC) was collected in place of "
            "module-01__two-downloads__20261201T090000Z.zip (2026-12-01 09:00 UTC)") in problems
    assert "More than one download" in rows_for(batch, "two-downloads-same-name")[0]["problems"]


def test_dashboard_page_works_offline_and_shows_the_reasons(batch, browser, tmp_path):
    """Does `python -m leadership_course dashboard` write one page that loads nothing from any
    host, shows the problems with what to do, and passes axe-core in Chromium?"""
    import re

    from browser_helpers import axe_violations

    out = tmp_path / "dashboard.html"
    result = subprocess.run([sys.executable, "-m", "leadership_course", "dashboard", "--course-dir", str(batch["dir"]),
                             "--out", str(out)], cwd=tmp_path, env=ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    html = out.read_text()
    assert "<script" not in html and not re.search(r"(src|href)=['\"]?(https?:)?//", html)
    assert "possible tampering" in html and "What to do:" in html and "points outside its own folder" in html
    context = browser.new_context()
    requests = []
    try:
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(out.as_uri())
        assert page.get_by_role("heading", name="Facilitator dashboard").is_visible()
        assert axe_violations(page) == []
    finally:
        context.close()
    assert all(url.startswith(("file:", "data:")) for url in requests), requests


def test_zip_from_a_learner_not_on_the_roster_is_refused(tmp_path):
    """Once a roster is registered, is a download under an ID that is not on it (a typing slip,
    or someone outside the cohort) refused with a reason, while the roster's learners are collected?"""
    course = tmp_path / "course"
    shutil.copytree(REPO / "grading", course, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded", "answers.json", "problems"))
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name\nab12,Amira,Begum\n")
    registered = subprocess.run([sys.executable, "-m", "leadership_course", "roster", "import", str(roster),
                                 "--course-dir", str(course)], cwd=course, env=ENV, capture_output=True, text=True)
    assert registered.returncode == 0, registered.stdout + registered.stderr
    assert nbgrader(course, "generate_assignment", ASSIGNMENT, "--force").returncode == 0
    notebook = (course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_bytes()
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    answers = (FIXTURES / "complete.answers.json").read_text()
    for learner in ("ab12", "ab21"):
        zipped(archive / f"module-01__{learner}__20261201T090000Z.zip",
               {f"{learner}__{NOTEBOOK}.ipynb": notebook, f"{learner}__answers.json": answers})
    assert nbgrader(course, "zip_collect", ASSIGNMENT, "--force").returncode == 0
    assert (course / "submitted" / "ab12" / ASSIGNMENT / "answers.json").is_file()
    assert not (course / "submitted" / "ab21").exists()
    from leadership_course.grading.collect import refused

    reasons = [p["reason"] for p in refused(course, ASSIGNMENT)]
    assert any("'ab21' is not on the roster" in r for r in reasons), reasons
