"""Import, the simple way: staged, checked and linked in SQL, all or nothing.

Every test goes through the command line or the import service: the staging
underneath can change without these changing.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.catalogue import LOGGED
from cases.csv_io import write_csv
from cases.db import Store
from cases.service.importing import import_folder
from tests.conftest import (
    assert_search_index_matches_records,
    round_trip,
    sample_rows,
    search_words,
)
from tests.test_transfer import _edit_csv, _hostile_database, _rows

# Each test runs on a file and on a team database (tests/conftest.py: engine),
# but those about the file itself.
pytestmark = pytest.mark.usefixtures("engine")
FILE_EMPTIED = "empties the database by deleting its file"


@pytest.fixture
def sample_export(run, tmp_path: Path) -> Path:
    """The sample cases loaded, and exported whole (private records too)."""
    run("init", "--sample")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder), "--include-private")
    return folder


def _records(path: Path) -> dict[str, object]:
    """Every record table and every full-text table, row by row (the log aside)."""
    conn = sqlite3.connect(path)
    try:
        tables: dict[str, object] = {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in LOGGED
        }
    finally:
        conn.close()
    tables["search"] = search_words(path)
    return tables


@pytest.mark.sqlite_only("writes hostile texts into the file through the store")
def test_an_export_imports_exactly_and_again_changes_nothing(
    run, run_json, database: Path, tmp_path: Path
) -> None:
    _hostile_database(database, run)
    first, _, copy = round_trip(run, tmp_path)
    assert_search_index_matches_records(copy)
    before = _records(copy)
    next_person = run_json("--db", str(copy), "add", "person", "Probe Person")["ref"]
    run("--db", str(copy), "undo")
    report = run_json("--db", str(copy), "import", "csv", str(first))
    assert all(t["added"] == t["updated"] == 0 for t in report["tables"]), report
    assert sum(t["unchanged"] for t in report["tables"]) > 0
    assert _records(copy) == before
    # an import that adds nothing uses up no reference (an undone one is not reused)
    after = run_json("--db", str(copy), "add", "person", "Probe Person")["ref"]
    assert int(after[1:]) == int(next_person[1:]) + 1
    run("--db", str(copy), "check")


def test_an_update_changes_the_row_and_its_search_words(
    run, run_json, tmp_path: Path, database: Path, engine: str
) -> None:
    run("init", "--sample")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    _edit_csv(folder / "events.csv", 5, "summary", "a corrected summary")
    report = run_json("import", "csv", str(folder))
    events = next(t for t in report["tables"] if t["table"] == "events")
    assert (events["added"], events["updated"], events["unchanged"]) == (
        0,
        1,
        sample_rows("events") - 1,
    )
    assert [hit["field"] for hit in run_json("search", "corrected")] == ["summary"]
    if engine == "sqlite":  # a server's index is made from the rows themselves
        assert_search_index_matches_records(database)
    run("undo")
    assert run_json("search", "corrected") == []
    if engine == "sqlite":
        assert_search_index_matches_records(database)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: _edit_csv(f / "events.csv", 12, "date", "2019-13-01"), "events.csv, line 12"),
        (
            lambda f: _edit_csv(f / "events.csv", 18, "uid", _rows(f / "events.csv")[2][0]),
            "events.csv, line 18: uid",
        ),
        (
            lambda f: _edit_csv(f / "events.csv", 15, "person_uid", "nobody"),
            "events.csv, line 15: person_uid nobody",
        ),
        (lambda f: _edit_csv(f / "citations.csv", 40, "source_uid", ""), "citations.csv, line 40"),
        (lambda f: _edit_csv(f / "events.csv", 9, "kind", "party"), "events.csv, line 9"),
        (
            lambda f: _edit_csv(f / "detentions.csv", 3, "end", "2001-01-01"),
            "detentions.csv, line 3: the detention ends",
        ),
        (
            lambda f: _edit_csv(f / "sources.csv", 2, "url", "javascript:alert(1)"),
            "sources.csv, line 2: URL",
        ),
    ],
)
def test_a_bad_row_anywhere_leaves_nothing(
    run, fails_cleanly, tmp_path: Path, change, expected
) -> None:
    run("init", "--sample")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    run("delete", "P1", "--yes")  # so the import would add rows, not only update them
    change(folder)
    line = fails_cleanly("import", "csv", str(folder))  # checks the database is unchanged
    assert expected in line, line


def test_the_first_bad_row_is_the_one_named(run, fails_cleanly, tmp_path: Path) -> None:
    run("init", "--sample")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    _edit_csv(folder / "events.csv", 14, "kind", "party")
    _edit_csv(folder / "events.csv", 6, "date", "someday")
    _edit_csv(folder / "events.csv", 10, "person_uid", "nobody")
    assert "events.csv, line 6:" in fails_cleanly("import", "csv", str(folder))


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)),  # no lone surrogates: not UTF-8
    max_size=12,
)


@pytest.mark.sqlite_only("the import service on a file of its own")
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notes=st.lists(_TEXT, min_size=1, max_size=5))
def test_any_free_text_is_imported_exactly(tmp_path_factory, notes: list[str]) -> None:
    folder = tmp_path_factory.mktemp("csv")
    header = ["uid", "name", "note", "private"]
    rows = [[f"u{index}", f"Person {index}", note, "0"] for index, note in enumerate(notes)]
    write_csv(folder / "people.csv", header, rows)  # defused, as an export writes it
    store = Store.open(folder / "cases.db", write=True)
    try:
        import_folder(store, folder)
        stored = [note for (note,) in store.conn.execute("SELECT note FROM people ORDER BY id")]
    finally:
        store.close()
    assert stored == [note or None for note in notes]


@pytest.mark.sqlite_only("PostgreSQL's text holds no NUL character (test_team_writes)")
def test_a_nul_character_is_kept(run, run_json, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    write_csv(folder / "people.csv", ["uid", "name", "note"], [["u1", "Person One", "a\x00b"]])
    run("import", "csv", str(folder))
    assert run_json("show", "Person One")["person"]["note"] == "a\x00b"


@pytest.mark.sqlite_only(FILE_EMPTIED)
def test_a_repeated_key_in_a_load_into_empty_tables_is_refused(
    fails_cleanly, database: Path, sample_export: Path
) -> None:
    # unique keys are built after the rows are in: a repeat must still refuse the import
    rows = _rows(sample_export / "citations.csv")
    header = rows[0]
    twin = list(rows[1])
    twin[header.index("uid")] = "a-new-citation-uid"
    _edit_csv(sample_export / "citations.csv", len(rows), "uid", twin[0])
    for column in ("record_uid", "source_uid"):
        _edit_csv(sample_export / "citations.csv", len(rows), column, twin[header.index(column)])
    database.unlink()
    line = fails_cleanly("import", "csv", str(sample_export))
    assert line == "Error: citations.csv: that citations record already exists"


@pytest.mark.parametrize(
    "into_empty", [pytest.param(True, marks=pytest.mark.sqlite_only(FILE_EMPTIED)), False]
)
def test_a_repeated_uid_is_refused(
    fails_cleanly, database: Path, sample_export: Path, into_empty: bool
) -> None:
    rows = _rows(sample_export / "citations.csv")
    repeated = rows[2][rows[0].index("uid")]
    _edit_csv(sample_export / "citations.csv", 6, "uid", repeated)
    if into_empty:
        database.unlink()
    line = fails_cleanly("import", "csv", str(sample_export))
    assert line == f"Error: citations.csv, line 6: uid {repeated} appears twice"


@pytest.mark.parametrize(
    "into_empty", [pytest.param(True, marks=pytest.mark.sqlite_only(FILE_EMPTIED)), False]
)
def test_a_citation_of_nothing_is_refused(
    fails_cleanly, database: Path, sample_export: Path, into_empty: bool
) -> None:
    _edit_csv(sample_export / "citations.csv", 4, "record_uid", "no-such-record")
    if into_empty:
        database.unlink()
    line = fails_cleanly("import", "csv", str(sample_export))
    assert line == "Error: citations.csv: record_uid no-such-record names no record"


def test_a_citation_may_name_a_record_already_there(run, run_json, sample_export: Path) -> None:
    for path in sample_export.glob("*.csv"):
        if path.name not in ("citations.csv", "sources.csv"):
            path.unlink()
    run("delete", "S1", "--yes")  # its citations go; the import brings them back
    report = run_json("import", "csv", str(sample_export))
    citations = next(t for t in report["tables"] if t["table"] == "citations")
    assert citations["added"] > 0
    run("check")


@pytest.mark.sqlite_only("reads the file's schema")
def test_an_import_leaves_the_schema_as_it_found_it(
    run, run_json, database: Path, sample_export: Path
) -> None:
    # an import drops the per-row insert triggers for the load
    def schema() -> list[tuple[str, str]]:
        conn = sqlite3.connect(database)
        try:
            return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
        finally:
            conn.close()

    before = schema()
    run("delete", "P1", "--yes")
    run("import", "csv", str(sample_export))
    assert schema() == before
    # and the triggers work: an added person is logged and searchable
    run("add", "person", "Fictional Afterimport")
    assert len(run_json("search", "Afterimport")) == 1
    assert run_json("log")[0]["command"].startswith("add person")
    run("undo")
    assert run_json("search", "Afterimport") == []


def test_an_import_is_one_change_and_undone_as_one(
    run, run_json, sample_export: Path, fresh_db: str, engine: str
) -> None:
    fresh = fresh_db
    run("--db", fresh, "import", "csv", str(sample_export))
    log = run_json("--db", fresh, "log")
    assert len(log) == 1 and log[0]["command"] == "import csv"
    run("--db", fresh, "undo")
    assert run_json("--db", fresh, "list", "people") == []
    if engine == "sqlite":
        assert_search_index_matches_records(Path(fresh))


def test_an_import_into_tables_emptied_by_deletes_is_undone_whole(
    run, run_json, sample_export: Path, fresh_db: str, engine: str
) -> None:
    """New ids continue after the highest ever used (AUTOINCREMENT), not after
    the highest left: undo removes every record the import added, even when
    the tables held records that were deleted before it."""
    fresh = fresh_db
    run("--db", str(fresh), "add", "person", "Ayan Test")
    run("--db", str(fresh), "add", "person", "Berik Sample")
    run("--db", str(fresh), "delete", "P1", "--yes")
    run("--db", str(fresh), "delete", "P2", "--yes")
    run("--db", str(fresh), "import", "csv", str(sample_export))
    assert len(run_json("--db", str(fresh), "list", "people")) == sample_rows("people")
    run("--db", str(fresh), "undo")
    for kind in ("people", "orgs", "sources", "events", "detentions"):
        assert run_json("--db", str(fresh), "list", kind) == [], kind
    if engine == "sqlite":
        assert_search_index_matches_records(Path(fresh))


def test_a_rule_broken_in_a_load_into_an_empty_table_names_its_line(
    run, fails_cleanly, sample_export: Path, fresh_db: str
) -> None:
    """A load into an empty table checks the rules by id (row N is the N-th id
    after the last one ever given): the line is still the right one, also
    when deleted records used ids before."""
    with (sample_export / "detentions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[3][rows[0].index("end")] = "2001-01-01"  # line 4 ends before it starts
    with (sample_export / "detentions.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    fresh = fresh_db
    run("--db", str(fresh), "add", "person", "Ayan Test")
    run("--db", str(fresh), "add", "detention", "P1", "--start", "2019")
    run("--db", str(fresh), "delete", "D1", "--yes")
    run("--db", str(fresh), "delete", "P1", "--yes")
    line = fails_cleanly("--db", str(fresh), "import", "csv", str(sample_export))
    assert "detentions.csv, line 4:" in line and "before it starts" in line, line
