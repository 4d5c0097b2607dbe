"""Facts from follow-up reports that had no home (issue 28), entered as a user
would from the reports that state them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")


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


def test_a_detention_known_only_by_how_long_it_lasted(
    run, run_json, sample, fails_cleanly, tmp_path: Path
) -> None:
    # "had spent several years in a camp": no dates, a length
    run("add", "person", "Camp Survivor")
    held = run_json(
        "add", "detention", "Camp Survivor", "--duration", "several years", "--kind", "camp"
    )
    assert (held["duration"], held["start"], held["end"]) == ("several years", None, None)
    shown = run_json("show", "Camp Survivor")
    detention = next(d for d in shown["detentions"] if d["ref"] == held["ref"])
    assert (detention["days_min"], detention["days_max"], detention["days"]) == (1095, 3288, None)
    assert detention["length"] == "several years (1095 to 3288 days)"
    assert "several years (1095 to 3288 days)" in run("show", "Camp Survivor").stdout
    # a length says it is over: the person is not counted as held
    assert shown["status"]["custody"]["text"] == "held (camp) for several years"
    # the sample's own camp years are a duration too
    camp = run_json("show", "D4")
    assert (camp["duration"], camp["start"]) == ("several years", None)
    assert "camp detention of several years in Xinjiang" in run("show", "D4").stdout


def test_every_form_of_a_duration_reads_as_days(run_json, sample) -> None:
    expected = {
        "159 days": (159, 159, 159),
        "6 months": (181, 184, None),
        "six months": (181, 184, None),
        "~3 years": (1095, 1096, None),
        "2-3 years": (730, 1096, None),
        "a few months": (59, 153, None),
        "several years": (1095, 3288, None),
        "2 weeks": (14, 14, 14),
    }
    for text, (fewest, most, exact) in expected.items():
        added = run_json("add", "detention", "P1", "--duration", text)
        assert added["duration"] == text  # shown as written
        detention = next(
            d for d in run_json("show", "P1")["detentions"] if d["ref"] == added["ref"]
        )
        assert (detention["days_min"], detention["days_max"], detention["days"]) == (
            fewest,
            most,
            exact,
        ), text


def test_a_detention_needs_a_start_an_end_or_a_duration_through_every_door(
    run, run_json, sample, fails_cleanly, tmp_path: Path
) -> None:
    assert "needs a start, an end or a duration" in fails_cleanly("add", "detention", "P1")
    assert "use a form such as 159 days" in fails_cleanly(
        "add", "detention", "P1", "--duration", "forever"
    )
    assert "runs backwards" in fails_cleanly("add", "detention", "P1", "--duration", "3-2 years")
    assert "longer than a lifetime" in fails_cleanly(
        "add", "detention", "P1", "--duration", "300 years"
    )
    assert "needs a start, an end or a duration" in fails_cleanly(
        "edit", "D4", "--set", "end=", "--set", "duration="
    )
    # an end alone will do ("released in August"), and so will a start
    ended = run_json("add", "detention", "P1", "--end", "2019-08")
    assert ended["start"] is None and ended["end"] == "2019-08"
    # import refuses the same row, naming it
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    path = out / "detentions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    for column in ("start", "end", "duration"):
        cells[header.index(column)] = ""
    path.write_text("\r\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\r\n", "utf-8")
    message = fails_cleanly("import", "csv", str(out))
    assert "line 2: a detention needs a start, an end or a duration" in message


def test_a_group_in_detention(run, run_json, sample, tmp_path: Path) -> None:
    # "some 30 Kazakhs from Barkol ... held in a camp since 2018", then "for 2-3 years"
    group = run_json("add", "org", "Barkol Kazakhs", "--kind", "group", "--size", "~30")
    held = run_json(
        "add", "detention", "Barkol Kazakhs", "--start", "2018", "--kind", "camp",
        "--place", "Xinjiang",
    )  # fmt: skip
    assert (held["person_ref"], held["org_ref"]) == (None, group["ref"])
    shown = run_json("show", group["ref"])
    assert [d["ref"] for d in shown["detentions"]] == [held["ref"]]
    assert shown["status"]["custody"]["text"] == "detained (camp) since 2018"
    text = run("show", group["ref"]).stdout
    assert "Detentions" in text and "camp in Xinjiang, no end recorded" in text
    timeline = run_json("timeline", group["ref"])
    assert [item["ref"] for item in timeline] == [held["ref"]]
    before = run_json("stats")
    lasted = run_json("add", "detention", group["ref"], "--duration", "2-3 years")
    after = run_json("stats")
    assert after["detention_days_min"] - before["detention_days_min"] == 730
    assert after["detention_days_max"] - before["detention_days_max"] == 1096
    assert after["open_detentions"] == before["open_detentions"]
    # two detentions of one group are not one person held twice at once
    run("add", "detention", group["ref"], "--start", "2019", "--kind", "camp")
    assert "contradiction:" not in run("check", ok=False).stdout
    assert lasted["ref"] in [d["ref"] for d in run_json("list", "detentions")]
    # a group released in 2019 cannot have been held until 2020
    run("add", "event", group["ref"], "--date", "2019-06", "--kind", "release")
    ended = run_json("add", "detention", group["ref"], "--start", "2019-01", "--end", "2020")
    checked = run("check", ok=False)
    said = f"contradiction: {ended['ref']} of {group['ref']} ends 2020, but a release"
    assert checked.exit_code == 1 and said in checked.stdout + checked.stderr
    run("delete", ended["ref"], "--yes")
    # FollowTheMoney: an Event involving the group, its length in the notes
    out = tmp_path / "cases.ftm"
    run("export", "ftm", "--out", str(out))
    entities = {e["id"]: e for e in map(json.loads, out.read_text("utf-8").splitlines())}
    event = entities[f"cases-{lasted['uid']}"]
    assert event["properties"]["involved"] == [f"cases-{group['uid']}"]
    assert any("2-3 years" in note for note in event["properties"]["notes"])


def test_a_duration_places_a_detention_on_the_chart(run, run_json, sample, tmp_path: Path) -> None:
    run("add", "person", "Chart Tester")
    run("add", "detention", "Chart Tester", "--start", "2018-01-01", "--duration", "159 days")
    run("add", "detention", "Chart Tester", "--end", "2019-12-31", "--duration", "6 months")
    run("add", "detention", "Chart Tester", "--duration", "several years")  # nowhere to draw
    out = tmp_path / "chart.svg"
    run("chart", "Chart Tester", "--out", str(out))
    svg = out.read_text(encoding="utf-8")
    assert "detention: from 1 Jan 2018 for 159 days" in svg
    assert "detention: for 6 months to 31 Dec 2019" in svg
    assert "several years" not in svg


def test_a_duration_the_dates_cannot_allow_is_a_contradiction(
    run, run_json, sample, fails_cleanly
) -> None:
    added = run_json(
        "add", "detention", "P5", "--start", "2015-03", "--end", "2015-05", "--duration", "10 years"
    )
    shown = run_json("show", added["ref"])
    # the record carries its length, as its person's summary does, the duration first
    assert (shown["days_min"], shown["days_max"]) == (31, 91)
    assert shown["length"] == "10 years (31 to 91 days)"
    assert ["length", "10 years (31 to 91 days)"] in shown["fields"]
    result = run("check", ok=False)
    assert result.exit_code == 1
    assert (
        f"contradiction: {added['ref']} lasted 10 years, but its dates (Mar 2015 to May 2015) "
        "allow 31 to 91 days" in result.stdout + result.stderr
    )
    run("edit", added["ref"], "--set", "duration=2 months")
    assert run("check").exit_code == 0
    # a length of one day reads as one
    one = run_json("add", "detention", "P5", "--start", "2016-01-01", "--end", "2016-01-02")
    assert run_json("show", one["ref"])["length"] == "1 day"
    # lists show the duration beside the dates
    assert "Duration" in run("list", "detentions").stdout.splitlines()[0]
    # an age is named among the forms a birth takes
    assert "or an age at a date" in fails_cleanly("add", "person", "X", "--born", "aged 36")
