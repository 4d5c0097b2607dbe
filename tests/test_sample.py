"""The sample cases from the five seed reports: loaded, cited, and read as a fact-checker would."""

from __future__ import annotations

import io

import pytest

from cases.render import make_console, print_summary, print_timeline


def test_every_record_cites_a_report(run, run_json, sample) -> None:
    for item in run_json("timeline"):
        assert item["sources"], item
    for person in run_json("list", "people"):
        assert run_json("show", person["ref"])["person"]["sources"], person
    sources = run_json("list", "sources")
    assert {s["publisher"] for s in sources} == {
        "RFE/RL",
        "RFE/RL's Kazakh Service",
        "The Times of Central Asia",
    }
    assert all(s["title"] and s["date"] for s in sources)


def test_loading_twice_changes_nothing(run, run_json, sample) -> None:
    before = run_json("stats")
    run("init", "--sample")
    assert run_json("stats") == before


def test_tabarikuly(run_json, sample) -> None:
    shown = run_json("show", "Tilek Tabarikuly")
    assert shown["status"]["text"] == "detained (pretrial) since Oct 2018"
    [ruling] = shown["rulings"]
    assert ruling["date"] == "2019-01-16"
    assert (ruling["outcome"], ruling["sentence_kind"], ruling["months"]) == (
        "convicted",
        "labor-camp",
        6,
    )
    assert ruling["deportation"] == "refused"
    [trial] = shown["trials"]
    assert trial["place"] == "Zharkent" and trial["judge"] == "Dinara Quiqabaeva"
    assert trial["judge_ref"] is not None
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds[:3] == ["other", "travel", "documents-confiscated"]
    assert "border-crossing" in kinds and "testimony" in kinds


def test_aqan(run_json, sample) -> None:
    shown = run_json("show", "Qaisha Aqan")
    assert shown["person"]["born"] == "1981/1982"
    [asylum] = shown["asylum"]
    assert (asylum["date"], asylum["decision"]) == ("2018-11-11", "asylum-seeker-status")
    [ruling] = shown["rulings"]
    assert (ruling["date"], ruling["sentence_kind"], ruling["months"]) == (
        "2018-12",
        "suspended",
        6,
    )
    crossing = [e for e in shown["events"] if e["kind"] == "border-crossing"][0]
    assert crossing["date"] == "2018-05"
    testimony = [e for e in shown["events"] if e["kind"] == "testimony"][0]
    assert testimony["date"] == "2018-11-12"


@pytest.mark.parametrize("name", ["Murager Alimuly", "Qaster Musakhanuly"])
def test_zaisan_defendants_share_one_trial(run_json, sample, name: str) -> None:
    shown = run_json("show", name)
    assert shown["status"]["text"] == "detained (pretrial) since Oct 2018"
    [trial] = shown["trials"]
    assert trial["place"] == "Zaisan" and len(trial["parties"]) == 2
    assert shown["asylum"][0]["decision"] == "asylum-seeker-status"
    assert {e["kind"] for e in shown["events"]} >= {"press-conference", "arrest", "border-crossing"}


def test_sauytbay(run, run_json, sample) -> None:
    shown = run_json("show", "Sayragul Sauytbay")  # the spelling The Times of Central Asia uses
    assert shown["person"]["name"] == "Sairagul Sauytbay"
    assert shown["status"]["text"] == "granted asylum (Sweden)"
    decisions = [(a["date"], a["decision"], a["country"]) for a in shown["asylum"]]
    assert decisions == [
        ("2018-10-05", "denied", "Kazakhstan"),
        ("2019-01-28", "extended", "Kazakhstan"),
        ("2019-01-28/..", "granted", "Sweden"),
    ]
    assert shown["asylum"][1]["until"] == "2019-04-25"
    [ruling] = shown["rulings"]
    assert (ruling["date"], ruling["extradition"], ruling["sentence_kind"]) == (
        "2018-08",
        "refused",
        "suspended",
    )
    assert shown["relations"][0]["description"] == "lawyer: Abzal Kuspanov"
    assert shown["trials"][0]["lawyer_ref"] is not None
    assert len(shown["sources"]) == 4


def test_bilash(run_json, sample) -> None:
    shown = run_json("show", "Serikzhan Bilash")
    [detention] = shown["detentions"]
    assert (detention["start"], detention["end"], detention["days"]) == ("2019-03", "2019-08", None)
    [ruling] = shown["rulings"]
    assert ruling["sentence_kind"] == "fine"
    assert shown["trials"][0]["charge"] == "inciting ethnic hatred"
    assert shown["sources"][0]["publisher"] == "RFE/RL"


@pytest.mark.parametrize("width", [80, 120])
def test_views_fit_the_terminal(run_json, sample, width: int) -> None:
    items = run_json("timeline")
    out = io.StringIO()
    print_timeline(make_console(out, width=width), items)
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
        assert (
            summary["status"]["text"] in shown.replace("\n", " ")
            or summary["status"]["text"].split()[0] in shown
        )
        for section in ("trials", "asylum", "detentions", "events"):
            for record in summary[section]:
                assert record["ref"] in shown, (width, record["ref"])
        for source in summary["sources"]:
            assert f"[{source['number']}] {source['ref']}" in shown
