"""The workshop store: anonymous pulse answers for any number of workshops, in one SQLite file.

Every page view in Voila is its own kernel (its own process), so many processes write to
the store at once. SQLite handles that: the database is in WAL mode, every connection
waits up to ``BUSY_SECONDS`` for a lock, and every change is one ``BEGIN IMMEDIATE``
transaction (writers queue; none reads a stale count). Every query names its workshop's
code, so workshops running at the same time never mix.

What is kept, and what is not
* A workshop: its code, name, the checked pulse (a copy, so later edits of the pulse
  file never shift its answers), the threshold, the day it was created, and a salted
  scrypt hash of the host's passcode (never the passcode).
* One random token per answered form (``tokens``, ``UNIQUE (workshop, token)``): a form submitted twice
  (double click, or a second press) is counted once (``INSERT OR IGNORE``). The token is
  made fresh on each page load; it says nothing about the person.
* Answers, with no name, no address, no time: while a batch of ``threshold`` answers is
  filling up, its answers wait in ``pending``; when the batch is full they are added to
  the combined counts (``published``) and the separate rows are deleted (with SQLite's
  ``secure_delete`` on, their bytes are overwritten). Results are therefore always those
  of the first floor(n / k) * k answers: two views of the results differ by at least k
  people, so nobody's answers can be worked out by comparing them.

The folder is $COURSE_WORKSHOP_DIR, else ``compassionate-leadership-workshops`` in the
home folder. Keep it on a local disk: SQLite's locking is not reliable on network drives.
"""

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

STORE_DIR_VARIABLE = "COURSE_WORKSHOP_DIR"
#: Set by ``workshop start`` for the pages: the address participants open (shown to the host).
JOIN_URL_VARIABLE = "COURSE_WORKSHOP_JOIN_URL"
DB_FILE = "workshops.sqlite3"
DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3
MAX_THRESHOLD = 50
MIN_PASSCODE = 6
#: Workshop codes: no 0/O, 1/I/L, so they can be read aloud and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: Seconds to wait before saying a passcode is wrong (slows down guessing).
WRONG_PASSCODE_DELAY = 1.0
BUSY_SECONDS = 30
#: scrypt settings for new passcodes (about 16 MB and 50 ms per check).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS workshops (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  pulse TEXT NOT NULL,
  threshold INTEGER NOT NULL CHECK (threshold >= 3),
  passcode_kdf TEXT NOT NULL,
  passcode_salt BLOB NOT NULL,
  passcode_hash BLOB NOT NULL,
  created_day TEXT NOT NULL,
  published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
  workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
  token TEXT NOT NULL,
  UNIQUE (workshop, token)
);
CREATE TABLE IF NOT EXISTS pending (
  workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
  member INTEGER NOT NULL,
  item TEXT NOT NULL,
  option INTEGER NOT NULL,
  PRIMARY KEY (workshop, member, item)
);
CREATE TABLE IF NOT EXISTS published (
  workshop TEXT NOT NULL REFERENCES workshops(code) ON DELETE CASCADE,
  item TEXT NOT NULL,
  option INTEGER NOT NULL,
  people INTEGER NOT NULL,
  PRIMARY KEY (workshop, item, option)
);
"""


class WorkshopError(Exception):
    """A problem to tell the person plainly (the message is written for them)."""


class UnknownWorkshop(WorkshopError):
    pass


class WrongPasscode(WorkshopError):
    pass


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
    return hashlib.scrypt(str(passcode).encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
                          maxmem=128 * 1024 * 1024, dklen=32)


@dataclass
class ItemResult:
    id: str
    label: str
    prompt: str
    options: list
    counts: list  # people per option (from the published batches); None below the threshold


@dataclass
class Results:
    code: str
    name: str
    pulse_title: str
    threshold: int
    responses: int  # every answered form so far
    published: int  # how many of them the combined results use: floor(n / k) * k
    items: list

    @property
    def shown(self):
        return self.published >= self.threshold

    @property
    def next_update(self):
        """The number of answers at which the results next change."""
        return self.published + self.threshold


class WorkshopStore:
    """All workshops in one folder; safe to use from many threads and processes."""

    def __init__(self, directory=None):
        self.directory = Path(directory).expanduser() if directory else default_store_dir()
        self.path = self.directory / DB_FILE
        self._ready = False

    # --- connections ----------------------------------------------------------------------

    def _connect(self):
        if not self._ready:
            self._prepare()
        return self._open()

    def _open(self):
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA synchronous = FULL")
        return db

    def _prepare(self):
        """Create the folder, the database (WAL mode) and its tables, once per object."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise StoreError(f"The workshop folder {self.directory} cannot be created ({error}).") from error
        deadline = time.monotonic() + BUSY_SECONDS
        while True:  # several processes may create the database at the same moment
            try:
                db = self._open()
                try:
                    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                        db.execute("PRAGMA journal_mode = WAL")
                    db.execute("BEGIN IMMEDIATE")
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute("COMMIT")
                finally:
                    db.close()
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() > deadline:
                    raise StoreError(f"The workshop store {self.path} cannot be opened ({error}).") from error
                time.sleep(0.05)
            except sqlite3.Error as error:
                raise StoreError(f"The workshop store {self.path} cannot be opened ({error}).") from error
        self._ready = True

    @contextmanager
    def _transaction(self, write):
        """One transaction: BEGIN IMMEDIATE for changes (writers queue), BEGIN for reads."""
        try:
            db = self._connect()
        except sqlite3.Error as error:
            raise StoreError(f"The workshop store {self.path} cannot be opened ({error}).") from error
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreError(f"The workshop store could not be {'changed' if write else 'read'} ({error}).") from error
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # --- for the host -----------------------------------------------------------------------

    def create(self, name, pulse, passcode, threshold=DEFAULT_THRESHOLD):
        """Create a workshop for a checked pulse (see pulses.load_pulse); return its code."""
        name = " ".join(str(name or "").split())
        if not name:
            raise ValueError("Give the workshop a name, for example \"Ward leaders, 21 Nov\".")
        if len(name) > 120:
            raise ValueError("Keep the workshop's name to 120 characters.")
        if len(str(passcode or "")) < MIN_PASSCODE:
            raise ValueError(f"The passcode needs at least {MIN_PASSCODE} characters.")
        check_threshold(threshold)
        kdf, salt, digest = hash_passcode(passcode)
        pulse_json = json.dumps(pulse, ensure_ascii=False)
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            with self._transaction(write=True) as db:
                added = db.execute(
                    "INSERT OR IGNORE INTO workshops (code, name, pulse, threshold, passcode_kdf, "
                    "passcode_salt, passcode_hash, created_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (code, name, pulse_json, threshold, kdf, salt, digest, date.today().isoformat()),
                ).rowcount
            if added:
                return code
        raise StoreError("No free workshop code was found; please try again.")

    def host(self, code, passcode):
        """A HostAccess for the workshop; WrongPasscode (after a short delay) if the passcode
        does not match."""
        code = normalise_code(code)
        with self._transaction(write=False) as db:
            row = db.execute("SELECT passcode_kdf, passcode_salt, passcode_hash FROM workshops "
                             "WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise UnknownWorkshop(f"There is no workshop {code} here. Check the code.")
        kdf, salt, expected = row
        if not hmac.compare_digest(_derive(kdf, str(passcode or ""), salt), expected):
            time.sleep(WRONG_PASSCODE_DELAY)
            raise WrongPasscode(f"That passcode is not right for workshop {code}. Check it and try again.")
        return HostAccess(self, code)

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
        """What a participant's page needs: code, name, pulse and threshold."""
        code = normalise_code(code)
        with self._transaction(write=False) as db:
            row = db.execute("SELECT name, pulse, threshold FROM workshops WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise UnknownWorkshop(f"There is no workshop {code} here. It may have ended, or the code "
                                  "may be mistyped: check it with your host.")
        return {"code": code, "name": row[0], "pulse": json.loads(row[1]), "threshold": row[2]}

    def submit(self, code, token, answers):
        """Add one person's answers ({item id: option number}); True if counted now, False if
        this token was counted before (the form was submitted twice)."""
        code = normalise_code(code)
        if not isinstance(token, str) or not 16 <= len(token) <= 100:
            raise ValueError("The form's token is missing.")
        with self._transaction(write=True) as db:
            row = db.execute("SELECT pulse, threshold, published FROM workshops WHERE code = ?",
                             (code,)).fetchone()
            if row is None:
                raise UnknownWorkshop(f"Workshop {code} has ended and its answers have been deleted.")
            pulse, threshold, published = json.loads(row[0]), row[1], row[2]
            chosen = _checked_answers(pulse, answers)
            if not db.execute("INSERT OR IGNORE INTO tokens (workshop, token) VALUES (?, ?)",
                              (code, token)).rowcount:
                return False
            received = db.execute("SELECT COUNT(*) FROM tokens WHERE workshop = ?", (code,)).fetchone()[0]
            member = received - published
            db.executemany("INSERT INTO pending (workshop, member, item, option) VALUES (?, ?, ?, ?)",
                           [(code, member, item, option) for item, option in chosen.items()])
            if member >= threshold:  # the batch is full: add it to the combined counts
                db.execute(
                    "INSERT INTO published (workshop, item, option, people) "
                    "SELECT workshop, item, option, COUNT(*) FROM pending WHERE workshop = ? "
                    "GROUP BY item, option "
                    "ON CONFLICT (workshop, item, option) DO UPDATE SET people = people + excluded.people",
                    (code,))
                db.execute("DELETE FROM pending WHERE workshop = ?", (code,))
                db.execute("UPDATE workshops SET published = published + ? WHERE code = ?", (member, code))
            return True

    def responses(self, code):
        """How many forms have been answered for the workshop."""
        code = normalise_code(code)
        with self._transaction(write=False) as db:
            return db.execute("SELECT COUNT(*) FROM tokens WHERE workshop = ?", (code,)).fetchone()[0]

    # --- inside HostAccess ----------------------------------------------------------------

    def _results(self, code):
        with self._transaction(write=False) as db:
            row = db.execute("SELECT name, pulse, threshold, published FROM workshops WHERE code = ?",
                             (code,)).fetchone()
            if row is None:
                raise UnknownWorkshop(f"Workshop {code} has been deleted.")
            responses = db.execute("SELECT COUNT(*) FROM tokens WHERE workshop = ?", (code,)).fetchone()[0]
            counts = {(item, option): people for item, option, people in db.execute(
                "SELECT item, option, people FROM published WHERE workshop = ?", (code,))}
        name, pulse, threshold, published = row[0], json.loads(row[1]), row[2], row[3]
        shown = published >= threshold
        items = [ItemResult(item["id"], item["label"], item["prompt"], list(item["options"]),
                            [counts.get((item["id"], i), 0) for i in range(len(item["options"]))] if shown else None)
                 for item in pulse["items"]]
        return Results(code, name, pulse["title"], threshold, responses, published if shown else 0, items)

    def _delete(self, code):
        with self._transaction(write=True) as db:
            for table in ("pending", "published", "tokens"):
                db.execute(f"DELETE FROM {table} WHERE workshop = ?", (code,))
            gone = db.execute("DELETE FROM workshops WHERE code = ?", (code,)).rowcount
        try:  # copy the deletions from the write-ahead log into the database file now
            db = self._open()
            try:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
        except sqlite3.Error:
            pass  # another process is reading; SQLite checkpoints later by itself
        return bool(gone)


class HostAccess:
    """What the host can do once the passcode has been checked."""

    def __init__(self, store, code):
        self.store = store
        self.code = code

    def results(self):
        """The combined results (None counts below the threshold)."""
        return self.store._results(self.code)

    def delete(self):
        """Delete the workshop and every answer to it; True if there was anything to delete."""
        return self.store._delete(self.code)


def _checked_answers(pulse, answers):
    """{item id: option number} for every item of the pulse, or ValueError."""
    if not isinstance(answers, dict):
        raise ValueError("The answers are missing.")
    items = {item["id"]: item for item in pulse["items"]}
    extra = set(answers) - set(items)
    if extra:
        raise ValueError(f"These are not questions of this pulse: {', '.join(sorted(map(str, extra)))}.")
    chosen = {}
    for item_id, item in items.items():
        option = answers.get(item_id)
        if isinstance(option, bool) or not isinstance(option, int) or not 0 <= option < len(item["options"]):
            raise ValueError(f"The question '{item['label']}' has no answer.")
        chosen[item_id] = option
    return chosen
