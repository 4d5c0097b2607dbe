"""Full-text search, the ecosystem's way: one FTS5 table per searchable table.

``TABLE_fts`` indexes TABLE's searchable columns with external content
(``content=[TABLE]``) and is kept up to date by the triggers ``TABLE_ai``,
``TABLE_ad`` and ``TABLE_au``, exactly as ``sqlite-utils enable-fts`` makes
them; so ``sqlite-utils search``, Datasette's ``?_search=`` and Python's
``iterdump()`` all work on a cases file. ``cases search`` is a union of one
query per searchable field, each restricted to its field's columns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from cases.catalogue import NAME, SEARCHABLE, Field, table
from cases.db.connection import Store, chunks, marks
from cases.errors import Invalid

TOKENIZE = "unicode61 remove_diacritics 2"


def fts(table_name: str) -> str:
    """The full-text table of TABLE_NAME."""
    return f"{table_name}_fts"


def field_rank(table_name: str, field: Field) -> int:
    """How a hit in this field ranks among equal scores: a person's name, then an
    alias, then any other field, notes last."""
    if field.type == NAME:
        return 0 if table_name == "people" else 1
    return 3 if field.name == "note" else 2


def fts5_query(words: Sequence[Sequence[tuple[str, bool]]]) -> str:
    """FTS5's query for WORDS (each word in any of its forms: (text, whether
    it matches as the start of a word)): every word."""
    clauses = []
    for alternatives in words:
        forms = " OR ".join(
            f'"{text.replace(chr(34), chr(34) * 2)}"{"*" if prefix else ""}'
            for text, prefix in alternatives
        )
        clauses.append(f"({forms})" if len(alternatives) > 1 or alternatives[0][1] else forms)
    return " AND ".join(clauses)


def search(
    store: Store, words: Sequence[Sequence[tuple[str, bool]]], limit: int
) -> list[tuple[str, str, int, str]]:
    """(table, field, record id, text) of full-text hits, best first: by rank
    (bm25 on SQLite), then a person's name, an alias, other fields, notes;
    then oldest record.

    Every word of WORDS (each a list of its forms) must match within one
    field, as if each field were indexed on its own: each query is restricted
    to its field's columns. A team database searches with PostgreSQL's own
    full text (:mod:`cases.db.pg.search`).
    """
    found: list[tuple[float, int, int, int, str, Field]] = []
    if store.engine == "postgresql":
        from cases.db.pg import search as on_server

        found = [
            (rank, field_rank(name, field), row_id, position, name, field)
            for rank, name, row_id, position, field in on_server.search(store, words, limit)
        ]
    else:
        query = fts5_query(words)
        try:
            for table_name in SEARCHABLE:
                for position, field in enumerate(table(table_name).search_fields):
                    columns = " ".join(c for c in field.columns if not c.endswith("_id"))
                    for rowid, rank in store.conn.execute(
                        f"SELECT rowid, rank FROM {fts(table_name)} "
                        f"WHERE {fts(table_name)} MATCH ? ORDER BY rank LIMIT ?",
                        [f"{{{columns}}} : ({query})", limit],
                    ):
                        found.append(
                            (
                                rank,
                                field_rank(table_name, field),
                                rowid,
                                position,
                                table_name,
                                field,
                            )
                        )
        except sqlite3.OperationalError as error:
            raise Invalid(f"cannot search for that text ({error})") from None
    found.sort(key=lambda hit: hit[:4])
    best = found[:limit]
    # the index keeps no text: read each hit's from its record, one query per field
    texts: dict[tuple[str, str, int], str] = {}
    by_field: dict[tuple[str, str], list[int]] = {}
    for _, _, rowid, _, table_name, field in best:
        by_field.setdefault((table_name, field.name), []).append(rowid)
    for (table_name, column), ids in by_field.items():
        for chunk in chunks(ids):
            for row_id, value in store.conn.execute(
                f'SELECT id, "{column}" FROM "{table_name}" WHERE id IN ({marks(chunk)})', chunk
            ):
                texts[(table_name, column, int(row_id))] = str(value)
    return [
        (table_name, field.name, rowid, texts[(table_name, field.name, rowid)])
        for _, _, rowid, _, table_name, field in best
        if (table_name, field.name, rowid) in texts
    ]


def index_new_rows(store: Store, table_name: str, after_id: int) -> None:
    """Index (set-based) the rows of TABLE_NAME with id > AFTER_ID, which a bulk
    load inserted with the insert trigger dropped."""
    store.require_write()
    if table_name not in SEARCHABLE:
        return
    columns = ", ".join(f'"{c}"' for c in table(table_name).search_columns)
    store.conn.execute(
        f"INSERT INTO {fts(table_name)} (rowid, {columns}) "
        f'SELECT id, {columns} FROM "{table_name}" WHERE id > ?',
        [after_id],
    )


def optimize(store: Store, table_names: Iterable[str]) -> None:
    """Merge the index segments of these tables' full-text tables: what a purge
    deleted is then gone from the index pages too (secure_delete zeroes them).
    A server's search indexes are made from the rows themselves."""
    if store.engine != "sqlite":
        return
    for table_name in sorted(set(table_names) & set(SEARCHABLE)):
        store.conn.execute(f"INSERT INTO {fts(table_name)} ({fts(table_name)}) VALUES ('optimize')")


def integrity_checks() -> list[tuple[str, str]]:
    """(table, SQL) of each full-text table's own check: FTS5's integrity-check
    with rank 1 compares the index with the content of its table. It runs as a
    write statement (it writes nothing)."""
    return [
        (
            table_name,
            f"INSERT INTO {fts(table_name)} ({fts(table_name)}, rank) VALUES ('integrity-check', 1)",
        )
        for table_name in SEARCHABLE
    ]
