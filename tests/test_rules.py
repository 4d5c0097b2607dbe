"""One rule per value, whichever door it comes through: add, edit and import.

Each rule of the catalogue is tried with the same bad value through all three
doors; each refuses it with the same words, and changes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

# rule: (add command, edit command, (file, column, bad cell), words every door uses)
RULES = {
    "URL scheme": (
        ["add", "source", "Report", "--url", "javascript:alert(1)"],
        ["edit", "S1", "--set", "url=javascript:alert(1)"],
        ("sources.csv", "url", "javascript:alert(1)"),
        "must start with http:// or https://",
    ),
    "detention order": (
        ["add", "detention", "P1", "--start", "2019-05", "--end", "2019-01"],
        ["edit", "D1", "--set", "end=2001-01-01"],
        ("detentions.csv", "end", "2001-01-01"),
        "before it starts",
    ),
    "vocabulary": (
        ["add", "event", "P1", "--date", "2019", "--kind", "party"],
        ["edit", "E1", "--set", "kind=party"],
        ("events.csv", "kind", "party"),
        "unknown event kind 'party'; use one of: border-crossing",
    ),
    "date": (
        ["add", "person", "Cora New", "--born", "2019-02-30"],
        ["edit", "P1", "--set", "born=2019-02-30"],
        ("people.csv", "born", "2019-02-30"),
        "cannot read date '2019-02-30' (Feb 2019 has 28 days)",
    ),
    "required field": (
        ["add", "source", "  "],
        ["edit", "S1", "--set", "title="],
        ("sources.csv", "title", ""),
        "must not be empty",
    ),
    "number range": (
        ["add", "source", "Report", "--reliability", "9"],
        ["edit", "S1", "--set", "reliability=9"],
        ("sources.csv", "reliability", "9"),
        "reliability 9 is out of range; use 0 (lowest) to 4 (highest)",
    ),
    "whole number": (
        ["add", "ruling", "P1", "--date", "2019", "--outcome", "convicted", "--months", "six"],
        ["edit", "R1", "--set", "months=six"],
        ("rulings.csv", "months", "six"),
        "months must be a whole number, not 'six'",
    ),
}


@pytest.fixture
def recorded(run, tmp_path: Path) -> Path:
    """One record of each kind, and an export of them in export/."""
    run("add", "source", "Report", "--url", "https://example.org/r")
    run("add", "person", "Ayan Test")
    run("add", "detention", "P1", "--start", "2019-02", "--end", "2019-06")
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest")
    run("add", "trial", "P1", "--court", "Court")
    run("add", "ruling", "P1", "--date", "2019", "--outcome", "convicted", "--months", "6")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    return folder


def _set_cell(path: Path, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_every_door_refuses_the_same_value_the_same_way(
    fails_cleanly, recorded: Path, rule: str
) -> None:
    add, edit, (file, column, cell), words = RULES[rule]
    by_add = fails_cleanly(*add)
    by_edit = fails_cleanly(*edit)
    _set_cell(recorded / file, column, cell)
    by_import = fails_cleanly("import", "csv", str(recorded))
    for door, message in (("add", by_add), ("edit", by_edit), ("import", by_import)):
        assert words in message, (door, message)
    assert f"{file}, line 2:" in by_import


@pytest.mark.parametrize(
    ("command", "table", "field"),
    [
        (["add", "event"], "events", "kind"),
        (["add", "ruling"], "rulings", "outcome"),
        (["add", "asylum"], "asylum", "decision"),
        (["add", "person"], "people", "sex"),
    ],
)
def test_the_help_lists_each_vocabulary_from_the_catalogue(command, table, field) -> None:
    from typer.testing import CliRunner

    from cases.catalogue import TABLE
    from cases.cli import app

    words = TABLE[table].field(field).choices
    shown = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "400"}).stdout
    assert ", ".join(words) in shown


def test_the_shell_completes_a_vocabulary(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "_CASES_COMPLETE": "complete_bash",
        "COMP_WORDS": "cases add event P1 --kind bo",
        "COMP_CWORD": "5",
        "CASES_DB": str(tmp_path / "none.db"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "cases"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == ["border-crossing"], result.stderr


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def _cell(path: Path, line: int, column: str) -> str:
    rows = _rows(path)
    return rows[line - 1][rows[0].index(column)]


def _change(path: Path, line: int, **cells: str) -> None:
    rows = _rows(path)
    for column, value in cells.items():
        rows[line - 1][rows[0].index(column)] = value
    _write_rows(path, rows)


def _repeat(path: Path, line: int, **cells: str) -> None:
    """Add a copy of LINE with a new uid and CELLS changed."""
    rows = _rows(path)
    copy = list(rows[line - 1])
    copy[rows[0].index("uid")] = "repeated-row-uid"
    for column, value in cells.items():
        copy[rows[0].index(column)] = value
    _write_rows(path, [*rows, copy])


@pytest.fixture
def involved(run, tmp_path: Path) -> Path:
    """Two people and an organisation, a relation, an event with a participant, a
    citation; exported to export/."""
    run("add", "person", "Ayan Test")
    run("add", "person", "Berik Test")
    run("add", "org", "Test Committee")
    run("add", "source", "Report", "--url", "https://example.org/r")
    run("add", "relation", "P1", "P2", "--kind", "sibling")
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest", "--with", "P2=witness")
    run("cite", "E1", "--source", "S1", "--according-to", "P2")
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    return folder


# what add refuses, and the same fact written into an export: (add, change, words)
REFUSED_BY_ADD_AND_IMPORT = {
    "related to oneself": (
        ["add", "relation", "P1", "P1", "--kind", "sibling"],
        lambda f: _change(
            f / "relations.csv", 2, other_uid=_cell(f / "relations.csv", 2, "person_uid")
        ),
        "a person cannot be related to themselves",
    ),
    "an actor twice in one fact": (
        [
            "add",
            "event",
            "P1",
            "--date",
            "2019",
            "--kind",
            "arrest",
            "--with",
            "P2",
            "--with",
            "P2",
        ],
        lambda f: _repeat(f / "participants.csv", 2, role="victim"),
        "an actor takes part in a fact once",
    ),
    "the subject also a participant": (
        ["add", "event", "P1", "--date", "2019", "--kind", "arrest", "--with", "P1=victim"],
        lambda f: _change(f / "participants.csv", 2, person_uid=_cell(f / "people.csv", 2, "uid")),
        "a fact's subject (or a trial's party) is not also one of its participants",
    ),
}


@pytest.mark.parametrize("case", REFUSED_BY_ADD_AND_IMPORT, ids=str)
def test_import_refuses_what_add_refuses(fails_cleanly, involved: Path, case: str) -> None:
    add, change, words = REFUSED_BY_ADD_AND_IMPORT[case]
    assert words in fails_cleanly(*add)
    change(involved)
    assert words in fails_cleanly("import", "csv", str(involved))


def test_import_refuses_a_claim_attributed_to_two_actors(fails_cleanly, involved: Path) -> None:
    org = _cell(involved / "organisations.csv", 2, "uid")
    _change(involved / "citations.csv", 2, according_to_org_uid=org)
    message = fails_cleanly("import", "csv", str(involved))
    assert "citations.csv, line 2: a claim is attributed to one person or organisation" in message


def test_import_refuses_a_uid_that_names_a_record_of_another_kind(
    fails_cleanly, involved: Path
) -> None:
    person = _cell(involved / "people.csv", 2, "uid")
    _change(involved / "organisations.csv", 2, uid=person)
    message = fails_cleanly("import", "csv", str(involved))
    assert f"organisations.csv, line 2: uid {person} is already the uid of a record of people" in (
        message
    )
