"""The reading commands on a team's PostgreSQL database: the same Store the
SQLite file gives (``one``, ``all``, ``scalar``, ``conn.execute``), over
psycopg.

The queries are the SQLite ones, written portably where they could be (aliases
on subqueries, casts). What still differs is taken care of here, in one place:
``?`` and ``:name`` parameters become psycopg's, SQLite's ``LIMIT -1`` (no
limit) goes, and the few SQLite functions the reading queries use
(``group_concat``, ``printf('%0Nd')``, ``julianday``, a two-argument ``max``
and ``min`` that give NULL for NULL) are functions of the team database
(:mod:`cases.db.pg.compatible`, made by ``team init``). A sum comes back as an integer,
as SQLite gives it.

Writing commands and the SQLite-only ones (search's full-text index, check's
file checks, purge, migrations) do not run on a server yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from functools import lru_cache
from typing import Any

from cases.db.connection import Store
from cases.db.pg import BASE, PUBLIC, ServerError, connect, failed, where
from cases.db.pg.compatible import COMPATIBLE_SCHEMA

# The pieces of a statement: a quoted string or name (kept whole), or the text
# between them (where parameters are).
_QUOTED = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_NO_LIMIT = re.compile(r"\bLIMIT\s+-1\b", re.IGNORECASE)
# How many rows a server-side cursor brings at a time.
_BATCH = 2000


@lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """SQL written for SQLite as psycopg takes it on PostgreSQL."""
    parts = []
    for part in _QUOTED.split(sql):
        if part.startswith(("'", '"')):
            parts.append(part.replace("%", "%%"))
            continue
        part = part.replace("%", "%%")
        part = _NO_LIMIT.sub("", part)
        part = _NAMED.sub(r"%(\1)s", part)
        parts.append(part.replace("?", "%s"))
    return "".join(parts)


def _plain(value: Any) -> Any:
    """A value as SQLite gives it: a whole NUMERIC (a sum) as an int."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class ServerCursor:
    """A psycopg cursor as sqlite3's reads: rows as tuples of plain values."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone()
        return None if row is None else tuple(_plain(v) for v in row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(_plain(v) for v in row) for row in self._cursor.fetchall()]

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return [tuple(_plain(v) for v in row) for row in self._cursor.fetchmany(size)]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self._cursor:
            yield tuple(_plain(v) for v in row)


class ServerConnection:
    """What ``Store.conn`` is on a server: ``execute`` with SQLite's parameters."""

    def __init__(self, url: str, conn: Any) -> None:
        self.url = url
        self._conn = conn
        self._streams: list[Any] = []  # the cursors on the server, closed with it

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self._conn.info.transaction_status != TransactionStatus.IDLE)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> ServerCursor:
        """Run SQL; its rows come back at once (see :meth:`stream` for many)."""
        import psycopg

        try:
            cursor = self._conn.execute(postgres_sql(sql), params or None)
        except psycopg.Error as error:
            raise failed(self.url, error, reading=True) from None
        return ServerCursor(cursor)

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
            raise failed(self.url, error, reading=True) from None
        return ServerCursor(cursor)

    def close(self) -> None:
        """Close the cursors a stream left open (a timeline read in part), then
        the connection (its transaction, read only, is rolled back)."""
        import psycopg

        for cursor in self._streams:
            with suppress(psycopg.Error):
                cursor.close()
        self._conn.close()


class ServerStore(Store):
    """A team database opened for reading: every query sees one snapshot."""

    server: ServerConnection

    @classmethod
    def open_url(cls, url: str) -> ServerStore:
        """Open the team database at URL for reading (its records, as an editor
        or owner sees them)."""
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
                f"you read {where(url)} as a reader: the reading commands need an editor's "
                "or owner's login; a reader reads what a public export holds in its views "
                f"({PUBLIC}), with any SQL client such as psql"
            )
        pg.execute(f"SET search_path TO {BASE}, {COMPATIBLE_SCHEMA}, public")
        # one snapshot for the whole command (and the transaction the cursors
        # that stream its rows live in)
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        server = ServerConnection(url, pg)
        store = cls(server, None, False, writable=False)  # type: ignore[arg-type]
        store.server = server
        return store

    def close(self) -> None:
        self.conn.close()

    def is_empty(self) -> bool:
        return False

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """The command reads one snapshot already (see :meth:`open_url`)."""
        yield

    def stream(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return self.server.stream(sql, params)
