"""A whole database's records read from, and written into, a SQLite file, as
``cases copy`` moves them between engines: every table in link order, each
row with its id, uid and stored columns as they are (links as ids)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cases.catalogue import TABLES, Table
from cases.db import bulk, changelog, search
from cases.db.connection import Store
from cases.db.export import stream_rows
from cases.db.schema import columns_at
from cases.errors import Conflict

Rows = Iterable[Sequence[Any]]


def read_rows(store: Store, table: Table, *, public: bool) -> Iterator[Sequence[Any]]:
    """TABLE's rows in id order; with PUBLIC, only what a public export holds
    (call inside :class:`cases.privacy.PrivacyFilter`'s snapshot, which marks
    what is left out), links and texts naming a hidden record blanked."""
    from cases import privacy

    columns = columns_at(table, None)
    if public:
        return stream_rows(
            store,
            table.name,
            columns,
            {},
            hide=True,
            blanked_links=privacy.blanked(table),
            actor_texts=privacy.named_by(table),
        )
    listed = ", ".join(f'"{column}"' for column in columns)
    return store.conn.execute(f'SELECT {listed} FROM "{table.name}" ORDER BY id')


def holds_records(store: Store) -> bool:
    """Whether any table of the catalogue holds a row."""
    return any(bulk.holds_rows(store, table.name) for table in TABLES)


def write_all(store: Store, tables: Iterable[tuple[Table, Rows]], summary: str) -> dict[str, int]:
    """Write each table's rows (ids kept) into STORE, which holds no records, as
    one change (undo takes it all back); return how many rows each table got.
    The links are checked once every table is written."""
    counts: dict[str, int] = {}
    bulk.use_large_cache(store)
    with (
        bulk.rollback_journal_if_empty(store),
        bulk.keys_checked_once(store),
        store.transaction("copy"),
    ):
        changelog.set_bulk(store, True)
        with bulk.insert_triggers_dropped(store):
            for table, rows in tables:
                columns = columns_at(table, None)
                listed = ", ".join(f'"{column}"' for column in columns)
                marks = ", ".join("?" for _ in columns)
                # the indexes are built once the table is full (see bulk.drop_indexes)
                rebuild = bulk.drop_indexes(store, table.name)
                store.conn.executemany(
                    f'INSERT INTO "{table.name}" ({listed}) VALUES ({marks})', rows
                )
                bulk.create_indexes(store, table.name, rebuild)
                first, last, count = store.conn.execute(
                    f'SELECT min(id), max(id), count(*) FROM "{table.name}"'
                ).fetchone()
                counts[table.name] = int(count)
                if count:
                    changelog.log_insert_range(store, table.name, int(first), int(last))
                    search.index_new_rows(store, table.name, 0)
        changelog.set_bulk(store, False)
        for table in TABLES:
            broken = store.conn.execute(f'PRAGMA foreign_key_check("{table.name}")').fetchone()
            if broken is not None:
                raise Conflict(
                    f"the copy of {table.name} links to a record that is not there "
                    f"(a {broken[2]} row); nothing was written"
                )
        store.change_summary = summary
    return counts


def plain(value: Any) -> Any:
    """A value SQLite stores as it is (a whole number from a NUMERIC column is an int)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
