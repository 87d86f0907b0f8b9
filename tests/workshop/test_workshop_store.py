"""The workshop store: concurrency, double submits, separate workshops, thresholds, batches,
one-word answers, the host's controls, passcodes and deletion.

Every test here runs twice: on SQLite (the default) and on a real PostgreSQL server (the
``postgres_url`` fixture), through the same store code."""

import json
import multiprocessing
import secrets
import threading
import time

import pytest

from leadership_course.workshop import store as store_module
from leadership_course.workshop.store import (FormRefused, PulseClosed, StoreError, UnknownWorkshop, WorkshopStore, WrongPasscode,
                                              check_threshold, normalise_code, normalise_word)

from workshop_helpers import PASSCODE

PEOPLE = 50


WORDS = ("calm", "busy", "hopeful")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    """An empty store: a SQLite file, or a fresh schema on the session's PostgreSQL."""
    if request.param == "sqlite":
        folder = tmp_path / "workshops"
        monkeypatch.setenv(store_module.STORE_DIR_VARIABLE, str(folder))
        return WorkshopStore(folder)
    return request.getfixturevalue("postgres_store")()


def same_store(store):
    """Another store object on the same database (as another thread or process opens it)."""
    return WorkshopStore(store.directory, store.database_url)


def answers_for(pulse, person):
    """Person n's answers: option n % 5 for the first item, (n // 5) % 5 for the others, and
    word n % 3 of WORDS."""
    answers = {item["id"]: (person % 5 if index == 0 else (person // 5) % 5)
               for index, item in enumerate(pulse["items"]) if item["type"] == "choice"}
    return {**answers, "team-in-one-word": WORDS[person % 3]}


def expected_counts(pulse, people):
    counts = {item["id"]: [0] * len(item["options"]) for item in pulse["items"] if item["type"] == "choice"}
    for person in people:
        for item_id, option in answers_for(pulse, person).items():
            if item_id in counts:
                counts[item_id][option] += 1
    return counts


def result_counts(results):
    return {item.id: item.counts for item in results.items if item.kind == "choice"}


def issued(store, code, device=None, run=1):
    """(token, device): a form the store issued to a device (a new one unless given)."""
    device = device or store.new_device()
    return store.form_token(code, run, device), device


def rows(store, sql, *args):
    with store._transaction(write=False) as db:
        return [tuple(row) for row in db.execute(sql, args).fetchall()]


# --- concurrency ---------------------------------------------------------------------------


def test_fifty_threads_at_once_lose_and_duplicate_nothing(store, make_workshop, pulse):
    """Do 50 submissions from 50 threads, released together, all count exactly once?"""
    code = make_workshop(threshold=5)
    start = threading.Barrier(PEOPLE)
    outcomes, errors = [], []
    forms = [issued(store, code) for _ in range(PEOPLE)]

    def person(number):
        try:
            start.wait()
            outcomes.append(same_store(store).submit(code, *forms[number], answers_for(pulse, number)))
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


def _submit_in_process(directory, url, code, form, answers, barrier):
    barrier.wait(60)
    counted = WorkshopStore(directory, url).submit(code, *form, answers)
    raise SystemExit(0 if counted else 3)


def test_fifty_processes_at_once_lose_and_duplicate_nothing(store, make_workshop, pulse):
    """Do 50 submissions from 50 separate processes (as 50 Voila kernels would make) all
    count exactly once?"""
    code = make_workshop(threshold=5)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PEOPLE)
    processes = [context.Process(target=_submit_in_process,
                                 args=(store.directory, store.database_url, code, issued(store, code),
                                       answers_for(pulse, n),
                                       barrier))
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
    """Is one form counted once even when its submissions race each other?"""
    code = make_workshop(threshold=3)
    token, device = issued(store, code)
    start = threading.Barrier(10)
    outcomes = []

    def press():
        start.wait()
        outcomes.append(same_store(store).submit(code, token, device, answers_for(pulse, 1)))

    threads = [threading.Thread(target=press) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == [False] * 9 + [True]
    assert store.responses(code) == 1


def test_forms_stored_together_count_as_if_sent_one_by_one(store, make_workshop, pulse):
    """Group commit: 23 forms in one transaction (submit_many), among them a double tap, a
    made-up token, a form from the host's browser, one with a gap and one for a workshop that
    does not exist, crossing the threshold of 5 four times. Is each form's outcome, and are
    the results, the waiting answers and the words, exactly what sending them one by one
    gives?"""
    together, one_by_one = make_workshop(threshold=5), make_workshop(threshold=5)
    host_device = store.new_device()
    for code in (together, one_by_one):
        store.mark_host_device(code, host_device)
        for person in range(3):  # three answers already waiting for a full batch
            store.submit(code, *issued(store, code), answers_for(pulse, 100 + person))

    def forms(code):
        devices = [store.new_device() for _ in range(20)]
        listed = [(code, store.form_token(code, 1, device), device, answers_for(pulse, n))
                  for n, device in enumerate(devices)]
        listed.insert(4, listed[2])  # a double tap
        listed.insert(7, (code, "1.made-up-token", devices[5], answers_for(pulse, 5)))
        listed.insert(9, (code, store.form_token(code, 1, host_device), host_device, answers_for(pulse, 0)))
        gap = answers_for(pulse, 1)
        del gap["team-in-one-word"]
        listed.insert(11, (code, *issued(store, code), gap))
        listed.insert(12, ("ZZZZZZ", store.form_token("ZZZZZZ", 1, devices[0]), devices[0], answers_for(pulse, 0)))
        return listed

    outcomes = store.submit_many(forms(together))
    expected = []
    for form in forms(one_by_one):
        try:
            expected.append(store.submit(*form))
        except (ValueError, store_module.WorkshopError) as error:
            expected.append(error)
    kinds = [type(outcome).__name__ if isinstance(outcome, Exception) else outcome for outcome in outcomes]
    assert kinds == [type(outcome).__name__ if isinstance(outcome, Exception) else outcome for outcome in expected]
    assert kinds.count(True) == 20 and kinds[4] is False
    assert {kinds[7], kinds[9]} == {"FormRefused"} and kinds[11] == "ValueError" and kinds[12] == "UnknownWorkshop"
    assert [str(a) for a in outcomes if isinstance(a, Exception)] == [str(b) for b in expected if isinstance(b, Exception)]
    first, second = (store.host(code, PASSCODE).results() for code in (together, one_by_one))
    assert (first.responses, first.published) == (second.responses, second.published) == (23, 20)
    assert [(item.counts, item.words) for item in first.items] == [(item.counts, item.words) for item in second.items]
    for table in ("pending", "pending_words", "published", "published_words"):
        sql = f"SELECT * FROM {table} WHERE workshop = ? ORDER BY 2, 3, 4"
        assert [row[1:] for row in rows(store, sql, together)] == [row[1:] for row in rows(store, sql, one_by_one)]
    assert len(rows(store, "SELECT DISTINCT member FROM pending WHERE workshop = ?", together)) == 3


def test_the_server_stores_a_rooms_answers_together_and_answers_each_after_its_commit(store, make_workshop, pulse):
    """The server's group commit (server.GroupCommit, on an event loop as the server runs it):
    60 forms handed in at the same moment. Are they stored in fewer transactions than forms,
    each counted once; and when each phone is answered, is its form already committed (seen
    from another connection)?"""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from leadership_course.workshop.server import GroupCommit

    code = make_workshop(threshold=5)
    transactions, submit_many = [], store.submit_many

    def counted(forms):
        transactions.append(len(forms))
        return submit_many(forms)

    store.submit_many = counted
    reader, forms = same_store(store), [issued(store, code) for _ in range(PEOPLE + 10)]

    async def room():
        committer = GroupCommit(store, ThreadPoolExecutor(4))

        async def phone(number):
            token, device = forms[number]
            stored = await committer.submit(code, token, device, answers_for(pulse, number))
            seen = rows(reader, "SELECT COUNT(*) FROM tokens WHERE workshop = ? AND token = ?", code,
                        store._device_key(code, device))
            return stored, seen

        return await asyncio.gather(*(phone(number) for number in range(len(forms))))

    answered = []  # a thread of its own: a browser test's event loop may be running in this one
    runner = threading.Thread(target=lambda: answered.extend(asyncio.run(room())))
    runner.start()
    runner.join(60)
    assert answered == [(True, [(1,)])] * len(forms)
    assert sum(transactions) == len(forms) and len(transactions) < len(forms) / 4, transactions
    assert store.responses(code) == len(forms)


# --- double submits, separate workshops ----------------------------------------------------------


def test_a_double_submit_counts_once(make_workshop, answer, store):
    """Does sending a form twice, or a second form from the same device, count once, and say so?"""
    code = make_workshop()
    device = store.new_device()
    assert answer(code, 2, device=device) is True
    assert answer(code, 4, device=device) is False
    assert store.responses(code) == 1


def test_two_workshops_do_not_mix(make_workshop, answer, store):
    """Do answers to one workshop never reach another running at the same time, even with
    the same device?"""
    first, second = make_workshop(threshold=3, name="Morning"), make_workshop(threshold=3, name="Afternoon")
    for _ in range(3):
        answer(first, 0)
    for _ in range(4):
        answer(second, 4)
    device = store.new_device()
    assert answer(first, 1, device=device) and answer(second, 1, device=device)
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
    with pytest.raises(StoreError):
        with store._transaction(write=True) as db:
            db.execute("UPDATE workshops SET threshold = 2 WHERE code = ?", (code,))
    assert rows(store, "SELECT threshold FROM workshops WHERE code = ?", code) == [(3,)]
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
    assert all(item.counts == [5, 0, 0, 0, 0] for item in results.items if item.kind == "choice")
    for _ in range(3):
        answer(code, 4)
    results = store.host(code, PASSCODE).results()
    assert results.published == 10
    assert all(item.counts == [5, 0, 0, 0, 5] for item in results.items if item.kind == "choice")


def test_nothing_is_shown_below_the_threshold(make_workshop, answer, store):
    """Below the threshold, are there no counts at all (only the number who answered)?"""
    code = make_workshop(threshold=5)
    for _ in range(4):
        answer(code, 1)
    results = store.host(code, PASSCODE).results()
    assert (results.responses, results.published, results.shown) == (4, 0, False)
    assert all(item.counts is None and item.words is None for item in results.items)


def test_no_answer_is_kept_beyond_the_batch_being_filled(make_workshop, answer, store):
    """Once a batch is full, are its separate answers deleted (only combined counts stay),
    and does no table hold a time, a name or an address?"""
    code = make_workshop(threshold=3)
    for person in range(7):
        answer(code, person % 5)
    assert rows(store, "SELECT COUNT(DISTINCT member) FROM pending WHERE workshop = ?", code) == [(1,)]
    assert rows(store, "SELECT COUNT(*) FROM pending_words WHERE workshop = ?", code) == [(1,)]
    with store._transaction(write=False) as db:
        columns = {table: [c[0] for c in db.execute(f"SELECT * FROM {table} LIMIT 0").description]
                   for table in ("tokens", "pending", "published", "pending_words", "published_words")}
    assert columns == {"tokens": ["workshop", "token"], "pending": ["workshop", "member", "item", "option"],
                       "published": ["workshop", "item", "option", "people"],
                       "pending_words": ["workshop", "member", "item", "word"],
                       "published_words": ["workshop", "item", "word", "people"]}
    if store.database.kind == "sqlite":
        assert rows(store, "PRAGMA journal_mode") == [("wal",)]


def test_incomplete_or_wrong_answers_are_refused_and_nothing_is_kept(make_workshop, store, pulse):
    """Is a form with a missing, unknown or impossible answer refused, keeping nothing?"""
    code = make_workshop()
    answers = answers_for(pulse, 0)
    for bad in ({**answers, "autonomy": None}, {**answers, "autonomy": 5}, {**answers, "extra": 1},
                {**answers, "autonomy": True}, {**answers, "team-in-one-word": "two words"},
                {**answers, "team-in-one-word": ""}, {**answers, "team-in-one-word": 3},
                {**answers, "team-in-one-word": "<script>"}, "not a dict"):
        with pytest.raises(ValueError):
            store.submit(code, *issued(store, code), bad)
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
    if store.database.kind == "sqlite":
        data = b"".join(p.read_bytes() for p in store.directory.iterdir() if p.is_file())
        assert PASSCODE.encode() not in data
    assert PASSCODE not in repr(rows(store, "SELECT * FROM workshops"))
    hashes = [(kdf, bytes(salt), bytes(digest)) for kdf, salt, digest in
              rows(store, "SELECT passcode_kdf, passcode_salt, passcode_hash FROM workshops")]
    assert len({h[1] for h in hashes}) == 2 and len({h[2] for h in hashes}) == 2
    assert all(h[0].startswith("scrypt:") for h in hashes)


def test_weak_passcodes_and_empty_names_are_refused(store, pulse):
    """Passcodes that guessing could find: short, only digits, one character repeated."""
    for weak, reason in (("12345", "at least 10"), ("kettle-rot", None), ("1234567890", "too easy"),
                         ("aaaaaaaaaaaa", "too easy"), ("abababababab", "too easy")):
        if reason is None:  # ten characters of words: accepted
            assert store.create("Ward leaders", pulse, weak)
            continue
        with pytest.raises(ValueError, match=reason):
            store.create("Ward leaders", pulse, weak)
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
    for table in ("tokens", "pending", "published", "pending_words", "published_words", "workshops"):
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


# --- one-word answers ---------------------------------------------------------------------------


def test_a_word_is_shown_only_once_the_threshold_number_of_people_gave_it(make_workshop, answer, store):
    """With k = 3: is a word given by 3 people shown, and a word given by 1 or 2 never, in the
    results or the data the pages and the API are made from?"""
    code = make_workshop(threshold=3)
    for word in ("Tired", "tired.", "TIRED", "hopeful", "hopeful", "Zanzibar"):
        answer(code, 1, word=word)
    results = store.host(code, PASSCODE).results()
    [item] = [item for item in results.items if item.kind == "word"]
    assert results.published == 6 and [(w.word, w.people) for w in item.words] == [("tired", 3)]
    exported = json.dumps(results.as_dict(with_hidden=True))
    assert "hopeful" not in exported and "zanzibar" not in exported.lower()


def test_words_count_only_from_published_batches(make_workshop, answer, store):
    """With k = 3 and 5 answers, do the two unpublished answers' words stay out of the counts
    until their batch is full?"""
    code = make_workshop(threshold=3)
    for word in ("calm", "calm", "busy", "calm", "calm"):
        answer(code, 0, word=word)
    [item] = [i for i in store.host(code, PASSCODE).results().items if i.kind == "word"]
    assert item.words == []  # 'calm' twice in the first batch: below 3
    answer(code, 0, word="calm")
    [item] = [i for i in store.host(code, PASSCODE).results().items if i.kind == "word"]
    assert [(w.word, w.people) for w in item.words] == [("calm", 5)]


def test_a_hidden_word_leaves_the_screen_and_comes_back_only_when_shown_again(make_workshop, answer, store):
    code = make_workshop(threshold=3)
    for word in ("calm", "calm", "calm", "rota", "rota", "rota"):
        answer(code, 2, word=word)
    host = store.host(code, PASSCODE)
    assert host.screen() is None
    assert host.show_on_screen() == 6
    words = lambda results: [w.word for i in results.items if i.kind == "word" for w in i.words]  # noqa: E731
    assert sorted(words(host.screen())) == ["calm", "rota"]
    host.hide_word("team-in-one-word", "rota")
    assert words(host.screen()) == ["calm"]
    assert [(w.word, w.hidden) for i in host.results().items if i.kind == "word" for w in i.words] == [
        ("calm", False), ("rota", True)]
    assert "rota" not in json.dumps(host.results().as_dict())
    host.hide_word("team-in-one-word", "rota", hidden=False)
    assert words(host.screen()) == ["calm"]
    host.show_on_screen()
    assert sorted(words(host.screen())) == ["calm", "rota"]


@pytest.mark.parametrize("typed, kept", [("Tired", "tired"), (" hope-ful! ", "hope-ful"), ("don\u2019t", "don't"),
                                         ("don\u02bct", "don't"), ("Ça", "ça")])
def test_words_are_read_forgivingly(typed, kept):
    assert normalise_word(typed, "One word") == kept


@pytest.mark.parametrize("typed, reason", [
    ("c\u0430lm", "one alphabet"),          # a Cyrillic 'а' inside a Latin word: looks like "calm"
    ("\u3164", "up to 30 letters"),         # the Hangul filler: a letter that shows as nothing
    ("calm\u3164", "up to 30 letters"),
    ("ca\u034flm", "up to 30 letters"),    # the grapheme joiner: a mark that shows as nothing
    ("calm\ufe0f", "up to 30 letters"),    # a variation selector
    ("\U0001f600", "no emoji"),
    ("a" * 31, "up to 30 letters"),
])
def test_look_alike_and_invisible_words_are_refused_saying_why(typed, reason):
    with pytest.raises(ValueError, match=reason):
        normalise_word(typed, "One word")


@pytest.mark.parametrize("typed", ["\u697d\u3057\u3044", "\u30b3\u30fc\u30d2\u30fc",
                                   "\u0928\u092e\u0938\u094d\u0924\u0947", "\u0e44\u0e21\u0e48",
                                   "\u0645\u0631\u062d\u0628\u0627"])
def test_words_in_other_languages_are_taken_as_typed(typed):
    """Japanese (kanji with kana), Hindi and Thai (vowel signs and tone marks on letters) and
    Arabic words are one word in one script, not look-alikes."""
    assert normalise_word(typed, "One word") == typed


def test_full_width_letters_count_as_the_usual_word():
    assert normalise_word("\uff43\uff41\uff4c\uff4d", "One word") == "calm"


def test_a_right_to_left_override_in_the_name_is_removed(store, pulse):
    """The name is shown on every page: invisible formatting characters (here U+202E, which
    reverses the text after it) are taken out when the workshop is made."""
    code = store.create("Ward \u202eleaders\u202c, 21 Nov", pulse, PASSCODE, 3)
    assert store.workshop(code)["name"] == "Ward leaders, 21 Nov"


# --- the host's controls ------------------------------------------------------------------------


def test_the_screen_shows_only_what_the_host_put_there(make_workshop, answer, store):
    """Does the screen keep the results the host showed (not newer ones), refuse to show
    anything below the threshold, and go blank when cleared?"""
    code = make_workshop(threshold=3)
    host = store.host(code, PASSCODE)
    answer(code, 0)
    with pytest.raises(ValueError, match="at least 3 answers"):
        host.show_on_screen()
    answer(code, 0)
    answer(code, 0)
    host.show_on_screen()
    for _ in range(3):
        answer(code, 4)
    screen = host.screen()
    assert screen.published == 3 and screen.items[0].counts == [3, 0, 0, 0, 0]
    assert host.results().published == 6 and host.results().on_screen == 3
    host.clear_screen()
    assert host.screen() is None and host.results().on_screen == 0


def test_a_closed_pulse_takes_no_answers_but_still_knows_a_form_already_sent(make_workshop, answer, store):
    code = make_workshop(threshold=3)
    host = store.host(code, PASSCODE)
    device = store.new_device()
    assert answer(code, 1, device=device) is True
    host.set_accepting(False)
    assert store.workshop(code)["accepting"] is False
    with pytest.raises(PulseClosed, match="closed the pulse"):
        answer(code, 1)
    assert answer(code, 1, device=device) is False
    host.set_accepting(True)
    assert answer(code, 1) is True and store.responses(code) == 2


def test_a_new_round_starts_empty_and_refuses_forms_from_the_last_one(make_workshop, answer, store, pulse):
    """After a reset: are the answers, tokens, words and screen gone, the round raised, and a
    form loaded before the reset refused rather than counted in the new round?"""
    code = make_workshop(threshold=3)
    host = store.host(code, PASSCODE)
    for _ in range(4):
        answer(code, 3, word="calm")
    host.hide_word("team-in-one-word", "calm")
    host.show_on_screen()
    host.set_accepting(False)
    assert store.workshop(code)["run"] == 1
    assert host.reset() == 2
    workshop = store.workshop(code)
    assert (workshop["run"], workshop["accepting"]) == (2, True)
    results = host.results()
    assert (results.responses, results.published, results.on_screen) == (0, 0, 0)
    for table in ("tokens", "pending", "published", "pending_words", "published_words", "hidden_words"):
        assert rows(store, f"SELECT COUNT(*) FROM {table} WHERE workshop = ?", code) == [(0,)]
    with pytest.raises(PulseClosed, match="new round"):
        store.submit(code, *issued(store, code, run=1), answers_for(pulse, 1))
    assert store.submit(code, *issued(store, code, run=2), answers_for(pulse, 1)) is True


# --- form tokens: issued by the server, one answer per device per round ----------------------


def test_a_made_up_token_is_refused_and_nothing_is_kept(make_workshop, store, pulse):
    """Forms the server never issued: a random string, a token changed by one letter, no
    token, a token without a device cookie, or a token from another workshop: each refused
    with its reason, none counted."""
    code, other = make_workshop(threshold=3), make_workshop(threshold=3, name="Other room")
    token, device = issued(store, code)
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad_token, bad_device in ((secrets.token_urlsafe(24), device), (changed, device), ("", device),
                                  (token, None), (issued(store, other, device)[0], device)):
        with pytest.raises(FormRefused, match="was not given to this browser|did not send back"):
            store.submit(code, bad_token, bad_device, answers_for(pulse, 1))
    assert store.responses(code) == 0


def test_a_token_carried_to_another_device_is_refused(make_workshop, store, pulse):
    """A form opened on one phone and sent from another browser (another device cookie)."""
    code = make_workshop(threshold=3)
    token, _ = issued(store, code)
    with pytest.raises(FormRefused, match="was not given to this browser"):
        store.submit(code, token, store.new_device(), answers_for(pulse, 1))
    assert store.responses(code) == 0


def test_a_token_from_another_round_is_refused(make_workshop, store, pulse):
    """A token from round 1 sent in round 2, and a token made for round 3 that has not begun."""
    code = make_workshop(threshold=3)
    device = store.new_device()
    store.host(code, PASSCODE).reset()
    for run in (1, 3):
        with pytest.raises(PulseClosed, match="new round"):
            store.submit(code, *issued(store, code, device, run=run), answers_for(pulse, 1))
    assert store.responses(code) == 0
    assert store.submit(code, *issued(store, code, device, run=2), answers_for(pulse, 1)) is True


def test_the_hosts_browser_cannot_answer(make_workshop, store, pulse):
    """Once the host has signed in on a browser, does that browser's form count nowhere, in
    this round or the next?"""
    code = make_workshop(threshold=3)
    device = store.new_device()
    store.mark_host_device(code, device)
    host = store.host(code, PASSCODE)
    for _ in range(2):
        with pytest.raises(FormRefused, match="signed in as the host"):
            store.submit(code, *issued(store, code, device, run=host.results().run), answers_for(pulse, 1))
        host.reset()
    assert store.responses(code) == 0


def test_differencing_with_forms_from_one_device_reveals_nothing(make_workshop, store, pulse):
    """The attack found in review, with k = 5: one person answers, then the host sends four
    forms of their own from one browser (fresh forms each time) to fill the batch. Is only
    one of the four counted, so the batch stays unpublished and the results show nothing?"""
    code = make_workshop(threshold=5)
    assert store.submit(code, *issued(store, code), answers_for(pulse, 3)) is True
    hosts_phone = store.new_device()
    outcomes = [store.submit(code, *issued(store, code, hosts_phone), answers_for(pulse, 0)) for _ in range(4)]
    assert outcomes == [True, False, False, False]
    results = store.host(code, PASSCODE).results()
    assert (results.responses, results.published, results.shown) == (2, 0, False)
    assert all(item.counts is None and item.words is None for item in results.items)


def test_the_stored_device_is_a_keyed_hash_that_differs_between_workshops(make_workshop, answer, store):
    """The device cookie itself is never stored, and one phone in two workshops leaves two
    unrelated values."""
    first, second = make_workshop(threshold=3), make_workshop(threshold=3, name="Afternoon")
    device = store.new_device()
    answer(first, 1, device=device)
    answer(second, 1, device=device)
    stored = rows(store, "SELECT token FROM tokens")
    assert len(stored) == 2 and stored[0] != stored[1]
    assert all(device not in value for (value,) in stored)


def test_the_server_key_is_made_once_and_kept(store, tmp_path):
    """Does a second store object on the same folder (a restarted server) get the same keys?"""
    again = WorkshopStore(store.directory, store.database_url)
    assert store.server_key("forms") == again.server_key("forms")
    assert store.server_key("forms") != store.server_key("cookies")


def test_an_older_store_gains_the_new_columns(tmp_path, pulse):
    """Does a SQLite store made before open/close, rounds and the screen still open, with
    its workshops open and in round 1?"""
    import sqlite3

    folder = tmp_path / "old"
    folder.mkdir()
    with sqlite3.connect(folder / store_module.DB_FILE) as db:
        db.execute("CREATE TABLE workshops (code TEXT PRIMARY KEY, name TEXT NOT NULL, pulse TEXT NOT NULL, "
                   "threshold INTEGER NOT NULL CHECK (threshold >= 3), passcode_kdf TEXT NOT NULL, "
                   "passcode_salt BLOB NOT NULL, passcode_hash BLOB NOT NULL, created_day TEXT NOT NULL, "
                   "published INTEGER NOT NULL DEFAULT 0)")
        kdf, salt, digest = store_module.hash_passcode(PASSCODE)
        db.execute("INSERT INTO workshops VALUES ('K7QX2M', 'Old room', ?, 3, ?, ?, ?, '2026-11-21', 0)",
                   (json.dumps(pulse), kdf, salt, digest))
    workshop = WorkshopStore(folder).workshop("K7QX2M")
    assert (workshop["name"], workshop["accepting"], workshop["run"]) == ("Old room", True, 1)


def test_an_unreachable_postgresql_gives_a_plain_error(tmp_path):
    """Is a PostgreSQL address that answers nothing reported plainly, not as a crash?"""
    from leadership_course.voila.launch import free_port

    store = WorkshopStore(tmp_path, f"postgresql://pulse@127.0.0.1:{free_port()}/none?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot connect to postgresql://127.0.0.1"):
        store.list()
    with pytest.raises(StoreError, match="must start with postgresql://"):
        WorkshopStore(tmp_path, "mysql://somewhere/db")
