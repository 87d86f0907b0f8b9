"""The facilitator's route without a hub, from the guide's own commands in order
(docs/facilitator-guide/assessment.md), on a copy of grading/ for a cohort of four:

roster import -> generate_assignment -> hand-out -> three learners answer through the widgets
and download -> zip_collect -> autograde -> one learner hand-marked in formgrader, in a real
Chromium -> feedback for ab12 alone while the others' answers are unmarked -> the rest marked -> feedback ->
return-feedback, one zip per learner -> dashboard and per-question export.

The stages are fixtures, so each test can run alone and still gets the route up to its step."""

import base64
import csv
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from browser_helpers import axe_violations, new_course_page, stop_voila
from leadership_course.voila.launch import free_port

REPO = Path(__file__).parent.parent.parent
ASSIGNMENT = "module-01"
NOTEBOOK = "module-01-assessment"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
COHORT = {"ab12": "Asha Bhatt", "cd34": "Chidi Dike", "ef56": "Ewa Fiedler", "gh78": "Gareth Hughes"}
SUBMITTERS = ("ab12", "cd34", "ef56")  # gh78 never submits
RIGHT = {"q1-order": ["Attending, understanding, empathising, helping"], "q3-answers": ["False"],
         "q2-myths": ["It means losing your commitment to performance.",
                      "It means you cannot have tough conversations about performance.",
                      "It means always taking the easy, agreed route."]}
WRONG = {"q1-order": ["Listening, fixing, reporting, reviewing"]}  # q2 to q5 left unanswered
TOKEN = "route-test-token"
GUIDE = REPO / "docs" / "facilitator-guide" / "assessment.md"
COMMAND = re.compile(r"(nbgrader [a-z_]+|python -m leadership_course (?:roster [a-z]+|[a-z-]+))")
STEPS_RUN = []  # each command's name ("nbgrader autograde"), in the order this route ran them


def run(course, *argv, check=True):
    """A command of the guide, run in the course folder as the facilitator would."""
    typed = (["nbgrader", *argv[1:]] if Path(argv[0]).name == "nbgrader"
             else ["python -m leadership_course", *argv[3:]])  # argv: python, -m, leadership_course, ...
    STEPS_RUN.append(COMMAND.match(" ".join(typed)).group(1))
    return run_unrecorded(course, *argv, check=check)


def run_unrecorded(course, *argv, check=True):
    """A command run in the course folder, not counted as a step of this guide's route."""
    result = subprocess.run(list(argv), cwd=course, env=ENV, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def nbgrader(course, *args, check=True):
    return run(course, str(BIN / "nbgrader"), *args, check=check)


def course_command(course, *args, check=True):
    return run(course, sys.executable, "-m", "leadership_course", *args, check=check)


def answer_and_download(folder, learner, picks, essay):
    """Open the handed-out assessment in ``folder`` as ``learner``, answer through the widgets
    and return the zip that "Prepare my submission" offers (name, bytes)."""
    import leadership_course as course

    here = os.getcwd()
    os.chdir(folder)
    try:
        for question_id, texts in picks.items():
            widget = course.question(question_id)
            widget.selector.value = [widget.question["options"].index(text) for text in texts]
        course.written_answer("r1-example").box.value = essay
        course.written_answer("r2-myth").box.value = f"{essay} (second answer)"
        download = course.submission_download()
        download.learner_id.value = learner.upper()  # typed in capitals: the widget lowercases it
        download.prepare()
        return zip_offered(download.link.value)
    finally:
        os.chdir(here)


def zip_offered(link_html):
    """(file name, bytes) of the zip a "Save ..." link offers."""
    name, data = re.search(r"download='([^']+)' href='data:application/zip;base64,([^']+)'", link_html).groups()
    return name, base64.b64decode(data)


def essay_of(learner):
    return f"Only {learner} wrote this: I sat with a colleague after a hard shift and listened."


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Roster, release, hand-out, three learners' downloads, zip_collect and autograde."""
    work = tmp_path_factory.mktemp("route")
    course = work / "grading"
    shutil.copytree(REPO / "grading", course, ignore=shutil.ignore_patterns(
        "gradebook.db", "release", "submitted", "autograded", "feedback", "downloaded", "hand-out", "returned",
        "problems"))
    roster = work / "private" / "roster.csv"  # kept outside the course folder
    roster.parent.mkdir()
    roster.write_text("id,first_name,last_name\n" + "".join(
        f"{learner},{name.split()[0]},{name.split()[1]}\n" for learner, name in COHORT.items()))
    logs = {"roster": course_command(course, "roster", "import", str(roster)).stdout}
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    logs["hand-out"] = course_command(course, "hand-out", ASSIGNMENT).stdout
    pack = course / "hand-out" / f"{ASSIGNMENT}.zip"
    inbox = course / "downloaded" / ASSIGNMENT / "archive"
    for learner in SUBMITTERS:
        laptop = work / f"laptop-{learner}"
        with zipfile.ZipFile(pack) as archive:
            archive.extractall(laptop)
        picks = WRONG if learner == "ef56" else RIGHT
        name, data = answer_and_download(laptop / ASSIGNMENT, learner, picks, essay_of(learner))
        (inbox / name).write_bytes(data)
    logs["zip_collect"] = nbgrader(course, "zip_collect", ASSIGNMENT).stdout
    logs["autograde"] = nbgrader(course, "autograde", ASSIGNMENT).stdout
    return {"dir": course, "work": work, "pack": pack, "logs": logs}


def gradebook(course):
    from leadership_course.grading.marks import gradebook as open_gradebook

    return open_gradebook(course)


@pytest.fixture(scope="module")
def formgrader(collected):
    """nbgrader's formgrader under `jupyter server`, on a free 127.0.0.1 port, for the course."""
    port = free_port()
    argv = [str(BIN / "jupyter"), "server", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={collected['dir']}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    log_path = collected["work"] / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, cwd=collected["dir"], env=ENV, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_voila(process)
                pytest.fail("jupyter server did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.3)
    yield {"base": base, "log": log_path}
    stop_voila(process)


@pytest.fixture(scope="module")
def marked_in_formgrader(collected, formgrader, browser):
    """ab12's two written answers marked, one with a comment, through formgrader's own page."""
    context, page = new_course_page(browser)
    page.route(lambda url: not url.startswith(formgrader["base"]), lambda route: route.abort())
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{formgrader['base']}/formgrader?token={TOKEN}")
        page.get_by_role("link", name="Manual Grading").first.click()
        page.get_by_role("link", name=ASSIGNMENT, exact=True).click()
        page.get_by_role("link", name=NOTEBOOK, exact=True).click()
        with gradebook(collected["dir"]) as gb:
            submission_id = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, "ab12").id
        page.locator(f"a[href*='/formgrader/submissions/{submission_id}']").first.click()
        page.wait_for_load_state("networkidle")
        listing = page.inner_text("body")
        for field, value in (("#r1-example-task", "3"), ("#r2-myth-task", "2"),
                             ("#r1-example-task-comment", "A clear example of attending & listening.")):
            kind = "comment" if field.endswith("-comment") else "grade"
            with page.expect_response(lambda r: f"/formgrader/api/{kind}/" in r.url and r.request.method == "PUT") as saved:
                page.fill(field, value)
                page.press(field, "Tab")
            assert saved.value.status == 200, saved.value.text()
    finally:
        context.close()
    return {"page_text": listing, "errors": errors}


@pytest.fixture(scope="module")
def returned(collected, marked_in_formgrader):
    """Feedback written for ab12 alone while cd34 and ef56 are unmarked; then for all with
    --unmarked-ok and returned for ab12 only; then the rest marked, feedback rewritten and every
    learner returned."""
    course = collected["dir"]
    steps = {"held_back": course_command(course, "feedback", ASSIGNMENT, check=False)}
    steps["feedback_dir_after_hold"] = sorted(p.name for p in (course / "feedback").glob("*"))
    steps["unmarked_ok"] = course_command(course, "feedback", ASSIGNMENT, "--unmarked-ok")
    steps["early_page"] = (course / "feedback" / "cd34" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    steps["early_return"] = course_command(course, "return-feedback", ASSIGNMENT, check=False)
    steps["early_packs"] = sorted(p.name for p in (course / "returned" / ASSIGNMENT).glob("*.zip"))
    with gradebook(course) as gb:  # as formgrader does when a mark is saved
        for learner, score in (("cd34", 1), ("ef56", 0)):
            for name in ("r1-example-task", "r2-myth-task"):
                grade = gb.find_grade(name, NOTEBOOK, ASSIGNMENT, learner)
                grade.manual_score = score
                grade.needs_manual_grade = False
            gb.find_comment("r1-example-task", NOTEBOOK, ASSIGNMENT, learner).manual_comment = f"Note for {learner}"
        gb.db.commit()
    steps["feedback"] = course_command(course, "feedback", ASSIGNMENT)
    steps["return"] = course_command(course, "return-feedback", ASSIGNMENT)
    steps["export"] = course_command(course, "export-marks")
    return steps


def pack_of(course, learner):
    with zipfile.ZipFile(course / "returned" / ASSIGNMENT / f"{ASSIGNMENT}__{learner}__feedback.zip") as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_roster_registers_the_cohort_and_refuses_a_bad_file(collected, tmp_path):
    """Does `roster import` register all four, and register nobody from a file with a bad ID?"""
    assert "Registered 4 learner(s)" in collected["logs"]["roster"]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,first_name\nij90,Ira\nJo Smith,Jo\n")
    result = course_command(collected["dir"], "roster", "import", str(bad), check=False)
    assert result.returncode == 1 and "line 3: 'Jo Smith' is not a learner ID" in result.stdout
    with gradebook(collected["dir"]) as gb:
        assert sorted(s.id for s in gb.students) == sorted(COHORT)
        assert gb.find_student("ab12").last_name == "Bhatt"


def test_hand_out_pack_holds_the_release_only_and_makes_the_inbox(collected):
    """Is the learners' zip the released notebook and questions, with nothing of the answers?"""
    with zipfile.ZipFile(collected["pack"]) as archive:
        names = sorted(archive.namelist())
        text = "".join(archive.read(name).decode() for name in names)
    assert names == [f"{ASSIGNMENT}/assessment.yaml", f"{ASSIGNMENT}/{NOTEBOOK}.ipynb"]
    for secret in ("check_choice(", "HIDDEN TESTS", "MARK SCHEME", "model_answer", "Award one mark"):
        assert secret not in text
    assert "Run All Cells" not in text and "open the assessment from there" in text  # plain words for JupyterLab
    assert (collected["dir"] / "downloaded" / ASSIGNMENT / "archive").is_dir()


def test_downloads_are_collected_and_graded_under_their_ids(collected):
    """Did zip_collect and autograde file each download under the learner's (lowercased) ID?"""
    graded = sorted(p.parent.name for p in (collected["dir"] / "autograded").glob(f"*/{ASSIGNMENT}"))
    assert graded == list(SUBMITTERS)
    with gradebook(collected["dir"]) as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(ASSIGNMENT)}
    assert scores == {"ab12": 3, "cd34": 3, "ef56": 0}


def test_formgrader_marking_page_saves_score_and_comment(collected, marked_in_formgrader):
    """Does formgrader's marking page render with the course config, and do a score and a
    comment entered there reach the gradebook?"""
    assert "Written answer 1 (4 marks)" in marked_in_formgrader["page_text"]
    assert essay_of("ab12") in marked_in_formgrader["page_text"]
    assert "TemplateNotFound" not in collected["work"].joinpath("server.log").read_text()
    with gradebook(collected["dir"]) as gb:
        assert gb.find_grade("r1-example-task", NOTEBOOK, ASSIGNMENT, "ab12").manual_score == 3
        assert gb.find_grade("r2-myth-task", NOTEBOOK, ASSIGNMENT, "ab12").manual_score == 2
        assert not gb.find_grade("r2-myth-task", NOTEBOOK, ASSIGNMENT, "ab12").needs_manual_grade
        comment = gb.find_comment("r1-example-task", NOTEBOOK, ASSIGNMENT, "ab12").comment
        assert comment == "A clear example of attending & listening."


def test_feedback_holds_back_learners_with_unmarked_answers_and_names_them(returned):
    """Does the feedback step write ab12's page, and hold back cd34 and ef56, naming each unmarked
    answer by its part?"""
    held = returned["held_back"]
    assert held.returncode == 1
    for line in ("cd34: not yet marked: Written answer 1, Written answer 2.",
                 "ef56: not yet marked: Written answer 1, Written answer 2.",
                 "Mark their answers in formgrader, then run this again"):
        assert line in held.stdout
    assert "ab12:" not in held.stdout and "Wrote the feedback page of 1 of 3 learner(s)" in held.stdout
    assert returned["feedback_dir_after_hold"] == ["ab12"]


def test_unmarked_answers_say_not_yet_marked_never_zero(returned):
    """With --unmarked-ok, does an unmarked page say 'Not yet marked' and not final, never 0?"""
    page = returned["early_page"]
    assert "2 written answers are not yet marked" in page and "Not yet marked" in page
    assert not re.search(r"Score: 0\.0 / [34]\.0", page)
    assert returned["early_packs"] == [f"{ASSIGNMENT}__ab12__feedback.zip"]  # the others held back
    assert "Not packed for cd34: not yet marked: Written answer 1, Written answer 2." in returned["early_return"].stdout


def test_each_learner_gets_only_their_own_marked_feedback(collected, returned):
    """Is there one zip per learner who submitted, holding only their own, regenerated page?"""
    course = collected["dir"]
    packs = sorted(p.name for p in (course / "returned" / ASSIGNMENT).glob("*.zip"))
    assert packs == [f"{ASSIGNMENT}__{learner}__feedback.zip" for learner in SUBMITTERS]
    assert "Packed 3 learner(s)" in returned["return"].stdout and ": ab12, cd34, ef56. " in returned["return"].stdout
    for learner in SUBMITTERS:
        files = pack_of(course, learner)
        assert list(files) == [f"{ASSIGNMENT}-feedback/{NOTEBOOK}.html"]
        page = next(iter(files.values()))
        assert essay_of(learner) in page
        for other in set(COHORT) - {learner}:
            assert other not in page and COHORT[other] not in page
        assert "Not yet marked" not in page  # the rerun rewrote the early pages
        assert "MARK SCHEME" not in page and "check_choice(" not in page
    ab12 = next(iter(pack_of(course, "ab12").values()))
    assert "A clear example of attending &amp; listening." in ab12  # the comment entered in formgrader
    assert re.search(r"Score: 3\.0 / 4\.0", ab12)
    assert "Score: 1.0 / 4.0" in next(iter(pack_of(course, "cd34").values()))


def test_a_feedback_page_passes_axe_shows_no_code_and_loads_nothing_from_elsewhere(collected, returned, browser):
    """Does a learner's marked feedback page, as returned, have no axe-core violations, show
    none of the notebook's code, and ask no other host for anything?"""
    page_file = collected["dir"] / "feedback" / "ab12" / ASSIGNMENT / f"{NOTEBOOK}.html"
    text = page_file.read_text()
    assert "show_question(" not in text and "from leadership_course import" not in text
    context, page = new_course_page(browser)
    try:
        page.goto(page_file.as_uri())
        violations = axe_violations(page)
        elsewhere = page.course_log.external_requests
    finally:
        context.close()
    assert not violations, "\n".join(violations)
    assert not [url for url in elsewhere if not url.startswith("file:")], elsewhere


def test_dashboard_counts_against_the_roster(collected, returned):
    """Does the dashboard say 3 of 4 submitted and name who has not?"""
    from leadership_course.grading.dashboard import dashboard_html
    from leadership_course.grading.marks import cohort_summary

    page = dashboard_html(cohort_summary(collected["dir"]))
    assert "<td>3 of 4 submitted</td>" in page
    assert "<strong>Not yet submitted:</strong> gh78." in page
    assert "Nothing: all marked." in page


def test_per_question_export_gives_a_reason_for_every_lost_mark(collected, returned):
    """Does export-marks, run from grading/ without --course-dir, give a reason for every lost
    mark and the marker's comments?"""
    assert "Wrote" in returned["export"].stdout
    with open(collected["dir"] / "per-question-marks.csv", newline="") as stream:
        rows = {(r["student"], r["part"]): r for r in csv.DictReader(stream)}
    assert rows[("ef56", "Question 1")]["reason"] == "wrong answer"
    assert rows[("ef56", "Question 2")]["reason"] == "not answered"
    assert rows[("ab12", "Question 4")]["reason"] == "not answered"
    assert rows[("ab12", "Question 1")]["reason"] == ""
    assert rows[("ab12", "Written answer 1")]["comments"] == "A clear example of attending & listening."
    for row in rows.values():
        if row["score"] != row["max_score"]:
            assert row["reason"], row


def test_course_home_opens_the_handed_out_zip_and_keeps_saved_answers(collected, tmp_path):
    """Can a learner open the hand-out zip from the course home, and choose it again later
    without losing the answers saved beside it?"""
    from leadership_course.grading.open_assessment import OpenAssessment

    home = OpenAssessment(tmp_path)
    assert "You have no assessments yet." in home.links.value
    home.take("module-01.zip", collected["pack"].read_bytes())
    path = f"assessments/{ASSIGNMENT}/{NOTEBOOK}.ipynb"
    assert f"<a href='{path}'>Module 1 assessment" in home.status.html and "is ready" in home.status.html
    assert f"<a href='{path}'>" in home.links.value and (tmp_path / path).is_file()
    answers = tmp_path / "assessments" / ASSIGNMENT / "answers.json"
    answers.write_text('{"version": 1, "activities": {"q1-order": {"selected": ["x"]}}}')
    OpenAssessment(tmp_path).take("module-01.zip", collected["pack"].read_bytes())
    assert "q1-order" in answers.read_text()
    assert f"<a href='{path}'>" in OpenAssessment(tmp_path).links.value  # listed on the next visit


def _tampered(pack, change):
    import io

    with zipfile.ZipFile(pack) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _add_cell(source, kind="code"):
    def change(files):
        import nbformat

        name = f"{ASSIGNMENT}/{NOTEBOOK}.ipynb"
        notebook = nbformat.reads(files[name].decode(), as_version=4)
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        notebook.cells.append(cell)
        files[name] = nbformat.writes(notebook).encode()
    return change


TAMPERED = {
    "added-code-cell": _add_cell("import os; os.remove('answers.json')"),
    "call-with-more-after-it": _add_cell('show_question("q1-order"); print(open("/etc/passwd").read())'),
    "script-in-markdown": _add_cell("<script>alert(1)</script>", kind="markdown"),
    "script-inside-the-editor-note": _add_cell('<div class="course-editor-only">\n<img src=x onerror=alert(1)>\n</div>',
                                               kind="markdown"),
    "handler-on-the-editor-note": _add_cell('<div class="course-editor-only" onmouseover="alert(1)">\nHi\n</div>',
                                            kind="markdown"),
    "extra-file": lambda files: files.update({f"{ASSIGNMENT}/helper.py": b"print('hi')"}),
    "path-outside-its-folder": lambda files: files.update({f"../{NOTEBOOK}.ipynb": files.pop(
        f"{ASSIGNMENT}/{NOTEBOOK}.ipynb")}),
    "damaged-questions": lambda files: files.update({f"{ASSIGNMENT}/assessment.yaml": b"questions: [unclosed"}),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_course_home_refuses_a_tampered_zip_and_changes_nothing(collected, tmp_path, case):
    """Is a zip that is not exactly a handed-out assessment refused with a reason, writing nothing?"""
    from leadership_course.grading.open_assessment import OpenAssessment

    home = OpenAssessment(tmp_path)
    home.take("module-01.zip", _tampered(collected["pack"], TAMPERED[case]))
    assert "cannot be opened" in home.status.html and "Nothing was changed" in home.status.html
    assert not (tmp_path / "assessments").exists()
    home.take("notes.zip", b"not a zip at all")
    assert "it is not a zip file" in home.status.html


def test_the_guide_gives_these_steps_in_this_order(returned):
    """Does the facilitator guide give every command this route ran, in the order it ran them?"""
    guide = GUIDE.read_text()
    ran = list(dict.fromkeys(STEPS_RUN))  # each command's first run
    assert ran[:3] == ["python -m leadership_course roster import", "nbgrader generate_assignment",
                       "python -m leadership_course hand-out"]
    first_mention = []
    for step in ran:
        found = [m.start() for m in COMMAND.finditer(guide) if m.group(1) == step]
        assert found, f"the guide never gives `{step}`"
        first_mention.append(found[0])
    assert first_mention == sorted(first_mention), list(zip(ran, first_mention))
