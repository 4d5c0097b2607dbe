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

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "data"


def sample_rows(table: str) -> int:
    """How many rows the sample has in TABLE (data/TABLE.csv), so that tests do not
    hard-code the sample's size."""
    import csv

    with (SAMPLE_DATA / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


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


def assert_undamaged(run: Run, *db_args: str) -> None:
    """``cases check`` finds no damage; generated records may contradict each
    other (a detention left open after a release), which check also reports."""
    result = run(*db_args, "check", ok=False)
    if result.exit_code != 0:
        problems = result.stderr.splitlines()[1:]
        assert problems and all(p.startswith("contradiction:") for p in problems), result.stderr


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


def search_words(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every word each full-text table holds: {table: [(word, row, column, position)]}."""
    from cases.catalogue import SEARCHABLE

    conn = sqlite3.connect(path)
    try:
        found = {}
        for table in SEARCHABLE:
            conn.execute(
                f"CREATE VIRTUAL TABLE temp.{table}_words "
                f"USING fts5vocab(main, {table}_fts, instance)"
            )
            found[table] = conn.execute(
                f'SELECT term, doc, col, "offset" FROM temp.{table}_words ORDER BY 1, 2, 3, 4'
            ).fetchall()
        return found
    finally:
        conn.close()


def assert_search_index_matches_records(path: Path) -> None:
    """Each full-text table holds exactly the words of its table's text, as if built
    anew, and passes FTS5's own check against its table.

    An external-content index keeps no text: a removal that named the wrong text
    would leave words behind or corrupt it, so it is compared word by word.
    """
    from cases.catalogue import SEARCHABLE

    fresh = path.with_name(path.stem + "-fresh-index.db")
    fresh.unlink(missing_ok=True)
    conn = sqlite3.connect(fresh)
    try:
        conn.execute("ATTACH ? AS records", [str(path)])
        for table in SEARCHABLE:
            columns = [row[1] for row in conn.execute(f"PRAGMA records.table_info({table}_fts)")]
            names = ", ".join(columns)
            conn.execute(f"CREATE TABLE {table} AS SELECT id, {names} FROM records.{table}")
            conn.execute(
                f"CREATE VIRTUAL TABLE {table}_fts USING fts5({names}, content={table}, "
                "content_rowid=id, tokenize='unicode61 remove_diacritics 2')"
            )
            conn.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('rebuild')")
        conn.commit()
    finally:
        conn.close()
    try:
        assert search_words(path) == search_words(fresh)
    finally:
        fresh.unlink()
    conn = sqlite3.connect(path)
    try:
        for table in SEARCHABLE:
            conn.execute(
                f"INSERT INTO {table}_fts ({table}_fts, rank) VALUES ('integrity-check', 1)"
            )
    finally:
        conn.close()


def server_dump(url: str) -> list[str]:
    """Every row of every table of a team database (and its counters), to
    compare before and after."""
    import psycopg

    found: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'cases' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
        for (table,) in tables:
            rows = conn.execute(f'SELECT * FROM cases."{table}"').fetchall()
            found += sorted(f"{table}: {row!r}" for row in rows)
    return found


def server_records(url: str) -> dict[str, list[tuple]]:
    """Every row of every record table of a team database, in id order (the
    change log left out)."""
    import psycopg

    from cases.catalogue import LOGGED

    with psycopg.connect(url, autocommit=True) as conn:
        return {
            table: conn.execute(f'SELECT * FROM cases."{table}" ORDER BY id').fetchall()
            for table in LOGGED
        }


def stored_bytes(database: Path) -> bytes:
    """Every byte the test's database is stored in: its file and journals, or,
    when CASES_DB is a team database, its files on the server."""
    import os

    from tests.postgres import database_file_bytes

    location = os.environ.get("CASES_DB", "")
    if location.startswith("postgresql://"):
        return database_file_bytes(location)
    return database_bytes(database)


def _current(database: Path) -> list[str]:
    """What the test's database holds: its file's dump, or a team database's rows."""
    import os

    location = os.environ.get("CASES_DB", "")
    if location.startswith("postgresql://"):
        return server_dump(location)
    return dump(database)


@pytest.fixture
def fails_cleanly(run: Run, database: Path) -> Callable[..., str]:
    """Assert a command is a user error: exit 1, one Error: line, no traceback, db unchanged."""

    def check(*args: str, input: str | None = None) -> str:
        before = _current(database)
        existed = database.exists()
        result = run(*args, ok=False, input=input)
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), result.exception
        lines = result.stderr.splitlines()
        assert lines and lines[0].startswith("Error: "), result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert _current(database) == before
        assert database.exists() == existed
        return lines[0]

    return check


@pytest.fixture
def sample(run: Run, database: Path) -> None:
    """Load the sample cases (into CASES_DB: the test's file or team database)."""
    run("init", "--sample")


# -- helpers shared by the test files ---------------------------------------------


def cases_process(
    *args: str,
    database: Path | None = None,
    env: dict[str, str] | None = None,
    **options: Any,
) -> Any:
    """``cases ARGS`` run for real, in a process of its own (``--db DATABASE`` when
    given, else CASES_DB): a finished ``subprocess.CompletedProcess`` with text."""
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "cases"]
    if database is not None:
        command += ["--db", str(database)]
    options.setdefault("check", False)
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        **options,
    )


def database_bytes(path: Path) -> bytes:
    """Every byte of the database at PATH and of the files SQLite keeps beside it
    (its rollback journal, WAL and shared memory)."""
    data = b""
    for suffix in ("", "-journal", "-wal", "-shm"):
        beside = Path(f"{path}{suffix}")
        if beside.exists():
            data += beside.read_bytes()
    return data


def folder_bytes(folder: Path) -> bytes:
    """Every byte of every file in FOLDER, in name order."""
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())


def round_trip(run: Run, tmp_path: Path) -> tuple[Path, Path, Path]:
    """Export everything as CSV, import it into a new database, export that: every
    file must come out byte for byte the same. Returns (first export, second
    export, the new database)."""
    first, second, copy = tmp_path / "first", tmp_path / "second", tmp_path / "copy.db"
    run("export", "csv", "--out", str(first), "--include-private")
    run("--db", str(copy), "import", "csv", str(first))
    run("--db", str(copy), "export", "csv", "--out", str(second), "--include-private")
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    return first, second, copy


# -- PostgreSQL (the team tests) ----------------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster() -> Any:
    """A throwaway PostgreSQL cluster for the session (tests/postgres.py), or
    a skip that says why none can be started."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (the extra cases[postgres])")
    from tests.postgres import Cluster

    try:
        cluster = Cluster.start()
    except RuntimeError as error:
        pytest.skip(f"no PostgreSQL server: {error}")
    yield cluster
    cluster.stop()


# The team database the tests on both engines use, one at a time: made anew for
# each test from a template that team init made once (by its name, so that the
# team's roles, named after the database, are the template's).
ENGINE_OWNER, ENGINE_DATABASE = "engineowner", "engine_team"


@pytest.fixture(scope="session")
def engine_template(pg_cluster: Any) -> str:
    """A team database made by team init, kept as a template; its owner's URL."""
    import os

    from tests.postgres import PASSWORD

    pg_cluster.superuser(
        f"CREATE ROLE {ENGINE_OWNER} LOGIN CREATEROLE PASSWORD '{PASSWORD}'",
        f"CREATE DATABASE {ENGINE_DATABASE} OWNER {ENGINE_OWNER}",
    )
    url = str(pg_cluster.url(ENGINE_OWNER, ENGINE_DATABASE))
    result = CliRunner().invoke(
        app, ["--db", url, "team", "init"], env={**os.environ, "PGPASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.stderr
    pg_cluster.superuser(f"ALTER DATABASE {ENGINE_DATABASE} RENAME TO {ENGINE_DATABASE}_template")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, database: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine a test of a feature that works on both runs on, once each:
    the per-test file, or a new team database (as team init makes it) as CASES_DB.

    A test module that is not about a SQLite-only feature opts in with
    ``pytestmark = pytest.mark.usefixtures("engine")``.
    """
    if request.param == "sqlite":
        return "sqlite"
    only = request.node.get_closest_marker("sqlite_only")
    if only is not None:
        pytest.skip(f"SQLite only: {only.args[0]}")
    from tests.postgres import PASSWORD

    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    url = _team_database_from_template(request, ENGINE_DATABASE)
    monkeypatch.setenv("CASES_DB", url)
    return "postgresql"


def _team_database_from_template(request: pytest.FixtureRequest, name: str) -> str:
    """A new team database NAME made from the template (as team init makes one),
    replacing any of that name; its owner's URL."""
    import psycopg

    from cases.db.pg.team import grant_rights

    cluster = request.getfixturevalue("pg_cluster")
    request.getfixturevalue("engine_template")
    cluster.superuser(
        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        f"CREATE DATABASE {name} TEMPLATE {ENGINE_DATABASE}_template OWNER {ENGINE_OWNER}",
    )
    url = str(cluster.url(ENGINE_OWNER, name))
    # what a database keeps outside its schemas (who may connect, its
    # settings) is not copied from a template
    with psycopg.connect(url, autocommit=True) as conn:
        grant_rights(conn, name)
    return url


@pytest.fixture
def fresh_db(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A second, empty database of the test's engine (beside CASES_DB): a new
    file, or a new team database; its location for --db."""
    if engine == "sqlite":
        return str(tmp_path / "fresh.db")
    # the team's roles are named after its database: a new one, by team init
    _, url = request.getfixturevalue("pg_cluster").new_team_database()
    result = CliRunner().invoke(app, ["--db", url, "team", "init"])
    assert result.exit_code == 0, result.stderr
    return str(url)


@pytest.fixture
def team_url(pg_cluster: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of a new empty team database (not yet initialised) for its owner;
    every test login's password comes from PGPASSWORD, as a user's would."""
    from tests.postgres import PASSWORD

    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    _, url = pg_cluster.new_team_database()
    return str(url)
