"""Communications (``M``): what an actor sends on someone's behalf and what came
back, through every door a kind of record has (add, show, list, timeline,
export and import, publish, FtM, chart), as CLI.md describes them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

PETITION = [
    "add",
    "communication",
    "Freedom Now",
    "--to",
    "UN Working Group on Arbitrary Detention",
    "--to",
    "Kazakh Ministry of Foreign Affairs",
    "--about",
    "Serikzhan Bilash",
    "--date",
    "2019-06",
    "--kind",
    "Urgent appeal",  # a vocabulary word as show prints it
    "--response",
    "opinion",
    "--reply-date",
    "2020-02",
    "--reply",
    "Found the detention arbitrary",
    "--source",
    "https://example.org/appeal",
    "Asked for his release",
]


@pytest.fixture
def petition(run, run_json) -> dict[str, Any]:
    """Freedom Now's appeal to two addressees about one person, with its reply."""
    run("init")
    run("add", "org", "Freedom Now", "--kind", "ngo")
    run("add", "org", "UN Working Group on Arbitrary Detention", "--kind", "un-body")
    run("add", "org", "Kazakh Ministry of Foreign Affairs", "--kind", "government")
    run("add", "person", "Serikzhan Bilash")
    return run_json(*PETITION)


def test_add_prints_the_reference_and_the_line(run) -> None:
    run("init")
    run("add", "org", "Freedom Now", "--kind", "ngo")
    run("add", "org", "UN Working Group on Arbitrary Detention", "--kind", "un-body")
    run("add", "org", "Kazakh Ministry of Foreign Affairs", "--kind", "government")
    run("add", "person", "Serikzhan Bilash")
    out = run(*PETITION).stdout
    assert out == "M1 Freedom Now: urgent appeal: Asked for his release\n"


def test_show_m1_has_the_sender_addressees_subject_reply_and_source(
    run, run_json, petition
) -> None:
    assert petition["ref"] == "M1"
    shown = run_json("show", "M1")
    assert (shown["kind"], shown["response"], shown["reply"]) == (
        "urgent-appeal",
        "opinion",
        "Found the detention arbitrary",
    )
    roles = [(a["name"], a["role"]) for a in shown["actors"]]
    assert roles == [
        ("Freedom Now", "sender"),
        ("UN Working Group on Arbitrary Detention", "addressee"),
        ("Kazakh Ministry of Foreign Affairs", "addressee"),
        ("Serikzhan Bilash", "subject"),
    ]
    assert [c["url"] for c in shown["citations"]] == ["https://example.org/appeal"]
    text = run("show", "M1").stdout
    for words in ("urgent appeal", "opinion", "Feb 2020", "addressee", "sender", "S1"):
        assert words in text


def test_it_shows_in_the_show_and_timeline_of_everyone_it_involves(run, run_json, petition) -> None:
    bilash = run_json("show", "Serikzhan Bilash")
    assert [a["ref"] for a in bilash["appearances"]] == ["M1"]
    sender = run_json("show", "Freedom Now")
    assert [m["ref"] for m in sender["communications"]] == ["M1"]
    for actor in ("Freedom Now", "Kazakh Ministry of Foreign Affairs", "Serikzhan Bilash"):
        items = run_json("timeline", actor)
        # sent in June 2019, answered in February 2020
        assert [(i["ref"], i["kind"], i["date"]) for i in items] == [
            ("M1", "communication", "2019-06"),
            ("M1", "reply", "2020-02"),
        ]
    replies = run_json("timeline", "--kind", "reply")
    assert {i["actor"] for i in replies} >= {"Serikzhan Bilash", "Freedom Now"}


def test_list_communications(run, run_json, petition) -> None:
    [listed] = run_json("list", "communications")
    assert (listed["ref"], listed["kind"], listed["response"]) == ("M1", "urgent-appeal", "opinion")
    assert "Freedom Now" in run("list", "communications").stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ["--kind", "fax"],
            "unknown communication kind 'fax'; use one of: petition, urgent-appeal",
        ),
        (["--response", "maybe"], "unknown response 'maybe'; use one of: pending"),
        (
            ["--reply-date", "2018"],
            "the reply (2018) comes before the communication was sent (2019-06)",
        ),
    ],
)
def test_bad_values_are_refused_by_name(
    run, petition, fails_cleanly, change: list[str], message: str
) -> None:
    args = list(PETITION)
    at = args.index(change[0])
    args[at + 1] = change[1]
    assert message in fails_cleanly(*args)


def test_addressees_are_required(run, petition, fails_cleanly) -> None:
    result = run(
        "add", "communication", "Freedom Now", "--date", "2019", "--kind", "letter", ok=False
    )
    assert result.exit_code == 2 and "--to" in result.stderr


def test_export_and_import_carry_it_with_its_participants(
    run, run_json, petition, tmp_path: Path
) -> None:
    folder = tmp_path / "shared"
    run("export", "csv", "--out", str(folder))
    assert "Found the detention arbitrary" in (folder / "communications.csv").read_text("utf-8")
    copy = tmp_path / "copy.db"
    run("--db", str(copy), "import", "csv", str(folder))
    shown = json.loads(run("--db", str(copy), "show", "M1", "--json").stdout)
    assert [a["role"] for a in shown["actors"]] == ["sender", "addressee", "addressee", "subject"]
    whole = json.loads(run("export", "json").stdout)["tables"]
    assert [row["uid"] for row in whole["communications"]] == [petition["uid"]]


def test_a_private_communication_stays_home(run, run_json, petition, tmp_path: Path) -> None:
    run("edit", "M1", "--set", "private=yes")
    exported = run("export", "json").stdout
    assert petition["uid"] not in exported and "Found the detention" not in exported
    site = tmp_path / "site"
    run("publish", str(site))
    assert b"Found the detention" not in (site / "cases.db").read_bytes()


def test_publish_ftm_and_chart_handle_it(run, petition, tmp_path: Path) -> None:
    site = tmp_path / "site"
    run("publish", str(site))
    conn = sqlite3.connect(site / "cases.db")
    try:
        kinds = {
            row[0]
            for row in conn.execute("SELECT kind FROM timeline WHERE fact = 'communications'")
        }
        found = conn.execute(
            "SELECT count(*) FROM communications_fts WHERE communications_fts MATCH 'arbitrary'"
        ).fetchone()
    finally:
        conn.close()
    assert kinds == {"communication", "reply"} and found == (1,)
    entities = [json.loads(line) for line in run("export", "ftm").stdout.splitlines()]
    [event] = [e for e in entities if e["id"].endswith(petition["uid"])]
    assert event["schema"] == "Event"
    assert event["properties"]["startDate"] == ["2019-06"]
    assert len(event["properties"]["involved"]) == 4
    chart = tmp_path / "chart.svg"
    run("chart", "Freedom Now", "--out", str(chart))
    drawn = chart.read_text("utf-8")
    assert "Jun 2019: urgent appeal: Asked for his release" in drawn
