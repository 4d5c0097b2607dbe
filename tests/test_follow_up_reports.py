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
