"""Actors: organisations and groups, unnamed people, participants, relations
between any actors, and texts that name an actor (issue 16), through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import assert_search_index_matches_records, round_trip
from tests.test_safety import data_dump

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def world(run) -> None:
    """A small world: two people, an NGO with an alias, a group, a court."""
    run("add", "person", "Serikzhan Bilash")
    run("add", "person", "Sairagul Sauytbay", "--sex", "female")
    run(
        "add",
        "org",
        "Atazhurt Volunteers",
        "--alias",
        "Atazhurt Eriktileri",
        "--kind",
        "ngo",
        "--country",
        "Kazakhstan",
    )
    run("add", "org", "Barkol Kazakhs", "--kind", "group", "--size", "~30")
    run("add", "org", "court in Almaty", "--kind", "court")


def test_an_organisation_is_an_actor_like_a_person(run, run_json, world) -> None:
    shown = run_json("show", "Atajurt")  # a folded spelling finds it
    org = shown["organisation"]
    assert (org["ref"], org["name"], org["kind"], org["country"]) == (
        "O1",
        "Atazhurt Volunteers",
        "ngo",
        "Kazakhstan",
    )
    assert [a["name"] for a in shown["aliases"]] == ["Atazhurt Eriktileri"]
    assert run_json("show", "Atazhurt Eriktileri")["organisation"]["ref"] == "O1"
    group = run_json("show", "O2")["organisation"]
    assert (group["kind"], group["size"]) == ("group", "~30")
    assert "about 30" in run("show", "O2").stdout
    assert [o["ref"] for o in run_json("list", "orgs")] == ["O1", "O2", "O3"]
    hits = run_json("search", "Eriktileri")
    assert hits[0]["actor_ref"] == "O1" and hits[0]["person_ref"] is None
    run("edit", "O1", "--set", "name=Atazhurt Eriktileri Volunteers")
    aliases = {a["name"] for a in run_json("show", "O1")["aliases"]}
    assert "Atazhurt Volunteers" in aliases  # a rename keeps the old name
    run("undo")
    assert run_json("show", "O1")["organisation"]["name"] == "Atazhurt Volunteers"


def test_dupes_and_merge_of_organisations(run, run_json, world) -> None:
    run("add", "org", "Atajurt Volunteers", "--kind", "ngo", "--note", "the same NGO")
    run("add", "event", "O4", "--date", "2019", "--kind", "petition", "A petition")
    pairs = run_json("dupes")
    assert any({p["ref"], p["other_ref"]} == {"O1", "O4"} for p in pairs)
    run("merge", "O4", "--into", "O1")
    shown = run_json("show", "O1")
    assert [e["kind"] for e in shown["events"]] == ["petition"]
    assert "Atajurt Volunteers" in {a["name"] for a in shown["aliases"]}
    assert "O4 was merged into O1" in run("show", "O4", ok=False).stderr
    run("delete", "O2", "--yes")
    assert [o["ref"] for o in run_json("list", "orgs")] == ["O1", "O3"]


def test_an_unnamed_person_is_a_description_never_a_name(run, run_json, fails_cleanly) -> None:
    run("add", "person", "Qaisha Aqan", "--sex", "female")
    added = run_json("add", "person", "--unnamed", "Qaisha Aqan's mother", "--sex", "female")
    assert (added["ref"], added["name"], added["description"]) == (
        "P2",
        None,
        "Qaisha Aqan's mother",
    )
    run("add", "relation", "Qaisha Aqan", "P2", "--kind", "parent")
    shown = run_json("show", "Qaisha Aqan")
    assert shown["relations"][0]["description"] == "parent: [Qaisha Aqan's mother]"
    mother = run_json("show", "P2")
    assert mother["relations"][0]["description"] == "parent of Qaisha Aqan"
    assert mother["status"] is None
    assert "[unnamed] Qaisha Aqan's mother" in run("show", "P2").stdout
    # never matched as a name, never offered as a duplicate
    assert "no person named" in fails_cleanly("show", "Qaisha Aqan's mother")
    run("add", "person", "--unnamed", "Qaisha Aqan's mother (another report)")
    assert run_json("dupes") == []
    # a name given later makes them an ordinary person
    run("edit", "P2", "--set", "name=Aigerim Aqan")
    assert run_json("show", "Aigerim Aqan")["person"]["ref"] == "P2"
    missing = run("add", "person", ok=False)  # a missing argument is a usage error
    assert missing.exit_code == 2 and "--unnamed" in missing.stderr


def test_a_fact_shows_for_every_actor_it_involves(run, run_json, world) -> None:
    run(
        "add",
        "event",
        "Barkol Kazakhs",
        "--date",
        "2019-01-28",
        "--kind",
        "petition",
        "--place",
        "Almaty",
        "--with",
        "Atazhurt Volunteers=organizer",
        "--with",
        "Serikzhan Bilash",
        "Urged two presidents to help",
    )
    group = run_json("show", "O2")
    assert [e["ref"] for e in group["events"]] == ["E1"]
    ngo = run_json("show", "O1")
    assert [(a["ref"], a["role"]) for a in ngo["appearances"]] == [("E1", "organizer")]
    person = run_json("show", "Serikzhan Bilash")
    assert [(a["ref"], a["role"]) for a in person["appearances"]] == [("E1", "participant")]
    assert person["status"] is None  # no facts of their own: no status line
    assert "no status" not in run("show", "Serikzhan Bilash").stdout
    items = [i for i in run_json("timeline") if i["ref"] == "E1"]
    assert sorted((i["actor_ref"], i["role"]) for i in items) == [
        ("O1", "organizer"),
        ("O2", "subject"),
        ("P1", "participant"),
    ]
    assert [i["ref"] for i in run_json("timeline", "Atazhurt Volunteers")] == ["E1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "org", ""], "must not be empty"),
        (["add", "org", "X", "--kind", "club"], "ngo, court, police"),
        (["add", "org", "X", "--size", "lots"], "~30"),
        (["add", "org", "X", "--part-of", "Nowhere Org"], "no organisation named"),
        (
            ["add", "event", "P1", "--date", "2019", "--kind", "arrest", "--with", "O1=boss"],
            "victim",
        ),
        (["add", "event", "P1", "--date", "2019", "--kind", "arrest", "--with", "P1"], "twice"),
        (["add", "relation", "P1", "O1", "--kind", "cousin"], "leader"),
        (["add", "relation", "P1", "P1", "--kind", "sibling"], "cannot be related to"),
        (
            [
                "add",
                "relation",
                "P1",
                "O1",
                "--kind",
                "member",
                "--since",
                "2019",
                "--until",
                "2018",
            ],
            "before",
        ),
        (["add", "person", "--unnamed", ""], "must not be empty"),
        (["show", "O9"], "no organisation O9"),
        (["add", "alias", "O1", "Atazhurt Volunteers"], "already"),
    ],
)
def test_bad_actor_input_is_a_clean_user_error(
    fails_cleanly, world, args: list[str], message: str
) -> None:
    assert message in fails_cleanly(*args)


def test_relations_between_any_actors_read_from_both_sides(run, run_json, world) -> None:
    run(
        "add",
        "relation",
        "Atazhurt Volunteers",
        "Serikzhan Bilash",
        "--kind",
        "leader",
        "--since",
        "2017",
    )
    assert run_json("show", "O1")["relations"][0]["description"] == (
        "leader: Serikzhan Bilash (since 2017)"
    )
    assert run_json("show", "P1")["relations"][0]["description"] == (
        "leader of Atazhurt Volunteers (since 2017)"
    )
    assert "leader of Atazhurt Volunteers" in run("show", "P1").stdout


def test_texts_that_name_an_actor_are_kept_and_linked(run, run_json, world) -> None:
    run("add", "person", "Abzal Kuspanov")
    trial = run_json(
        "add",
        "trial",
        "Sairagul Sauytbay",
        "--court",
        "court in Almaty",
        "--lawyer",
        "Abzal Kuspanov",
        "--lawyer",
        "Someone Unrecorded",
        "--judge",
        "Judge Unknown",
    )
    assert trial["court_ref"] == "O3"  # exactly the organisation's name
    assert [(n["name"], n["ref"]) for n in trial["lawyers"]] == [
        ("Abzal Kuspanov", "P3"),
        ("Someone Unrecorded", None),
    ]
    assert (trial["judge"], trial["judge_ref"]) == ("Judge Unknown", None)
    lawyer = run_json("show", "Abzal Kuspanov")
    assert [a["description"] for a in lawyer["appearances"]] == ["lawyer in T1: Sairagul Sauytbay"]
    court = run_json("show", "court in Almaty")
    assert [(a["ref"], a["role"]) for a in court["appearances"]] == [("T1", "court")]
    text = run("show", "Sairagul Sauytbay").stdout
    assert "lawyers: Abzal Kuspanov; Someone Unrecorded" in text
    run("edit", "T1", "--set", "judge=Abzal Kuspanov")
    assert run_json("list", "trials")[0]["judge_ref"] == "P3"


def test_an_alias_in_another_script_is_kept(run, run_json, fails_cleanly) -> None:
    run("add", "person", "Sairagul Sauytbay")
    run("add", "alias", "P1", "Сайрагуль Сауытбай")  # the same name, in Cyrillic
    assert [a["name"] for a in run_json("show", "P1")["aliases"]] == ["Сайрагуль Сауытбай"]
    assert run_json("show", "Сайрагуль Сауытбай")["person"]["ref"] == "P1"
    assert "already" in fails_cleanly("add", "alias", "P1", "Sairagul Sauytbay")
    assert "already" in fails_cleanly("add", "alias", "P1", "Сайрагуль Сауытбай")


def test_a_private_organisation_and_participant_never_leave(
    run, run_json, world, tmp_path: Path
) -> None:
    run("add", "org", "Secret Shelter Network", "--kind", "ngo", "--private")
    run(
        "add",
        "event",
        "Serikzhan Bilash",
        "--date",
        "2019",
        "--kind",
        "release",
        "--with",
        "Secret Shelter Network=organizer",
        "Released",
    )
    run("add", "relation", "Secret Shelter Network", "Sairagul Sauytbay", "--kind", "member")
    text = run("export", "json").stdout
    assert "Secret Shelter" not in text
    document = json.loads(text)["tables"]
    assert len(document["participants"]) == 0 and len(document["relations"]) == 0
    assert len(document["events"]) == 1  # the event itself is Bilash's, and public
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    assert "Secret Shelter" not in "".join(p.read_text() for p in out.iterdir())
    assert run("show", "O4").stdout.count("(private)") >= 1


def test_export_import_export_of_actors_is_identical(run, world, tmp_path: Path) -> None:
    run("add", "person", "--unnamed", "a relative")
    run("add", "relation", "Atazhurt Volunteers", "Serikzhan Bilash", "--kind", "leader")
    run(
        "add",
        "event",
        "Barkol Kazakhs",
        "--date",
        "2019",
        "--kind",
        "petition",
        "--with",
        "P3=victim",
    )
    run("add", "trial", "P2", "--court", "court in Almaty", "--lawyer", "Serikzhan Bilash")
    first, _, copy = round_trip(run, tmp_path)
    with (first / "organisations.csv").open(encoding="utf-8", newline="") as handle:
        assert [row["name"] for row in csv.DictReader(handle)] == [
            "Atazhurt Volunteers",
            "Barkol Kazakhs",
            "court in Almaty",
        ]


@pytest.mark.sqlite_only("compares the file's rows and full-text tables")
def test_every_actor_change_is_undone_exactly(run, database: Path, world) -> None:
    before = data_dump(database)
    run("add", "org", "Freedom Now", "--kind", "ngo", "--alias", "FN")
    run("add", "event", "O4", "--date", "2019", "--kind", "petition", "--with", "P1=victim")
    run("add", "relation", "O4", "P1", "--kind", "member")
    run("merge", "O4", "--into", "O1")
    for _ in range(4):
        run("undo")
    assert data_dump(database) == before
    assert_search_index_matches_records(database)


def test_a_dry_run_merge_uses_no_change_number(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "person", "Ayan Tezt")
    run("merge", "P2", "--into", "P1", "--dry-run")
    run("add", "person", "Berik Sample")
    assert [entry["ref"] for entry in run_json("log")][:1] == ["C3"]


def test_a_second_person_of_the_same_name_is_warned_and_a_rename_keeps_the_old(
    run, run_json
) -> None:
    run("add", "person", "Ayan Test")
    result = run("add", "person", "Ayan Test")
    assert "P1" in result.stderr  # the same person? says which
    added = run_json("add", "person", "Ayan Test")
    assert added["possible_duplicates"] == ["P1", "P2"]
    run("edit", "P1", "--set", "name=Ayana Test")
    assert [a["name"] for a in run_json("show", "P1")["aliases"]] == ["Ayan Test"]


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
