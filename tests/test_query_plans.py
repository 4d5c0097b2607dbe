"""The hot queries use indexes: a full scan here is a regression at 100,000 people.

Every SELECT the store runs for show, timeline, search and name resolution is
captured (with its values) and explained; none may scan a record table
without an index or sort a whole table for ORDER BY.
"""

from __future__ import annotations

import sqlite3
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from cases.catalogue import LOGGED as LOGGED_TABLES
from cases.db import Store, rows
from cases.service.importing import import_folder
from cases.service.reading import actor_summary
from cases.service.resolving import resolve_person
from cases.service.search import search
from cases.service.timeline import timeline
from cases.service.transfer import export_csv

ROOT = Path(__file__).resolve().parent.parent
RECORD_TABLES = LOGGED_TABLES


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    sys.path.insert(0, str(ROOT / "bench"))
    from make_db import generate

    folder = tmp_path_factory.mktemp("plans")
    generate(folder, 500, seed=3)
    opened = Store.open(folder / "plans.db", write=True)
    import_folder(opened, folder)
    opened.conn.execute("ANALYZE")
    return opened


def _plans(store: Store, action: Callable[[], object]) -> list[tuple[str, str]]:
    """The plan of every statement ACTION runs that reads (a SELECT, an import's
    INSERT ... SELECT or UPDATE ... FROM), explained as it starts (while the
    temporary tables it reads still exist)."""
    explained: list[tuple[str, str]] = []

    def explain(sql: str) -> None:
        words = sql.split()
        if not words or words[0].upper() not in ("SELECT", "WITH", "INSERT", "UPDATE"):
            return
        if words[0].upper() in ("INSERT", "UPDATE") and not any(
            word.upper() in ("SELECT", "FROM") for word in words[3:]
        ):
            return
        store.conn.set_trace_callback(None)  # the EXPLAIN itself is not traced
        try:
            rows = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        finally:
            store.conn.set_trace_callback(explain)
        explained.append((sql, " | ".join(str(row[3]) for row in rows)))

    store.conn.set_trace_callback(explain)
    try:
        action()
    finally:
        store.conn.set_trace_callback(None)
    return explained


def _full_scans(plan: str) -> list[str]:
    """Steps that read a whole record table, or sort one that was read whole."""
    steps = plan.split(" | ")
    scans = [
        step
        for step in steps
        if step.split()[:1] == ["SCAN"]
        and len(step.split()) > 1
        and step.split()[1] in RECORD_TABLES
    ]
    bad = [step for step in scans if "INDEX" not in step]
    # a small result found by SEARCH may be sorted; a whole table may not
    if scans and any("USE TEMP B-TREE FOR ORDER BY" in step for step in steps):
        bad.append("USE TEMP B-TREE FOR ORDER BY after a full scan")
    return bad


def _name_of(store: Store, person_id: int) -> str:
    return str(
        store.conn.execute("SELECT name FROM people WHERE id = ?", [person_id]).fetchone()[0]
    )


@pytest.mark.parametrize(
    "label",
    [
        "resolve by name",
        "resolve by alias",
        "show",
        "timeline of a person",
        "timeline --limit 50",
        "timeline --limit 50 --kind arrest",
        "search a rare word",
    ],
)
def test_hot_queries_use_indexes(store: Store, label: str) -> None:
    name = _name_of(store, 123)
    alias = store.conn.execute("SELECT name FROM aliases LIMIT 1").fetchone()[0]
    actions: dict[str, Callable[[], object]] = {
        "resolve by name": lambda: resolve_person(store, name),
        "resolve by alias": lambda: resolve_person(store, alias),
        "show": lambda: actor_summary(store, "P123"),
        "timeline of a person": lambda: list(timeline(store, "P123")),
        "timeline --limit 50": lambda: list(timeline(store, limit=50)),
        "timeline --limit 50 --kind arrest": lambda: list(
            timeline(store, limit=50, kinds=["arrest"])
        ),
        "search a rare word": lambda: search(store, name.split()[0]),
    }
    plans = _plans(store, actions[label])
    assert plans, "no query was captured"
    for sql, plan in plans:
        assert not _full_scans(plan), f"{label}: {sql}\n{plan}"


@pytest.mark.parametrize("table", ["events", "rulings", "citations"])
def test_an_import_finds_existing_records_by_their_uid(
    store: Store, tmp_path: Path, table: str
) -> None:
    """Staging tables are read whole (that is their job); record tables only by
    index: a re-import of one exported table, as ``import csv`` runs it."""
    exported, alone = tmp_path / "exported", tmp_path / "alone"
    export_csv(store, exported, include_private=True)
    alone.mkdir()
    (alone / f"{table}.csv").write_bytes((exported / f"{table}.csv").read_bytes())
    plans = _plans(store, lambda: import_folder(store, alone, dry_run=True))
    # the staged rows were matched against the table's records
    assert any("temp.stage" in sql and table in sql for sql, _ in plans), "no query was captured"
    for sql, plan in plans:
        assert not _full_scans(plan), f"{table}: {sql}\n{plan}"


def test_the_check_catches_a_scan(store: Store) -> None:
    plan = " | ".join(
        str(row[3])
        for row in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM events WHERE summary = 'x' ORDER BY place"
        )
    )
    assert _full_scans(plan)


def test_sqlite_version_supports_the_plans() -> None:
    assert sqlite3.sqlite_version_info >= (3, 35)


def test_large_id_lists_stay_under_sqlites_variable_limit(store: Store) -> None:
    from cases.records import TRIAL
    from cases.service.listing import list_records

    # a database ten thousand times larger meets SQLite's real limit (32766)
    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 500)
    try:
        trials = rows.count(store, "trials")
        assert trials > 150
        assert len(list(list_records(store, TRIAL))) == trials
        assert len(list(timeline(store))) > 2000
        hits = search(store, "documents", limit=5000)
        assert max(Counter((hit["kind"], hit["field"]) for hit in hits).values()) > 500
    finally:
        store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)


def test_a_persons_timeline_reads_no_table_through(store: Store) -> None:
    """One person's facts are found by their indexes, every kind of them: a
    scan in index order (a trial's parties asked through coalesce() once read
    every trial) costs as much as the whole timeline's first screen."""
    person = store.conn.execute(
        "SELECT person_id FROM trial_parties WHERE person_id IS NOT NULL LIMIT 1"
    ).fetchone()[0]
    # as a user's database is: without the statistics ANALYZE gathers
    store.conn.execute("DROP TABLE sqlite_stat1")
    try:
        plans = _plans(store, lambda: list(timeline(store, f"P{person}")))
    finally:
        store.conn.execute("ANALYZE")
    assert plans, "no query was captured"
    for sql, plan in plans:
        scans = [step for step in plan.split(" | ") if step.startswith("SCAN ")]
        assert not scans, f"{sql}\n{plan}"
