"""The two import paths: column by column (fast) and row by row (exact, and the fallback).

Every file is loaded by the column path when it can be; anything it does not
handle rolls that file back and hands it to the row path. These tests pin that
both paths build the same database, that a clean file never needs the row
path, and that a problem found in a later chunk still leaves nothing behind.
"""

from __future__ import annotations

import csv
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.background import ahead
from cases.csv_io import write_csv
from cases.schema import LOGGED_TABLES
from cases.service import column_import, importing
from cases.service.column_import import ColumnLoader, NeedsRowPath
from tests.conftest import search_words
from tests.test_transfer import _edit_csv, _hostile_database, _rows


def _hostile_export(database: Path, run, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    """The hostile database (see test_transfer) exported whole to FOLDER."""
    _hostile_database(database, run)
    run("export", "csv", "--out", str(folder), "--include-private")
    return folder


@pytest.fixture
def loaders(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Which loader wrote each table in the imports of a test (the last one wins)."""
    used: dict[str, str] = {}
    original = importing._write

    def spy(store, spec, loader, *rest):  # type: ignore[no-untyped-def]
        used[spec.table] = type(loader).__name__
        return original(store, spec, loader, *rest)

    monkeypatch.setattr(importing, "_write", spy)
    return used


@pytest.fixture
def sample_export(run, tmp_path: Path) -> Path:
    """The sample cases loaded, and exported whole (private records too)."""
    run("init", "--sample")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder), "--include-private")
    return folder


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three rows per chunk, so that the sample's files span several chunks."""
    monkeypatch.setattr(column_import, "CHUNK_ROWS", 3)


def _records(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every record table and the search index, row by row (the change log aside)."""
    conn = sqlite3.connect(path)
    try:
        tables = {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in LOGGED_TABLES
        }
        tables["search_index"] = search_words(path)
        return tables
    finally:
        conn.close()


def _force_row_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: ColumnLoader) -> Iterator[importing.Batch]:
        raise NeedsRowPath("forced by the test")

    monkeypatch.setattr(ColumnLoader, "batches", refuse)


def test_a_clean_export_loads_without_the_row_path(
    run, database: Path, tmp_path: Path, loaders: dict[str, str], small_chunks: None
) -> None:
    first, second = _hostile_export(database, run, tmp_path / "first"), tmp_path / "second"
    copy = tmp_path / "copy.db"
    run("--db", str(copy), "import", "csv", str(first))
    assert set(loaders.values()) == {"ColumnLoader"}, loaders
    assert len(loaders) == len(LOGGED_TABLES)
    run("--db", str(copy), "export", "csv", "--out", str(second), "--include-private")
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    run("--db", str(copy), "check")


def test_both_paths_build_the_same_database(
    run, database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    folder = _hostile_export(database, run, tmp_path / "export")
    by_columns, by_rows = tmp_path / "columns.db", tmp_path / "rows.db"
    run("--db", str(by_columns), "import", "csv", str(folder))
    with monkeypatch.context() as patch:
        _force_row_path(patch)
        run("--db", str(by_rows), "import", "csv", str(folder))
    assert _records(by_columns) == _records(by_rows)
    # and importing again updates every row in place, by either path
    run("--db", str(by_columns), "import", "csv", str(folder))
    assert _records(by_columns) == _records(by_rows)


def test_updates_go_through_the_column_path_too(
    run, run_json, tmp_path: Path, loaders: dict[str, str], small_chunks: None
) -> None:
    run("init", "--sample")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    _edit_csv(folder / "events.csv", 5, "summary", "a corrected summary")
    report = run_json("import", "csv", str(folder))
    events = [t for t in report["tables"] if t["table"] == "events"][0]
    assert events == {"table": "events", "added": 0, "updated": 20, "kept_private": 0}
    assert loaders["events"] == "ColumnLoader"
    hits = run_json("search", "corrected")
    assert [hit["field"] for hit in hits] == ["summary"]


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
    ],
)
def test_a_bad_row_in_a_later_chunk_leaves_nothing(
    run,
    fails_cleanly,
    tmp_path: Path,
    loaders: dict[str, str],
    small_chunks: None,
    change,
    expected,
) -> None:
    run("init", "--sample")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    run("delete", "P1", "--yes")  # so the import would add rows, not only update them
    change(folder)
    line = fails_cleanly("import", "csv", str(folder))  # checks the database is unchanged
    assert expected in line, line
    table = expected.split(".csv")[0]
    assert loaders[table] == "RowLoader"  # the row path explained it


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)),  # no lone surrogates: not UTF-8
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notes=st.lists(_TEXT, min_size=1, max_size=5))
def test_any_free_text_is_imported_exactly(tmp_path_factory, notes: list[str]) -> None:
    folder = tmp_path_factory.mktemp("csv")
    header = ["uid", "name", "note", "private"]
    rows = [[f"u{index}", f"Person {index}", note, "0"] for index, note in enumerate(notes)]
    write_csv(folder / "people.csv", header, rows)  # defused, as an export writes it
    database = folder / "cases.db"
    from cases.store import Store

    store = Store.open(database, write=True)
    try:
        importing.import_folder(store, folder)
        stored = [note for (note,) in store.conn.execute("SELECT note FROM people ORDER BY id")]
    finally:
        store.close()
    assert stored == [note or None for note in notes]


def _refuse_uid(monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    """The column path hands over any chunk holding uid REFUSED (the row path takes it)."""
    original = ColumnLoader._uids

    def uids(self: ColumnLoader, cells: Sequence[str]) -> Sequence[str]:
        if refused in cells:
            raise NeedsRowPath("forced by the test")
        return original(self, cells)

    monkeypatch.setattr(ColumnLoader, "_uids", uids)


def test_a_fallback_in_a_later_chunk_rolls_the_earlier_chunks_back(
    run, run_json, tmp_path: Path, loaders: dict[str, str], small_chunks: None, monkeypatch
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    rows = [[f"u{index}", f"Person {index}", "plain"] for index in range(7)]
    rows[5][2] = "a\x00b"  # bound as a parameter, a NUL character is kept
    write_csv(folder / "people.csv", ["uid", "name", "note"], rows)
    _refuse_uid(monkeypatch, "u4")  # the second chunk of three rows
    report = run_json("import", "csv", str(folder))
    # the rows the column path wrote before the fallback were rolled back first
    assert report["tables"][0] == {"table": "people", "added": 7, "updated": 0, "kept_private": 0}
    assert loaders["people"] == "RowLoader"
    assert run_json("show", "Person 5")["person"]["note"] == "a\x00b"
    assert [p["ref"] for p in run_json("list", "people")] == [f"P{n}" for n in range(1, 8)]
    assert run_json("log")[0]["summary"].endswith("(1 row)")  # one id range, logged once


def test_a_nul_character_goes_the_column_path(
    run, run_json, tmp_path: Path, loaders: dict[str, str]
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    write_csv(folder / "people.csv", ["uid", "name", "note"], [["u1", "Person One", "a\x00b"]])
    run("import", "csv", str(folder))
    assert loaders["people"] == "ColumnLoader"
    assert run_json("show", "Person One")["person"]["note"] == "a\x00b"


@pytest.mark.parametrize("table", ["people", "trials", "events"])
def test_a_fallback_after_the_worker_read_ahead_changes_nothing(
    run,
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    loaders: dict[str, str],
    small_chunks: None,
    table: str,
) -> None:
    # TABLE's column path fails once its rows are in, when the worker has already
    # read later files (with TABLE's ids, which the fallback rolls back)
    folder = _hostile_export(database, run, tmp_path / "export")
    expected, fallback = tmp_path / "expected.db", tmp_path / "fallback.db"
    run("--db", str(expected), "import", "csv", str(folder))
    original = importing._finish

    def fail_once(store, spec, loader, written):  # type: ignore[no-untyped-def]
        if spec.table == table and isinstance(loader, ColumnLoader):
            raise NeedsRowPath("forced by the test")
        return original(store, spec, loader, written)

    monkeypatch.setattr(importing, "_finish", fail_once)
    threads = threading.active_count()
    run("--db", str(fallback), "import", "csv", str(folder))
    assert loaders[table] == "RowLoader"
    assert loaders["citations"] == "ColumnLoader"  # the worker started again after it
    assert _records(fallback) == _records(expected)
    assert threading.active_count() == threads


def test_a_worker_waiting_for_a_table_stops_when_that_table_falls_back(
    run, run_json, tmp_path: Path, loaders: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # events wait for people's ids; people go the row path
    folder = tmp_path / "csv"
    folder.mkdir()
    write_csv(folder / "people.csv", ["uid", "name"], [["p1", "Fictional One"]])
    _refuse_uid(monkeypatch, "p1")
    write_csv(
        folder / "events.csv",
        ["uid", "person_uid", "date", "kind", "summary"],
        [["e1", "p1", "2019-03", "arrest", "held"]],
    )
    threads = threading.active_count()
    run("import", "csv", str(folder))
    assert loaders == {"people": "RowLoader", "events": "ColumnLoader"}
    assert [e["ref"] for e in run_json("show", "P1")["events"]] == ["E1"]
    assert threading.active_count() == threads


# -- working ahead in a thread --------------------------------------------------------


def test_ahead_keeps_order_and_raises_in_place() -> None:
    assert list(ahead(iter(range(100)), depth=3)) == list(range(100))

    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("third")

    seen = []
    with pytest.raises(ValueError, match="third"):
        for item in ahead(failing()):
            seen.append(item)
    assert seen == [1, 2]


def test_ahead_stops_its_worker_when_left_early() -> None:
    before = threading.active_count()
    items = ahead(iter(range(10_000)), depth=1)
    assert next(items) == 0
    items.close()
    assert threading.active_count() == before


def test_a_repeated_key_in_a_load_into_empty_tables_is_refused(
    fails_cleanly, database: Path, sample_export: Path, loaders: dict[str, str]
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
    assert loaders["citations"] == "RowLoader"


@pytest.mark.parametrize("into_empty", [True, False])
def test_a_repeated_citation_uid_is_refused(
    fails_cleanly,
    database: Path,
    sample_export: Path,
    loaders: dict[str, str],
    into_empty: bool,
) -> None:
    # into an empty table the column path leaves repeats to the unique index;
    # into a table with rows (an update) it must catch them itself
    rows = _rows(sample_export / "citations.csv")
    repeated = rows[2][rows[0].index("uid")]
    _edit_csv(sample_export / "citations.csv", 6, "uid", repeated)
    if into_empty:
        database.unlink()
    line = fails_cleanly("import", "csv", str(sample_export))
    assert line == f"Error: citations.csv, line 6: uid {repeated} appears twice"
    assert loaders["citations"] == "RowLoader"


def test_foreign_keys_are_checked_once_per_table_after_its_load(
    run, fails_cleanly, sample_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an import checks foreign keys set-based, not row by row: a link gone wrong
    # (here forced by a broken uid -> id map) must still refuse the whole import
    run("delete", "P1", "--yes")
    original = importing.ImportContext.id_map

    def shifted(self: importing.ImportContext, table: str) -> dict[str, int]:
        return {uid: row_id + 1000 for uid, row_id in original(self, table).items()}

    monkeypatch.setattr(importing.ImportContext, "id_map", shifted)
    line = fails_cleanly("import", "csv", str(sample_export))
    assert "a row refers to a record that is not there" in line


@pytest.mark.parametrize("into_empty", [True, False])
def test_a_citation_of_nothing_is_refused(
    fails_cleanly, database: Path, sample_export: Path, into_empty: bool
) -> None:
    _edit_csv(sample_export / "citations.csv", 4, "record_uid", "no-such-record")
    if into_empty:
        database.unlink()
    line = fails_cleanly("import", "csv", str(sample_export))
    assert line == "Error: citations.csv: record_uid no-such-record names no record"


@pytest.mark.parametrize("table", ["events", "detentions"])
def test_citations_are_checked_whichever_files_go_the_row_path(
    run,
    fails_cleanly,
    database: Path,
    tmp_path: Path,
    sample_export: Path,
    monkeypatch: pytest.MonkeyPatch,
    loaders: dict[str, str],
    table: str,
) -> None:
    # the worker resolves the cited uids of the files it read; a file before or
    # after citations going the row path stops it, and the check must still hold
    with (sample_export / f"{table}.csv").open(newline="", encoding="utf-8") as file:
        first_uid = next(csv.DictReader(file))["uid"]
    _refuse_uid(monkeypatch, first_uid)
    run("--db", str(tmp_path / "fresh.db"), "import", "csv", str(sample_export))
    assert loaders[table] == "RowLoader"
    assert loaders["citations"] == "ColumnLoader"

    _edit_csv(sample_export / "citations.csv", 4, "record_uid", "no-such-record")
    database.unlink()
    line = fails_cleanly("import", "csv", str(sample_export))
    assert line == "Error: citations.csv: record_uid no-such-record names no record"


def test_a_citation_may_name_a_record_already_there(run, run_json, sample_export: Path) -> None:
    for path in sample_export.glob("*.csv"):
        if path.name not in ("citations.csv", "sources.csv"):
            path.unlink()
    run("delete", "S1", "--yes")  # its citations go; the import brings them back
    report = run_json("import", "csv", str(sample_export))
    citations = [t for t in report["tables"] if t["table"] == "citations"][0]
    assert citations["added"] > 0
    run("check")


def test_an_import_leaves_the_schema_and_the_collector_as_it_found_them(
    run, run_json, database: Path, sample_export: Path
) -> None:
    # an import drops the per-row insert triggers and tunes the interpreter
    import gc
    import sys

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
    assert gc.isenabled()
    assert sys.getswitchinterval() == pytest.approx(0.005)
    # and the triggers work: an added person is logged and searchable
    run("add", "person", "Fictional Afterimport")
    assert len(run_json("search", "Afterimport")) == 1
    assert run_json("log")[0]["command"].startswith("add person")
    run("undo")
    assert run_json("search", "Afterimport") == []
