"""Upgrading a database written by an earlier schema keeps every record and the change log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cases.catalogue import LOGGED as LOGGED_TABLES
from cases.db import Store
from cases.db.connection import APPLICATION_ID, SCHEMA_VERSION
from tests.conftest import assert_search_index_matches_records


def _rows(path: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


def _as_schema(current: Path, old: Path, version: int, next_step: str) -> None:
    """Copy CURRENT's rows into a new database at OLD built by the migrations
    before NEXT_STEP (schema VERSION)."""
    from sqlite_utils import Database

    from cases.migrations import migrations

    conn = sqlite3.connect(old, isolation_level=None)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.apply(Database(conn), stop_before=next_step)
    conn.execute(f"PRAGMA user_version={version}")
    conn.execute("ATTACH ? AS current", [str(current)])
    conn.execute("BEGIN")
    for table in (*LOGGED_TABLES, "changes", "change_rows"):  # search triggers index them
        columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA table_info({table})"))
        conn.execute(f"INSERT INTO {table} SELECT {columns} FROM current.{table}")
    conn.execute("DELETE FROM sqlite_sequence")
    conn.execute("INSERT INTO sqlite_sequence SELECT * FROM current.sqlite_sequence")
    conn.execute("COMMIT")
    conn.execute("DETACH current")
    conn.close()


def test_m006_keeps_rows_ids_counters_and_keys(
    run, run_json, database: Path, tmp_path: Path
) -> None:
    run("init", "--sample")
    run("add", "person", "Fictional Tester", "--born", "1990")
    run("add", "person", "Another Tester")
    run("delete", run_json("show", "Another Tester")["person"]["ref"], "--yes")
    old = tmp_path / "old.db"
    _as_schema(database, old, 5, "m006_droppable_unique_keys")
    before = {table: _rows(old, table) for table in LOGGED_TABLES}
    sequences = sqlite3.connect(old).execute("SELECT * FROM sqlite_sequence").fetchall()

    run("--db", str(old), "stats")  # opening migrates

    assert {table: _rows(old, table) for table in LOGGED_TABLES} == before
    conn = sqlite3.connect(old)
    assert sorted(conn.execute("SELECT * FROM sqlite_sequence").fetchall()) == sorted(sequences)
    automatic = conn.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_%'"
    ).fetchall()
    assert not [name for (name,) in automatic if name.split("_")[2] in LOGGED_TABLES]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute("INSERT INTO people (uid, name, name_key) SELECT uid, 'x', 'x' FROM people")
    citation = conn.execute("SELECT record_uid, source_id FROM citations LIMIT 1").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute(
            "INSERT INTO citations (uid, record_uid, source_id) VALUES ('new-uid', ?, ?)",
            citation,
        )
    conn.close()

    # a deleted person's id is not given out again, search and undo still work
    run("--db", str(old), "add", "person", "Third Tester")
    added = run_json("--db", str(old), "show", "Third Tester")["person"]["ref"]
    assert int(added[1:]) == max(row[0] for row in before["people"]) + 2
    assert run_json("--db", str(old), "search", "Tester")
    run("--db", str(old), "undo")
    run("--db", str(old), "undo")  # the delete: Another Tester is back
    assert run_json("--db", str(old), "show", "Another Tester")["person"]["name"]

    store = Store.open(old, write=False)
    try:  # foreign keys are on again after the migration
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        store.close()


def test_m008_rebuilds_the_search_index_without_lengths(
    run, run_json, database: Path, tmp_path: Path
) -> None:
    run("init", "--sample")
    run("add", "person", "Fictional Tester", "--note", "seen near Fictionville")
    old = tmp_path / "old.db"
    _as_schema(database, old, 7, "m008_search_index_without_lengths")
    lengths = "SELECT count(*) FROM sqlite_master WHERE name = 'search_index_docsize'"
    assert _scalar(old, lengths) == 1

    assert run_json("--db", str(old), "search", "Fictionville")[0]["field"] == "note"

    assert _scalar(old, lengths) == 0
    assert _scalar(old, "PRAGMA user_version") == SCHEMA_VERSION
    assert_search_index_matches_records(old)


def _scalar(path: Path, sql: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()
