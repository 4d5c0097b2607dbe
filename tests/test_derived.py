"""Derived views a researcher can trust (issue 18): each failure the issue names,
reproduced through the CLI, plus the status rules one by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cases.service.status import Facts, detention_length, expected_release, status
from tests.conftest import sample_rows

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


def test_stats_sums_ranges_of_inexact_dates(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "detention", "P1", "--start", "2019-03", "--end", "2019-08")
    figures = run_json("stats")
    assert (
        figures["detention_days"],
        figures["detention_days_min"],
        figures["detention_days_max"],
    ) == (0, 123, 183)
    assert "123" in run("stats").stdout


def test_a_ruling_holds_what_reports_say(run, run_json) -> None:
    run("add", "person", "Serikzhan Bilash")
    run("add", "trial", "P1", "--charge", "inciting ethnic hatred", "--status", "investigation")
    added = run_json(
        "add",
        "ruling",
        "P1",
        "--date",
        "2019-08",
        "--outcome",
        "unknown",
        "--sentence-kind",
        "fine",
        "--sentence-kind",
        "restricted-freedom",
        "--fine",
        "300 USD",
        "--pretrial-credit",
        "2",
        "--plea",
        "plea-deal",
        "--court",
        "Almaty district court",
        "--note",
        "the equivalent of $300",
    )
    assert added["sentence_kinds"] == ["fine", "restricted-freedom"]
    assert added["sentence_kind"] == "fine"
    assert (added["fine_amount"], added["fine_currency"]) == (300, "USD")
    assert (added["pretrial_credit"], added["plea"], added["trial_ref"]) == (2, "plea-deal", "T1")
    run("add", "ruling", "P1", "--date", "2019-10", "--outcome", "upheld", "--appeal-of", "R1")
    text = run("show", "P1").stdout
    for shown in ("Almaty district court", "plea deal", "300 USD", "the equivalent of $300"):
        assert shown in text, shown
    assert "R2 appeal of R1: upheld" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fine", "300"], "an amount and a currency"),
        (["--fine", "300 ZZZ"], "currency"),
        (["--pretrial-credit", "0"], "1 to 10"),
        (["--plea", "maybe"], "plea-deal"),
        (["--outcome", "lost"], "unknown"),
    ],
)
def test_bad_ruling_values_are_user_errors(run, fails_cleanly, args, message) -> None:
    run("add", "person", "Ayan Test")
    base = ["add", "ruling", "P1", "--date", "2019"]
    if "--outcome" not in args:
        base += ["--outcome", "convicted"]
    assert message in fails_cleanly(*base, *args)


def test_a_trial_whose_court_no_report_names_reads_so(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    added = run("add", "trial", "P1", "--status", "decided", "--charge", "border crossing")
    assert "court not named" in added.stdout
    assert run_json("show", "P1")["trials"][0]["court"] is None
    assert "a court not named" in run("timeline").stdout


def test_an_unchanged_reimport_uses_no_reference_and_counts_truthfully(
    run, run_json, sample, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    report = run_json("import", "csv", str(folder))
    assert all(t["added"] == 0 and t["updated"] == 0 for t in report["tables"])
    citations = next(t for t in report["tables"] if t["table"] == "citations")
    assert citations["unchanged"] == sample_rows("citations")
    added = run_json("add", "person", "Next Person")
    assert added["ref"] == f"P{sample_rows('people') + 1}"


def test_a_dry_run_merge_uses_no_change_number(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "person", "Ayan Tezt")
    run("merge", "P2", "--into", "P1", "--dry-run")
    run("add", "person", "Berik Sample")
    assert [entry["ref"] for entry in run_json("log")][:1] == ["C3"]


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


def test_search_numbers_whole_and_spellings_in_any_text(run, run_json) -> None:
    run("add", "person", "Ayan Test", "--note", "Aged 30 at the time; seen at 14:30")
    run("add", "event", "P1", "--date", "2019", "--kind", "other", "Met Atazhurt volunteers")
    run("add", "event", "P1", "--date", "2019", "--kind", "other", "Fined 300 dollars")
    assert [h["ref"] for h in run_json("search", "300")] == ["E2"]
    assert [h["ref"] for h in run_json("search", "30")] == ["P1"]
    assert [h["ref"] for h in run_json("search", "Atajurt")] == ["E1"]


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


@pytest.mark.parametrize("seed", [11, 12])
def test_stats_totals_are_the_sum_of_every_persons_lengths(tmp_path: Path, seed: int) -> None:
    """``stats`` sums detention days in SQL; ``show`` works each length out in
    Python. On generated people (open detentions ended by a release or a ruling,
    open ones nothing ends, closed ones; dates of a day, a month, a year or
    "before") the totals are the sums of what ``show`` says, detention by
    detention. (Seed 11 once found a ruling dated "before" counted as a day.)"""
    import sys

    from cases.db import Store, rows
    from cases.service.importing import import_folder
    from cases.service.reading import person_summary
    from cases.service.stats import stats

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from make_db import generate

    today = dt.date(2026, 11, 30)
    generate(tmp_path, 400, seed=seed)
    store = Store.open(tmp_path / "derived.db", write=True)
    import_folder(store, tmp_path)
    exact = fewest = most = 0
    for person in rows.all_rows(store, "people"):
        for held in person_summary(store, person, today)["detentions"]:
            fewest += held["days_min"] or 0
            most += held["days_max"] or 0
            exact += held["days"] or 0
    figures = stats(store, today)
    assert figures["open_detentions"] > 10
    assert (
        figures["detention_days"],
        figures["detention_days_min"],
        figures["detention_days_max"],
    ) == (exact, fewest, most)
