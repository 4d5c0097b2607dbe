"""Shared fixtures: a fresh database per test and a runner that stands in for a user."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
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
