"""What the tool says, in words a user can act on: never "None", never a message
about something else (issue 25, failure 11)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import cases_process

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def unnamed(run) -> None:
    run("add", "person", "--unnamed", "the witness's mother", "--sex", "female")
    run("add", "person", "Named Person")
    run("add", "org", "Public Court", "--kind", "court")


def test_an_unnamed_person_reads_as_their_description_everywhere(run, unnamed) -> None:
    added = run("add", "trial", "P1", "--court", "Public Court").stdout
    assert "[the witness's mother] (defendant)" in added and "None" not in added
    listed = run("list", "people").stdout  # to a pipe: plain rows
    assert "[the witness's mother]" in listed
    merged = run("merge", "P1", "--into", "P2").stdout
    assert "merged P1 [the witness's mother] into Named Person" in merged
    assert "None" not in merged


def test_an_alias_of_an_unnamed_person_is_refused_saying_why(fails_cleanly, unnamed) -> None:
    message = fails_cleanly("add", "alias", "P1", "Another Name")
    assert "P1 is unnamed" in message and "--set name=" in message


def test_an_edit_that_changes_nothing_says_so(run, unnamed) -> None:
    assert "person unchanged" in run("edit", "P1", "--set", "name=").stdout
    assert "person updated: sex" in run("edit", "P1", "--set", "sex=male").stdout
    assert "person unchanged" in run("edit", "P1", "--set", "sex=male").stdout


def test_dupes_with_no_pair_says_there_is_none(run, unnamed) -> None:
    assert "no likely duplicates" in run("dupes").stdout


def test_a_new_encrypted_database_without_a_key_asks_for_one(tmp_path: Path) -> None:
    pytest.importorskip("sqlcipher3")
    database = tmp_path / "new.db"
    result = cases_process(
        "init", "--encrypt", database=database, stdin=subprocess.DEVNULL, env={"CASES_KEY": ""}
    )
    assert result.returncode == 1
    assert "a new encrypted database needs a key" in result.stderr
    assert "is encrypted" not in result.stderr
    assert not database.exists()
