"""Evidence: cite, uncite, uncited, attributions, quotes, relayed sources and
what a source supports (issue 17), through the CLI."""

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
def reported(run) -> None:
    """An arrest from one report; a follow-up report comes later."""
    run("add", "source", "First report", "--publisher", "RFE/RL", "--date", "2019-03")
    run("add", "person", "Serikzhan Bilash")
    run("add", "org", "Almaty police", "--kind", "police")
    run("add", "event", "P1", "--date", "2019-03", "--kind", "arrest", "--source", "S1")
    run("add", "event", "P1", "--date", "2019-08", "--kind", "release")
    run(
        "add",
        "source",
        "Follow-up report",
        "--author",
        "Sergey Kwan",
        "--author",
        "Second Author",
        "--language",
        "en",
        "--accessed",
        "2026-11-01",
        "--relays",
        "S1",
    )


def test_a_follow_up_report_is_cited_with_its_words(run, run_json, reported) -> None:
    cited = run_json(
        "cite",
        "E1",
        "E2",
        "--source",
        "S2",
        "--quote",
        "detained in Almaty",
        "--page",
        "2",
        "--according-to",
        "Almaty police",
    )
    assert cited == {"source_ref": "S2", "cited": ["E1", "E2"]}
    shown = run_json("show", "Serikzhan Bilash")
    arrest = shown["events"][0]
    assert {c["source_ref"] for c in arrest["citations"]} == {"S1", "S2"}
    follow_up = next(c for c in arrest["citations"] if c["source_ref"] == "S2")
    assert follow_up == {
        "source_ref": "S2",
        "quote": "detained in Almaty",
        "page": "2",
        "according_to": "Almaty police",
        "according_to_ref": "O1",
    }
    text = run("show", "Serikzhan Bilash").stdout
    assert "“detained in Almaty”, p. 2, according to Almaty police" in text
    # citing again with the same source updates the one citation
    run("cite", "E1", "--source", "S2", "--quote", "arrested in Almaty")
    again = run_json("show", "P1")["events"][0]["citations"]
    assert [c["quote"] for c in again if c["source_ref"] == "S2"] == ["arrested in Almaty"]
    assert [c["page"] for c in again if c["source_ref"] == "S2"] == ["2"]  # kept


@pytest.mark.sqlite_only("reads the file's rows")
def test_uncite_and_undo(run, run_json, reported, database: Path) -> None:
    before = data_dump(database)
    run("cite", "E1", "--source", "S2")
    run("uncite", "E1", "--source", "S2")
    assert [c["source_ref"] for c in run_json("show", "P1")["events"][0]["citations"]] == ["S1"]
    run("undo")
    run("undo")
    assert data_dump(database) == before
    log = run_json("log")
    assert [entry["summary"].split(" (")[0] for entry in log[:2]] == [
        "uncited S2 for E1",
        "cited S2 for E1",
    ]


def test_uncited_is_the_worklist_oldest_first(run, run_json, reported) -> None:
    run("add", "relation", "P1", "O1", "--kind", "member")
    assert [(f["ref"], f["date"]) for f in run_json("uncited")] == [
        ("E2", "2019-08"),
        ("L1", None),
    ]
    assert "E2" in run("uncited").stdout
    run("cite", "E2", "L1", "--source", "S1")
    assert run_json("uncited") == []
    assert "every fact cites a source" in run("uncited").stdout


def test_show_source_lists_what_it_supports(run, run_json, reported) -> None:
    run("cite", "E1", "--source", "S2", "--quote", "detained", "--according-to", "P1")
    shown = run_json("show", "S2")
    source = shown["source"]
    assert source["authors"] == ["Sergey Kwan", "Second Author"]
    assert (source["language"], source["accessed"], source["relays_ref"]) == (
        "en",
        "2026-11-01",
        "S1",
    )
    [line] = shown["supports"]
    assert (line["ref"], line["actor_ref"], line["quote"], line["according_to_ref"]) == (
        "E1",
        "P1",
        "detained",
        "P1",
    )
    original = run_json("show", "S1")
    assert [r["ref"] for r in original["relayed_by"]] == ["S2"]
    text = run("show", "S2").stdout
    assert "Relays" in text and "“detained”" in text


def test_add_takes_according_to_for_its_sources(run, run_json, reported) -> None:
    run(
        "add",
        "detention",
        "P1",
        "--start",
        "2019-03",
        "--end",
        "2019-08",
        "--source",
        "S1",
        "--according-to",
        "Almaty police",
    )
    [citation] = run_json("show", "P1")["detentions"][0]["citations"]
    assert (citation["according_to"], citation["according_to_ref"]) == ("Almaty police", "O1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cite", "E9", "--source", "S1"], "no event E9"),
        (["cite", "E1", "--source", "S9"], "no source S9"),
        (["cite", "E1", "--source", "a newspaper"], "unknown source"),
        (["cite", "S1", "--source", "S2"], "relays"),
        (["cite", "E1", "--source", "S1", "--quote", " "], "must not be empty"),
        (["cite", "E1", "--source", "S1", "--according-to", "Nobody Known"], "no person named"),
        (["uncite", "E2", "--source", "S1"], "E2 does not cite S1"),
        (["uncite", "E1", "--source", "P1"], "not a source reference"),
        (["add", "source", "T", "--language", "klingon"], "language"),
        (["add", "source", "T", "--language", "xx"], "language"),
        (["add", "source", "T", "--relays", "S9"], "no source S9"),
        (["show", "S9"], "no source S9"),
    ],
)
def test_bad_evidence_is_a_clean_user_error(fails_cleanly, reported, args, message) -> None:
    assert message in fails_cleanly(*args)


def test_a_repeated_single_value_option_is_a_usage_error(run, reported) -> None:
    result = run("cite", "E1", "--source", "S1", "--quote", "a", "--quote", "b", ok=False)
    assert result.exit_code == 2 and "--quote" in result.stderr


def test_citations_round_trip_and_stay_out_when_private(
    run, run_json, reported, tmp_path: Path, database: Path
) -> None:
    run("add", "person", "Hidden Witness", "--private")
    run("cite", "E1", "--source", "S2", "--quote", "as the witness saw", "--according-to", "P2")
    run("add", "event", "P1", "--date", "2019-04", "--kind", "hearing", "--private")
    run("cite", "E3", "--source", "S2", "--quote", "a closed hearing")
    first, _, copy = round_trip(run, tmp_path)
    with (first / "citations.csv").open(encoding="utf-8", newline="") as handle:
        assert {row["quote"] for row in csv.DictReader(handle)} >= {
            "as the witness saw",
            "a closed hearing",
        }
    public = run("export", "json").stdout
    for secret in ("as the witness saw", "a closed hearing", "Hidden Witness"):
        assert secret not in public
    citations = json.loads(public)["tables"]["citations"]
    assert len(citations) == 1  # the first report's citation of the arrest
    assert_search_index_matches_records(copy)  # the file the round trip imported into


def test_merge_keeps_the_citations_of_the_merged_name(run, run_json) -> None:
    run("add", "source", "A report")
    run("add", "person", "Sairagul Sauytbay")
    run("add", "person", "Sayragul Sauytbay", "--source", "S1")
    run("merge", "P2", "--into", "P1")
    [alias] = run_json("show", "P1")["aliases"]
    assert alias["name"] == "Sayragul Sauytbay"
    assert [c["source_ref"] for c in alias["citations"]] == ["S1"]


def test_a_cited_url_already_recorded_is_reused(run, run_json) -> None:
    run("add", "source", "A report", "--url", "https://example.org/r1")
    run("add", "person", "Ayan Test", "--source", "https://example.org/r1")
    assert len(run_json("list", "sources")) == 1
