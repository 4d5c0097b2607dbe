"""A whole database's records read from, and written into, a team's PostgreSQL
database (the counterpart of :mod:`cases.db.copying`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cases.catalogue import TABLES, Table
from cases.db.copying import plain
from cases.db.pg import BASE, PUBLIC
from cases.db.pg.schema import columns_with_keys, stored_columns, with_keys
from cases.uids import new_uid


def read_rows(conn: Any, table: Table, *, public: bool) -> Iterator[Sequence[Any]]:
    """TABLE's rows in id order, through a server-side cursor (memory stays flat);
    with PUBLIC, from the view readers see. Call inside one read transaction
    (:func:`snapshot`) so every table is read as of one moment."""
    from psycopg import sql

    columns = stored_columns(table)
    query = sql.SQL("SELECT {} FROM {}.{} ORDER BY id").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.Identifier(PUBLIC if public else BASE),
        sql.Identifier(table.name),
    )
    with conn.cursor(name=f"copy_{table.name}") as cursor:
        cursor.itersize = 5000
        cursor.execute(query)
        for row in cursor:
            yield tuple(plain(value) for value in row)


def snapshot(conn: Any) -> None:
    """Start one read-only transaction that sees the database as of now."""
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")


def holds_records(conn: Any) -> bool:
    """Whether any table of the records schema holds a row."""
    from psycopg import sql

    for table in TABLES:
        query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.{})").format(
            sql.Identifier(BASE), sql.Identifier(table.name)
        )
        if conn.execute(query).fetchone()[0]:
            return True
    return False


def write_all(
    conn: Any, tables: Iterable[tuple[Table, Iterable[Sequence[Any]]]], summary: str
) -> dict[str, int]:
    """Write each table's rows (ids kept, name keys added) in one transaction,
    by COPY; links are checked at its commit. Return how many rows each got."""
    from psycopg import sql

    counts: dict[str, int] = {}
    with conn.transaction():
        conn.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, rows in tables:
            name = sql.Identifier(BASE, table.name)
            columns = sql.SQL(", ").join(sql.Identifier(c) for c in columns_with_keys(table))
            count = 0
            with conn.cursor() as cursor:
                with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(name, columns)) as copy:
                    for row in with_keys(table, rows):
                        copy.write_row(row)
                        count += 1
                # new records continue after the ids copied
                cursor.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence({}, 'id'), "
                        "coalesce(max(id), 1), max(id) IS NOT NULL) FROM {}"
                    ).format(sql.Literal(f'{BASE}."{table.name}"'), name)
                )
            counts[table.name] = count
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (uid, at, command, summary, rows) VALUES (%s, %s, %s, %s, %s)"
            ).format(sql.Identifier(BASE, "changes")),
            [
                new_uid(),
                dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "copy",
                summary,
                sum(counts.values()),
            ],
        )
    return counts
