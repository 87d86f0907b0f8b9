"""Pre-heated Voila kernels: the page waits for the learner, then reads the record."""

import pytest
import voila.utils

import leadership_course
from leadership_course import reflection
from leadership_course.voila import preheat


@pytest.fixture
def fresh_kernel(monkeypatch):
    """A kernel that has not waited yet; ``calls`` counts the waits."""
    monkeypatch.setattr(preheat, "_waited", False)
    calls = []
    monkeypatch.setattr(voila.utils, "wait_for_request", lambda: calls.append("waited"))
    return calls


@pytest.fixture
def shown(monkeypatch):
    """The widgets the show_... functions display."""
    displayed = []
    monkeypatch.setattr(leadership_course, "display", displayed.append)
    return displayed


def test_nothing_waits_outside_a_preheated_kernel(learner, fresh_kernel, shown, monkeypatch):
    """In JupyterLab, nbval, nbgrader or Voila without pre-heating, does the page build at once?"""
    monkeypatch.delenv(preheat.PREHEAT_VARIABLE, raising=False)
    leadership_course.show_course_home()
    monkeypatch.setenv(preheat.PREHEAT_VARIABLE, "False")  # Voila's value for a kernel started on request
    leadership_course.show_course_home()
    assert fresh_kernel == [] and len(shown) == 2


def test_preheated_page_reads_the_record_after_the_learner_arrives(learner, monkeypatch, shown):
    """Does a pre-heated page show work saved while its kernel waited in the pool?"""
    monkeypatch.setenv(preheat.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(preheat, "_waited", False)

    def learner_works_then_opens_the_page():
        reflection("sample-reflection").box.value = "Saved while the kernel waited."

    monkeypatch.setattr(voila.utils, "wait_for_request", learner_works_then_opens_the_page)
    leadership_course.show_course_home()
    assert "In progress (1 of 4 activities)" in shown[0].map.value


def test_preheated_kernel_waits_once(learner, fresh_kernel, shown, monkeypatch):
    """Do the second and later activities on a page build without waiting again?"""
    monkeypatch.setenv(preheat.PREHEAT_VARIABLE, "True")
    leadership_course.show_course_home()
    leadership_course.show_reflection("sample-reflection")
    leadership_course.show_where_saved()
    assert fresh_kernel == ["waited"] and len(shown) == 3


def test_page_still_builds_when_voila_cannot_be_asked(learner, shown, monkeypatch, caplog):
    """If the wait fails (say, another Voila version), is the page built anyway, with a log line?"""
    monkeypatch.setenv(preheat.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(preheat, "_waited", False)

    def broken():
        raise ConnectionRefusedError("no server")

    monkeypatch.setattr(voila.utils, "wait_for_request", broken)
    leadership_course.show_course_home()
    assert "Not started (0 of 4 activities)" in shown[0].map.value
    assert "Could not wait for the page request" in caplog.text
