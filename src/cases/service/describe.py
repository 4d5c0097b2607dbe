"""Facts in words and numbers: a fact's line (as its kind declares it, with the
part an actor took in it), a detention's length, the order of facts. Pure:
rows in, text and numbers out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cases.catalogue import TABLE
from cases.catalogue.phrases import (
    asylum_phrase,
    is_custodial,
    ruling_phrase,
    sentence_kinds,
    sentence_phrase,
)

__all__ = [
    "asylum_phrase",
    "days_phrase",
    "fact_line",
    "is_custodial",
    "latest",
    "length",
    "ruling_phrase",
    "sentence_kinds",
    "sentence_phrase",
    "sort_key",
]

Row = dict[str, Any]


def fact_line(table: str, row: Row, kind: str | None = None, role: str | None = None) -> str:
    """One line for a fact of TABLE (as the timeline kind KIND, where it has
    several: a detention's start and end); ROLE: the part an actor took in it."""
    text = TABLE[table].phrase(row, kind)
    if role and role not in ("subject", "defendant"):
        text += f" [{role}]"
    return text


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def length(
    start_earliest: str | None,
    start_latest: str | None,
    end_earliest: str | None,
    end_latest: str | None,
) -> tuple[int | None, int | None]:
    """The fewest and most whole days from a start to an end their dates allow
    (None where a date is open: "before X" has no earliest day)."""
    first, last = _day(start_latest), _day(end_earliest)
    fewest = max(0, (last - first).days) if first and last else None
    first, last = _day(start_earliest), _day(end_latest)
    most = max(0, (last - first).days) if first and last else None
    return fewest, most


def days_phrase(days_min: int | None, days_max: int | None, open_ended: bool) -> str:
    """ "159 days", "123 to 183 days" or "at least 80 days"."""
    if days_min is None and days_max is None:
        return "length unknown"
    if open_ended or days_max is None:
        return f"at least {days_min or 0} days"
    if days_min == days_max:
        return "1 day" if days_min == 1 else f"{days_min} days"
    if days_min is None:
        return f"at most {days_max} days"
    return f"{days_min} to {days_max} days"


def latest(records: Sequence[Row], field: str) -> Row | None:
    """The record of RECORDS latest by FIELD (its earliest day, then latest day,
    then when it was recorded); undated records count as earliest."""

    def key(row: Row) -> tuple[Any, ...]:
        anchor = row.get(f"{field}_earliest") or row.get(f"{field}_latest") or ""
        return (anchor, row.get(f"{field}_latest") or "", row["id"])

    return max(records, key=key) if records else None


def sort_key(row: Row, field: str) -> tuple[Any, ...]:
    """Timeline order of a record by FIELD: earliest day, latest day, undated last."""
    earliest, latest_day = row.get(f"{field}_earliest"), row.get(f"{field}_latest")
    anchor = earliest or latest_day
    return (anchor is None, anchor or "", latest_day is None, latest_day or "", row["id"])
