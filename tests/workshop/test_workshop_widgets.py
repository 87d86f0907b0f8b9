"""The participant's form and the host's results page, driven headless (set values, click)."""

import base64
import csv
import io
import re
from urllib.parse import unquote

from leadership_course.components.common import is_shown
from leadership_course.workshop import pulse_page, query_code, results_page, show_pulse, show_results
from leadership_course.workshop.report import results_csv
from leadership_course.workshop.widgets import PulsePage, ResultsPage

from workshop_helpers import PASSCODE


def fill(form, options):
    for group, option in zip(form.groups, options):
        group.value = [option]


def signed_in(store, code, passcode=PASSCODE):
    page = ResultsPage(store, code)
    page.sign_in_form.submit(passcode=passcode)
    return page


def from_the_page(widget, content):
    """Deliver a custom message as the browser would send it."""
    widget._message(widget, content, None)


def images(html):
    return re.findall(r"<img src='(data:image/png;base64,[^']+)' alt='([^']*)'>", html)


def links(html):
    return dict((name, href) for href, name in re.findall(r"href='([^']+)'>([^<]+)</a>", html))


def decode(href):
    header, data = href.split(",", 1)
    assert header.endswith(";base64")
    return base64.b64decode(data)


# --- participants ------------------------------------------------------------------------------


def test_fill_and_send_the_form_then_it_locks(store, make_workshop, pulse):
    """Can a participant answer every item and send, is it counted, and is the form then
    locked with a thank-you in the live region?"""
    code = make_workshop()
    form = PulsePage(store, code).form
    assert [g.options for g in form.groups] == [item["options"] for item in pulse["items"]]
    assert "reflective pulse" in form.children[2].value and "not a validated survey" in form.children[2].value
    fill(form, [0, 1, 2, 3, 4])
    form.submit_button.click()
    assert form.status.text.startswith("Thank you.")
    assert all(group.disabled for group in form.groups)
    assert form.submit_button.disabled and not is_shown(form.submit_button)
    assert store.responses(code) == 1


def test_a_second_press_or_double_click_counts_once(store, make_workshop):
    code = make_workshop()
    form = PulsePage(store, code).form
    fill(form, [1] * 5)
    form.submit_button.click()
    form.submit_button.click()
    form.sent = False  # even if the form's own guard were missed, the token stops a second count
    form.submit_button.click()
    assert store.responses(code) == 1


def test_each_page_load_gets_its_own_token(store, make_workshop):
    code = make_workshop()
    tokens = {PulsePage(store, code).form.token for _ in range(5)}
    assert len(tokens) == 5 and all(len(t) >= 24 for t in tokens)


def test_unanswered_items_are_named_and_nothing_is_sent(store, make_workshop):
    code = make_workshop()
    form = PulsePage(store, code).form
    fill(form, [0, 1])
    form.submit_button.click()
    assert "Not answered yet: 3 (Contribution), 4 (Safe to speak up), 5 (Concerns taken seriously)" in form.status.text
    assert store.responses(code) == 0 and not form.groups[0].disabled


def test_without_a_code_the_page_asks_for_one(store, make_workshop):
    """Without a code (or with a wrong one) is there a box for the code that leads to the form?"""
    code = make_workshop()
    page = PulsePage(store, "")
    assert page.form is None and page.children == (page.join_box,)
    page.code_form.submit(code="NPPE99")
    assert "There is no workshop NPPE99" in page.status.text
    page.code_form.submit(code="<b>x")
    assert "is not a workshop code" in page.status.text and "<b>" not in page.status.html
    page.code_form.submit(code=code.lower())
    assert page.form is not None and page.children == (page.form,)


def test_the_code_typed_on_the_page_comes_with_the_submission(store, make_workshop):
    """Does Join (or Enter) use the code sent with the submission, and ignore anything else?"""
    code = make_workshop()
    page = PulsePage(store, None)
    from_the_page(page.code_form, {"event": "submit", "values": {"code": code, "other": "x"}})
    assert page.form is not None


def test_send_uses_the_answers_shown_on_the_page(store, make_workshop):
    """If the last choice has not reached the kernel when Send arrives, are the answers the
    click carries (what the person sees) the ones counted?"""
    code = make_workshop(threshold=3)
    form = PulsePage(store, code).form
    fill(form, [0, 0, 0, 0, 0])  # an older state than the page shows
    from_the_page(form.submit_button, {"event": "click", "answers": [2, 2, 2, 2, 2]})
    assert form.sent and [g.value for g in form.groups] == [[2]] * 5
    for _ in range(2):
        other = PulsePage(store, code).form
        from_the_page(other.submit_button, {"event": "click", "answers": [2, 2, 2, 2, 2]})
    assert store.host(code, PASSCODE).results().items[0].counts == [0, 0, 3, 0, 0]


def test_send_with_an_unanswered_item_on_the_page_is_refused(store, make_workshop):
    code = make_workshop()
    form = PulsePage(store, code).form
    fill(form, [1, 1, 1, 1, 1])
    from_the_page(form.submit_button, {"event": "click", "answers": [1, None, 1, 1, 1]})
    assert "Not answered yet: 2 (Belonging)" in form.status.text and store.responses(code) == 0


def test_a_wrong_code_in_the_link_shows_the_box_with_a_message(store):
    page = PulsePage(store, "ZZZZZZ")
    assert page.form is None and "There is no workshop ZZZZZZ" in page.status.text


def test_a_deleted_workshop_says_so_plainly(store, make_workshop):
    code = make_workshop()
    form = PulsePage(store, code).form
    store.host(code, PASSCODE).delete()
    fill(form, [2] * 5)
    form.submit_button.click()
    assert "has ended" in form.status.text and not form.sent


def test_the_workshop_code_comes_from_the_query_string(store, make_workshop, monkeypatch):
    """Is ?workshop=CODE (Voila's $QUERY_STRING) used for the code?"""
    code = make_workshop()
    monkeypatch.setenv("QUERY_STRING", f"voila=1&workshop={code.lower()}")
    assert query_code() == code.lower()
    assert pulse_page().form.workshop["code"] == code
    assert results_page().sign_in_form.fields[0]["value"] == code.lower()
    monkeypatch.setenv("QUERY_STRING", "")
    assert query_code() == "" and pulse_page().form is None


def test_no_traceback_when_the_store_cannot_be_used(tmp_path, monkeypatch, capsys):
    """With a store folder that cannot be made, do the pages show a plain message?"""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("COURSE_WORKSHOP_DIR", str(blocker / "store"))
    monkeypatch.setenv("QUERY_STRING", "workshop=ABCDEF")
    monkeypatch.delenv("COURSE_STRICT", raising=False)
    page = pulse_page()
    assert "cannot be created" in page.status.text
    show_pulse()
    show_results()
    assert "Traceback" not in capsys.readouterr().out


# --- the host -----------------------------------------------------------------------------------


def test_a_wrong_passcode_is_refused(store, make_workshop):
    code = make_workshop()
    page = signed_in(store, code, "not-the-passcode")
    assert "That passcode is not right" in page.status.text
    assert page.access is None and not is_shown(page.view)
    assert "not-the-passcode" not in str(page.sign_in_form.get_state())


def test_an_empty_passcode_is_asked_for_without_a_check(store, make_workshop):
    code = make_workshop()
    page = signed_in(store, code, "  ")
    assert "Type the host passcode" in page.status.text and page.access is None


def test_results_are_hidden_below_the_threshold(store, make_workshop, answer):
    code = make_workshop(threshold=5)
    for _ in range(4):
        answer(code, 0)
    page = signed_in(store, code)
    assert not is_shown(page.sign_in_box) and is_shown(page.view)
    assert "Answers so far: 4" in page.summary.value and "(1 more to go)" in page.summary.value
    assert page.charts.value == "" and page.downloads.value == ""
    assert page.heading.text == "Ward leaders, 21 Nov"


def test_results_show_at_the_threshold_with_alt_text_and_tables(store, make_workshop, answer, pulse):
    """At the threshold, is each item shown as a chart whose alt text gives the figures, and
    as a table?"""
    code = make_workshop(threshold=5)
    for option in (0, 1, 1, 4, 4):
        answer(code, option)
    page = signed_in(store, code)
    pictures = images(page.charts.value)
    assert len(pictures) == len(pulse["items"])
    src, alt = pictures[0]
    assert decode(src).startswith(b"\x89PNG")
    assert alt.startswith("Bar chart, Autonomy: how many of 5 people chose each answer")
    assert "Not at all: 1; A little: 2; Somewhat: 0; Mostly: 0; Completely: 2." in alt
    assert page.charts.value.count("<table>") == len(pulse["items"])
    assert "<tr><td>A little</td><td>2</td></tr>" in page.charts.value
    assert "combine the first 5 answers" in page.summary.value


def test_refresh_publishes_in_batches(store, make_workshop, answer):
    """Do the results change only when another full batch of k has answered?"""
    code = make_workshop(threshold=3)
    for _ in range(3):
        answer(code, 0)
    page = signed_in(store, code)
    first = page.charts.value
    answer(code, 4)
    answer(code, 4)
    page.refresh_button.click()
    assert page.charts.value == first
    assert "Answers so far: 5" in page.status.text and "combine 3 answers" in page.status.text
    assert "change next when 6 people have answered" in page.summary.value
    answer(code, 4)
    page.refresh_button.click()
    assert page.charts.value != first and "Completely: 3" in page.charts.value


def test_export_links_decode_to_the_csv_and_a_png(store, make_workshop, answer):
    code = make_workshop(threshold=3)
    for option in (0, 2, 2, 3):
        answer(code, option)
    page = signed_in(store, code)
    found = links(page.downloads.value)
    csv_href = found["Combined counts (CSV, for a spreadsheet)"]
    text = decode(csv_href).decode("utf-8")
    assert text == results_csv(store.host(code, PASSCODE).results())
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 25
    autonomy = {row["option"]: int(row["people"]) for row in table if row["item_id"] == "autonomy"}
    assert autonomy == {"Not at all": 1, "A little": 0, "Somewhat": 2, "Mostly": 0, "Completely": 0}
    assert {row["people_in_results"] for row in table} == {"3"}
    assert decode(found["All charts (PNG picture)"]).startswith(b"\x89PNG")
    assert f"download='workshop-{code}-results.csv'" in page.downloads.value


def test_delete_asks_first_then_removes_the_workshop(store, make_workshop, answer):
    code = make_workshop(threshold=3)
    answer(code, 1)
    page = signed_in(store, code)
    page.delete_button.click()
    assert is_shown(page.confirm_box) and not is_shown(page.delete_button)
    page.confirm_no.click()
    assert not is_shown(page.confirm_box) and store.responses(code) == 1
    page.delete_button.click()
    page.confirm_yes.click()
    assert f"Workshop {code} and every answer to it have been deleted." in page.status.text
    assert store.list() == [] and not is_shown(page.view)


def test_refresh_after_deletion_elsewhere_says_so(store, make_workshop):
    code = make_workshop()
    page = signed_in(store, code)
    store.host(code, PASSCODE).delete()
    page.refresh_button.click()
    assert "has been deleted" in page.status.text


def test_a_store_problem_on_refresh_is_said_plainly(store, make_workshop, monkeypatch):
    from leadership_course.workshop.store import StoreError

    code = make_workshop()
    page = signed_in(store, code)

    def broken():
        raise StoreError("The workshop store could not be read (disk I/O error).")

    monkeypatch.setattr(page.access, "results", broken)
    page.refresh_button.click()
    assert page.status.text == ("Sorry, the results could not be read. The workshop store could not be read "
                                "(disk I/O error).")


def test_the_passcode_comes_with_the_submission_and_is_never_kept(store, make_workshop):
    """Does signing in use the code and passcode sent with the submission (Enter or the
    button), without the passcode ever entering the widget state?"""
    code = make_workshop()
    page = ResultsPage(store, "")
    from_the_page(page.sign_in_form, {"event": "submit", "values": {"code": code, "passcode": PASSCODE}})
    assert page.access is not None
    assert PASSCODE not in str(page.sign_in_form.get_state()) and PASSCODE not in str(page.get_state())


def test_the_participants_link_is_shown_to_the_host(store, make_workshop, monkeypatch):
    code = make_workshop()
    monkeypatch.setenv("COURSE_WORKSHOP_JOIN_URL", "http://192.168.1.20:8866/voila/render/pulse.ipynb")
    page = signed_in(store, code)
    assert f"http://192.168.1.20:8866/voila/render/pulse.ipynb?workshop={code}" in unquote(page.about.value)
