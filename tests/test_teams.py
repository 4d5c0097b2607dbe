"""Teams on PostgreSQL (issue 27, in part): team init|add|list|remove, what a
reader's own login can read by any SQL, and copy between engines.

Each test gets a new database in a throwaway cluster (tests/postgres.py); the
records go in through the CLI, as a user's would.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.postgres

SECRET = "Hiddenwitness"
WORDS = "Zqwordsofthewitness"


@pytest.fixture
def private_world(run, sample) -> None:
    """The sample, with what privacy hides in every way it can: a private person
    who is a judge named by text, the author of a source and the one a claim
    is attributed to; a private organisation that published a public source;
    a private alias of a public person; a private event."""
    run("add", "person", f"Aigul {SECRET}", "--private")
    run("add", "org", f"{SECRET} Bureau", "--private")
    run("add", "alias", "P1", f"Secretalias {SECRET}x", "--private")
    run(
        "add",
        "source",
        "A witness report",
        "--url",
        "https://example.org/w",
        "--author",
        f"Aigul {SECRET}",
        "--author",
        "Public Writer",
        "--publisher",
        f"{SECRET} Bureau",
    )
    run("add", "trial", "P2", "--court", "Almaty District Court", "--judge", f"Aigul {SECRET}")
    run(
        "add",
        "event",
        "P3",
        "--date",
        "2020-02-02",
        "--kind",
        "arrest",
        f"Seen by {SECRET}",
        "--private",
    )
    run("cite", "E1", "--source", "S1", "--quote", WORDS, "--according-to", f"Aigul {SECRET}")


def _reader_connection(pg_cluster: Any, url: str, user: str) -> Any:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    from tests.postgres import PASSWORD

    database = conninfo_to_dict(url)["dbname"]
    return psycopg.connect(
        host="127.0.0.1",
        port=pg_cluster.port,
        user=user,
        password=PASSWORD,
        dbname=database,
        autocommit=True,
    )


def _table_text(conn: Any, table: str) -> str:
    cursor = conn.execute(f'SELECT * FROM "{table}" ORDER BY id')
    return "\n".join(repr(row) for row in cursor.fetchall())


def test_team_init_makes_the_connected_login_its_owner(run, run_json, team_url: str) -> None:
    result = run("--db", team_url, "team", "init")
    assert "owner" in result.stdout
    members = run_json("--db", team_url, "team", "list")
    assert len(members) == 1 and members[0]["role"] == "owner"
    again = run("--db", team_url, "team", "init", ok=False)
    assert again.exit_code == 1 and again.stderr.startswith("Error: ")
    assert "already a team database" in again.stderr


def test_members_are_added_changed_and_removed(run, run_json, team_url: str, pg_cluster) -> None:
    run("--db", team_url, "team", "init")
    bob = pg_cluster.new_login("bob")
    run("--db", team_url, "team", "add", bob, "--role", "reader")
    run("--db", team_url, "team", "add", "carol", "--role", "editor")  # a new login
    owner = team_url.split("//")[1].split("@")[0]
    assert {m["user"]: m["role"] for m in run_json("--db", team_url, "team", "list")} == {
        owner: "owner",
        bob: "reader",
        "carol": "editor",
    }
    run("--db", team_url, "team", "add", bob, "--role", "editor")
    run("--db", team_url, "team", "remove", "carol")
    roles = {m["user"]: m["role"] for m in run_json("--db", team_url, "team", "list")}
    assert roles[bob] == "editor" and "carol" not in roles
    wrong = run("--db", team_url, "team", "add", bob, "--role", "admin", ok=False)
    assert wrong.exit_code == 1 and "owner, editor, reader" in wrong.stderr
    last = run("--db", team_url, "team", "remove", owner, ok=False)
    assert last.exit_code == 1 and "last owner" in last.stderr


def test_a_reader_reads_by_any_sql_only_what_a_public_export_holds(
    run, tmp_path: Path, database: Path, team_url: str, pg_cluster, private_world
) -> None:
    import psycopg

    run("--db", team_url, "team", "init")
    run("copy", "--from", str(database), "--to", team_url)
    reader = pg_cluster.new_login("reader")
    run("--db", team_url, "team", "add", reader, "--role", "reader")
    run("export", "csv", "--out", str(tmp_path / "public"))
    with _reader_connection(pg_cluster, team_url, reader) as conn:
        seen = ""
        for path in sorted((tmp_path / "public").glob("*.csv")):
            table = path.stem
            rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
            viewed = conn.execute(f'SELECT uid FROM "{table}" ORDER BY id').fetchall()
            # the same records as the public export, no more, no fewer
            assert sorted(uid for (uid,) in viewed) == sorted(r["uid"] for r in rows), table
            seen += _table_text(conn, table)
        assert SECRET not in seen and WORDS not in seen
        assert "Public Writer" in seen  # the other author of the source stays
        for private in ("cases.people", "cases.aliases", "cases.trial_parties", "cases.changes"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {private}")
        for right in ("INSERT", "UPDATE", "DELETE"):
            allowed = conn.execute("SELECT has_table_privilege('people', %s)", [right]).fetchone()
            assert allowed == (False,), right
        with pytest.raises(psycopg.Error):
            conn.execute("INSERT INTO people (uid, name, name_key) VALUES ('x', 'y', 'y')")
    # the reading commands are an editor's: a reader is told where to read instead
    from urllib.parse import urlsplit

    owner = urlsplit(team_url).username
    as_reader = team_url.replace(f"//{owner}@", f"//{reader}@", 1)
    refused = run("--db", as_reader, "show", "P1", ok=False)
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert "as a reader" in refused.stderr and "cases_public" in refused.stderr


def test_an_editor_reads_everything(
    run, database: Path, team_url: str, pg_cluster, private_world
) -> None:
    run("--db", team_url, "team", "init")
    run("copy", "--from", str(database), "--to", team_url)
    editor = pg_cluster.new_login("editor")
    run("--db", team_url, "team", "add", editor, "--role", "editor")
    with _reader_connection(pg_cluster, team_url, editor) as conn:
        names = [name for (name,) in conn.execute("SELECT name FROM cases.people")]
        assert f"Aigul {SECRET}" in names


def _exports(run, db: str, folder: Path) -> dict[str, bytes]:
    found = {}
    for private in (False, True):
        out = folder / ("all" if private else "public")
        run("--db", db, "export", "csv", "--out", str(out), *(["--include-private"] * private))
        found |= {f"{out.name}/{p.name}": p.read_bytes() for p in sorted(out.glob("*.csv"))}
    return found


def test_a_copy_to_the_server_and_back_gives_an_identical_export(
    run, tmp_path: Path, database: Path, team_url: str, private_world
) -> None:
    run("--db", team_url, "team", "init")
    run("copy", "--from", str(database), "--to", team_url)
    back = tmp_path / "back.db"
    run("copy", "--from", team_url, "--to", str(back))
    assert _exports(run, str(back), tmp_path / "b") == _exports(run, str(database), tmp_path / "a")
    # the copy is one change of the new file, and searchable
    assert "copied from" in run("--db", str(back), "log").stdout
    assert "Qaisha" in run("--db", str(back), "search", "Qaisha").stdout


def test_a_public_only_copy_holds_what_a_public_export_holds(
    run, tmp_path: Path, database: Path, team_url: str, private_world
) -> None:
    run("--db", team_url, "team", "init")
    run("copy", "--from", str(database), "--to", team_url, "--public-only")
    back = tmp_path / "back.db"
    run("copy", "--from", team_url, "--to", str(back))
    public = tmp_path / "public"
    run("export", "csv", "--out", str(public))
    everything = tmp_path / "everything"
    run("--db", str(back), "export", "csv", "--out", str(everything), "--include-private")
    for path in public.glob("*.csv"):
        assert path.read_bytes() == (everything / path.name).read_bytes(), path.name
    text = "".join(p.read_text(encoding="utf-8") for p in everything.glob("*.csv"))
    assert SECRET not in text and WORDS not in text


def test_a_copy_never_lands_on_records(
    run, tmp_path: Path, database: Path, team_url: str, sample
) -> None:
    run("--db", team_url, "team", "init")
    run("copy", "--from", str(database), "--to", team_url)
    again = run("copy", "--from", str(database), "--to", team_url, ok=False)
    assert again.exit_code == 1 and "already holds records" in again.stderr
    onto = run("copy", "--from", team_url, "--to", str(database), ok=False)
    assert onto.exit_code == 1 and "already holds records" in onto.stderr
    itself = run("copy", "--from", str(database), "--to", str(database), ok=False)
    assert itself.exit_code == 1 and "same database" in itself.stderr


@pytest.mark.parametrize(
    "change, said",
    [
        ("password", "password authentication failed"),
        ("database", "does not exist"),
        ("port", "cannot connect"),
    ],
)
def test_a_server_that_refuses_is_one_error_line_naming_it(
    run, team_url: str, monkeypatch: pytest.MonkeyPatch, change: str, said: str
) -> None:
    url = team_url
    if change == "password":
        monkeypatch.setenv("PGPASSWORD", "not the password")
    elif change == "database":
        url = team_url.rsplit("/", 1)[0] + "/nosuchdb"
    else:
        url = team_url.replace(team_url.split(":")[2].split("/")[0], "1")
    result = run("--db", url, "team", "list", ok=False)
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and said in lines[0], lines
    assert "PostgreSQL server at 127.0.0.1" in lines[0]
    assert "not the password" not in result.stderr and "Traceback" not in result.stderr


def test_commands_not_yet_on_the_server_say_so(run, team_url: str, tmp_path: Path) -> None:
    run("--db", team_url, "team", "init")
    result = run("--db", team_url, "backup", str(tmp_path / "copy.db"), ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: backup does not run on a PostgreSQL database yet")
    assert "show, timeline, list, stats, uncited, add, edit" in result.stderr
    assert "cases copy" in result.stderr


def _reads(database: Path) -> list[tuple[str, ...]]:
    """Every reading command that runs on a server, on every record of DATABASE."""
    import sqlite3

    conn = sqlite3.connect(database)
    refs = [
        f"{prefix}{number}"
        for prefix, table in (
            ("P", "people"),
            ("O", "organisations"),
            ("S", "sources"),
            ("T", "trials"),
            ("R", "rulings"),
            ("A", "asylum"),
            ("D", "detentions"),
            ("E", "events"),
            ("L", "relations"),
            ("M", "communications"),
            ("W", "whereabouts"),
        )  # fmt: skip
        for (number,) in conn.execute(f"SELECT id FROM {table} ORDER BY id")
    ]
    conn.close()
    kinds = ["people", "orgs", "trials", "rulings", "asylum", "detentions", "events"]
    kinds += ["communications", "whereabouts", "sources", "relations"]
    reads: list[tuple[str, ...]] = [
        ("timeline",),
        ("timeline", "P5"),
        ("timeline", "O3"),
        ("timeline", "--since", "2019", "--kind", "arrest", "--kind", "ruling"),
        ("timeline", "--limit", "5"),
        ("stats",),
        ("uncited",),
        *(("list", kind) for kind in kinds),
        ("list", "events", "--actor", "P8"),
        *(("show", ref) for ref in refs),
    ]
    return [*reads, *((*read, "--json") for read in reads)]


@pytest.mark.slow
def test_every_reading_command_reads_the_same_on_both_engines(
    run, database: Path, sample, team_url: str
) -> None:
    """The sample, copied to a team database, reads the same through every
    reading command on PostgreSQL as on SQLite: text and JSON, byte for byte
    (the same queries: cases.db.pg.store translates what differs)."""
    run("add", "org", "Barkol Kazakhs", "--kind", "group", "--size", "~30")
    run("add", "detention", "Barkol Kazakhs", "--start", "2018", "--kind", "camp")
    run("add", "detention", "P5", "--duration", "6 months")
    run("--db", team_url, "team", "init")
    run("copy", "--from", str(database), "--to", team_url)
    reads = _reads(database)
    assert len(reads) > 150
    for read in reads:
        on_file = run(*read, ok=False)
        on_server = run("--db", team_url, *read, ok=False)
        assert on_file.exit_code == 0, (read, on_file.stderr)
        assert (on_server.exit_code, on_server.stdout, on_server.stderr) == (
            0,
            on_file.stdout,
            on_file.stderr,
        ), read


def test_team_commands_need_a_server(run, database: Path, sample) -> None:
    result = run("team", "list", ok=False)
    assert result.exit_code == 1 and "postgresql://" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["the connection is cut", "the server restarts"])
def test_a_copy_the_server_cuts_off_writes_nothing(
    tmp_path: Path, team_url: str, pg_cluster, fault: str
) -> None:
    import subprocess
    import sys
    import time

    from tests.conftest import cases_process

    big = tmp_path / "big.db"
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, str(root / "bench" / "make_db.py"), str(big), "--people", "10000"],
        check=True,
        capture_output=True,
    )
    assert cases_process("--db", team_url, "team", "init").returncode == 0
    database = team_url.rsplit("/", 1)[1]
    copying = subprocess.Popen(
        [sys.executable, "-m", "cases", "copy", "--from", str(big), "--to", team_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cut = False
    deadline = time.monotonic() + 60
    while copying.poll() is None and time.monotonic() < deadline:
        writing = pg_cluster.superuser_rows(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND query LIKE 'COPY%%' "
            "AND state = 'active'",
            [database],
        )
        if writing:
            if fault == "the server restarts":
                pg_cluster.restart()
            else:
                pg_cluster.superuser_rows("SELECT pg_terminate_backend(%s)", [writing[0][0]])
            cut = True
            break
        time.sleep(0.01)
    _, stderr = copying.communicate(timeout=60)
    assert cut, "the copy ended before it could be cut off"
    assert copying.returncode == 1, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: lost the connection"), lines
    assert "PostgreSQL server at 127.0.0.1" in lines[0] and "nothing was written" in lines[0]
    # none of it is there, and the copy can simply be run again
    for table in ("people", "citations", "changes"):
        count = pg_cluster.superuser_rows(f"SELECT count(*) FROM cases.{table}", [], database)
        assert count == [(0,)], table
    again = cases_process("copy", "--from", str(big), "--to", team_url)
    assert again.returncode == 0, again.stderr
