"""Rows: insert, update, delete and read one record at a time, and the lookups
that find a record by its name, URL or uid."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from cases.db.connection import Row, Store, chunks, marks
from cases.errors import CasesError, Conflict, Invalid
from cases.uids import new_uid


def integrity_error(table: str, error: sqlite3.IntegrityError) -> CasesError:
    """The user error for a row SQLite refused."""
    message = str(error)
    if "UNIQUE" in message:
        return Conflict(f"that {table} record already exists")
    if "FOREIGN KEY" in message:
        return Invalid(f"a {table} record refers to something that does not exist")
    return Invalid(f"a {table} value was refused ({message})")


def insert(store: Store, table: str, values: Row) -> int:
    """Insert one row (a uid is added if missing); return its id."""
    store.require_write()
    values = {"uid": new_uid(), **values}
    columns = ", ".join(f'"{column}"' for column in values)
    try:
        return store.insert_id(
            f'INSERT INTO "{table}" ({columns}) VALUES ({marks(list(values))})',
            list(values.values()),
        )
    except sqlite3.IntegrityError as error:
        raise integrity_error(table, error) from None


def update(store: Store, table: str, record_id: int, values: Row) -> None:
    """Change some columns of one row."""
    store.require_write()
    if not values:
        return
    assignments = ", ".join(f'"{column}" = ?' for column in values)
    try:
        store.conn.execute(
            f'UPDATE "{table}" SET {assignments} WHERE id = ?', [*values.values(), record_id]
        )
    except sqlite3.IntegrityError as error:
        raise integrity_error(table, error) from None


def delete(store: Store, table: str, record_id: int) -> None:
    """Delete one row; foreign keys cascade and triggers drop its citations."""
    store.require_write()
    store.conn.execute(f'DELETE FROM "{table}" WHERE id = ?', [record_id])


def get(store: Store, table: str, record_id: int) -> Row | None:
    """One row by id, or None."""
    return store.one(f'SELECT * FROM "{table}" WHERE id = ?', [record_id])


def all_rows(store: Store, table: str, *, person_id: int | None = None) -> list[Row]:
    """Every row of a table in id order, optionally those of one person."""
    if person_id is None:
        return store.all(f'SELECT * FROM "{table}" ORDER BY id')
    return store.all(f'SELECT * FROM "{table}" WHERE person_id = ? ORDER BY id', [person_id])


def chunks_of_table(store: Store, table: str, size: int = 500) -> Iterator[list[Row]]:
    """Every row of a table in id order, SIZE at a time, read as they are asked for."""
    cursor = store.stream(f'SELECT * FROM "{table}" ORDER BY id')
    names = [column[0] for column in cursor.description]
    while batch := cursor.fetchmany(size):
        yield [dict(zip(names, row, strict=True)) for row in batch]


def by_ids(store: Store, table: str, ids: Sequence[int]) -> list[Row]:
    """Rows of TABLE with these ids, in one query per 500 ids."""
    rows: list[Row] = []
    for chunk in chunks(ids):
        rows.extend(store.all(f'SELECT * FROM "{table}" WHERE id IN ({marks(chunk)})', chunk))
    return rows


def people_by_ids(store: Store, ids: Iterable[int]) -> dict[int, Row]:
    """People by id."""
    return {int(row["id"]): row for row in by_ids(store, "people", sorted(set(ids)))}


def count(store: Store, table: str) -> int:
    """How many rows a table holds."""
    return int(store.scalar(f'SELECT count(*) FROM "{table}"'))


def columns(store: Store, table: str) -> list[str]:
    """The column names of a table, in order."""
    return [row[1] for row in store.conn.execute(f'PRAGMA table_info("{table}")')]


def source_by_url(store: Store, url: str) -> Row | None:
    """The first source recorded with exactly this URL."""
    return store.one("SELECT * FROM sources WHERE url = ? ORDER BY id LIMIT 1", [url])


# -- citations ----------------------------------------------------------------------


def cite(store: Store, record_uid: str, source_id: int, values: Row | None = None) -> None:
    """Link a record to a source, with VALUES (quote, page, attribution): a new
    citation, or the one this source already makes for this record, updated with
    the values given (those not given are kept)."""
    store.require_write()
    values = {column: value for column, value in (values or {}).items() if value is not None}
    existing = store.scalar(
        "SELECT id FROM citations WHERE record_uid = ? AND source_id = ?", [record_uid, source_id]
    )
    if existing is None:
        insert(store, "citations", {"record_uid": record_uid, "source_id": source_id, **values})
    elif values:
        update(store, "citations", int(existing), values)


def citations_for(store: Store, record_uids: Sequence[str]) -> list[Row]:
    """Citations of these records joined with their sources, in source order."""
    rows: list[Row] = []
    for chunk in chunks(record_uids):
        rows.extend(
            store.all(
                f"""SELECT citations.record_uid, citations.quote, citations.page,
                           citations.according_to, citations.according_to_person_id,
                           citations.according_to_org_id, citations.uid AS citation_uid,
                           sources.*
                    FROM citations JOIN sources ON sources.id = citations.source_id
                    WHERE citations.record_uid IN ({marks(chunk)})""",
                chunk,
            )
        )
    rows.sort(key=lambda row: (row["date_earliest"] is None, row["date_earliest"] or "", row["id"]))
    return rows
