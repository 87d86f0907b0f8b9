"""Checking, salvaging, migrating and merging record files (leadership_course/record_check.py)."""

import json
import shutil
from pathlib import Path

import pytest

from leadership_course.record import RECORD_FILE, LearnerRecord
from leadership_course.record_check import MAX_FILE_BYTES, check_record, item_key, merge, restorable

RECORDS = Path(__file__).parent / "fixtures" / "records"
LAYOUTS = sorted(RECORDS.glob("layout-*.json"))


def entry(text, updated, **more):
    return {"type": "reflection", "title": f"About {text}", "text": text, "updated": updated, **more}


def record(**activities):
    return {"version": 1, "activities": activities, "set_aside": []}


def checked(data):
    """A file's check, from a record as a dict."""
    return check_record(json.dumps(data, indent=1).encode())


# --- migration: every layout the course has written -------------------------------------------


def test_there_is_a_fixture_for_each_layout_form():
    """Are the three forms of layout 1 (see tests/fixtures/records/README.md) all here?"""
    assert [p.name for p in LAYOUTS] == ["layout-1-answers-file.json", "layout-1-before-continue.json",
                                         "layout-1-first-release.json"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=[p.stem for p in LAYOUTS])
def test_each_layout_the_course_has_written_reads_in_full(layout, tmp_path):
    """Does a record in each layout the course has written read whole, every activity and
    set-aside note kept, with nothing reported and the file left exactly as it was?"""
    original = json.loads(layout.read_text())
    folder = tmp_path / "record"
    folder.mkdir()
    shutil.copy(layout, folder / RECORD_FILE)
    learner = LearnerRecord(folder)
    data = learner.read()
    assert data["activities"] == original["activities"]
    assert data["set_aside"] == original.get("set_aside", [])
    assert data["pages_opened"] == {}, "a layout written before pages were noted reads as no page opened"
    assert data["version"] == 1
    assert learner.take_notices() == []
    assert (folder / RECORD_FILE).read_bytes() == layout.read_bytes()


@pytest.mark.parametrize("layout", LAYOUTS, ids=[p.stem for p in LAYOUTS])
def test_each_layout_can_be_chosen_to_continue_from(layout, tmp_path):
    """Can a file in each layout be chosen on the course home (passes the limits) and merged?"""
    learner = LearnerRecord(tmp_path)
    found, plan = learner.merge_file(layout.read_bytes(), layout.name)
    assert found.refused is None and found.clean
    assert sorted(plan.added) == sorted(json.loads(layout.read_text())["activities"])


def test_set_aside_work_in_a_file_is_carried_over_but_not_its_notes_of_other_files(tmp_path):
    """Merging the first release's record (which notes a damaged file in its own folder) and
    a record holding set-aside work: is the work kept aside here, and the note, which names
    a file in another folder, left out?"""
    layout = RECORDS / "layout-1-first-release.json"
    learner = LearnerRecord(tmp_path)
    learner.merge_file(layout.read_bytes(), layout.name)
    aside = {"activity": "sample-reflection", "entry": entry("older", "2026-01-01T10:00:00+00:00"),
             "reason": "replaced by a newer entry from laptop.json", "when": "2026-02-01T10:00:00+00:00"}
    learner.merge_file(json.dumps({**record(), "set_aside": [aside]}).encode(), "binder.json")
    assert [item.get("file") for item in learner.read()["set_aside"]] == [None]
    assert learner.read()["set_aside"][0]["entry"]["text"] == "older"


def test_only_files_this_record_set_aside_can_be_read_back(tmp_path):
    """Can a set-aside note from a chosen file make the course read another file (the record
    itself, a file outside the folder)?"""
    learner = LearnerRecord(tmp_path)
    learner.update("a", {"n": 1})
    (tmp_path / "learner-record.damaged-20261201-101500.json").write_text("{}")
    for name in ["learner-record.json", "../learner-record.damaged-1.json", "/etc/passwd", ".x.tmp", None, 3]:
        assert learner.set_aside_file(name) is None, name
    assert learner.set_aside_file("learner-record.damaged-20261201-101500.json") == b"{}"


# --- merge ------------------------------------------------------------------------------------------


def test_merge_newer_entry_wins_and_the_older_is_kept_aside_either_way():
    """Per activity, does the newer entry win, whichever side it is on, with the loser set aside?"""
    ours = record(a=entry("ours old", "2026-11-01T10:00:00+00:00"), b=entry("ours new", "2026-11-20T10:00:00+00:00"))
    theirs = record(a=entry("theirs new", "2026-11-10T10:00:00+00:00"), b=entry("theirs old", "2026-11-02T10:00:00+00:00"))
    merged, plan = merge(ours, checked(theirs), "binder.json", "now")
    assert merged["activities"]["a"]["text"] == "theirs new" and merged["activities"]["b"]["text"] == "ours new"
    assert (plan.replaced, plan.kept) == (["a"], ["b"])
    aside = {(i["activity"], i["entry"]["text"]): i["reason"] for i in merged["set_aside"]}
    assert aside == {("a", "ours old"): "replaced by a newer entry from binder.json",
                     ("b", "theirs old"): "an older entry from binder.json; the newer one here was kept"}


def test_merge_loses_nothing():
    """After merging, is every entry from both sides either in use or kept aside, unchanged?"""
    ours = record(**{f"a-{n}": entry(f"ours {n}", f"2026-11-{n + 1:02d}T10:00:00+00:00") for n in range(10)})
    theirs = record(**{f"a-{n}": entry(f"theirs {n}", f"2026-11-{20 - n:02d}T11:00:00+00:00") for n in range(5, 15)})
    merged, plan = merge(ours, checked(theirs), "f.json", "now")
    held = [json.dumps(e, sort_keys=True) for e in merged["activities"].values()]
    held += [json.dumps(i["entry"], sort_keys=True) for i in merged["set_aside"]]
    for side in (ours, theirs):
        for value in side["activities"].values():
            assert json.dumps(value, sort_keys=True) in held
    assert len(plan.added) == 5 and len(plan.replaced) + len(plan.kept) == 5


def test_merge_compares_times_across_time_zones():
    """Is 10:00 in UK summer time (09:00 UTC) older than 09:30 UTC?"""
    ours = record(a=entry("ours", "2026-07-01T10:00:00+01:00"))
    theirs = record(a=entry("theirs", "2026-07-01T09:30:00+00:00"))
    assert merge(ours, checked(theirs), "f", "now")[0]["activities"]["a"]["text"] == "theirs"


def test_merge_a_tie_or_an_entry_without_a_time_keeps_the_learners_own():
    """When the times are equal, or the file's entry has none, is the learner's kept (theirs aside)?"""
    ours = record(a=entry("ours", "2026-07-01T10:00:00+00:00"), b=entry("ours b", "2026-07-01T10:00:00+00:00"))
    theirs = record(a=entry("theirs", "2026-07-01T10:00:00+00:00"), b={"type": "reflection", "text": "no time"})
    merged, plan = merge(ours, checked(theirs), "f", "now")
    assert [merged["activities"][k]["text"] for k in "ab"] == ["ours", "ours b"]
    assert sorted(plan.kept) == ["a", "b"] and len(merged["set_aside"]) == 2


def test_merging_the_same_file_twice_changes_nothing_the_second_time():
    """Is a merge idempotent (no growing list of set-aside copies)?"""
    ours = record(a=entry("ours", "2026-11-01T10:00:00+00:00"))
    theirs = checked(record(a=entry("theirs", "2026-11-02T10:00:00+00:00"), b=entry("new", "2026-11-02T10:00:00+00:00")))
    once, _ = merge(ours, theirs, "f", "t1")
    twice, plan = merge(once, theirs, "f", "t2")
    assert twice == once and not plan.changes and sorted(plan.same) == ["a", "b"]


def test_a_replaced_entry_can_be_brought_back_and_what_it_replaces_is_kept(tmp_path):
    """Does restore bring back a set-aside entry and set aside the one it replaces?"""
    learner = LearnerRecord(tmp_path)
    learner.update("a", {"text": "mine"})
    learner.merge_file(json.dumps(record(a=entry("theirs", "2099-01-01T00:00:00+00:00"))).encode(), "f.json")
    (item,) = [i for i in learner.read()["set_aside"] if restorable(i)]
    assert learner.restore(item_key(item)) == "a"
    data = learner.read()
    assert data["activities"]["a"]["text"] == "mine"
    assert [i["entry"]["text"] for i in data["set_aside"]] == ["theirs"]
    assert learner.restore(item_key(item)) is None, "the same entry was brought back twice"


# --- salvage ---------------------------------------------------------------------------------------


def test_one_bad_entry_among_forty_sets_aside_only_that_entry(tmp_path):
    """With 40 saved activities and one damaged, are the 39 kept and the one set aside, with its reason?"""
    activities = {f"act-{n}": entry(f"text {n}", "2026-11-01T10:00:00+00:00") for n in range(40)}
    activities["act-17"] = ["not", "an", "entry"]
    (tmp_path / RECORD_FILE).write_text(json.dumps(record(**activities)))
    learner = LearnerRecord(tmp_path)
    data = learner.read()
    assert len(data["activities"]) == 39 and "act-17" not in data["activities"]
    (item,) = data["set_aside"]
    assert (item["activity"], item["entry"], item["reason"]) == ("act-17", ["not", "an", "entry"],
                                                                  "it is not a set of named fields")
    notice = learner.take_notices()[0]
    assert "Your work on 39 activities was kept" in notice and "act-17" in notice


def test_a_file_broken_in_the_middle_keeps_the_activities_after_the_break(tmp_path):
    """A hand edit that breaks the JSON in one activity: are the activities after it kept too,
    and the file kept whole?"""
    text = json.dumps(record(**{f"act-{n}": entry(f"t{n}", "2026-11-01T10:00:00+00:00") for n in range(10)}), indent=1)
    (tmp_path / RECORD_FILE).write_text(text.replace('"text": "t4",', '"text": "t4" oops,'))
    learner = LearnerRecord(tmp_path)
    data = learner.read()
    assert sorted(data["activities"]) == sorted(f"act-{n}" for n in range(10))
    assert data["activities"]["act-4"] == {"type": "reflection", "title": "About t4", "text": "t4"}, \
        "the fields after the break in act-4 cannot be read, those before it can"
    assert data["activities"]["act-5"]["text"] == "t5"
    (kept,) = tmp_path.glob("learner-record.damaged-*.json")
    assert kept.read_text() == text.replace('"text": "t4",', '"text": "t4" oops,')


def test_a_file_cut_off_at_every_point_gives_back_every_whole_activity():
    """Cut a real record (layout-1-before-continue.json) after every one of its characters:
    is the check free of errors, is every entry given back unchanged except at most the one
    that was cut (given back in part, nothing invented), and does the number of whole
    entries only grow as the cut moves on?"""
    original = json.loads((RECORDS / "layout-1-before-continue.json").read_text())["activities"]
    text = (RECORDS / "layout-1-before-continue.json").read_text()
    whole_before = 0
    for cut in range(len(text)):
        found = check_record(text[:cut].encode())
        if found.refused:
            assert cut <= text.index('"activities"') + len('"activities": '), f"cut at {cut} refused"
            continue
        got = found.record["activities"]
        partial = [k for k in got if got[k] != original[k]]
        assert len(partial) <= 1, f"cut at {cut}: more than one entry changed: {partial}"
        for key in partial:
            assert all(original[key][field] == value for field, value in got[key].items()), f"cut at {cut}"
        whole = len(got) - len(partial)
        assert whole >= whole_before, f"cut at {cut}: fewer whole entries than a shorter cut gave"
        whole_before = whole
    assert whole_before == len(original), "a file missing only its last brace lost an activity"


@pytest.mark.parametrize("top", [[], "record", 7, None, True], ids=["list", "text", "number", "null", "yes"])
def test_a_top_level_of_the_wrong_type_is_not_a_record(top):
    """Is a file whose top level is not a set of named fields refused as not a record?"""
    assert check_record(json.dumps(top).encode()).refused == "it is not a course record"


@pytest.mark.parametrize("version", ["1", True, 1.0, None, 0], ids=["text", "yes", "decimal", "null", "zero"])
def test_a_damaged_version_is_read_as_the_first_layout_and_said(version):
    """Is a record whose version is damaged read as layout 1, with that said?"""
    found = check_record(json.dumps({"version": version, "activities": {"a": {"text": "x"}}}).encode())
    assert found.record["activities"] == {"a": {"text": "x"}}
    assert found.problems == ["its version is missing or damaged, so it was read as the course's first layout"]


@pytest.mark.parametrize("activities", [[], "x", None, 3], ids=["list", "text", "null", "number"])
def test_activities_of_the_wrong_type_are_refused(activities):
    """Is a record whose activities are not a set of named entries refused with a reason?"""
    found = check_record(json.dumps({"version": 1, "activities": activities}).encode())
    assert found.refused == "its list of activities is missing or damaged, so nothing in it can be used"


@pytest.mark.parametrize("bad", ["text", 3, None, ["x"]], ids=["text", "number", "null", "list"])
def test_an_entry_of_the_wrong_type_is_set_aside_and_the_rest_kept(bad):
    found = checked(record(good=entry("kept", "2026-11-01T10:00:00+00:00"), bad=bad))
    assert list(found.record["activities"]) == ["good"]
    assert [(d["activity"], d["entry"]) for d in found.damaged] == [("bad", bad)]


@pytest.mark.parametrize("field, value, reason", [
    ("text", 5, "its field 'text' should be text"),
    ("completed", "yes", "its field 'completed' should be yes or no"),
    ("module", True, "its field 'module' should be a whole number"),
    ("runs", "x", "its field 'runs' should be a list"),
    ("runs", [1], "its field 'runs' holds something damaged"),
    ("answers", {"q": 3}, "its field 'answers' holds something damaged"),
    ("updated", "yesterday", "its save time is not a date and time"),
])
def test_a_field_of_the_wrong_type_is_set_aside_and_the_rest_of_the_entry_kept(field, value, reason):
    """Is only the damaged field set aside (with its reason), the rest of the entry kept?"""
    found = checked(record(a={"type": "reflection", "title": "Kept", field: value}))
    assert found.record["activities"]["a"] == {"type": "reflection", "title": "Kept"}
    assert found.damaged == [{"activity": "a", "field": field, "entry": {field: value}, "reason": reason}]


def test_a_damaged_set_aside_list_is_itself_kept_aside():
    found = check_record(json.dumps({"version": 1, "activities": {}, "set_aside": {"odd": 1}}).encode())
    assert found.record["set_aside"] == [] and found.damaged[0]["entry"] == {"odd": 1}


def test_an_activity_name_that_is_not_one_is_set_aside():
    found = checked(record(**{"../../etc": {"text": "x"}, "ok": {"text": "y"}}))
    assert list(found.record["activities"]) == ["ok"]
    assert found.damaged[0]["reason"] == "its name is not the name of an activity"


# --- pages opened ------------------------------------------------------------------------------

OPENED = {"first": "2026-11-01T09:00:00+00:00", "last": "2026-11-02T09:00:00+00:00"}


def opened(first, last):
    return {"first": first, "last": last}


@pytest.mark.parametrize("bad, reason", [
    (["2026-11-01T09:00:00+00:00"], "when you opened 01_a.ipynb is not saved as two dates and times"),
    ({"first": "2026-11-01T09:00:00+00:00"}, "when you opened 01_a.ipynb is not saved as two dates and times"),
    ({"first": "yesterday", "last": "2026-11-01T09:00:00+00:00"},
     "when you opened 01_a.ipynb is not saved as two dates and times"),
], ids=["list", "no-last", "not-a-time"])
def test_a_damaged_page_opening_is_set_aside_with_its_reason_and_the_rest_kept(bad, reason, tmp_path):
    """In the learner's own record, is a damaged entry of pages_opened set aside (with its
    page and reason), and the other pages and every activity kept?"""
    data = {**record(a=entry("kept", "2026-11-01T10:00:00+00:00")),
            "pages_opened": {"00_b.ipynb": OPENED, "01_a.ipynb": bad}}
    (tmp_path / RECORD_FILE).write_text(json.dumps(data, indent=1))
    learner = LearnerRecord(tmp_path)
    got = learner.read()
    assert got["pages_opened"] == {"00_b.ipynb": OPENED} and got["activities"] == data["activities"]
    (item,) = got["set_aside"]
    assert (item["activity"], item["page"], item["entry"], item["reason"]) == (None, "01_a.ipynb", bad, reason)
    assert reason in learner.take_notices()[0]


def test_a_page_name_that_is_not_a_course_page_is_set_aside():
    found = checked({**record(), "pages_opened": {"../../etc/passwd": OPENED, "../x.ipynb": OPENED,
                                                  "01_a.ipynb": OPENED, "extra/02_b.ipynb": OPENED}})
    assert list(found.record["pages_opened"]) == ["01_a.ipynb", "extra/02_b.ipynb"]
    assert [d["reason"] for d in found.damaged] == ["a page you opened is not named as a course page"] * 2


@pytest.mark.parametrize("pages", [[], "01_a.ipynb", 3], ids=["list", "text", "number"])
def test_a_damaged_list_of_pages_opened_is_kept_aside_and_the_activities_kept(pages):
    found = checked({**record(a=entry("kept", "2026-11-01T10:00:00+00:00")), "pages_opened": pages})
    assert found.record["pages_opened"] == {} and list(found.record["activities"]) == ["a"]
    assert found.damaged == [{"activity": None, "entry": pages, "reason": "the list of module pages you opened is damaged"}]


def test_a_file_cut_off_in_its_pages_opened_keeps_every_activity_and_every_whole_page():
    """Cut off part way through pages_opened (saved last): are all activities and the pages
    before the cut kept?"""
    data = {**record(a=entry("kept", "2026-11-01T10:00:00+00:00")),
            "pages_opened": {"00_b.ipynb": OPENED, "01_a.ipynb": OPENED}}
    text = json.dumps(data, indent=1)
    found = check_record(text[:text.rindex('"last"')].encode())
    assert found.record["activities"] == data["activities"]
    assert found.record["pages_opened"] == {"00_b.ipynb": OPENED}


def test_merge_keeps_the_first_and_the_latest_opening_of_each_page_from_both_sides():
    """Continuing from a file: is each page's earliest first opening and latest last opening
    kept, whichever side holds it, pages only one side opened added, and is merging the same
    file again a change of nothing?"""
    ours = {**record(), "pages_opened": {
        "00_a.ipynb": opened("2026-11-01T09:00:00+00:00", "2026-11-05T09:00:00+00:00"),
        "01_b.ipynb": opened("2026-11-03T09:00:00+00:00", "2026-11-03T09:00:00+00:00")}}
    theirs = checked({**record(), "pages_opened": {
        "00_a.ipynb": opened("2026-11-02T09:00:00+00:00", "2026-11-04T09:00:00+00:00"),
        "01_b.ipynb": opened("2026-11-02T09:00:00+01:00", "2026-11-09T09:00:00+00:00"),
        "02_c.ipynb": opened("2026-11-08T09:00:00+00:00", "2026-11-08T10:00:00+00:00")}})
    merged, plan = merge(ours, theirs, "binder.json", "now")
    assert merged["pages_opened"] == {
        "00_a.ipynb": opened("2026-11-01T09:00:00+00:00", "2026-11-05T09:00:00+00:00"),
        "01_b.ipynb": opened("2026-11-02T09:00:00+01:00", "2026-11-09T09:00:00+00:00"),
        "02_c.ipynb": opened("2026-11-08T09:00:00+00:00", "2026-11-08T10:00:00+00:00")}
    assert sorted(plan.pages) == ["01_b.ipynb", "02_c.ipynb"] and plan.changes
    again, plan = merge(merged, theirs, "binder.json", "later")
    assert again == merged and not plan.changes


def test_merging_a_file_with_only_pages_opened_saves_them(tmp_path):
    """Is a file that adds only page openings (no activities) merged and saved?"""
    learner = LearnerRecord(tmp_path)
    learner.update("mine", {"text": "safe"})
    found, plan = learner.merge_file(json.dumps({**record(), "pages_opened": {"01_a.ipynb": OPENED}}).encode(), "f.json")
    assert plan.pages == ["01_a.ipynb"]
    assert learner.read()["pages_opened"] == {"01_a.ipynb": OPENED}
    assert learner.read()["activities"]["mine"]["text"] == "safe"


# --- limits and hostile files ---------------------------------------------------------------------


HOSTILE = {
    "script in an answer": (record(a={"text": "<script>fetch('x')</script>"}), "web page code"),
    "image with a handler": (record(a={"title": "<img src=x onerror=alert(1)>"}), "web page code"),
    "handler on any tag": (record(a={"text": "<div onmouseover='x()'>"}), "web page code"),
    "script address": (record(a={"text": "javascript:alert(1)"}), "web page code"),
    "markup in a field name": (record(a={"<iframe src=x>": 1}), "web page code"),
    "a huge string": (record(a={"text": "x" * 60_000}), "a piece of text of 60,000 characters"),
    "deep nesting": (record(a={"state": json.loads("[" * 20 + "]" * 20)}), "nested far more deeply"),
    "too many activities": (record(**{f"a-{n}": {} for n in range(2_001)}), "2,001 activities"),
    "too many pages opened": ({**record(), "pages_opened": {f"p{n}.ipynb": OPENED for n in range(501)}},
                              "501 pages opened"),
    "markup in a page's name": ({**record(), "pages_opened": {"<script>x</script>.ipynb": OPENED}}, "web page code"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_with_a_plain_reason_and_changes_nothing(name, tmp_path):
    """Is a file crafted to hurt refused, with its reason, and the learner's record untouched?"""
    data, reason = HOSTILE[name]
    learner = LearnerRecord(tmp_path)
    learner.update("mine", {"text": "safe"})
    before = learner.path.read_bytes()
    found, plan = learner.merge_file(json.dumps(data).encode(), "evil.json")
    assert reason in found.refused and plan is None
    assert learner.path.read_bytes() == before


def test_nesting_deeper_than_the_parser_allows_is_refused_not_raised(tmp_path):
    """Is a file of 100,000 nested brackets refused when chosen, and set aside when it is the
    learner's own record, with no error either way?"""
    raw = b'{"version": 1, "activities": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    assert "nested far more deeply" in check_record(raw, chosen=True).refused
    (tmp_path / RECORD_FILE).write_bytes(raw)
    learner = LearnerRecord(tmp_path)
    assert learner.read()["activities"] == {}
    assert len(list(tmp_path.glob("learner-record.damaged-*.json"))) == 1


def test_a_file_over_the_size_limit_is_refused_when_chosen_but_the_learners_own_is_read():
    """Is the size limit applied to a chosen file only?"""
    big = json.dumps(record(**{f"a-{n}": {"text": "y" * 20_000} for n in range(MAX_FILE_BYTES // 20_000 + 1)}))
    assert "larger than any course record" in check_record(big.encode(), chosen=True).refused
    assert check_record(big.encode()).clean


def test_files_that_are_not_text_or_have_a_byte_order_mark():
    """Is a binary file refused, and a record saved with a byte-order mark (Windows Notepad) read?"""
    assert check_record(b"\x89PNG\r\n\x1a\n\xff\xfe", chosen=True).refused.startswith("it is not a text file")
    assert check_record(b"\xef\xbb\xbf" + json.dumps(record(a={"text": "x"})).encode(), chosen=True).clean


@pytest.mark.parametrize("text", ["Staff with < 5 years' service", "Email me <a.patel@nhs.net>", "2 > 1",
                                  "We carry on = we cope", "I <3 my team", "Use the <b> word sparingly?"])
def test_ordinary_writing_with_angle_brackets_is_not_taken_for_markup(text):
    """Is a learner's ordinary text with < or > accepted?"""
    assert check_record(json.dumps(record(a={"text": text})).encode(), chosen=True).refused is None
