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
        numeric = _numeric_positions(table)
        if not numeric:
            yield from cursor
            return
        for row in cursor:
            values = list(row)
            for position in numeric:
                values[position] = plain(values[position])
            yield values


def _numeric_positions(table: Table) -> list[int]:
    """Where TABLE's NUMERIC columns are among its stored ones (PostgreSQL gives
    their values as Decimal, which SQLite does not take)."""
    columns = stored_columns(table)
    return [
        columns.index(column)
        for field in table.all_fields
        for column in field.columns
        if field.type.sql(field, column) == "NUMERIC"
    ]


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
    conn: Any,
    tables: Iterable[tuple[Table, Iterable[Sequence[Any]]]],
    summary: str,
    command: str = "copy",
) -> dict[str, int]:
    """Write each table's rows (ids kept, name keys added) in one transaction,
    by COPY, as one change of the log (COMMAND; undo takes it all back); links
    are checked at its commit. Return how many rows each got."""
    from psycopg import sql

    counts: dict[str, int] = {}
    rebuild: list[str] = []
    with conn.transaction():
        conn.execute("SET CONSTRAINTS ALL DEFERRED")
        change = conn.execute(
            sql.SQL("INSERT INTO {} (uid, at, command) VALUES (%s, %s, %s) RETURNING id").format(
                sql.Identifier(BASE, "changes")
            ),
            [new_uid(), dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), command],
        ).fetchone()[0]
        # the indexes are built once at the end: sorting in memory is quicker
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, rows in tables:
            rebuild += set_aside_checks(conn, table)
            name = sql.Identifier(BASE, table.name)
            columns = sql.SQL(", ").join(sql.Identifier(c) for c in columns_with_keys(table))
            count = 0
            copying = sql.SQL("COPY {} ({}) FROM STDIN").format(name, columns)
            with conn.cursor() as cursor, cursor.copy(copying) as copy:
                for row in with_keys(table, rows):
                    copy.write_row(row)
                    count += 1
            counts[table.name] = count
            # what undo takes back: the ids written, as one range (as on SQLite)
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (change_id, tbl, op, row_id, before) "
                    "SELECT %s, %s, 'insert-range', min(id), max(id)::text FROM {} "
                    "HAVING count(*) > 0"
                ).format(sql.Identifier(BASE, "change_rows"), name),
                [change, table.name],
            )
        for statement in rebuild:
            conn.execute(statement)
        logged = conn.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE change_id = %s").format(
                sql.Identifier(BASE, "change_rows")
            ),
            [change],
        ).fetchone()[0]
        conn.execute(
            sql.SQL("UPDATE {} SET summary = %s, rows = %s WHERE id = %s").format(
                sql.Identifier(BASE, "changes")
            ),
            [f"{summary} ({logged} row{'s' if logged != 1 else ''})", logged, change],
        )
    # the planner's statistics of the tables just filled (else it plans the
    # public views as if they were empty, until autovacuum comes by)
    for table in TABLES:
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(BASE, table.name)))
    return counts


def set_aside_checks(conn: Any, table: Table) -> list[str]:
    """Drop TABLE's indexes (but its primary key) and links, for a copy into an
    empty table; return the statements that make them again once every table
    is written. Building an index once and checking each link in one join
    costs a fraction of keeping them up to date row by row. Only the tables'
    owner may; for anyone else they stay, and are kept up to date as rows come."""
    owned = conn.execute(
        "SELECT pg_has_role(tableowner, 'USAGE') FROM pg_tables "
        "WHERE schemaname = %s AND tablename = %s",
        [BASE, table.name],
    ).fetchone()
    if not owned or not owned[0]:
        return []
    qualified = f'{BASE}."{table.name}"'
    again = []
    links = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [qualified],
    ).fetchall()
    for constraint, definition in links:
        conn.execute(f'ALTER TABLE {qualified} DROP CONSTRAINT "{constraint}"')
        again.append(f'ALTER TABLE {qualified} ADD CONSTRAINT "{constraint}" {definition}')
    indexes = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "JOIN pg_class c ON c.relname = i.indexname "
        "JOIN pg_index x ON x.indexrelid = c.oid AND NOT x.indisprimary "
        "WHERE i.schemaname = %s AND i.tablename = %s",
        [BASE, table.name],
    ).fetchall()
    for index, definition in indexes:
        conn.execute(f'DROP INDEX {BASE}."{index}"')
        again.append(definition)
    return again
