"""A person's derived status, in two parts, each naming the fact it rests on.

1. Custody: the latest detention without an end is "detained (KIND) since DATE",
   unless a later fact ends it: a ``release`` event ("released DATE"), a ruling
   whose sentences are not custodial ("free since DATE"), or a custodial ruling
   (prison, labor camp): "serving N months (labor camp) from DATE", with "release
   expected between X and Y" when the months, the pretrial credit and the
   detention's start make it computable. A detention with an end is "released
   DATE" when it is the latest, unless an open detention may have begun after it.
2. Legal: the latest asylum decision and the latest ruling.

Each day in custody before the ruling counts as the ruling's pretrial credit
(2: each day counts as two) towards the sentence, which is counted from the
detention's start; days after the ruling count once. Six months from October
2019 with each pretrial day counted twice, ruled on 16 Jan 2020: release
between 16 Jan (held since 1 Oct: already served) and 13 Feb 2020 (since 31 Oct).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cases.dates import display_date
from cases.service.describe import (
    Row,
    asylum_phrase,
    is_custodial,
    latest,
    length,
    ruling_phrase,
    sentence_kinds,
)


@dataclass(frozen=True)
class Facts:
    """What a person's status is derived from."""

    detentions: Sequence[Row]
    asylum: Sequence[Row]
    rulings: Sequence[Row]
    events: Sequence[Row]


def _earliest(row: Row, field: str) -> str:
    return str(row.get(f"{field}_earliest") or row.get(f"{field}_latest") or "")


def _after(row: Row, field: str, detention: Row) -> bool:
    """True when ROW's FIELD can be no earlier than the detention's start."""
    day = _earliest(row, field)
    return bool(day) and day >= _earliest(detention, "start")


def ending(facts: Facts, detention: Row) -> tuple[str, Row] | None:
    """The first later fact that ends an open DETENTION: ("release", event),
    ("free", ruling) or ("sentence", custodial ruling); None if nothing does."""
    candidates: list[tuple[str, str, Row]] = []
    for event in facts.events:
        if event.get("kind") == "release" and _after(event, "date", detention):
            candidates.append((_earliest(event, "date"), "release", event))
    for ruling in facts.rulings:
        if not _after(ruling, "date", detention):
            continue
        if is_custodial(ruling):
            candidates.append((_earliest(ruling, "date"), "sentence", ruling))
        elif sentence_kinds(ruling) or ruling.get("outcome") in ("acquitted", "dismissed"):
            candidates.append((_earliest(ruling, "date"), "free", ruling))
    if not candidates:
        return None
    _, what, row = min(candidates, key=lambda found: (found[0], found[2]["id"]))
    return what, row


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def expected_release(detention: Row, ruling: Row) -> tuple[dt.date, dt.date] | None:
    """The window in which a custodial sentence counted from the detention's
    start ends; None if the months or the start are not known.

    Each day held before the ruling counts as the pretrial credit (2: as two
    days of the sentence); days after it count once, and nobody is released
    before the ruling that sentenced them. Every bound of the start and of the
    ruling's date is tried, so the window holds whatever day each really was.
    """
    months = ruling.get("months")
    starts = [detention.get("start_earliest"), detention.get("start_latest")]
    if months is None or None in starts:
        return None
    credit = int(ruling.get("pretrial_credit") or 1)
    rulings = {ruling.get("date_earliest"), ruling.get("date_latest")} - {None}
    ends = []
    for start in starts:
        first = dt.date.fromisoformat(str(start))
        term = (_add_months(first, int(months)) - first).days
        if not rulings:  # no date to split at: every day counts as the credit
            ends.append(first + dt.timedelta(days=-(-term // credit)))
        for ruled in rulings:
            day = dt.date.fromisoformat(str(ruled))
            held_before = max(0, (day - first).days)
            remaining = term - held_before * credit
            ends.append(day + dt.timedelta(days=max(0, remaining)))
    return min(ends), max(ends)


def _day(value: dt.date) -> str:
    return display_date(value.isoformat())


def _over(detention: Row) -> bool:
    """A detention with an end, or known by how long it lasted, is over."""
    return bool(detention.get("end") or detention.get("duration"))


def custody(facts: Facts) -> dict[str, Any] | None:
    """The custody part of the status, or None when no detention is recorded."""
    detention = latest(facts.detentions, "start")
    if detention is None:
        return None
    if _over(detention):
        # an open detention that may have begun after this one still holds the
        # person (years in a camp "before Nov 2019", then pretrial since Oct 2019)
        still_open = [
            d
            for d in facts.detentions
            if not _over(d)
            and (
                not detention.get("start_earliest")
                or _earliest(d, "start") >= str(detention["start_earliest"])
                or str(d.get("start_latest") or "") >= str(detention["start_earliest"])
            )
        ]
        detention = latest(still_open, "start") or detention
    kind = f" ({detention['kind']})" if detention.get("kind") else ""
    if _over(detention):
        if detention.get("end"):
            text = f"released {display_date(detention['end'])}"
        else:
            text = f"held{kind} for {detention['duration']}"
            if detention.get("start"):
                text += f" from {display_date(detention['start'])}"
        return {"kind": "released", "text": text, "ref": f"D{detention['id']}"}
    ended = ending(facts, detention)
    if ended is None:
        return {
            "kind": "detained",
            "text": f"detained{kind} since {display_date(detention['start'])}",
            "ref": f"D{detention['id']}",
        }
    what, row = ended
    if what == "release":
        return {
            "kind": "released",
            "text": f"released {display_date(row['date'])}",
            "ref": f"E{row['id']}",
        }
    if what == "free":
        return {
            "kind": "free",
            "text": f"free since {display_date(row['date'])}",
            "ref": f"R{row['id']}",
        }
    custodial = [k.replace("-", " ") for k in sentence_kinds(row) if k in ("prison", "labor-camp")]
    months = f"{row['months']} months " if row.get("months") is not None else ""
    text = f"serving {months}({', '.join(custodial)}) from {display_date(detention['start'])}"
    window = expected_release(detention, row)
    if window is not None:
        first, last = window
        text += (
            f"; release expected {_day(first)}"
            if first == last
            else f"; release expected between {_day(first)} and {_day(last)}"
        )
    return {"kind": "serving", "text": text, "ref": f"R{row['id']}"}


def legal(facts: Facts, today: dt.date) -> list[dict[str, Any]]:
    """The legal part: the latest asylum decision and the latest ruling."""
    parts = []
    decision = latest(facts.asylum, "date")
    if decision is not None:
        parts.append(
            {"kind": "asylum", "text": asylum_phrase(decision, today), "ref": f"A{decision['id']}"}
        )
    ruling = latest(facts.rulings, "date")
    if ruling is not None:
        parts.append(
            {"kind": "ruling", "text": _ruling_status(ruling, facts), "ref": f"R{ruling['id']}"}
        )
    return parts


def _ruling_status(ruling: Row, facts: Facts) -> str:
    """ "convicted 16 Jan 2020: six months...", or for an appeal the ruling it
    decided on, then "upheld on appeal Oct 2019"."""
    appealed = next((r for r in facts.rulings if r["id"] == ruling.get("appeal_of_id")), None)
    if appealed is not None and appealed is not ruling:
        return (
            f"{_ruling_status(appealed, facts)}; "
            f"{ruling['outcome']} on appeal {display_date(ruling['date'])}"
        )
    phrase = ruling_phrase(ruling)
    outcome, _, rest = phrase.partition("; ")
    if outcome == "outcome unknown":
        outcome = "ruling (outcome not reported)"
    return f"{outcome} {display_date(ruling['date'])}" + (f": {rest}" if rest else "")


def status(facts: Facts, today: dt.date | None = None) -> dict[str, Any] | None:
    """The derived status ``{"custody", "legal", "text"}``, or None for a person
    with no detention, asylum decision or ruling of their own."""
    held = custody(facts)
    decided = legal(facts, today or dt.date.today())
    if held is None and not decided:
        return None
    parts = ([held] if held else []) + decided
    return {"custody": held, "legal": decided, "text": "; ".join(p["text"] for p in parts)}


def detention_length(detention: Row, facts: Facts, today: dt.date | None = None) -> dict[str, Any]:
    """``days_min``, ``days_max`` and ``days`` (when both agree) of a detention.

    A detention whose dates do not give its length (no start, or no end) lasted
    its recorded duration, where it has one. A detention without an end that a
    later fact ends (a release, a ruling) ends on that fact's date. One that nothing ends lasted at least until the
    latest-dated fact about the person and at most until today.
    """
    today = today or dt.date.today()
    end_earliest, end_latest = detention.get("end_earliest"), detention.get("end_latest")
    open_ended = False
    if detention.get("duration") and not (detention.get("start") and detention.get("end")):
        # its dates do not tell the length; the report's duration does
        fewest, most = detention["duration_min_days"], detention["duration_max_days"]
        exact = fewest if fewest == most else None
        return {
            "days_min": fewest,
            "days_max": most,
            "days": exact,
            "open": False,
            "duration": detention["duration"],
        }
    if not detention.get("end"):
        ended = ending(facts, detention)
        if ended is not None:
            row = ended[1]
            end_earliest, end_latest = row.get("date_earliest"), row.get("date_latest")
        else:
            open_ended = True
            end_earliest = latest_fact_day(facts) or detention.get("start_latest")
            end_latest = today.isoformat()
    days_min, days_max = length(
        detention.get("start_earliest"), detention.get("start_latest"), end_earliest, end_latest
    )
    return {
        "days_min": days_min,
        "days_max": days_max,
        "days": days_min if days_min is not None and days_min == days_max else None,
        "open": open_ended,
        "duration": None,
    }


def latest_fact_day(facts: Facts) -> str | None:
    """The last day the records say anything about the person: how long an open
    detention that nothing ends lasted at least."""
    days = [
        str(row.get(f"{field}_latest") or row.get(f"{field}_earliest") or "")
        for rows, field in (
            (facts.events, "date"),
            (facts.rulings, "date"),
            (facts.asylum, "date"),
            (facts.detentions, "start"),
        )
        for row in rows
    ]
    days = [day for day in days if day]
    return max(days) if days else None
