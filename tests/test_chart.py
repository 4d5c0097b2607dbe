"""``cases chart``: the timeline as an SVG picture or an HTML page, through the
privacy filter."""

from __future__ import annotations

import csv
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DATA, sample_rows

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

SVG = "{http://www.w3.org/2000/svg}"


def _csv(table: str) -> list[dict[str, str]]:
    with (SAMPLE_DATA / f"{table}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def _all(root: ET.Element, *classes: str) -> list[ET.Element]:
    return [e for e in root.iter() if set(classes) <= _classes(e)]


def _label(row: ET.Element) -> str:
    """A row's label as written, or in full where it was shortened."""
    label = _all(row, "row-label")[0]
    title = label.find(f"{SVG}title")
    return (title.text if title is not None else label.text) or ""


def _draw(run, tmp_path: Path, *args: str, name: str = "chart.svg") -> ET.Element:
    out = tmp_path / name
    run("chart", *args, "--out", str(out))
    return ET.fromstring(out.read_bytes())


def _row(root: ET.Element, name: str) -> ET.Element:
    rows = [row for row in _all(root, "row") if _label(row) == name]
    assert len(rows) == 1, [_label(row) for row in _all(root, "row")]
    return rows[0]


def _sample_actors() -> dict[str, str]:
    """The sample's actors with a dated fact of their own: uid -> name as drawn."""
    names = {row["uid"]: row["name"] or f"[{row['description']}]" for row in _csv("people")}
    names.update({row["uid"]: row["name"] for row in _csv("organisations")})
    subjects = {
        row["person_uid"] for table in ("detentions", "asylum", "rulings") for row in _csv(table)
    }
    subjects |= {
        row["person_uid"] or row["org_uid"]
        for table in ("events", "communications")
        for row in _csv(table)
    }
    return {uid: names[uid] for uid in subjects}


def test_the_sample_as_a_picture(run, sample, tmp_path: Path) -> None:
    root = _draw(run, tmp_path)
    assert root.tag == f"{SVG}svg"
    rows = _all(root, "row")
    assert sorted(_label(row) for row in rows) == sorted(_sample_actors().values())
    # by first fact: Tabarikuly's residence permit (2016) comes first
    assert _label(rows[0]) == "Tilek Tabarikuly"
    # one bar per detention, one per asylum-seeker period, one marker per ruling
    assert len(_all(root, "bar", "detention")) == sample_rows("detentions")
    seekers = [r for r in _csv("asylum") if r["decision"] in ("asylum-seeker-status", "extended")]
    assert len(_all(root, "bar", "asylum")) == len(seekers) > 0
    rulings = [m for m in _all(root, "marker", "ruling") if "taking-part" not in _classes(m)]
    assert len(rulings) == sample_rows("rulings")
    asylum = [m for m in _all(root, "marker", "asylum") if "taking-part" not in _classes(m)]
    assert len(asylum) == sample_rows("asylum")
    # every bar and marker says what it is
    for element in _all(root, "bar") + _all(root, "marker"):
        title = element.find(f"{SVG}title")
        assert title is not None and title.text
    # a labelled axis: every year from the first fact to the last
    labels = {e.text for e in _all(root, "tick-label")}
    assert {"2016", "2017", "2018", "2019", "2020"} <= labels
    legend = " ".join(e.text or "" for e in _all(root, "legend")[0].iter(f"{SVG}text"))
    assert "detention" in legend and "asylum-seeker period" in legend and "ruling" in legend
    assert "hatched" in legend and "fading" in legend
    title = root.find(f"{SVG}title")
    assert title is not None and "people" in (title.text or "")
    text = (tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert "<script" not in text.lower() and not re.search(r"\son\w+=", text)
    assert stat.S_IMODE((tmp_path / "chart.svg").stat().st_mode) == 0o600


def test_bars_show_what_is_uncertain_and_what_is_open(run, sample, tmp_path: Path) -> None:
    root = _draw(run, tmp_path, "Sauytbay", "Musakhanuly", "Tabarikuly")
    assert [_label(row) for row in _all(root, "row")] == [
        "Sairagul Sauytbay",
        "Qaster Musakhanuly",
        "Tilek Tabarikuly",
    ]
    # her pretrial detention is "Apr 2018 - Aug 2018" to "Aug 2018": all uncertain
    held = _all(_row(root, "Sairagul Sauytbay"), "bar", "detention")
    assert len(held) == 1
    assert [_classes(p) for p in _all(held[0], "piece")] == [{"piece", "uncertain"}]
    # his pretrial detention from Oct 2019 has no end and nothing ends it: it fades
    pretrial = [
        bar
        for bar in _all(_row(root, "Qaster Musakhanuly"), "bar", "detention")
        if "pretrial" in (bar.findtext(f"{SVG}title") or "")
    ]
    assert len(pretrial) == 1
    pieces = _all(pretrial[0], "piece")
    assert "uncertain" in _classes(pieces[0]) and "open" in _classes(pieces[-1])
    assert "no end recorded" in (pretrial[0].findtext(f"{SVG}title") or "")
    # Tabarikuly's ends with his sentence: release expected within a window
    sentenced = _all(_row(root, "Tilek Tabarikuly"), "bar", "detention")[0]
    assert "release expected" in (sentenced.findtext(f"{SVG}title") or "")
    assert "uncertain" in _classes(_all(sentenced, "piece")[-1])
    assert "solid" in {c for p in _all(sentenced, "piece") for c in _classes(p)}


def test_since_and_until_clip_the_axis(run, sample, tmp_path: Path) -> None:
    root = _draw(run, tmp_path, "--since", "2019-06", "--until", "Dec 2019")
    labels = {e.text for e in _all(root, "tick-label")}
    assert "2018" not in labels and "2020" not in labels
    assert {"Jul", "Oct"} <= labels
    names = [_label(row) for row in _all(root, "row")]
    assert "Qaisha Aqan" in names  # asylum-seeker status, Nov 2019
    # her 2018 detention is outside the window; Sauytbay's row goes unless a fact is in it
    for row in _all(root, "row"):
        for bar in _all(row, "bar"):
            assert "Apr 2018" not in (bar.findtext(f"{SVG}title") or "")


def test_html_is_one_page_that_loads_nothing(run, sample, tmp_path: Path) -> None:
    out = tmp_path / "chart.html"
    run("chart", "--out", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text.lower()
    assert "Content-Security-Policy" in text
    # no address of anything elsewhere (the SVG namespace is a name, not a load)
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert addresses == {"http://www.w3.org/2000/svg"}
    assert not re.search(r"\b(src|href)\s*=", text)
    picture = ET.fromstring(text[text.index("<svg") : text.index("</svg>") + len("</svg>")])
    assert len(_all(picture, "row")) == len(_sample_actors())
    assert "Sairagul Sauytbay" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.fixture
def private_records(run, sample) -> None:
    """A private person with a detention; a private detention of a public person;
    a public person reachable only through a private event; a private person taking
    part in a public event."""
    run("add", "person", "Secret Person", "--private")
    run("add", "detention", "Secret Person", "--start", "2019-03", "--place", "Secret Prison")
    run("add", "detention", "P2", "--start", "2019-05", "--place", "Hidden Place", "--private")
    run("add", "person", "Quiet Witness")
    run(
        "add", "event", "P2", "--date", "2019-02", "--kind", "hearing",
        "--with", "Quiet Witness=witness", "Quiet hearing summary", "--private",
    )  # fmt: skip
    run(
        "add", "event", "P2", "--date", "2019-04", "--kind", "statement",
        "--with", "Secret Person=speaker", "Open statement",
    )  # fmt: skip


HIDDEN = (b"Secret Person", b"Secret Prison", b"Hidden Place", b"Quiet Witness", b"Quiet hearing")


def test_private_records_stay_out(run, private_records, tmp_path: Path) -> None:
    for name in ("everyone.svg", "everyone.html"):
        run("chart", "--out", str(tmp_path / name))
        data = (tmp_path / name).read_bytes()
        for secret in HIDDEN:
            assert secret not in data, (name, secret)
        assert b"Open statement" in data
    run("chart", "P2", "Tabarikuly", "--out", str(tmp_path / "one.svg"))
    data = (tmp_path / "one.svg").read_bytes()
    for secret in HIDDEN:
        assert secret not in data, secret
    root = ET.fromstring(data)
    assert len(_all(root, "bar", "detention")) == 1  # the private one is left out
    assert b"Private records are left out" in data


def test_include_private_draws_them_marked(run, private_records, tmp_path: Path) -> None:
    out = tmp_path / "all.svg"
    run("chart", "--include-private", "--out", str(out))
    data = out.read_bytes()
    for secret in (b"Secret Person", b"Secret Prison", b"Hidden Place", b"Quiet hearing"):
        assert secret in data, secret
    assert b"Includes private records" in data
    root = ET.fromstring(data)
    assert "private" in _classes(_row(root, "Secret Person (private)"))
    tabarikuly = _row(root, "Tilek Tabarikuly")
    assert len(_all(tabarikuly, "bar", "detention", "private")) == 1


def test_a_private_actor_named_is_refused(private_records, fails_cleanly, tmp_path) -> None:
    line = fails_cleanly("chart", "Secret Person", "--out", str(tmp_path / "x.svg"))
    assert "--include-private" in line
    assert not (tmp_path / "x.svg").exists()


def test_text_is_escaped(run, tmp_path: Path) -> None:
    run("add", "person", '<script>alert(1)</script> & "Co"')
    run(
        "add",
        "event",
        "P1",
        "--date",
        "2020-03-01",
        "--kind",
        "other",
        "a <b>bold</b> claim & more",
    )
    out = tmp_path / "x.svg"
    run("chart", "--out", str(out))
    root = ET.fromstring(out.read_bytes())
    assert not [e for e in root.iter() if e.tag.endswith("script") or e.tag.endswith("}b")]
    assert _label(_all(root, "row")[0]) == '<script>alert(1)</script> & "Co"'
    titles = [e.text or "" for e in root.iter(f"{SVG}title")]
    assert any("a <b>bold</b> claim & more" in t for t in titles)


def test_the_first_rows_by_default_with_a_note(run, sample, tmp_path, monkeypatch) -> None:
    import cases.service.chart

    monkeypatch.setattr(cases.service.chart, "DEFAULT_ROWS", 3)
    out = tmp_path / "x.svg"
    result = run("chart", "--out", str(out))
    assert f"first 3 of {len(_sample_actors())}" in result.stderr
    assert len(_all(ET.fromstring(out.read_bytes()), "row")) == 3
    result = run("chart", "--limit", "5", "--out", str(out), "--force")
    assert result.stderr == ""
    assert len(_all(ET.fromstring(out.read_bytes()), "row")) == 5


def test_an_empty_window_draws_an_empty_chart(run, sample, tmp_path: Path) -> None:
    root = _draw(run, tmp_path, "--since", "1990", "--until", "1991")
    assert _all(root, "row") == []
    assert {"1990", "1991"} & {e.text for e in _all(root, "tick-label")}


def test_refusals(run, sample, fails_cleanly, database: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    assert ".svg or .html" in fails_cleanly("chart", "--out", str(tmp_path / "x.png"))
    assert "--out" in fails_cleanly("chart")
    assert "no person" in fails_cleanly("chart", "Nobody Atall", "--out", str(out))
    assert "nonsense" in fails_cleanly("chart", "--since", "nonsense", "--out", str(out))
    assert "--limit" in fails_cleanly("chart", "--limit", "0", "--out", str(out))
    assert "--limit" in fails_cleanly("chart", "P2", "--limit", "3", "--out", str(out))
    assert "no folder" in fails_cleanly("chart", "--out", str(tmp_path / "nowhere" / "x.svg"))
    (tmp_path / "a.svg").mkdir()
    assert "is a folder" in fails_cleanly("chart", "--out", str(tmp_path / "a.svg"))
    assert not out.exists()
    run("chart", "P2", "--out", str(out))
    before = out.read_bytes()
    assert "--force" in fails_cleanly("chart", "P6", "--out", str(out))
    assert out.read_bytes() == before
    run("chart", "P6", "--out", str(out), "--force")
    assert out.read_bytes() != before


def test_never_onto_the_database(run, sample, fails_cleanly, tmp_path: Path) -> None:
    database = tmp_path / "cases.svg"
    run("--db", str(database), "init")
    line = fails_cleanly("--db", str(database), "chart", "--out", str(database), "--force")
    assert "database" in line


@pytest.mark.parametrize(
    ("start", "end", "pieces"),
    [
        ("2019-03-01", "2019-06-30", ["solid"]),
        ("2019-03", "2019-06~", ["uncertain", "solid", "uncertain"]),
        ("before 2019-03", "2019-06-01", ["open", "solid"]),
        ("2019-03-01", "after 2019-06", ["solid", "open"]),
        ("after 2019-01", "2019-06-15", ["uncertain"]),
        ("2019-03-01", "2019-03-01", ["solid"]),
        ("2019-03-01", None, ["open"]),
        ("2019", "2019", ["uncertain"]),
    ],
)
def test_each_kind_of_date_is_drawn(run, tmp_path, start, end, pieces) -> None:
    run("add", "person", "Held Person")
    run("add", "detention", "P1", "--start", start, *(["--end", end] if end else []))
    root = _draw(run, tmp_path)
    (bar,) = _all(root, "bar", "detention")
    drawn = [_classes(piece) - {"piece"} for piece in _all(bar, "piece")]
    assert drawn == [{style} for style in pieces]
    for piece in _all(bar, "piece"):
        assert float(piece.get("width", "0")) >= 2


def test_asylum_seeker_periods(run, tmp_path) -> None:
    run("add", "person", "Seeking Person")
    run("add", "asylum", "P1", "--date", "2019-01-10", "--decision", "asylum-seeker-status")
    run("add", "asylum", "P1", "--date", "2019-06-01", "--decision", "denied")
    run(
        "add",
        "asylum",
        "P1",
        "--date",
        "2019-07-01",
        "--decision",
        "extended",
        "--until",
        "2019-10-31",
    )
    run("add", "asylum", "P1", "--date", "2020-02-01", "--decision", "granted")
    root = _draw(run, tmp_path)
    bars = _all(root, "bar", "asylum")
    titles = [bar.findtext(f"{SVG}title") or "" for bar in bars]
    assert len(bars) == 2, titles
    assert "next decision (asylum denied" in titles[0]
    assert "until 31 Oct 2019" in titles[1]
    assert all([_classes(p) - {"piece"} for p in _all(b, "piece")] == [{"solid"}] for b in bars)
    assert len(_all(root, "marker", "asylum")) == 4
    assert len(_all(root, "marker", "asylum", "refused")) == 1


def test_an_unnamed_person_is_labelled_by_description(run, tmp_path) -> None:
    run("add", "person", "--unnamed", "a farmer from Ili")
    run("add", "event", "P1", "--date", "2019-05-02", "--kind", "arrest")
    root = _draw(run, tmp_path, "P1")
    assert [_label(row) for row in _all(root, "row")] == ["[a farmer from Ili]"]
    assert len(_all(root, "marker", "event", "custody")) == 1


@pytest.mark.parametrize(
    "dates",
    [
        ("0001-01-01", "0001-03-01"),
        ("9999-10-01", "9999-12-31"),
        ("0001-01-01", "9999-12-31"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_drawn(run, tmp_path, dates) -> None:
    """Issue 25, failure 6: any date add accepts draws, in SVG and HTML."""
    first, last = dates
    run("add", "person", "Early Person")
    run("add", "event", "P1", "--date", first, "--kind", "arrest")
    run("add", "detention", "P1", "--start", first, "--end", last)
    run("add", "person", "Late Person")
    run("add", "event", "P2", "--date", last, "--kind", "release")
    root = _draw(run, tmp_path)
    assert len(_all(root, "marker")) >= 2
    assert run("chart", "--out", str(tmp_path / "c.html"), "--force").exit_code == 0
