"""The only module with SQL: opening, migrating, reading and writing the database."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from cases.errors import CasesError, Conflict, Invalid
from cases.schema import (
    CITABLE_TABLES,
    NAMING_TEXTS,
    SCHEMA_VERSION,
    SEARCH_FIELDS,
    SEARCH_SLOTS,
    indexed_text,
    search_field_order,
)
from cases.uids import new_uid

# PRAGMA application_id marks a file as ours: ASCII "CASE".
APPLICATION_ID = 0x43415345
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 10.0

Row = dict[str, Any]


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def _check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite touches it."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except IsADirectoryError:
        raise Conflict(f"{path} is a folder, not a cases database") from None
    except PermissionError:
        raise Conflict(f"cannot read {path}: permission denied") from None
    if header and header != SQLITE_HEADER:
        raise Conflict(
            f"{path} is not a cases database (not an SQLite file); it was left untouched"
        )


def busy_timeout_seconds() -> float:
    """How long a writer waits for another: CASES_BUSY_TIMEOUT seconds, else 10."""
    text = os.environ.get("CASES_BUSY_TIMEOUT", "")
    try:
        return max(0.0, float(text)) if text else BUSY_TIMEOUT_SECONDS
    except ValueError:
        raise Invalid(f"CASES_BUSY_TIMEOUT must be a number of seconds, not {text!r}") from None


def _make_private(path: Path, notices: list[str]) -> None:
    """Mode 0600 for a database others could read: SQLite gives its journal and
    WAL the database's own mode, so they would be readable too."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, 0o600)
            notices.append(f"{path} was readable by others; it is now private (mode 0600)")
    except OSError:
        pass  # not ours to change: the open below says what is wrong, if anything


def writer_file(path: Path) -> Path:
    """The file that says which process is writing to the database at PATH."""
    return Path(f"{path}-writer")


class _RolledBack(Exception):
    """Ends a dry run's transaction: everything it did is rolled back."""


def _add_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the queries share with the Python code (one rule, not two)."""
    from cases.names import name_key

    def key_or_null(text: object) -> str | None:
        return name_key(text) if isinstance(text, str) and text else None

    conn.create_function("cases_name_key", 1, key_or_null, deterministic=True)


class Store:
    """An open cases database. Every write goes through :meth:`transaction`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, created_file: bool) -> None:
        self.conn = conn
        self.path = path
        self.created_file = created_file
        # remarks for the user (which name a fuzzy match chose), printed on stderr
        self.notices: list[str] = []
        # the change-log entry the open transaction writes to, and its summary
        self.change_id: int | None = None
        self.change_summary = ""

    @property
    def db(self) -> Any:
        """The sqlite-utils view of the connection (loaded only for migrations)."""
        from sqlite_utils import Database

        return Database(self.conn)

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, write: bool) -> Store:
        """Open (and migrate) the database at PATH.

        A missing file is created (mode 0600) only when WRITE is true; a read
        of a missing database sees an empty in-memory one and creates nothing.
        Without WRITE the connection is read-only: a reading command cannot
        change the file, even by mistake.
        """
        created = False
        notices: list[str] = []
        if not path.exists():
            if not write:
                return cls._connect(":memory:", None, created_file=False, write=True)
            try:
                _create_private_file(path)
            except OSError as error:
                raise Conflict(f"cannot create {path}: {error.strerror}") from None
            created = True
        else:
            _check_header(path)
            if write:
                _make_private(path, notices)
        try:
            store = cls._connect(str(path), path, created_file=created, write=write)
        except BaseException:
            if created:
                path.unlink(missing_ok=True)
            raise
        store.notices.extend(notices)
        return store

    @classmethod
    def _connect(cls, target: str, path: Path | None, *, created_file: bool, write: bool) -> Store:
        timeout = busy_timeout_seconds()
        if write or path is None:
            conn = sqlite3.connect(target, isolation_level=None, timeout=timeout)
        else:
            uri = f"{path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, isolation_level=None, timeout=timeout, uri=True)
        store = cls(conn, path, created_file)
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            _add_functions(conn)
            if not store._identify():
                if not write and path is not None:
                    # an older schema: upgrade it through a writable connection first
                    conn.close()
                    cls._connect(target, path, created_file=False, write=True).close()
                    return cls._connect(target, path, created_file=created_file, write=False)
                store._migrate()
            if write and path is not None:
                # readers go on reading while a long change is written
                store._use_wal()
        except sqlite3.DatabaseError as error:
            conn.close()
            shown = path if path else target
            raise Conflict(f"{shown} is not a usable cases database ({error})") from None
        except BaseException:
            conn.close()
            raise
        return store

    def _identify(self) -> bool:
        """True when the file is ours and up to date; refuse another application's."""
        application_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
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
        from cases.migrations import migrations

        db = self.db
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
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            self.conn.execute("PRAGMA journal_mode=WAL")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

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
        except _RolledBack:
            self.conn.execute("ROLLBACK")
            self.change_id = None
            self._end_write()
            return
        except BaseException as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self.change_id = None
            self._end_write()
            if isinstance(error, sqlite3.OperationalError):
                raise Conflict(
                    f"could not write the change ({error}); nothing was changed"
                ) from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.IntegrityError:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise Conflict(
                "the change would leave a record pointing at one that is not there; "
                "nothing was written"
            ) from None
        except sqlite3.OperationalError as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise Conflict(f"could not save the change ({error}); nothing was written") from None
        finally:
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
                raise Conflict(self._busy_message(waited)) from None
            raise Conflict(f"the database cannot be written ({error})") from None
        if self.path is not None:
            import json

            try:
                descriptor = os.open(
                    writer_file(self.path), os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600
                )
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    json.dump(
                        {"pid": os.getpid(), "command": command or "undo", "since": time.time()},
                        handle,
                    )
            except OSError:
                pass  # only a courtesy to other writers

    def _end_write(self) -> None:
        if self.path is not None:
            with suppress(OSError):
                writer_file(self.path).unlink(missing_ok=True)

    def _busy_message(self, waited: float) -> str:
        """Who holds the write lock, as far as the writer's note tells, and the wait."""
        import json
        import time

        holder = "another process"
        try:
            if self.path is None:
                raise OSError
            note = json.loads(writer_file(self.path).read_text(encoding="utf-8"))
            pid, command, since = int(note["pid"]), str(note["command"]), float(note["since"])
            os.kill(pid, 0)  # still running?
            clock = time.strftime("%H:%M:%S", time.localtime(since))
            holder = f"cases (pid {pid}, '{command}', writing since {clock})"
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return (
            f"the database is busy: {holder} holds the write lock; waited {waited:.0f} s "
            "(set CASES_BUSY_TIMEOUT to wait longer)"
        )

    def _open_change(self, command: str) -> None:
        import datetime as dt
        import getpass

        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        cursor = self.conn.execute(
            "INSERT INTO changes (uid, at, user, command) VALUES (?, ?, ?, ?)",
            [new_uid(), dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), user, command],
        )
        self.change_id = cursor.lastrowid
        self.change_summary = ""
        self.conn.execute("UPDATE change_state SET change_id = ? WHERE id = 1", [self.change_id])

    def _close_change(self) -> None:
        self.conn.execute("UPDATE change_state SET change_id = NULL WHERE id = 1")
        counts = self.conn.execute(
            "SELECT op, tbl, count(*) FROM change_rows WHERE change_id = ? GROUP BY op, tbl "
            "ORDER BY min(id)",
            [self.change_id],
        ).fetchall()
        total = sum(int(count) for _, _, count in counts)
        purged = self.conn.execute(
            "SELECT purged FROM changes WHERE id = ?", [self.change_id]
        ).fetchone()[0]
        if total == 0 and not purged:  # nothing changed: nothing to log
            self.conn.execute("DELETE FROM changes WHERE id = ?", [self.change_id])
            return
        described = "erased from the log" if purged else f"{total} row{'s' if total != 1 else ''}"
        summary = f"{self.change_summary} ({described})" if self.change_summary else described
        self.conn.execute(
            "UPDATE changes SET summary = ?, rows = ? WHERE id = ?",
            [summary, total, self.change_id],
        )

    def _require_write(self) -> None:
        if not self.conn.in_transaction:
            raise RuntimeError("writes must run inside Store.transaction()")

    # -- generic rows --------------------------------------------------------

    def insert(self, table: str, values: Row) -> int:
        """Insert one row (a uid is added if missing); return its id."""
        self._require_write()
        values = {"uid": new_uid(), **values}
        columns = ", ".join(f'"{column}"' for column in values)
        marks = ", ".join("?" for _ in values)
        try:
            cursor = self.conn.execute(
                f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', list(values.values())
            )
        except sqlite3.IntegrityError as error:
            raise _integrity_error(table, error) from None
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update(self, table: str, record_id: int, values: Row) -> None:
        """Change some columns of one row."""
        self._require_write()
        if not values:
            return
        assignments = ", ".join(f'"{column}" = ?' for column in values)
        try:
            self.conn.execute(
                f'UPDATE "{table}" SET {assignments} WHERE id = ?', [*values.values(), record_id]
            )
        except sqlite3.IntegrityError as error:
            raise _integrity_error(table, error) from None

    def delete(self, table: str, record_id: int) -> None:
        """Delete one row; foreign keys cascade and triggers drop its citations."""
        self._require_write()
        self.conn.execute(f'DELETE FROM "{table}" WHERE id = ?', [record_id])

    def get(self, table: str, record_id: int) -> Row | None:
        """One row by id, or None."""
        return self._one(f'SELECT * FROM "{table}" WHERE id = ?', [record_id])

    def columns(self, table: str) -> list[str]:
        """The column names of a table, in order."""
        return [row[1] for row in self.conn.execute(f'PRAGMA table_info("{table}")')]

    def all_rows(self, table: str, *, person_id: int | None = None) -> list[Row]:
        """Every row of a table in id order, optionally those of one person."""
        if person_id is None:
            return self._all(f'SELECT * FROM "{table}" ORDER BY id')
        return self._all(f'SELECT * FROM "{table}" WHERE person_id = ? ORDER BY id', [person_id])

    def rows_by_ids(self, table: str, ids: Sequence[int]) -> list[Row]:
        """Rows of TABLE with these ids, in one query per 500 ids."""
        rows: list[Row] = []
        for offset in range(0, len(ids), 500):
            chunk = list(ids[offset : offset + 500])
            marks = ", ".join("?" for _ in chunk)
            rows.extend(self._all(f'SELECT * FROM "{table}" WHERE id IN ({marks})', chunk))
        return rows

    def count(self, table: str) -> int:
        """How many rows a table holds."""
        return int(self.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        cursor = self.conn.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([column[0] for column in cursor.description], row, strict=True))

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # -- people and names ----------------------------------------------------

    def people_with_key(self, name_key: str) -> list[Row]:
        """People whose name or an alias has exactly this key (indexed)."""
        return self._all(
            """SELECT * FROM people WHERE id IN (
                   SELECT id FROM people WHERE name_key = ?
                   UNION SELECT person_id FROM aliases WHERE name_key = ?)
               ORDER BY id""",
            [name_key, name_key],
        )

    def people_with_name_part(self, part_key: str) -> list[Row]:
        """People one of whose names has this whole word (a given name or surname)."""
        patterns = [part_key, f"{part_key} %", f"% {part_key}", f"% {part_key} %"]
        return self._all(
            """SELECT * FROM people WHERE id IN (
                   SELECT id FROM people
                    WHERE name_key = ? OR name_key LIKE ? OR name_key LIKE ? OR name_key LIKE ?
                   UNION SELECT person_id FROM aliases
                    WHERE name_key = ? OR name_key LIKE ? OR name_key LIKE ? OR name_key LIKE ?)
               ORDER BY id""",
            patterns + patterns,
        )

    def all_name_keys(self) -> list[tuple[int, str, str]]:
        """(person id, name or alias, key) for every name: the fuzzy fallback's input."""
        rows = self.conn.execute(
            "SELECT id, name, name_key FROM people "
            "UNION ALL SELECT person_id, name, name_key FROM aliases"
        )
        return [(int(row[0]), str(row[1]), str(row[2])) for row in rows]

    def source_by_url(self, url: str) -> Row | None:
        """The first source recorded with exactly this URL."""
        return self._one("SELECT * FROM sources WHERE url = ? ORDER BY id LIMIT 1", [url])

    def people_by_ids(self, ids: Iterable[int]) -> dict[int, Row]:
        """People by id, in one query per 500 ids."""
        return {int(row["id"]): row for row in self.rows_by_ids("people", sorted(set(ids)))}

    # -- citations -----------------------------------------------------------

    def cite(self, record_uid: str, source_id: int, quote: str | None = None) -> None:
        """Link a record to a source (once)."""
        self._require_write()
        self.conn.execute(
            "INSERT OR IGNORE INTO citations (uid, record_uid, source_id, quote) VALUES (?, ?, ?, ?)",
            [new_uid(), record_uid, source_id, quote],
        )

    def citations_for(self, record_uids: Sequence[str]) -> list[Row]:
        """Citations of these records joined with their sources, in source order."""
        rows: list[Row] = []
        for offset in range(0, len(record_uids), 500):
            chunk = list(record_uids[offset : offset + 500])
            marks = ", ".join("?" for _ in chunk)
            rows.extend(
                self._all(
                    f"""SELECT citations.record_uid, citations.quote, sources.*
                        FROM citations JOIN sources ON sources.id = citations.source_id
                        WHERE citations.record_uid IN ({marks})""",
                    chunk,
                )
            )
        rows.sort(
            key=lambda row: (row["date_earliest"] is None, row["date_earliest"] or "", row["id"])
        )
        return rows

    # -- trials --------------------------------------------------------------

    def parties_of_trials(self, trial_ids: Sequence[int]) -> list[Row]:
        """Party rows (with the person's name) of these trials, by trial then recording order."""
        rows: list[Row] = []
        for chunk in _chunks(trial_ids):
            marks = ", ".join("?" for _ in chunk)
            rows.extend(
                self._all(
                    f"""SELECT trial_parties.*, people.name AS person_name,
                               people.private AS person_private
                        FROM trial_parties JOIN people ON people.id = trial_parties.person_id
                        WHERE trial_parties.trial_id IN ({marks})""",
                    chunk,
                )
            )
        rows.sort(key=lambda row: (row["trial_id"], row["id"]))
        return rows

    def trials_of_person(self, person_id: int) -> list[Row]:
        """Trials a person is a party to, by opened date then recording order."""
        return self._all(
            """SELECT trials.* FROM trials
               WHERE id IN (SELECT trial_id FROM trial_parties WHERE person_id = ?)
               ORDER BY opened_earliest IS NULL, opened_earliest, opened_latest, id""",
            [person_id],
        )

    def latest_trial_of(self, person_id: int) -> Row | None:
        """The person's latest trial by opened date, then by when it was recorded."""
        return self._one(
            """SELECT trials.* FROM trials
               WHERE id IN (SELECT trial_id FROM trial_parties WHERE person_id = ?)
               ORDER BY coalesce(opened_earliest, opened_latest) IS NULL,
                        coalesce(opened_earliest, opened_latest) DESC, id DESC
               LIMIT 1""",
            [person_id],
        )

    def trial_ids_only_of(self, person_id: int) -> list[int]:
        """Trials whose every party is this person (they go when the person goes)."""
        rows = self.conn.execute(
            """SELECT trial_id FROM trial_parties GROUP BY trial_id
               HAVING sum(person_id != ?) = 0 AND sum(person_id = ?) > 0""",
            [person_id, person_id],
        )
        return [int(row[0]) for row in rows]

    def relations_of(self, person_id: int) -> list[Row]:
        """Relations in either direction, with both people's names."""
        return self._all(
            """SELECT relations.*, a.name AS person_name, b.name AS other_name,
                      a.private AS person_private, b.private AS other_private
               FROM relations JOIN people a ON a.id = relations.person_id
                              JOIN people b ON b.id = relations.other_id
               WHERE relations.person_id = ? OR relations.other_id = ?
               ORDER BY relations.id""",
            [person_id, person_id],
        )

    def relations_all(self) -> list[Row]:
        """Every relation with both people's names."""
        return self._all(
            """SELECT relations.*, a.name AS person_name, b.name AS other_name
               FROM relations JOIN people a ON a.id = relations.person_id
                              JOIN people b ON b.id = relations.other_id
               ORDER BY relations.id"""
        )

    def records_with_person(self, table: str, person_id: int | None = None) -> list[Row]:
        """Rows of a per-person table joined with the person's name."""
        where = "" if person_id is None else f'WHERE "{table}".person_id = ?'
        params = [] if person_id is None else [person_id]
        return self._all(
            f"""SELECT "{table}".*, people.name AS person_name FROM "{table}"
                JOIN people ON people.id = "{table}".person_id {where}
                ORDER BY "{table}".id""",
            params,
        )

    # -- timeline ------------------------------------------------------------

    def timeline_rows(
        self,
        *,
        person_id: int | None,
        since: str | None,
        until: str | None,
        kinds: Sequence[str],
        court: str | None,
        place: str | None,
        limit: int | None,
    ) -> list[Row]:
        """Every fact (or the first LIMIT) in timeline order, filtered in SQL.

        Each kind of fact is read in index order (up to LIMIT rows each) and
        the sorted runs are merged here, so a limited timeline of everyone
        reads a few rows per table instead of sorting every fact.
        """
        from cases.schema import timeline_anchor, timeline_tail

        sources = [
            # kind, prefix, table, date field, person column, court, place, detail, join
            (
                "trial",
                "T",
                "trials",
                "opened",
                "p.person_id",
                "x.court",
                "x.place",
                "p.role",
                "JOIN trial_parties p ON p.trial_id = x.id",
            ),
            (
                "ruling",
                "R",
                "rulings",
                "date",
                "x.person_id",
                "coalesce(x.court, t.court)",
                "t.place",
                "x.outcome",
                "LEFT JOIN trials t ON t.id = x.trial_id",
            ),
            ("asylum", "A", "asylum", "date", "x.person_id", "NULL", "x.country", "x.decision", ""),
            (
                "detention",
                "D",
                "detentions",
                "start",
                "x.person_id",
                "NULL",
                "x.place",
                "x.kind",
                "",
            ),
            (
                "detention-end",
                "D",
                "detentions",
                "end",
                "x.person_id",
                "NULL",
                "x.place",
                "x.kind",
                "",
            ),
            ("event", "E", "events", "date", "x.person_id", "NULL", "x.place", "x.summary", ""),
        ]
        facts: list[Row] = []
        for kind, prefix, table, field, person_sql, court_sql, place_sql, detail, join in sources:
            kind_sql = "x.kind" if kind == "event" else f"'{kind}'"
            conditions: list[str] = []
            params: list[Any] = []
            if kinds:
                if kind == "event":
                    conditions.append(f"x.kind IN ({', '.join('?' for _ in kinds)})")
                    params.extend(kinds)
                elif kind not in kinds:
                    continue
            if kind == "detention-end":
                conditions.append('x."end" IS NOT NULL')
            if person_id is not None:
                conditions.append(f"{person_sql} = ?")
                params.append(person_id)
            if since is not None or until is not None:
                conditions.append(f'x."{field}" IS NOT NULL')
            if since is not None:
                # facts that can fall on or after SINCE
                conditions.append(f"coalesce(x.{field}_latest, '9999-12-31') >= ?")
                params.append(since)
            if until is not None:
                conditions.append(f"coalesce(x.{field}_earliest, '0001-01-01') <= ?")
                params.append(until)
            if court is not None:
                conditions.append(f"{court_sql} LIKE ?")
                params.append(f"%{court}%")
            if place is not None:
                conditions.append(f"{place_sql} LIKE ?")
                params.append(f"%{place}%")
            where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
            anchor, tail = timeline_anchor("x", field), timeline_tail("x", field)
            limit_sql = ""
            if limit is not None:
                limit_sql = "LIMIT ?"
                params.append(limit)
            facts.extend(
                self._all(
                    f"""SELECT {kind_sql} AS kind, '{prefix}' AS prefix, x.id AS record_id,
                               x.uid AS record_uid, {person_sql} AS person_id,
                               x."{field}" AS date, x.{field}_earliest AS earliest,
                               x.{field}_latest AS latest, {detail} AS detail,
                               x.private AS private, {anchor} AS anchor, {tail} AS tail
                        FROM "{table}" x {join} {where}
                        ORDER BY {anchor}, {tail}, x.id {limit_sql}""",
                    params,
                )
            )
        facts.sort(
            key=lambda f: (
                f["anchor"],
                f["tail"],
                f["kind"] == "detention-end",
                f["prefix"],
                f["record_id"],
                f["person_id"],
            )
        )
        if limit is not None:
            facts = facts[:limit]
        people = self.people_by_ids([int(f["person_id"]) for f in facts])
        for fact in facts:
            person = people[int(fact["person_id"])]
            fact["person_name"] = person["name"]
            fact["person_private"] = person["private"]
        return facts

    # -- search --------------------------------------------------------------

    def search(self, fts_query: str, limit: int) -> list[tuple[str, str, int, str]]:
        """(table, field, record id, text) of full-text hits, best first: by bm25
        (how often, and how rare, the words are), then a person's name, an
        alias, other fields, notes, then oldest record first."""
        try:
            rowids = [
                int(row[0])
                for row in self.conn.execute(
                    "SELECT rowid FROM search_index WHERE search_index MATCH ? "
                    f"ORDER BY rank, {search_field_order()}, rowid LIMIT ?",
                    [fts_query, limit],
                )
            ]
        except sqlite3.OperationalError as error:
            raise Invalid(f"cannot search for that text ({error})") from None
        # the index keeps no text: read each hit's from its record, one query per field
        by_slot: dict[int, list[int]] = {}
        for rowid in rowids:
            by_slot.setdefault(rowid % SEARCH_SLOTS, []).append(rowid // SEARCH_SLOTS)
        texts: dict[int, str] = {}
        for slot, ids in by_slot.items():
            table, text = SEARCH_FIELDS[slot][0], indexed_text(slot)
            for chunk in _chunks(ids):
                marks = ", ".join("?" for _ in chunk)
                for row_id, value in self.conn.execute(
                    f'SELECT id, {text} FROM "{table}" WHERE id IN ({marks})', chunk
                ):
                    texts[int(row_id) * SEARCH_SLOTS + slot] = str(value)
        hits = []
        for rowid in rowids:
            if rowid in texts:
                table, field, _ = SEARCH_FIELDS[rowid % SEARCH_SLOTS]
                hits.append((table, field, rowid // SEARCH_SLOTS, texts[rowid]))
        return hits

    def first_party_of(self, trial_ids: Sequence[int]) -> dict[int, int]:
        """The first-recorded party of each trial."""
        found: dict[int, int] = {}
        for chunk in _chunks(trial_ids):
            marks = ", ".join("?" for _ in chunk)
            rows = self.conn.execute(
                f"SELECT trial_id, person_id FROM trial_parties WHERE id IN ("
                f"SELECT min(id) FROM trial_parties WHERE trial_id IN ({marks}) GROUP BY trial_id)",
                chunk,
            )
            found.update((int(trial), int(person)) for trial, person in rows)
        return found

    # -- duplicates and merging ----------------------------------------------

    def people_sharing_a_word(self, max_group: int) -> list[tuple[int, int]]:
        """Pairs of people (a < b) whose names or aliases share a whole folded word.

        Words shared by more than MAX_GROUP people are too common to pair on.
        """
        rows = self.conn.execute(
            "SELECT id, name_key FROM people UNION ALL SELECT person_id, name_key FROM aliases"
        )
        by_word: dict[str, set[int]] = {}
        for person_id, key in rows:
            for word in str(key).split():
                by_word.setdefault(word, set()).add(int(person_id))
        pairs: set[tuple[int, int]] = set()
        for members in by_word.values():
            if 1 < len(members) <= max_group:
                ordered = sorted(members)
                for index, first in enumerate(ordered):
                    for second in ordered[index + 1 :]:
                        pairs.add((first, second))
        return sorted(pairs)

    def names_of(self, person_ids: Sequence[int]) -> dict[int, list[str]]:
        """Every name key (name and aliases) of these people."""
        found: dict[int, list[str]] = {}
        for offset in range(0, len(person_ids), 500):
            chunk = list(person_ids[offset : offset + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self.conn.execute(
                f"SELECT id, name_key FROM people WHERE id IN ({marks}) UNION ALL "
                f"SELECT person_id, name_key FROM aliases WHERE person_id IN ({marks})",
                chunk + chunk,
            )
            for person_id, key in rows:
                found.setdefault(int(person_id), []).append(str(key))
        return found

    def shared_links(self, first: int, second: int) -> dict[str, int]:
        """How many trials and sources two people share."""
        trials = self.conn.execute(
            "SELECT count(*) FROM trial_parties a JOIN trial_parties b ON a.trial_id = b.trial_id "
            "WHERE a.person_id = ? AND b.person_id = ?",
            [first, second],
        ).fetchone()[0]
        sources = self.conn.execute(
            "SELECT count(DISTINCT a.source_id) FROM citations a JOIN citations b "
            "ON a.source_id = b.source_id "
            "WHERE a.record_uid = (SELECT uid FROM people WHERE id = ?) "
            "AND b.record_uid = (SELECT uid FROM people WHERE id = ?)",
            [first, second],
        ).fetchone()[0]
        return {"trials": int(trials), "sources": int(sources)}

    def person_record_counts(self, person_id: int) -> dict[str, int]:
        """How many records of each kind name this person (what a merge would move)."""
        counts = {}
        for table in ("aliases", "trial_parties", "rulings", "asylum", "detentions", "events"):
            counts[table] = int(
                self.conn.execute(
                    f"SELECT count(*) FROM {table} WHERE person_id = ?", [person_id]
                ).fetchone()[0]
            )
        counts["relations"] = int(
            self.conn.execute(
                "SELECT count(*) FROM relations WHERE person_id = ? OR other_id = ?",
                [person_id, person_id],
            ).fetchone()[0]
        )
        counts["citations"] = int(
            self.conn.execute(
                "SELECT count(*) FROM citations WHERE record_uid = "
                "(SELECT uid FROM people WHERE id = ?)",
                [person_id],
            ).fetchone()[0]
        )
        return counts

    def move_person_records(
        self, source_id: int, target_id: int, *, mark_private: bool = False
    ) -> None:
        """Re-point every record of person SOURCE_ID at TARGET_ID (inside a
        transaction); with MARK_PRIVATE each moved record becomes private."""
        self._require_write()
        params = {"source": source_id, "target": target_id, "private": int(mark_private)}
        private = ", private = max(private, :private)"
        statements = [
            f"UPDATE aliases SET person_id = :target{private} WHERE person_id = :source",
            # a role the survivor already has in the same trial is not doubled
            """DELETE FROM trial_parties WHERE person_id = :source AND EXISTS (
                   SELECT 1 FROM trial_parties kept WHERE kept.trial_id = trial_parties.trial_id
                   AND kept.person_id = :target AND kept.role = trial_parties.role)""",
            f"UPDATE trial_parties SET person_id = :target{private} WHERE person_id = :source",
            f"UPDATE rulings SET person_id = :target{private} WHERE person_id = :source",
            f"UPDATE asylum SET person_id = :target{private} WHERE person_id = :source",
            f"UPDATE detentions SET person_id = :target{private} WHERE person_id = :source",
            f"UPDATE events SET person_id = :target{private} WHERE person_id = :source",
            # a relation between the two would become a relation to oneself
            """DELETE FROM relations WHERE (person_id = :source AND other_id = :target)
                   OR (person_id = :target AND other_id = :source)""",
            f"UPDATE relations SET person_id = :target{private} WHERE person_id = :source",
            f"UPDATE relations SET other_id = :target{private} WHERE other_id = :source",
            "UPDATE trials SET judge_person_id = :target WHERE judge_person_id = :source",
            "UPDATE trials SET lawyer_person_id = :target WHERE lawyer_person_id = :source",
        ]
        for statement in statements:
            self.conn.execute(statement, params)

    def move_citations(self, record_uid: str, alias_id: int | None, person_id: int) -> None:
        """Citations of the record RECORD_UID go to the alias ALIAS_ID (the name
        they cited), else to person PERSON_ID; one already there is not doubled."""
        self._require_write()
        table, row_id = ("aliases", alias_id) if alias_id is not None else ("people", person_id)
        self.conn.execute(
            f"""UPDATE OR IGNORE citations SET record_uid = (SELECT uid FROM "{table}" WHERE id = ?)
                WHERE record_uid = ?""",
            [row_id, record_uid],
        )

    # -- bulk transfer -------------------------------------------------------

    def mark_hidden_records(self) -> None:
        """Fill temporary tables with the ids an export must leave out (see privacy.py)."""
        statements = [
            "DROP TABLE IF EXISTS temp.hidden",
            "CREATE TEMP TABLE hidden (tbl TEXT NOT NULL, id INTEGER NOT NULL, "
            "PRIMARY KEY (tbl, id)) WITHOUT ROWID",
            "INSERT INTO hidden SELECT 'people', id FROM people WHERE private = 1",
            "INSERT INTO hidden SELECT 'sources', id FROM sources WHERE private = 1",
            """INSERT INTO hidden SELECT 'aliases', id FROM aliases WHERE private = 1
                   OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')""",
            # parties hidden by their own flag or their person...
            """INSERT INTO hidden SELECT 'trial_parties', id FROM trial_parties WHERE private = 1
                   OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')""",
            # ...a trial hidden by its flag or when it has parties and none is shown...
            """INSERT INTO hidden SELECT 'trials', id FROM trials WHERE private = 1
                   OR (EXISTS (SELECT 1 FROM trial_parties p WHERE p.trial_id = trials.id)
                       AND NOT EXISTS (SELECT 1 FROM trial_parties p WHERE p.trial_id = trials.id
                           AND p.id NOT IN (SELECT id FROM hidden WHERE tbl = 'trial_parties')))""",
            # ...and then the parties of hidden trials
            """INSERT OR IGNORE INTO hidden SELECT 'trial_parties', id FROM trial_parties
                   WHERE trial_id IN (SELECT id FROM hidden WHERE tbl = 'trials')""",
            """INSERT INTO hidden SELECT 'rulings', id FROM rulings WHERE private = 1
                   OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')
                   OR trial_id IN (SELECT id FROM hidden WHERE tbl = 'trials')""",
            """INSERT INTO hidden SELECT 'relations', id FROM relations WHERE private = 1
                   OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')
                   OR other_id IN (SELECT id FROM hidden WHERE tbl = 'people')""",
        ]
        for table in ("asylum", "detentions", "events"):
            statements.append(
                f"""INSERT INTO hidden SELECT '{table}', id FROM {table} WHERE private = 1
                       OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')"""
            )
        statements.append("DROP TABLE IF EXISTS temp.hidden_uids")
        statements.append("CREATE TEMP TABLE hidden_uids (uid TEXT PRIMARY KEY) WITHOUT ROWID")
        for table in CITABLE_TABLES:
            statements.append(
                f"INSERT OR IGNORE INTO hidden_uids SELECT uid FROM {table} "
                f"WHERE id IN (SELECT id FROM hidden WHERE tbl = '{table}')"
            )
        statements.append(
            """INSERT INTO hidden SELECT 'citations', id FROM citations
                   WHERE record_uid IN (SELECT uid FROM hidden_uids)
                   OR source_id IN (SELECT id FROM hidden WHERE tbl = 'sources')"""
        )
        # the name keys of hidden people and hidden aliases: a text naming one is blanked
        statements += [
            "DROP TABLE IF EXISTS temp.hidden_keys",
            "CREATE TEMP TABLE hidden_keys (key TEXT PRIMARY KEY) WITHOUT ROWID",
            """INSERT OR IGNORE INTO hidden_keys SELECT name_key FROM people
                   WHERE id IN (SELECT id FROM hidden WHERE tbl = 'people')""",
            """INSERT OR IGNORE INTO hidden_keys SELECT name_key FROM aliases
                   WHERE id IN (SELECT id FROM hidden WHERE tbl = 'aliases')""",
        ]
        for statement in statements:
            self.conn.execute(statement)

    def stream_rows(
        self,
        table: str,
        columns: Sequence[str],
        links: dict[str, str],
        *,
        hide: bool = False,
        blanked_links: dict[str, str] | None = None,
        naming_texts: dict[str, str] | None = None,
        defuse: frozenset[str] = frozenset(),
    ) -> Iterator[tuple[Any, ...]]:
        """Rows of TABLE in id order, link columns replaced by the uid they point at.

        With HIDE, rows marked by :meth:`mark_hidden_records` are left out; each
        of BLANKED_LINKS (column -> table) is emptied where it points at a hidden
        row, and each of NAMING_TEXTS (text column -> its person link) where the
        link points at a hidden person or the text is a hidden name.
        Columns in DEFUSE are defused for spreadsheets in SQL.
        """
        blanked_links = blanked_links or {}
        naming_texts = naming_texts or {}
        selected = []
        joins = []
        for index, column in enumerate(columns):
            if column in links:
                alias = f"link{index}"
                joins.append(f'LEFT JOIN "{links[column]}" {alias} ON {alias}.id = t."{column}"')
                value = f"{alias}.uid"
            else:
                value = f't."{column}"'
            if hide and column in blanked_links:
                value = (
                    f'CASE WHEN t."{column}" IN (SELECT id FROM hidden WHERE '
                    f"tbl = '{blanked_links[column]}') THEN NULL ELSE {value} END"
                )
            if hide and column in naming_texts:
                link = naming_texts[column]
                value = (
                    f"CASE WHEN t.\"{link}\" IN (SELECT id FROM hidden WHERE tbl = 'people') "
                    f'OR cases_name_key(t."{column}") IN (SELECT key FROM hidden_keys) '
                    f"THEN NULL ELSE {value} END"
                )
            if hide and column in naming_texts.values():
                text = next(t for t, link in naming_texts.items() if link == column)
                value = (
                    f'CASE WHEN cases_name_key(t."{text}") IN (SELECT key FROM hidden_keys) '
                    f"THEN NULL ELSE {value} END"
                )
            if column in defuse:
                value = _defused_sql(value)
            selected.append(value)
        where = f"WHERE t.id NOT IN (SELECT id FROM hidden WHERE tbl = '{table}')" if hide else ""
        sql = (
            f'SELECT {", ".join(selected)} FROM "{table}" t {" ".join(joins)} {where} ORDER BY t.id'
        )
        # the cursor itself, not a generator over it: nothing is left to finalise
        # if the export stops half-way (Ctrl-C closes the connection first)
        return self.conn.execute(sql)

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

    def existing_uids(self, table: str, uids: Sequence[str]) -> set[str]:
        """Which of these uids TABLE already holds."""
        return set(
            _json_list(
                self.conn,
                f'SELECT json_group_array(uid) FROM "{table}" '
                "WHERE uid IN (SELECT value FROM json_each(?))",
                [_json(uids)],
            )
        )

    def set_links_by_uid(self, table: str, column: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Set COLUMN of rows (by uid) to the id of the TABLE row with the other uid."""
        self._require_write()
        self.conn.execute(
            f'UPDATE "{table}" SET "{column}" = link.target_id FROM ('
            "SELECT json_extract(value, '$[0]') AS uid, "
            f"(SELECT id FROM \"{table}\" WHERE uid = json_extract(value, '$[1]')) AS target_id "
            f'FROM json_each(?)) AS link WHERE "{table}".uid = link.uid',
            [_json(pairs)],
        )

    def set_bulk(self, on: bool) -> None:
        """Bulk mode: inserts are not logged row by row and search triggers stand still."""
        self._require_write()
        self.conn.execute("UPDATE change_state SET bulk = ? WHERE id = 1", [int(on)])

    def max_id(self, table: str) -> int:
        """The largest id in TABLE (0 when empty)."""
        return int(self.conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0])

    def log_insert_range(self, table: str, first: int, last: int) -> None:
        """Log that the open change inserted ids FIRST..LAST of TABLE (a bulk insert)."""
        self._require_write()
        self.conn.execute(
            "INSERT INTO change_rows (change_id, tbl, op, row_id, before) "
            "VALUES (?, ?, 'insert-range', ?, ?)",
            [self.change_id, table, first, str(last)],
        )

    def index_search_rows(self, table: str, after_id: int, updated_ids: Sequence[int]) -> None:
        """Index (set-based) the rows of TABLE with id > AFTER_ID, and UPDATED_IDS
        (whose old text :meth:`unindex_search_rows` removed before the update)."""
        self._require_write()
        for slot, text in _search_texts(table):
            self.conn.execute(
                f"INSERT INTO search_index (rowid, text) SELECT id * {SEARCH_SLOTS} + {slot}, "
                f'{text} FROM "{table}" WHERE id > ? AND {text} IS NOT NULL',
                [after_id],
            )
            if updated_ids:
                self.conn.execute(
                    f"INSERT INTO search_index (rowid, text) SELECT id * {SEARCH_SLOTS} + {slot}, "
                    f'{text} FROM "{table}" WHERE id IN (SELECT value FROM json_each(?)) '
                    f"AND {text} IS NOT NULL",
                    [_json(updated_ids)],
                )

    def unindex_search_rows(self, table: str, ids: Sequence[int]) -> None:
        """Remove rows IDS of TABLE from the search index, before a bulk update.

        The index keeps no text, so removing a row means giving it the text the
        row was indexed with: the text the row holds now.
        """
        self._require_write()
        if not ids:
            return
        for slot, text in _search_texts(table):
            self.conn.execute(
                "INSERT INTO search_index (search_index, rowid, text) SELECT 'delete', "
                f'id * {SEARCH_SLOTS} + {slot}, {text} FROM "{table}" '
                f"WHERE id IN (SELECT value FROM json_each(?)) AND {text} IS NOT NULL",
                [_json(ids)],
            )

    def drop_indexes(self, table: str) -> list[str]:
        """Drop every index of TABLE, unique keys included; return the SQL that
        rebuilds them.

        Building an index once after a bulk load into an empty table is cheaper
        than keeping it up to date row by row. Until it is rebuilt nothing
        enforces the unique keys: the loader checks its uids are distinct, and
        :meth:`create_indexes` refuses the load if a key repeats.
        """
        self._require_write()
        rows = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            [table],
        ).fetchall()
        for name, _ in rows:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [str(sql) for _, sql in rows]

    def create_indexes(self, table: str, statements: Sequence[str]) -> None:
        """Rebuild TABLE's indexes dropped by :meth:`drop_indexes`."""
        try:
            for statement in statements:
                self.conn.execute(statement)
        except sqlite3.IntegrityError as error:
            raise _integrity_error(table, error) from None

    def use_large_cache(self) -> None:
        """Keep up to 64 MiB of pages in memory: a bulk import then does not spill
        to the journal mid-transaction. Reads keep SQLite's small default, so an
        export's memory stays flat however large the database."""
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.execute("PRAGMA temp_store=MEMORY")

    def upsert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        on_conflict: str = "update",
    ) -> None:
        """Insert ROWS (values in COLUMNS order), or update those whose uid exists,
        with one executemany. ON_CONFLICT: what a row whose uid exists does
        ("update" it, "keep" the existing record), or "insert" into a table
        without its uid index (see :meth:`drop_indexes`), whose rows are all new."""
        self._require_write()
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})' + _on_uid_conflict(
            columns, on_conflict
        )
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.IntegrityError as error:
            raise _integrity_error(table, error) from None

    def upsert_values(
        self,
        table: str,
        columns: Sequence[str],
        wrappers: Sequence[str],
        values: Sequence[Any],
        *,
        on_conflict: str = "update",
    ) -> None:
        """Insert rows given as one flat list of VALUES (row after row, in COLUMNS
        order), or update those whose uid exists, as many rows per statement as
        SQLite's variable limit allows.

        A multi-row VALUES binds in one call and runs in one step: about half
        the time of executemany, a quarter of a JSON array read with json_each,
        and SQLite runs the step without Python's lock, so the next rows can be
        checked meanwhile. A WRAPPER is an SQL template for its column's value,
        ``{}``. ON_CONFLICT as for :meth:`upsert_rows`.
        """
        self._require_write()
        width = len(columns)
        per_statement = max(1, _bound_values_limit(self.conn) // width)
        try:
            for start in range(0, len(values), per_statement * width):
                part = values[start : start + per_statement * width]
                sql = _values_insert(
                    table, tuple(columns), tuple(wrappers), len(part) // width, on_conflict
                )
                self.conn.execute(sql, part)
        except sqlite3.IntegrityError as error:
            raise _integrity_error(table, error) from None

    def count_private(self, table: str, uids: Sequence[str]) -> int:
        """How many rows of TABLE with these uids are private."""
        (count,) = self.conn.execute(
            f'SELECT count(*) FROM "{table}" WHERE private = 1 '
            "AND uid IN (SELECT value FROM json_each(?))",
            [_json(uids)],
        ).fetchone()
        return int(count)

    def first_in_a_cycle(self, table: str, column: str) -> str | None:
        """The uid of a row that links to itself through COLUMN, directly or not."""
        row = self.conn.execute(
            f"""WITH RECURSIVE chain(start, next, depth) AS (
                    SELECT id, "{column}", 1 FROM "{table}" WHERE "{column}" IS NOT NULL
                    UNION ALL
                    SELECT chain.start, t."{column}", chain.depth + 1
                    FROM chain JOIN "{table}" t ON t.id = chain.next
                    WHERE t."{column}" IS NOT NULL AND chain.next != chain.start
                    AND chain.depth < 10000)
                SELECT (SELECT uid FROM "{table}" WHERE id = start) FROM chain
                WHERE next = start LIMIT 1"""
        ).fetchone()
        return None if row is None else str(row[0])

    def ids_of_uids(self, table: str, uids: Sequence[str], *, up_to: int) -> list[int]:
        """The ids (at most UP_TO) of the rows of TABLE with these uids."""
        return _json_list(
            self.conn,
            f'SELECT json_group_array(id) FROM "{table}" '
            "WHERE uid IN (SELECT value FROM json_each(?)) AND id <= ?",
            [_json(uids), up_to],
        )

    @contextmanager
    def keys_checked_once(self) -> Iterator[None]:
        """Foreign keys unchecked row by row inside (around a transaction, which
        cannot switch them); the block checks each table once with :meth:`broken_links`.

        A bulk load resolves every link to an id it has just read, and one
        set-based check afterwards costs a fraction of a lookup per row.
        """
        if self.conn.in_transaction:
            raise RuntimeError("foreign keys cannot be switched inside a transaction")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            yield
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def insert_triggers_dropped(self) -> Iterator[None]:
        """Inside a transaction: the per-row insert triggers (change log, search
        index) dropped for the block and created again after it, for a bulk
        load that logs and indexes its rows set-based. If the block raises they
        are not restored here: the transaction's rollback brings them back.

        Their WHEN clauses alone, three lookups per row, cost about a second
        per million rows.
        """
        self._require_write()
        if not self.conn.in_transaction:
            raise RuntimeError("insert triggers are dropped only inside a transaction")
        rows = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (name LIKE '%\\_log\\_insert' ESCAPE '\\' "
            "OR name LIKE '%\\_search\\_insert' ESCAPE '\\')"
        ).fetchall()
        for name, _ in rows:
            self.conn.execute(f'DROP TRIGGER "{name}"')
        yield
        for _, sql in rows:
            self.conn.execute(sql)

    def broken_links(self, table: str) -> int:
        """How many rows of TABLE refer to a row that does not exist."""
        return len(self.conn.execute(f'PRAGMA foreign_key_check("{table}")').fetchall())

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A block inside the open transaction that is undone alone when it raises."""
        self._require_write()
        self.conn.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO part")
            self.conn.execute("RELEASE part")
            raise
        self.conn.execute("RELEASE part")

    def uid_map(self, table: str) -> dict[str, int]:
        """uid -> id of every row of TABLE (one scan, for bulk link resolution),
        read as one JSON object (see :func:`_json_list` for why)."""
        import json

        (text,) = self.conn.execute(
            f"SELECT coalesce(json_group_object(uid, id), '{{}}') FROM \"{table}\""
        ).fetchone()
        return dict(json.loads(text))

    def dangling_citations(self) -> list[str]:
        """record_uids of citations that name no record in any citable table."""
        known = " UNION ALL ".join(f'SELECT uid FROM "{t}"' for t in CITABLE_TABLES)
        rows = self.conn.execute(
            f"SELECT record_uid FROM citations WHERE record_uid NOT IN ({known}) LIMIT 5"
        )
        return [str(row[0]) for row in rows]

    # -- the change log ------------------------------------------------------

    def changes(self, limit: int) -> list[Row]:
        """The latest change-log entries, newest first."""
        return self._all("SELECT * FROM changes ORDER BY id DESC LIMIT ?", [limit])

    def latest_undoable_change(self) -> Row | None:
        """The latest change not yet undone (None when there is none)."""
        return self._one(
            "SELECT * FROM changes WHERE undone_at IS NULL AND needs_purged = 0 "
            "ORDER BY id DESC LIMIT 1"
        )

    def reverse_change(self, change_id: int) -> int:
        """Undo one change exactly, newest row first; return how many rows it restored."""
        import json

        self._require_write()
        # rows come back in reverse order; a parent may be restored after a child
        self.conn.execute("PRAGMA defer_foreign_keys=ON")
        rows = self.conn.execute(
            "SELECT tbl, op, row_id, before FROM change_rows WHERE change_id = ? ORDER BY id DESC",
            [change_id],
        ).fetchall()
        for table, op, row_id, before in rows:
            if op == "insert":
                self.conn.execute(f'DELETE FROM "{table}" WHERE id = ?', [row_id])
                continue
            if op == "insert-range":
                self.conn.execute(
                    f'DELETE FROM "{table}" WHERE id BETWEEN ? AND ?', [row_id, int(before)]
                )
                continue
            image = json.loads(before)
            columns = list(image)
            try:
                if op == "update":
                    assignments = ", ".join(f'"{c}" = ?' for c in columns)
                    self.conn.execute(
                        f'UPDATE "{table}" SET {assignments} WHERE id = ?',
                        [*image.values(), row_id],
                    )
                else:
                    names = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join("?" for _ in columns)
                    self.conn.execute(
                        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(image.values())
                    )
            except sqlite3.IntegrityError as error:
                raise _integrity_error(table, error) from None
        self.conn.execute(
            "UPDATE changes SET undone_at = datetime('now') WHERE id = ?", [change_id]
        )
        return len(rows)

    def purge_current_change(self) -> int:
        """Erase from the whole log everything of what the open change deleted.

        Purged are the rows this change deleted, the people merged into a purged
        person (a merge deletes them, so their rows are in an older entry), and
        every logged row that belonged to a purged row through a cascading key
        (an event of the person deleted earlier, a citation of it...). Their
        images go from every entry; an optional link to them (a judge, a trial, an
        appeal) and a text that names a purged person are blanked in the images
        that keep them. An older entry that loses an image it needs to be undone
        is marked ``needs_purged`` (undo passes over it); one left with nothing
        is marked purged. Returns how many log rows were erased.
        """
        import json

        self._require_write()
        change = self.change_id
        purged: set[tuple[str, int]] = {
            (str(table), int(row_id))
            for table, row_id in self.conn.execute(
                "SELECT tbl, row_id FROM change_rows WHERE change_id = ? AND op = 'delete'",
                [change],
            )
        }
        cascading, nulling = _foreign_keys(self.conn)
        while True:
            found = set(purged)
            people = [row_id for table, row_id in found if table == "people"]
            for chunk in _chunks(people):
                marks = ", ".join("?" for _ in chunk)
                found.update(
                    ("people", int(row_id))
                    for (row_id,) in self.conn.execute(
                        f"SELECT row_id FROM fates WHERE tbl = 'people' AND fate = 'merged' "
                        f"AND into_id IN ({marks})",
                        chunk,
                    )
                )
            uids = self._image_values(found, "uid")
            for table, column, parent in cascading:
                parents = [row_id for kind, row_id in found if kind == parent]
                found.update(self._images_pointing_at(table, column, parents))
            found.update(self._images_pointing_at("citations", "record_uid", sorted(uids)))
            if found == purged:
                break
            purged = found
        # texts that name a purged person, and optional links to purged rows
        names = self._image_values(
            {key for key in purged if key[0] in ("people", "aliases")}, "name"
        )
        keys = sorted({key for key in map(_name_key_of, names) if key})
        for table, column, parent in nulling:
            ids = [row_id for kind, row_id in purged if kind == parent]
            for chunk in _chunks(ids):
                marks = ", ".join("?" for _ in chunk)
                texts = NAMING_TEXTS.get(table, {})
                text = next((t for t, link in texts.items() if link == column), None)
                cleared = f"'$.{column}', NULL" + (f", '$.{text}', NULL" if text else "")
                self.conn.execute(
                    f"UPDATE change_rows SET before = json_set(before, {cleared}) "
                    f"WHERE tbl = ? AND before IS NOT NULL "
                    f"AND json_extract(before, '$.{column}') IN ({marks})",
                    [table, *chunk],
                )
        for table, texts in NAMING_TEXTS.items():
            for text, link in texts.items():
                self.conn.execute(
                    f"UPDATE change_rows SET before = json_set(before, '$.{text}', NULL, "
                    f"'$.{link}', NULL) WHERE tbl = ? AND before IS NOT NULL AND "
                    f"cases_name_key(json_extract(before, '$.{text}')) IN "
                    "(SELECT value FROM json_each(?))",
                    [table, json.dumps(keys)],
                )
        # erase, and mark what the erasing leaves unable to be undone
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS purging (tbl TEXT, row_id INTEGER)")
        self.conn.execute("DELETE FROM temp.purging")
        self.conn.executemany("INSERT INTO temp.purging VALUES (?, ?)", sorted(purged))
        self.conn.execute(
            """UPDATE changes SET needs_purged = 1 WHERE id != ? AND id IN (
                   SELECT change_id FROM change_rows WHERE op IN ('update', 'delete')
                   AND (tbl, row_id) IN (SELECT tbl, row_id FROM temp.purging))""",
            [change],
        )
        cursor = self.conn.execute(
            """DELETE FROM change_rows WHERE change_id = ?
                   OR (tbl, row_id) IN (SELECT tbl, row_id FROM temp.purging)""",
            [change],
        )
        erased = int(cursor.rowcount)
        # an entry left with nothing (the addition of a purged person) is erased too
        self.conn.execute(
            """UPDATE changes SET purged = 1, undone_at = coalesce(undone_at, datetime('now'))
               WHERE rows > 0 AND purged = 0 AND id != ?
               AND NOT EXISTS (SELECT 1 FROM change_rows WHERE change_id = changes.id)""",
            [change],
        )
        self.conn.execute(
            "INSERT OR REPLACE INTO fates (tbl, row_id, fate, into_id, change_id) "
            "SELECT tbl, row_id, 'purged', NULL, ? FROM temp.purging",
            [change],
        )
        self.conn.execute("DELETE FROM temp.purging")
        # the purge itself cannot be undone: its row images are gone
        self.conn.execute(
            "UPDATE changes SET purged = 1, undone_at = datetime('now') WHERE id = ?", [change]
        )
        # rewrite the search index so that no deleted text lingers in its pages
        self.conn.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")
        return erased

    def _image_values(self, rows: set[tuple[str, int]], field: str) -> set[str]:
        """FIELD of every logged image of ROWS (table, id)."""
        values: set[str] = set()
        by_table: dict[str, list[int]] = {}
        for table, row_id in rows:
            by_table.setdefault(table, []).append(row_id)
        for table, ids in by_table.items():
            for chunk in _chunks(sorted(ids)):
                marks = ", ".join("?" for _ in chunk)
                values.update(
                    str(value)
                    for (value,) in self.conn.execute(
                        f"SELECT DISTINCT json_extract(before, '$.{field}') FROM change_rows "
                        f"WHERE tbl = ? AND row_id IN ({marks}) AND before IS NOT NULL",
                        [table, *chunk],
                    )
                    if value is not None
                )
        return values

    def _images_pointing_at(
        self, table: str, column: str, targets: Sequence[Any]
    ) -> set[tuple[str, int]]:
        """(TABLE, id) of logged images whose COLUMN is one of TARGETS."""
        found: set[tuple[str, int]] = set()
        for chunk in _chunks(list(targets)):
            marks = ", ".join("?" for _ in chunk)
            found.update(
                (table, int(row_id))
                for (row_id,) in self.conn.execute(
                    f"SELECT DISTINCT row_id FROM change_rows WHERE tbl = ? "
                    f"AND before IS NOT NULL AND json_extract(before, '$.{column}') IN ({marks})",
                    [table, *chunk],
                )
            )
        return found

    def blank_texts_naming(self, person_id: int) -> int:
        """Blank every text on other records that names this person (linked to
        them, or their name or an alias as written): a judge's or lawyer's name
        on a trial. Returns how many records changed."""
        self._require_write()
        changed = 0
        for table, texts in NAMING_TEXTS.items():
            for text, link in texts.items():
                cursor = self.conn.execute(
                    f"""UPDATE "{table}" SET "{text}" = NULL, "{link}" = NULL
                        WHERE "{link}" = :person OR cases_name_key("{text}") IN (
                            SELECT name_key FROM people WHERE id = :person
                            UNION SELECT name_key FROM aliases WHERE person_id = :person)""",
                    {"person": person_id},
                )
                changed += int(cursor.rowcount)
        return changed

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it, so that no page
        a purge rewrote lingers in the log file. Best effort: a reader still
        reading keeps its pages until the next write."""
        with suppress(sqlite3.OperationalError):
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def set_fate(self, table: str, row_id: int, fate: str, into_id: int | None = None) -> None:
        """Remember what became of a row that is gone (merged into INTO_ID, purged)."""
        self._require_write()
        self.conn.execute(
            "INSERT OR REPLACE INTO fates (tbl, row_id, fate, into_id, change_id) "
            "VALUES (?, ?, ?, ?, ?)",
            [table, row_id, fate, into_id, self.change_id],
        )

    def purge_leftovers(self) -> list[str]:
        """What a purge should have erased and is still there: a log image of a
        purged row, or an entry still open to undo that needs a purged row."""
        from cases.records import KIND_BY_TABLE

        def ref(table: str, row_id: int) -> str:
            kind = KIND_BY_TABLE.get(table)
            return f"{kind.prefix}{row_id}" if kind else f"{table} row {row_id}"

        problems = [
            f"purge: {ref(table, row_id)} was purged but the change log still holds it (C{change})"
            for table, row_id, change in self.conn.execute(
                """SELECT cr.tbl, cr.row_id, cr.change_id FROM change_rows cr
                   JOIN fates f ON f.tbl = cr.tbl AND f.row_id = cr.row_id
                   WHERE f.fate = 'purged' LIMIT 20"""
            )
        ]
        cascading, nulling = _foreign_keys(self.conn)
        for table, column, parent in (*cascading, *nulling):
            for change, row_id in self.conn.execute(
                f"""SELECT cr.change_id, cr.row_id FROM change_rows cr
                    JOIN changes c ON c.id = cr.change_id
                    WHERE c.undone_at IS NULL AND c.needs_purged = 0 AND cr.tbl = ?
                    AND cr.before IS NOT NULL AND json_extract(cr.before, '$.{column}') IN (
                        SELECT row_id FROM fates WHERE tbl = ? AND fate = 'purged')
                    LIMIT 20""",
                [table, parent],
            ):
                problems.append(
                    f"undo: C{change} would bring back {ref(table, row_id)}, which needs "
                    f"a purged {parent} record"
                )
        return problems

    # -- checks and backups --------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """SQLite's integrity and foreign-key checks, as readable lines."""
        problems: list[str] = []
        try:
            result = [str(row[0]) for row in self.conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.extend(f"integrity: {line}" for line in result[:20])
        except sqlite3.DatabaseError as error:  # a badly broken file raises instead
            problems.append(f"integrity: {error}")
        try:
            for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check"):
                problems.append(f"foreign key: {table} row {rowid} points at a missing {parent}")
        except sqlite3.DatabaseError as error:
            problems.append(f"foreign key: {error}")
        problems.extend(self._search_index_problems())
        return problems

    def _search_index_problems(self) -> list[str]:
        """FTS5's own check of the search index. It runs as a write statement: on a
        read-only connection it runs through a writable one of its own, and a
        file nobody may write is left unchecked, with a remark, not a problem."""
        check = "INSERT INTO search_index (search_index) VALUES ('integrity-check')"
        connections = [self.conn]
        try:
            while True:
                try:
                    connections[-1].execute(check)
                    return []
                except sqlite3.OperationalError as error:
                    if "readonly" not in str(error):
                        return [f"search index: {error}"]
                    if len(connections) > 1 or self.path is None:
                        self.notices.append(
                            "the search index was not checked: the file is read-only"
                        )
                        return []
                    connections.append(sqlite3.connect(self.path, timeout=busy_timeout_seconds()))
                except sqlite3.DatabaseError as error:
                    return [f"search index: {error}"]
        finally:
            for conn in connections[1:]:
                conn.close()

    def date_problems(self) -> list[str]:
        """Date columns whose earliest day is after their latest day."""
        from cases.records import KINDS

        problems: list[str] = []
        for kind in KINDS:
            for field in kind.date_fields:
                rows = self.conn.execute(
                    f'SELECT id FROM "{kind.table}" WHERE "{field}_earliest" > "{field}_latest"'
                ).fetchall()
                problems.extend(
                    f"date: {kind.prefix}{row[0]} {field} ends before it starts" for row in rows
                )
        return problems

    def stale_name_keys(self, key: Any) -> list[str]:
        """Names whose stored key differs from KEY(name)."""
        problems = []
        for table, label in (("people", "P"), ("aliases", "alias of P")):
            id_column = "id" if table == "people" else "person_id"
            for row_id, name, stored in self.conn.execute(
                f"SELECT {id_column}, name, name_key FROM {table}"
            ):
                if key(name) != stored:
                    problems.append(f"name key: {label}{row_id} is out of date")
        return problems

    def pending_migrations(self) -> list[str]:
        """Migrations not applied to this database."""
        from cases.migrations import migrations

        return [migration.name for migration in migrations.pending(self.db)]

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the database at TARGET (SQLite's online backup)."""
        copy = sqlite3.connect(target)
        try:
            self.conn.backup(copy)
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise Conflict(f"the backup copy failed its integrity check ({result})")
        finally:
            copy.close()

    # -- statistics ----------------------------------------------------------

    def count_by(self, table: str, column: str) -> dict[str, int]:
        """How many rows have each non-null value of COLUMN."""
        rows = self.conn.execute(
            f'SELECT "{column}", count(*) FROM "{table}" WHERE "{column}" IS NOT NULL '
            f'GROUP BY "{column}" ORDER BY "{column}"'
        )
        return {str(row[0]): int(row[1]) for row in rows}

    def count_open_detentions(self) -> int:
        """Detentions with no end recorded."""
        return int(
            self.conn.execute('SELECT count(*) FROM detentions WHERE "end" IS NULL').fetchone()[0]
        )

    def detention_day_totals(self) -> tuple[int, int]:
        """(detentions, days summed over those whose both ends are exact days).

        A canonical exact day is exactly YYYY-MM-DD (no ~ or ?), so the length
        is computed in SQL without reading every row into Python.
        """
        exact = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
        row = self.conn.execute(
            f"""SELECT count(*), coalesce(sum(CASE WHEN start {exact} AND "end" {exact}
                       THEN julianday("end") - julianday(start) END), 0)
                FROM detentions"""
        ).fetchone()
        return int(row[0]), int(row[1])


# First characters a spreadsheet would run as a formula, and the quote itself.
_FORMULA_FIRST = "('=', '+', '-', '@', char(9), char(13), char(10), '''')"


def _defused_sql(value: str) -> str:
    """SQL that prefixes a text value with ' as csv_io.defuse does, in the database."""
    return (
        f"CASE WHEN typeof({value}) = 'text' AND substr({value}, 1, 1) IN {_FORMULA_FIRST} "
        f"THEN '''' || {value} ELSE {value} END"
    )


# Import-time lookups pass their keys as one JSON array and read their answer as
# one JSON value: one statement and one row however many keys. While an import's
# worker thread runs, every row fetched and every statement run costs the main
# thread up to a switch interval to take Python's lock back.


def _json(values: Sequence[Any]) -> str:
    import json

    return json.dumps(list(values))


def _json_list(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    import json

    (text,) = conn.execute(sql, params).fetchone()
    return list(json.loads(text)) if text else []


def _chunks(values: Sequence[Any], size: int = 500) -> Iterator[list[Any]]:
    """VALUES in lists of at most SIZE (SQLite limits the variables in one statement)."""
    for offset in range(0, len(values), size):
        yield list(values[offset : offset + size])


def _search_texts(table: str) -> Iterator[tuple[int, str]]:
    """(slot, SQL for the indexed text) of each of TABLE's search fields."""
    for slot, (field_table, _, _) in enumerate(SEARCH_FIELDS):
        if field_table == table:
            yield slot, indexed_text(slot)


def _bound_values_limit(conn: sqlite3.Connection) -> int:
    """How many values one statement may bind: SQLite's limit (32,766 by default;
    some builds allow more), at most 32,766 so that statements stay short."""
    return min(conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32_766)


# a few shapes per table (full statements, the last of a chunk, the last of a
# file): the few last tables' are kept, a few MB at most
@lru_cache(maxsize=16)
def _values_insert(
    table: str, columns: tuple[str, ...], wrappers: tuple[str, ...], rows: int, on_conflict: str
) -> str:
    """The multi-row INSERT of :meth:`Store.upsert_values` for ROWS rows.

    Made once per shape: the text runs to hundreds of kilobytes, and the same
    string object lets SQLite's statement cache find it without hashing it again.
    """
    names = ", ".join(f'"{c}"' for c in columns)
    row = "(" + ", ".join(wrapper.format("?") for wrapper in wrappers) + ")"
    values = ", ".join([row] * rows)
    return (
        f'INSERT INTO "{table}" ({names}) VALUES {values}{_on_uid_conflict(columns, on_conflict)}'
    )


def _on_uid_conflict(columns: Sequence[str], on_conflict: str) -> str:
    """The upsert clause of an insert: update the row whose uid exists (never
    making a private record public), or keep it as it is."""
    if on_conflict == "insert":
        return ""
    if on_conflict == "keep":
        return " ON CONFLICT(uid) DO NOTHING"
    updates = ", ".join(
        '"private" = max("private", excluded."private")'
        if c == "private"
        else f'"{c}" = excluded."{c}"'
        for c in columns
        if c != "uid"
    )
    return f" ON CONFLICT(uid) DO UPDATE SET {updates}"


def _integrity_error(table: str, error: sqlite3.IntegrityError) -> CasesError:
    message = str(error)
    if "UNIQUE" in message:
        return Conflict(f"that {table} record already exists")
    if "FOREIGN KEY" in message:
        return Invalid(f"a {table} record refers to something that does not exist")
    return Invalid(f"a {table} value was refused ({message})")


def _name_key_of(name: str) -> str:
    from cases.names import name_key

    return name_key(name)


def _foreign_keys(
    conn: sqlite3.Connection,
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(table, column, parent table) of every foreign key of the logged tables:
    those that cascade a delete, and those that set the column to NULL."""
    from cases.schema import LOGGED_TABLES

    cascading: list[tuple[str, str, str]] = []
    nulling: list[tuple[str, str, str]] = []
    for table in LOGGED_TABLES:
        for row in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
            parent, column, on_delete = str(row[2]), str(row[3]), str(row[6]).upper()
            target = cascading if on_delete == "CASCADE" else nulling
            target.append((table, column, parent))
    return cascading, nulling
