"""A team's PostgreSQL database for every command that runs there: the same Store the
SQLite file gives (``one``, ``all``, ``scalar``, ``conn.execute``), over
psycopg.

The queries are the SQLite ones, written portably where they could be (aliases
on subqueries, casts). What still differs is taken care of here, in one place:
``?`` and ``:name`` parameters become psycopg's, SQLite's ``LIMIT -1`` (no
limit, which keeps a subquery from being flattened into the query around it)
becomes ``OFFSET 0``, which does the same on PostgreSQL, ``LIKE`` ignores case as SQLite's does, ``INSERT OR IGNORE`` is
an insert ``ON CONFLICT DO NOTHING``, and the few SQLite functions the queries use
(``group_concat``, ``printf('%0Nd')``, ``julianday``, a two-argument ``max``
and ``min`` that give NULL for NULL) are functions of the team database
(:mod:`cases.db.pg.compatible`, made by ``team init``). A sum comes back as an integer,
as SQLite gives it.

Writes go through the same write path as on SQLite (:meth:`Store.transaction`):
one transaction a change, and the same statements, which the team database
answers with objects of the same names (the change log's triggers, a
``change_state`` view over the transaction's own settings). Writers take
turns, as SQLite's do (an advisory lock held to the commit): a command reads,
checks and then writes, and must not check against a state another editor is
changing. A refused row raises ``sqlite3.IntegrityError``, as the SQLite
driver does, so that one error path serves both.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from functools import lru_cache
from typing import Any

from cases.db.connection import Store
from cases.db.pg import BASE, PUBLIC, ServerError, connect, failed, where
from cases.db.pg.compatible import COMPATIBLE_SCHEMA
from cases.errors import Conflict

# The pieces of a statement: a quoted string or name (kept whole), or the text
# between them (where parameters are).
_QUOTED = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_NO_LIMIT = re.compile(r"\bLIMIT\s+-1\b", re.IGNORECASE)
# How many rows a server-side cursor brings at a time.
_BATCH = 2000
# The advisory lock a writer holds to its commit (any number: it names the
# lock in this database).
_WRITE_LOCK = 7_262_011
_LIKE = re.compile(r"\bLIKE\b", re.IGNORECASE)
# SQLite's schema of temporary tables is PostgreSQL's pg_temp
_TEMP = re.compile(r"\btemp\.(?=\w)")
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_PRAGMAS = {
    # undo restores a child row before its parent: links are checked at commit
    "PRAGMA defer_foreign_keys=ON": "SET CONSTRAINTS ALL DEFERRED",
}


@lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """SQL written for SQLite as psycopg takes it on PostgreSQL."""
    if sql in _PRAGMAS:
        return _PRAGMAS[sql]
    ignoring = bool(_INSERT_OR_IGNORE.match(sql))
    if ignoring:
        sql = _INSERT_OR_IGNORE.sub("INSERT INTO", sql, count=1)
    parts = []
    for part in _QUOTED.split(sql):
        if part.startswith(("'", '"')):
            parts.append(part.replace("%", "%%"))
            continue
        part = part.replace("%", "%%")
        part = _NO_LIMIT.sub("OFFSET 0", part)
        # SQLite's LIKE ignores the case of ASCII letters, as ILIKE does on
        # text ordered by its bytes (COLLATE "C")
        part = _LIKE.sub("ILIKE", part)
        part = _TEMP.sub("pg_temp.", part)
        part = _NAMED.sub(r"%(\1)s", part)
        parts.append(part.replace("?", "%s"))
    translated = "".join(parts)
    return f"{translated} ON CONFLICT DO NOTHING" if ignoring else translated


def _refused_row(error: Any) -> sqlite3.IntegrityError:
    """The ``sqlite3.IntegrityError`` SQLite would raise for the row the server
    refused (its message names the kind of rule, never the row's values)."""
    import psycopg.errors as errors

    kinds = (
        (errors.UniqueViolation, "UNIQUE constraint failed"),
        (errors.ForeignKeyViolation, "FOREIGN KEY constraint failed"),
        (errors.NotNullViolation, "NOT NULL constraint failed"),
        (errors.CheckViolation, "CHECK constraint failed"),
    )
    for kind, message in kinds:
        if isinstance(error, kind):
            constraint = getattr(error.diag, "constraint_name", None)
            return sqlite3.IntegrityError(f"{message}: {constraint}" if constraint else message)
    return sqlite3.IntegrityError("constraint failed")


def _key_of_column(column: str) -> str:
    """The name-key column beside the text COLUMN that names an actor."""
    from cases.catalogue import ACTOR_TEXTS
    from cases.db.pg.schema import key_column

    return key_column(next(t for t in ACTOR_TEXTS if t.column == column))


# A list of many values given one parameter each, "IN (?, ?, ...)": a lookup of
# a chunk of rows (see connection.chunks)
_MANY_MARKS = re.compile(r"(\bNOT\s+)?\bIN \(\?(?:, \?){15,}\)", re.IGNORECASE)


def as_arrays(sql: str, params: Sequence[Any]) -> tuple[str, list[Any]]:
    """SQL whose long lists of ``?`` marks (``IN (?, ?, ...)``) are one array
    parameter each (``= ANY(?)``, ``<> ALL(?)`` for ``NOT IN``), and its parameters to match: PostgreSQL
    plans and binds one array faster than hundreds of parameters, the cost of
    a lookup a chunk of rows at a time."""
    values = list(params)
    parts = _QUOTED.split(sql)
    taken = 0  # the parameters of the marks before this part
    out_params: list[Any] = []
    out_parts = []
    for part in parts:
        if part.startswith(("'", '"')):
            out_parts.append(part)
            continue
        position = 0
        pieces = []
        for found in _MANY_MARKS.finditer(part):
            before = part[position : found.start()]
            count = before.count("?")
            out_params += values[taken : taken + count]
            taken += count
            many = found.group(0).count("?")
            chunk = values[taken : taken + many]
            taken += many
            if any(value is None for value in chunk) or len({type(v) for v in chunk}) > 1:
                pieces.append(before + found.group(0))  # left as it is
                out_params += chunk
            else:
                pieces.append(before + ("<> ALL(?)" if found.group(1) else "= ANY(?)"))
                out_params.append(chunk)
            position = found.end()
        rest = part[position:]
        count = rest.count("?")
        out_params += values[taken : taken + count]
        taken += count
        out_parts.append("".join(pieces) + rest)
    return "".join(out_parts), out_params


# The key in meta of the tables a purge left waiting for their owner's rewrite.
_REWRITE_PENDING = "rewrite_pending"

# PostgreSQL's type number of NUMERIC (pg_type.oid)
_NUMERIC = 1700


def _plain(value: Any) -> Any:
    """A value as SQLite gives it: a whole NUMERIC (a sum) as an int."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class ServerCursor:
    """A psycopg cursor as sqlite3's reads: rows as tuples of plain values (a
    NUMERIC one, which psycopg gives as a Decimal, as SQLite's number)."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        # only the NUMERIC columns (sums) need a look at each value
        self._numeric = [
            position
            for position, column in enumerate(cursor.description or ())
            if column.type_code == _NUMERIC
        ]

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def _plain_row(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self._numeric:
            return row
        values = list(row)
        for position in self._numeric:
            values[position] = _plain(values[position])
        return tuple(values)

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone()
        return None if row is None else self._plain_row(row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._cursor.fetchall()
        return rows if not self._numeric else [self._plain_row(row) for row in rows]

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        rows = self._cursor.fetchmany(size)
        return rows if not self._numeric else [self._plain_row(row) for row in rows]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        if not self._numeric:
            yield from self._cursor
            return
        for row in self._cursor:
            yield self._plain_row(row)


class ServerConnection:
    """What ``Store.conn`` is on a server: ``execute`` with SQLite's parameters."""

    def __init__(self, url: str, conn: Any) -> None:
        self.url = url
        self._conn = conn
        self._streams: list[Any] = []  # the cursors on the server, closed with it
        self.writing = False  # inside a write's transaction

    @property
    def psycopg(self) -> Any:
        """The psycopg connection itself (for what takes psycopg's own SQL)."""
        return self._conn

    def _failed(self, error: Any) -> Exception:
        import psycopg

        if isinstance(error, psycopg.errors.IntegrityError):
            return _refused_row(error)
        return failed(self.url, error, reading=not self.writing)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self._conn.info.transaction_status != TransactionStatus.IDLE)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> ServerCursor:
        """Run SQL; its rows come back at once (see :meth:`stream` for many)."""
        import psycopg

        if not isinstance(params, dict) and len(params) > 15 and "IN (?, ?" in sql:
            sql, params = as_arrays(sql, params)

        try:
            cursor = self._conn.execute(postgres_sql(sql), params or None)
        except psycopg.Error as error:
            raise self._failed(error) from None
        return ServerCursor(cursor)

    def executemany(self, sql: str, rows: Any) -> None:
        """Run SQL once for each of ROWS (in one round of the protocol's pipeline)."""
        import psycopg

        try:
            with self._conn.cursor() as cursor:
                cursor.executemany(postgres_sql(sql), rows)
        except psycopg.Error as error:
            raise self._failed(error) from None

    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write ROWS into TABLE's COLUMNS with one COPY (many rows, one round
        of the protocol); return how many."""
        import psycopg
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        count = 0
        try:
            with self._conn.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        except psycopg.Error as error:
            raise self._failed(error) from None
        return count

    def stream(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> ServerCursor:
        """Run a query whose rows come from a cursor on the server, a batch at a
        time, as SQLite's come a row at a time: a long timeline streams."""
        import psycopg

        cursor = self._conn.cursor(name=f"cases_{len(self._streams) + 1}")
        self._streams.append(cursor)
        cursor.itersize = _BATCH
        try:
            cursor.execute(postgres_sql(sql), params or None)
        except psycopg.Error as error:
            raise self._failed(error) from None
        return ServerCursor(cursor)

    def close_streams(self) -> None:
        """Close the cursors streams left open (a timeline read in part): a table
        one reads cannot be altered until it is."""
        import psycopg

        for cursor in self._streams:
            with suppress(psycopg.Error):
                cursor.close()
        self._streams.clear()

    def close(self) -> None:
        """Close the streams' cursors, then the connection (its transaction, read
        only, is rolled back)."""
        self.close_streams()
        self._conn.close()


class ServerStore(Store):
    """A team database: opened for reading, every query sees one snapshot;
    for writing, each change is one transaction, as on SQLite."""

    server: ServerConnection
    engine = "postgresql"
    imports_in_place = False

    def named(self) -> str:
        return self.server.url

    def described(self) -> str:
        return where(self.server.url)

    @classmethod
    def open_url(cls, url: str, *, write: bool = False) -> ServerStore:
        """Open the team database at URL for reading or, with WRITE, for
        writing (its records, as an editor or owner sees them)."""
        pg = connect(url)
        found = pg.execute(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = %s AND p.proname = 'group_concat'",
            [COMPATIBLE_SCHEMA],
        ).fetchone()
        if not found or not found[0]:
            pg.close()
            raise ServerError(
                f"{where(url)} is not a cases team database made by this version "
                "(cases team init makes one)"
            )
        allowed = pg.execute("SELECT has_schema_privilege(%s, 'USAGE')", [BASE]).fetchone()
        if not allowed or not allowed[0]:
            pg.close()
            raise ServerError(
                f"you connect to {where(url)} as a reader: cases's commands need an "
                "editor's or owner's login; a reader reads what a public export holds in "
                f"its views ({PUBLIC}), with any SQL client such as psql"
            )
        pg.execute(f"SET search_path TO {BASE}, {COMPATIBLE_SCHEMA}, public")
        from psycopg.types.string import TextLoader

        # JSON as SQLite gives it: its text
        pg.adapters.register_loader("json", TextLoader)
        server = ServerConnection(url, pg)
        store = cls(server, None, False, writable=write)  # type: ignore[arg-type]
        store.server = server
        # what another's purge left for the tables' owner to rewrite
        store.finish_waiting_rewrite()
        if not write:
            # one snapshot for the whole command (and the transaction the
            # cursors that stream its rows live in); never committed, so what
            # a read makes (the temporary tables of an export's privacy filter)
            # goes with it
            pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        return store

    def close(self) -> None:
        self.conn.close()

    def is_empty(self) -> bool:
        return False

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A reading command reads one snapshot already (see :meth:`open_url`);
        a writing one reads the latest committed state, in turn with the other
        writers."""
        yield

    # -- the write path (see Store.transaction) --------------------------------

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        row = self.conn.execute(f"{sql} RETURNING id", params).fetchone()
        assert row is not None
        return int(row[0])

    def _begin_write(self, command: str | None) -> None:
        import psycopg

        from cases.db.files import busy_timeout_seconds

        self.conn.execute("BEGIN")
        self.server.writing = True
        # what another writer kept waiting is told holds the lock
        self.conn.execute(
            "SELECT set_config('application_name', ?, true)", [f"cases {command or 'write'}"]
        )
        # one writer at a time, as on SQLite: a command checks what it reads
        # (a name taken, the next reference) before it writes; it waits for
        # another as long as on a file, then says who holds the lock
        waited = busy_timeout_seconds()
        self.conn.execute(f"SET LOCAL lock_timeout = '{max(1, int(waited * 1000))}ms'")
        try:
            self.server.psycopg.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITE_LOCK])
        except psycopg.errors.LockNotAvailable:
            self._abandon()
            raise Conflict(self._busy_message(waited)) from None
        except psycopg.Error as error:
            raise failed(self.server.url, error, reading=False) from None
        self.conn.execute("SET LOCAL lock_timeout = 0")

    def _busy_message(self, waited: float) -> str:
        """Who holds the team database's write lock, and how long we waited."""
        holder = "another editor"
        found = self.conn.execute(
            "SELECT a.usename, a.application_name, to_char(a.xact_start, 'HH24:MI:SS') "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = ? "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [_WRITE_LOCK],
        ).fetchone()
        if found is not None:
            user, program, since = found
            holder = f"{user} ('{program or 'a client'}', writing since {since} UTC)"
        return (
            f"{where(self.server.url)} is busy: {holder} holds the write lock; waited "
            f"{waited:.0f} s (set CASES_BUSY_TIMEOUT to wait longer); nothing was changed"
        )

    def _end_write(self) -> None:
        self.server.writing = False

    def _abandon(self) -> None:
        # the connection may be gone (the server restarted): the server then
        # rolled the transaction back itself
        with suppress(ServerError):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        self.change_id = None
        self._end_write()

    def analyze(self, table_names: Iterable[str]) -> None:
        """Renew the planner's statistics of tables a bulk write filled (else it
        plans the public views as if they were empty, until autovacuum comes)."""
        for name in table_names:
            self.conn.execute(f'ANALYZE "{name}"')

    def finish_purge(self, ref: str) -> str | None:
        """Rewrite the tables a committed purge erased rows of, and the change
        log, with VACUUM FULL: PostgreSQL keeps a deleted row's old version in
        its table's file until its space is reused. Only the tables' owner
        may: after anyone else's purge the tables are noted as waiting, the
        next command their owner runs rewrites them, and the user is told."""
        tables = self.purged_tables | {"change_rows", "fates", "changes"}
        self.purged_tables = set()
        if self._owns_the_tables():
            self._rewrite(tables)
            return None
        waiting = self._waiting_rewrite() | tables
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [_REWRITE_PENDING, json.dumps(sorted(waiting))],
        )
        return (
            f"warning: {ref} is purged from the records and the change log, but the server "
            "keeps the old row versions in its files until its tables are rewritten, which "
            f"only their owner ({self.tables_owner()}) may do: the next cases command they "
            "run does it (cases check tells whether it is done)"
        )

    def tables_owner(self) -> str:
        """The login that owns the records' tables (who made the team database)."""
        return self._tables_owner()[0]

    def _owns_the_tables(self) -> bool:
        return self._tables_owner()[1]

    def _tables_owner(self) -> tuple[str, bool]:
        """The tables' owner, and whether this login may act as them."""
        row = self.conn.execute(
            "SELECT tableowner, pg_has_role(tableowner, 'USAGE') FROM pg_tables "
            "WHERE schemaname = ? AND tablename = 'people'",
            [BASE],
        ).fetchone()
        return (str(row[0]), bool(row[1])) if row is not None else ("", False)

    def _waiting_rewrite(self) -> set[str]:
        """The tables an earlier purge by someone else left waiting for a rewrite."""
        noted = self.scalar("SELECT value FROM meta WHERE key = ?", [_REWRITE_PENDING])
        return set(json.loads(noted)) if noted else set()

    def _rewrite(self, tables: set[str]) -> None:
        """VACUUM (FULL, ANALYZE) TABLES (outside a transaction), then the
        planner's statistics, whose sample values of a column and of the search
        indexes' words kept what was purged; the database's owner may rewrite
        them (another owner of the tables may not: PostgreSQL warns, and goes on)."""
        for table in sorted(tables | self._waiting_rewrite()):
            self.conn.execute(f'VACUUM (FULL, ANALYZE) "{table}"')
        with suppress(ServerError):
            self.conn.execute("VACUUM FULL pg_catalog.pg_statistic")
        self.conn.execute("DELETE FROM meta WHERE key = ?", [_REWRITE_PENDING])

    def finish_waiting_rewrite(self) -> None:
        """Rewrite what another's purge left waiting, if this login may
        (called as a command opens the database, before its transaction)."""
        if self._waiting_rewrite() and self._owns_the_tables():
            self._rewrite(set())

    def rewrite_problems(self) -> list[str]:
        """What ``check`` says of tables a purge left waiting for a rewrite."""
        if not self._waiting_rewrite():
            return []
        return [
            "purge: the old row versions of purged records wait in the server's files for "
            f"a rewrite that only the tables' owner ({self.tables_owner()}) may do: the "
            "next cases command they run does it"
        ]

    def user(self) -> str:
        """The login this command connected as (the server writes it in the log)."""
        return str(self.scalar("SELECT session_user"))

    def may_undo_anyones(self) -> bool:
        """Whether the login is one of the team's owners."""
        from cases.db.pg import database_name
        from cases.db.pg.team import group

        owners = group(database_name(self.server.url), "owner")
        return bool(
            self.scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?) "
                "AND pg_has_role(session_user, ?, 'MEMBER')",
                [owners, owners],
            )
        )

    def name_key_sql(self, column: str, row: str = "") -> str:
        """The key column beside COLUMN (once a change has written the keys it
        has left unwritten so far)."""
        if self.conn.in_transaction and self.writable:
            self._before_commit()
        return f'{row + "." if row else ""}"{_key_of_column(column)}"'

    def unhidden_names_sql(self, value: str, column: str, row: str) -> str:
        """VALUE's lines whose keys (written line for line beside COLUMN) are
        not in ``hidden_keys``."""
        return (
            "(SELECT string_agg(u.line, E'\\n' ORDER BY u.n) FROM unnest("
            f"string_to_array({value}, E'\\n'), "
            f"string_to_array({row}.\"{_key_of_column(column)}\", E'\\n')) "
            "WITH ORDINALITY AS u(line, key, n) "
            "WHERE u.key NOT IN (SELECT key FROM hidden_keys))"
        )

    def _before_commit(self) -> None:
        """Write the name keys of the texts this change left without one (the
        server cannot fold names): the public views compare them."""
        from cases.catalogue import TABLES, actor_texts
        from cases.db.pg.schema import key_column, key_of

        for table in TABLES:
            for text in actor_texts(table.name):
                column, key = text.column, key_column(text)
                rows = self.conn.execute(
                    f'SELECT id, "{column}" FROM "{table.name}" '
                    f'WHERE "{column}" IS NOT NULL AND "{key}" IS NULL'
                ).fetchall()
                if rows:
                    self.server.executemany(
                        f'UPDATE "{table.name}" SET "{key}" = ? WHERE id = ?',
                        [(key_of(text, value), row_id) for row_id, value in rows],
                    )

    def stream(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return self.server.stream(sql, params)
