"""Facts from follow-up reports that had no home (issue 28), entered as a user
would from the reports that state them."""

from __future__ import annotations

from pathlib import Path


def test_the_grounds_of_a_decision_are_recorded_shown_and_searched(
    run, run_json, sample, tmp_path: Path
) -> None:
    # "allowed to stay as she is married to a Kazakh national"
    added = run_json(
        "add",
        "asylum",
        "Qaisha Aqan",
        "--date",
        "2019-12-01",
        "--decision",
        "granted",
        "--grounds",
        "married to a Kazakh national",
    )
    assert added["grounds"] == "married to a Kazakh national"
    shown = run("show", "Qaisha Aqan").stdout
    assert "granted asylum; grounds: married to a Kazakh national" in shown
    ruling = run_json(
        "add",
        "ruling",
        "Tilek Tabarikuly",
        "--date",
        "2020-01-16",
        "--outcome",
        "convicted",
        "--grounds",
        "crossed the border illegally",
    )
    assert "Grounds" in run("show", ruling["ref"]).stdout
    hits = run_json("search", "Kazakh national")
    assert [(h["ref"], h["field"]) for h in hits] == [(added["ref"], "grounds")]
    # and they travel: an export read back into a new database keeps them
    run("export", "csv", "--out", str(tmp_path / "out"))
    copy = tmp_path / "copy.db"
    run("--db", str(copy), "import", "csv", str(tmp_path / "out"))
    again = run_json("--db", str(copy), "show", added["ref"])
    assert again["grounds"] == "married to a Kazakh national"


def test_an_age_at_a_date_gives_the_range_of_the_birth(run, run_json, fails_cleanly) -> None:
    # "25-year-old Murager Alimuly", in a report of 29 Oct 2019
    person = run_json("add", "person", "Murager Alimuly", "--born", "25-year-old on 29 Oct 2019")
    assert (person["born_earliest"], person["born_latest"]) == ("1993-10-30", "1994-10-29")
    assert "30 Oct 1993 – 29 Oct 1994" in run("show", person["ref"]).stdout
    other = run_json("add", "person", "Qaisha Aqan", "--born", "aged 36 on 12 Nov 2019")
    assert (other["born_earliest"], other["born_latest"]) == ("1982-11-13", "1983-11-12")
    month = run_json("add", "person", "Someone Else", "--born", "36 years old in Nov 2019")
    assert (month["born_earliest"], month["born_latest"]) == ("1982-11-02", "1983-11-30")
    edited = run_json("edit", person["ref"], "--set", "born=aged 26 on 29 Oct 2020")
    assert edited["born_earliest"] == "1993-10-30"
    assert "more than anyone's" in fails_cleanly(
        "add", "person", "Someone Old", "--born", "aged 300 on 2019"
    )
    # an age is a birth's: any other date refuses it, naming the forms it takes
    assert "cannot read date" in fails_cleanly(
        "add", "event", person["ref"], "--date", "aged 3 on 2019", "--kind", "arrest"
    )


def test_whereabouts_are_recorded_shown_and_placed_in_the_timeline(
    run, run_json, sample, fails_cleanly, tmp_path: Path
) -> None:
    # "her 70-year-old mother ... remain in Xinjiang"; "granted permission to leave for Sweden"
    mother = run_json("add", "whereabouts", "P13", "Xinjiang", "--as-of", "2019-11-12")
    assert mother["ref"].startswith("W") and mother["as_of"] == "2019-11-12"
    left = run_json("add", "whereabouts", "Qaisha Aqan", "Sweden", "--since", "2020-02")
    shown = run("show", "Qaisha Aqan").stdout
    assert "Whereabouts" in shown and "in Sweden since Feb 2020" in shown
    assert "in Xinjiang, as of 12 Nov 2019" in run("show", mother["ref"]).stdout
    # the summary says where someone was last known to be
    assert run_json("show", "Qaisha Aqan")["last_whereabouts"] == "in Sweden since Feb 2020"
    assert run_json("show", "P13")["last_whereabouts"] == "in Xinjiang, as of 12 Nov 2019"
    items = run_json("timeline", "Qaisha Aqan")
    assert [i["ref"] for i in items if i["ref"].startswith("W")] == [left["ref"]]
    listed = run_json("list", "whereabouts")
    assert {mother["ref"], left["ref"]} <= {r["ref"] for r in listed}
    assert "they left" in fails_cleanly(
        "add", "whereabouts", "P3", "Nowhere", "--since", "2020", "--until", "2019"
    )
    # a kind like any other: exported and read back, cited, searched
    run("cite", left["ref"], "--source", "S1", "--quote", "left for Sweden")
    assert left["ref"] in [h["ref"] for h in run_json("search", "Sweden")]
    run("export", "csv", "--out", str(tmp_path / "out"))
    assert (tmp_path / "out" / "whereabouts.csv").exists()
    copy = tmp_path / "copy.db"
    run("--db", str(copy), "import", "csv", str(tmp_path / "out"))
    assert run_json("--db", str(copy), "show", left["ref"])["place"] == "Sweden"


def test_the_kinds_of_event_follow_up_reports_tell_of(run, run_json, sample) -> None:
    # "wanted in China": a warrant and an extradition request; "left for Sweden"
    for kind in ("warrant", "extradition request", "Emigration", "threat", "interrogation"):
        event = run_json("add", "event", "Qaisha Aqan", "--date", "2020", "--kind", kind)
        assert event["kind"] == kind.lower().replace(" ", "-")
    kinds = {item["kind"] for item in run_json("timeline", "Qaisha Aqan")}
    assert {"warrant", "extradition-request", "emigration"} <= kinds
