"""The workshop store: concurrency, double submits, separate workshops, thresholds, batches,
passcodes and deletion."""

import multiprocessing
import secrets
import sqlite3
import threading
import time

import pytest

from leadership_course.workshop import store as store_module
from leadership_course.workshop.store import (UnknownWorkshop, WorkshopStore, WrongPasscode, check_threshold,
                                              normalise_code)

from workshop_helpers import PASSCODE

PEOPLE = 50


def answers_for(pulse, person):
    """Person n's answers: option n % 5 for the first item, (n // 5) % 5 for the others."""
    return {item["id"]: (person % 5 if index == 0 else (person // 5) % 5)
            for index, item in enumerate(pulse["items"])}


def expected_counts(pulse, people):
    counts = {item["id"]: [0] * len(item["options"]) for item in pulse["items"]}
    for person in people:
        for item_id, option in answers_for(pulse, person).items():
            counts[item_id][option] += 1
    return counts


def result_counts(results):
    return {item.id: item.counts for item in results.items}


def rows(store, sql, *args):
    with sqlite3.connect(store.path) as db:
        return db.execute(sql, args).fetchall()


# --- concurrency ---------------------------------------------------------------------------


def test_fifty_threads_at_once_lose_and_duplicate_nothing(store, make_workshop, pulse):
    """Do 50 submissions from 50 threads, released together, all count exactly once?"""
    code = make_workshop(threshold=5)
    start = threading.Barrier(PEOPLE)
    outcomes, errors = [], []

    def person(number):
        try:
            start.wait()
            outcomes.append(WorkshopStore(store.directory).submit(code, f"thread-token-{number:04d}-xxxxxx",
                                                                  answers_for(pulse, number)))
        except Exception as error:  # reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=person, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert outcomes == [True] * PEOPLE
    results = store.host(code, PASSCODE).results()
    assert (results.responses, results.published) == (PEOPLE, PEOPLE)
    assert result_counts(results) == expected_counts(pulse, range(PEOPLE))
    assert rows(store, "SELECT COUNT(*) FROM pending") == [(0,)]


def _submit_in_process(directory, code, number, answers, barrier):
    barrier.wait(60)
    counted = WorkshopStore(directory).submit(code, f"process-token-{number:04d}-xxxxx", answers)
    raise SystemExit(0 if counted else 3)


def test_fifty_processes_at_once_lose_and_duplicate_nothing(store, make_workshop, pulse):
    """Do 50 submissions from 50 separate processes (as 50 Voila kernels would make) all
    count exactly once?"""
    code = make_workshop(threshold=5)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PEOPLE)
    processes = [context.Process(target=_submit_in_process,
                                 args=(store.directory, code, n, answers_for(pulse, n), barrier))
                 for n in range(PEOPLE)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0] * PEOPLE
    results = store.host(code, PASSCODE).results()
    assert (results.responses, results.published) == (PEOPLE, PEOPLE)
    assert result_counts(results) == expected_counts(pulse, range(PEOPLE))


def test_the_same_form_sent_from_ten_threads_counts_once(store, make_workshop, pulse):
    """Is one form's token counted once even when its submissions race each other?"""
    code = make_workshop(threshold=3)
    token = secrets.token_urlsafe(24)
    start = threading.Barrier(10)
    outcomes = []

    def press():
        start.wait()
        outcomes.append(WorkshopStore(store.directory).submit(code, token, answers_for(pulse, 1)))

    threads = [threading.Thread(target=press) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == [False] * 9 + [True]
    assert store.responses(code) == 1


# --- double submits, separate workshops ----------------------------------------------------------


def test_a_double_submit_counts_once(make_workshop, answer, store):
    """Does sending the same form (same token) twice count once, and say so?"""
    code = make_workshop()
    assert answer(code, 2, token="same-token-for-both-presses") is True
    assert answer(code, 4, token="same-token-for-both-presses") is False
    assert store.responses(code) == 1


def test_two_workshops_do_not_mix(make_workshop, answer, store):
    """Do answers to one workshop never reach another running at the same time, even with
    the same token?"""
    first, second = make_workshop(threshold=3, name="Morning"), make_workshop(threshold=3, name="Afternoon")
    for _ in range(3):
        answer(first, 0)
    for _ in range(4):
        answer(second, 4)
    assert answer(first, 1, token="shared-token-in-both-rooms") and answer(second, 1, token="shared-token-in-both-rooms")
    one, two = store.host(first, PASSCODE).results(), store.host(second, PASSCODE).results()
    assert (one.responses, two.responses) == (4, 5)
    assert one.items[0].counts == [3, 0, 0, 0, 0]
    assert two.items[0].counts == [0, 0, 0, 0, 3]


# --- thresholds and batches ------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [2, 1, 0, -5])
def test_the_threshold_is_never_below_three(make_workshop, threshold):
    """Is a threshold below 3 refused, with a reason?"""
    with pytest.raises(ValueError, match="cannot be below 3"):
        make_workshop(threshold=threshold)


def test_the_database_itself_refuses_a_threshold_below_three(make_workshop, store):
    """Does the table refuse a threshold below 3 even if written around the store?"""
    code = make_workshop(threshold=3)
    with pytest.raises(sqlite3.IntegrityError):
        with sqlite3.connect(store.path) as db:
            db.execute("UPDATE workshops SET threshold = 2 WHERE code = ?", (code,))
    assert check_threshold(3) == 3
    with pytest.raises(ValueError):
        check_threshold(True)


def test_results_with_seven_answers_and_k_five_come_from_five(make_workshop, answer, store):
    """With k = 5 and 7 answers, are the results those of the first 5 only?"""
    code = make_workshop(threshold=5)
    for _ in range(5):
        answer(code, 0)
    for _ in range(2):
        answer(code, 4)
    results = store.host(code, PASSCODE).results()
    assert (results.responses, results.published, results.next_update) == (7, 5, 10)
    assert all(item.counts == [5, 0, 0, 0, 0] for item in results.items)
    for _ in range(3):
        answer(code, 4)
    results = store.host(code, PASSCODE).results()
    assert results.published == 10
    assert all(item.counts == [5, 0, 0, 0, 5] for item in results.items)


def test_nothing_is_shown_below_the_threshold(make_workshop, answer, store):
    """Below the threshold, are there no counts at all (only the number who answered)?"""
    code = make_workshop(threshold=5)
    for _ in range(4):
        answer(code, 1)
    results = store.host(code, PASSCODE).results()
    assert (results.responses, results.published, results.shown) == (4, 0, False)
    assert all(item.counts is None for item in results.items)


def test_no_answer_is_kept_beyond_the_batch_being_filled(make_workshop, answer, store):
    """Once a batch is full, are its separate answers deleted (only combined counts stay),
    and does no table hold a time, a name or an address?"""
    code = make_workshop(threshold=3)
    for person in range(7):
        answer(code, person % 5)
    assert rows(store, "SELECT COUNT(DISTINCT member) FROM pending WHERE workshop = ?", code) == [(1,)]
    columns = {table: [c[1] for c in rows(store, f"PRAGMA table_info({table})")]
               for table in ("tokens", "pending", "published")}
    assert columns == {"tokens": ["workshop", "token"], "pending": ["workshop", "member", "item", "option"],
                       "published": ["workshop", "item", "option", "people"]}
    assert rows(store, "PRAGMA journal_mode") == [("wal",)]


def test_incomplete_or_wrong_answers_are_refused_and_nothing_is_kept(make_workshop, store, pulse):
    """Is a form with a missing, unknown or impossible answer refused, keeping nothing?"""
    code = make_workshop()
    answers = {item["id"]: 0 for item in pulse["items"]}
    for bad in ({**answers, "autonomy": None}, {**answers, "autonomy": 5}, {**answers, "extra": 1},
                {**answers, "autonomy": True}):
        with pytest.raises(ValueError):
            store.submit(code, secrets.token_urlsafe(24), bad)
    assert store.responses(code) == 0


# --- passcodes, codes, deletion ----------------------------------------------------------------


def test_a_wrong_passcode_is_refused_after_a_delay(make_workshop, store, monkeypatch):
    """Is a wrong passcode refused, after a short delay, and the right one accepted?"""
    monkeypatch.setattr(store_module, "WRONG_PASSCODE_DELAY", 0.3)
    code = make_workshop()
    started = time.monotonic()
    with pytest.raises(WrongPasscode, match="not right"):
        store.host(code, "kettle-rota-windoW")
    assert time.monotonic() - started >= 0.3
    assert store.host(code.lower(), PASSCODE).code == code
    with pytest.raises(UnknownWorkshop):
        store.host("ABCDEF" if code != "ABCDEF" else "ABCDEG", PASSCODE)


def test_only_a_salted_hash_of_the_passcode_is_stored(make_workshop, store):
    """Is the passcode absent from the database, with a different salt per workshop?"""
    make_workshop()
    make_workshop()
    data = b"".join(p.read_bytes() for p in store.directory.iterdir() if p.is_file())
    assert PASSCODE.encode() not in data
    hashes = rows(store, "SELECT passcode_kdf, passcode_salt, passcode_hash FROM workshops")
    assert len({h[1] for h in hashes}) == 2 and len({h[2] for h in hashes}) == 2
    assert all(h[0].startswith("scrypt:") for h in hashes)


def test_short_passcodes_and_empty_names_are_refused(store, pulse):
    with pytest.raises(ValueError, match="at least 6"):
        store.create("Ward leaders", pulse, "12345")
    with pytest.raises(ValueError, match="name"):
        store.create("   ", pulse, PASSCODE)


def test_codes_are_read_forgivingly(make_workshop, store):
    """Are codes accepted in lower case with spaces or dashes, and nonsense refused plainly?"""
    code = make_workshop()
    spaced = f" {code[:3].lower()} - {code[3:].lower()} "
    assert store.workshop(spaced)["code"] == code
    assert normalise_code(code) == code
    for bad in ("", "ABC", "ABCDEF1", "ABC<b>", None):
        with pytest.raises(UnknownWorkshop, match="is not a workshop code"):
            normalise_code(bad)


def test_delete_removes_only_that_workshop(make_workshop, answer, store):
    """Does deleting a workshop remove it and all its answers, and nothing of another?"""
    gone, kept = make_workshop(threshold=3), make_workshop(threshold=3)
    for _ in range(4):
        answer(gone, 1)
        answer(kept, 2)
    assert store.host(gone, PASSCODE).delete() is True
    with pytest.raises(UnknownWorkshop):
        store.workshop(gone)
    with pytest.raises(UnknownWorkshop):
        store.host(gone, PASSCODE)
    with pytest.raises(UnknownWorkshop):
        answer(gone, 0)
    for table in ("tokens", "pending", "published", "workshops"):
        column = "code" if table == "workshops" else "workshop"
        assert rows(store, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", gone) == [(0,)]
    results = store.host(kept, PASSCODE).results()
    assert (results.responses, results.published, results.items[0].counts) == (4, 3, [0, 0, 3, 0, 0])


def test_list_names_each_workshop_without_answers(make_workshop, answer, store):
    code = make_workshop(threshold=4)
    answer(code, 0)
    [listed] = store.list()
    assert listed["code"] == code and listed["responses"] == 1 and listed["threshold"] == 4
    assert listed["pulse"] == "Core needs and speaking up"


def test_an_unusable_folder_gives_a_plain_error(tmp_path):
    """Is a store folder that cannot be made reported as a WorkshopError, not a crash?"""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(store_module.StoreError, match="cannot be created"):
        WorkshopStore(blocker / "store").list()
