"""A cases file is an SQLite file every tool reads: sqlite-utils, iterdump(), check.

The full-text tables follow sqlite-utils' convention (``TABLE_fts``, external
content, triggers), so generic tools list, dump and search them.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import sample_rows


def sqlite_utils(*args: str) -> subprocess.CompletedProcess:
    """Run the sqlite-utils command line (a dependency of cases)."""
    return subprocess.run(
        [sys.executable, "-m", "sqlite_utils", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def sample_file(run, database: Path) -> Path:
    run("init", "--sample")
    run("add", "person", "Zebulon Fictional", "--note", "seen near Quxville")
    return database


def test_sqlite_utils_searches_a_cases_file(sample_file: Path) -> None:
    result = sqlite_utils("search", str(sample_file), "people", "Tabarikuly", "--csv")
    assert result.returncode == 0, result.stderr
    assert "Tilek Tabarikuly" in result.stdout
    result = sqlite_utils("search", str(sample_file), "events", "Zharkent")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


def test_sqlite_utils_counts_every_table(sample_file: Path) -> None:
    result = sqlite_utils("tables", "--counts", str(sample_file))
    assert result.returncode == 0, result.stderr
    counts = {row["table"]: row["count"] for row in json.loads(result.stdout)}
    assert counts["people"] == sample_rows("people") + 1
    assert (
        counts["people_fts"] == sample_rows("people") + 1
    )  # the full-text tables read like any other


def test_iterdump_reads_the_whole_file(sample_file: Path) -> None:
    conn = sqlite3.connect(sample_file)
    try:
        dumped = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert "Quxville" in dumped
    assert "people_fts" in dumped  # the full-text tables dump like any other


def test_the_full_text_tables_follow_the_catalogue(sample_file: Path) -> None:
    from cases.catalogue import TABLES

    conn = sqlite3.connect(sample_file)
    try:
        for table in TABLES:
            if not table.search_fields:
                continue
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table.name}_fts)")]
            assert tuple(columns) == table.search_columns, table.name
            triggers = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                    [table.name],
                )
            }
            assert {f"{table.name}_ai", f"{table.name}_ad", f"{table.name}_au"} <= triggers
            stored = [row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")]
            assert tuple(stored) == table.columns, table.name
    finally:
        conn.close()


def test_check_finds_a_full_text_table_out_of_step(run, sample_file: Path) -> None:
    conn = sqlite3.connect(sample_file)
    conn.execute("DROP TRIGGER people_au")
    conn.execute("UPDATE people SET note = 'a note the index never saw' WHERE id = 1")
    conn.commit()
    conn.close()
    result = run("check", ok=False)
    assert result.exit_code == 1
    assert "search index of people" in result.stderr
