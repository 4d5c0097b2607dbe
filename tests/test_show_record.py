"""``cases show REF`` of any record: its fields, the actors it involves with their
roles, what it is linked to and its citations; of a change, what it did."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import sample_rows

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")


def test_a_trial_whole(run_json, sample) -> None:
    trial = run_json("show", "T1")
    assert (trial["ref"], trial["record"], trial["charge"]) == (
        "T1",
        "trial",
        "illegal border crossing",
    )
    roles = {(a["role"], a["name"]) for a in trial["actors"]}
    assert {("defendant", "Tilek Tabarikuly"), ("court", "court in Zharkent")} <= roles
    assert any(role == "judge" for role, _ in roles)
    linked = {(item["ref"][0], item["how"]) for item in trial["linked"]}
    assert {("R", "ruling"), ("E", "event")} <= linked
    [citation] = trial["citations"]
    assert citation["source_ref"] == "S1" and citation["quote"]


def test_a_ruling_names_its_trial_and_the_fields_read_as_show_prints_them(
    run, run_json, sample
) -> None:
    ruling = run_json("show", "R1")
    assert [(item["ref"], item["how"]) for item in ruling["linked"]] == [("T1", "trial")]
    assert ["pretrial credit", "2"] in ruling["fields"]
    assert [a["role"] for a in ruling["actors"]] == ["subject"]
    text = run("show", "R1").stdout
    for words in ("R1", "labor camp", "Tilek Tabarikuly", "T1", "S1", "“handed a six-month"):
        assert words in text


def test_an_appeal_and_the_ruling_it_decides_name_each_other(run, run_json) -> None:
    run("init")
    run("add", "person", "Aqan")
    run("add", "trial", "Aqan", "--opened", "2019")
    run("add", "ruling", "Aqan", "--date", "2019-05", "--outcome", "convicted")
    run("add", "ruling", "Aqan", "--date", "2019-08", "--outcome", "upheld", "--appeal-of", "R1")
    appeal, first = run_json("show", "R2"), run_json("show", "R1")
    assert ("R1", "an appeal of") in [(i["ref"], i["how"]) for i in appeal["linked"]]
    assert ("R2", "an appeal of this") in [(i["ref"], i["how"]) for i in first["linked"]]


@pytest.mark.parametrize("ref", ["A1", "D1", "E1", "L1", "M1"])
def test_every_kind_shows_its_line_fields_actors_and_sources(
    run, run_json, sample, ref: str
) -> None:
    shown = run_json("show", ref)
    assert shown["ref"] == ref and shown["line"] and shown["fields"]
    assert shown["actors"] and all(a["ref"] and a["role"] for a in shown["actors"])
    assert shown["citations"]
    assert ref in run("show", ref).stdout


def test_a_relation_names_both_sides_in_their_parts(run_json, sample) -> None:
    relation = run_json("show", "L1")
    assert [(a["name"], a["role"]) for a in relation["actors"]] == [
        ("Sairagul Sauytbay", "subject"),
        ("Abzal Kuspanov", "lawyer"),
    ]


def test_a_record_without_sources_says_so(run) -> None:
    run("init")
    run("add", "person", "Aqan")
    run("add", "event", "Aqan", "--date", "2019", "--kind", "arrest", "Taken")
    assert "no source cited yet" in run("show", "E1").stdout


def test_a_private_record_is_shown_marked(run, run_json) -> None:
    run("init")
    run("add", "person", "Aqan")
    run("add", "detention", "Aqan", "--start", "2019", "--private")
    assert run_json("show", "D1")["private"] is True
    assert "(private)" in run("show", "D1").stdout


def test_a_change_says_what_it_did(run, run_json) -> None:
    run("init")
    run("add", "person", "Aqan")
    run("add", "event", "Aqan", "--date", "2019", "--kind", "arrest", "Taken")
    run("edit", "E1", "--set", "place=Almaty")
    run("delete", "E1", "--yes")
    log = {entry["command"]: entry["ref"] for entry in run_json("log")}
    did = {name: run_json("show", ref)["did"] for name, ref in log.items()}
    assert did["add person"] == [{"op": "added", "what": "person", "count": 1, "refs": ["P1"]}]
    assert did["edit"] == [{"op": "changed", "what": "event", "count": 1, "refs": ["E1"]}]
    assert {"op": "deleted", "what": "event", "count": 1, "refs": ["E1"]} in did["delete"]
    text = run("show", log["delete"]).stdout
    assert "Deleted" in text and "E1" in text and "delete" in text


def test_an_import_is_told_by_its_counts(run, run_json, sample) -> None:
    shown = run_json("show", "C1")
    assert shown["command"] == "init --sample"
    counted: dict[str, Any] = {d["what"]: d for d in shown["did"] if d["op"] == "added"}
    events = counted["events"]
    assert events["count"] == sample_rows("events")
    assert events["refs"][:2] == ["E1", "E2"] and len(events["refs"]) <= 20
    assert counted["citations"]["refs"] == []  # a citation has no reference of its own
    if events["count"] > len(events["refs"]):
        assert f"and {events['count'] - len(events['refs'])} more" in run("show", "C1").stdout


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("T99", "Error: no trial T99"),
        ("C99", "Error: no change C99; see 'cases log'"),
        ("M7", "Error: no communication M7"),
    ],
)
def test_a_reference_that_names_nothing(run, sample, fails_cleanly, ref: str, message: str) -> None:
    assert fails_cleanly("show", ref).startswith(message)


def test_a_deleted_record_says_what_became_of_it(run, fails_cleanly) -> None:
    run("init")
    run("add", "person", "Aqan")
    run("add", "event", "Aqan", "--date", "2019", "--kind", "arrest", "Taken")
    run("delete", "E1", "--yes")
    assert fails_cleanly("show", "E1").startswith("Error: E1 was deleted (change C")


def test_gone_references_say_where_they_went(run, fails_cleanly) -> None:
    run("add", "person", "Ayan Test")
    run("add", "person", "Ayan Tezt")
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest")
    run("merge", "P2", "--into", "P1")
    assert "P2 was merged into P1 (change C4)" in fails_cleanly("show", "P2")
    run("delete", "E1", "--yes")
    assert "E1 was deleted (change C5)" in fails_cleanly("edit", "E1", "--set", "summary=x")
    run("undo")  # the deletion: E1 is back
    run("edit", "E1", "--set", "summary=x")
    run("undo")
    run("undo")  # the merge: P2 is back, and was never merged
    run("show", "P2")
