"""The foundation: packaging, the database file, errors, people, aliases and sources."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cases import __version__
from tests.conftest import dump


def test_version(run) -> None:
    assert run("--version").stdout.strip() == f"cases {__version__}"


def test_python_dash_m_and_console_script_run() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cases", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"cases {__version__}"


def test_usage_errors_exit_2(run) -> None:
    assert run("add", "person", "X", "--no-such-option", ok=False).exit_code == 2
    assert run("add", "person", ok=False).exit_code == 2
    assert run("frobnicate", ok=False).exit_code == 2


def test_db_option_beats_environment(run, tmp_path: Path, database: Path) -> None:
    other = tmp_path / "other.db"
    run("--db", str(other), "add", "person", "Ayan Test")
    assert other.exists()
    assert not database.exists()
    assert run("--db", str(other), "list", "people", "--json").stdout.count("Ayan Test") == 1


def test_default_path_is_in_the_user_data_folder(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("CASES_DB", None)
    result = subprocess.run(
        [sys.executable, "-m", "cases", "add", "person", "Ayan Test"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    created = tmp_path / "data" / "cases" / "cases.db"
    assert created.exists()
    assert stat.S_IMODE(created.stat().st_mode) == 0o600


def test_database_file_is_private(run, database: Path) -> None:
    run("add", "person", "Ayan Test")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_reading_a_missing_database_is_an_error_that_creates_nothing(
    run, fails_cleanly, database: Path, tmp_path: Path
) -> None:
    for command in (["list", "people"], ["timeline"], ["stats"], ["show", "P1"], ["check"]):
        message = fails_cleanly(*command)
        assert message == f"Error: no database at {database}; create one with cases init"
    mistyped = tmp_path / "nowhere" / "cases.db"
    assert str(mistyped) in fails_cleanly("--db", str(mistyped), "timeline")
    assert not database.exists() and not mistyped.parent.exists()


def test_connection_pragmas(run, database: Path) -> None:
    from cases.db import Store

    store = Store.open(database, write=True)
    try:
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        from cases.migrations import migrations, sqlite_utils_view

        applied = [m.name for m in migrations.applied(sqlite_utils_view(store.conn))]
        assert applied == [m.name for m in migrations._migrations]
        assert applied[0] == "m001_initial"
    finally:
        store.close()


def test_writes_outside_a_transaction_are_refused(database: Path) -> None:
    from cases.db import Store, rows

    store = Store.open(database, write=True)
    try:
        with pytest.raises(RuntimeError):
            rows.insert(store, "sources", {"title": "x"})
        with store.transaction(), pytest.raises(RuntimeError), store.transaction():
            pass
    finally:
        store.close()


def test_a_text_file_is_refused_and_left_untouched(fails_cleanly, database: Path) -> None:
    database.write_text("name,notes\nnot,a database\n")
    before = database.read_bytes()
    line = fails_cleanly("add", "person", "Ayan Test")
    assert "not a cases database" in line
    assert database.read_bytes() == before
    assert database.read_bytes() == before
    assert "not a cases database" in fails_cleanly("list", "people")


def test_another_apps_sqlite_file_is_refused_and_left_untouched(
    fails_cleanly, database: Path
) -> None:
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = database.read_bytes()
    assert "another application" in fails_cleanly("add", "person", "Ayan Test")
    assert database.read_bytes() == before


def test_a_failed_first_command_leaves_no_file(fails_cleanly, database: Path) -> None:
    fails_cleanly("add", "person", "   ")
    assert not database.exists()


def test_add_person_with_everything(run, run_json) -> None:
    run(
        "add",
        "source",
        "A report",
        "--url",
        "https://example.org/r1",
        "--publisher",
        "Desk",
        "--date",
        "2019-01-28",
        "--reliability",
        "3",
    )
    person = run_json(
        "add",
        "person",
        "Ayan Testova",
        "--alias",
        "Аян Тестова",
        "--alias",
        "Ayan Testowa",
        "--sex",
        "female",
        "--born",
        "~1982",
        "--ethnicity",
        "Kazakh",
        "--citizenship",
        "China",
        "--origin",
        "Xinjiang",
        "--note",
        "fictional",
        "--source",
        "S1",
        "--source",
        "https://example.org/r2",
    )
    assert person["ref"] == "P1"
    assert len(person["uid"]) == 36
    assert person["born"] == "1982~"
    assert person["born_earliest"] == "1982-01-01"
    assert person["aliases"] == ["Аян Тестова", "Ayan Testowa"]
    shown = run_json("show", "P1")
    assert [a["name"] for a in shown["aliases"]] == ["Аян Тестова", "Ayan Testowa"]
    assert [s["ref"] for s in shown["sources"]] == ["S1", "S2"]
    assert shown["person"]["sources"] == [1, 2]
    assert shown["person"]["note"] == "fictional"
    sources = run_json("list", "sources")
    assert sources[1]["url"] == "https://example.org/r2"  # a new URL became a source
    text = run("show", "Ayan Testova").stdout
    for expected in (
        "P1",
        "Ayan Testova",
        "Аян Тестова",
        "c. 1982",
        "Kazakh",
        "China",
        "Xinjiang",
        "[1] S1",
        "A report",
        "Desk, 28 Jan 2019",
    ):
        assert expected in text


def test_add_prints_reference_and_summary(run) -> None:
    assert run("add", "person", "Ayan Test").stdout.strip() == "P1 Ayan Test"
    assert run("add", "source", "Report").stdout.strip() == "S1 Report"


def test_a_cited_url_already_recorded_is_reused(run, run_json) -> None:
    run("add", "source", "A report", "--url", "https://example.org/r1")
    run("add", "person", "Ayan Test", "--source", "https://example.org/r1")
    assert len(run_json("list", "sources")) == 1


def test_person_by_name_or_alias_any_case(run, run_json) -> None:
    run("add", "person", "Ayan Test", "--alias", "Аян Тест")
    run("add", "alias", "ayan test", "A. Test")
    assert run_json("show", "AYAN TEST")["person"]["ref"] == "P1"
    assert run_json("show", "аян тест")["person"]["ref"] == "P1"
    assert run_json("show", "a. test")["person"]["ref"] == "P1"
    assert run_json("show", "p1")["person"]["ref"] == "P1"
    assert run_json("show", "Test")["person"]["ref"] == "P1"  # a unique surname


def test_ambiguous_name_lists_candidates(run, fails_cleanly) -> None:
    run("add", "person", "Ayan Test")
    run("add", "person", "Ayan Test")
    line = fails_cleanly("show", "Ayan Test")
    assert "P1" in line and "P2" in line


def test_lists_people_and_sources(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "person", "Berik Sample", "--private")
    people = run_json("list", "people")
    assert [(p["ref"], p["name"], p["private"]) for p in people] == [
        ("P1", "Ayan Test", False),
        ("P2", "Berik Sample", True),
    ]
    table = run("list", "people").stdout
    assert "Ayan Test" in table and "(private)" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "person", ""], "must not be empty"),
        (["add", "person", "  \t "], "must not be empty"),
        (["add", "person", "X", "--born", "2019-02-30"], "Accepted forms"),
        (["add", "person", "X", "--born", "someday"], "Accepted forms"),
        (["add", "person", "X", "--sex", "unknown"], "female, male, other"),
        (["add", "person", "X", "--alias", ""], "must not be empty"),
        (["add", "person", "X", "--source", "S9"], "no source S9"),
        (["add", "person", "X", "--source", "a newspaper"], "unknown source"),
        (["add", "person", "X", "--source", "P1"], "unknown source"),
        (["add", "alias", "P9", "Y"], "no person P9"),
        (["add", "alias", "Nobody Known", "Y"], "no person named"),
        (["add", "alias", "P1", ""], "must not be empty"),
        (["add", "source", ""], "must not be empty"),
        (["add", "source", "T", "--reliability", "5"], "0 (lowest) to 4"),
        (["add", "source", "T", "--reliability", "-1"], "0 (lowest) to 4"),
        (["add", "source", "T", "--url", "example.org"], "http"),
        (["add", "source", "T", "--date", "2019-13-01"], "Accepted forms"),
        (["show", "P99"], "no person P99"),
        (["show", "S1"], "no source S1"),
        (["show", "Nobody Known"], "no person named"),
        (["list", "planets"], "people, orgs, trials"),
    ],
)
def test_bad_input_is_a_clean_user_error(run, fails_cleanly, args: list[str], message: str) -> None:
    run("add", "person", "Ayan Test")
    assert message in fails_cleanly(*args)


@pytest.mark.parametrize(
    "args",
    [
        ["add", "source", "T", "--reliability", "high"],
        ["add", "ruling", "P1", "--date", "2019", "--outcome", "other", "--months", "six"],
        ["timeline", "--limit", "many"],
        ["search", "x", "--limit", "x"],
        ["log", "--limit", "1.5"],
    ],
)
def test_numbers_must_be_whole_numbers(run, fails_cleanly, args) -> None:
    run("add", "person", "Ayan Test")
    assert "whole number" in fails_cleanly(*args)


def test_a_value_starting_with_a_dash_follows_double_dash(run, run_json) -> None:
    run("add", "person", "--", "-Dash Name")
    assert run_json("show", "P1")["person"]["name"] == "-Dash Name"


def test_markup_and_escapes_in_values_are_shown_as_plain_text(run) -> None:
    run(
        "add", "person", "[/bold] Ayan [red]Test", "--note", "evil \x1b[31mred\x1b]0;title\x07 note"
    )
    shown = run("show", "P1").stdout
    assert "[/bold] Ayan [red]Test" in shown
    assert "\x1b" not in shown and "\x07" not in shown
    listed = run("list", "people").stdout
    assert "[/bold] Ayan [red]Test" in listed
    assert "\x1b" not in run("show", "P1", "--json").stdout  # JSON escapes it


def test_json_is_json_only(run) -> None:
    result = run("add", "person", "Ayan Test", "--json")
    assert result.stdout.lstrip().startswith("{")
    assert "\x1b" not in result.stdout


def test_piped_output_has_no_ansi_codes(run) -> None:
    run("add", "person", "Ayan Test")
    assert "\x1b[" not in run("show", "P1").stdout


def test_internal_errors_print_no_traceback_or_contents(tmp_path: Path) -> None:
    # A broken schema stands in for a bug: the user sees one line, no record contents.
    db = tmp_path / "broken.db"
    env = {**os.environ, "CASES_DB": str(db)}
    subprocess.run(
        [sys.executable, "-m", "cases", "add", "person", "Secret Name"],
        env=env,
        check=True,
        capture_output=True,
    )
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE aliases")
    conn.commit()
    conn.close()
    result = subprocess.run(
        [sys.executable, "-m", "cases", "show", "Secret Name"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    assert "Secret Name" not in result.stderr


def test_dump_helper_sees_changes(run, database: Path) -> None:
    run("add", "person", "Ayan Test")
    before = dump(database)
    run("add", "person", "Berik Sample")
    assert dump(database) != before


def test_the_command_name_is_found_past_global_options() -> None:
    from cases.cli import command_name

    assert command_name(["--db", "x.db", "show", "P1"]) == "show"
    assert command_name(["--db=x.db", "timeline"]) == "timeline"
    assert command_name(["--version"]) is None
    assert command_name(["frobnicate"]) is None


def test_only_the_command_run_is_built_and_it_still_works(tmp_path: Path) -> None:
    env = {**os.environ, "CASES_DB": str(tmp_path / "c.db")}
    run = [sys.executable, "-m", "cases"]
    added = subprocess.run(
        [*run, "add", "person", "Ayan Test"], env=env, capture_output=True, text=True, check=False
    )
    assert added.returncode == 0 and "P1" in added.stdout
    assert (
        "Example:"
        in subprocess.run(
            [*run, "show", "--help"], env=env, capture_output=True, text=True, check=False
        ).stdout
    )
    unknown = subprocess.run([*run, "shwo"], env=env, capture_output=True, text=True, check=False)
    assert unknown.returncode == 2
    assert (
        "show"
        in subprocess.run(
            [*run, "--help"], env=env, capture_output=True, text=True, check=False
        ).stdout
    )


def test_schema_version_counts_the_migrations() -> None:
    from cases.db.connection import SCHEMA_VERSION
    from cases.migrations import migrations

    assert len(migrations._migrations) == SCHEMA_VERSION


def test_reading_commands_do_not_load_sqlite_utils(run, tmp_path: Path) -> None:
    run("init", "--sample")
    env = {**os.environ}
    probe = (
        "import sys; from cases.cli import main; sys.argv = ['cases', 'show', 'P2'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('sqlite_utils' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    assert result.stderr.strip().endswith("False"), result.stderr
