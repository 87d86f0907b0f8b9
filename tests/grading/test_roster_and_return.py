"""The learner-ID rule, the roster file, what return-feedback will and will not pack, and the
dashboard chart's count axis (plain folders, no nbgrader run: the whole route is in test_facilitator_route.py)."""

import os
import zipfile

import pytest

from leadership_course.grading.handout import HandOutError, hand_out, return_feedback
from leadership_course.grading.roster import is_learner_id, normalise_learner_id, read_roster


@pytest.mark.parametrize("text", ["ab12", "a", "ward7-04", "j.smith2", "x" * 64, "a.b-c", "x" * 62 + ".y"])
def test_ids_that_follow_the_rule(text):
    """Are short lowercase IDs with inner dots and dashes accepted?"""
    assert is_learner_id(text)


@pytest.mark.parametrize("text", ["", "AB12", "ab 12", "ab__12", "ab_12", "-ab", "ab.", "../ab", "ab/12",
                                  "x" * 65, "é12", "a..b", "a.-b", "a--b", "x" * 63 + "."])
def test_ids_that_break_the_rule(text):
    """Are capitals, spaces, underscores (the file-name separator), edges, paths and two dots or
    dashes together (".." reads as a way out of a folder, so every download would be refused) refused?"""
    assert not is_learner_id(text)


def test_typed_id_is_trimmed_and_lowercased():
    assert normalise_learner_id("  AB12 ") == "ab12"


def test_roster_reads_a_spreadsheet_csv(tmp_path):
    """Does a CSV saved by a spreadsheet (byte-order mark, blank line, extra column) read whole?"""
    path = tmp_path / "roster.csv"
    path.write_text("\ufeffid,first_name,last_name,team\nab12,Asha,Bhatt,Ward 7\n\n,,,\ncd34,,,\n", encoding="utf-8")
    learners, problems = read_roster(path)
    assert problems == []
    assert learners == [{"id": "ab12", "first_name": "Asha", "last_name": "Bhatt", "email": None},
                        {"id": "cd34", "first_name": None, "last_name": None, "email": None}]


def test_roster_names_every_bad_line(tmp_path):
    """Is each problem named by its line, so a half-right file registers nobody?"""
    path = tmp_path / "roster.csv"
    path.write_text("id,first_name\nab12,Asha\nAB 13,Bo\nab12,Again\n,Nobody\n")
    _, problems = read_roster(path)
    assert [p.split(": ")[0] for p in problems] == [f"{path}, line {n}" for n in (3, 4, 5)]
    assert "'ab12' is already on line 2" in problems[1]


@pytest.mark.parametrize("content, expected", [("first_name\nAsha\n", "must name the columns, including 'id'"),
                                               ("id\n", "there is nobody on the roster")])
def test_roster_without_ids_is_refused(tmp_path, content, expected):
    path = tmp_path / "roster.csv"
    path.write_text(content)
    assert expected in read_roster(path)[1][0]


def test_missing_roster_file_is_a_plain_problem(tmp_path):
    assert "could not be read as a CSV file" in read_roster(tmp_path / "nope.csv")[1][0]


def test_hand_out_refuses_a_release_with_answers(tmp_path):
    """Is a release that still holds hidden tests refused, and a missing release explained?"""
    with pytest.raises(HandOutError, match="run `nbgrader generate_assignment module-01` first"):
        hand_out(tmp_path, "module-01")
    release = tmp_path / "release" / "module-01"
    release.mkdir(parents=True)
    (release / "a.ipynb").write_text("### BEGIN HIDDEN TESTS\ncheck_choice('q1', ['x'])")
    with pytest.raises(HandOutError, match="holds answers or a mark scheme"):
        hand_out(tmp_path, "module-01")
    assert not (tmp_path / "hand-out").exists()


def test_return_packs_only_each_learners_own_page(tmp_path):
    """Does each zip hold its learner's .html page only, leaving out other files, links, odd
    folder names and learners not ready, is a learner who submitted but has no page named, and
    is an old zip never left behind?"""
    feedback = tmp_path / "feedback"
    for learner in ("ab12", "cd34", "ef56", "Odd Name"):
        folder = feedback / learner / "module-01"
        folder.mkdir(parents=True)
        (folder / "module-01-assessment.html").write_text(f"page of {learner}")
        (folder / "answers.json").write_text("{}")
    os.symlink(feedback / "cd34" / "module-01" / "module-01-assessment.html", feedback / "ab12" / "module-01" / "x.html")
    (feedback / "gh78").mkdir()
    os.symlink(feedback / "cd34" / "module-01", feedback / "gh78" / "module-01")
    stale = tmp_path / "returned" / "module-01" / "module-01__zz99__feedback.zip"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")

    packed, skipped = return_feedback(tmp_path, "module-01", {"ef56": "not yet marked: Written answer 1"},
                                      learners=["ij90"])
    assert sorted(packed) == ["ab12", "cd34"] and not stale.exists()
    assert skipped == {"Odd Name": "the folder name is not a learner ID, so it was not packed",
                       "ef56": "not yet marked: Written answer 1", "gh78": "no feedback page was found: "
                       "`python -m leadership_course feedback module-01` says why",
                       "ij90": "no feedback page was found: `python -m leadership_course feedback module-01` says why"}
    for learner, path in packed.items():
        with zipfile.ZipFile(path) as archive:
            assert archive.namelist() == ["module-01-feedback/module-01-assessment.html"]
            assert archive.read(archive.namelist()[0]).decode() == f"page of {learner}"


def test_dashboard_count_axis_marks_whole_numbers_only():
    """Does the score-band chart's count axis mark whole submissions, not 0.25 steps?"""
    from leadership_course.charts import bar_chart

    labels, counts = ["0 to 24%", "25 to 49%"], [1, 0]
    fractional = bar_chart(labels, counts, 2, "Scores", xlabel="Number of submissions").axes[0].get_xticks()
    assert any(tick != int(tick) for tick in fractional)  # matplotlib's own choice, which the option fixes
    ticks = bar_chart(labels, counts, 2, "Scores", xlabel="Number of submissions", whole_numbers=True).axes[0].get_xticks()
    assert all(tick == int(tick) for tick in ticks)
