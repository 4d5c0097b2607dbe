"""Nothing lost: change log and undo, concurrent writers, crashes, backup, check, purge."""

from __future__ import annotations

import multiprocessing
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cases.catalogue import LOGGED as LOGGED_TABLES
from cases.db import Store
from cases.errors import Conflict
from tests.conftest import (
    assert_undamaged,
    cases_process,
    sample_rows,
    stored_bytes,
)

ROOT = Path(__file__).resolve().parent.parent


def _server() -> str | None:
    """The team database the test runs on (tests/conftest.py: engine), if it does."""
    import os

    location = os.environ.get("CASES_DB", "")
    return location if location.startswith("postgresql://") else None


def data_dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every record table, in id order (the change log itself left out)."""
    from tests.conftest import server_records

    if (url := _server()) is not None:
        return server_records(url)
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in LOGGED_TABLES
        }
    finally:
        conn.close()


def search_hits(run_json, word: str) -> list[str]:
    return sorted(hit["ref"] for hit in run_json("search", word))


# -- undo -----------------------------------------------------------------------


@pytest.mark.usefixtures("engine")
def test_log_lists_changes_newest_first(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest")
    entries = run_json("log")
    assert [e["command"] for e in entries] == ["add event", "add person"]
    assert entries[0]["ref"] == "C2" and entries[0]["uid"]
    assert entries[0]["summary"].startswith("added E1")
    assert "Ayan" not in str(entries)  # the log shows references, never names
    assert [e["command"] for e in run_json("log", "--limit", "1")] == ["add event"]
    assert "add person" in run("log").stdout


CHANGES = [
    ["add", "person", "Cora New", "--alias", "Кора", "--source", "S1"],
    ["add", "alias", "P1", "Ayana"],
    ["add", "source", "Another report", "--url", "https://example.org/x"],
    ["add", "trial", "P1", "P2", "--court", "New court"],
    ["add", "ruling", "P1", "--date", "2020", "--outcome", "acquitted"],
    ["add", "asylum", "P2", "--date", "2020", "--decision", "granted"],
    ["add", "detention", "P2", "--start", "2020-01-01", "--end", "2020-02-01"],
    [
        "add",
        "event",
        "P2",
        "--date",
        "2020",
        "--kind",
        "release",
        "--source",
        "https://new.example",
    ],
    ["add", "relation", "P2", "P1", "--kind", "spouse"],
    ["edit", "P1", "--set", "name=Ayan Renamed", "--set", "born=1980"],
    ["edit", "T1", "--set", "court=Renamed court"],
    ["delete", "P1", "--yes"],
    ["delete", "S1", "--yes"],
    ["delete", "T1", "--yes"],
    ["merge", "P2", "--into", "P1"],
]


@pytest.fixture
def world(run) -> None:
    run("add", "source", "Report", "--publisher", "Desk")
    run("add", "person", "Ayan Test", "--alias", "Аян Тест", "--source", "S1", "--note", "cellist")
    run("add", "person", "Berik Sample", "--source", "S1")
    run("add", "trial", "P1", "P2", "--court", "Old court", "--judge", "Berik Sample")
    run("add", "ruling", "P1", "--date", "2019", "--outcome", "convicted", "--source", "S1")
    run("add", "ruling", "P1", "--date", "2019-06", "--outcome", "dismissed", "--appeal-of", "R1")
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest", "--source", "S1")
    run("add", "detention", "P1", "--start", "2019", "--end", "2019-06", "--kind", "pretrial")
    run("add", "relation", "P1", "P2", "--kind", "sibling")


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("change", CHANGES, ids=lambda c: " ".join(c[:2]))
def test_undo_restores_exactly(run, run_json, database: Path, world, change) -> None:
    before = data_dump(database)
    hits = search_hits(run_json, "cellist")
    run(*change)
    assert data_dump(database) != before
    result = run("undo")
    assert f"undid '{change[0]}" in result.stdout
    assert data_dump(database) == before
    assert search_hits(run_json, "cellist") == hits
    assert run_json("log")[0]["undone"] is True
    run("check")


@pytest.mark.usefixtures("engine")
def test_undo_of_an_import_removes_added_and_restores_updated(
    run, run_json, database: Path, tmp_path: Path
) -> None:
    run("init", "--sample")
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    run("edit", "P2", "--set", "note=changed locally")
    before = data_dump(database)
    copy_rows = (out / "people.csv").read_text(encoding="utf-8")
    header = copy_rows.splitlines()[0].split(",")
    added = {"uid": "00000000-0000-4000-8000-000000000001", "name": "New From Import"}
    cells = [added.get(column, "0" if column == "private" else "") for column in header]
    (out / "people.csv").write_text(copy_rows + ",".join(cells) + "\r\n", encoding="utf-8")
    people = len(run_json("list", "people"))
    run("import", "csv", str(out))
    assert run_json("show", "P2")["person"]["note"] != "changed locally"
    assert len(run_json("list", "people")) == people + 1
    run("undo")
    assert data_dump(database) == before


@pytest.mark.usefixtures("engine")
def test_successive_undos_walk_back(run, run_json, database: Path) -> None:
    run("init")
    dumps = [data_dump(database)]
    for name in ("Ayan One", "Berik Two", "Cora Three"):
        run("add", "person", name)
        dumps.append(data_dump(database))
    for expected in reversed(dumps[:-1]):
        run("undo")
        assert data_dump(database) == expected
    assert "nothing to undo" in run("undo", ok=False).stderr


@pytest.mark.usefixtures("engine")
def test_a_deleted_person_comes_back_with_the_same_references(run, run_json, world) -> None:
    before = run_json("show", "P1")
    run("delete", "P1", "--yes")
    run("undo")
    assert run_json("show", "P1") == before


@pytest.mark.usefixtures("engine")
def test_undo_with_nothing_to_undo(fails_cleanly, run) -> None:
    run("add", "person", "Ayan Test")
    run("undo")
    assert "nothing to undo" in fails_cleanly("undo")


# -- purge -------------------------------------------------------------------------


@pytest.mark.usefixtures("engine")
def test_purged_name_cannot_be_read_back(run, run_json, database: Path) -> None:
    run("add", "source", "Report")
    run(
        "add",
        "person",
        "Zyxwvut Qplonsky",
        "--alias",
        "Zyxwvutova",
        "--note",
        "Plinthorax secret note",
        "--source",
        "S1",
    )
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest", "Vexillaroo happened")
    run("edit", "P1", "--set", "note=Quagmirex second note")
    run("add", "person", "Kept Person")
    data = stored_bytes(database)
    assert b"Zyxwvut" in data and b"Plinthorax" in data
    result = run("delete", "P1", "--yes", "--purge")
    assert "no undo" in result.stdout
    data = stored_bytes(database)
    for secret in (
        b"Zyxwvut",
        b"zyxwvut",
        b"Plinthorax",
        b"plinthorax",
        b"Vexillaroo",
        b"vexillaroo",
        b"Quagmirex",
        b"quagmirex",
        b"Qplonsky",
        b"qplonsk",
    ):
        assert secret not in data, secret
    assert run_json("log")[0]["purged"] is True
    # the purge cannot be undone; undo goes on to the change before it
    run("undo")
    assert run_json("list", "people") == []
    run("check")


@pytest.mark.usefixtures("engine")
def test_plain_delete_keeps_the_record_for_undo(run, database: Path) -> None:
    run("add", "person", "Zyxwvut Qplonsky")
    run("delete", "P1", "--yes")
    assert b"Zyxwvut" in stored_bytes(database)


# -- concurrency ----------------------------------------------------------------------


def _writer(db: str, tag: str, count: int, queue) -> None:  # runs in a child process
    from cases.service.changing import edit
    from cases.service.recording import add_person

    errors = 0
    store = Store.open(Path(db), write=True)
    for index in range(count):
        try:
            recorded = add_person(store, f"{tag} Person {index}")
            edit(store, f"P{recorded.row['id']}", [f"note={tag} {index}"])
        except Exception:  # counted, not hidden: the test asserts there are none
            errors += 1
    store.close()
    queue.put(errors)


def _importer(db: str, folder: str, queue) -> None:
    from cases.service.importing import import_folder

    store = Store.open(Path(db), write=True)
    try:
        import_folder(store, Path(folder))
        queue.put(0)
    except Exception:
        queue.put(1)
    finally:
        store.close()


def test_two_writers_and_an_importer_lose_nothing(run, database: Path, tmp_path: Path) -> None:
    run("init")
    folder = ROOT / "data"
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_writer, args=(str(database), tag, 200, queue))
        for tag in ("Alpha", "Beta")
    ]
    workers.append(context.Process(target=_importer, args=(str(database), str(folder), queue)))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [queue.get(timeout=5) for _ in workers] == [0, 0, 0]
    conn = sqlite3.connect(database)
    names = {row[0] for row in conn.execute("SELECT name FROM people")}
    notes = {row[0] for row in conn.execute("SELECT note FROM people WHERE note LIKE 'Alpha %'")}
    conn.close()
    for tag in ("Alpha", "Beta"):
        assert {f"{tag} Person {i}" for i in range(200)} <= names
    assert len(notes) == 200
    assert "Sairagul Sauytbay" in names


# -- crash safety ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from make_db import generate

    folder = tmp_path_factory.mktemp("big")
    generate(folder, 1500, seed=7)
    return folder


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2, 1.6])
def test_sigkill_during_import_is_all_or_nothing(
    run, database: Path, big_folder: Path, delay: float
) -> None:
    run("add", "person", "Before Crash")
    before = data_dump(database)
    process = subprocess.Popen(
        [sys.executable, "-m", "cases", "--db", str(database), "import", "csv", str(big_folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert_undamaged(run)  # opens the file: a hot journal is rolled back first
    after = data_dump(database)
    people = len(after["people"])
    assert after == before or people == 1501, people


@pytest.mark.parametrize("delay", [0.3, 0.45, 0.6])
def test_sigkill_during_an_import_into_a_new_file(
    run, run_json, database: Path, big_folder: Path, delay: float
) -> None:
    """An import into an empty database writes with a rollback journal: killed,
    it leaves all of the import or none of it, and the next reading command
    (the first to open the file) reads it."""
    run("init")
    process = subprocess.Popen(
        [sys.executable, "-m", "cases", "--db", str(database), "import", "csv", str(big_folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    people = run_json("list", "people")
    assert len(people) in (0, 1500), len(people)
    assert_undamaged(run)


_KILLED_MID_WRITE = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=DELETE")
conn.execute("PRAGMA cache_size=8")  # so that pages reach the file before the commit
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE people SET name = 'Overwritten'")
conn.execute("CREATE TABLE scratch (x)")
conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
             "INSERT INTO scratch SELECT randomblob(2000) FROM n")
print("written", flush=True)
time.sleep(60)
"""


def test_a_reader_rolls_back_what_a_killed_write_left_in_a_rollback_journal(
    run, run_json, database: Path
) -> None:
    """A read-only connection cannot roll back a hot journal (SQLite says
    "attempt to write a readonly database"); a reading command first has a
    writable connection do it, so it reads the database as it was."""
    run("add", "person", "Ayan Test")
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_MID_WRITE, str(database)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "written"
    writer.kill()
    writer.communicate()
    journal = Path(f"{database}-journal")
    assert journal.exists() and journal.read_bytes()[:8] != bytes(8)  # hot: a real header
    assert [person["name"] for person in run_json("list", "people")] == ["Ayan Test"]
    assert not journal.exists()
    assert_undamaged(run)


def test_an_import_into_a_new_file_leaves_it_in_wal_mode(
    run, database: Path, big_folder: Path
) -> None:
    run("init")
    run("import", "csv", str(big_folder))
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_a_killed_export_leaves_the_old_file(run, tmp_path: Path, big_folder: Path) -> None:
    run("import", "csv", str(big_folder))
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    old = {path.name: path.read_bytes() for path in out.iterdir()}
    run("add", "event", "P1", "--date", "2020", "--kind", "other", "a change after export")
    process = subprocess.Popen(
        [sys.executable, "-m", "cases", "export", "csv", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.45)
    process.send_signal(signal.SIGKILL)
    process.wait()
    for path in out.iterdir():
        if not path.name.startswith("."):
            # each file is either the old one or a complete new one
            assert path.read_bytes() == old[path.name] or path.read_bytes().endswith(b"\r\n")


def test_a_full_disk_is_a_clear_error_and_loses_nothing(database: Path, big_folder: Path) -> None:
    from cases.service.importing import import_folder
    from cases.service.recording import add_person

    store = Store.open(database, write=True)
    add_person(store, "Kept Person")
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count={pages + 20}")
    with pytest.raises(Conflict) as caught:
        import_folder(store, big_folder)
    assert "full" in str(caught.value)
    store.close()
    conn = sqlite3.connect(database)
    assert [row[0] for row in conn.execute("SELECT name FROM people")] == ["Kept Person"]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# -- backup and check -------------------------------------------------------------------------


def test_backup(run, run_json, database: Path, tmp_path: Path, fails_cleanly) -> None:
    run("init", "--sample")
    target = tmp_path / "copy.db"
    run("backup", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert run_json("--db", str(target), "stats") == run_json("stats")
    assert "--force" in fails_cleanly("backup", str(target))
    run("add", "person", "Later Person")
    run("backup", str(target), "--force")
    assert run_json("--db", str(target), "stats")["people"] == sample_rows("people") + 1
    assert "the database itself" in fails_cleanly("backup", str(database), "--force")


def _slow_writer(db: str, queue) -> None:
    from cases.service.recording import add_person

    store = Store.open(Path(db), write=True)
    for index in range(300):
        add_person(store, f"Writer Person {index}")
    store.close()
    queue.put(0)


def test_backup_while_another_process_writes(run, database: Path, tmp_path: Path) -> None:
    run("init", "--sample")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    writer = context.Process(target=_slow_writer, args=(str(database), queue))
    writer.start()
    copies = []
    for index in range(5):
        target = tmp_path / f"copy{index}.db"
        run("backup", str(target))
        copies.append(target)
        time.sleep(0.1)
    writer.join(60)
    assert queue.get(timeout=5) == 0
    for target in copies:
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT count(*) FROM people").fetchone()[0]
        conn.close()
        assert sample_rows("people") <= count <= sample_rows("people") + 300
        assert_undamaged(run, "--db", str(target))


def test_check_reports_the_tools_own_rules(run, database: Path) -> None:
    run("init", "--sample")
    assert "ok" in run("check").stdout
    conn = sqlite3.connect(database)
    conn.execute("UPDATE people SET name_key = 'stale' WHERE id = 2")
    conn.execute("UPDATE events SET date_earliest = '2030-01-01' WHERE id = 1")
    conn.execute("INSERT INTO citations (uid, record_uid, source_id) VALUES ('c', 'ghost', 1)")
    conn.commit()
    conn.close()
    result = run("check", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the database has 3 problem(s)")
    for expected in ("name key: P2", "date: E1", "citation: record_uid ghost names no record"):
        assert expected in result.stderr


def test_check_on_a_corrupted_copy(run, database: Path, tmp_path: Path) -> None:
    run("init", "--sample")
    broken = tmp_path / "broken.db"
    data = bytearray(database.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 12), 7):
        data[offset] = (data[offset] + 91) % 256
    broken.write_bytes(bytes(data))
    result = cases_process("check", database=broken)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
