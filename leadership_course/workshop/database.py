"""The two databases the workshop store runs on, behind one small interface.

* :class:`SQLiteDatabase` (the default, no set-up): one file, WAL mode, a busy timeout, and
  ``BEGIN IMMEDIATE`` for every change, so writers queue and none reads a stale count.
* :class:`PostgresDatabase` (given a ``postgresql://`` address): for a large event served by
  several server processes or machines. A change locks its workshop's row
  (``SELECT ... FOR UPDATE``), so changes to one workshop queue the same way; reads see one
  snapshot (``REPEATABLE READ``). Needs the ``psycopg`` package (``pip install
  'leadership-course[postgres]'``).

The store writes its SQL once, with ``?`` placeholders and statements both databases
understand (``INSERT ... ON CONFLICT``); :meth:`Transaction.execute` adapts the
placeholders, and :meth:`Transaction.together` sends several statements to PostgreSQL in
one round trip. ``lock`` is the text a row-locking ``SELECT`` ends with.
"""

import contextlib
import sqlite3
import threading
import time

BUSY_SECONDS = 30


class DatabaseError(Exception):
    """The database could not be opened, read or written (the message says why)."""


class Transaction:
    """One open transaction: ``execute`` and ``executemany`` with ``?`` placeholders."""

    def __init__(self, connection, placeholder):
        self._connection = connection
        self._placeholder = placeholder

    def _sql(self, sql):
        return sql if self._placeholder == "?" else sql.replace("?", self._placeholder)

    def execute(self, sql, params=()):
        return self._connection.execute(self._sql(sql), params)

    def executemany(self, sql, rows):
        rows = list(rows)
        if rows:
            self._connection.cursor().executemany(self._sql(sql), rows)

    def together(self):
        """A block whose statements go to the database together: on PostgreSQL, pipeline mode
        (one round trip for all; their results, and any error, come at the block's end); SQLite
        runs each at once."""
        return self._connection.pipeline() if self._placeholder == "%s" else contextlib.nullcontext()


class SQLiteDatabase:
    """A SQLite file, safe for many threads and processes at once; one connection per thread."""

    kind = "sqlite"
    lock = ""  # BEGIN IMMEDIATE already holds the write lock
    blob = "BLOB"

    def __init__(self, path):
        self.path = path
        self._local = threading.local()
        # This process's writers take turns here: waiting on SQLite's own lock instead
        # sleeps in steps of milliseconds (its busy handler), which a room's burst adds up.
        self.writer = threading.RLock()

    def describe(self):
        return str(self.path)

    def _connection(self):
        """This thread's connection, kept open (opening one costs more than a short query)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._open()
        return connection

    def _forget(self):
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def _open(self):
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA synchronous = FULL")
        return db

    def create_schema(self, statements, columns):
        """Create the tables (WAL mode); ``columns``: (table, column, definition) added to
        a store made by an older version of the course."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        deadline = time.monotonic() + BUSY_SECONDS
        while True:  # several processes may create the database at the same moment
            try:
                db = self._open()
                try:
                    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                        db.execute("PRAGMA journal_mode = WAL")
                    db.execute("BEGIN IMMEDIATE")
                    for statement in statements:
                        db.execute(statement)
                    for table, column, definition in columns:
                        if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
                            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
                    db.execute("COMMIT")
                finally:
                    db.close()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() > deadline:
                    raise DatabaseError(str(error)) from error
                time.sleep(0.05)
            except sqlite3.Error as error:
                raise DatabaseError(str(error)) from error

    def transaction(self, write):
        return _SQLiteTransaction(self, write)

    def read_one(self, sql, params=()):
        """The first row of one SELECT (None if it finds none)."""
        with self.transaction(write=False) as db:
            return db.execute(sql, params).fetchone()

    def after_delete(self):
        """Copy deletions from the write-ahead log into the database file now."""
        try:
            db = self._open()
            try:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
        except sqlite3.Error:
            pass  # another process is reading; SQLite checkpoints later by itself


class _SQLiteTransaction:
    def __init__(self, database, write):
        self.database, self.write = database, write

    def __enter__(self):
        if self.write:
            self.database.writer.acquire()
        try:
            self.db = self.database._connection()
            self.db.execute("BEGIN IMMEDIATE" if self.write else "BEGIN")
        except sqlite3.Error as error:
            self._release()
            self.database._forget()
            raise DatabaseError(str(error)) from error
        return Transaction(self.db, "?")

    def _release(self):
        if self.write:
            self.database.writer.release()

    def __exit__(self, kind, error, trace):
        try:
            return self._finish(kind, error)
        finally:
            self._release()

    def _finish(self, kind, error):
        try:
            if kind is None:
                self.db.execute("COMMIT")
            elif self.db.in_transaction:
                self.db.execute("ROLLBACK")
        except sqlite3.Error as failure:
            self.database._forget()
            raise DatabaseError(str(failure)) from failure
        if isinstance(error, sqlite3.Error):
            self.database._forget()
            raise DatabaseError(str(error)) from error
        return False


class PostgresDatabase:
    """A PostgreSQL database at ``url``; one connection per thread, kept open."""

    kind = "postgresql"
    lock = " FOR UPDATE"
    blob = "BYTEA"

    def __init__(self, url):
        try:
            import psycopg
        except ImportError as error:
            raise DatabaseError("A PostgreSQL address needs the psycopg package: "
                                "pip install -e '.[postgres]' in the course folder.") from error
        self._psycopg = psycopg
        self.url = url
        self._local = threading.local()

    def describe(self):
        """The address without its password."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        host = parts.hostname or "local socket"
        return f"postgresql://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None or connection.closed:
            try:
                connection = self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            except self._psycopg.Error as error:
                raise DatabaseError(f"cannot connect to {self.describe()}: {error}") from error
            self._local.connection = connection
        return connection

    def create_schema(self, statements, columns):
        with self.transaction(write=True) as db:
            db.execute("SELECT pg_advisory_xact_lock(7140514)")  # one creator at a time
            for statement in statements:
                db.execute(statement.replace("BLOB", self.blob))
            for table, column, definition in columns:
                db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {definition}")

    def transaction(self, write):
        return _PostgresTransaction(self, write)

    def read_one(self, sql, params=()):
        """The first row of one SELECT (None if it finds none), outside a transaction: one
        statement sees one snapshot anyway, and this is one round trip, not three."""
        for attempt in range(2):  # a connection the server dropped (a restart): once more on a new one
            connection = self._connection()
            try:
                return connection.execute(sql.replace("?", "%s"), params).fetchone()
            except self._psycopg.OperationalError as error:
                connection.close()
                if attempt:
                    raise DatabaseError(str(error)) from error
            except self._psycopg.Error as error:
                raise DatabaseError(str(error)) from error

    def after_delete(self):
        pass  # PostgreSQL's autovacuum reclaims deleted rows


class _PostgresTransaction:
    def __init__(self, database, write):
        self.database, self.write = database, write

    def __enter__(self):
        begin = "BEGIN" if self.write else "BEGIN ISOLATION LEVEL REPEATABLE READ"
        for attempt in range(2):  # a connection the server dropped (a restart): once more on a new one
            self.connection = self.database._connection()
            try:
                self.connection.execute(begin)
                return Transaction(self.connection, "%s")
            except self.database._psycopg.OperationalError as error:
                self.connection.close()
                if attempt:
                    raise DatabaseError(str(error)) from error
            except self.database._psycopg.Error as error:
                self.connection.close()
                raise DatabaseError(str(error)) from error

    def __exit__(self, kind, error, trace):
        psycopg = self.database._psycopg
        try:
            self.connection.execute("COMMIT" if kind is None else "ROLLBACK")
        except psycopg.Error as failure:
            self.connection.close()
            if kind is None:
                raise DatabaseError(str(failure)) from failure
        if isinstance(error, psycopg.Error):
            raise DatabaseError(str(error)) from error
        return False


def open_database(directory, url=None):
    """PostgreSQL at ``url`` if given, else the SQLite file in ``directory``."""
    if url:
        if not str(url).startswith(("postgresql://", "postgres://")):
            raise DatabaseError("A database address must start with postgresql:// "
                                "(for example postgresql://pulse@db.example.nhs.uk/workshops).")
        return PostgresDatabase(str(url))
    return SQLiteDatabase(directory / "workshops.sqlite3")
