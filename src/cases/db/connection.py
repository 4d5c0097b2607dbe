"""The connection: opening, identifying and migrating a file, and the write path.

Every write goes through :meth:`Store.transaction` (one ``BEGIN IMMEDIATE``
transaction, one change-log entry) or :meth:`Store.atomic` (the same, nested
as a savepoint inside one already open). Reading commands open the file
read-only; writers use the write-ahead log, so readers keep reading meanwhile.

The factory chooses the driver: Python's ``sqlite3`` for a plain file, SQLCipher
(``db/cipher.py``, the extra ``cases[encrypt]``) for an encrypted one, whose
connection raises ``sqlite3``'s exceptions too, so nothing else tells them apart.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

# SCHEMA_VERSION: the number of migrations, as the catalogue declares it; a
# database whose PRAGMA user_version equals it is up to date without loading
# the migrations (and sqlite-utils with them). A test checks the two agree.
from cases.catalogue import SCHEMA_VERSION
from cases.db import cipher
from cases.db.files import (
    APPLICATION_ID,
    busy_message,
    busy_timeout_seconds,
    check_header,
    create_private_file,
    forget_writer,
    key_of_encrypted,
    make_private,
    note_writer,
)
from cases.errors import CasesError, Conflict, NotFound
from cases.uids import new_uid

Row = dict[str, Any]


def _connection(
    target: str, path: Path | None, *, write: bool, timeout: float, key: str | None
) -> sqlite3.Connection:
    """A connection to TARGET: read-only unless WRITE; SQLCipher when there is a KEY."""
    where, uri = target, False
    if not write and path is not None:
        where, uri = f"{path.resolve().as_uri()}?mode=ro", True
    if key is None:
        return sqlite3.connect(where, isolation_level=None, timeout=timeout, uri=uri)
    return cipher.connect(where, key=key, uri=uri, timeout=timeout, shown=path or target)


def _roll_back_hot_journal(target: str, path: Path, key: str | None) -> None:
    """Roll back what a write killed mid-way left in a rollback journal (an
    import into a new file writes with one): a read-only connection cannot,
    a writable one does on its first read. Without waiting: the journal of a
    write still running is not rolled back, and the reader waits as usual."""
    try:
        conn = _connection(target, path, write=True, timeout=0, key=key)
    except (sqlite3.Error, CasesError):
        return
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        pass
    finally:
        conn.close()


class _Busy(Exception):
    """The file is locked by another process for longer than a busy wait covers."""


class _RolledBack(Exception):
    """Ends a dry run's transaction: everything it did is rolled back."""


def _add_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the queries share with the Python code (one rule, not two)."""
    from cases.names import name_key

    def key_or_null(text: object) -> str | None:
        return name_key(text) if isinstance(text, str) and text else None

    conn.create_function("cases_name_key", 1, key_or_null, deterministic=True)
    conn.create_function("cases_undefuse", 1, _undefuse, deterministic=True)


def _undefuse(text: str | None) -> str | None:
    """A cell as it was before an export defused it: one leading quote dropped."""
    return text[1:] if text is not None and text[:1] == "'" else text


def chunks(values: Sequence[Any], size: int = 500) -> Iterator[list[Any]]:
    """VALUES in lists of at most SIZE (SQLite limits the variables in one statement)."""
    for offset in range(0, len(values), size):
        yield list(values[offset : offset + size])


def marks(values: Sequence[Any]) -> str:
    """One ``?`` per value."""
    return ", ".join("?" for _ in values)


class Store:
    """An open cases database: one connection, and the state of its write."""

    # the database engine: SQLite here, PostgreSQL for a team's (db/pg/store.py)
    engine = "sqlite"
    # whether import csv writes into it (a team's: through a file, see service.importing)
    imports_in_place = True

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None,
        created_file: bool,
        *,
        writable: bool = True,
    ) -> None:
        self.conn = conn
        self.path = path
        self.created_file = created_file
        self.writable = writable
        # remarks for the user (which name a fuzzy match chose), printed on stderr
        self.notices: list[str] = []
        # the change-log entry the open transaction writes to, and its summary
        self.change_id: int | None = None
        self.change_summary = ""
        # the tables a purge of the open change erased rows of (see finish_purge)
        self.purged_tables: set[str] = set()

    def analyze(self, table_names: Iterable[str]) -> None:
        """After a bulk write into these tables, renew what the planner knows of
        them (SQLite plans without such statistics)."""

    def rewrite_problems(self) -> list[str]:
        """A purge's rewrite still waiting (a team database's; a file's wiping
        is :mod:`cases.db.erasure`'s)."""
        return []

    def finish_purge(self, ref: str) -> str | None:
        """Once a purge of REF is committed, make what it deleted unreadable from
        the database's files; a warning for the user when that cannot be
        finished now (another program reads an older copy of the file)."""
        from cases.db import erasure
        from cases.db.connection import busy_timeout_seconds

        if erasure.finish(self.conn, wait_seconds=busy_timeout_seconds()):
            return None
        holder = erasure.described_holders(self.path) if self.path else "another program"
        return (
            f"warning: {ref} is purged, but its text is still in the file: "
            f"{holder} is reading an older copy of the database; the text is wiped as soon "
            "as it stops (the next cases command finishes it; cases check tells whether "
            "it is done)"
        )

    # -- reading helpers -------------------------------------------------------

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        """The first row of a query as a dict, or None."""
        cursor = self.conn.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([column[0] for column in cursor.description], row, strict=True))

    def all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        """Every row of a query as dicts."""
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def stream(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """A cursor over a query whose rows may be many: read as they are asked
        for (on SQLite every query is; a server keeps them until they are)."""
        return self.conn.execute(sql, params)

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, write: bool, key: str | None = None) -> Store:
        """Open (and migrate) the database at PATH.

        A missing file is created (mode 0600) only when WRITE is true; reading a
        missing database is an error (a mistyped path must not read as an
        empty database). Without WRITE the connection is read-only: a reading
        command cannot change the file, even by mistake.

        An encrypted file is opened with KEY, else with the key the user gives
        (CASES_KEY, else a prompt on a terminal); with KEY a new file is created
        encrypted.

        A file another process holds locked while it switches how it is written
        (an import into a new file, ``cases encrypt``) is tried again until the
        busy timeout: each try looks at the file anew, which may by then have
        been replaced (encrypted).
        """
        import time

        started = time.monotonic()
        limit = busy_timeout_seconds()
        while True:
            try:
                return cls._open_once(path, write=write, key=key)
            except _Busy:
                waited = time.monotonic() - started
                if waited >= limit:
                    raise Conflict(busy_message(path, waited)) from None
                time.sleep(min(0.05, limit - waited))

    @classmethod
    def _open_once(cls, path: Path, *, write: bool, key: str | None) -> Store:
        created = False
        notices: list[str] = []
        if not path.exists():
            if not write:
                raise NotFound(f"no database at {path}; create one with cases init")
            try:
                create_private_file(path)
            except OSError as error:
                raise Conflict(f"cannot create {path}: {error.strerror}") from None
            created = True
        else:
            plain = check_header(path)
            if key is None and not plain:
                key = key_of_encrypted(path)
            if write:
                make_private(path, notices)
        if key is None and os.environ.get(cipher.KEY_VARIABLE):
            notices.append(f"CASES_KEY is set, but {path} is not encrypted (cases encrypt)")
        try:
            store = cls._connect(str(path), path, created_file=created, write=write, key=key)
        except BaseException:
            if created:
                path.unlink(missing_ok=True)
            raise
        store.notices.extend(notices)
        return store

    @classmethod
    def _connect(
        cls,
        target: str,
        path: Path | None,
        *,
        created_file: bool,
        write: bool,
        key: str | None = None,
    ) -> Store:
        timeout = busy_timeout_seconds()
        if not write and path is not None and Path(f"{path}-journal").exists():
            _roll_back_hot_journal(target, path, key)
        conn = _connection(target, path, write=write, timeout=timeout, key=key)
        store = cls(conn, path, created_file, writable=write)
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            _add_functions(conn)
            if not store._identify():
                if not write and path is not None:
                    # an older schema: upgrade it through a writable connection first
                    conn.close()
                    cls._connect(target, path, created_file=False, write=True, key=key).close()
                    return cls._connect(
                        target, path, created_file=created_file, write=False, key=key
                    )
                store._migrate()
            if write and path is not None:
                # readers go on reading while a long change is written
                store._use_wal()
            # a purge whose erasure a reader or a kill interrupted is finished now
            from cases.db import erasure

            erasure.finish_if_pending(store, writable=write)
        except sqlite3.DatabaseError as error:
            conn.close()
            if "locked" in str(error):  # a load into a new file keeps readers waiting
                raise _Busy from None
            shown = path if path else target
            raise Conflict(f"{shown} is not a usable cases database ({error})") from None
        except BaseException:
            conn.close()
            raise
        return store

    def _identify(self) -> bool:
        """True when the file is ours and up to date; refuse another application's."""
        application_id = self.scalar("PRAGMA application_id")
        version = self.scalar("PRAGMA user_version")
        if application_id == APPLICATION_ID and version == SCHEMA_VERSION:
            return True  # ours and up to date: no need to load the migrations
        tables = {
            row[0]
            for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if application_id != APPLICATION_ID and tables - {"sqlite_sequence"}:
            raise Conflict(
                f"{self.path} is an SQLite database of another application, not a cases "
                "database; it was left untouched"
            )
        return False

    def _migrate(self) -> None:
        from cases.migrations import migrations, sqlite_utils_view

        db = sqlite_utils_view(self.conn)
        applied = {migration.name for migration in migrations.applied(db)}
        known = {migration.name for migration in migrations._migrations}
        if applied - known:
            raise Conflict(f"{self.path} was written by a newer version of cases; upgrade cases")
        # Off while migrating (it cannot change inside a transaction): a migration
        # that rebuilds a table must not cascade its drop. Migrations check keys.
        self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            with self.transaction():
                # Re-check inside the write lock: another process may have migrated.
                if migrations.pending(db):
                    self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                    migrations.apply(db)
                self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")

    def _use_wal(self) -> None:
        if self.scalar("PRAGMA journal_mode") != "wal":
            self.conn.execute("PRAGMA journal_mode=WAL")

    def close(self) -> None:
        """Close the connection; a reader that held back a purge's erasure (a
        timeline in a pager) finishes it as it goes."""
        if not self.writable:
            from cases.db import erasure

            with suppress(sqlite3.Error):
                erasure.finish_if_pending(self, writable=False)
        self.conn.close()

    def named(self) -> str:
        """The database as --db names it (a file's path, a server's URL)."""
        return str(self.path)

    def described(self) -> str:
        """The database as messages name it: its file (and whether it is
        encrypted), or its server and database, never a password."""
        return f"{self.path} (encrypted)" if self.encrypted else str(self.path)

    @property
    def encrypted(self) -> bool:
        """True when the file is encrypted (SQLCipher)."""
        return cipher.is_encrypted(self.conn)

    def reconnect(self, target: Path | None = None) -> sqlite3.Connection:
        """Another writable connection, with this store's driver and key: to its own
        file (a check that must write beside a read-only store), or to TARGET, a
        new file, then encrypted with the same key when this one is (a backup)."""
        where = str(target if target is not None else self.path)
        timeout = busy_timeout_seconds()
        return cipher.reconnect(self.conn, where, timeout=timeout) or sqlite3.connect(
            where, timeout=timeout
        )

    def is_empty(self) -> bool:
        """True when no person and no source is recorded (nothing to lose)."""
        try:
            return not any(
                self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
                for table in ("people", "sources")
            )
        except sqlite3.Error:
            return False

    def discard_if_new(self) -> None:
        """Remove a database file this process created, after a failed first command."""
        if self.created_file and self.path is not None:
            self.close()
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)

    # -- the write path ------------------------------------------------------

    @contextmanager
    def transaction(self, command: str | None = None, *, dry_run: bool = False) -> Iterator[Store]:
        """Run a block as one ``BEGIN IMMEDIATE`` transaction: all of it or none.

        IMMEDIATE takes the write lock up front, so the busy timeout waits for
        other writers instead of failing half-way (a deferred BEGIN that reads
        the schema first cannot be upgraded to a writer while another writes).
        With COMMAND the change is also one change-log entry: triggers record
        every row it inserts (the key), updates or deletes (the row before).
        With DRY_RUN the block runs and is then rolled back: nothing is written,
        not even to the log, and no change number is used up.
        """
        if self.conn.in_transaction:
            raise RuntimeError("nested write transaction")
        self._begin_write(command)
        try:
            if command is not None:
                self._open_change(command)
            yield self
            if command is not None and not dry_run:
                self._close_change()
            if dry_run:
                raise _RolledBack
            self._before_commit()
        except _RolledBack:
            self._abandon()
            return
        except BaseException as error:
            self._abandon()
            if isinstance(error, sqlite3.OperationalError):
                raise Conflict(
                    f"could not write the change ({error}); nothing was changed"
                ) from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.IntegrityError:
            self._abandon()
            raise Conflict(
                "the change would leave a record pointing at one that is not there; "
                "nothing was written"
            ) from None
        except sqlite3.OperationalError as error:
            self._abandon()
            raise Conflict(f"could not save the change ({error}); nothing was written") from None
        finally:
            self.change_id = None
            self._end_write()

    @contextmanager
    def atomic(self, command: str | None = None) -> Iterator[Store]:
        """A block that is all or nothing: its own transaction, or, inside one
        already open, a savepoint that is undone alone when the block raises."""
        if not self.conn.in_transaction:
            with self.transaction(command):
                yield self
            return
        self.conn.execute("SAVEPOINT atomic")
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK TO atomic")
            self.conn.execute("RELEASE atomic")
            raise
        self.conn.execute("RELEASE atomic")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction for the block: every query in it sees the database
        as it was when the block began, whatever others write meanwhile."""
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        """Run SQL, an INSERT of one row into a table with an id, and return that id."""
        cursor = self.conn.execute(sql, params)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def name_key_sql(self, column: str, row: str = "") -> str:
        """SQL for the name key of a row's text COLUMN (one that names an actor),
        of the row named ROW in the query when given."""
        return f'cases_name_key({row + "." if row else ""}"{column}")'

    def unhidden_names_sql(self, value: str, column: str, row: str) -> str:
        """SQL for VALUE, the text of names (one a line) in COLUMN of the row
        named ROW, without the names of actors in ``hidden_keys`` (NULL when
        none is left)."""
        return f"cases_unhidden_names({value})"

    def _before_commit(self) -> None:
        """What a write does last, inside its transaction (nothing on SQLite)."""

    def _forget_change_number(self) -> None:
        """Give back the number of a change that changed nothing, for the next."""
        self.conn.execute(
            "UPDATE sqlite_sequence SET seq = (SELECT coalesce(max(id), 0) FROM changes) "
            "WHERE name = 'changes'"
        )

    def require_write(self) -> None:
        """Refuse a write outside :meth:`transaction`."""
        if not self.conn.in_transaction:
            raise RuntimeError("writes must run inside Store.transaction()")

    def _abandon(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.change_id = None
        self._end_write()

    def _begin_write(self, command: str | None) -> None:
        """BEGIN IMMEDIATE, then say who writes (for a writer kept waiting meanwhile)."""
        import time

        started = time.monotonic()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            waited = time.monotonic() - started
            if "locked" in str(error) or "busy" in str(error):
                raise Conflict(busy_message(self.path, waited)) from None
            raise Conflict(f"the database cannot be written ({error})") from None
        if self.path is not None:
            note_writer(self.path, command or "undo")

    def _end_write(self) -> None:
        if self.path is not None:
            forget_writer(self.path)

    # -- the change log entry of the open transaction ---------------------------

    @contextmanager
    def change_aside(self) -> Iterator[int]:
        """Inside a write, log what the block changes under a change-log entry of
        its own, removed at the end: what the block touched (a reversal, and
        what it took along) can be compared with other changes meanwhile."""
        self.require_write()
        self._open_change("undo")
        assert self.change_id is not None
        aside = self.change_id
        try:
            yield aside
        finally:
            self.conn.execute("UPDATE change_state SET change_id = NULL WHERE id = 1")
            self.conn.execute("DELETE FROM change_rows WHERE change_id = ?", [aside])
            self.conn.execute("DELETE FROM changes WHERE id = ?", [aside])
            self._forget_change_number()
            self.change_id = None

    def user(self) -> str:
        """Who is writing, as the change log names them: the login on this machine."""
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"

    def may_undo_anyones(self) -> bool:
        """Whether the user may undo a change someone else made (a file has no
        roles: whoever may write it may)."""
        return True

    def _open_change(self, command: str) -> None:
        import datetime as dt

        self.change_id = self.insert_id(
            'INSERT INTO changes (uid, at, "user", command) VALUES (?, ?, ?, ?)',
            [
                new_uid(),
                dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                self.user(),
                command,
            ],
        )
        self.change_summary = ""
        self.conn.execute("UPDATE change_state SET change_id = ? WHERE id = 1", [self.change_id])

    def _close_change(self) -> None:
        self.conn.execute("UPDATE change_state SET change_id = NULL WHERE id = 1")
        total = int(
            self.scalar("SELECT count(*) FROM change_rows WHERE change_id = ?", [self.change_id])
        )
        purged = self.scalar("SELECT purged FROM changes WHERE id = ?", [self.change_id])
        if total == 0 and not purged:
            # nothing changed: nothing to log, and the change number is not used up
            self.conn.execute("DELETE FROM changes WHERE id = ?", [self.change_id])
            self._forget_change_number()
            return
        described = "erased from the log" if purged else f"{total} row{'s' if total != 1 else ''}"
        summary = f"{self.change_summary} ({described})" if self.change_summary else described
        self.conn.execute(
            "UPDATE changes SET summary = ?, rows = ? WHERE id = ?",
            [summary, total, self.change_id],
        )
