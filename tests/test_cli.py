"""The command line as a program: packaging and version, usage errors (exit 2)
and user errors (exit 1, one Error: line), plain and JSON output, start-up."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cases import __version__
from tests.conftest import cases_process

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")


def test_version(run) -> None:
    assert run("--version").stdout.strip() == f"cases {__version__}"


def test_python_dash_m_and_console_script_run() -> None:
    result = cases_process("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cases {__version__}"


def test_usage_errors_exit_2(run) -> None:
    assert run("add", "person", "X", "--no-such-option", ok=False).exit_code == 2
    assert run("add", "person", ok=False).exit_code == 2
    assert run("frobnicate", ok=False).exit_code == 2


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
