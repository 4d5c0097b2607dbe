"""A chart's row: one actor's bars (detentions and asylum-seeker periods, each in
pieces: solid, uncertain or open, as its dates allow) and markers (a fact whose
kind declares the word its marker is grouped by, in its group's colour)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cases.catalogue import FACTS, TABLE
from cases.dates import display_date
from cases.service.describe import asylum_phrase, fact_line, ruling_phrase
from cases.service.status import Facts, ending, expected_release, latest_fact_day

Row = dict[str, Any]


# Asylum decisions that open an asylum-seeker period.
SEEKER_DECISIONS = ("asylum-seeker-status", "extended")


# Facts drawn as bars (by the code below): detentions, and asylum-seeker periods.
BARS = ("detentions", "asylum")


# The date a fact of these tables may last until (open: far away).
LASTS_UNTIL = {"detentions": "end", "asylum": "until"}


FAR = "9999-12-31"


@dataclass
class Piece:
    """A stretch of a bar: FIRST to LAST (ISO days; None where open), drawn
    ``solid``, ``uncertain`` (hatched) or ``open`` (fading out of sight)."""

    first: str | None
    last: str | None
    style: str


@dataclass
class Bar:
    kind: str  # "detention" or "asylum"
    label: str  # what is written on the bar where it fits ("pretrial")
    title: str  # the tooltip: what it is, when, where
    pieces: list[Piece]
    private: bool = False

    @property
    def first(self) -> str | None:
        days = [day for piece in self.pieces for day in (piece.first, piece.last) if day]
        return min(days) if days else None

    @property
    def last(self) -> str | None:
        days = [day for piece in self.pieces for day in (piece.first, piece.last) if day]
        return max(days) if days else None

    @property
    def open_end(self) -> bool:
        return (
            bool(self.pieces) and self.pieces[-1].style == "open" and self.pieces[-1].last is None
        )


@dataclass
class Marker:
    kind: str  # "ruling", "asylum" or "event"
    family: str  # its colour in the legend: "convicted", "protected", "custody"...
    earliest: str | None
    latest: str | None
    title: str
    role: str | None = None  # set when the actor took part in someone else's fact
    private: bool = False

    @property
    def anchor(self) -> str:
        return self.earliest or self.latest or ""


@dataclass
class ChartRow:
    name: str
    kind: str  # "person" or "organisation"
    bars: list[Bar] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    private: bool = False


@dataclass
@dataclass
class RowFacts:
    """What one row is drawn from: its actor's facts."""

    # the actor's own facts, by table
    own: dict[str, list[Row]] = field(default_factory=dict)
    # (table, row, role) of facts the actor took part in without being their subject
    taking_part: list[tuple[str, Row, str]] = field(default_factory=list)

    def of(self, table: str) -> list[Row]:
        return self.own.get(table, [])


def chart_row(name: str, kind: str, private: bool, facts: RowFacts, today: str) -> ChartRow:
    row = ChartRow(name, kind, private=private)
    status_facts = Facts(
        facts.of("detentions"), facts.of("asylum"), facts.of("rulings"), facts.of("events")
    )
    latest_known = latest_fact_day(status_facts)
    for detention in facts.of("detentions"):
        bar = _detention_bar(detention, status_facts, latest_known)
        if bar is not None:  # known only by how long it lasted: nowhere on the axis
            row.bars.append(bar)
    row.bars.extend(_seeker_bars(facts.of("asylum")))
    for table, rows in facts.own.items():
        if TABLE[table].fact and TABLE[table].fact.marker:  # type: ignore[union-attr]
            row.markers.extend(_marker(table, fact) for fact in rows)
    for table, fact, role in facts.taking_part:
        marker = _marker(table, fact)
        marker.role = role
        marker.title += f" [{role}]"
        row.markers.append(marker)
    row.markers.sort(key=lambda m: (m.anchor, m.latest or ""))
    row.bars.sort(key=lambda b: (b.kind != "detention", b.first or ""))
    return row


def _pieces(
    start_earliest: str | None,
    start_latest: str | None,
    end_earliest: str | None,
    end_latest: str | None,
    *,
    open_from: str | None = None,
) -> list[Piece]:
    """The pieces of a bar from its bounds: solid where every reading of the dates
    agrees, uncertain where a bound is approximate, open where one is missing.
    With OPEN_FROM (no end at all), the bar is solid to that day, then open."""
    pieces: list[Piece] = []
    if start_latest is None and start_earliest is not None:
        # "after X": it began somewhere between X and its end
        bound = end_earliest or end_latest or open_from
        if bound is None:
            return [Piece(start_earliest, None, "open")]
        start_latest = max(bound, start_earliest)
    if start_earliest is None:
        pieces.append(Piece(None, start_latest, "open"))
    elif start_latest is not None and start_earliest < start_latest:
        pieces.append(Piece(start_earliest, start_latest, "uncertain"))
    sure_from = start_latest or start_earliest
    if open_from is not None:
        if sure_from and open_from > sure_from:
            pieces.append(Piece(sure_from, open_from, "solid"))
        pieces.append(Piece(max(filter(None, (open_from, sure_from))), None, "open"))
        return pieces
    if end_earliest is None:
        # "before X": it ended somewhere between its start and X
        end_earliest = sure_from
    if sure_from and end_earliest and end_earliest >= sure_from:
        # a detention of one day is a solid piece of no length (drawn a sliver wide)
        pieces.append(Piece(sure_from, end_earliest, "solid"))
        if end_latest is None:
            # "after X": it ended some time after X
            pieces.append(Piece(end_earliest, None, "open"))
        elif end_latest > end_earliest:
            pieces.append(Piece(end_earliest, end_latest, "uncertain"))
    else:
        # the start and end ranges overlap: all of it is uncertain
        pieces = [p for p in pieces if p.style == "open"]
        first = start_earliest or start_latest
        pieces.append(Piece(first, end_latest, "uncertain" if end_latest else "open"))
    return pieces


def _detention_bar(detention: Row, facts: Facts, latest_known: str | None) -> Bar | None:
    kind = str(detention.get("kind") or "")
    what = f"{kind.replace('-', ' ')} detention" if kind else "detention"
    where = f" in {detention['place']}" if detention.get("place") else ""
    by = f", held by {detention['authority']}" if detention.get("authority") else ""
    title = f"{what}{where}{by}:"
    if detention.get("start"):
        title += f" from {display_date(detention['start'])}"
    if detention.get("duration"):
        title += f" for {detention['duration']}"
    span = _span(detention)
    if span is None:
        return None
    if detention.get("end") or detention.get("duration"):
        if detention.get("end"):
            title += f" to {display_date(detention['end'])}"
        pieces = _pieces(*span)
    else:
        pieces, ended = _ended_pieces(detention, facts, latest_known)
        title += ended
    return Bar(
        "detention",
        kind.replace("-", " "),
        title + _private(detention),
        pieces,
        bool(detention.get("private")),
    )


def _shifted(day: Any, days: Any) -> str | None:
    """DAY (an ISO day) moved by DAYS, or None where either is unknown."""
    if day is None or days is None:
        return None
    return (dt.date.fromisoformat(str(day)) + dt.timedelta(days=int(days))).isoformat()


def _span(detention: Row) -> tuple[str | None, str | None, str | None, str | None] | None:
    """The bounds of a detention's start and end (earliest, latest of each), an
    unknown side worked out from the other and the duration; None when neither
    its start nor its end is known."""
    start = [detention.get("start_earliest"), detention.get("start_latest")]
    end = [detention.get("end_earliest"), detention.get("end_latest")]
    fewest, most = detention.get("duration_min_days"), detention.get("duration_max_days")
    has_start, has_end = bool(detention.get("start")), bool(detention.get("end"))
    if not has_start and not has_end:
        return None
    if has_start and not has_end:
        end = [_shifted(start[1], fewest), _shifted(start[0], most)]
    elif has_end and not has_start:
        if most is None or fewest is None:  # no length: it began some time before its end
            start = [None, end[0] or end[1]]
        else:
            start = [_shifted(end[0], -int(most)), _shifted(end[1], -int(fewest))]
    return start[0], start[1], end[0], end[1]


def _ended_pieces(
    detention: Row, facts: Facts, latest_known: str | None
) -> tuple[list[Piece], str]:
    """A detention with no end: ended by a later fact (a release, a ruling), or open."""
    start = (detention.get("start_earliest"), detention.get("start_latest"))
    found = ending(facts, detention)
    if found is None:
        return (
            _pieces(*start, None, None, open_from=latest_known),
            "; no end recorded (drawn to the last fact recorded, then fading)",
        )
    what, row = found
    day = display_date(row["date"])
    if what == "release":
        return _pieces(*start, row.get("date_earliest"), row.get("date_latest")), (
            f" to the release on {day}"
        )
    if what == "free":
        return _pieces(*start, row.get("date_earliest"), row.get("date_latest")), (
            f" to the ruling of {day} ({ruling_phrase(row)})"
        )
    window = expected_release(detention, row)
    if window is None:
        return (
            _pieces(
                *start, None, None, open_from=row.get("date_latest") or row.get("date_earliest")
            ),
            f"; sentenced {day} ({ruling_phrase(row)}); release date unknown",
        )
    early, late = window
    return _pieces(*start, early.isoformat(), late.isoformat()), (
        f"; sentenced {day} ({ruling_phrase(row)}); release expected "
        f"{display_date(early.isoformat())}"
        + ("" if early == late else f" to {display_date(late.isoformat())}")
    )


def _seeker_bars(decisions: list[Row]) -> list[Bar]:
    """Asylum-seeker periods: from a decision granting or extending the status to
    its "until" date, else to the next decision, else open."""
    ordered = sorted(
        decisions, key=lambda r: (r.get("date_earliest") or r.get("date_latest") or "", r["id"])
    )
    bars = []
    for index, decision in enumerate(ordered):
        if decision.get("decision") not in SEEKER_DECISIONS:
            continue
        start = (decision.get("date_earliest"), decision.get("date_latest"))
        begun = start[0] or start[1] or ""
        following = next(
            (
                later
                for later in ordered[index + 1 :]
                if (later.get("date_earliest") or later.get("date_latest") or "") > begun
            ),
            None,
        )
        country = f" in {decision['country']}" if decision.get("country") else ""
        title = f"asylum seeker{country}: from {display_date(decision['date'])}"
        if decision.get("until"):
            pieces = _pieces(*start, decision.get("until_earliest"), decision.get("until_latest"))
            title += f" until {display_date(decision['until'])}"
        elif following is not None:
            pieces = _pieces(*start, following.get("date_earliest"), following.get("date_latest"))
            title += f" to the next decision ({asylum_phrase(following)}, {display_date(following['date'])})"
        else:
            pieces = _pieces(*start, None, None, open_from=start[1] or start[0])
            title += "; no end recorded"
        bars.append(
            Bar("asylum", "", title + _private(decision), pieces, bool(decision.get("private")))
        )
    return bars


def _private(row: Row) -> str:
    return " (private)" if row.get("private") else ""


def _dated(row: Row, date: str, text: str) -> str:
    return f"{display_date(row.get(date))}: {text}{_private(row)}"


def _marker(table: str, row: Row) -> Marker:
    """A fact's marker: grouped by the word of the field its kind declares
    (a ruling's outcome, an event's kind), with its line as its title."""
    declared = TABLE[table]
    assert declared.fact is not None and declared.kind is not None
    field = declared.field(declared.fact.marker)
    assert field.vocabulary is not None
    return Marker(
        declared.kind.name,
        field.vocabulary.group(row.get(field.name)),
        row.get(f"{declared.fact.date}_earliest"),
        row.get(f"{declared.fact.date}_latest"),
        _dated(row, declared.fact.date, fact_line(table, row)),
        private=bool(row.get("private")),
    )


def legend() -> tuple[tuple[str, str, str], ...]:
    """(kind, group, what it means) of every kind of marker: each fact kind's
    groups of words, as its vocabulary declares them."""
    found = []
    for table in FACTS:
        if table.fact is None or not table.fact.marker or table.kind is None:
            continue
        vocabulary = table.field(table.fact.marker).vocabulary
        assert vocabulary is not None
        for group, words in vocabulary.groups().items():
            read = ", ".join(vocabulary.reads(word) for word in words)
            found.append((table.kind.name, group, f"{table.kind.name}: {read}"))
    return tuple(found)
