"""The workshop store: anonymous pulse answers for any number of workshops.

SQLite by default (one file, no set-up); PostgreSQL when given an address (``--database``
or $COURSE_WORKSHOP_DATABASE), for an event served by several server processes. The same
code runs on both (see database.py): every change is one transaction that holds its
workshop's lock, so submissions queue and none reads a stale count; the forms that reach a
server together can share one (``submit_many``: one commit, one write to disk, with the
same outcome as sending them one by one). Every query names its workshop's code, so
workshops running at the same time never mix.

What is kept, and what is not
* A workshop: its code, name, the checked pulse (a copy, so later edits of the pulse
  file never shift its answers), the threshold, the day it was created, a salted scrypt
  hash of the host's passcode (never the passcode), whether the pulse is open, the round
  (``run``, raised by a reset) and what the room's screen shows (``screen``: a copy of
  results the host chose to show, or nothing).
* One row per device that answered this round (``tokens``, ``UNIQUE (workshop, token)``):
  a keyed hash of the random cookie the server gave that browser, different in every
  workshop, so it links nobody across workshops and says nothing about the person. A device
  is counted once per round: a form sent twice (double tap, resubmit, reload) or a second
  form from the same browser is not counted again. A form's token is issued by the server
  (``form_token``): signed with the store's key and bound to the workshop, the round and the
  browser's cookie, so a made-up token, a token from another round or one carried to another
  browser is refused. The browsers the host signed in on are kept (``host_devices``, the same
  keyed hash) and cannot answer.
* A server key (``server_keys``), made once: it signs the forms' tokens and the cookies, so
  a restarted server (or another server on the same PostgreSQL) accepts what it issued.
* Answers, with no name, no address, no time: while a batch of ``threshold`` answers is
  filling up, its answers wait in ``pending`` and ``pending_words``; when the batch is
  full they are added to the combined counts (``published``, ``published_words``) and the
  separate rows are deleted. Results are always those of the first floor(n / k) * k
  answers: two views differ by at least k people, so nobody's answers can be worked out
  by comparing them, as long as a batch holds k different people. (What this cannot stop:
  one person answering from several browsers of their own; see docs/workshop-pulse.md.)
* One-word answers are shown (to the host, the screen, the export) only as words given by
  at least ``threshold`` people in the published batches, and never a word the host hid
  (``hidden_words``). A rarer word stays in the database until the workshop is reset or
  deleted, and no page, file or API ever shows it.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from .database import DatabaseError, open_database

STORE_DIR_VARIABLE = "COURSE_WORKSHOP_DIR"
#: A PostgreSQL address (postgresql://...) to use instead of the SQLite file.
DATABASE_VARIABLE = "COURSE_WORKSHOP_DATABASE"
#: Set by ``workshop start`` for the server: the address participants open (shown to the host).
JOIN_URL_VARIABLE = "COURSE_WORKSHOP_JOIN_URL"
DB_FILE = "workshops.sqlite3"
DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3
MAX_THRESHOLD = 50
MIN_PASSCODE = 10
MAX_WORD = 30
#: Workshop codes: no 0/O, 1/I/L, so they can be read aloud and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: Seconds to wait before saying a passcode is wrong (slows down guessing).
WRONG_PASSCODE_DELAY = 1.0
#: scrypt settings for new passcodes (about 16 MB and 50 ms per check).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS workshops (
      code TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      pulse TEXT NOT NULL,
      threshold INTEGER NOT NULL CHECK (threshold >= 3),
      passcode_kdf TEXT NOT NULL,
      passcode_salt BLOB NOT NULL,
      passcode_hash BLOB NOT NULL,
      created_day TEXT NOT NULL,
      published INTEGER NOT NULL DEFAULT 0,
      accepting INTEGER NOT NULL DEFAULT 1,
      run INTEGER NOT NULL DEFAULT 1,
      screen TEXT)""",
    """CREATE TABLE IF NOT EXISTS tokens (
      workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
      token TEXT NOT NULL,
      UNIQUE (workshop, token))""",
    """CREATE TABLE IF NOT EXISTS pending (
      workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
      member INTEGER NOT NULL,
      item TEXT NOT NULL,
      option INTEGER NOT NULL,
      PRIMARY KEY (workshop, member, item))""",
    """CREATE TABLE IF NOT EXISTS published (
      workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
      item TEXT NOT NULL,
      option INTEGER NOT NULL,
      people INTEGER NOT NULL,
      PRIMARY KEY (workshop, item, option))""",
    """CREATE TABLE IF NOT EXISTS pending_words (
      workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
      member INTEGER NOT NULL,
      item TEXT NOT NULL,
      word TEXT NOT NULL,
      PRIMARY KEY (workshop, member, item))""",
    """CREATE TABLE IF NOT EXISTS published_words (
      workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
      item TEXT NOT NULL,
      word TEXT NOT NULL,
      people INTEGER NOT NULL,
      PRIMARY KEY (workshop, item, word))""",
    """CREATE TABLE IF NOT EXISTS hidden_words (
      workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
      item TEXT NOT NULL,
      word TEXT NOT NULL,
      PRIMARY KEY (workshop, item, word))""",
    """CREATE TABLE IF NOT EXISTS host_devices (
      workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
      device TEXT NOT NULL,
      UNIQUE (workshop, device))""",
    """CREATE TABLE IF NOT EXISTS server_keys (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL)""",
]
#: Columns added since the first version (an older SQLite store gets them on opening).
ADDED_COLUMNS = [("workshops", "accepting", "INTEGER NOT NULL DEFAULT 1"),
                 ("workshops", "run", "INTEGER NOT NULL DEFAULT 1"),
                 ("workshops", "screen", "TEXT")]
#: (answers waiting for a full batch, combined counts, the answer's column).
BATCH_TABLES = (("pending", "published", "option"), ("pending_words", "published_words", "word"))
#: Every table holding a workshop's answers (emptied by a reset, with the tokens).
ANSWER_TABLES = ("pending", "published", "pending_words", "published_words", "hidden_words", "tokens")
#: A browser's device cookie: random, made by the server (``new_device``).
DEVICE_LENGTH = 22


class WorkshopError(Exception):
    """A problem to tell the person plainly (the message is written for them)."""


class UnknownWorkshop(WorkshopError):
    pass


class WrongPasscode(WorkshopError):
    pass


class PulseClosed(WorkshopError):
    """The host has closed the pulse, or started a new round since the form was loaded."""


class FormRefused(WorkshopError):
    """A form this server did not give to this browser for this round, or the host's own browser."""


class StoreError(WorkshopError):
    """The database could not be read or written."""


def default_store_dir():
    """$COURSE_WORKSHOP_DIR, or a folder in the home folder."""
    chosen = os.environ.get(STORE_DIR_VARIABLE)
    return Path(chosen).expanduser() if chosen else Path.home() / "compassionate-leadership-workshops"


def normalise_code(text):
    """'k7q x2m' -> 'K7QX2M'; UnknownWorkshop for anything that cannot be a code."""
    code = "".join(str(text or "").split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        shown = str(text or "").strip()[:20]
        raise UnknownWorkshop(f"'{shown}' is not a workshop code. A code has {CODE_LENGTH} letters "
                              "and digits, for example K7QX2M.")
    return code


#: Letters that show as nothing (Hangul and half-width fillers): a word of them looks blank.
BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}
#: Marks that show as nothing (the grapheme joiner, variation selectors); other marks (Hindi's
#: vowel signs, Thai's tone marks) are part of the letter before them.
BLANK_MARKS = {"\u034f", "\u17b4", "\u17b5", *map(chr, range(0x180B, 0x1810)), *map(chr, range(0xFE00, 0xFE10)),
               *map(chr, range(0xE0100, 0xE01F0))}
#: Scripts one word is written in together (Japanese kanji with kana, Korean hangul with hanja).
EAST_ASIAN = {"CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL"}


def _alphabet(letter):
    """LATIN, CYRILLIC, ARABIC...: the first word of the letter's Unicode name (the East Asian
    scripts written together count as one)."""
    first = unicodedata.name(letter, "?").split()[0]
    return "CJK" if first in EAST_ASIAN else first


def normalise_word(text, label):
    """A one-word answer in lower case ('Tired.' -> 'tired'), or ValueError saying why not.
    Compatibility forms are folded (NFKC: full-width letters are the usual ones), and a word
    must be letters of one alphabet, so that look-alikes (a Cyrillic 'а' in a Latin word, an
    invisible filler) cannot pass for a word the room gave."""
    word = unicodedata.normalize("NFKC", str(text or "")).strip().strip(".,;:!?\"()")
    word = word.replace("\u2019", "'").replace("\u02bc", "'")  # the apostrophes phones type
    if not word:
        raise ValueError(f"The question '{label}' has no answer: type one word.")
    if any(c.isspace() for c in word):
        raise ValueError(f"'{label}': please type one word only, without spaces.")
    if (len(word) > MAX_WORD or not all(c.isalpha() or c in "-'" or _mark(c) and i for i, c in enumerate(word))
            or BLANK_LETTERS & set(word) or not any(c.isalpha() for c in word)):
        raise ValueError(f"'{label}': please type one word of up to {MAX_WORD} letters "
                         "(a dash or an apostrophe is fine; no emoji or symbols).")
    if len({_alphabet(c) for c in word if c.isalpha()}) > 1:
        raise ValueError(f"'{label}': please type the word in one alphabet (it mixes letters of "
                         "different alphabets that look alike).")
    return word.lower()


def _mark(character):
    """Is ``character`` a visible mark on the letter before it (an accent, a vowel sign)?"""
    return unicodedata.category(character) in ("Mn", "Mc") and character not in BLANK_MARKS


def plain_name(text):
    """A name with its spaces tidied and no invisible formatting characters (such as the
    right-to-left override, which would reverse the text around it on every page)."""
    return " ".join("".join(c for c in str(text or "") if unicodedata.category(c) != "Cf").split())


def passcode_problem(passcode):
    """Why a new passcode is too weak to guess safely, or None: at least MIN_PASSCODE
    characters, not only digits, not one character repeated."""
    text = str(passcode or "")
    if len(text) < MIN_PASSCODE:
        return (f"The passcode needs at least {MIN_PASSCODE} characters: three short words, such as "
                "kettle-rota-window, are easy to type and hard to guess.")
    if text.isdigit() or len(set(text)) < 4:
        return "The passcode is too easy to guess: use words, not only digits or one repeated character."
    return None


def check_threshold(threshold):
    """The threshold as a whole number from 3 to 50, or ValueError saying why not."""
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise ValueError("The threshold must be a whole number.")
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"The threshold cannot be below {MIN_THRESHOLD}: with fewer people, "
                         "someone's answers could be picked out.")
    if threshold > MAX_THRESHOLD:
        raise ValueError(f"The threshold cannot be above {MAX_THRESHOLD}.")
    return threshold


def hash_passcode(passcode, salt=None):
    """(kdf, salt, hash) for a passcode: scrypt with a random 16-byte salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    kdf = f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}"
    return kdf, salt, _derive(kdf, passcode, salt)


def _derive(kdf, passcode, salt):
    name, n, r, p = kdf.split(":")
    if name != "scrypt":
        raise StoreError(f"Unknown passcode scheme '{name}'.")
    return hashlib.scrypt(str(passcode).encode("utf-8"), salt=bytes(salt), n=int(n), r=int(r), p=int(p),
                          maxmem=128 * 1024 * 1024, dklen=32)


def item_kind(item):
    """'choice' (pick one of the options) or 'word' (type one word)."""
    return item.get("type", "choice")


@dataclass
class WordCount:
    word: str
    people: int
    hidden: bool = False


@dataclass
class ItemResult:
    id: str
    label: str
    prompt: str
    kind: str  # "choice" or "word"
    options: list
    counts: list  # people per option (published batches); None below the threshold or for words
    words: list  # WordCount for words given by at least `threshold` people; None below the threshold


@dataclass
class Results:
    code: str
    name: str
    pulse_title: str
    threshold: int
    responses: int  # every answered form this round
    published: int  # how many of them the combined results use: floor(n / k) * k
    items: list
    accepting: bool = True
    run: int = 1
    on_screen: int = 0  # how many answers the room's screen shows (0: no results on it)

    @property
    def shown(self):
        return self.published >= self.threshold

    @property
    def next_update(self):
        """The number of answers at which the results next change."""
        return self.published + self.threshold

    def as_dict(self, with_hidden=False):
        """The results as plain data (for JSON and the screen's copy); hidden words are left
        out unless ``with_hidden``."""
        data = asdict(self)
        for item in data["items"]:
            if item["words"] is not None:
                item["words"] = [w for w in item["words"] if with_hidden or not w["hidden"]]
        return data

    @classmethod
    def from_dict(cls, data):
        items = [ItemResult(**{**item, "words": None if item["words"] is None
                               else [WordCount(**w) for w in item["words"]]}) for item in data["items"]]
        return cls(**{**data, "items": items})


class WorkshopStore:
    """All workshops in one database; safe to use from many threads and processes."""

    def __init__(self, directory=None, database_url=None):
        self.directory = Path(directory).expanduser() if directory else default_store_dir()
        self.path = self.directory / DB_FILE
        self.database_url = database_url if database_url is not None else os.environ.get(DATABASE_VARIABLE)
        try:
            self.database = open_database(self.directory, self.database_url)
        except DatabaseError as error:
            raise StoreError(str(error)) from error
        self._ready = False
        self._key = None
        self._purpose_keys = {}

    def _transaction(self, write):
        if not self._ready:
            self._prepare()
        return _Guarded(self.database.transaction(write), write)

    def _prepare(self):
        """Create the database and its tables (once per object)."""
        try:
            self.database.create_schema(SCHEMA, ADDED_COLUMNS)
        except OSError as error:
            raise StoreError(f"The workshop folder {self.directory} cannot be created ({error}).") from error
        except DatabaseError as error:
            raise StoreError(f"The workshop store {self.database.describe()} cannot be opened ({error}).") from error
        self._ready = True

    def _locked_workshop(self, db, code, columns):
        """The workshop's row, locked for the rest of the transaction; UnknownWorkshop if gone."""
        row = db.execute(f"SELECT {columns} FROM workshops WHERE code = ?{self.database.lock}", (code,)).fetchone()
        if row is None:
            raise UnknownWorkshop(f"Workshop {code} has ended and its answers have been deleted.")
        return row

    def server_key(self, purpose):
        """32 secret bytes for ``purpose`` ("forms", "cookies"), from the store's key (made once,
        kept in the database, so every server on the store and every restart shares it)."""
        if self._key is None:
            with self._transaction(write=True) as db:
                db.execute("INSERT INTO server_keys (name, value) VALUES ('server', ?) ON CONFLICT (name) DO NOTHING",
                           (secrets.token_hex(32),))
                self._key = bytes.fromhex(db.execute("SELECT value FROM server_keys WHERE name = 'server'")
                                          .fetchone()[0])
        if purpose not in self._purpose_keys:
            self._purpose_keys[purpose] = hmac.digest(self._key, purpose.encode("ascii"), "sha256")
        return self._purpose_keys[purpose]

    def _sign(self, *parts):
        digest = hmac.digest(self.server_key("forms"), "\x1f".join(map(str, parts)).encode("utf-8"), "sha256")
        return base64.urlsafe_b64encode(digest[:18]).decode("ascii")

    @staticmethod
    def new_device():
        """A random value for a browser's device cookie."""
        return secrets.token_urlsafe(16)[:DEVICE_LENGTH]

    def form_token(self, code, run, device):
        """The token of a form for ``device`` (the browser's cookie) in round ``run``."""
        return f"{run}.{self._sign('form', normalise_code(code), run, device)}"

    def _device_key(self, code, device):
        """What is stored for a device: a keyed hash, different in every workshop."""
        return self._sign("device", code, device)

    # --- for the host -----------------------------------------------------------------------

    def create(self, name, pulse, passcode, threshold=DEFAULT_THRESHOLD):
        """Create a workshop for a checked pulse (see pulses.load_pulse); return its code."""
        name = plain_name(name)
        if not name:
            raise ValueError("Give the workshop a name, for example \"Ward leaders, 21 Nov\".")
        if len(name) > 120:
            raise ValueError("Keep the workshop's name to 120 characters.")
        problem = passcode_problem(passcode)
        if problem:
            raise ValueError(problem)
        check_threshold(threshold)
        kdf, salt, digest = hash_passcode(passcode)
        pulse_json = json.dumps(pulse, ensure_ascii=False)
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            with self._transaction(write=True) as db:
                added = db.execute(
                    "INSERT INTO workshops (code, name, pulse, threshold, passcode_kdf, "
                    "passcode_salt, passcode_hash, created_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (code) DO NOTHING",
                    (code, name, pulse_json, threshold, kdf, salt, digest, date.today().isoformat()),
                ).rowcount
            if added:
                return code
        raise StoreError("No free workshop code was found; please try again.")

    def host(self, code, passcode, wait=True):
        """A HostAccess for the workshop; WrongPasscode (after a short delay, unless the
        caller waits itself: ``wait=False``) if the passcode does not match."""
        code = normalise_code(code)
        with self._transaction(write=False) as db:
            row = db.execute("SELECT passcode_kdf, passcode_salt, passcode_hash FROM workshops "
                             "WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise UnknownWorkshop(f"There is no workshop {code} here. Check the code.")
        kdf, salt, expected = row
        if not hmac.compare_digest(_derive(kdf, str(passcode or ""), salt), bytes(expected)):
            if wait:
                time.sleep(WRONG_PASSCODE_DELAY)
            raise WrongPasscode(f"That passcode is not right for workshop {code}. Check it and try again.")
        return HostAccess(self, code)

    def mark_host_device(self, code, device):
        """Remember that the host signed in on this browser: it cannot answer this workshop."""
        code = normalise_code(code)
        device_key = self._device_key(code, device)
        with self._transaction(write=True) as db:
            db.execute("INSERT INTO host_devices (workshop, device) VALUES (?, ?) "
                       "ON CONFLICT (workshop, device) DO NOTHING", (code, device_key))

    def list(self):
        """Every workshop in the store (no answers): a list of dicts, newest first."""
        with self._transaction(write=False) as db:
            rows = db.execute(
                "SELECT code, name, pulse, threshold, created_day, "
                "(SELECT COUNT(*) FROM tokens WHERE tokens.workshop = workshops.code) "
                "FROM workshops ORDER BY created_day DESC, name").fetchall()
        return [{"code": code, "name": name, "pulse": json.loads(pulse)["title"], "threshold": threshold,
                 "created": day, "responses": responses}
                for code, name, pulse, threshold, day, responses in rows]

    # --- for participants -------------------------------------------------------------------

    def workshop(self, code):
        """What a participant's page needs: code, name, pulse, threshold, whether the pulse
        is open, and the round. Nothing about anyone's answers."""
        code = normalise_code(code)
        if not self._ready:
            self._prepare()
        try:
            row = self.database.read_one("SELECT name, pulse, threshold, accepting, run FROM workshops WHERE code = ?",
                                         (code,))
        except DatabaseError as error:
            raise StoreError(f"The workshop store could not be read ({error}).") from error
        if row is None:
            raise UnknownWorkshop(f"There is no workshop {code} here. It may have ended, or the code "
                                  "may be mistyped: check it with your host.")
        return {"code": code, "name": row[0], "pulse": json.loads(row[1]), "threshold": row[2],
                "accepting": bool(row[3]), "run": row[4]}

    def submit(self, code, token, device, answers):
        """Add one person's answers ({item id: option number, or the word typed}) from the
        form ``token`` sent by the browser whose cookie is ``device``; True if counted now,
        False if this device has answered this round already (counted once).
        FormRefused if the server did not issue this token to this device (or it is the
        host's browser); PulseClosed if the host has closed the pulse or started a new round."""
        [outcome] = self.submit_many([(code, token, device, answers)])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def submit_many(self, forms):
        """Store several people's forms, each (code, token, device, answers), in ONE
        transaction: one write to disk for all of them (group commit; the server gathers the
        forms that arrive together). Returns, in order, what ``submit`` would return for each
        form sent one after another, or the error it would raise (as a value). Raises
        StoreError if the transaction fails: then none of them is stored."""
        outcomes, groups = [None] * len(forms), {}
        for index, (code, token, device, answers) in enumerate(forms):
            try:
                code = normalise_code(code)
                run = self._checked_token(code, token, device)
            except WorkshopError as error:
                outcomes[index] = error
                continue
            groups.setdefault(code, []).append((index, run, self._device_key(code, device), answers))
        if groups:
            with self._transaction(write=True) as db:
                for code, group in groups.items():
                    self._store_forms(db, code, group, outcomes)
        return outcomes

    def _checked_token(self, code, token, device):
        """The round a form's token was issued for; FormRefused unless this server issued it
        to this device (its cookie)."""
        run, _, signature = str(token or "").partition(".")
        if not isinstance(device, str) or len(device) != DEVICE_LENGTH:
            raise FormRefused("Your browser did not send back the pulse's cookie, so the answers cannot be "
                              "counted. Allow cookies for this page, then open the pulse again.")
        if not run.isdigit() or not hmac.compare_digest(signature.encode(), self._sign("form", code, int(run),
                                                                                       device).encode()):
            raise FormRefused("This form was not given to this browser by the workshop's server (it may have "
                              "been opened in another browser, or changed). Open the pulse again and send it "
                              "from there.")
        return int(run)

    def _store_forms(self, db, code, group, outcomes):
        """Inside a transaction: one workshop's forms, each (index, round, device key, answers),
        checked in order under the workshop's lock; each form's outcome goes to
        ``outcomes[index]``. The batches filled on the way are combined here and written once
        (a few statements for any number of forms)."""
        try:
            pulse, threshold, published, accepting, current_run = self._locked_workshop(
                db, code, "pulse, threshold, published, accepting, run")
        except UnknownWorkshop as error:
            for index, *_ in group:
                outcomes[index] = UnknownWorkshop(str(error))
            return
        keys = [key for _, _, key, _ in group]
        marks = ", ".join("?" * len(keys))
        with db.together():  # read after the lock, so nothing another server committed is missed
            hosts = db.execute(f"SELECT device FROM host_devices WHERE workshop = ? AND device IN ({marks})",
                               (code, *keys))
            answered = db.execute(f"SELECT token FROM tokens WHERE workshop = ? AND token IN ({marks})", (code, *keys))
            received = db.execute("SELECT COUNT(*) FROM tokens WHERE workshop = ?", (code,))
        hosts, answered = {row[0] for row in hosts.fetchall()}, {row[0] for row in answered.fetchall()}
        received = received.fetchone()[0]
        pulse, was_published = json.loads(pulse), published
        tokens, filling = [], ([], [])  # this batch's answers since the last full batch
        combined, earlier = ({}, {}), None  # counts to add to the combined tables; the waiting answers
        for index, run, key, answers in group:
            try:
                if key in hosts:
                    raise FormRefused("You signed in as the host on this browser, so it cannot answer: the "
                                      "pulse counts each person once, and the host is not one of the room. "
                                      "Answer from your own phone if you are taking part.")
                if run != current_run:
                    raise PulseClosed("The host has started a new round since this page was opened. "
                                      "Open the pulse again to answer this round.")
                if key in answered:
                    outcomes[index] = False
                    continue
                if not accepting:
                    raise PulseClosed("The host has closed the pulse, so answers are not being taken now.")
                chosen, words = _checked_answers(pulse, answers)
            except (WorkshopError, ValueError) as error:
                outcomes[index] = error
                continue
            answered.add(key)
            tokens.append((code, key))
            received += 1
            member = received - published
            filling[0].extend((member, item, option) for item, option in chosen.items())
            filling[1].extend((member, item, word) for item, word in words.items())
            outcomes[index] = True
            if member >= threshold:  # the batch is full: its answers go to the combined counts
                if earlier is None:  # the answers that were waiting before this transaction
                    with db.together():
                        earlier = [db.execute(f"SELECT member, item, {column} FROM {waiting} WHERE workshop = ?",
                                              (code,)) for waiting, _, column in BATCH_TABLES]
                    earlier = [cursor.fetchall() for cursor in earlier]
                    for rows, old in zip(filling, earlier):
                        rows[:0] = old
                for rows, counts in zip(filling, combined):
                    for _, item, value in rows:
                        counts[item, value] = counts.get((item, value), 0) + 1
                    rows.clear()
                published += member
        with db.together():
            db.executemany("INSERT INTO tokens (workshop, token) VALUES (?, ?)", tokens)
            if published != was_published:
                for (waiting, table, column), counts in zip(BATCH_TABLES, combined):
                    db.execute(f"DELETE FROM {waiting} WHERE workshop = ?", (code,))
                    db.executemany(f"INSERT INTO {table} (workshop, item, {column}, people) VALUES (?, ?, ?, ?) "
                                   f"ON CONFLICT (workshop, item, {column}) DO UPDATE SET people = "
                                   f"{table}.people + excluded.people",
                                   [(code, item, value, people) for (item, value), people in counts.items()])
                db.execute("UPDATE workshops SET published = ? WHERE code = ?", (published, code))
            for (waiting, _, column), rows in zip(BATCH_TABLES, filling):
                db.executemany(f"INSERT INTO {waiting} (workshop, member, item, {column}) VALUES (?, ?, ?, ?)",
                               [(code, *row) for row in rows])

    def responses(self, code):
        """How many forms have been answered for the workshop this round."""
        code = normalise_code(code)
        with self._transaction(write=False) as db:
            return db.execute("SELECT COUNT(*) FROM tokens WHERE workshop = ?", (code,)).fetchone()[0]

    # --- inside HostAccess ----------------------------------------------------------------

    def _results(self, code):
        with self._transaction(write=False) as db:
            row = db.execute("SELECT name, pulse, threshold, published, accepting, run, screen "
                             "FROM workshops WHERE code = ?", (code,)).fetchone()
            if row is None:
                raise UnknownWorkshop(f"Workshop {code} has been deleted.")
            return self._combine(db, code, row)

    def _combine(self, db, code, row):
        name, pulse, threshold, published, accepting, run, screen = row
        pulse = json.loads(pulse)
        responses = db.execute("SELECT COUNT(*) FROM tokens WHERE workshop = ?", (code,)).fetchone()[0]
        shown = published >= threshold
        counts, words = {}, {}
        if shown:
            counts = {(item, option): people for item, option, people in db.execute(
                "SELECT item, option, people FROM published WHERE workshop = ?", (code,)).fetchall()}
            hidden = {(item, word) for item, word in db.execute(
                "SELECT item, word FROM hidden_words WHERE workshop = ?", (code,)).fetchall()}
            for item, word, people in db.execute(
                    "SELECT item, word, people FROM published_words WHERE workshop = ? AND people >= ? "
                    "ORDER BY people DESC, word", (code, threshold)).fetchall():
                words.setdefault(item, []).append(WordCount(word, people, (item, word) in hidden))
        items = []
        for item in pulse["items"]:
            kind = item_kind(item)
            options = list(item.get("options") or [])
            items.append(ItemResult(
                item["id"], item["label"], item["prompt"], kind, options,
                [counts.get((item["id"], i), 0) for i in range(len(options))] if shown and kind == "choice" else None,
                words.get(item["id"], []) if shown and kind == "word" else None))
        on_screen = json.loads(screen)["published"] if screen else 0
        return Results(code, name, pulse["title"], threshold, responses, published if shown else 0, items,
                       bool(accepting), run, on_screen)

    def _screen(self, code):
        with self._transaction(write=False) as db:
            row = db.execute("SELECT screen FROM workshops WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise UnknownWorkshop(f"Workshop {code} has been deleted.")
        return Results.from_dict(json.loads(row[0])) if row[0] else None

    def _change(self, code, action):
        """Run ``action(db, row)`` on the locked workshop row in one transaction."""
        with self._transaction(write=True) as db:
            row = self._locked_workshop(db, code, "name, pulse, threshold, published, accepting, run, screen")
            return action(db, row)

    def _delete(self, code):
        with self._transaction(write=True) as db:
            for table in (*ANSWER_TABLES, "host_devices"):
                db.execute(f"DELETE FROM {table} WHERE workshop = ?", (code,))
            gone = db.execute("DELETE FROM workshops WHERE code = ?", (code,)).rowcount
        self.database.after_delete()
        return bool(gone)


class HostAccess:
    """What the host can do once the passcode has been checked."""

    def __init__(self, store, code):
        self.store = store
        self.code = code

    def results(self):
        """The combined results (None counts below the threshold), for the host's own page."""
        return self.store._results(self.code)

    def screen(self):
        """What the room's screen shows: the results the host last put on it, or None."""
        return self.store._screen(self.code)

    def set_accepting(self, accepting):
        """Open (True) or close (False) the pulse to new answers."""
        self.store._change(self.code, lambda db, row: db.execute(
            "UPDATE workshops SET accepting = ? WHERE code = ?", (int(bool(accepting)), self.code)))

    def show_on_screen(self):
        """Put the latest combined results (without hidden words) on the room's screen; the
        screen keeps them until the host shows newer ones or hides them. ValueError below
        the threshold."""
        def show(db, row):
            results = self.store._combine(db, self.code, row)
            if not results.shown:
                raise ValueError(f"Nothing can be shown yet: results need at least {results.threshold} answers.")
            results.on_screen = results.published
            db.execute("UPDATE workshops SET screen = ? WHERE code = ?",
                       (json.dumps(results.as_dict(), ensure_ascii=False), self.code))
            return results.published

        return self.store._change(self.code, show)

    def clear_screen(self):
        """Take the results off the room's screen."""
        self.store._change(self.code, lambda db, row: db.execute(
            "UPDATE workshops SET screen = NULL WHERE code = ?", (self.code,)))

    def hide_word(self, item_id, word, hidden=True):
        """Hide a word from the screen and the export (and take it off the screen now), or
        let it be shown again (``hidden=False``; it reaches the screen when next shown)."""
        word = str(word)

        def change(db, row):
            if hidden:
                db.execute("INSERT INTO hidden_words (workshop, item, word) VALUES (?, ?, ?) "
                           "ON CONFLICT (workshop, item, word) DO NOTHING", (self.code, item_id, word))
                if row[6]:
                    shown = json.loads(row[6])
                    for item in shown["items"]:
                        if item["id"] == item_id and item["words"] is not None:
                            item["words"] = [w for w in item["words"] if w["word"] != word]
                    db.execute("UPDATE workshops SET screen = ? WHERE code = ?",
                               (json.dumps(shown, ensure_ascii=False), self.code))
            else:
                db.execute("DELETE FROM hidden_words WHERE workshop = ? AND item = ? AND word = ?",
                           (self.code, item_id, word))

        self.store._change(self.code, change)

    def reset(self):
        """Start a new round: every answer, token and hidden word of this workshop is
        deleted, the screen is cleared and the pulse opened; forms loaded before the
        reset are refused. Returns the new round's number."""
        def reset(db, row):
            for table in ANSWER_TABLES:
                db.execute(f"DELETE FROM {table} WHERE workshop = ?", (self.code,))
            db.execute("UPDATE workshops SET published = 0, screen = NULL, accepting = 1, run = run + 1 "
                       "WHERE code = ?", (self.code,))
            return row[5] + 1

        number = self.store._change(self.code, reset)
        self.store.database.after_delete()
        return number

    def delete(self):
        """Delete the workshop and every answer to it; True if there was anything to delete."""
        return self.store._delete(self.code)


class _Guarded:
    """A database transaction whose database errors become StoreError (a plain message)."""

    def __init__(self, transaction, write):
        self.transaction, self.write = transaction, write

    def __enter__(self):
        try:
            return self.transaction.__enter__()
        except DatabaseError as error:
            raise StoreError(f"The workshop store cannot be opened ({error}).") from error

    def __exit__(self, *failure):
        try:
            return self.transaction.__exit__(*failure)
        except DatabaseError as error:
            raise StoreError(f"The workshop store could not be {'changed' if self.write else 'read'} "
                             f"({error}).") from error


def answer_problems(pulse, answers):
    """{item id: what is wrong} for a form's answers ({} when every item is answered well);
    a problem that is not about one item (not a dict, unknown questions) is under ''."""
    if not isinstance(answers, dict):
        return {"": "The answers are missing."}
    items = {item["id"]: item for item in pulse["items"]}
    problems = {}
    extra = set(answers) - set(items)
    if extra:
        problems[""] = f"These are not questions of this pulse: {', '.join(sorted(map(str, extra)))}."
    for item_id, item in items.items():
        answer = answers.get(item_id)
        if item_kind(item) == "word":
            try:
                normalise_word(answer if isinstance(answer, str) else "", item["label"])
            except ValueError as error:
                problems[item_id] = str(error)
        elif isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(item["options"]):
            problems[item_id] = f"The question '{item['label']}' has no answer: choose one."
    return problems


def _checked_answers(pulse, answers):
    """({item id: option number}, {item id: word}) for every item of the pulse, or ValueError."""
    problems = answer_problems(pulse, answers)
    if problems:
        raise ValueError(next(iter(problems.values())))
    chosen, words = {}, {}
    for item in pulse["items"]:
        if item_kind(item) == "word":
            words[item["id"]] = normalise_word(answers[item["id"]], item["label"])
        else:
            chosen[item["id"]] = answers[item["id"]]
    return chosen, words
