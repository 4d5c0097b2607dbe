"""The sample cases from the five seed reports: loaded, cited, and read as a fact-checker would.

Dates follow each report's own evidence: seed 001 says "In August last year, the
United Nations said" of the August 2018 statement, so it is a 2019 report, and
seed 000 follows it (Aqan's December ruling comes after her 12 Nov 2019 hearing).
"""

from __future__ import annotations

import io

import pytest

from cases.render import make_console, print_summary
from cases.render.stream import print_table_stream
from cases.render.tables import timeline_columns

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")


def test_every_fact_cites_a_report_with_its_words(run, run_json, sample) -> None:
    assert run_json("uncited") == []
    for item in run_json("timeline"):
        assert item["sources"], item
    actors = [*run_json("list", "people"), *run_json("list", "orgs")]
    for actor in actors:
        shown = run_json("show", actor["ref"])
        assert shown["sources"], actor
        # every citation of the sample carries the report's own words
        for source in shown["sources"]:
            assert source["cited_for"], (actor["ref"], source["ref"])
            assert all(cited["quote"] for cited in source["cited_for"])
    sources = run_json("list", "sources")
    assert {s["publisher"] for s in sources} == {"RFE/RL", "The Times of Central Asia"}
    assert all(s["title"] and s["date"] and s["language"] == "en" for s in sources)


def test_loading_twice_changes_nothing(run, run_json, sample) -> None:
    before = run_json("stats")
    run("init", "--sample")
    assert run_json("stats") == before


def test_the_relayed_report(run_json, sample) -> None:
    tca = next(s for s in run_json("list", "sources") if s["publisher"] != "RFE/RL")
    shown = run_json("show", tca["ref"])
    assert shown["source"]["authors"] == ["Sergey Kwan"]
    assert shown["source"]["relays"].startswith("RFE/RL report")
    refs = {line["ref"] for line in shown["supports"]}
    assert len(refs) >= 8  # Sauytbay's trial, ruling, denial, lawyer...
    original = run_json("show", shown["source"]["relays_ref"])
    assert [r["ref"] for r in original["relayed_by"]] == [tca["ref"]]


def test_tabarikuly(run_json, sample) -> None:
    shown = run_json("show", "Tilek Tabarikuly")
    custody = shown["status"]["custody"]
    assert custody["kind"] == "serving"
    assert custody["text"] == (
        "serving 6 months (labor camp) from Oct 2019; "
        "release expected between 16 Jan 2020 and 13 Feb 2020"
    )
    [ruling] = shown["rulings"]
    assert ruling["date"] == "2020-01-16"
    assert (ruling["outcome"], ruling["sentence_kind"], ruling["months"]) == (
        "convicted",
        "labor-camp",
        6,
    )
    assert (ruling["pretrial_credit"], ruling["deportation"]) == (2, "refused")
    [trial] = shown["trials"]
    assert trial["place"] == "Zharkent" and trial["judge"] == "Dinara Quiqabaeva"
    assert trial["judge_ref"] is not None and trial["court_ref"] is not None
    [detention] = shown["detentions"]
    assert (detention["start"], detention["kind"]) == ("2019-10", "pretrial")
    # ended by the ruling that sentenced him: 77 to 107 days
    assert (detention["days_min"], detention["days_max"]) == (77, 107)
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds[:3] == ["other", "travel", "documents-confiscated"]
    assert "border-crossing" in kinds and "testimony" in kinds
    parents = [r for r in shown["relations"] if r["kind"] == "parent"]
    assert len(parents) == 2 and all(r["other"].startswith("[") for r in parents)
    judge = run_json("show", "Dinara Quiqabaeva")
    assert judge["status"] is None
    assert [a["description"] for a in judge["appearances"]] == [
        f"judge in {trial['ref']}: Tilek Tabarikuly"
    ]


def test_aqan(run_json, sample) -> None:
    shown = run_json("show", "Qaisha Aqan")
    assert shown["person"]["born"] == "1982-11-13/1983-11-12"
    [asylum] = shown["asylum"]
    assert (asylum["date"], asylum["decision"]) == ("2019-11-11", "asylum-seeker-status")
    assert asylum["citations"][0]["according_to"] == "Qaisha Aqan"
    [ruling] = shown["rulings"]
    assert (ruling["date"], ruling["sentence_kind"], ruling["months"]) == (
        "2019-12",
        "suspended",
        6,
    )
    crossing = [e for e in shown["events"] if e["kind"] == "border-crossing"][0]
    assert crossing["date"] == "2018-05"
    testimony = [e for e in shown["events"] if e["kind"] == "testimony"][0]
    assert testimony["date"] == "2019-11-12"
    family = sorted(r["description"] for r in shown["relations"])
    assert family == [
        "child: [son of Qaisha Aqan and her ex-husband]",
        "parent: [Qaisha Aqan's mother]",
        "spouse: [Qaisha Aqan's ex-husband] (until before 13 Nov 2019)",
    ]


@pytest.mark.parametrize("name", ["Murager Alimuly", "Qaster Musakhanuly"])
def test_zaisan_defendants_share_one_trial(run_json, sample, name: str) -> None:
    shown = run_json("show", name)
    assert shown["status"]["custody"]["text"] == "detained (pretrial) since Oct 2019"
    [trial] = shown["trials"]
    assert trial["place"] == "Zaisan" and len(trial["parties"]) == 2
    assert shown["asylum"][0]["decision"] == "asylum-seeker-status"
    assert shown["asylum"][0]["date"] == "2019-10"
    kinds = {e["kind"] for e in shown["events"]} | {a["summary"] for a in shown["appearances"]}
    assert {"arrest", "border-crossing"} <= kinds


def test_the_press_conference_is_one_event_with_two_people(run_json, sample) -> None:
    alimuly = run_json("show", "Murager Alimuly")
    [conference] = [e for e in alimuly["events"] if e["kind"] == "press-conference"]
    musakhanuly = run_json("show", "Qaster Musakhanuly")
    assert [a["role"] for a in musakhanuly["appearances"] if a["ref"] == conference["ref"]] == [
        "speaker"
    ]
    everyone = [i for i in run_json("timeline") if i["ref"] == conference["ref"]]
    assert {i["actor"] for i in everyone} == {"Murager Alimuly", "Qaster Musakhanuly"}


def test_sauytbay(run, run_json, sample) -> None:
    shown = run_json("show", "Sayragul Sauytbay")  # the spelling The Times of Central Asia uses
    assert shown["person"]["name"] == "Sairagul Sauytbay"
    assert "granted asylum (Sweden)" in shown["status"]["text"]
    assert shown["status"]["custody"]["text"] == "released Aug 2018"
    decisions = [(a["date"], a["decision"], a["country"]) for a in shown["asylum"]]
    assert decisions == [
        ("2018-10-05", "denied", "Kazakhstan"),
        ("../2019-01-29", "extended", "Kazakhstan"),
        ("2019-01-29/2019-11", "granted", "Sweden"),
    ]
    assert shown["asylum"][1]["until"] == "2019-04-25"
    assert shown["asylum"][0]["authority_ref"] is not None  # the migration committee
    [ruling] = shown["rulings"]
    assert (ruling["date"], ruling["extradition"], ruling["sentence_kind"]) == (
        "2018-08",
        "refused",
        "suspended",
    )
    assert shown["relations"][0]["description"] == "lawyer: Abzal Kuspanov"
    statuses = sorted(t["status"] for t in shown["trials"])
    assert statuses == ["decided", "investigation"]  # tried in Almaty; wanted in China
    assert len(shown["sources"]) == 4
    lawyer = run_json("show", "Abzal Kuspanov")
    assert lawyer["relations"][0]["description"] == "lawyer of Sairagul Sauytbay"


def test_bilash(run_json, sample) -> None:
    shown = run_json("show", "Serikzhan Bilash")
    [detention] = shown["detentions"]
    assert (detention["start"], detention["end"], detention["days"]) == ("2019-03", "2019-08", None)
    [ruling] = shown["rulings"]
    assert ruling["sentence_kinds"] == ["fine"]
    assert (ruling["fine_amount"], ruling["fine_currency"], ruling["outcome"]) == (
        300,
        "USD",
        "unknown",
    )
    assert shown["trials"][0]["charge"] == "inciting ethnic hatred"
    assert shown["sources"][0]["publisher"] == "RFE/RL"
    assert shown["relations"][0]["description"] == "leader of Atazhurt Volunteers"
    roles = {a["role"] for a in shown["appearances"]}
    assert {"victim", "subject"} <= roles  # Freedom Now's statement; its petition


def test_organisations_and_groups(run_json, sample) -> None:
    atazhurt = run_json("show", "Atajurt")  # folded spelling
    assert atazhurt["organisation"]["name"] == "Atazhurt Volunteers"
    assert {a["name"] for a in atazhurt["aliases"]} >= {"Atazhurt Eriktileri"}
    assert atazhurt["relations"][0]["description"] == "leader: Serikzhan Bilash"
    group = run_json("show", "Kazakhs from Barkol-Kazakh Autonomous County")
    assert (group["organisation"]["kind"], group["organisation"]["size"]) == ("group", "~30")
    [appeal] = group["communications"]
    assert (appeal["date"], appeal["kind"], appeal["place"]) == ("2019-01-28", "petition", "Almaty")
    trump = run_json("show", "Donald Trump")
    assert [a["role"] for a in trump["appearances"]] == ["addressee"]
    assert [a["ref"] for a in trump["appearances"]] == [appeal["ref"]]
    wgad = run_json("show", "UN Working Group on Arbitrary Detention")
    assert wgad["organisation"]["part_of"] == "United Nations"
    police = run_json("show", "Almaty regional police department")
    assert police["relations"][0]["description"] == "employee: Elmurat Nurseitov"


def test_every_sample_actor_reads_in_the_terminal(run_json, sample) -> None:
    actors = [*run_json("list", "people"), *run_json("list", "orgs")]
    for width in (80, 120):
        for actor in actors:
            summary = run_json("show", actor["ref"])
            out = io.StringIO()
            print_summary(make_console(out, width=width), summary)
            shown = out.getvalue()
            assert max(len(line) for line in shown.splitlines()) <= width
            assert actor["ref"] in shown


@pytest.mark.parametrize("width", [80, 120])
def test_views_fit_the_terminal(run_json, sample, width: int) -> None:
    items = run_json("timeline")
    out = io.StringIO()
    print_table_stream(make_console(out, width=width), timeline_columns(width), items, "none")
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width
    for item in items:
        assert item["ref"] in text
    for name in ("Tabarikuly", "Sauytbay", "Musakhanuly", "Bilash"):
        assert name in text
    for person in ("Sairagul Sauytbay", "Tilek Tabarikuly", "Serikzhan Bilash"):
        summary = run_json("show", person)
        out = io.StringIO()
        print_summary(make_console(out, width=width), summary)
        shown = out.getvalue()
        assert max(len(line) for line in shown.splitlines()) <= width
        assert summary["status"]["text"].split()[0] in shown
        for section in ("trials", "asylum", "detentions", "events"):
            for record in summary[section]:
                assert record["ref"] in shown, (width, record["ref"])
        for source in summary["sources"]:
            assert f"[{source['number']}] {source['ref']}" in shown
