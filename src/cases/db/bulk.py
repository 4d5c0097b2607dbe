"""What a bulk load does around its files (:mod:`cases.db.staging`): the
journal, the foreign keys, the insert triggers and the indexes switched for it,
and the ids it adds and checks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from cases.catalogue import LOGGED, TABLE
from cases.db.connection import Store
from cases.db.rows import integrity_error


def last_id(store: Store, table_name: str) -> int:
    """The largest id TABLE_NAME has ever given (0 if none): AUTOINCREMENT gives
    the next rows the ids after it, even when the rows that had them are gone."""
    return int(
        store.scalar(
            f"""SELECT max(coalesce((SELECT max(id) FROM "{table_name}"), 0),
                           coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))""",
            [table_name],
        )
    )


def holds_rows(store: Store, table_name: str) -> bool:
    """Whether TABLE_NAME has any row."""
    return bool(store.scalar(f'SELECT EXISTS (SELECT 1 FROM "{table_name}")'))


@contextmanager
def keys_checked_once(store: Store) -> Iterator[None]:
    """Foreign keys unchecked row by row inside (around a transaction, which
    cannot switch them); the block checks each table once with :func:`broken_links`.

    Every link is resolved to an id just read, and one set-based check
    afterwards costs a fraction of a lookup per row.
    """
    if store.conn.in_transaction:
        raise RuntimeError("foreign keys cannot be switched inside a transaction")
    store.conn.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        store.conn.execute("PRAGMA foreign_keys=ON")


def broken_links(store: Store, table_name: str) -> int:
    """How many link columns of TABLE_NAME hold a link that names nothing.

    An import writes a cell that names no record as id -1 (see
    :meth:`cases.db.loading.FileLoad._select`) and every other link as an id it has just read,
    so looking for -1 through each link's index finds what a foreign-key check
    of every row would, without reading the table.
    """
    return sum(
        int(store.scalar(f'SELECT EXISTS (SELECT 1 FROM "{table_name}" WHERE "{column}" = -1)'))
        for column in TABLE[table_name].links
    )


@contextmanager
def insert_triggers_dropped(store: Store) -> Iterator[None]:
    """Inside a transaction: the per-row insert triggers (change log, full-text
    index) dropped for the block and created again after it, for a bulk load
    that logs and indexes its rows set-based. If the block raises they are not
    restored here: the transaction's rollback brings them back."""
    store.require_write()
    rows = store.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND (name LIKE '%\\_log\\_insert' ESCAPE '\\' OR name LIKE '%\\_ai' ESCAPE '\\')"
    ).fetchall()
    for name, _ in rows:
        store.conn.execute(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in rows:
        store.conn.execute(sql)


@contextmanager
def rollback_journal_if_empty(store: Store) -> Iterator[bool]:
    """Around a bulk load (outside its transaction): when the database holds no
    records yet, write with a rollback journal instead of the write-ahead log,
    and go back to the log after; yield whether it did.

    The log takes every page twice (into the log, then into the file at the
    checkpoint) and finds each page read in its index, while the rollback
    journal of an empty database holds next to nothing: at 100,000 people
    about 1.5 s of a 19 s import. Readers wait meanwhile, but there is nothing
    to read yet. With another connection open, the mode stays as it is.
    """
    switched = False
    if store.path is not None and not any(holds_rows(store, name) for name in LOGGED):
        with suppress(sqlite3.OperationalError):
            switched = store.scalar("PRAGMA journal_mode=DELETE") == "delete"
    try:
        yield switched
    finally:
        if switched:
            # if this fails (a reader came in), the next writer's open switches back
            with suppress(sqlite3.OperationalError):
                store.conn.execute("PRAGMA journal_mode=WAL")


def drop_indexes(store: Store, table_name: str) -> list[str]:
    """Drop every index of TABLE_NAME, unique keys included; return the SQL that
    rebuilds them: building an index once after a bulk load into an empty table
    costs a fraction of keeping it up to date row by row."""
    store.require_write()
    rows = store.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        [table_name],
    ).fetchall()
    for name, _ in rows:
        store.conn.execute(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in rows]


def create_indexes(store: Store, table_name: str, statements: list[str]) -> None:
    """Rebuild the indexes :func:`drop_indexes` dropped."""
    try:
        for statement in statements:
            store.conn.execute(statement)
    except sqlite3.IntegrityError as error:
        raise integrity_error(table_name, error) from None


def first_in_a_cycle(store: Store, table_name: str, column: str) -> str | None:
    """The uid of a row that links to itself through COLUMN, directly or not."""
    row = store.conn.execute(
        f"""WITH RECURSIVE chain(start, next, depth) AS (
                SELECT id, "{column}", 1 FROM "{table_name}" WHERE "{column}" IS NOT NULL
                UNION ALL
                SELECT chain.start, t."{column}", chain.depth + 1
                FROM chain JOIN "{table_name}" t ON t.id = chain.next
                WHERE t."{column}" IS NOT NULL AND chain.next != chain.start
                AND chain.depth < 10000)
            SELECT (SELECT uid FROM "{table_name}" WHERE id = start) FROM chain
            WHERE next = start LIMIT 1"""
    ).fetchone()
    return None if row is None else str(row[0])


def use_large_cache(store: Store) -> None:
    """Keep up to 64 MiB of pages in memory, for the database and for the
    temporary one that holds the staged files: a bulk import then does not spill
    to the journal mid-transaction, nor read its staged rows back from a file
    (SQLite's default for the temporary database is 2 MiB). Reads keep SQLite's
    small default, so an export's memory stays flat however large the database."""
    store.conn.execute("PRAGMA cache_size=-65536")
    store.conn.execute("PRAGMA temp.cache_size=-65536")
