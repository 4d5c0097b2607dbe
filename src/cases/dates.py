"""Partial, approximate, uncertain and open-ended dates.

A date is parsed from what a researcher types ("16 January 2019", "about Oct
2018", "before 2019-03") into a :class:`PartialDate` with an EDTF-style
canonical text, its earliest and latest possible day (for sorting and
filtering) and a display form. Pure: no I/O.

Canonical forms (each parses back to itself):

====================  ===================
``2019-01-16``        a day
``2018-08``           a month
``2018``              a year
``2018-10~``          approximate
``2018-10?``          uncertain
``../2019-03``        before (open start)
``2018-10/..``        after (open end)
``2018-10/2019-01``   a range
====================  ===================
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from cases.errors import Invalid

ACCEPTED_FORMS = (
    "2019-01-16, 16 January 2019, Jan 16 2019 (a day); 2018-08, August 2018 (a month); "
    "2018 (a year); ~2018-10, about Oct 2018, c. 2018 (approximate); 2018-10? (uncertain); "
    "before 2019-03, after 2018-10; 2018-10/2019-01, between 2018-10 and 2019-01 (a range)"
)

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9

_MONTH_ABBR = [""] + [calendar.month_abbr[n] for n in range(1, 13)]


@dataclass(frozen=True, order=True)
class SimpleDate:
    """A year, a month or a day, with nothing approximate about it."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def canonical(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        if self.month is None:
            return dt.date(self.year, 12, 31)
        if self.day is None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, self.month, self.day)

    @property
    def display(self) -> str:
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{_MONTH_ABBR[self.month]} {self.year}"
        return f"{self.day} {_MONTH_ABBR[self.month]} {self.year}"


@dataclass(frozen=True)
class PartialDate:
    """A parsed date: one simple date with a qualifier, or a (possibly open) range."""

    start: SimpleDate | None
    end: SimpleDate | None
    # "exact", "approximate", "uncertain" (single dates) or "range" (start/end)
    quality: str = "exact"

    @property
    def is_range(self) -> bool:
        return self.quality == "range"

    @property
    def canonical(self) -> str:
        if self.is_range:
            start = self.start.canonical if self.start else ".."
            end = self.end.canonical if self.end else ".."
            return f"{start}/{end}"
        assert self.start is not None
        suffix = {"approximate": "~", "uncertain": "?"}.get(self.quality, "")
        return self.start.canonical + suffix

    @property
    def earliest(self) -> dt.date | None:
        """The first day the date can mean, or None for an open start."""
        if self.is_range and self.start is None:
            return None
        if self.is_range and self.end is None:
            # "after X" means after the whole of X
            assert self.start is not None
            return self.start.latest + dt.timedelta(days=1)
        assert self.start is not None
        return self.start.earliest

    @property
    def latest(self) -> dt.date | None:
        """The last day the date can mean, or None for an open end."""
        if self.is_range and self.end is None:
            return None
        if self.is_range and self.start is None:
            # "before X" means before the whole of X
            assert self.end is not None
            return self.end.earliest - dt.timedelta(days=1)
        if self.is_range:
            assert self.end is not None
            return self.end.latest
        assert self.start is not None
        return self.start.latest

    @property
    def is_day(self) -> bool:
        """True when the date names one exact day."""
        return self.quality == "exact" and self.start is not None and self.start.day is not None

    @property
    def display(self) -> str:
        if self.is_range:
            if self.start is None:
                assert self.end is not None
                return f"before {self.end.display}"
            if self.end is None:
                return f"after {self.start.display}"
            return f"{self.start.display} – {self.end.display}"
        assert self.start is not None
        if self.quality == "approximate":
            return f"c. {self.start.display}"
        if self.quality == "uncertain":
            return f"{self.start.display}?"
        return self.start.display


def _invalid(text: str, reason: str = "") -> Invalid:
    why = f" ({reason})" if reason else ""
    return Invalid(f"cannot read date {text!r}{why}. Accepted forms: {ACCEPTED_FORMS}")


def _make_simple(text: str, year: int, month: int | None, day: int | None) -> SimpleDate:
    if not 1 <= year <= 9999:
        raise _invalid(text, "year out of range")
    if month is not None and not 1 <= month <= 12:
        raise _invalid(text, f"there is no month {month}")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise _invalid(text, f"{_MONTH_ABBR[month]} {year} has {last} days")
    return SimpleDate(year, month, day)


def _month_number(word: str) -> int | None:
    return _MONTHS.get(word.lower().rstrip("."))


_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+\.?),?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_MONTH_YEAR = re.compile(r"([A-Za-z]+\.?),?\s+(\d{4})")


def _parse_simple(text: str, whole: str) -> SimpleDate:
    """Parse a plain year, month or day in ISO or English words."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = match.groups()
        return _make_simple(
            whole, int(year), int(month) if month else None, int(day) if day else None
        )
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month_word, year = match.groups()
        month = _month_number(month_word)
        if month is not None:
            return _make_simple(whole, int(year), month, int(day))
    if match := _MONTH_DAY_YEAR.fullmatch(text):
        month_word, day, year = match.groups()
        month = _month_number(month_word)
        if month is not None:
            return _make_simple(whole, int(year), month, int(day))
    if match := _MONTH_YEAR.fullmatch(text):
        month_word, year = match.groups()
        month = _month_number(month_word)
        if month is not None:
            return _make_simple(whole, int(year), month, None)
    raise _invalid(whole)


_APPROX_PREFIX = re.compile(r"(?:~|about\s+|around\s+|circa\s+|ca\.\s*|c\.\s*|c\s+)", re.I)
_BEFORE = re.compile(r"before\s+(.+)", re.I)
_AFTER = re.compile(r"after\s+(.+)", re.I)
_BETWEEN = re.compile(r"between\s+(.+?)\s+and\s+(.+)", re.I)


@lru_cache(maxsize=8192)
def parse_date(text: str) -> PartialDate:
    """Parse any accepted form; raise :class:`Invalid` naming the accepted forms."""
    parsed = _parse(text)
    try:
        # "after 9999" or "before 0001-01-01" have no day to stand on
        parsed.earliest, parsed.latest  # noqa: B018
    except OverflowError:
        raise _invalid(text, "outside the calendar") from None
    return parsed


def _parse(text: str) -> PartialDate:
    whole = text
    text = " ".join(text.split())
    if not text:
        raise _invalid(whole, "empty")
    if match := _BEFORE.fullmatch(text):
        return PartialDate(None, _parse_simple(match.group(1), whole), "range")
    if match := _AFTER.fullmatch(text):
        return PartialDate(_parse_simple(match.group(1), whole), None, "range")
    if match := _BETWEEN.fullmatch(text):
        return _range(_parse_simple(match.group(1), whole), _parse_simple(match.group(2), whole))
    if "/" in text:
        left, _, right = text.partition("/")
        left, right = left.strip(), right.strip()
        if left == ".." and right == "..":
            raise _invalid(whole, "a range needs at least one end")
        start = None if left == ".." else _parse_simple(left, whole)
        end = None if right == ".." else _parse_simple(right, whole)
        if start is not None and end is not None:
            return _range(start, end)
        return PartialDate(start, end, "range")
    if match := _APPROX_PREFIX.match(text):
        return PartialDate(_parse_simple(text[match.end() :], whole), None, "approximate")
    if text.endswith("~"):
        return PartialDate(_parse_simple(text[:-1], whole), None, "approximate")
    if text.endswith("?"):
        return PartialDate(_parse_simple(text[:-1], whole), None, "uncertain")
    return PartialDate(_parse_simple(text, whole), None, "exact")


def _range(start: SimpleDate, end: SimpleDate) -> PartialDate:
    if end.latest < start.earliest:
        raise Invalid(f"date range {start.canonical}/{end.canonical} ends before it starts")
    return PartialDate(start, end, "range")


_AGE = re.compile(
    r"(?:aged\s+(\d{1,3})|(\d{1,3})[\s-]+years?[\s-]+old)\s+(?:on|in|as\s+of|at)\s+(.+)", re.I
)


# The oldest age a report may give (the oldest people recorded lived to 122).
_OLDEST = 130


def birth_from_age(text: str) -> str | None:
    """The range a birth date lies in, for an age at a date ("aged 36 on 12 Nov
    2019", "36 years old in Nov 2019", "25-year-old on 29 Oct 2019"), as a
    date range ("1982-11-13/1983-11-12"); None when TEXT is not an age."""
    match = _AGE.fullmatch(" ".join(text.split()))
    if match is None:
        return None
    age = int(match.group(1) or match.group(2))
    if age > _OLDEST:
        raise _invalid(text, f"an age of {age} is more than anyone's; {_OLDEST} at most")
    when = parse_date(match.group(3))
    if when.earliest is None or when.latest is None:
        raise _invalid(text, "an age needs the date it was reported at, not an open one")
    # born after the day AGE + 1 years before the earliest day, and by the day
    # AGE years before the latest day
    earliest = _years_before(when.earliest, age + 1) + dt.timedelta(days=1)
    latest = _years_before(when.latest, age)
    return f"{earliest.isoformat()}/{latest.isoformat()}"


def _years_before(day: dt.date, years: int) -> dt.date:
    """DAY, YEARS years earlier (29 February becomes the 28th in a common year)."""
    year = day.year - years
    if year < 1:
        raise Invalid(f"an age of {years} years is older than the calendar")
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def date_columns(field: str, text: str | None) -> dict[str, str | None]:
    """The three stored columns of a date field: FIELD, FIELD_earliest, FIELD_latest."""
    if text is None or text == "":
        return {field: None, f"{field}_earliest": None, f"{field}_latest": None}
    parsed = parse_date(text)
    earliest, latest = parsed.earliest, parsed.latest
    return {
        field: parsed.canonical,
        f"{field}_earliest": earliest.isoformat() if earliest else None,
        f"{field}_latest": latest.isoformat() if latest else None,
    }


def display_date(canonical: str | None) -> str:
    """The display form of a stored canonical date; never raises."""
    if not canonical:
        return ""
    try:
        return parse_date(canonical).display
    except Invalid:
        return canonical
