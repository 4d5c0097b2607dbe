"""Case records: trials, rulings, asylum, detentions, events, relations; edit and delete."""

from __future__ import annotations

import pytest

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def two_people(run) -> None:
    run("add", "person", "Ayan Test", "--sex", "female")
    run("add", "person", "Berik Sample", "--sex", "male")
    run("add", "source", "Fictional report", "--publisher", "Desk", "--date", "2019-01-16")


def test_trial_with_several_people_and_roles(run, run_json, two_people) -> None:
    trial = run_json(
        "add",
        "trial",
        "Ayan Test",
        "P2",
        "--role",
        "defendant",
        "--role",
        "witness",
        "--court",
        "District court",
        "--place",
        "Townsville",
        "--charge",
        "illegal border crossing",
        "--case-number",
        "12-34",
        "--opened",
        "2018-11",
        "--judge",
        "Judge Nobody",
        "--lawyer",
        "Berik Sample",
        "--status",
        "ongoing",
        "--source",
        "S1",
    )
    assert trial["ref"] == "T1"
    assert trial["opened_earliest"] == "2018-11-01"
    assert trial["lawyer_ref"] == "P2"  # linked: exactly a recorded name
    assert trial["judge_ref"] is None
    edited = run_json("edit", "T1", "--set", "judge=Ayan Test", "--set", "lawyer=Someone Else")
    assert (edited["judge_ref"], edited["lawyer_ref"]) == ("P1", None)
    assert trial["parties"] == ["Ayan Test (defendant)", "Berik Sample (witness)"]
    listed = run_json("list", "trials")[0]
    assert [(p["person_ref"], p["role"]) for p in listed["parties"]] == [
        ("P1", "defendant"),
        ("P2", "witness"),
    ]
    shown = run_json("show", "P2")
    assert shown["trials"][0]["ref"] == "T1"


def test_missing_roles_default_to_defendant(run_json, two_people) -> None:
    trial = run_json("add", "trial", "P1", "P2", "--court", "C")
    assert trial["parties"] == ["Ayan Test (defendant)", "Berik Sample (defendant)"]


def test_ruling_attaches_to_latest_trial(run, run_json, two_people) -> None:
    run("add", "trial", "P1", "--court", "Later court", "--opened", "2019-01")
    run("add", "trial", "P1", "--court", "Earlier court", "--opened", "2018-10")
    run("add", "trial", "P2", "--court", "Other court", "--opened", "2020")
    ruling = run_json(
        "add",
        "ruling",
        "P1",
        "--date",
        "2019-01-16",
        "--outcome",
        "convicted",
        "--sentence",
        "six months",
        "--sentence-kind",
        "labor-camp",
        "--months",
        "6",
        "--deportation",
        "refused",
        "--source",
        "S1",
    )
    assert ruling["trial_ref"] == "T1"
    explicit = run_json(
        "add", "ruling", "P1", "--trial", "T2", "--date", "2018-12", "--outcome", "acquitted"
    )
    assert explicit["trial_ref"] == "T2"
    appeal = run_json(
        "add",
        "ruling",
        "P1",
        "--date",
        "2019-03",
        "--outcome",
        "dismissed",
        "--appeal-of",
        "R1",
        "--extradition",
        "refused",
    )
    assert appeal["appeal_of_ref"] == "R1"
    no_trial = run_json(
        "add", "ruling", "P2", "--date", "2020", "--outcome", "other", "--trial", "T3"
    )
    assert no_trial["trial_ref"] == "T3"


def test_ruling_tie_on_opened_goes_to_the_later_recorded_trial(run, run_json, two_people) -> None:
    run("add", "trial", "P1", "--court", "First")
    run("add", "trial", "P1", "--court", "Second")
    assert (
        run_json("add", "ruling", "P1", "--date", "2019", "--outcome", "other")["trial_ref"] == "T2"
    )


def test_ruling_without_any_trial(run_json, two_people) -> None:
    assert (
        run_json("add", "ruling", "P1", "--date", "2019", "--outcome", "other")["trial_ref"] is None
    )


def test_asylum_detention_event_relation(run, run_json, two_people) -> None:
    asylum = run_json(
        "add",
        "asylum",
        "P1",
        "--date",
        "2019-01-28",
        "--decision",
        "extended",
        "--country",
        "Kazakhstan",
        "--authority",
        "police",
        "--until",
        "2019-04-25",
    )
    assert asylum["ref"] == "A1" and asylum["until_latest"] == "2019-04-25"
    detention = run_json(
        "add",
        "detention",
        "P1",
        "--start",
        "2018-10-01",
        "--end",
        "2019-01-30",
        "--kind",
        "pretrial",
        "--place",
        "Town",
        "--authority",
        "X",
    )
    assert detention["ref"] == "D1"
    event = run_json(
        "add",
        "event",
        "P1",
        "--date",
        "2018-05",
        "--kind",
        "border-crossing",
        "--place",
        "Border",
        "Crossed the border",
        "--private",
    )
    assert event["ref"] == "E1" and event["summary"] == "Crossed the border" and event["private"]
    relation = run_json("add", "relation", "P1", "P2", "--kind", "lawyer")
    assert relation["ref"] == "L1" and relation["other_ref"] == "P2"
    shown = run_json("show", "P1")
    assert set(shown) >= {
        "person",
        "aliases",
        "status",
        "trials",
        "rulings",
        "asylum",
        "detentions",
        "events",
        "relations",
        "sources",
    }
    assert shown["detentions"][0]["days"] == 121
    assert shown["relations"][0]["description"] == "lawyer: Berik Sample"
    other = run_json("show", "P2")
    assert other["relations"][0]["description"] == "lawyer of Ayan Test"
    text = run("show", "P1").stdout
    assert "121 days" in text and "(private)" in text
    assert "lawyer: Berik Sample" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "trial", "P1", "--court", ""], "must not be empty"),
        (["add", "trial", "P9", "--court", "C"], "no person P9"),
        (["add", "trial", "P1", "--court", "C", "--status", "finished"], "pending, ongoing"),
        (["add", "trial", "P1", "--court", "C", "--role", "boss"], "defendant"),
        (["add", "trial", "P1", "--court", "C", "--role", "witness", "--role", "judge"], "2 roles"),
        (["add", "trial", "P1", "P1", "--court", "C"], "named twice"),
        (["add", "trial", "P1", "--court", "C", "--opened", "2019-02-30"], "Accepted forms"),
        (["add", "ruling", "P1", "--date", "2019", "--outcome", "guilty"], "convicted, acquitted"),
        (
            [
                "add",
                "ruling",
                "P1",
                "--date",
                "2019",
                "--outcome",
                "other",
                "--sentence-kind",
                "death",
            ],
            "labor-camp",
        ),
        (
            ["add", "ruling", "P1", "--date", "2019", "--outcome", "other", "--deportation", "yes"],
            "ordered, refused",
        ),
        (
            ["add", "ruling", "P1", "--date", "2019", "--outcome", "other", "--extradition", "no"],
            "granted, refused",
        ),
        (
            ["add", "ruling", "P1", "--date", "2019", "--outcome", "other", "--months", "-3"],
            "zero or more",
        ),
        (
            ["add", "ruling", "P1", "--date", "2019", "--outcome", "other", "--trial", "T9"],
            "no trial T9",
        ),
        (
            ["add", "ruling", "P1", "--date", "2019", "--outcome", "other", "--trial", "P1"],
            "not a trial",
        ),
        (
            ["add", "ruling", "P1", "--date", "2019", "--outcome", "other", "--appeal-of", "R7"],
            "no ruling R7",
        ),
        (["add", "ruling", "P1", "--date", "nope", "--outcome", "other"], "Accepted forms"),
        (["add", "asylum", "P1", "--date", "2019", "--decision", "maybe"], "asylum-seeker-status"),
        (
            ["add", "asylum", "P1", "--date", "2019", "--decision", "granted", "--until", "x"],
            "Accepted forms",
        ),
        (["add", "detention", "P1", "--start", "2019", "--kind", "jail"], "pretrial"),
        (["add", "detention", "P1", "--start", "2019-05", "--end", "2019-01"], "before it starts"),
        (["add", "detention", "P1", "--start", ""], "must not be empty"),
        (["add", "event", "P1", "--date", "2019", "--kind", "party"], "border-crossing"),
        (["add", "event", "Nobody", "--date", "2019", "--kind", "arrest"], "no person named"),
        (["add", "relation", "P1", "P1", "--kind", "spouse"], "themselves"),
        (["add", "relation", "P1", "P2", "--kind", "friend"], "parent, child"),
        (["timeline", "--kind", "party"], "border-crossing"),
        (["timeline", "--since", "2019-02-30"], "Accepted forms"),
        (["timeline", "--limit", "0"], "1 or more"),
        (["timeline", "P9"], "no person P9"),
    ],
)
def test_bad_records_are_clean_user_errors(fails_cleanly, two_people, args, message) -> None:
    assert message in fails_cleanly(*args)


def test_ruling_on_a_trial_of_someone_else_is_refused(run, fails_cleanly, two_people) -> None:
    run("add", "trial", "P2", "--court", "C")
    assert "not a party" in fails_cleanly(
        "add", "ruling", "P1", "--date", "2019", "--outcome", "other", "--trial", "T1"
    )


# -- derived status (the rules themselves: tests/test_status.py) -------------


def test_status_through_the_cli(run, run_json, two_people) -> None:
    run("add", "detention", "P1", "--start", "2018-10", "--kind", "pretrial")
    status = run_json("show", "P1")["status"]
    assert status["text"] == "detained (pretrial) since Oct 2018"
    assert status["custody"]["ref"] == "D1" and status["legal"] == []
    run("edit", "D1", "--set", "end=2019-01-30")
    run("add", "asylum", "P1", "--date", "2019-06", "--decision", "granted", "--country", "Sweden")
    assert run_json("show", "P1")["status"]["text"] == (
        "released 30 Jan 2019; granted asylum (Sweden)"
    )
    assert "granted asylum (Sweden)" in run("show", "P1").stdout
    assert run_json("show", "P2")["status"] is None  # nothing of their own: no status


def test_open_and_approximate_detentions_in_show(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "detention", "P1", "--start", "2019-03", "--end", "2019-08", "--kind", "other")
    run("add", "detention", "P1", "--start", "2020-01-05", "--kind", "pretrial")
    shown = run_json("show", "P1")["detentions"]
    assert (shown[0]["days_min"], shown[0]["days_max"], shown[0]["days"]) == (123, 183, None)
    assert shown[1]["days"] is None and shown[1]["days_min"] == 0
    text = run("show", "P1").stdout
    assert "123 to 183 days" in text
    assert "at least 0 days" in text


# -- timeline ----------------------------------------------------------------


def test_timeline_orders_mixed_precision(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    for date, summary in [
        ("2018-04-15", "day"),
        ("undated", None),
        ("2018", "year"),
        ("2018-04", "month"),
        ("before 2019", "before"),
        ("2017/2019", "range"),
        ("after 2018-05", "after"),
    ]:
        if summary is None:
            continue
        run("add", "event", "P1", "--date", date, "--kind", "other", summary)
    run("add", "trial", "P1", "--court", "Undated court")
    items = run_json("timeline")
    assert [i["summary"] if i["kind"] == "other" else i["kind"] for i in items] == [
        "range",  # earliest 2017-01-01
        "year",  # 2018-01-01 .. 2018-12-31
        "month",  # 2018-04-01 .. 2018-04-30
        "day",  # 2018-04-15
        "after",  # 2018-06-01 .. open
        "before",  # open .. 2018-12-31: placed by its latest day
        "trial",  # undated last
    ]
    assert items[-1]["date"] is None
    first = items[0]
    assert set(first) >= {
        "date",
        "earliest",
        "latest",
        "ref",
        "kind",
        "person",
        "person_ref",
        "summary",
        "sources",
        "uid",
    }


def test_timeline_filters(run, run_json, two_people) -> None:
    run(
        "add",
        "trial",
        "P1",
        "P2",
        "--court",
        "Zaisan court",
        "--place",
        "Zaisan",
        "--opened",
        "2018-11",
        "--source",
        "S1",
    )
    run("add", "detention", "P1", "--start", "2018-10", "--end", "2019-01-16", "--place", "Town")
    run("add", "event", "P2", "--date", "2019-05", "--kind", "press-conference", "Spoke")
    run("add", "ruling", "P1", "--date", "2019-01-16", "--outcome", "convicted")
    everything = run_json("timeline")
    assert [i["ref"] for i in everything].count("T1") == 2  # one item per party
    assert {i["kind"] for i in run_json("timeline", "--kind", "detention-end")} == {"detention-end"}
    assert [i["ref"] for i in run_json("timeline", "P2")] == ["T1", "E1"]
    assert [i["kind"] for i in run_json("timeline", "--since", "2019")] == [
        "ruling",
        "detention-end",
        "press-conference",
    ]  # a release sorts after same-day facts
    assert [i["kind"] for i in run_json("timeline", "--until", "2018-10")] == ["detention"]
    assert {i["ref"] for i in run_json("timeline", "--court", "zaisan")} == {"T1", "R1"}
    assert {i["ref"] for i in run_json("timeline", "--place", "Town")} == {"D1"}
    assert len(run_json("timeline", "--limit", "2")) == 2
    assert run_json("timeline", "--kind", "trial")[0]["sources"] == ["S1"]
    text = run("timeline").stdout
    assert "Nov 2018" in text and "Zaisan court" in text


def test_timeline_shows_partial_dates_as_such(run) -> None:
    run("add", "person", "Ayan Test")
    run("add", "event", "P1", "--date", "about Oct 2018", "--kind", "arrest")
    run("add", "event", "P1", "--date", "2019-03?", "--kind", "release")
    run("add", "event", "P1", "--date", "before 2019-06", "--kind", "statement")
    text = run("timeline").stdout
    assert "c. Oct 2018" in text and "Mar 2019?" in text and "before Jun 2019" in text


# -- lists, stats, edit, delete -------------------------------------------------


def test_lists_of_each_kind(run, run_json, two_people) -> None:
    run("add", "trial", "P1", "--court", "C")
    run("add", "ruling", "P1", "--date", "2019", "--outcome", "convicted")
    run("add", "asylum", "P2", "--date", "2019", "--decision", "applied")
    run("add", "detention", "P1", "--start", "2019")
    run("add", "event", "P2", "--date", "2019", "--kind", "arrest")
    run("add", "relation", "P1", "P2", "--kind", "sibling")
    for kind, ref in [
        ("trials", "T1"),
        ("rulings", "R1"),
        ("asylum", "A1"),
        ("detentions", "D1"),
        ("events", "E1"),
        ("relations", "L1"),
        ("people", "P1"),
        ("sources", "S1"),
    ]:
        rows = run_json("list", kind)
        assert rows[0]["ref"] == ref
        assert "uid" in rows[0]
        assert ref in run("list", kind).stdout
    assert [r["ref"] for r in run_json("list", "events", "--person", "P1")] == []
    assert [r["ref"] for r in run_json("list", "trials", "--person", "P1")] == ["T1"]


def test_stats(run, run_json, two_people) -> None:
    run("add", "trial", "P1", "P2", "--court", "C")
    run(
        "add",
        "ruling",
        "P1",
        "--date",
        "2019",
        "--outcome",
        "convicted",
        "--deportation",
        "refused",
    )
    run(
        "add",
        "ruling",
        "P2",
        "--date",
        "2019",
        "--outcome",
        "acquitted",
        "--extradition",
        "refused",
    )
    run("add", "asylum", "P2", "--date", "2019", "--decision", "granted")
    run("add", "detention", "P1", "--start", "2019-01-01", "--end", "2019-01-11")
    run("add", "detention", "P2", "--start", "2019-01", "--end", "2019-02")
    figures = run_json("stats")
    assert figures["people"] == 2 and figures["trials"] == 1
    assert figures["rulings"]["convicted"] == 1 and figures["rulings"]["acquitted"] == 1
    assert figures["deportation"] == {"ordered": 0, "refused": 1}
    assert figures["extradition"] == {"granted": 0, "refused": 1}
    assert figures["asylum"]["granted"] == 1
    assert figures["detention_days"] == 10
    assert "detention days" in run("stats").stdout


def test_edit(run, run_json, two_people, fails_cleanly) -> None:
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest")
    edited = run_json(
        "edit",
        "E1",
        "--set",
        "date=2019-03-02",
        "--set",
        "summary=Arrested",
        "--set",
        "private=yes",
    )
    assert edited["date_earliest"] == "2019-03-02" and edited["summary"] == "Arrested"
    assert edited["private"] is True
    run("edit", "P1", "--set", "name=Ayana Test")
    assert run_json("show", "Ayana Test")["person"]["ref"] == "P1"
    assert "date" in fails_cleanly("edit", "E1", "--set", "date=")
    assert "no field" in fails_cleanly("edit", "E1", "--set", "colour=red")
    assert "FIELD=VALUE" in fails_cleanly("edit", "E1", "--set", "summary")
    assert "border-crossing" in fails_cleanly(
        "edit", "E1", "--set", "kind=party", "--set", "summary=ok"
    )
    assert "no event E9" in fails_cleanly("edit", "E9", "--set", "summary=x")
    assert "Accepted forms" in fails_cleanly("edit", "P1", "--set", "born=2019-02-30")
    assert "not a reference" in fails_cleanly("edit", "Ayana", "--set", "sex=female")


def test_delete_needs_yes_off_a_terminal(run, fails_cleanly, two_people) -> None:
    assert "--yes" in fails_cleanly("delete", "P1")


def test_delete_person_removes_what_is_only_theirs(run, run_json, two_people) -> None:
    run("add", "trial", "P1", "--court", "Only hers", "--source", "S1")
    run("add", "trial", "P1", "P2", "--court", "Shared")
    run("add", "ruling", "P1", "--date", "2019", "--outcome", "convicted", "--source", "S1")
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest")
    run("add", "relation", "P2", "P1", "--kind", "sibling")
    result = run("delete", "P1", "--yes")
    assert "T1" in result.stdout
    assert run_json("list", "people")[0]["ref"] == "P2"
    assert [t["court"] for t in run_json("list", "trials")] == ["Shared"]
    assert run_json("list", "trials")[0]["parties"] == [
        {"person_ref": "P2", "name": "Berik Sample", "role": "defendant", "private": False}
    ]
    for kind in ("rulings", "events", "relations"):
        assert run_json("list", kind) == []
    assert run_json("list", "sources")[0]["ref"] == "S1"  # sources stay
    # references are never reused
    assert run_json("add", "person", "Cora New")["ref"] == "P3"


def test_delete_source_drops_its_citations(run, run_json, two_people) -> None:
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest", "--source", "S1")
    run("delete", "S1", "--yes")
    assert run_json("timeline")[0]["sources"] == []


def test_delete_asks_on_a_terminal(run, run_json, two_people, monkeypatch) -> None:
    import sys

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    result = run("delete", "P2", input="n\n", ok=False)
    assert result.exit_code == 1
    assert len(run_json("list", "people")) == 2


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
