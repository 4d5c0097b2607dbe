"""Steps 6 to 10: droppable unique keys, the search index as it was reshaped,
what became of records that are gone, one full-text table per table."""

from __future__ import annotations

import re
import sqlite3

from sqlite_utils import Database

from cases.migrations.first import (
    CITABLE_TABLES,
    SEARCH_FIELDS,
    SEARCH_SLOTS,
    _index_existing_records,
)
from cases.migrations.steps import migrations

# The record tables, and the unique keys m006 turns from table constraints into
# named indexes: (index name, columns).
_RECORD_TABLES = (*CITABLE_TABLES, "citations")
_UNIQUE_KEYS = {
    **{table: [(f"{table}_uid", "uid")] for table in _RECORD_TABLES},
    "citations": [("citations_uid", "uid"), ("citations_record_source", "record_uid, source_id")],
    "trial_parties": [
        ("trial_parties_uid", "uid"),
        ("trial_parties_trial_person_role", "trial_id, person_id, role"),
    ],
}
_INLINE_UNIQUE = re.compile(r"\s+UNIQUE(?=\s*,)")
_TABLE_UNIQUE = re.compile(r",\s*UNIQUE\s*\([^)]*\)")


@migrations()
def m006_droppable_unique_keys(db: Database) -> None:
    """Unique keys as named indexes, not table constraints, so that a bulk load into
    an empty table can drop them and build them once afterwards (an index built
    from sorted keys costs a fraction of one kept up to date row by row).

    SQLite cannot drop a table constraint, so each record table is rebuilt
    (copy, drop, rename) with its rows, ids and AUTOINCREMENT counter unchanged.
    Store runs migrations with foreign keys off, so that dropping a table does
    not cascade to the rows that refer to it; the keys are checked at the end.
    """
    conn = db.conn
    triggers = [
        sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
    ]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    for table in _RECORD_TABLES:
        (table_sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
        ).fetchone()
        indexes = [
            sql
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [table],
            ).fetchall()
            # the unique (record_uid, source_id) index serves lookups by record_uid
            if name != "citations_record"
        ]
        sequence = conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", [table]
        ).fetchone()
        new_sql = _TABLE_UNIQUE.sub("", _INLINE_UNIQUE.sub("", table_sql))
        new_sql = new_sql.replace(f"CREATE TABLE {table} (", f"CREATE TABLE new_{table} (", 1)
        conn.execute(new_sql)
        conn.execute(f"INSERT INTO new_{table} SELECT * FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE new_{table} RENAME TO {table}")
        # the copy sets the counter to the largest id left; keep the old one, so
        # that no id the change log remembers is given out again
        conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", [table])
        if sequence is not None:
            conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, sequence[0]]
            )
        for sql in indexes:
            conn.execute(sql)
        for name, columns in _UNIQUE_KEYS[table]:
            conn.execute(f"CREATE UNIQUE INDEX {name} ON {table}({columns})")
    for sql in triggers:
        conn.execute(sql)
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise sqlite3.IntegrityError(f"foreign key check failed after m006: {problems[:3]}")


@migrations()
def m007_contentless_search_index(db: Database) -> None:
    """A search index that keeps no copy of the text: it is built in about half the
    time, and private text is stored once, in its record. Search reads the text
    of its hits from the records; a change removes a row's old words by giving
    the index the old text (SQLite's 'delete' command for such an index).
    """
    tables = sorted({table for table, _, _ in SEARCH_FIELDS})
    for table in tables:
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
    db.execute("DROP TABLE search_index")
    db.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "text, content = '', tokenize = 'unicode61 remove_diacritics 2')"
    )
    bulk_off = "WHEN (SELECT bulk FROM change_state WHERE id = 1) = 0"
    for table in tables:
        inserts, deletes = [], []
        for slot, (field_table, _, text_sql) in enumerate(SEARCH_FIELDS):
            if field_table != table:
                continue
            old_text = text_sql.replace("NEW.", "OLD.")
            inserts.append(
                f"INSERT INTO search_index (rowid, text) SELECT NEW.id * {SEARCH_SLOTS} + {slot}, "
                f"{text_sql} WHERE {text_sql} IS NOT NULL;"
            )
            deletes.append(
                "INSERT INTO search_index (search_index, rowid, text) SELECT 'delete', "
                f"OLD.id * {SEARCH_SLOTS} + {slot}, {old_text} WHERE {old_text} IS NOT NULL;"
            )
        insert, delete = " ".join(inserts), " ".join(deletes)
        db.execute(
            f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} {bulk_off} "
            f"BEGIN {insert} END"
        )
        db.execute(
            f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} {bulk_off} "
            f"BEGIN {delete} END"
        )
        db.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} {bulk_off} "
            f"BEGIN {delete} {insert} END"
        )
    _index_existing_records(db)


@migrations()
def m008_search_index_without_lengths(db: Database) -> None:
    """A search index that keeps no per-row lengths (FTS5 ``columnsize=0``).

    Storing a length for each of the index's rows (one per searchable field)
    was half the cost of building it. Ranking
    loses bm25's preference for shorter text; search orders hits of equal
    score by field instead (names first, notes last). The triggers stay: they
    name the index, which is rebuilt here from the records.
    """
    db.execute("DROP TABLE search_index")
    db.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5(text, content = '', columnsize = 0, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    _index_existing_records(db)


@migrations()
def m009_record_fates(db: Database) -> None:
    """What became of records that are gone, and change-log entries a purge blocked.

    ``fates`` keeps, per (table, row id), that the row was merged into another
    (``into_id``) or purged, and in which change: a purge erases what was
    merged into the purged person too, and ``check`` verifies that nothing of
    a purged row is left. ``changes.needs_purged`` marks an entry whose undo
    would need rows a purge erased: ``undo`` passes over it.
    """
    db.execute(
        """CREATE TABLE fates (
            tbl TEXT NOT NULL, row_id INTEGER NOT NULL, fate TEXT NOT NULL,
            into_id INTEGER, change_id INTEGER,
            PRIMARY KEY (tbl, row_id)) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX fates_into ON fates(tbl, into_id)")
    db.execute("ALTER TABLE changes ADD COLUMN needs_purged INTEGER NOT NULL DEFAULT 0")


# m010's full-text tables: TABLE -> the columns TABLE_fts indexes.
FULL_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("name", "name_key", "origin", "note"),
    "aliases": ("name", "name_key", "note"),
    "sources": ("title", "publisher", "note"),
    "trials": ("court", "place", "charge", "note"),
    "trial_parties": ("note",),
    "rulings": ("court", "sentence", "note"),
    "asylum": ("country", "authority", "note"),
    "detentions": ("place", "note"),
    "events": ("place", "summary", "note"),
    "relations": ("note",),
}


def full_text_table(db: Database, table: str, columns: tuple[str, ...]) -> None:
    """TABLE_fts over COLUMNS of TABLE, with its triggers, as ``sqlite-utils
    enable-fts --create-triggers`` makes them (not called: it commits), filled."""
    quoted = ", ".join(f"[{column}]" for column in columns)
    old = ", ".join(f"old.[{column}]" for column in columns)
    new = ", ".join(f"new.[{column}]" for column in columns)
    db.execute(
        f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 (\n    {quoted},\n"
        "    tokenize='unicode61 remove_diacritics 2',\n"
        f"    content=[{table}]\n)"
    )
    db.execute(
        f"CREATE TRIGGER [{table}_ai] AFTER INSERT ON [{table}] BEGIN\n"
        f"  INSERT INTO [{table}_fts] (rowid, {quoted}) VALUES (new.rowid, {new});\nEND"
    )
    db.execute(
        f"CREATE TRIGGER [{table}_ad] AFTER DELETE ON [{table}] BEGIN\n"
        f"  INSERT INTO [{table}_fts] ([{table}_fts], rowid, {quoted}) "
        f"VALUES('delete', old.rowid, {old});\nEND"
    )
    db.execute(
        f"CREATE TRIGGER [{table}_au] AFTER UPDATE ON [{table}] BEGIN\n"
        f"  INSERT INTO [{table}_fts] ([{table}_fts], rowid, {quoted}) "
        f"VALUES('delete', old.rowid, {old});\n"
        f"  INSERT INTO [{table}_fts] (rowid, {quoted}) VALUES (new.rowid, {new});\nEND"
    )
    db.execute(f"INSERT INTO [{table}_fts] ([{table}_fts]) VALUES ('rebuild')")


@migrations()
def m010_full_text_tables(db: Database) -> None:
    """One full-text table per searchable table (``TABLE_fts``, external content,
    triggers), as sqlite-utils makes them, in place of the single contentless
    index: generic tools (sqlite-utils, Datasette, ``iterdump()``) can then read
    and search every table. ``cases search`` queries them field by field.
    """
    for table, _, _ in SEARCH_FIELDS:
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
    db.execute("DROP TABLE IF EXISTS search_index")
    for table, columns in FULL_TEXT_COLUMNS.items():
        full_text_table(db, table, columns)
    # Foreign keys whose child column had no index: deleting the parent (a person
    # named as a judge, an appealed ruling) scanned the whole child table.
    db.execute("CREATE INDEX trials_judge ON trials(judge_person_id)")
    db.execute("CREATE INDEX trials_lawyer ON trials(lawyer_person_id)")
    db.execute("CREATE INDEX rulings_appeal_of ON rulings(appeal_of_id)")
