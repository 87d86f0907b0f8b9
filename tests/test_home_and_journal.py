"""Course home and journal: progress from the record, learner text escaped, downloads built in."""

import base64
import json
import re
from pathlib import Path

from leadership_course import course_home, journal_download, reflection, where_saved
from leadership_course.page_sections import activity_sections
from leadership_course.content import load_course
from leadership_course.journal import journal_html


def task(page, number):
    """The task-list item of one module on the course home."""
    found = re.search(rf"<li class='course-task'>(?:(?!</li>).)*id='course-module-{number}-hint'.*?</li>", page)
    assert found, f"no task-list item for module {number}"
    return found.group(0)


def status(page, number):
    return re.search(r"<strong class='course-tag [^']+'>([^<]+)</strong>", task(page, number)).group(1)


def resume(page):
    return re.search(r"<div class='course-resume[^']*'>(.*?)</div>", page).group(1)


def test_the_course_map_is_a_task_list_with_each_status_read_with_its_link(learner):
    """Is the map a list of modules, each named by a link that is described by its hint and
    its status tag (so a screen reader hears the status with the link), with the module's
    time?"""
    page = course_home().map.value
    assert "<table" not in page and page.count("<ul class='course-task-list'>") == 1
    item = task(page, 1)
    assert ("<a class='course-task-link' href='01_test_module.ipynb' "
            "aria-describedby='course-module-1-hint course-module-1-status'>Module 1: A test module</a>") in item
    assert "id='course-module-1-status'><strong class='course-tag course-tag-todo'>Not started</strong>" in item
    assert "About 20 minutes. 0 of 4 activities done." in item


def test_module_without_notebook_is_coming_soon(learner):
    """Is a module with no notebook yet listed as coming soon, with no link?"""
    page = course_home().map.value
    assert status(page, 2) == "Coming soon" and "<a" not in task(page, 2)
    assert "Module 2: A module still being written" in task(page, 2)


def test_home_for_a_learner_who_has_done_nothing(learner):
    """With nothing saved: every module 'Not started', and 'Start the course' linking to the
    top of the first module's page?"""
    page = course_home().map.value
    assert status(page, 1) == "Not started"
    assert resume(page) == "<h2>Start the course</h2><p><a href='01_test_module.ipynb'>Module 1: A test module</a></p>"
    assert "Done:" not in page


def test_home_for_a_learner_part_way_through_a_module(learner):
    """With the first activity done and a later one begun: 'In progress', which activities
    are done and still to do, and 'Continue where you left off' linking to the section of
    the page that holds the next unfinished activity (the scenario, begun, not finished)?"""
    learner.update("sample-check", {"completed": True})
    learner.update("sample-reflection", {"type": "reflection", "text": "Half written", "completed": False})
    page = course_home().map.value
    assert status(page, 1) == "In progress"
    assert "1 of 4 activities done. Done: Sample check. Still to do: Sample scenario; " in task(page, 1)
    assert resume(page) == ("<h2>Continue where you left off</h2><p>Next: <a href='01_test_module.ipynb"
                            "#A-busy-day:-the-scenario'>Sample scenario</a>, in Module 1: A test module.</p>")


def test_a_module_with_only_unfinished_work_is_in_progress(learner):
    """Is a module with work saved but nothing finished shown as in progress, not 'Not started'?"""
    learner.update("sample-scenario", {"type": "scenario", "path": [{"node": "first", "choice": 0}],
                                       "completed": False})
    page = course_home().map.value
    assert status(page, 1) == "In progress" and "Not started" not in page


def test_home_for_a_learner_who_has_done_everything(learner):
    """With every activity complete: 'Complete', and the home says the course is finished?"""
    for activity_id in ("sample-check", "sample-scenario", "sample-self-check", "sample-reflection"):
        learner.update(activity_id, {"completed": True})
    page = course_home().map.value
    assert status(page, 1) == "Complete" and "4 of 4 activities done." in task(page, 1)
    assert "You have finished the course" in resume(page)
    assert "Continue where you left off" not in page and "Still to do" not in page


def test_the_continue_link_names_an_anchor_the_page_has(content_dir):
    """Is the section found for each activity of the test module the id nbconvert gives its
    heading (with Markdown, a colon and an apostrophe), and a plan's parts in the plan's?"""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    sections = activity_sections(content_dir.parent / "01_test_module.ipynb")
    rendered = {re.search(r'id="([^"]+)"', markdown2html_mistune(f"## {h}")).group(1)
                for h in ["Check what you know", "A `busy` day: the scenario", "Your team's self-check",
                          "What you will do next?"]}
    assert set(sections.values()) == rendered
    assert sections["sample-scenario"] == "A-busy-day:-the-scenario"
    assert sections["sample-plan-first"] == sections["sample-plan"] == sections["sample-reflection"]


def test_every_activity_of_every_course_module_has_a_section_anchor_as_voila_makes_it():
    """For every module page of the course: is each of its activities under a section
    heading, and is the anchor worked out for it the id nbconvert (and so Voila's page and
    its "On this page" list) gives that heading?"""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    modules = Path(__file__).parents[1] / "modules"
    for module in load_course(modules / "content")["modules"]:
        if not module.get("notebook"):
            continue
        notebook = json.loads((modules / module["notebook"]).read_text())
        headings = [line[3:] for cell in notebook["cells"] if cell["cell_type"] == "markdown"
                    for line in "".join(cell["source"]).splitlines() if line.startswith("## ")]
        ids = {re.search(r'id="([^"]+)"', markdown2html_mistune(f"## {h}")).group(1) for h in headings}
        sections = activity_sections(modules / module["notebook"])
        for activity_id in module["activities"]:
            assert sections.get(activity_id) in ids, f"{module['notebook']}: {activity_id} has no section anchor"


def test_journal_escapes_learner_text(learner):
    """Is HTML or script typed into a reflection shown as text in the journal?"""
    reflection("sample-reflection").box.value = "<script>alert('x')</script> & <b>bold</b>"
    from leadership_course.content import load_course

    page = journal_html(learner.read(), load_course(), "today")
    assert "<script>" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_download_links_carry_the_journal_and_record(learner):
    """Do the download links hold the journal page and the raw JSON record?"""
    reflection("sample-reflection").box.value = "My pledge text"
    view = journal_download()
    links = dict(re.findall(r"download='([^']+)' href='data:[^;]+;charset=utf-8;base64,([^']+)'", view.links.value))
    assert len(links) == 2
    html_name = next(n for n in links if n.endswith(".html"))
    json_name = next(n for n in links if n.endswith(".json"))
    assert "My pledge text" in base64.b64decode(links[html_name]).decode()
    assert '"sample-reflection"' in base64.b64decode(links[json_name]).decode()


def test_journal_update_picks_up_new_work(learner):
    """Does Add my latest work put work done after the links were made into the journal?"""
    view = journal_download()
    reflection("sample-reflection").box.value = "Later text"
    view.refresh()
    decoded = [base64.b64decode(d).decode() for d in re.findall(r"base64,([^']+)'", view.links.value)]
    assert any("Later text" in d for d in decoded)
    assert "now hold all your saved work" in view.status.text


def test_where_saved_names_the_file(learner):
    """Does the saving note show the record's full path and say nothing leaves the machine?"""
    text = where_saved().children[-1].value
    assert str(learner.path) in text and "Nothing is sent anywhere else" in text


def test_a_module_whose_page_was_opened_is_in_progress(learner):
    """Is a module whose page was opened, with nothing saved in it, 'In progress', and does
    the home then say 'Continue where you left off'?"""
    from leadership_course import show_reflection

    assert status(course_home().map.value, 1) == "Not started"
    show_reflection("sample-reflection")  # what the module page does when it is shown
    assert learner.read()["activities"] == {}
    assert list(learner.read()["pages_opened"]) == ["01_test_module.ipynb"]
    page = course_home().map.value
    assert status(page, 1) == "In progress" and "0 of 4 activities done." in task(page, 1)
    assert "Continue where you left off" in page and "Next: <a href='01_test_module.ipynb#Check-what-you-know'>" in page


def test_journal_lists_each_ending_once_in_the_pages_words(learner):
    """Is an ending reached three times listed once, with how often, and its outcome in the
    page's words ('a positive ending')?"""
    run = {"ending": "good", "ending_title": "Good end", "outcome": "positive"}
    learner.update("sample-scenario", {"type": "scenario", "title": "Sample scenario", "module": 1,
                                       "runs": [run, dict(run), {**run, "ending_title": "Hard end",
                                                                 "outcome": "difficult"}, dict(run)]})
    page = journal_html(learner.read(), load_course(), "today")
    assert page.count("Good end") == 1
    assert "<li>Good end (a positive ending), 3 times</li><li>Hard end (a difficult ending)</li>" in page


def test_journal_self_check_has_a_chart_with_a_scale_and_the_pages_rounding(learner):
    """Does the journal show the self-check as a chart read as text (with its scale) and a
    table, each with one decimal place as on the page (1.7, not 1.67)?"""
    learner.update("sample-self-check", {"type": "self_check", "title": "Sample self-check", "module": 1,
                                         "scores": {"noticing": 1.67}, "labels": {"noticing": "Noticing"},
                                         "scale_top": 4, "completed": True})
    page = journal_html(learner.read(), load_course(), "today")
    assert "1.67" not in page and "<td>1.7</td>" in page
    assert ("role='img' aria-label='Bar chart of your average for each area, on a scale of 1 to 4: "
            "Noticing 1.7.'") in page
    assert "style='width:41.8%'" in page  # 1.67 of 4
    assert "<div class='bar-scale'><span>0</span><span>1</span><span>2</span><span>3</span><span>4</span></div>" in page


def test_continue_points_past_the_modules_finished_to_the_next_one_not_begun(learner):
    """A learner who did modules 3 and 4 first: does the home say "Continue where you left
    off" with module 5 (not "Start the course" with module 0), and a module in progress
    before anything else?"""
    from leadership_course.components.course_home import resume_html

    course = {"modules": [{"number": n, "title": f"Module {n} title", "notebook": f"0{n}_m.ipynb",
                           "activities": [f"activity-{n}"]} for n in range(7)]}
    done = {"completed": True, "updated": "2026-12-01T09:00:00+00:00"}
    record = {"activities": {"activity-3": done, "activity-4": done}, "pages_opened": {}}
    shown = resume_html(course, record)
    assert shown.startswith("<div class='course-resume course-returning'><h2>Continue where you left off</h2>")
    assert "Next: <a href='05_m.ipynb'>Module 5: Module 5 title</a>." in shown
    record["pages_opened"] = {"01_m.ipynb": "2026-12-01T09:00:00+00:00"}
    assert "Next: <a href='01_m.ipynb'>activity-1</a>, in Module 1: Module 1 title." in resume_html(course, record)
