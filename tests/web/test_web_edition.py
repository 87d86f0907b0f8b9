"""The web edition in a real Chromium, served from a sub-path by python -m http.server:
every page passes axe-core at 1280 and 320 px with no sideways scroll and no request to
another host; a module works by keyboard alone with the Voila components' focus moves and
announcements; the record travels between Voila and the web edition; a damaged stored
record gives back its valid entries; the build refuses content that fails the check."""

import html
import json
import re
from datetime import datetime, timedelta
import shutil

import pytest
from playwright.sync_api import expect

from leadership_course.content import find_content_dir, load_activity, load_course
from leadership_course.record import LearnerRecord
from leadership_course.record_check import check_record, newest_time, spoken_time

MODULE = "01_why_compassion.html"
CHECK_ID = "four-behaviours-check"
SCENARIO_ID = "busy-shift-scenario"
REFLECTION_ID = "module-1-reflection"
SELF_CHECK_ID = "four-behaviours-self-check"
STORAGE_KEY = "compassionate-leadership-record"
TIMEOUT_MS = 10_000


def words(markdown_text, count=8):
    plain = re.sub(r"[*_`#>\[\]]", "", markdown_text)
    return " ".join(plain.split()[:count])


def wait_for_focus(page, locator, what):
    handle = locator.element_handle(timeout=TIMEOUT_MS)
    try:
        page.wait_for_function("element => element === document.activeElement", arg=handle, timeout=TIMEOUT_MS)
    except Exception:
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"{what}: the focus is on {focused}") from None


def stored(page):
    return json.loads(page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')"))


def all_pages():
    course = load_course()
    return (["course_home.html"] + [m["notebook"].replace(".ipynb", ".html") for m in course["modules"] if m.get("notebook")]
            + ["glossary.html", "bibliography.html"])


@pytest.mark.parametrize("width", [1280, 320])
def test_every_page_passes_axe_with_no_sideways_scroll_and_no_other_host(web_site, web_page, axe, width):
    """Does every page of the web edition, served from a sub-path, draw its activities with
    no script error, make no request to another host, pass axe-core and (at 320 px) need no
    sideways scroll?"""
    page = web_page
    page.set_viewport_size({"width": width, "height": 800})
    problems = []
    for name in all_pages():
        page.goto(web_site.url(name))
        slots = page.locator(".course-activity")
        drawn = page.locator(".course-activity > .course-box:not(.course-notice)")
        if slots.count() != drawn.count():
            problems.append(f"{name}: {drawn.count()} of {slots.count()} activities drawn")
        problems += [f"{name}: axe: {v}" for v in axe(page)]
        wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wide > 0:
            problems.append(f"{name}: {wide} px of sideways scroll at {width} px")
    problems += [f"script error: {e}" for e in page.course_log.console_errors]
    problems += [f"request to another host: {u}" for u in page.blocked + page.course_log.external_requests]
    assert not problems, "\n".join(problems)
    assert "/nhs/learning/course/" in page.url


def test_a_module_with_the_keyboard_alone(web_site, web_page, keys_for, axe):
    """Can a learner answer a question wrong, Try again and answer it right; walk the scenario
    to an ending and use Back; write a reflection; and show their self-check results, by
    keyboard alone, hearing each result in a role="status" region, with the focus where the
    Voila components put it, and every step saved in the browser's record and reported to a
    host page ("course:saved", then "course:leaving" when the page is left)?"""
    page = web_page
    keys = keys_for(page)
    page.add_init_script("window.savedEvents = []; window.addEventListener('course:saved', e => savedEvents.push(e.detail));"
                         "window.addEventListener('course:leaving', () => sessionStorage.setItem('left', 'yes'));")
    page.goto(web_site.url(MODULE))

    # A knowledge-check question: wrong, Try again, right.
    check = load_activity(CHECK_ID, "knowledge_check")
    question = check["questions"][0]
    right = next(i for i, o in enumerate(question["options"]) if o["correct"])
    wrong = next(i for i, o in enumerate(question["options"]) if not o["correct"])
    view = page.locator(".course-knowledge-check .course-question").first
    radios = view.locator("input[type='radio']")
    shown = [int(v) for v in radios.evaluate_all("els => els.map(e => e.value)")]
    status = view.locator("[role='status']")

    def choose(number):
        if not view.locator("input:focus").count():
            keys.tab_to(radios.first)
        current = shown.index(int(page.evaluate("() => document.activeElement.value")))
        place = shown.index(number)
        for _ in range(abs(place - current)):
            keys.press("ArrowDown" if place > current else "ArrowUp")
        keys.press("Space")
        expect(radios.nth(place)).to_be_checked()

    choose(wrong)
    keys.tab_to(view.get_by_role("button", name="Check answer"))
    keys.press("Enter")
    expect(status).to_contain_text("Not quite")
    expect(status).to_contain_text(words(question["options"][wrong]["feedback"]))
    try_again = view.get_by_role("button", name="Try again")
    wait_for_focus(page, try_again, "after a wrong answer")
    keys.press("Enter")
    expect(status).to_contain_text("Have another go")
    wait_for_focus(page, radios.first, "after Try again")
    choose(right)
    keys.tab_to(view.get_by_role("button", name="Check answer"))
    keys.press("Enter")
    expect(status).to_contain_text("Correct")
    expect(try_again).to_be_hidden()
    wait_for_focus(page, radios.nth(shown.index(right)), "after a right answer")
    expect(page.locator(".course-knowledge-check .course-score")).to_contain_text("Your score: 1 of")
    answer = stored(page)["activities"][CHECK_ID]["answers"][question["id"]]
    assert answer["selected"] == [right] and answer["correct"] is True and answer["attempts"] == 2
    detail = page.evaluate("() => savedEvents[savedEvents.length - 1]")
    assert detail["moduleId"] == 1 and detail["record"]["activities"][CHECK_ID]["answers"][question["id"]] == answer
    assert detail["knowledgeScore"] == {"raw": 1, "min": 0, "max": len(check["questions"])}
    assert detail["interactions"] == [{"id": f"{CHECK_ID}.{question['id']}", "type": "choice",
                                       "response": chr(ord("a") + right), "result": "correct"}]
    assert detail["progress"]["total"] == len(load_course()["modules"][1]["activities"])
    assert detail["progress"]["complete"] is False

    # The scenario: arrow keys between choices; each step announced and its heading focused.
    scenario = load_activity(SCENARIO_ID, "scenario")
    box = page.locator(".course-scenario")
    consequence = box.locator("[role='status'].course-feedback")
    announcer = box.locator("[role='status'].course-unseen")
    heading = box.locator(".course-focusable-html h4").first
    buttons = box.locator("button.course-choice-button")
    keys.tab_to(buttons.first)
    keys.press("ArrowDown")
    assert keys.is_focused(buttons.nth(1)), f"ArrowDown went to {keys.focused}"
    keys.press("ArrowUp")
    number = 1
    while box.locator("button.course-choice-button").count():
        expect(heading).to_have_text(f"Step {number}")
        keys.tab_to(box.locator("button.course-choice-button").first)
        keys.press("Enter")
        expect(consequence).to_contain_text("What happens next")
        number += 1
        if box.locator("button.course-choice-button").count():
            expect(announcer).to_contain_text(f"Step {number}.")
            wait_for_focus(page, heading, f"after the choice at step {number - 1}")
    ending = box.locator(".course-focusable-html h4").first
    expect(ending).to_contain_text("Ending:")
    expect(announcer).to_contain_text("Ending:")
    wait_for_focus(page, ending, "at the ending")
    saved = stored(page)["activities"][SCENARIO_ID]
    assert saved["runs"] and saved["runs"][-1]["ending"] in scenario["endings"] and saved["completed"] is True
    problems = axe(page)
    assert not problems, "axe, at the ending:\n" + "\n".join(problems)
    keys.tab_to(box.get_by_role("button", name="Back"))
    keys.press("Space")
    expect(consequence).to_contain_text("You went back one step")
    expect(heading).to_have_text(f"Step {number - 1}")
    wait_for_focus(page, heading, "after Back")

    # A reflection: saved when the learner leaves the box, and said so.
    reflection = page.locator(".course-reflection").first
    keys.tab_to(reflection.locator("textarea"))
    page.keyboard.type("Stop and listen at handover.")
    keys.press("Tab")
    expect(reflection.locator("[role='status']")).to_contain_text("Saved automatically at")
    entry = stored(page)["activities"][REFLECTION_ID]
    assert entry["text"] == "Stop and listen at handover." and entry["completed"] is True

    # The self-check: every statement by keyboard, then the chart with its text equivalent.
    self_check = load_activity(SELF_CHECK_ID, "self_check")
    card = page.locator(".course-self-check")
    groups = card.locator("fieldset")
    for n in range(groups.count()):
        keys.tab_to(groups.nth(n).locator("input").first)
        keys.press("ArrowRight")  # arrows in a radio group choose: the second point of the scale
        keys.press("ArrowLeft")   # and back to the first, by keyboard alone
    keys.tab_to(card.get_by_role("button", name="Show my results"))
    keys.press("Enter")
    expect(card.locator("[role='status']").first).to_contain_text("Your results are below")
    chart = card.locator("svg[role='img']")
    expect(chart).to_have_count(1)
    name = chart.evaluate("svg => svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent).join(' ')")
    assert all(d["label"] in name for d in self_check["dimensions"]), name
    expect(card.locator("table caption")).to_contain_text("Your average for each area")
    entry = stored(page)["activities"][SELF_CHECK_ID]
    assert entry["completed"] is True and entry["results_shown"] is True and len(entry["scores"]) == len(self_check["dimensions"])
    problems = axe(page)
    assert not problems, "axe, after every activity:\n" + "\n".join(problems)
    assert not page.course_log.console_errors and not page.blocked
    page.goto(web_site.url("glossary.html"))
    assert page.evaluate("() => sessionStorage.getItem('left')") == "yes"


def test_a_record_from_voila_continues_on_the_web_and_back(web_site, web_page, tmp_path):
    """Does a record made by the Python course (Voila's components) continue in the web
    edition through "Continue from a saved record", saying first (as Voila does) which
    modules it covers and when it was last saved, then showing its answers and scenario
    position; and does the record the web edition downloads pass record_check and merge
    back into the Python record, the newer web work winning?"""
    from leadership_course.components.knowledge_check import KnowledgeCheck
    from leadership_course.components.scenario import Scenario

    learner = LearnerRecord(tmp_path / "record")
    check = KnowledgeCheck(load_activity(CHECK_ID, "knowledge_check"), learner)
    question = check.activity["questions"][0]
    right = next(i for i, o in enumerate(question["options"]) if o["correct"])
    check.views[0].select([right])
    check.views[0].check()
    scenario = Scenario(load_activity(SCENARIO_ID, "scenario"), learner)
    scenario.pick(scenario.visible_choices()[0][0])
    made = json.loads(learner.path.read_text(encoding="utf-8"))
    for entry in made["activities"].values():  # saved an hour ago, so the web's next step is newer
        entry["updated"] = (datetime.fromisoformat(entry["updated"]) - timedelta(hours=1)).isoformat()
    learner.path.write_text(json.dumps(made), encoding="utf-8")
    voila_file = tmp_path / "from-voila.json"
    voila_file.write_bytes(learner.path.read_bytes())

    page = web_page
    page.goto(web_site.url("course_home.html"))
    expect(page.locator(".course-tag").nth(1)).to_have_text("Not started")
    page.set_input_files("#course-continue-file", str(voila_file))
    status = page.locator(".course-continue [role='status']")
    expect(status).to_contain_text("from-voila.json was checked")
    expect(page.locator(".course-decision")).to_contain_text("2 activities will be added")
    newest = spoken_time(newest_time(check_record(voila_file.read_bytes()).record))  # what Voila says
    expect(page.locator(".course-decision")).to_contain_text(
        f"It holds work on 2 activities in module 1, last saved on {newest}.")
    assert page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')") is None, "nothing changes before the learner confirms"
    page.get_by_role("button", name="Continue with this record").click()
    expect(status).to_contain_text("Your course now includes the work from from-voila.json")
    expect(page.locator("#course-continue-file")).to_be_focused()
    expect(page.locator(".course-tag").nth(1)).to_have_text("In progress")

    page.goto(web_site.url(MODULE))
    status = page.locator(".course-knowledge-check .course-question").first.locator("[role='status']")
    expect(status).to_contain_text("Correct")
    box = page.locator(".course-scenario")
    expect(box.locator(".course-focusable-html h4").first).to_have_text("Step 2")
    box.locator("button.course-choice-button").first.click()
    expect(box.locator(".course-focusable-html h4").first).to_have_text("Step 3")

    page.goto(web_site.url("course_home.html"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my raw record (JSON)").click()
    raw = download.value.path().read_bytes()
    assert check_record(raw).clean, "the web edition's record reads as a clean course record"
    checked, plan = learner.merge_file(raw, "the web edition")
    assert SCENARIO_ID in plan.replaced and CHECK_ID in plan.same, plan
    back = Scenario(load_activity(SCENARIO_ID, "scenario"), learner)
    assert len(back.path) == 2 and back.body.value.startswith("<h4>Step 3</h4>")


def test_a_damaged_stored_record_gives_back_every_valid_entry(web_site, web_page, tmp_path):
    """When the record kept in the browser is cut off part way, does the page keep every
    activity still readable (the same ones record_check.py keeps), tell the learner plainly,
    keep the damaged text in the browser, and carry on saving?"""
    folder = tmp_path / "record"
    record = LearnerRecord(folder)
    record.update(CHECK_ID, {"type": "knowledge_check", "title": "Check", "module": 1, "answers": {}, "score": 0, "out_of": 3})
    record.update(REFLECTION_ID, {"type": "reflection", "kind": "reflection", "title": "Reflection", "module": 1,
                                  "prompt": "p", "text": "Kept safe.", "saved_at": "2026-12-01T10:00:00+00:00",
                                  "completed": True})
    record.update(SCENARIO_ID, {"type": "scenario", "title": "Shift", "module": 1, "path": [], "runs": []})
    text = record.path.read_text(encoding="utf-8")
    damaged = text[: text.index(f'"{SCENARIO_ID}"') + 40]
    expected = check_record(damaged.encode("utf-8"))
    assert set(expected.record["activities"]) == {CHECK_ID, REFLECTION_ID}

    page = web_page
    page.goto(web_site.url("glossary.html"))
    page.evaluate("([key, text]) => localStorage.setItem(key, text)", [STORAGE_KEY, damaged])
    page.goto(web_site.url(MODULE))
    expect(page.get_by_role("alert")).to_contain_text("Some of your saved work was damaged, so it was repaired")
    expect(page.locator(".course-reflection textarea").first).to_have_value("Kept safe.")
    kept = stored(page)
    assert set(kept["activities"]) >= {CHECK_ID, REFLECTION_ID}
    assert any(item.get("activity") == SCENARIO_ID for item in kept["set_aside"]), kept["set_aside"]
    copies = page.evaluate(f"() => Object.keys(localStorage).filter(k => k.startsWith('{STORAGE_KEY}.damaged-'))")
    assert len(copies) == 1
    assert page.evaluate("key => localStorage.getItem(key)", copies[0]) == damaged
    assert check_record(json.dumps(kept).encode()).clean


def test_build_refuses_content_that_fails_the_check(tmp_path, capsys):
    """Does build-web refuse to build, naming the file and field, when a content file has a problem?"""
    from leadership_course.__main__ import main

    modules = tmp_path / "modules"
    shutil.copytree(find_content_dir().parent, modules, ignore=shutil.ignore_patterns(".prepared", ".ipynb_checkpoints"))
    broken = modules / "content" / f"{CHECK_ID}.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    assert main(["build-web", str(tmp_path / "out"), "--content", str(modules / "content")]) == 1
    assert f"{CHECK_ID}.yaml" in capsys.readouterr().out
    assert not (tmp_path / "out" / MODULE).exists()


def test_build_refuses_a_code_cell_it_cannot_read(tmp_path):
    """Does the build stop, naming the notebook, rather than leave out an activity written in
    a way it cannot read?"""
    from leadership_course.content import ContentError
    from leadership_course.web.build import build_site

    modules = tmp_path / "modules"
    shutil.copytree(find_content_dir().parent, modules, ignore=shutil.ignore_patterns(".prepared", ".ipynb_checkpoints"))
    notebook = modules / "01_why_compassion.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in cells["cells"] if c["cell_type"] == "code" and "show_scenario" in "".join(c["source"]))
    cell["source"] = "name = 'busy-shift-scenario'\nshow_scenario(name)"
    notebook.write_text(json.dumps(cells), encoding="utf-8")
    with pytest.raises(ContentError, match="01_why_compassion.ipynb"):
        build_site(tmp_path / "out", modules / "content")


def test_one_module_stands_alone(tmp_path):
    """Does build_module_site write one module page whose links to the rest of the course are
    plain text, with the glossary and bibliography it links to, and the host's scripts loaded
    after the rules and the record and before the page is drawn (so window.CourseHost is there)?"""
    from leadership_course.web.build import build_module_site

    host = tmp_path / "host.js"
    host.write_text("window.CourseHost = {loadRecord: () => null};", encoding="utf-8")
    page = build_module_site(1, tmp_path / "package", extra_scripts=[host])
    text = page.read_text(encoding="utf-8")
    links = set(re.findall(r"""href=['"]([^'"#]+)""", text))
    local = {link for link in links if not link.startswith("https://") and not link.startswith("data:")}
    assert local <= {"static/course.css", "static/web.css", "glossary.html", "bibliography.html"}, local
    assert text.index("static/record.js") < text.index("static/host.js") < text.index("static/ui.js")
    assert (tmp_path / "package" / "glossary.html").is_file() and (tmp_path / "package" / "static" / "host.js").is_file()
    assert not (tmp_path / "package" / "course_home.html").exists()


def test_a_plan_the_pledges_and_the_journal(web_site, web_page):
    """Is each part of a plan saved as its own reflection when the learner leaves its box;
    does the final module list the pledges made in other modules; and does the journal
    download hold them, with the learner's text escaped?"""
    page = web_page
    page.goto(web_site.url(MODULE))
    pledge = page.locator(".course-reflection", has=page.get_by_role("heading", name="My pledge", exact=True))
    pledge.locator("textarea").fill("Ask <b>how</b> people are, and listen.")
    pledge.locator("textarea").press("Tab")
    expect(pledge.locator("[role='status']")).to_contain_text("Saved automatically at")

    page.goto(web_site.url("09_sustaining_yourself.html"))
    plan = page.locator(".course-plan")
    plan.locator("textarea").first.fill("Walk at lunch.")
    plan.locator("textarea").first.press("Tab")
    expect(plan.locator("[role='status']")).to_contain_text("Part 1 saved at")
    part = load_activity("sustainability-plan", "plan")["parts"][0]["reflection"]
    assert stored(page)["activities"][part]["text"] == "Walk at lunch."
    pledges = page.locator(".course-pledges")
    expect(pledges).to_contain_text("Ask <b>how</b> people are, and listen.")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my journal (web page)").click()
    journal = download.value.path().read_text(encoding="utf-8")
    assert "Ask &lt;b&gt;how&lt;/b&gt; people are, and listen." in journal and "Walk at lunch." in journal
    assert "<b>how" not in journal
    # The page's own download is the Python course's journal of the same record (test_journal_parity.py covers more).
    from leadership_course.journal import journal_html

    created = re.search(r"<p>Made on (.*?)\. It holds", journal).group(1)
    assert journal == journal_html(stored(page), load_course(), html.unescape(created))


def test_work_kept_aside_comes_back(web_site, web_page, tmp_path):
    """When a chosen record holds older work than the browser's, is that work kept aside,
    listed under "Work kept aside", and brought back by keyboard, the newer work being kept
    aside in its turn?"""
    from leadership_course.components.scenario import Scenario

    older = LearnerRecord(tmp_path / "record")
    Scenario(load_activity(SCENARIO_ID, "scenario"), older).pick(0)
    chosen = tmp_path / "older.json"
    chosen.write_bytes(older.path.read_bytes())

    page = web_page
    page.goto(web_site.url(MODULE))
    box = page.locator(".course-scenario")
    box.locator("button.course-choice-button").nth(1).click()
    box.locator("button.course-choice-button").first.click()
    expect(box.locator(".course-focusable-html h4").first).to_have_text("Step 3")

    page.goto(web_site.url("course_home.html"))
    page.set_input_files("#course-continue-file", str(chosen))
    expect(page.locator(".course-decision")).to_contain_text("newer here and stay as they are")
    page.get_by_role("button", name="Continue with this record").click()
    kept = page.locator("#course-kept-aside")
    expect(kept).to_contain_text("an older entry from older.json")
    kept.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".course-continue [role='status']")).to_contain_text("was brought back")
    entry = stored(page)["activities"][SCENARIO_ID]
    assert [step["choice"] for step in entry["path"]] == [0]
    assert any(i.get("reason") == "replaced when you brought back an earlier entry" for i in stored(page)["set_aside"])
    page.goto(web_site.url(MODULE))
    expect(page.locator(".course-scenario .course-focusable-html h4").first).to_have_text("Step 2")


def test_option_order_stays_the_same_for_a_learner_across_reloads(web_site, web_page):
    """Are a question's options shown in the same shuffled order after a reload and a new
    visit in one browser, in another order for another learner (another browser's number),
    with True and False in their own order? (Why the web edition cannot take Voila's order:
    docs/web-edition.md.)"""
    page = web_page
    questions = load_activity(CHECK_ID, "knowledge_check")["questions"]

    def shown():
        page.locator(".course-knowledge-check .course-question").first.wait_for()
        return page.locator(".course-knowledge-check .course-question").evaluate_all(
            "qs => qs.map(q => [...q.querySelectorAll('input')].map(i => +i.value))")

    page.goto(web_site.url(MODULE))
    first = shown()
    seed = page.evaluate("() => localStorage.getItem('compassionate-leadership-order')")
    assert seed and seed.isdigit(), "the browser keeps its own number for the order"
    assert [sorted(order) for order in first] == [list(range(len(q["options"]))) for q in questions]
    for question, order in zip(questions, first):
        if question["kind"] == "true_false":
            assert order == [0, 1], question["id"]
    page.reload()
    assert shown() == first
    page.goto(web_site.url("glossary.html"))
    page.goto(web_site.url(MODULE))
    assert shown() == first

    orders = []
    for learner in ("learner-a", "learner-b"):
        page.evaluate("seed => localStorage.setItem('compassionate-leadership-order', seed)", learner)
        page.reload()
        orders.append(shown())
    assert orders[0] != orders[1], "two learners see the options of some question in different orders"
    assert any(order != sorted(order) for order in orders[0]), "the options are shuffled"


def test_a_chosen_record_with_a_damaged_entry_says_which_before_anything_changes(web_site, web_page, tmp_path):
    """Does the preview of a chosen record name the damaged entry and why, as Voila's does
    (record_check's reason), and say the rest can be used?"""
    record = LearnerRecord(tmp_path / "record")
    record.update(REFLECTION_ID, {"type": "reflection", "kind": "reflection", "title": "Reflection", "module": 1,
                                  "prompt": "p", "text": "Kept safe.", "saved_at": "2026-12-01T10:00:00+00:00",
                                  "completed": True})
    data = json.loads(record.path.read_text(encoding="utf-8"))
    data["activities"][SCENARIO_ID] = ["not", "an", "entry"]
    chosen = tmp_path / "damaged.json"
    chosen.write_text(json.dumps(data), encoding="utf-8")
    reason = next(item["reason"] for item in check_record(chosen.read_bytes(), chosen=True).damaged)

    page = web_page
    page.goto(web_site.url("course_home.html"))
    page.set_input_files("#course-continue-file", str(chosen))
    decision = page.locator(".course-decision")
    expect(decision).to_contain_text("It holds work on 1 activity in module 1")
    expect(decision).to_contain_text(f"Part of it is damaged: {SCENARIO_ID} ({reason}). Everything else in it can be used")
