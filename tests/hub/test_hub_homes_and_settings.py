"""The hub's pieces without a hub: what a home holds after a course update, and the
settings file's messages."""

from __future__ import annotations

import json
import os
import stat

import pytest

from leadership_course.hub.homes import RECORD_DIR, link_course, prepare, protect_record
from leadership_course.hub.settings import HubSettings, SettingsError


@pytest.fixture
def course(tmp_path):
    modules = tmp_path / "course" / "modules"
    (modules / "content").mkdir(parents=True)
    (modules / "course_home.ipynb").write_text("{}")
    (modules / "01_why_compassion.ipynb").write_text("{}")
    (tmp_path / "course" / "grading" / "source").mkdir(parents=True)
    (tmp_path / "course" / "grading" / "gradebook.db").write_text("the repository's own")
    home = tmp_path / "home"
    home.mkdir()
    return tmp_path / "course", home


def test_a_course_update_reaches_the_home_and_keeps_the_learners_work(course):
    """After the course gains a page and loses one, does ~/course link the new one, drop the
    old one, and keep the learner's own files and record untouched?"""
    course_dir, home = course
    prepare(home, course_dir, facilitator=False)
    record = home / RECORD_DIR / "learner-record.json"
    record.write_text(json.dumps({"activities": {"module-1-reflection": {"text": "mine"}}}))
    own = home / "course" / "module-01"
    own.mkdir()
    (own / "answers.json").write_text("{}")

    (course_dir / "modules" / "01_why_compassion.ipynb").unlink()
    (course_dir / "modules" / "02_abc_of_core_needs.ipynb").write_text("{}")
    prepare(home, course_dir, facilitator=False)

    names = {entry.name for entry in (home / "course").iterdir()}
    assert names == {"content", "course_home.ipynb", "02_abc_of_core_needs.ipynb", "module-01", "assessments"}
    assert os.readlink(home / "course" / "02_abc_of_core_needs.ipynb") == str(
        course_dir / "modules" / "02_abc_of_core_needs.ipynb")
    assert (own / "answers.json").read_text() == "{}"
    assert json.loads(record.read_text())["activities"]["module-1-reflection"]["text"] == "mine"


def test_the_assessments_folder_is_the_learners_own_never_the_shared_one(course):
    """Even when the shared course holds an assessments/ folder (a laptop's hand-outs), is
    ~/course/assessments a private folder of the learner's, where fetched work is kept?"""
    course_dir, home = course
    (course_dir / "modules" / "assessments" / "module-01").mkdir(parents=True)
    prepare(home, course_dir, facilitator=False)
    folder = home / "course" / "assessments"
    assert folder.is_dir() and not folder.is_symlink()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (folder / "module-01").mkdir()
    (folder / "module-01" / "answers.json").write_text("{}")
    prepare(home, course_dir, facilitator=False)
    assert (folder / "module-01" / "answers.json").read_text() == "{}"


def test_a_learners_file_named_like_a_course_page_is_kept(course):
    """Is a learner's own file never replaced by a link to the course's page of that name?"""
    course_dir, home = course
    (home / "course").mkdir()
    (home / "course" / "course_home.ipynb").write_text("the learner's copy")
    link_course(home, course_dir / "modules")
    assert (home / "course" / "course_home.ipynb").read_text() == "the learner's copy"


def test_the_record_folder_and_files_are_the_learners_alone(course):
    """Are the home, the record folder and a record file left readable by others closed to them?"""
    course_dir, home = course
    folder = home / RECORD_DIR
    folder.mkdir(mode=0o755)
    (folder / "learner-record.json").write_text("{}")
    os.chmod(folder / "learner-record.json", 0o644)
    prepare(home, course_dir, facilitator=False)
    for path in (home, folder, folder / "learner-record.json"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_a_link_in_place_of_the_record_folder_is_not_followed(course, tmp_path):
    """Does a link left where the record folder goes get replaced, not followed?"""
    course_dir, home = course
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    (home / RECORD_DIR).symlink_to(elsewhere)
    protect_record(home)
    assert not (home / RECORD_DIR).is_symlink() and elsewhere.stat().st_mode & 0o777 == 0o755


def test_a_facilitator_gets_a_grading_folder_without_the_repositorys_gradebook(course):
    """Does a facilitator's home get ~/course/grading, once, without the repository's gradebook?"""
    course_dir, home = course
    prepare(home, course_dir, facilitator=True)
    grading = home / "course" / "grading"
    assert (grading / "source").is_dir() and not (grading / "gradebook.db").exists()
    (grading / "gradebook.db").write_text("the facilitator's marking")
    prepare(home, course_dir, facilitator=True)
    assert (grading / "gradebook.db").read_text() == "the facilitator's marking"


@pytest.mark.parametrize("text, message", [
    ('sign_in = "saml"', "'sign_in' must be one of pam, native, lti13, entra"),
    ("memory_limit_mb = 100", "'memory_limit_mb' must be at least 256"),
    ('memory_limit_mb = "1G"', "'memory_limit_mb' must be int"),
    ('course_dir = "relative/path"', "'course_dir' must be an absolute path"),
    ('facilitators = "ana"', "'facilitators' must be list"),
    ("create_accounts = 1", "'create_accounts' must be bool"),
    ("cpu_limit = -1", "'cpu_limit' must be 0 (no limit) or more"),
    ("tasks_limit = 10", "'tasks_limit' 0 (no limit) or at least 64"),
    ('colour = "blue"', "unknown setting 'colour'"),
    ("port = ", "not valid TOML"),
])
def test_a_wrong_setting_names_the_file_and_the_key(tmp_path, text, message):
    """Does a wrong hub.toml give a message with the file and the setting, not a traceback?"""
    path = tmp_path / "hub.toml"
    path.write_text(text + "\n")
    with pytest.raises(SettingsError) as error:
        HubSettings.load(path)
    assert str(error.value).startswith(str(path)) and message in str(error.value)


def test_the_example_settings_are_the_defaults():
    """Does hub.toml.example show exactly the defaults the hub uses?"""
    from leadership_course.hub.trial import REPO

    assert HubSettings.load(REPO / "deploy" / "jupyterhub" / "hub.toml.example") == HubSettings()


def test_a_whole_number_of_cores_is_a_cpu_limit(tmp_path):
    """Is `cpu_limit = 2` (a TOML integer) read as two cores?"""
    path = tmp_path / "hub.toml"
    path.write_text("cpu_limit = 2\n")
    assert HubSettings.load(path).cpu_limit == 2.0


@pytest.mark.parametrize("profile", ["learner", "facilitator"])
def test_every_page_of_a_profile_signs_out_to_the_same_place(profile):
    """Do a profile's two sign-out settings agree: the one course pages read (Voila's extension_config, in voila.json)
    and the one the folder list and error pages read (ServerApp.jinja_template_vars)?"""
    from leadership_course.hub.spawner import PROFILES_DIR

    server = json.loads((PROFILES_DIR / profile / "jupyter_server_config.json").read_text())
    voila = json.loads((PROFILES_DIR / profile / "voila.json").read_text())
    course_pages = voila["VoilaConfiguration"]["extension_config"]["leadership-course"]["signOutUrl"]
    other_pages = server["ServerApp"]["jinja_template_vars"]["course_sign_out_url"]
    assert course_pages == other_pages == "/hub/logout"
