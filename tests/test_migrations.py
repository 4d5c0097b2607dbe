"""Upgrading a database written by an earlier schema keeps every record and the change log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cases.catalogue import LOGGED as LOGGED_TABLES
from cases.catalogue import SCHEMA_VERSION
from cases.db import Store
from cases.db.files import APPLICATION_ID
from tests.conftest import assert_search_index_matches_records


def _columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def _rows(path: Path, table: str, columns: list[str] | None = None) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        listed = ", ".join(columns) if columns else "*"
        return conn.execute(f"SELECT {listed} FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


def _kept(old: Path, current: Path) -> dict[str, list[str]]:
    """Per table of both schemas, the columns both have (a later migration may
    move a column elsewhere: a trial's judge became a party row)."""
    kept = {}
    for table in LOGGED_TABLES:
        old_columns = _columns(old, table)
        if old_columns:
            kept[table] = [c for c in old_columns if c in _columns(current, table)]
    return kept


def _fill(run) -> None:
    """Records of every kind an old schema can hold (the sample has unnamed people
    and organisations, which it cannot)."""
    run("add", "source", "A report", "--date", "2019-01-15", "--publisher", "RFE/RL")
    run(
        "add",
        "person",
        "Fictional Tester",
        "--born",
        "1990",
        "--alias",
        "Fiktional",
        "--source",
        "S1",
    )
    run("add", "person", "Second Tester", "--note", "seen near Fictionville")
    run("add", "trial", "P1", "P2", "--court", "District court", "--judge", "Second Tester")
    run(
        "add",
        "ruling",
        "P1",
        "--date",
        "2019-02",
        "--outcome",
        "convicted",
        "--months",
        "6",
        "--sentence-kind",
        "labor-camp",
        "--source",
        "S1",
    )
    run("add", "detention", "P1", "--start", "2018-10", "--kind", "pretrial")
    run("add", "event", "P2", "--date", "2019", "--kind", "arrest", "Held at the border")
    run("add", "relation", "P1", "P2", "--kind", "sibling")
    run("add", "asylum", "P1", "--date", "2019-03", "--decision", "applied")


def _as_schema(
    current: Path, old: Path, version: int, next_step: str, skip: tuple[str, ...] = ()
) -> None:
    """Copy CURRENT's rows into a new database at OLD built by the migrations
    before NEXT_STEP (schema VERSION), but for the tables SKIP."""
    from sqlite_utils import Database

    from cases.migrations import migrations

    conn = sqlite3.connect(old, isolation_level=None)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.apply(Database(conn), stop_before=next_step)
    conn.execute(f"PRAGMA user_version={version}")
    conn.execute("ATTACH ? AS current", [str(current)])
    conn.execute("BEGIN")
    for table in (*LOGGED_TABLES, "changes", "change_rows"):  # search triggers index them
        current_columns = {row[1] for row in conn.execute(f"PRAGMA current.table_info({table})")}
        columns = ", ".join(
            row[1]
            for row in conn.execute(f"PRAGMA table_info({table})")
            if row[1] in current_columns
        )
        if columns and table not in skip:  # a table the old schema has
            # judges and lawyers named as text were columns of the trial then
            judged = "judge" in {row[1] for row in conn.execute("PRAGMA table_info(trials)")}
            where = " WHERE person_id IS NOT NULL" if table == "trial_parties" and judged else ""
            conn.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM current.{table}{where}"
            )
    old_trials = {row[1] for row in conn.execute("PRAGMA table_info(trials)")}
    for role in ("judge", "lawyer") if "judge" in old_trials else ():
        named = (
            f"FROM current.trial_parties p WHERE p.trial_id = trials.id AND p.role = '{role}' "
            "AND p.name IS NOT NULL ORDER BY p.id LIMIT 1"
        )
        conn.execute(
            f"UPDATE trials SET {role} = (SELECT name {named}), "
            f"{role}_person_id = (SELECT name_person_id {named})"
        )
    if "sentence_kind" in {row[1] for row in conn.execute("PRAGMA table_info(rulings)")}:
        conn.execute(
            "UPDATE rulings SET sentence_kind = (SELECT sentence_kinds FROM current.rulings c "
            "WHERE c.id = rulings.id)"
        )
    conn.execute("DELETE FROM sqlite_sequence")
    conn.execute("INSERT INTO sqlite_sequence SELECT * FROM current.sqlite_sequence")
    conn.execute("COMMIT")
    conn.execute("DETACH current")
    conn.close()


def test_m006_keeps_rows_ids_counters_and_keys(
    run, run_json, database: Path, tmp_path: Path
) -> None:
    _fill(run)
    run("add", "person", "Another Tester")
    run("delete", run_json("show", "Another Tester")["person"]["ref"], "--yes")
    old = tmp_path / "old.db"
    _as_schema(database, old, 5, "m006_droppable_unique_keys")
    kept = _kept(old, database)
    before = {table: _rows(old, table, columns) for table, columns in kept.items()}
    sequences = sqlite3.connect(old).execute("SELECT * FROM sqlite_sequence").fetchall()

    run("--db", str(old), "stats")  # opening migrates

    after = {table: _rows(old, table, columns) for table, columns in kept.items()}
    # every row kept as it was; the trial's judge text is a party row of its own now
    ids = {table: {row[0] for row in rows} for table, rows in before.items()}
    assert {t: [r for r in rows if r[0] in ids[t]] for t, rows in after.items()} == before
    assert len(after["trial_parties"]) == len(before["trial_parties"]) + 1
    trial = run_json("--db", str(old), "list", "trials")[0]
    assert (trial["judge"], trial["judge_ref"]) == ("Second Tester", "P2")  # now a party row
    assert run_json("--db", str(old), "list", "rulings")[0]["sentence_kinds"] == ["labor-camp"]
    conn = sqlite3.connect(old)
    now = dict(conn.execute("SELECT * FROM sqlite_sequence").fetchall())
    moved = {"trial_parties"}  # the judge's new party row takes the next id
    assert {n: now[n] for n, _ in sequences if n not in moved} == {
        n: seq for n, seq in sequences if n not in moved
    }
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
    _fill(run)
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


_M014_FACTS = (
    ("trial_id", "trials"),
    ("ruling_id", "rulings"),
    ("asylum_id", "asylum"),
    ("detention_id", "detentions"),
    ("event_id", "events"),
)


def _participants_as_at_schema_14(old: Path, current: Path) -> None:
    """Each participant's fact, and its images in the log, as schema 14 named it:
    by a link column per kind of fact (found in the fact's table, or in the log's
    image of a fact deleted since)."""

    def fact_id(table: str, uid: str) -> str:
        return f"""coalesce(
            (SELECT id FROM current.{table} WHERE uid = {uid}),
            (SELECT image.row_id FROM current.change_rows image WHERE image.tbl = '{table}'
             AND image.before IS NOT NULL AND json_extract(image.before, '$.uid') = {uid}
             LIMIT 1))"""

    conn = sqlite3.connect(old, isolation_level=None)
    conn.execute("ATTACH ? AS current", [str(current)])
    shared = "uid, person_id, org_id, role, note, private"
    facts = ", ".join(column for column, _ in _M014_FACTS)
    found = ", ".join(fact_id(table, "c.fact_uid") for _, table in _M014_FACTS)
    conn.execute(
        f"INSERT INTO participants (id, {shared}, {facts}) "
        f"SELECT id, {shared}, {found} FROM current.participants c"
    )
    for column, table in _M014_FACTS:
        conn.execute(
            f"""UPDATE change_rows SET before = json_set(before, '$.{column}',
                    {fact_id(table, "json_extract(change_rows.before, '$.fact_uid')")})
                WHERE tbl = 'participants' AND before IS NOT NULL"""
        )
    conn.execute(
        "UPDATE change_rows SET before = json_remove(before, '$.fact_uid') "
        "WHERE tbl = 'participants' AND before IS NOT NULL"
    )
    conn.close()


def test_m015_names_each_participants_fact_by_uid(
    run, run_json, database: Path, tmp_path: Path
) -> None:
    _fill(run)
    run("add", "org", "Helping NGO")
    run("add", "event", "P1", "--date", "2019-04", "--kind", "petition", "--with", "O1=organizer")
    run(
        "add", "ruling", "P2", "--date", "2019-05", "--outcome", "convicted", "--with", "P1=witness"
    )
    run("add", "event", "P2", "--date", "2019-06", "--kind", "hearing", "--with", "O1=authority")
    run("delete", "E3", "--yes")  # its participant is in the log only
    before = json.loads(run("export", "json", "--include-private").stdout)
    old = tmp_path / "old.db"
    _as_schema(
        database, old, 14, "m015_participants_name_their_fact_by_uid", skip=("participants",)
    )
    _participants_as_at_schema_14(old, database)
    assert "event_id" in _columns(old, "participants")

    run("--db", str(old), "check")  # opening migrates; the file is sound

    assert _columns(old, "participants")[:3] == ["id", "uid", "fact_uid"]
    after = json.loads(run("--db", str(old), "export", "json", "--include-private").stdout)
    for table, rows in before["tables"].items():
        assert after["tables"][table] == rows, table
    taking_part = run_json("--db", str(old), "show", "O1")["appearances"]
    assert [item["ref"] for item in taking_part] == ["E2"]
    run("--db", str(old), "undo")  # the delete of E3: its participant comes back
    again = run_json("--db", str(old), "show", "O1")["appearances"]
    assert [item["ref"] for item in again] == ["E2", "E3"]
    run("--db", str(old), "delete", "R2", "--yes")  # a fact takes its participants along
    assert run_json("--db", str(old), "show", "P1")["appearances"] == []
    assert_search_index_matches_records(old)


def test_an_export_written_before_schema_15_still_imports(run, run_json, tmp_path: Path) -> None:
    """participants.csv as exports wrote it before: a link column per kind of fact."""
    run("add", "person", "Ayan Test")
    run("add", "org", "Helping NGO")
    run("add", "event", "P1", "--date", "2019-04", "--kind", "petition", "--with", "O1=organizer")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    path = folder / "participants.csv"
    header, row = path.read_text(encoding="utf-8").splitlines()
    columns = header.split(",")
    cells = dict(zip(columns, row.split(","), strict=True))
    old_columns = ["uid", *(f"{c[:-3]}_uid" for c, _ in _M014_FACTS), *columns[2:]]
    old_cells = {**cells, "event_uid": cells["fact_uid"]}
    path.write_text(
        ",".join(old_columns)
        + "\r\n"
        + ",".join(old_cells.get(c, "") for c in old_columns)
        + "\r\n",
        encoding="utf-8",
    )
    fresh = tmp_path / "fresh.db"
    run("--db", str(fresh), "import", "csv", str(folder))
    shown = run_json("--db", str(fresh), "show", "O1")["appearances"]
    assert [(item["ref"], item["role"]) for item in shown] == [("E1", "organizer")]


def test_a_migrated_database_has_the_schema_the_catalogue_declares(run, database: Path) -> None:
    """What the catalogue generates for a new engine (db/schema.py) is what the
    migrations built, step by step: the same columns and types, foreign keys and
    what a delete does to them, and indexes. Only NOT NULL may be stricter in the
    declaration: the first tables checked required dates in code alone."""
    from cases.catalogue import TABLES
    from cases.db.schema import table_sql

    run("init")
    migrated = sqlite3.connect(database)
    declared = sqlite3.connect(":memory:")
    try:
        for table in TABLES:
            for statement in table_sql(table):
                declared.execute(statement)

        def shape(conn: sqlite3.Connection, name: str) -> dict[str, Any]:
            return {
                "columns": [
                    (r[1], r[2].upper()) for r in conn.execute(f'PRAGMA table_info("{name}")')
                ],
                "keys": sorted(
                    (r[2], r[3], r[6]) for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')
                ),
                "indexes": sorted(
                    (r[1], r[2])
                    for r in conn.execute(f'PRAGMA index_list("{name}")')
                    if not r[1].startswith("sqlite_autoindex")
                ),
            }

        def required(conn: sqlite3.Connection, name: str) -> set[str]:
            return {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")') if r[3]}

        for table in TABLES:
            assert shape(migrated, table.name) == shape(declared, table.name), table.name
            assert required(migrated, table.name) <= required(declared, table.name), table.name
    finally:
        migrated.close()
        declared.close()


def test_m019_keeps_every_detention_and_frees_its_start(
    run, run_json, database: Path, tmp_path: Path
) -> None:
    _fill(run)
    run("add", "detention", "P2", "--start", "2019-01", "--end", "2019-03", "--kind", "pretrial")
    run("delete", "D2", "--yes")  # the counter is kept: no id is given out again
    columns = ["id", "uid", "person_id", "start", "end", "kind"]
    before = _rows(database, "detentions", columns)
    old = tmp_path / "old.db"
    _as_schema(database, old, 18, "m019_detentions_of_groups_and_for_a_duration")
    assert "duration" not in _columns(old, "detentions")

    run("--db", str(old), "check")  # opening migrates; the file is sound

    assert _rows(old, "detentions", columns) == before
    added = run_json("--db", str(old), "add", "detention", "P1", "--duration", "6 months")
    assert added["ref"] == "D3"
    run("--db", str(old), "undo")
    run("--db", str(old), "undo")  # the delete of D2: it comes back
    assert run_json("--db", str(old), "show", "D2")["kind"] == "pretrial"
    assert_search_index_matches_records(old)
