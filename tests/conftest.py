"""Shared fixtures: a fresh database per test and a runner that stands in for a user."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cases.cli import app


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point CASES_DB at a per-test database; keep the terminal width fixed."""
    path = tmp_path / "cases.db"
    monkeypatch.setenv("CASES_DB", str(path))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return path


Run = Callable[..., Any]


@pytest.fixture
def run() -> Run:
    """Run ``cases ARGS``; by default assert success and return the result."""

    def invoke(*args: str, ok: bool = True, input: str | None = None) -> Any:
        result = CliRunner().invoke(app, list(args), input=input)
        if ok:
            assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result

    return invoke


@pytest.fixture
def run_json(run: Run) -> Callable[..., Any]:
    """Run a command with --json and parse its stdout."""

    def invoke(*args: str) -> Any:
        return json.loads(run(*args, "--json").stdout)

    return invoke


def dump(path: Path) -> list[str]:
    """Every row and schema line of a database, to compare before and after."""
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    except sqlite3.DatabaseError:
        return [path.read_bytes().hex()]  # not a database: compare its bytes
    finally:
        conn.close()


def search_words(path: Path) -> list[tuple[object, ...]]:
    """Every word the search index holds: (word, index row, position)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, search_index, instance)"
        )
        return conn.execute(
            'SELECT term, doc, "offset" FROM temp.words ORDER BY 1, 2, 3'
        ).fetchall()
    finally:
        conn.close()


def assert_search_index_matches_records(path: Path) -> None:
    """The search index holds exactly the words of the records' text, as if built anew.

    The index keeps no text, so a removal that named the wrong text would leave
    words behind or corrupt it: this compares it word by word with a fresh one.
    """
    from cases.schema import SEARCH_FIELDS, SEARCH_SLOTS, indexed_text

    with closing(sqlite3.connect(path)) as conn:
        (definition,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'search_index'"
        ).fetchone()
    fresh = path.with_name(path.stem + "-fresh-index.db")
    conn = sqlite3.connect(fresh)
    try:
        conn.execute(definition)
        conn.execute("ATTACH ? AS records", [str(path)])
        for slot, (table, _, _) in enumerate(SEARCH_FIELDS):
            text = indexed_text(slot)
            conn.execute(
                f"INSERT INTO search_index (rowid, text) SELECT id * {SEARCH_SLOTS} + {slot}, "
                f"{text} FROM records.{table} WHERE {text} IS NOT NULL"
            )
        conn.commit()
    finally:
        conn.close()
    try:
        assert search_words(path) == search_words(fresh)
    finally:
        fresh.unlink()
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO search_index (search_index) VALUES ('integrity-check')")
    finally:
        conn.close()


@pytest.fixture
def fails_cleanly(run: Run, database: Path) -> Callable[..., str]:
    """Assert a command is a user error: exit 1, one Error: line, no traceback, db unchanged."""

    def check(*args: str, input: str | None = None) -> str:
        before = dump(database)
        existed = database.exists()
        result = run(*args, ok=False, input=input)
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), result.exception
        lines = result.stderr.splitlines()
        assert lines and lines[0].startswith("Error: "), result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert dump(database) == before
        assert database.exists() == existed
        return lines[0]

    return check


@pytest.fixture
def sample(run: Run) -> None:
    """Load the sample cases."""
    run("init", "--sample")
