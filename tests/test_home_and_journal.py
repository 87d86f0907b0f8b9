"""Course home and journal: progress from the record, learner text escaped, downloads built in."""

import base64
import re

from leadership_course import course_home, journal_download, reflection, where_saved
from leadership_course.journal import journal_html


def test_home_shows_progress_from_the_record(learner):
    """Does the course map show each module's time and how many activities are done?"""
    assert "Not started (0 of 4 activities)" in course_home().map.value
    reflection("sample-reflection").box.value = "Done."
    page = course_home().map.value
    assert "In progress (1 of 4 activities)" in page and "20 minutes" in page


def test_module_without_notebook_is_coming_soon(learner):
    """Is a module with no notebook yet listed as coming soon, with no link?"""
    page = course_home().map.value
    assert "<td>2</td><td>A module still being written<span" in page
    assert page.count("Coming soon") == 1 and "href='02" not in page


def test_home_for_a_learner_who_has_done_nothing(learner):
    """With nothing saved: every module 'Not started', and a 'Start the course' link to
    the first module?"""
    page = course_home().map.value
    assert "<h2>Start the course</h2><p><a href='01_test_module.ipynb'>Module 1: A test module</a>.</p>" in page
    assert "Done:" not in page


def test_home_for_a_learner_part_way_through_a_module(learner):
    """With one activity done and another begun: 'In progress', which activities are done
    and still to do, and 'Continue where you left off' naming the next one?"""
    reflection("sample-reflection").box.value = "Done."
    learner.update("sample-scenario", {"type": "scenario", "path": [{"node": "first", "choice": 0}],
                                       "completed": False})
    page = course_home().map.value
    assert "In progress (1 of 4 activities)" in page
    assert "Done: Sample reflection." in page
    assert "Still to do: " in page and "Continue where you left off" in page
    assert "Next: " in page and "href='01_test_module.ipynb'" in page


def test_a_module_with_only_unfinished_work_is_in_progress(learner):
    """Is a module with work saved but nothing finished shown as in progress, not 'Not started'?"""
    learner.update("sample-scenario", {"type": "scenario", "path": [{"node": "first", "choice": 0}],
                                       "completed": False})
    page = course_home().map.value
    assert "In progress (0 of 4 activities)" in page and "Not started" not in page


def test_home_for_a_learner_who_has_done_everything(learner):
    """With every activity complete: 'Complete', and the home says the course is finished?"""
    for activity_id in ("sample-check", "sample-scenario", "sample-self-check", "sample-reflection"):
        learner.update(activity_id, {"completed": True})
    page = course_home().map.value
    assert "Complete (4 of 4 activities)" in page and "You have finished the course" in page
    assert "Continue where you left off" not in page and "Still to do" not in page


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

    assert "Not started (0 of 4 activities)" in course_home().map.value
    show_reflection("sample-reflection")  # what the module page does when it is shown
    assert learner.read()["activities"] == {}
    assert list(learner.read()["pages_opened"]) == ["01_test_module.ipynb"]
    page = course_home().map.value
    assert "In progress (0 of 4 activities)" in page and "Not started" not in page
    assert "Continue where you left off" in page
