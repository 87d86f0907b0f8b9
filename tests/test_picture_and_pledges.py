"""Pictures carry their alt text; the pledge list gathers every module's pledge."""

import base64
import re

import pytest

from leadership_course import my_pledges, picture, reflection
from leadership_course.content import ContentError, load_pictures


def test_picture_is_inlined_with_alt_text_and_caption(content_dir):
    """Is the SVG placed in the page as data, with its alt text and caption?"""
    page = picture("two-boxes").value
    alt = re.search(r"alt='([^']*)'", page).group(1)
    assert alt.startswith("Two boxes side by side")
    data = re.search(r"data:image/svg\+xml;base64,([^']+)'", page).group(1)
    assert b"<svg" in base64.b64decode(data)
    assert "<figcaption>A sample picture.</figcaption>" in page


def test_unknown_picture_names_the_list(content_dir):
    """Does asking for a picture that is not listed say where pictures are listed?"""
    with pytest.raises(ContentError, match="assets/pictures.yaml: there is no picture 'missing'"):
        picture("missing")


def test_picture_list_checks_files_and_alt_text(tmp_path):
    """Are a missing file and a too-short alt text reported?"""
    content = tmp_path / "modules" / "content"
    content.mkdir(parents=True)
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "pictures.yaml").write_text("p:\n  file: gone.svg\n  alt: A box\n")
    with pytest.raises(ContentError) as caught:
        load_pictures(content)
    assert "assets/pictures.yaml: p.file: 'gone.svg' is not in assets/" in caught.value.problems
    assert "assets/pictures.yaml: p.alt: the alt text is too short to describe the picture" in caught.value.problems


def test_pledge_list_gathers_pledges_and_escapes_them(learner):
    """Does the pledge list show every saved pledge, escaped, and update on request?"""
    view = my_pledges()
    assert "not saved any pledges yet" in view.list.value
    reflection("sample-reflection").box.value = "I will <listen> first"
    view.refresh()
    assert "Module 1: Sample reflection" in view.list.value
    assert "I will &lt;listen&gt; first" in view.list.value
