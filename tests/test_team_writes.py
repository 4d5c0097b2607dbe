"""Teams on PostgreSQL, writing (issue 27): every writing command gives the
same answers on a team database as on a file, the change log says who made
each change, undo reverses your own and refuses when someone has built on
it, and editors writing at once lose nothing.

Each test gets a new database in a throwaway cluster (tests/postgres.py).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.postgres

# What a user enters in a day: every kind of record, citations, edits, errors,
# deletions, merges and undos, with reads in between.
SESSION = """
add person "Sairagul Sauytbay" --alias "Sayragul Sauytbay" --sex female --born 1977
add person "Abzal Kuspanov" --sex male
add person "Judge Dredd"
add org "Atazhurt Volunteers" --kind ngo --country Kazakhstan
add org "Some Kazakhs" --kind group --size ~30
add org "Zharkent court" --kind court
add source "Report one" --url https://example.org/1 --date 2018-07-13 --reliability 3 --author "Jane Doe"
add source "Report two" --url https://example.org/2 --date 2019-01 --relays S1
add trial P1 --court "Zharkent court" --charge "border crossing" --opened 2018-07-09 --lawyer "Abzal Kuspanov" --judge "Judge Dredd" --source S1 --quote "she crossed"
add ruling P1 --date 2018-08-01 --outcome convicted --sentence "6 months suspended" --months 6 --source S1
add asylum P1 --date 2019-06 --decision granted --country Sweden
add detention P1 --start 2018-05-21 --end 2018-08-01 --kind pretrial --place Taldykorgan
add detention "Some Kazakhs" --duration "several years" --kind camp
add whereabouts P1 Sweden --since 2019-06
add communication O1 --to O3 --date 2018-07-20 --kind letter --about P1 "asked for release"
add event P1 --date 2018-04 --kind border-crossing --with P2 "crossed the border"
add event P1 --date "before 2018-04" --kind other --private "a meeting"
add relation P1 P2 --kind lawyer --since 2018
add person "Private Witness" --private --born "~1960"
cite P1 E2 --source S2 --according-to "Private Witness" --quote "a claim"
cite T1 --source S2 --page 4
uncite T1 --source S2
edit P2 --set born=1980
edit T1 --set court="Almaty court"
edit P1 --set sex=robot
add ruling "Nobody Here" --date 2018 --outcome convicted
add person "Abzal Kuspanov"
add alias P2 "Abzal Kuspan"
delete P4 --yes
delete O2 --yes
undo
show C9
timeline P1 --json
delete P5 --yes
undo
merge P2 --into P6
undo
merge P6 --into P2
log
stats
show P2 --json
show P1
dupes
undo
undo
log --json
"""


def _same(text: str, users: tuple[str, ...]) -> str:
    """TEXT without what differs between two databases: uids, times, who wrote
    (and the spaces a longer name takes in a table)."""
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UID", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "TIME", text)
    for user in users:
        text = text.replace(user, "USER")
    return re.sub(r"[ \t─]+", " ", text)


def _owner(url: str) -> str:
    return url.split("//")[1].split("@")[0]


@pytest.mark.slow
def test_every_writing_command_answers_the_same_on_both_engines(
    run, database: Path, team_url: str
) -> None:
    """A day's work entered into a new file and into a new team database gives
    the same answer at every step (but uids, times and the user's name), the
    same numbers (a refused change uses none up, on both), and the same
    records at the end."""
    import getpass

    from tests.test_teams import _reads

    run("init")
    run("--db", team_url, "team", "init")
    users = (getpass.getuser(), _owner(team_url))
    steps = [shlex.split(line) for line in SESSION.strip().splitlines()]
    refused = 0
    for step in steps:
        on_file = run(*step, ok=False)
        on_server = run("--db", team_url, *step, ok=False)
        assert not isinstance(on_server.exception, AssertionError | TypeError), step
        assert (
            on_server.exit_code,
            _same(on_server.stdout, users),
            _same(on_server.stderr, users),
        ) == (on_file.exit_code, _same(on_file.stdout, users), _same(on_file.stderr, users)), step
        refused += on_file.exit_code == 1
    assert refused >= 3, "the session has user errors, and each must leave both the same"
    for read in _reads(database):
        on_file = run(*read, ok=False)
        on_server = run("--db", team_url, *read, ok=False)
        assert (on_server.exit_code, _same(on_server.stdout, users)) == (
            on_file.exit_code,
            _same(on_file.stdout, users),
        ), read


def _editor(run, pg_cluster: Any, team_url: str, role: str = "editor") -> tuple[str, str]:
    """A new login with ROLE in the team: (its name, its URL of the database)."""
    name = pg_cluster.new_login("alice")
    run("--db", team_url, "team", "add", name, "--role", role)
    database = team_url.rsplit("/", 1)[1]
    return name, pg_cluster.url(name, database)


def test_undo_reverses_your_own_latest_change_and_refuses_when_someone_built_on_it(
    run, run_json, team_url: str, pg_cluster
) -> None:
    run("--db", team_url, "team", "init")
    owner = _owner(team_url)
    alice, as_alice = _editor(run, pg_cluster, team_url)
    run("--db", team_url, "add", "person", "Owner Entered")  # C1
    run("--db", as_alice, "add", "person", "Alice Entered")  # C2
    undone = run("--db", team_url, "undo")
    assert "C1 undid 'add person': added P1" in undone.stdout
    log = run_json("--db", team_url, "log")
    assert [(entry["ref"], entry["user"], entry["undone"]) for entry in log] == [
        ("C2", alice, False),
        ("C1", owner, True),
    ]
    # the owner adds a person; alice records an event of theirs
    run("--db", team_url, "add", "person", "Shared Person")  # C3, P3
    run("--db", as_alice, "add", "event", "P3", "--date", "2020", "--kind", "arrest")  # C4
    refused = run("--db", team_url, "undo", ok=False)
    assert refused.exit_code == 1
    line = refused.stderr.strip()
    assert line.startswith("Error: cannot undo C3 (add person: added P3")
    assert f"C4 by {alice} (add event: added E1" in line
    assert run_json("--db", team_url, "show", "E1")["ref"] == "E1"  # nothing was undone
    # alice undoes hers; then the owner's undo goes through
    assert "C4 undid 'add event'" in run("--db", as_alice, "undo").stdout
    assert "C3 undid 'add person'" in run("--db", team_url, "undo").stdout
    # only owners undo anyone's
    not_owner = run("--db", as_alice, "undo", "--any", ok=False)
    assert not_owner.exit_code == 1
    assert f"undo --any is for the team's owners, and {alice} is not one" in not_owner.stderr
    assert "C2 undid 'add person': added P2" in run("--db", team_url, "undo", "--any").stdout
    nothing = run("--db", as_alice, "undo", ok=False)
    assert nothing.exit_code == 1
    assert f"no change made by {alice} left to reverse" in nothing.stderr
    assert "undo --any" not in nothing.stderr  # nobody's change is left either
    run("--db", team_url, "add", "person", "Owner Again")
    others = run("--db", as_alice, "undo", ok=False)
    assert "; undo --any reverses the latest change of anyone" in others.stderr


def test_the_log_names_the_login_whatever_the_client_writes(
    run, run_json, team_url: str, pg_cluster
) -> None:
    """The server writes who made a change: an editor writing the log's user by
    SQL still gets their own login."""
    import psycopg

    from tests.postgres import PASSWORD

    run("--db", team_url, "team", "init")
    alice, _ = _editor(run, pg_cluster, team_url)
    database = team_url.rsplit("/", 1)[1]
    with psycopg.connect(
        host="127.0.0.1", port=pg_cluster.port, user=alice, password=PASSWORD, dbname=database
    ) as conn:
        conn.execute(
            'INSERT INTO cases.changes (uid, at, "user", command) '
            "VALUES ('x', '2020-01-01 00:00:00', 'someone-else', 'forged')"
        )
    entry = run_json("--db", team_url, "log")[0]
    assert (entry["command"], entry["user"]) == ("forged", alice)


@pytest.mark.slow
def test_ten_editors_writing_at_once_lose_nothing(team_url: str, pg_cluster, run) -> None:
    """Ten processes, each an editor adding people and editing them, all at
    once: every change is there, numbered without a gap, each with its author."""
    import subprocess
    import sys

    run("--db", team_url, "team", "init")
    editors = [_editor(run, pg_cluster, team_url) for _ in range(10)]
    per_editor = 6
    script = (
        "import subprocess, sys\n"
        "url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
        "for n in range(count):\n"
        "    cmd = [sys.executable, '-m', 'cases', '--db', url]\n"
        "    added = subprocess.run(cmd + ['add', 'person', f'{name} Number{n}'],\n"
        "                           capture_output=True, text=True)\n"
        "    assert added.returncode == 0, added.stderr\n"
        "    ref = added.stdout.split()[0]\n"
        "    edited = subprocess.run(cmd + ['edit', ref, '--set', f'origin=Town{n}'],\n"
        "                            capture_output=True, text=True)\n"
        "    assert edited.returncode == 0, edited.stderr\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, url, name, str(per_editor)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, url in editors
    ]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    people = run("--db", team_url, "list", "people", "--json").stdout
    import json

    listed = json.loads(people)
    assert len(listed) == 10 * per_editor
    assert sorted(int(p["ref"][1:]) for p in listed) == list(range(1, 10 * per_editor + 1))
    assert all(p["origin"] and p["origin"].startswith("Town") for p in listed)
    log = json.loads(run("--db", team_url, "log", "--limit", "1000", "--json").stdout)
    assert len(log) == 2 * 10 * per_editor
    assert sorted(int(entry["ref"][1:]) for entry in log) == list(range(1, 2 * 10 * per_editor + 1))
    by_user: dict[str, int] = {}
    for entry in log:
        by_user[entry["user"]] = by_user.get(entry["user"], 0) + 1
    assert by_user == {name: 2 * per_editor for name, _ in editors}


@pytest.mark.parametrize("fault", ["the connection is cut", "the server restarts"])
def test_a_change_the_server_cuts_off_mid_way_writes_nothing(
    run, run_json, team_url: str, pg_cluster, fault: str
) -> None:
    """A trial with a citation is written table by table: held at its
    citation (another session locks the table) after its trial and parties
    are written, then cut off, it leaves none of them, and says so in one
    line naming the server."""
    import subprocess
    import sys
    import time

    import psycopg

    run("--db", team_url, "team", "init")
    run("--db", team_url, "add", "person", "Aidos Sadykov")
    run("--db", team_url, "add", "source", "A report", "--url", "https://example.org/r")
    database = team_url.rsplit("/", 1)[1]
    holder = psycopg.connect(host=str(pg_cluster.folder), port=pg_cluster.port, user="postgres",
                             dbname=database)  # fmt: skip
    holder.execute("LOCK TABLE cases.citations IN SHARE ROW EXCLUSIVE MODE")
    adding = subprocess.Popen(
        [sys.executable, "-m", "cases", "--db", team_url, "add", "trial", "P1", "--court",
         "Almaty court", "--source", "S1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        waiting: list = []
        deadline = time.monotonic() + 30
        while not waiting and adding.poll() is None and time.monotonic() < deadline:
            waiting = pg_cluster.superuser_rows(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                "AND query LIKE 'INSERT INTO \"citations\"%%'",
                [database],
            )
            time.sleep(0.02)
        assert waiting, "the change never reached its citation"
        # its trial is written, in its transaction
        if fault == "the server restarts":
            # (the restart ends the session holding the lock too)
            pg_cluster.restart()
        else:
            pg_cluster.superuser_rows("SELECT pg_terminate_backend(%s)", [waiting[0][0]])
        _, stderr = adding.communicate(timeout=60)
    finally:
        holder.close()
    assert adding.returncode == 1, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: lost the connection"), lines
    assert "PostgreSQL server at 127.0.0.1" in lines[0] and "nothing was written" in lines[0]
    assert run_json("--db", team_url, "list", "trials") == []
    assert [entry["command"] for entry in run_json("--db", team_url, "log")] == [
        "add source",
        "add person",
    ]
    # and the same change goes through once the server is back
    run("--db", team_url, "add", "trial", "P1", "--court", "Almaty court", "--source", "S1")
    assert [t["ref"] for t in run_json("--db", team_url, "list", "trials")] == ["T1"]


def test_an_import_into_a_team_database_is_the_files_import(
    run, run_json, database: Path, team_url: str, tmp_path: Path
) -> None:
    """Hostile texts, every kind of record and private ones: an export of a
    file imported into a team database exports byte for byte the same; again,
    it changes nothing; an edited row updates, a new one is added with the next
    number, and undo takes the import back whole."""
    import csv

    from tests.conftest import server_dump
    from tests.test_transfer import _hostile_database

    _hostile_database(database, run)
    first, second = tmp_path / "first", tmp_path / "second"
    run("export", "csv", "--out", str(first), "--include-private")
    run("--db", team_url, "team", "init")
    before = server_dump(team_url)
    dry = run_json("--db", team_url, "import", "csv", str(first), "--dry-run")
    assert dry["dry_run"] is True and sum(t["added"] for t in dry["tables"]) > 0
    assert server_dump(team_url) == before  # a dry run writes nothing, not even the log
    report = run_json("--db", team_url, "import", "csv", str(first))
    assert [t["added"] for t in report["tables"]] == [t["added"] for t in dry["tables"]]
    run("--db", team_url, "export", "csv", "--out", str(second), "--include-private")
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    again = run_json("--db", team_url, "import", "csv", str(first))
    assert all(t["added"] == t["updated"] == 0 for t in again["tables"]), again
    assert (
        len(run_json("--db", team_url, "log")) == 1
    )  # an import that changes nothing is no change
    run("--db", team_url, "check")

    people = len(run_json("--db", team_url, "list", "people"))
    with (first / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[4][rows[0].index("summary")] = "a corrected summary"
    with (first / "events.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    run("--db", team_url, "delete", "P1", "--yes")  # the import brings P1 back, numbered anew
    report = run_json("--db", team_url, "import", "csv", str(first))
    counts = {t["table"]: (t["added"], t["updated"]) for t in report["tables"]}
    assert counts["people"] == (1, 0) and counts["events"][1] == 1, counts
    assert [hit["field"] for hit in run_json("--db", team_url, "search", "corrected")] == [
        "summary"
    ]
    refs = [person["ref"] for person in run_json("--db", team_url, "list", "people")]
    assert f"P{people + 1}" in refs and "P1" not in refs
    assert run_json("--db", team_url, "log")[0]["command"] == "import csv"
    run("--db", team_url, "undo")
    assert run_json("--db", team_url, "search", "corrected") == []
    assert len(run_json("--db", team_url, "list", "people")) == people - 1


def test_an_import_the_server_cannot_store_is_refused_whole(
    run, run_json, team_url: str, tmp_path: Path
) -> None:
    """PostgreSQL's text holds no NUL character (a file's does): such an import
    is one Error: line naming the server, and writes nothing."""
    from cases.csv_io import write_csv

    run("--db", team_url, "team", "init")
    folder = tmp_path / "csv"
    folder.mkdir()
    write_csv(
        folder / "people.csv",
        ["uid", "name", "note"],
        [["u1", "Person One", "fine"], ["u2", "Person Two", "a\x00b"]],
    )
    for dry_run in ([], ["--dry-run"]):  # a dry run tries the server's writing too
        result = run("--db", team_url, "import", "csv", str(folder), *dry_run, ok=False)
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and "NUL" in lines[0], lines
        assert "PostgreSQL server at 127.0.0.1" in lines[0]
    assert run_json("--db", team_url, "list", "people") == []
    assert run_json("--db", team_url, "log") == []


def test_a_purge_on_a_team_database_leaves_no_byte_of_the_record_in_its_files(
    run, run_json, team_url: str, pg_cluster
) -> None:
    """A deleted record stays in the server's files (the change log keeps it
    for undo); purged, it is gone from every file of the database's tables,
    once the tables' owner purges. An editor's purge erases it from the
    records and the log, and says who can rewrite the files."""
    from tests.postgres import in_the_database_files

    secret = "Zhumagulova-Purgeable"
    run("--db", team_url, "team", "init")
    run("--db", team_url, "add", "person", f"Aigul {secret}", "--private")
    run("--db", team_url, "add", "person", "Ayan Public")
    run("--db", team_url, "edit", "P1", "--set", f"note=Also {secret}")
    run("--db", team_url, "delete", "P1", "--yes")
    assert in_the_database_files(team_url, secret)
    run("--db", team_url, "undo")
    # the planner's statistics sample the columns' values (autovacuum analyses)
    database = team_url.rsplit("/", 1)[1]
    pg_cluster.superuser("ANALYZE", database=database)

    def in_the_statistics() -> int:
        return pg_cluster.superuser_rows(
            "SELECT count(*) FROM pg_stats WHERE schemaname = 'cases' AND "
            "concat(most_common_vals::text, histogram_bounds::text) ILIKE %s",
            [f"%{secret}%"],
            database,
        )[0][0]

    assert in_the_statistics() > 0
    done = run("--db", team_url, "delete", "P1", "--yes", "--purge")
    assert "purged (no undo)" in done.stdout and done.stderr == ""
    assert in_the_statistics() == 0
    assert not in_the_database_files(team_url, secret)
    assert [p["ref"] for p in run_json("--db", team_url, "list", "people")] == ["P2"]

    _, editor_url = _editor(run, pg_cluster, team_url)
    run("--db", editor_url, "add", "person", f"Berik {secret}", "--private")
    done = run("--db", editor_url, "delete", "P3", "--yes", "--purge")
    assert "purged (no undo)" in done.stdout
    warning = done.stderr.strip()
    assert warning.startswith("warning: P3 is purged") and _owner(team_url) in warning, warning
    assert "the next cases command they run does it" in warning
    assert secret not in run("--db", editor_url, "log", "--json").stdout
    assert in_the_database_files(team_url, secret)  # the old row versions, until rewritten
    checked = run("--db", editor_url, "check", ok=False)
    assert (
        checked.exit_code == 1 and "wait in the server's files" in checked.stdout + checked.stderr
    )
    # the owner's next command, whatever it is, rewrites the tables
    assert [p["ref"] for p in run_json("--db", team_url, "list", "people")] == ["P2"]
    assert not in_the_database_files(team_url, secret)
    run("--db", editor_url, "check")


def test_a_writer_kept_waiting_is_told_who_writes(
    run, run_json, team_url: str, pg_cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a file: a change waits CASES_BUSY_TIMEOUT seconds for another
    editor's, then is one Error: line naming who holds the lock, and writes
    nothing."""
    import psycopg

    from cases.db.pg.store import _WRITE_LOCK

    run("--db", team_url, "team", "init")
    database = team_url.rsplit("/", 1)[1]
    holder = psycopg.connect(host=str(pg_cluster.folder), port=pg_cluster.port, user="postgres",
                             dbname=database, application_name="cases import csv")  # fmt: skip
    try:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITE_LOCK])
        monkeypatch.setenv("CASES_BUSY_TIMEOUT", "1")
        result = run("--db", team_url, "add", "person", "Ayan Waiting", ok=False)
    finally:
        holder.close()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the PostgreSQL server at"), lines
    assert "is busy: postgres ('cases import csv', writing since" in lines[0], lines[0]
    assert "nothing was changed" in lines[0]
    assert run_json("--db", team_url, "list", "people") == []
    run("--db", team_url, "add", "person", "Ayan Waiting")  # once the lock is free
    assert [p["ref"] for p in run_json("--db", team_url, "list", "people")] == ["P1"]


def test_an_import_logs_on_a_team_database_what_it_logs_on_a_file(
    run, run_json, database: Path, team_url: str, tmp_path: Path
) -> None:
    """The sample's records that link within their own table (an organisation
    part of another, a source relaying another) are linked once every row is
    in: the change says so on both engines alike."""
    import getpass

    run("init", "--sample")
    folder = tmp_path / "sample"
    run("export", "csv", "--out", str(folder), "--include-private")
    fresh = tmp_path / "fresh.db"
    run("--db", team_url, "team", "init")
    users = (getpass.getuser(), _owner(team_url))
    for args in (("import", "csv", str(folder)), ("log", "--json"), ("show", "C1")):
        on_file = run("--db", str(fresh), *args)
        on_server = run("--db", team_url, *args)
        assert _same(on_server.stdout, users) == _same(on_file.stdout, users), args
    assert "Changed" in run("--db", team_url, "show", "C1").stdout
    undone = run("--db", team_url, "undo").stdout
    assert _same(undone, users) == _same(run("--db", str(fresh), "undo").stdout, users)


@pytest.mark.slow
def test_a_killed_import_leaves_no_copy_of_the_records(run, team_url: str, tmp_path: Path) -> None:
    """An import on a server works on a copy of the team's records in a
    temporary file: killed (kill -9), it leaves no byte of it behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from cases.csv_io import write_csv

    run("--db", team_url, "team", "init")
    run("--db", team_url, "add", "person", "Aigul Private-Copy", "--private")
    folder = tmp_path / "csv"
    folder.mkdir()
    write_csv(
        folder / "people.csv",
        ["uid", "name", "note"],
        [[f"u{n}", f"Person {n}", f"note {n}"] for n in range(60_000)],
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    importing = subprocess.Popen(
        [sys.executable, "-m", "cases", "--db", team_url, "import", "csv", str(folder)],
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(scratch.glob("cases-import-*/mirror.db")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(scratch.glob("cases-import-*/mirror.db")), "the import never made its copy"
    os.kill(importing.pid, signal.SIGKILL)
    importing.wait()
    deadline = time.monotonic() + 10
    while list(scratch.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(scratch.iterdir()) == []
