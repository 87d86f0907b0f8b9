"""A module's SCORM 1.2 package played by a real SCORM 1.2 runtime in Chromium.

tests/scorm/lms/lms.html is a small LMS page: it makes scorm-again's Scorm12API (from npm,
installed by run_tests.py into .npm-test) its ``window.API``, optionally loaded with the CMI
data an LMS kept, and opens the package's launch page in a frame or a 1024x768 pop-up. It can
make the runtime fail: LMSSetValue answering "false", LMSCommit throwing. One module is
completed by keyboard end to end; the others are checked without a browser
(test_scorm_packages.py).
"""

import functools
import http.server
import re
import shutil
import threading
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from leadership_course.web.scorm import build_course_package, build_module_package

from browser_helpers import Keys, axe_violations, new_course_page  # tests/conftest.py puts tests/browser on the path

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / ".npm-test" / "node_modules" / "scorm-again" / "dist" / "scorm12.js"
LAUNCH = "../module-01/01_why_compassion.html"
NOT_CONNECTED = "This page is not connected to a learning system, so your work is kept in this web browser only."
PRIVATE_WORDS = "My ward manager sat with me after a hard night"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def lms(tmp_path_factory):
    """The test LMS, module 1's package (pass mark 80) and the whole course's package on one
    127.0.0.1 static server."""
    if not RUNTIME.is_file():
        pytest.fail(f"scorm-again is not in {RUNTIME.parent}: run python3 run_tests.py, which installs it")
    root = tmp_path_factory.mktemp("lms-site")
    (root / "lms").mkdir()
    shutil.copy(Path(__file__).parent / "lms" / "lms.html", root / "lms")
    shutil.copy(RUNTIME, root / "lms")
    zips = tmp_path_factory.mktemp("zips")
    for package, folder in ((build_module_package(1, zips, pass_mark=80), "module-01"),
                            (build_course_package(zips), "whole-course")):
        with zipfile.ZipFile(package) as archive:
            archive.extractall(root / folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def lms_page(browser, lms):
    context, page = new_course_page(browser)
    page.goto(f"{lms}/lms/lms.html")
    yield page
    context.close()


def launch(page, how="frame", cmi=None):
    """Open the package in the LMS; returns the course's frame (or pop-up page) once drawn."""
    if how == "popup":
        with page.context.expect_page() as opened:
            page.evaluate("([href, cmi]) => launch(href, 'popup', cmi)", [LAUNCH, cmi])
        course = opened.value
    else:
        page.evaluate("([href, cmi]) => launch(href, 'frame', cmi)", [LAUNCH, cmi])
        course = page.frame_locator("#sco")
    course.locator(".course-activity .course-box").first.wait_for()
    course.locator(".course-activity[data-kind=knowledge_check] .course-box").wait_for()
    return course


def calls(page, name):
    return [call for call in page.evaluate("window.lmsCalls") if call[0] == name]


def answer_question(keys, course, number, wrong=False):
    """Answer question ``number`` (from 1) of the module's knowledge check by keyboard: the
    right options (from the package's book), or one wrong one."""
    question = course.locator(".course-question").nth(number - 1)
    right = question.evaluate(
        """(q, n) => CourseScormBook.activities.find(a => a.type === 'knowledge_check').questions[n].correct""",
        number - 1)
    inputs = question.locator("input")
    values = [int(v) for v in inputs.evaluate_all("inputs => inputs.map(i => i.value)")]
    wanted = [next(v for v in values if v not in right)] if wrong else right
    if inputs.first.get_attribute("type") == "radio":
        keys.tab_to(inputs.first)
        moves = values.index(wanted[0])
        for _ in range(moves):
            keys.press("ArrowDown")
        if not moves:
            keys.press("Space")
    else:
        for value in wanted:
            keys.tab_to(question.locator(f"input[value='{value}']"))
            keys.press("Space")
    keys.tab_to(question.get_by_role("button", name="Check answer"))
    keys.press("Enter")
    question.locator(".course-feedback p").first.wait_for()
    return wanted


def write(keys, course, activity_id, text):
    box = course.locator(f".course-activity[data-id='{activity_id}']")
    keys.tab_to(box.locator("textarea"))
    keys.page.keyboard.type(text)
    keys.tab_to(box.get_by_role("button", name="Save"))
    keys.press("Enter")
    box.locator(".course-feedback p").wait_for()


def complete_module(keys, course):
    """Every activity of module 1 by keyboard; question 2 answered wrongly (4 of 5 right)."""
    write(keys, course, "module-1-reflection", PRIVATE_WORDS)
    check = course.locator(".course-activity[data-kind=self_check]")
    groups = check.locator("fieldset")
    for index in range(groups.count()):
        keys.tab_to(groups.nth(index).locator("input").first)
        keys.press("Space")
    keys.tab_to(check.get_by_role("button", name=re.compile("result", re.I)))
    keys.press("Enter")
    scenario = course.locator(".course-activity[data-kind=scenario]")
    while scenario.locator(".course-choice-button").count():
        keys.tab_to(scenario.locator(".course-choice-button").first)
        keys.press("Enter")
        scenario.locator(".course-choice-button, .course-ending, h4:text-matches('Ending', 'i')").first.wait_for()
    for number in range(1, 6):
        answer_question(keys, course, number, wrong=number == 2)
    write(keys, course, "module-1-pledge", "I will ask how people are, and listen to the answer.")


def stored_record(course):
    return course.locator("body").evaluate(
        "() => JSON.parse(localStorage.getItem(CourseHost.storageKey || 'compassionate-leadership-record'))")


def test_module_completed_by_keyboard_in_a_frame_is_recorded_then_resumes_from_suspend_data(lms_page, browser, lms):
    page = lms_page
    course = launch(page)
    keys = Keys(page)
    complete_module(keys, course)
    page.wait_for_function("() => API.cmi.core.lesson_status === 'passed'", timeout=30_000)
    core = page.evaluate("recorded()")["cmi"]["core"]
    assert (core["lesson_status"], core["score"]["raw"], core["score"]["min"], core["score"]["max"]) == \
           ("passed", "80", "0", "100")
    assert core["exit"] == ""  # passed: a normal exit
    assert course.locator(".course-lms-notice").count() == 0  # connected: nothing to say
    assert page.course_log.console_errors == []
    first = stored_record(course)
    page.evaluate("() => { document.getElementById('sco').src = 'about:blank'; }")  # the learner leaves
    page.wait_for_function("() => lmsCalls.some(c => c[0] === 'LMSFinish')")
    times = [call[1][1] for call in calls(page, "LMSSetValue") if call[1][0] == "cmi.core.session_time"]
    assert all(re.fullmatch(r"\d{4}:\d{2}:\d{2}\.\d{2}", time) for time in times)  # HHHH:MM:SS.SS
    assert page.evaluate("recorded()")["cmi"]["core"]["session_time"] not in ("", "00:00:00", "00:00:00.00")
    interactions = page.evaluate("recorded()")["cmi"]["interactions"]
    assert len(interactions) == 5
    answers = [interactions[str(n)] for n in range(5)]
    assert [a["type"] for a in answers] == ["choice"] * 5
    assert [a["result"] for a in answers] == ["correct", "wrong", "correct", "correct", "correct"]
    assert all(re.fullmatch(r"[a-z](,[a-z])*", a["student_response"]) for a in answers)
    assert answers[0]["id"] == "four_behaviours_check_definition"
    suspend = page.evaluate("API.cmi.suspend_data")
    assert 0 < len(suspend) <= 4096
    sent = " ".join(str(call[1]) for call in calls(page, "LMSSetValue"))
    assert PRIVATE_WORDS not in sent  # reflections and pledges stay in the browser

    # Relaunch in a fresh browser (nothing kept locally), with what the LMS kept.
    context, again = new_course_page(browser)
    try:
        again.goto(f"{lms}/lms/lms.html")
        course = launch(again, cmi={"suspend_data": suspend, "core": {"lesson_status": "passed"}})
        course.locator(".course-activity[data-kind=scenario] .course-choice-button").first.wait_for(state="detached")
        back = stored_record(course)["activities"]
        for activity_id in ("four-behaviours-check", "busy-shift-scenario", "four-behaviours-self-check"):
            mine, theirs = first["activities"][activity_id], back[activity_id]
            for field in ("answers", "path", "place", "state", "responses", "scores"):
                if field not in mine:
                    continue
                if field == "answers":
                    assert {q: a["selected"] for q, a in theirs[field].items()} == \
                           {q: a["selected"] for q, a in mine[field].items()}
                else:
                    assert theirs[field] == mine[field], (activity_id, field)
            if "runs" in mine:
                assert [r["ending"] for r in theirs["runs"]] == [r["ending"] for r in mine["runs"]]
        for number, (qid, answer) in enumerate(first["activities"]["four-behaviours-check"]["answers"].items()):
            question = course.locator(".course-question").nth(number)
            checked = question.locator("input:checked").evaluate_all("inputs => inputs.map(i => +i.value)")
            assert sorted(checked) == answer["selected"], qid
        ending = first["activities"]["busy-shift-scenario"]["runs"][-1]["ending_title"]
        assert ending in course.locator(".course-activity[data-kind=scenario]").inner_text()
        assert "module-1-reflection" not in back  # private: not in the LMS's copy
        assert again.evaluate("API.cmi.core.lesson_status") == "passed"
    finally:
        context.close()


def no_sideways_scroll(frame):
    return frame.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_package_in_a_pop_up_finds_the_api_through_its_opener(lms_page):
    """In the Learning Hub's 1024x768 pop-up: the module shows with no sideways scroll and
    no axe-core violation, and finds the LMS's API through its opener."""
    page = lms_page
    course = launch(page, how="popup")
    course.set_viewport_size({"width": 1024, "height": 768})  # Playwright gives a pop-up the context's size
    assert course.evaluate("[innerWidth, innerHeight]") == [1024, 768]
    assert course.locator("h1").first.is_visible() and no_sideways_scroll(course)
    assert axe_violations(course) == []
    assert course.evaluate("window.parent === window && window.opener !== null")  # no frame: the opener has the API
    assert calls(page, "LMSInitialize")[0][2] == "true"
    answer_question(Keys(course), course, 1)
    page.wait_for_function("() => API.cmi.interactions.childArray.length === 1")
    assert page.evaluate("API.cmi.core.lesson_status") == "incomplete"
    assert page.evaluate("recorded()")["cmi"]["core"]["exit"] == "suspend"
    course.close(run_before_unload=True)
    page.wait_for_function("() => lmsCalls.some(c => c[0] === 'LMSFinish')")


def test_in_a_frame_axe_finds_nothing_answers_are_announced_and_320_px_needs_no_sideways_scroll(lms_page):
    """Moodle's way: the module in the LMS's 1024x768 frame passes axe-core (run on the
    frame's own document), a knowledge-check answer is announced in its live region, and in
    a frame 320 px wide the page needs no sideways scroll."""
    page = lms_page
    course = launch(page)
    frame = page.locator("#sco").element_handle().content_frame()
    assert frame.evaluate("innerWidth") == 1024 and no_sideways_scroll(frame)
    assert axe_violations(frame) == []
    status = course.locator(".course-question").first.locator("[role=status]")
    before = status.inner_text()
    answer_question(Keys(page), course, 1, wrong=True)
    assert "Not quite" in status.inner_text() and status.inner_text() != before
    page.evaluate("() => { document.getElementById('sco').width = 320; }")
    frame.wait_for_function("innerWidth === 320")
    assert no_sideways_scroll(frame)


def test_lms_failures_lose_nothing_and_the_work_is_sent_again(lms_page):
    page = lms_page
    course = launch(page)
    keys = Keys(page)
    notice = course.locator(".course-lms-notice")
    page.evaluate("faults.setValueFalse = true")
    first = answer_question(keys, course, 1)
    notice.filter(has_text="did not take your latest step").wait_for()
    page.evaluate("faults.setValueFalse = false; faults.commitThrows = true")
    answer_question(keys, course, 3)
    assert "did not take" in notice.inner_text()
    assert course.locator("[role=alert]").count() == 0  # the work is safe: no alarm
    stored = stored_record(course)["activities"]["four-behaviours-check"]["answers"]
    assert stored["definition"]["selected"] == first and len(stored) == 2
    page.evaluate("faults.commitThrows = false")
    answer_question(keys, course, 4)
    notice.wait_for(state="hidden")
    kept = page.evaluate("() => Object.keys(document.getElementById('sco').contentWindow.CourseScormRuntime"
                         ".decode(API.cmi.suspend_data, document.getElementById('sco').contentWindow.CourseScormBook)"
                         ".activities['four-behaviours-check'].answers)")
    assert len(kept) == 3
    ids = [i["id"] for i in page.evaluate("recorded()")["cmi"]["interactions"].values()]
    # The answers whose commit threw were taken by this LMS, so they are here twice (docs/lms.md says so).
    assert Counter(ids) == {"four_behaviours_check_definition": 2, "four_behaviours_check_myths": 2,
                            "four_behaviours_check_status_quo": 1}, ids


def test_outside_any_lms_the_page_works_from_the_browser_and_says_so_once(browser, lms):
    context, page = new_course_page(browser)
    try:
        page.goto(f"{lms}/module-01/01_why_compassion.html")
        page.locator(".course-activity[data-kind=knowledge_check] .course-box").wait_for()
        assert page.locator(".course-lms-notice").inner_text() == NOT_CONNECTED
        chosen = answer_question(Keys(page), page, 1)
        assert page.locator(".course-lms-notice").inner_text() == NOT_CONNECTED
        assert page.locator("[role=alert]").count() == 0
        page.reload()
        page.locator(".course-question input:checked").first.wait_for()
        checked = page.locator(".course-question").first.locator("input:checked")
        assert sorted(checked.evaluate_all("inputs => inputs.map(i => +i.value)")) == chosen
        assert page.course_log.console_errors == []
        page.set_viewport_size({"width": 320, "height": 640})  # a phone, with the notice showing
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert axe_violations(page) == []
    finally:
        context.close()


def test_whole_course_package_keeps_one_lms_session_across_its_pages(lms_page):
    """Moving from the course home to a module page and on: one LMSInitialize, the answers
    recorded, the session time counted from the launch, and one LMSFinish when it is left."""
    page = lms_page
    page.evaluate("launch('../whole-course/index.html', 'frame', null)")
    course = page.frame_locator("#sco").frame_locator("iframe")
    keys = Keys(page)
    course.locator("main a[href='01_why_compassion.html']").first.wait_for()
    keys.tab_to(course.locator("main a[href='01_why_compassion.html']").first)
    keys.press("Enter")
    course.locator(".course-activity[data-kind=knowledge_check] .course-box").wait_for()
    answer_question(keys, course, 1)
    keys.tab_to(course.locator("main a[href$='.html']").first)
    keys.press("Enter")
    page.wait_for_timeout(1000)
    assert [call[2] for call in calls(page, "LMSInitialize")] == ["true"]
    assert calls(page, "LMSFinish") == []
    recorded = page.evaluate("recorded()")["cmi"]
    assert [i["id"] for i in recorded["interactions"].values()] == ["four_behaviours_check_definition"]
    assert recorded["core"]["lesson_status"] == "incomplete" and recorded["core"]["exit"] == "suspend"
    page.evaluate("() => { document.getElementById('sco').src = 'about:blank'; }")
    page.wait_for_function("() => lmsCalls.some(c => c[0] === 'LMSFinish')")
    assert len(calls(page, "LMSFinish")) == 1
    assert page.course_log.console_errors == []


def test_work_the_lms_did_not_take_is_sent_at_the_next_launch_without_a_step(lms_page):
    """The LMS refused the learner's last step and they left: launched again in the same
    browser, the page sends that work at once."""
    page = lms_page
    course = launch(page)
    page.evaluate("faults.setValueFalse = true")
    answer_question(Keys(page), course, 1)
    page.evaluate("() => { document.getElementById('sco').src = 'about:blank'; }")
    page.wait_for_function("() => lmsCalls.some(c => c[0] === 'LMSFinish')")
    kept = page.evaluate("recorded()")["cmi"]
    assert kept["interactions"] == {} and "four-behaviours" not in kept["suspend_data"]
    page.evaluate("faults.setValueFalse = false")
    launch(page, cmi={"suspend_data": kept["suspend_data"], "core": {"lesson_status": kept["core"]["lesson_status"]}})
    page.wait_for_function("() => API.cmi.interactions.childArray.length === 1")
    assert [i["id"] for i in page.evaluate("recorded()")["cmi"]["interactions"].values()] == \
        ["four_behaviours_check_definition"]
