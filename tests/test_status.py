"""Derived status and lengths a researcher can trust: the status rules one by one
(service functions), then through the CLI, with what check reports."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.service.status import Facts, detention_length, expected_release, status

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

# -- the status rules, one by one (service functions) -------------------------------


def _day(text: str | None, field: str) -> dict[str, str | None]:
    """A date field as stored: FIELD, FIELD_earliest, FIELD_latest (days or months)."""
    if text is None:
        return {field: None, f"{field}_earliest": None, f"{field}_latest": None}
    if len(text) == 7:  # a month
        year, month = map(int, text.split("-"))
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
        return {field: text, f"{field}_earliest": f"{text}-01", f"{field}_latest": last}
    return {field: text, f"{field}_earliest": text, f"{field}_latest": text}


def detention(id_: int, start: str, end: str | None = None, kind: str = "pretrial") -> dict:
    return {"id": id_, "kind": kind, **_day(start, "start"), **_day(end, "end")}


def ruling(id_: int, date: str, kinds: str | None, months: int | None = None, **more) -> dict:
    return {
        "id": id_,
        "outcome": more.pop("outcome", "convicted"),
        "sentence": None,
        "sentence_kinds": kinds,
        "months": months,
        **_day(date, "date"),
        **more,
    }


def event(id_: int, date: str, kind: str) -> dict:
    return {"id": id_, "kind": kind, **_day(date, "date")}


TODAY = dt.date(2026, 11, 30)


def custody(**facts) -> dict | None:
    found = status(
        Facts(
            facts.get("detentions", []),
            facts.get("asylum", []),
            facts.get("rulings", []),
            facts.get("events", []),
        ),
        TODAY,
    )
    return found["custody"] if found else None


def test_an_open_detention_is_detained_since_its_start() -> None:
    held = custody(detentions=[detention(1, "2019-10")])
    assert held == {"kind": "detained", "text": "detained (pretrial) since Oct 2019", "ref": "D1"}


def test_a_release_event_ends_an_open_detention() -> None:
    held = custody(detentions=[detention(1, "2019-03")], events=[event(4, "2019-08", "release")])
    assert held == {"kind": "released", "text": "released Aug 2019", "ref": "E4"}


def test_a_custodial_ruling_makes_it_serving_not_detained() -> None:
    # sentenced on 21 Jan 2020 to one year in prison: not "detained since Oct 2019"
    held = custody(
        detentions=[detention(1, "2019-10")],
        rulings=[ruling(2, "2020-01-21", "prison", 12)],
    )
    assert held is not None and held["kind"] == "serving"
    assert held["text"].startswith("serving 12 months (prison) from Oct 2019")
    assert held["ref"] == "R2"


def test_a_non_custodial_ruling_frees() -> None:
    held = custody(
        detentions=[detention(1, "2018-04")], rulings=[ruling(2, "2018-08-01", "suspended")]
    )
    assert held == {"kind": "free", "text": "free since 1 Aug 2018", "ref": "R2"}


def test_a_ruling_before_the_detention_does_not_end_it() -> None:
    held = custody(
        detentions=[detention(1, "2019-10")], rulings=[ruling(2, "2018-08", "suspended")]
    )
    assert held is not None and held["kind"] == "detained"


def test_the_latest_of_two_open_detentions_holds() -> None:
    held = custody(detentions=[detention(1, "2017-01", kind="camp"), detention(2, "2019-10")])
    assert held is not None and held["ref"] == "D2"


def test_an_ended_detention_of_unknown_start_does_not_hide_an_open_one() -> None:
    # years in a camp "before Nov 2019", then pretrial detention since Oct 2019
    camp = {
        "id": 1,
        "kind": "camp",
        "start": "../2019-11",
        "start_earliest": None,
        "start_latest": "2019-10-31",
        "end": "../2019-11",
        "end_earliest": None,
        "end_latest": "2019-10-31",
    }
    held = custody(detentions=[camp, detention(2, "2019-10")])
    assert held is not None and held["text"] == "detained (pretrial) since Oct 2019"


def test_an_ended_detention_is_released() -> None:
    held = custody(detentions=[detention(1, "2019-03", "2019-08")])
    assert held == {"kind": "released", "text": "released Aug 2019", "ref": "D1"}


def test_the_expected_release_counts_pretrial_days_at_the_credit() -> None:
    # Tabarikuly: six months, each pretrial day counted twice since Oct 2019,
    # sentenced 16 Jan 2020 (the report: "released in less than two weeks")
    window = expected_release(
        detention(1, "2019-10"), ruling(2, "2020-01-16", "labor-camp", 6, pretrial_credit=2)
    )
    assert window == (dt.date(2020, 1, 16), dt.date(2020, 2, 13))
    # held since 15 Oct: 93 days count as 186, more than the 182 of the sentence
    assert expected_release(
        detention(1, "2019-10-15"), ruling(2, "2020-01-16", "labor-camp", 6, pretrial_credit=2)
    ) == (dt.date(2020, 1, 16), dt.date(2020, 1, 16))
    # without a credit, the sentence runs six months from the start
    assert expected_release(detention(1, "2019-10-01"), ruling(2, "2020-01-16", "prison", 6)) == (
        dt.date(2020, 4, 1),
        dt.date(2020, 4, 1),
    )
    assert expected_release(detention(1, "2019-10"), ruling(2, "2020-01-16", "prison")) is None


def test_the_legal_part_names_the_latest_decision_and_ruling() -> None:
    found = status(
        Facts(
            [],
            [
                {"id": 1, "decision": "denied", "country": "Kazakhstan", "until": None}
                | _day("2018-10-05", "date")
                | _day(None, "until"),
                {"id": 2, "decision": "granted", "country": "Sweden", "until": None}
                | _day("2019-06", "date")
                | _day(None, "until"),
            ],
            [ruling(3, "2018-08", "suspended", extradition="refused")],
            [],
        ),
        TODAY,
    )
    assert found is not None
    assert [(p["kind"], p["ref"]) for p in found["legal"]] == [("asylum", "A2"), ("ruling", "R3")]
    assert found["text"] == (
        "granted asylum (Sweden); convicted Aug 2018: suspended; extradition refused"
    )


def test_lengths_are_ranges_when_dates_are_not_days() -> None:
    facts = Facts([], [], [], [])
    assert detention_length(detention(1, "2019-03", "2019-08"), facts, TODAY) == {
        "days_min": 123,
        "days_max": 183,
        "days": None,
        "open": False,
        "duration": None,
    }
    exact = detention_length(detention(1, "2019-03-01", "2019-08-01"), facts, TODAY)
    assert exact["days"] == 153
    still = detention_length(detention(1, "2026-11-01"), facts, TODAY)
    assert (still["days_min"], still["days_max"], still["open"]) == (0, 29, True)


# -- the failures the issue names, through the CLI ----------------------------------


def test_status_of_a_sentenced_man_in_the_cli(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "detention", "P1", "--start", "2019-10", "--kind", "pretrial")
    run(
        "add",
        "ruling",
        "P1",
        "--date",
        "2020-01-21",
        "--outcome",
        "convicted",
        "--sentence-kind",
        "prison",
        "--months",
        "12",
    )
    shown = run_json("show", "P1")
    assert shown["status"]["custody"]["kind"] == "serving"
    assert shown["status"]["text"].startswith("serving 12 months (prison) from Oct 2019")
    assert "serving 12 months" in run("show", "P1").stdout


def test_check_reports_contradictions_with_references(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    # released in August, yet the detention's recorded end is in December
    run("add", "detention", "P1", "--start", "2019-03", "--end", "2019-12")
    run("add", "event", "P1", "--date", "2019-08", "--kind", "release")
    # two detentions that nothing ends
    run("add", "detention", "P1", "--start", "2020-01")
    run("add", "detention", "P1", "--start", "2020-03")
    run("add", "trial", "P1", "--court", "C", "--opened", "2019-05")
    run("add", "ruling", "P1", "--trial", "T1", "--date", "2019-01", "--outcome", "convicted")
    result = run("check", ok=False)
    assert result.exit_code == 1
    problems = result.stderr
    assert "D1 of P1 ends Dec 2019, but a release (E1) ended it before, on Aug 2019" in problems
    assert "P1 has 2 detentions that nothing ends (D2, D3)" in problems
    assert "R1 is dated Jan 2019 but its trial T1 opened May 2019" in problems


def test_an_open_detention_a_later_fact_ends_is_how_reports_tell_it(run) -> None:
    """Issue 25, failure 12: Bilash, held, then fined and freed; and someone held,
    then released: neither is a contradiction."""
    run("add", "person", "Serikzhan Bilash")
    run("add", "detention", "P1", "--start", "2019-03-10", "--kind", "house-arrest")
    run("add", "trial", "P1", "--charge", "inciting hatred", "--status", "decided")
    run(
        "add",
        "ruling",
        "P1",
        "--date",
        "2019-08-16",
        "--outcome",
        "convicted",
        "--sentence-kind",
        "fine",
        "--sentence-kind",
        "restricted-freedom",
    )
    run("add", "person", "Ayan Test")
    run("add", "detention", "P2", "--start", "2019-03")
    run("add", "event", "P2", "--date", "2019-08", "--kind", "release")
    run("add", "detention", "P2", "--start", "2019-09")
    result = run("check")
    assert "contradiction:" not in result.stdout + result.stderr
