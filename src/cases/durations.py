"""A length of time as a report gives it ("159 days", "6 months", "~3 years",
"2-3 years", "a few months", "several years"): kept as written, and read as the
fewest and most whole days it can mean, for a detention whose dates do not
tell its length."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from cases.errors import Invalid

ACCEPTED = "159 days, 6 months, ~3 years, 2-3 years, a few months, several years"

# Counts in words, as reports write them ("held for six months").
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# Vague counts: "a few" is two to five, "several" three to nine.
_VAGUE = {"a few": (2, 5), "few": (2, 5), "several": (3, 9), "some": (2, 5)}
# The most a person's detention can last, in years: a lifetime.
_LONGEST_YEARS = 130
_UNIT = r"(day|week|month|year)s?"
_COUNT = r"(\d{1,5}|" + "|".join(_WORDS) + ")"
_APPROX = r"(?:~\s*|about\s+|around\s+|almost\s+|nearly\s+|c\.\s*|some\s+(?=\d))?"
_ONE = re.compile(rf"{_APPROX}{_COUNT}\s*{_UNIT}", re.I)
_RANGE = re.compile(
    rf"{_APPROX}(?:between\s+)?{_COUNT}\s*(?:-|–|to|or|and)\s*{_COUNT}\s*{_UNIT}", re.I
)
_VAGUE_FORM = re.compile(rf"({'|'.join(_VAGUE)})\s+{_UNIT}", re.I)


def duration_days(text: str) -> tuple[int, int]:
    """The fewest and most whole days TEXT can mean, or Invalid naming the forms."""
    words = " ".join(text.split())
    if match := _ONE.fullmatch(words):
        low = high = _count(match.group(1))
        unit = match.group(2)
    elif match := _RANGE.fullmatch(words):
        low, high = _count(match.group(1)), _count(match.group(2))
        unit = match.group(3)
    elif match := _VAGUE_FORM.fullmatch(words):
        low, high = _VAGUE[match.group(1).lower()]
        unit = match.group(2)
    else:
        raise Invalid(f"duration {text!r} is not a length of time; use a form such as {ACCEPTED}")
    if low < 1:
        raise Invalid(f"duration {text!r} is no time at all; use a form such as {ACCEPTED}")
    if high < low:
        raise Invalid(f"duration {text!r} runs backwards; write the shorter first, as 2-3 years")
    unit = unit.lower()
    if high > _LONGEST_YEARS * {"day": 366, "week": 53, "month": 12, "year": 1}[unit]:
        raise Invalid(f"duration {text!r} is longer than a lifetime ({_LONGEST_YEARS} years)")
    return _days(low, unit)[0], _days(high, unit)[1]


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word.lower()]


def _days(count: int, unit: str) -> tuple[int, int]:
    """The fewest and most days of COUNT UNITs, as calendars run."""
    if unit == "day":
        return count, count
    if unit == "week":
        return 7 * count, 7 * count
    months = count if unit == "month" else 12 * count
    return _month_span(months)


@cache
def _month_span(months: int) -> tuple[int, int]:
    """The fewest and most days MONTHS calendar months can cover, over every
    start in a four-year cycle (leap years included)."""
    spans = []
    for year in range(2001, 2005):
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            index = month - 1 + months
            end_year, end_month = year + index // 12, index % 12 + 1
            spans.append((dt.date(end_year, end_month, 1) - first).days)
    return min(spans), max(spans)


def duration_columns(field: str, text: str) -> dict[str, str | int]:
    """FIELD as written (spaces made single) and FIELD_min_days, FIELD_max_days."""
    fewest, most = duration_days(text)
    return {
        field: " ".join(text.split()),
        f"{field}_min_days": fewest,
        f"{field}_max_days": most,
    }
