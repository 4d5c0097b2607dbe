"""Texts that name a private actor never leave: attributions, authors, publishers
(issue 25's failures 1, 3 and 9, each reproduced from the command line first).

Every export a user can make (CSV, JSON, FollowTheMoney, a published site, a
chart) is read whole and searched for the private name and the words
attributed to them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

SECRET = "Hiddenwitness"
WORDS = "Zqwordsofthewitness"


def everything_exported(run, tmp_path: Path, name: str = "out") -> str:
    """Every byte of every public export, as text."""
    folder = tmp_path / name
    run("export", "csv", "--out", str(folder / "csv"), "--force")
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((folder / "csv").glob("*.csv")))
    text += run("export", "json").stdout
    text += run("export", "ftm").stdout
    run("publish", str(folder / "site"), "--force")
    conn = sqlite3.connect(folder / "site" / "cases.db")
    try:
        text += "\n".join(conn.iterdump())
    finally:
        conn.close()
    text += (folder / "site" / "metadata.json").read_text(encoding="utf-8")
    chart = folder / "chart.svg"
    run("chart", "--out", str(chart), "--force")
    return text + chart.read_text(encoding="utf-8")


def in_the_files(database: Path, text: str) -> bool:
    """Whether TEXT is anywhere in the bytes of the database or its journals (on
    a team database, of its tables' files on the server: see
    tests.postgres.in_the_database_files)."""
    import os

    from tests.postgres import in_the_database_files

    location = os.environ.get("CASES_DB", "")
    if location.startswith("postgresql://"):
        return in_the_database_files(location, text)
    needle = text.encode()
    return any(
        needle in path.read_bytes()
        for suffix in ("", "-wal", "-journal")
        if (path := Path(f"{database}{suffix}")).exists()
    )


@pytest.fixture
def attributed(run) -> None:
    """A public event cited by a public source, the claim made by a private actor."""
    run("add", "person", "Ayan Public")
    run("add", "source", "A report", "--url", "https://example.org/report")
    run("add", "event", "P1", "--date", "2019-05", "--kind", "arrest", "Arrested in Almaty")


ATTRIBUTORS = {
    "person": ("add", "person", f"Aigul {SECRET}", "--private"),
    "organisation": ("add", "org", f"{SECRET} Committee", "--private"),
    "unnamed": ("add", "person", "--unnamed", f"the {SECRET}'s neighbour", "--private"),
}


@pytest.mark.parametrize("who", ATTRIBUTORS)
@pytest.mark.parametrize(
    "change",
    [
        "delete",
        "purge",
        "merge",
    ],
)
def test_a_claim_attributed_to_a_private_actor_stays_hidden_whatever_becomes_of_them(
    run, database: Path, tmp_path: Path, attributed, who: str, change: str
) -> None:
    run(*ATTRIBUTORS[who])
    ref = "O1" if who == "organisation" else "P2"
    run("cite", "E1", "--source", "S1", "--quote", WORDS, "--according-to", ref)
    text = everything_exported(run, tmp_path, "before")
    assert SECRET not in text and WORDS not in text
    if change == "merge":
        if who == "organisation":
            run("add", "org", "Public Committee")
            run("merge", ref, "--into", "O2")
        else:
            run("add", "person", "Berik Public")
            run("merge", ref, "--into", "P3")
    else:
        run("delete", ref, "--yes", *(["--purge"] if change == "purge" else []))
    text = everything_exported(run, tmp_path, "after")
    assert SECRET not in text and WORDS not in text
    assert "Arrested in Almaty" in text  # the fact itself stays public
    if change == "purge":
        assert not in_the_files(database, SECRET)
    if change == "delete":
        run("undo")
        assert WORDS in run("export", "json", "--include-private").stdout


def test_a_claim_attributed_by_name_only_is_hidden_with_the_private_actor(
    run, tmp_path: Path, attributed
) -> None:
    """An attribution imported as text (no link) naming a private person."""
    run("add", "person", f"Aigul {SECRET}", "--private")
    run("cite", "E1", "--source", "S1", "--quote", WORDS, "--according-to", "P2")
    full = tmp_path / "full"
    run("export", "csv", "--out", str(full), "--include-private")
    citations = full / "citations.csv"
    lines = citations.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    link = header.index("according_to_person_uid")
    rows = [line.split(",") for line in lines[1:]]
    for row in rows:
        if WORDS in row:
            row[link] = ""
    citations.write_text(
        "\r\n".join([lines[0], *(",".join(row) for row in rows)]) + "\r\n", encoding="utf-8"
    )
    fresh = tmp_path / "fresh.db"
    run("--db", str(fresh), "import", "csv", str(full))
    out = tmp_path / "again"
    run("--db", str(fresh), "export", "csv", "--out", str(out))
    exported = (out / "citations.csv").read_text(encoding="utf-8")
    assert SECRET not in exported and WORDS not in exported


def test_authors_and_publishers_naming_a_private_actor_are_withheld(
    run, database: Path, tmp_path: Path
) -> None:
    run("add", "person", f"Aigul {SECRET}", "--private")
    run("add", "org", f"{SECRET} Press", "--private")
    run(
        "add",
        "source",
        "A public report",
        "--author",
        f"Aigul {SECRET}",
        "--author",
        "Daniyar Open",
        "--publisher",
        f"{SECRET} Press",
    )
    text = everything_exported(run, tmp_path, "before")
    assert SECRET not in text
    assert "Daniyar Open" in text and "A public report" in text
    run("delete", "P1", "--yes")
    run("delete", "O1", "--yes")
    assert SECRET not in everything_exported(run, tmp_path, "deleted")
    run("undo")
    run("undo")
    run("delete", "P1", "--yes", "--purge")
    run("delete", "O1", "--yes", "--purge")
    assert SECRET not in everything_exported(run, tmp_path, "purged")
    assert not in_the_files(database, SECRET)
    shown = run("show", "S1", "--json").stdout
    assert "Daniyar Open" in shown and SECRET not in shown


def test_a_source_relayed_by_a_private_source_is_private_when_new(
    run, run_json, tmp_path: Path
) -> None:
    run("add", "source", "Private notes", "--private", "--relays", "https://example.org/secret")
    listed = {source["url"]: source for source in run_json("list", "sources")}
    assert listed["https://example.org/secret"]["private"] is True
    text = everything_exported(run, tmp_path)
    assert "example.org/secret" not in text
    # a URL already recorded keeps its own mark
    run("add", "source", "Public report", "--url", "https://example.org/open")
    run("add", "source", "More notes", "--private", "--relays", "https://example.org/open")
    assert "example.org/open" in everything_exported(run, tmp_path, "again")


def test_public_texts_naming_a_private_person_are_pointed_out(run, tmp_path: Path) -> None:
    """Issue 25: what the rules cannot hide (a private person named in the free
    text of public records) is said on every export and listed by check."""
    run("add", "person", "Aigul Hiddenwitness", "--private", "--alias", "Айгуль Хидденвитнесс")
    run("add", "person", "Ayan Public")
    run(
        "add",
        "event",
        "P2",
        "--date",
        "2019-05",
        "--kind",
        "arrest",
        "Arrested after Hiddenwitness Aigul spoke",
    )  # other order
    run("add", "source", "Interview with Айгуль Хидденвитнесс")  # another script
    run("add", "event", "P2", "--date", "2019-06", "--kind", "release", "Released")
    run("cite", "E2", "--source", "S1", "--quote", "as aigul hiddenwitness told us")
    run("add", "event", "P2", "--date", "2019-07", "--kind", "hearing", "Aigul alone is no name")
    expected = "warning: 3 public texts name a private person: S1, E1 and a quote citing E2"
    for command in (
        ["export", "json"],
        ["export", "ftm"],
        ["export", "csv", "--out", str(tmp_path / "csv")],
        ["publish", str(tmp_path / "site")],
        ["chart", "--out", str(tmp_path / "chart.svg")],
    ):
        assert expected in run(*command).stderr, command
    assert "warning" not in run("export", "json", "--include-private").stderr
    checked = run("check")
    assert checked.stdout.startswith("ok")
    assert "the summary of E1 names P1, who is private" in checked.stderr
    assert "the title of S1 names P1" in checked.stderr
    assert "a quote citing E2 names P1" in checked.stderr
    assert "E3" not in checked.stderr
    run("edit", "E1", "--set", "private=yes")
    assert "2 public texts" in run("export", "json").stderr
