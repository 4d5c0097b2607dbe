"""Nothing lost, nothing left behind (issue 14's failures 3, 4, 8, 10, 11 and the smaller ones).

Purge erases every copy of the erased text in one transaction; the change log stays
undoable after a purge; exports never overwrite what they should not and leave no
temporary files; every bad number, path or file is a user error.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import cases_process, database_bytes, stored_bytes

ROOT = Path(__file__).resolve().parent.parent


# -- purge -----------------------------------------------------------------------


@pytest.mark.usefixtures("engine")
def test_purge_after_merge_leaves_nothing_of_the_merged_person(
    run, run_json, database: Path
) -> None:
    run("add", "person", "Ayan Test", "--note", "Survivornote")
    run("add", "person", "Mergedname Qwerty", "--note", "Mergednote", "--alias", "Mergedalias")
    run("add", "event", "P2", "--date", "2019", "--kind", "arrest", "Mergedevent")
    run("add", "event", "P2", "--date", "2018", "--kind", "travel", "Deletedevent")
    run("delete", "E2", "--yes")  # an older image that names the merged person
    run("merge", "P2", "--into", "P1")
    run("add", "person", "Kept Person")
    run("delete", "P1", "--yes", "--purge")
    data = stored_bytes(database).lower()
    for secret in (
        b"mergedname",
        b"qwerty",
        b"mergednote",
        b"mergedalias",
        b"mergedevent",
        b"deletedevent",
        b"survivornote",
    ):
        assert secret not in data, secret
    run("check")
    run("undo")  # the addition of Kept Person; nothing of the purged people returns
    assert run_json("list", "people") == []
    assert b"mergedname" not in stored_bytes(database).lower()


@pytest.mark.usefixtures("engine")
def test_purge_erases_the_name_from_other_records_texts(run, database: Path) -> None:
    run("add", "person", "Ayan Test")
    run("add", "person", "Judgename Purged")
    run("add", "trial", "P1", "--court", "Court", "--judge", "Judgename Purged")
    run("edit", "T1", "--set", "charge=a charge")  # an image holding the judge text
    run("delete", "P2", "--yes", "--purge")
    assert b"judgename" not in stored_bytes(database).lower()
    run("check")


@pytest.mark.usefixtures("engine")
def test_undo_still_works_after_a_purge(run, run_json) -> None:
    run("add", "person", "Ayan Test")  # C1
    run("add", "person", "Berik Sample")  # C2
    run("add", "person", "Cora New")  # C3
    run("add", "relation", "P3", "P2", "--kind", "sibling")  # C4
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest")  # C5
    run("delete", "P3", "--yes")  # C6: Cora and her relation to Berik
    run("delete", "P2", "--yes", "--purge")  # C7
    log = {entry["ref"]: entry for entry in run_json("log")}
    # C6 cannot bring Cora's relation back without Berik: undo passes over it
    assert [ref for ref, entry in log.items() if entry["needs_purged"]] == ["C6"]
    # what only added Berik or his relation has nothing left to undo
    assert log["C2"]["purged"] and log["C4"]["purged"] and log["C7"]["purged"]
    assert "needs purged records" in run("log").stdout
    run("check")
    assert "C5" in run("undo").stdout
    assert run_json("show", "P1")["events"] == []
    assert "C3" in run("undo").stdout
    assert "C1" in run("undo").stdout
    assert run_json("list", "people") == []
    assert "nothing to undo" in run("undo", ok=False).stderr
    run("check")


def test_check_finds_leftovers_of_purged_records(run, database: Path) -> None:
    run("add", "person", "Ayan Test")
    run("add", "person", "Berik Sample", "--note", "leftover")
    run("delete", "P2", "--yes", "--purge")
    run("check")
    # put an image of the purged person back into the log, as a broken tool might
    conn = sqlite3.connect(database)
    conn.execute(
        "INSERT INTO change_rows (change_id, tbl, op, row_id, before) VALUES "
        "(1, 'people', 'delete', 2, '{\"id\": 2, \"name\": \"Berik Sample\"}')"
    )
    conn.commit()
    conn.close()
    result = run("check", ok=False)
    assert result.exit_code == 1
    assert "P2" in result.stderr and "purged" in result.stderr


def _purge_victim(run) -> None:
    run("add", "person", "Ayan Test")
    for index in range(200):
        run("add", "person", f"Filler Person {index}", "--note", "filler " * 50)
    run("add", "person", "Killname Zork", "--note", "Killnote secret")
    run("edit", "P202", "--set", "note=Killnote second")


@pytest.mark.slow
def test_a_killed_purge_is_all_or_nothing(run, database: Path) -> None:
    _purge_victim(run)
    shuffled = random.Random(14)
    for attempt in range(8):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cases",
                "--db",
                str(database),
                "delete",
                "P202",
                "--yes",
                "--purge",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.25 + shuffled.random() * 0.3)
        process.send_signal(signal.SIGKILL)
        process.wait()
        check = cases_process("check", database=database)
        assert check.returncode == 0, check.stderr
        shown = cases_process("show", "P202", database=database)
        if shown.returncode == 0:
            continue  # killed before it committed: the person is all there
        assert b"killname" not in database_bytes(database).lower(), attempt
        assert b"killnote" not in database_bytes(database).lower(), attempt
        return
    # never killed after the commit: purge once more, to the end
    assert cases_process("delete", "P202", "--yes", "--purge", database=database).returncode == 0
    assert b"killname" not in database_bytes(database).lower()


class _Reader:
    """Another program reading the database: it holds a read snapshot until told
    to stop, as a timeline in a pager or an open sqlite3 shell does."""

    def __init__(self, database: Path) -> None:
        code = (
            "import sqlite3, sys; conn = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "conn.execute('BEGIN'); conn.execute('SELECT count(*) FROM people').fetchone(); "
            "print('reading', flush=True); sys.stdin.readline(); conn.close()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "reading"

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.close()
        self.process.wait(timeout=20)
        if self.process.stdout:
            self.process.stdout.close()


def test_a_purge_a_reader_holds_back_is_told_and_finished_when_it_stops(
    run, database: Path
) -> None:
    """Issue 25, failure 2: the purge waits for the reader, says who holds the old
    copy, check reports the erasure pending, and the next command finishes it."""
    _purge_victim(run)
    reader = _Reader(database)
    try:
        purged = cases_process(
            "delete",
            "P202",
            "--yes",
            "--purge",
            env={**os.environ, "CASES_BUSY_TIMEOUT": "1"},
            database=database,
        )
        assert purged.returncode == 0, purged.stderr
        assert "warning: P202 is purged, but its text is still in the file" in purged.stderr
        assert f"pid {reader.process.pid} (python" in purged.stderr
        assert b"killname" in database_bytes(database).lower()  # what the reader may still read
        pending = cases_process("check", database=database)
        assert pending.returncode == 1
        assert "purge: a purged text is still in the file" in pending.stderr
    finally:
        reader.stop()
    assert (
        cases_process("list", "people", database=database).returncode == 0
    )  # any command finishes it
    assert b"killname" not in database_bytes(database).lower()
    assert b"killnote" not in database_bytes(database).lower()
    assert cases_process("check", database=database).returncode == 0


def test_a_purge_killed_before_its_checkpoint_is_finished_by_the_next_command(
    run, database: Path
) -> None:
    """Issue 25, failure 2: killed after the commit, while it waits to wipe the old
    pages; the next command (a reading one) wipes them."""
    _purge_victim(run)
    reader = _Reader(database)
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cases",
                "--db",
                str(database),
                "delete",
                "P202",
                "--yes",
                "--purge",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "CASES_BUSY_TIMEOUT": "30"},
        )
        deadline = time.monotonic() + 30
        while cases_process("show", "P202", database=database).returncode == 0:  # not committed yet
            assert time.monotonic() < deadline
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert b"killname" in database_bytes(database).lower()
    finally:
        reader.stop()
    shown = cases_process("show", "P1", database=database)
    assert shown.returncode == 0, shown.stderr
    assert b"killname" not in database_bytes(database).lower()
    assert cases_process("check", database=database).returncode == 0


def test_a_reader_that_held_back_a_purge_finishes_it_as_it_closes(run, database: Path) -> None:
    from cases.db.connection import Store

    _purge_victim(run)
    reading = Store.open(database, write=False)
    with reading.snapshot():
        assert reading.scalar("SELECT count(*) FROM people") == 202
        environment = {"CASES_BUSY_TIMEOUT": "0.5"}
        with pytest.MonkeyPatch.context() as patch:
            for name, value in environment.items():
                patch.setenv(name, value)
            result = run("delete", "P202", "--yes", "--purge")
        assert "still in the file" in result.stderr
    reading.close()
    assert b"killname" not in database_bytes(database).lower()


# -- exports never overwrite what they should not ------------------------------------


def test_export_never_writes_onto_the_database(run, database: Path, fails_cleanly) -> None:
    run("add", "person", "Ayan Test")
    message = fails_cleanly("export", "json", "--out", str(database), "--force")
    assert "database" in message
    assert "database" in fails_cleanly("export", "json", "--out", str(database) + "-wal")


def _writers(database: Path, tmp_path: Path, target: Path) -> list[list[str]]:
    """Every command that writes a file or folder the user names, writing TARGET."""
    return [
        ["backup", str(target), "--force"],
        ["export", "json", "--out", str(target), "--force"],
        ["export", "ftm", "--out", str(target), "--force"],
        ["export", "csv", "--out", str(target), "--force"],
        ["publish", str(target), "--force"],
    ]


@pytest.mark.parametrize("suffix", ["", "-wal", "-journal", "-shm", "-writer"])
def test_no_command_writes_onto_the_database_or_its_journals(
    run, database: Path, tmp_path: Path, fails_cleanly, suffix: str
) -> None:
    """Issue 25, failure 5: one rule, whichever command, whichever name reaches the file."""
    run("add", "person", "Ayan Test")
    target = Path(f"{database}{suffix}")
    link = tmp_path / "innocent-name"
    link.symlink_to(target)
    for named in (target, link, Path(os.path.relpath(target))):
        for command in _writers(database, tmp_path, named):
            message = fails_cleanly(*command)
            assert "database itself or a file SQLite keeps beside it" in message, command
    assert not link.exists() or link.is_symlink()


def test_export_needs_force_to_replace_a_file(run, tmp_path: Path, fails_cleanly) -> None:
    run("add", "person", "Ayan Test")
    target = tmp_path / "out.json"
    target.write_text("precious", encoding="utf-8")
    assert "--force" in fails_cleanly("export", "json", "--out", str(target))
    assert target.read_text(encoding="utf-8") == "precious"
    run("export", "json", "--out", str(target), "--force")
    assert "Ayan Test" in target.read_text(encoding="utf-8")
    folder = tmp_path / "csv"
    run("export", "csv", "--out", str(folder))
    assert "--force" in fails_cleanly("export", "csv", "--out", str(folder))
    run("export", "csv", "--out", str(folder), "--force")


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from make_db import generate

    folder = tmp_path_factory.mktemp("big")
    generate(folder, 3000, seed=11)
    return folder


def _hidden_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_a_killed_export_leaves_nothing_that_a_later_export_keeps(
    run, database: Path, tmp_path: Path, big_folder: Path
) -> None:
    run("import", "csv", str(big_folder))
    out = tmp_path / "out"
    out.mkdir()
    landed = 0
    for delay in (0.35, 0.45, 0.55, 0.65, 0.8, 1.0, 1.3):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cases",
                "--db",
                str(database),
                "export",
                "csv",
                "--out",
                str(out),
                "--force",
                "--include-private",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        landed += process.wait() == -signal.SIGKILL
        # what the kill left (its watchdog may have removed it already) is private
        for name in _hidden_files(out):
            with contextlib.suppress(FileNotFoundError):  # the watchdog was quicker
                assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    assert landed, "no kill landed mid-export"
    run("export", "csv", "--out", str(out), "--force")
    assert _hidden_files(out) == []


def test_ctrl_c_during_an_export_ends_quietly_and_leaves_nothing(
    run, database: Path, tmp_path: Path, big_folder: Path
) -> None:
    run("import", "csv", str(big_folder))
    out = tmp_path / "out"
    for delay in (0.4, 0.6, 0.8, 1.1):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cases",
                "--db",
                str(database),
                "export",
                "csv",
                "--out",
                str(out),
                "--force",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=60)
        assert "Traceback" not in errors
        if process.returncode == 130:
            assert not out.exists() or (_hidden_files(out) == [] and not list(out.glob("*.csv"))), (
                sorted(p.name for p in out.iterdir())
            )
            return
        assert process.returncode == 0, errors
        for path in out.iterdir():
            path.unlink()
    pytest.fail("Ctrl-C never landed during the export")


# -- sizes, paths and files ---------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["show", "P99999999999999999999"],
        ["delete", "E99999999999999999999", "--yes"],
        ["edit", "D99999999999999999999", "--set", "note=x"],
        [
            "add",
            "ruling",
            "P1",
            "--date",
            "2019",
            "--outcome",
            "convicted",
            "--months",
            "99999999999999999999",
        ],
        ["timeline", "--limit", "99999999999999999999"],
        ["log", "--limit", "99999999999999999999"],
        ["search", "Ayan", "--limit", "99999999999999999999"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
@pytest.mark.usefixtures("engine")
def test_numbers_too_large_are_user_errors_naming_the_value(run, fails_cleanly, args) -> None:
    run("add", "person", "Ayan Test")
    message = fails_cleanly(*args)
    assert "99999999999999999999" in message and "internal" not in message


def test_unwritable_paths_are_user_errors(run, tmp_path: Path, fails_cleanly) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    run("add", "person", "Ayan Test")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    for args in (
        ["export", "json", "--out", str(locked / "x.json")],
        ["export", "csv", "--out", str(locked / "sub")],
        ["backup", str(locked / "copy.db")],
    ):
        assert str(locked) in fails_cleanly(*args)


def test_unwritable_paths_are_user_errors_as_root_too(run, tmp_path: Path, fails_cleanly) -> None:
    run("add", "person", "Ayan Test")
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    for args in (
        ["export", "json", "--out", str(blocker / "x.json")],
        ["export", "csv", "--out", str(blocker / "sub")],
        ["backup", str(blocker / "copy.db")],
    ):
        message = fails_cleanly(*args)
        assert str(blocker) in message and "internal" not in message


def test_an_existing_empty_file_becomes_a_private_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    assert cases_process("add", "person", "Ayan Test", database=path).returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_shared_database_is_made_private_with_its_journals(run, database: Path) -> None:
    run("add", "person", "Ayan Test")
    database.chmod(0o644)
    result = cases_process("add", "person", "Berik Sample", database=database)
    assert result.returncode == 0, result.stderr
    for suffix in ("", "-journal", "-wal", "-shm"):
        extra = Path(str(database) + suffix)
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) == 0o600, suffix


def test_check_on_a_read_only_database(run, database: Path) -> None:
    run("init", "--sample")
    database.chmod(0o400)
    try:
        result = cases_process("check", database=database)
    finally:
        database.chmod(0o600)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("first", "reading"),
    [
        (("add", "person", "Ayan Test"), ("show", "P1")),
        # an import into an empty file writes with a rollback journal: readers wait
        (("init",), ("list", "people")),
    ],
    ids=["into-records", "into-an-empty-file"],
)
def test_readers_keep_reading_during_a_long_write(
    run, database: Path, big_folder: Path, first: tuple[str, ...], reading: tuple[str, ...]
) -> None:
    run(*first)
    importer = subprocess.Popen(
        [sys.executable, "-m", "cases", "--db", str(database), "import", "csv", str(big_folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        reads = 0
        while importer.poll() is None:
            shown = cases_process(*reading, database=database)
            assert shown.returncode == 0, shown.stderr
            reads += 1
    finally:
        _, errors = importer.communicate()
    assert importer.returncode == 0, errors
    assert reads > 0  # the import lasted long enough to be read during


def test_a_busy_writer_is_told_who_holds_the_lock(run, database: Path) -> None:
    run("add", "person", "Ayan Test")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from cases.db import Store; "
            f"store = Store.open(Path({str(database)!r}), write=True); "
            "t = store.transaction('import csv'); t.__enter__(); "
            "print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = cases_process(
            "add",
            "person",
            "Berik Sample",
            env={**os.environ, "CASES_BUSY_TIMEOUT": "1"},
            database=database,
        )
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    assert result.returncode == 1
    line = result.stderr.splitlines()[0]
    assert line.startswith("Error: ") and str(holder.pid) in line and "import csv" in line
    assert "waited 1 s" in line
    assert waited < 10


@pytest.mark.usefixtures("engine")
def test_duplicate_csv_columns_are_refused(run, tmp_path: Path, fails_cleanly) -> None:
    run("add", "person", "Ayan Test")
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    people = out / "people.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    lines[0] += ",note"
    lines[1:] = [line + ",again" for line in lines[1:]]
    people.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    message = fails_cleanly("import", "csv", str(out))
    assert "people.csv" in message and "note" in message and "twice" in message


@pytest.mark.usefixtures("engine")
def test_circular_and_self_appeals_are_refused(run, tmp_path: Path, fails_cleanly) -> None:
    run("add", "person", "Ayan Test")
    run("add", "ruling", "P1", "--date", "2019", "--outcome", "convicted")
    run("add", "ruling", "P1", "--date", "2020", "--outcome", "other", "--appeal-of", "R1")
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    rulings = out / "rulings.csv"
    text = rulings.read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines[0].split(",")
    first, second = lines[1].split(","), lines[2].split(",")
    column = header.index("appeal_of_uid")
    first[column] = second[0]  # R1 appeals R2 appeals R1
    rulings.write_text(
        "\r\n".join([lines[0], ",".join(first), lines[2]]) + "\r\n", encoding="utf-8"
    )
    assert "is an appeal of itself, or an appeal of one that is" in fails_cleanly(
        "import", "csv", str(out)
    )
    second[column] = second[0]  # R2 appeals itself
    rulings.write_text(
        "\r\n".join([lines[0], lines[1], ",".join(second)]) + "\r\n", encoding="utf-8"
    )
    assert "is an appeal of itself" in fails_cleanly("import", "csv", str(out))


@pytest.mark.parametrize(
    ("table", "column", "words"),
    [
        ("organisations", "part_of_uid", "is part of itself, or part of one that is"),
        ("sources", "relays_uid", "is a relay of itself, or a relay of one that is"),
    ],
)
def test_a_circle_of_links_is_refused_in_its_own_words(
    run, tmp_path: Path, fails_cleanly, table: str, column: str, words: str
) -> None:
    """Issue 25, failure 11: a part_of or relays circle is not called an appeal."""
    run("add", "org", "First Org")
    run("add", "org", "Second Org", "--part-of", "O1")
    run("add", "source", "First Report")
    run("add", "source", "Second Report", "--relays", "S1")
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    path = out / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first, second = lines[1].split(","), lines[2].split(",")
    first[header.index(column)] = second[header.index("uid")]
    path.write_text("\r\n".join([lines[0], ",".join(first), lines[2]]) + "\r\n", encoding="utf-8")
    assert words in fails_cleanly("import", "csv", str(out))


@pytest.mark.usefixtures("engine")
def test_long_merged_notes_still_round_trip(run, tmp_path: Path, fresh_db: str) -> None:
    long_note = "word " * 30_000  # 150,000 characters: over the csv module's default limit
    run("add", "person", "Ayan Test", "--note", long_note)
    run("add", "person", "Ayan Tost", "--note", long_note)
    run("merge", "P2", "--into", "P1")
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    run("--db", fresh_db, "import", "csv", str(out))


@pytest.mark.usefixtures("engine")
def test_check_after_a_private_court_is_deleted(run) -> None:
    """Issue 25, failure 6: a trial whose private court was deleted reads "a court
    not named", and check finds nothing wrong (it crashed on a rule with no words)."""
    run("add", "person", "Ayan Test")
    run("add", "org", "Closed Court", "--kind", "court", "--private")
    run("add", "trial", "P1", "--court", "Closed Court", "--status", "decided")
    run("delete", "O1", "--yes")
    result = run("check")
    assert result.stdout.startswith("ok"), result.stdout
    assert "a court not named" in run("timeline").stdout


def test_every_rule_says_what_it_is_in_words() -> None:
    """A rule check can report by its words alone (as it does for a row it found in SQL)."""
    from cases.catalogue import TABLES

    for table in TABLES:
        for rule in table.rules:
            assert rule.described().strip(), (table.name, rule)
