"""``python -m leadership_course workshop ...``: list, export, delete, and the checks that
``start`` makes before it creates anything. (``start`` with a real server is exercised by
test_workshop_browser.py.)"""

import csv
import subprocess
import sys

import pytest

from leadership_course.__main__ import main
from leadership_course.workshop import cli

from workshop_helpers import PASSCODE, REPO


def run(capsys, *argv):
    code = main(["workshop", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_workshops_and_counts_but_no_answers(store, make_workshop, answer, capsys):
    assert run(capsys, "list")[1].startswith("No workshops in")
    code = make_workshop(threshold=3)
    answer(code, 1)
    status, out, _ = run(capsys, "list")
    assert status == 0 and code in out and "Ward leaders, 21 Nov (Core needs and speaking up)" in out


def test_export_writes_csv_and_png(store, make_workshop, answer, tmp_path, capsys):
    code = make_workshop(threshold=3)
    for option in (0, 1, 1, 2):
        answer(code, option)
    status, out, err = run(capsys, "export", code.lower(), "--passcode", PASSCODE, "--out", str(tmp_path / "out"))
    assert status == 0, err
    assert "combined results of 3 of 4 answers" in out
    rows = list(csv.DictReader((tmp_path / "out" / f"workshop-{code}-results.csv").open(encoding="utf-8")))
    assert sum(int(r["people"]) for r in rows if r["item_id"] == "belonging") == 3
    assert (tmp_path / "out" / f"workshop-{code}-results.png").read_bytes().startswith(b"\x89PNG")


def test_export_below_the_threshold_writes_nothing(store, make_workshop, answer, tmp_path, capsys):
    code = make_workshop(threshold=5)
    answer(code, 0)
    status, _, err = run(capsys, "export", code, "--passcode", PASSCODE, "--out", str(tmp_path / "out"))
    assert status == 1 and "has 1 answer; results need at least 5" in err and not (tmp_path / "out").exists()


def test_a_wrong_passcode_is_refused_on_the_command_line(store, make_workshop, tmp_path, capsys):
    code = make_workshop()
    for command in (["export", code, "--out", str(tmp_path)], ["delete", code, "--yes"]):
        status, _, err = run(capsys, *command, "--passcode", "wrong-one")
        assert status == 1 and "passcode is not right" in err
    assert store.workshop(code)


def test_delete_removes_the_workshop(store, make_workshop, answer, capsys):
    code, other = make_workshop(), make_workshop()
    answer(code, 0)
    status, out, _ = run(capsys, "delete", code, "--passcode", PASSCODE, "--yes")
    assert status == 0 and f"Deleted workshop {code} and its 1 answer." in out
    assert [w["code"] for w in store.list()] == [other]


@pytest.mark.parametrize("extra, message", [
    (["--threshold", "2"], "cannot be below 3"),
    (["--pulse", "no-such-pulse"], "there is no pulse 'no-such-pulse'"),
    (["--passcode", "short"], "at least 10 characters"), (["--passcode", "1234567890"], "too easy to guess"),
])
def test_start_refuses_bad_settings_before_serving(store, capsys, monkeypatch, extra, message):
    """Are a low threshold, an unknown pulse and a short passcode refused plainly, with no
    server started and no workshop left behind?"""
    monkeypatch.setattr(cli, "_serve", lambda *a: pytest.fail("the server should not start"))
    argv = ["start", "--name", "Ward leaders", "--passcode", PASSCODE, "--port", "1", *extra]
    status, _, err = run(capsys, *argv)
    assert status == 1 and message in err
    assert not store.path.exists() or store.list() == []


def test_start_creates_the_workshop_then_serves(store, capsys, monkeypatch):
    served = {}
    monkeypatch.setattr(cli, "_bind", lambda args: None)
    monkeypatch.setattr(cli, "_serve", lambda args, st, code, sockets: served.update(code=code) or 0)
    status, out, _ = run(capsys, "start", "--name", "Ward  leaders", "--passcode", PASSCODE, "--threshold", "4")
    assert status == 0
    assert f"Created workshop {served['code']}: \"Ward leaders\"" in out
    assert store.host(served["code"], PASSCODE).results().threshold == 4


def test_start_without_a_terminal_needs_passcode(store, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_serve", lambda *a: pytest.fail("the server should not start"))
    monkeypatch.setattr(cli, "_bind", lambda args: None)
    monkeypatch.setattr(sys, "stdin", open(__file__))
    status, _, err = run(capsys, "start", "--name", "Ward leaders")
    assert status == 1 and "--passcode" in err


def test_ctrl_c_at_the_passcode_question_stops_quietly(store, capsys, monkeypatch):
    """Does Ctrl+C while the passcode is asked for stop plainly, creating nothing?"""
    class Terminal:
        @staticmethod
        def isatty():
            return True

    def interrupted(prompt=""):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_bind", lambda args: None)
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(cli.getpass, "getpass", interrupted)
    status, _, err = run(capsys, "start", "--name", "Ward leaders")
    assert status == 130 and "Stopped" in err and "Traceback" not in err
    assert not store.path.exists() or store.list() == []


def test_the_passcode_is_asked_twice_and_must_match(store, capsys, monkeypatch):
    answers = iter(["short", "kettle-rota-window", "different-one", "kettle-rota-window", "kettle-rota-window"])

    class Terminal:
        @staticmethod
        def isatty():
            return True

    served = {}
    monkeypatch.setattr(cli, "_bind", lambda args: None)
    monkeypatch.setattr(cli, "_serve", lambda args, st, code, sockets: served.update(code=code) or 0)
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    status, out, _ = run(capsys, "start", "--name", "Ward leaders")
    assert status == 0 and "at least 10" in out and "did not match" in out
    assert store.host(served["code"], PASSCODE)


def test_a_port_in_use_is_refused_plainly_before_anything_is_made(store, capsys):
    """A port another program holds: a plain message naming the port, no workshop made."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        status, _, err = run(capsys, "start", "--name", "Ward leaders", "--passcode", PASSCODE, "--local",
                             "--port", str(port))
    assert status == 1 and f"Port {port} cannot be used" in err and "--port" in err
    assert not store.path.exists() or store.list() == []


def test_the_room_address_is_a_real_address():
    address = cli.room_address()
    parts = address.split(".")
    assert len(parts) == 4 and all(p.isdigit() for p in parts)


def test_the_command_line_help_runs():
    result = subprocess.run([sys.executable, "-m", "leadership_course", "workshop", "start", "--help"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0 and "--room" in result.stdout and "--threshold" in result.stdout


def test_export_leaves_out_words_below_the_threshold(store, make_workshop, answer, tmp_path, capsys):
    """Does the exported CSV hold a word given by 3 people (k = 3) and not one given by 2?"""
    code = make_workshop(threshold=3)
    for word in ("steady", "steady", "steady", "zanzibar", "zanzibar", "calm"):
        answer(code, 0, word=word)
    status, _, err = run(capsys, "export", code, "--passcode", PASSCODE, "--out", str(tmp_path / "out"))
    assert status == 0, err
    text = (tmp_path / "out" / f"workshop-{code}-results.csv").read_text(encoding="utf-8")
    assert ",steady,3," in text and "zanzibar" not in text and ",calm," not in text


def test_the_commands_use_postgresql_when_given_its_address(postgres_store, pulse, capsys, monkeypatch):
    """Does ``--database postgresql://...`` make list (and every command) use that server?"""
    database = postgres_store()
    code = database.create("Large event", pulse, PASSCODE, 5)
    monkeypatch.setenv(cli.DATABASE_VARIABLE, "")  # the command sets it for its server: undone after
    status, out, err = run(capsys, "list", "--database", database.database_url)
    assert status == 0 and code in out and "Large event" in out, err
