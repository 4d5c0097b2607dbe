"""Dates: every accepted form, canonical text, bounds, display and errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.dates import date_columns, display_date, parse_date
from cases.errors import Invalid

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")


@pytest.mark.parametrize(
    ("text", "canonical", "earliest", "latest", "shown"),
    [
        ("2019-01-16", "2019-01-16", "2019-01-16", "2019-01-16", "16 Jan 2019"),
        ("16 January 2019", "2019-01-16", "2019-01-16", "2019-01-16", "16 Jan 2019"),
        ("Jan 16, 2019", "2019-01-16", "2019-01-16", "2019-01-16", "16 Jan 2019"),
        ("2018-08", "2018-08", "2018-08-01", "2018-08-31", "Aug 2018"),
        ("August 2018", "2018-08", "2018-08-01", "2018-08-31", "Aug 2018"),
        ("Aug 2018", "2018-08", "2018-08-01", "2018-08-31", "Aug 2018"),
        ("2018", "2018", "2018-01-01", "2018-12-31", "2018"),
        ("~2018-10", "2018-10~", "2018-10-01", "2018-10-31", "c. Oct 2018"),
        ("about Oct 2018", "2018-10~", "2018-10-01", "2018-10-31", "c. Oct 2018"),
        ("c. 2018", "2018~", "2018-01-01", "2018-12-31", "c. 2018"),
        ("2018-10?", "2018-10?", "2018-10-01", "2018-10-31", "Oct 2018?"),
        ("before 2019-03", "../2019-03", None, "2019-02-28", "before Mar 2019"),
        ("after 2018-10", "2018-10/..", "2018-11-01", None, "after Oct 2018"),
        ("2018-10/2019-01", "2018-10/2019-01", "2018-10-01", "2019-01-31", "Oct 2018 – Jan 2019"),
        (
            "between 2018-10 and 2019-01",
            "2018-10/2019-01",
            "2018-10-01",
            "2019-01-31",
            "Oct 2018 – Jan 2019",
        ),
        ("2020-02", "2020-02", "2020-02-01", "2020-02-29", "Feb 2020"),
        ("  16   Jan  2019 ", "2019-01-16", "2019-01-16", "2019-01-16", "16 Jan 2019"),
    ],
)
def test_every_form_in_the_contract(
    text: str, canonical: str, earliest: str | None, latest: str | None, shown: str
) -> None:
    parsed = parse_date(text)
    assert parsed.canonical == canonical
    assert (parsed.earliest.isoformat() if parsed.earliest else None) == earliest
    assert (parsed.latest.isoformat() if parsed.latest else None) == latest
    assert parsed.display == shown


@pytest.mark.parametrize(
    "text",
    [
        "2019-13-01",
        "2019-02-30",
        "2019-00",
        "tomorrow",
        "",
        "   ",
        "16 Smarch 2019",
        "2019-1-1-1",
        "../..",
        "2019-03/2018-01",
        "between 2019 and",
        "32 Jan 2019",
        "0000",
        "after 9999",
        "before 0001-01-01",
    ],
)
def test_impossible_or_unreadable_dates_name_the_accepted_forms(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_date(text)
    message = str(caught.value)
    assert "2019-01-16" in message or "ends before it starts" in message


def test_json_rule_gives_field_earliest_and_latest() -> None:
    assert date_columns("born", "2018-08") == {
        "born": "2018-08",
        "born_earliest": "2018-08-01",
        "born_latest": "2018-08-31",
    }
    assert date_columns("born", None) == {"born": None, "born_earliest": None, "born_latest": None}


def test_display_never_raises_on_stored_garbage() -> None:
    assert display_date("not a date") == "not a date"
    assert display_date(None) == ""


simple_days = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


@st.composite
def canonical_texts(draw: st.DrawFn) -> str:
    day = draw(simple_days)
    precision = draw(st.sampled_from(["year", "month", "day"]))
    text = {
        "year": f"{day.year:04d}",
        "month": f"{day.year:04d}-{day.month:02d}",
        "day": day.isoformat(),
    }[precision]
    form = draw(st.sampled_from(["plain", "approx", "uncertain", "before", "after", "range"]))
    if form == "approx":
        return text + "~"
    if form == "uncertain":
        return text + "?"
    if form == "before":
        return "../" + text
    if form == "after":
        return text + "/.."
    if form == "range":
        other = draw(st.dates(min_value=day, max_value=dt.date(9999, 12, 31)))
        return f"{text}/{other.isoformat()}"
    return text


@given(canonical_texts())
def test_canonical_text_parses_back_to_itself(text: str) -> None:
    try:
        parsed = parse_date(text)
    except Invalid:
        # only the calendar's two edges cannot be open-ended
        assert text in (
            "9999-12-31/..",
            "9999-12/..",
            "9999/..",
            "../0001-01-01",
            "../0001-01",
            "../0001",
        )
        return
    assert parsed.canonical == text


@given(canonical_texts())
def test_earliest_is_never_after_latest(text: str) -> None:
    try:
        parsed = parse_date(text)
    except Invalid:
        return
    if parsed.earliest and parsed.latest:
        assert parsed.earliest <= parsed.latest
    assert parsed.earliest or parsed.latest


@given(st.text(max_size=40))
def test_display_never_crashes(text: str) -> None:
    assert isinstance(display_date(text), str)
    try:
        parsed = parse_date(text)
    except Invalid:
        return
    assert parsed.display
