"""The database file: where it is, its mode, its pragmas and migrations, what
it refuses to open, and what a failed or reading command leaves behind."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import dump


def test_db_option_beats_environment(run, tmp_path: Path, database: Path) -> None:
    other = tmp_path / "other.db"
    run("--db", str(other), "add", "person", "Ayan Test")
    assert other.exists()
    assert not database.exists()
    assert run("--db", str(other), "list", "people", "--json").stdout.count("Ayan Test") == 1


def test_default_path_is_in_the_user_data_folder(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("CASES_DB", None)
    result = subprocess.run(
        [sys.executable, "-m", "cases", "add", "person", "Ayan Test"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    created = tmp_path / "data" / "cases" / "cases.db"
    assert created.exists()
    assert stat.S_IMODE(created.stat().st_mode) == 0o600


def test_database_file_is_private(run, database: Path) -> None:
    run("add", "person", "Ayan Test")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_reading_a_missing_database_is_an_error_that_creates_nothing(
    run, fails_cleanly, database: Path, tmp_path: Path
) -> None:
    for command in (["list", "people"], ["timeline"], ["stats"], ["show", "P1"], ["check"]):
        message = fails_cleanly(*command)
        assert message == f"Error: no database at {database}; create one with cases init"
    mistyped = tmp_path / "nowhere" / "cases.db"
    assert str(mistyped) in fails_cleanly("--db", str(mistyped), "timeline")
    assert not database.exists() and not mistyped.parent.exists()


def test_connection_pragmas(run, database: Path) -> None:
    from cases.db import Store

    store = Store.open(database, write=True)
    try:
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        from cases.migrations import migrations, sqlite_utils_view

        view = sqlite_utils_view(store.conn)
        applied = [m.name for m in migrations.applied(view)]
        assert migrations.pending(view) == [] and applied[0] == "m001_initial"
    finally:
        store.close()


def test_writes_outside_a_transaction_are_refused(database: Path) -> None:
    from cases.db import Store, rows

    store = Store.open(database, write=True)
    try:
        with pytest.raises(RuntimeError):
            rows.insert(store, "sources", {"title": "x"})
        with store.transaction(), pytest.raises(RuntimeError), store.transaction():
            pass
    finally:
        store.close()


def test_a_text_file_is_refused_and_left_untouched(fails_cleanly, database: Path) -> None:
    database.write_text("name,notes\nnot,a database\n")
    before = database.read_bytes()
    line = fails_cleanly("add", "person", "Ayan Test")
    assert "not a cases database" in line
    assert database.read_bytes() == before
    assert database.read_bytes() == before
    assert "not a cases database" in fails_cleanly("list", "people")


def test_another_apps_sqlite_file_is_refused_and_left_untouched(
    fails_cleanly, database: Path
) -> None:
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = database.read_bytes()
    assert "another application" in fails_cleanly("add", "person", "Ayan Test")
    assert database.read_bytes() == before


def test_a_failed_first_command_leaves_no_file(fails_cleanly, database: Path) -> None:
    fails_cleanly("add", "person", "   ")
    assert not database.exists()


def test_dump_helper_sees_changes(run, database: Path) -> None:
    run("add", "person", "Ayan Test")
    before = dump(database)
    run("add", "person", "Berik Sample")
    assert dump(database) != before


def test_schema_version_counts_the_migrations(run, database: Path) -> None:
    from cases.catalogue import SCHEMA_VERSION
    from cases.migrations import migrations, sqlite_utils_view

    # what a new, empty file would be given, and what a new database was given
    assert len(migrations.pending(sqlite_utils_view(sqlite3.connect(":memory:")))) == SCHEMA_VERSION
    run("init")
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert len(migrations.applied(sqlite_utils_view(conn))) == SCHEMA_VERSION
    finally:
        conn.close()


def test_reading_commands_do_not_load_sqlite_utils(run, tmp_path: Path) -> None:
    run("init", "--sample")
    env = {**os.environ}
    probe = (
        "import sys; from cases.cli import main; sys.argv = ['cases', 'show', 'P2'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('sqlite_utils' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    assert result.stderr.strip().endswith("False"), result.stderr
