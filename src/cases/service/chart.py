"""What a chart shows: its rows (actors), their bars and markers, read through the
one privacy filter.

Every record comes from :class:`cases.privacy.PrivacyFilter`, inside one read
snapshot, so a chart shows exactly what an export would: without
``include_private`` no private record, nor anything that would reveal one.

A row is one person or organisation. Its bars are detentions and asylum-seeker
periods, each made of pieces: ``solid`` where the dates are known, ``uncertain``
where a bound is approximate (between a date's earliest and latest day) and
``open`` where a bound is missing (a detention with no end that nothing ends, a
start known only as "before"). Its markers are rulings, asylum decisions and
events, with the earliest and latest day each may fall on.

Without named actors, the rows are the actors with at least one dated fact of
their own, by their first fact: two passes over the fact tables (the first
finds each actor's first day, the second reads the facts of those drawn), so
memory holds one day per actor and the facts of the rows drawn, not the
database.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cases.catalogue import FACTS, TABLE
from cases.csv_io import replacing_files, text_file
from cases.dates import display_date, parse_date
from cases.db.connection import Store
from cases.errors import Invalid
from cases.privacy import PrivacyFilter
from cases.records import ORGANISATION, PERSON
from cases.service.describe import asylum_phrase, fact_line, ruling_phrase
from cases.service.resolving import actor_name, resolve_actor
from cases.service.status import Facts, ending, expected_release, latest_fact_day
from cases.service.transfer import refuse_overwrite

# Rows drawn when no actor is named and no --limit is given, and the most any
# chart may have: past a few hundred rows a picture no longer reads.
DEFAULT_ROWS = 50
MOST_ROWS = 500
FORMATS = (".svg", ".html")

# Asylum decisions that open an asylum-seeker period.
SEEKER_DECISIONS = ("asylum-seeker-status", "extended")
# Facts drawn as bars (by the code below): detentions, and asylum-seeker periods.
BARS = ("detentions", "asylum")
# Every fact drawn, and the date it is placed by: the bars', and every fact whose
# kind declares the word its marker is grouped by.
FACT_TABLES = tuple(
    (table.name, table.fact.date)
    for table in FACTS
    if table.fact is not None and (table.name in BARS or table.fact.marker)
)
# The date a fact of these tables may last until (open: far away).
_LASTS_UNTIL = {"detentions": "end", "asylum": "until"}
_FAR = "9999-12-31"

Row = dict[str, Any]


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
class Chart:
    rows: list[ChartRow]
    first: str  # the axis: first and last day shown
    last: str
    include_private: bool
    today: str
    # how many actors had dated facts, when more than the rows drawn
    actors_found: int | None = None
    # (kind, group, what it means) of each kind of marker, in legend order
    legend: tuple[tuple[str, str, str], ...] = ()
    explicit_first: bool = False  # --since given: nothing runs off the left edge
    explicit_last: bool = False


def check_target(store: Store, path: Path, *, force: bool) -> str:
    """The format PATH asks for ("svg" or "html"); refuse other suffixes, a
    folder, the database itself, and an existing file without FORCE."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise Invalid(
            f"--out {path} must end in {' or '.join(FORMATS)} (an SVG picture or an HTML page)"
        )
    if path.is_dir():
        raise Invalid(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        # said before the chart is drawn, which can take seconds
        raise Invalid(f"cannot write {path}: there is no folder {path.parent}")
    refuse_overwrite(store, [path], force)
    return suffix[1:]


def save(store: Store, path: Path, text: str, *, force: bool) -> None:
    """Write TEXT to PATH (mode 0600), which appears only when complete."""
    refuse_overwrite(store, [path], force)
    with replacing_files([path]) as (temporary,), text_file(temporary) as handle:
        handle.write(text)


def _window(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    first = last = None
    if since:
        parsed = parse_date(since)
        day = parsed.earliest or parsed.latest
        first = day.isoformat() if day else None
    if until:
        parsed = parse_date(until)
        day = parsed.latest or parsed.earliest
        last = day.isoformat() if day else None
    if first and last and last < first:
        raise Invalid(f"--until {until} is before --since {since}")
    return first, last


def chart(
    store: Store,
    actors: Sequence[str] = (),
    *,
    since: str | None = None,
    until: str | None = None,
    include_private: bool = False,
    limit: int | None = None,
    today: dt.date | None = None,
) -> Chart:
    """The rows of a chart of ACTORS (references or names), or of the first
    LIMIT actors (default 50) by their first fact; facts outside SINCE..UNTIL
    are left out. Private records appear only with INCLUDE_PRIVATE."""
    if limit is not None and not 1 <= limit <= MOST_ROWS:
        raise Invalid(f"--limit {limit} must be 1 to {MOST_ROWS}")
    if len(set(actors)) > MOST_ROWS:
        raise Invalid(f"a chart has at most {MOST_ROWS} rows; name fewer actors")
    first, last = _window(since, until)
    today_text = (today or dt.date.today()).isoformat()
    named = [resolve_actor(store, text) for text in actors]
    with store.snapshot():
        visible = PrivacyFilter(store, include_private=include_private)
        found = None
        if named:
            wanted = list(dict.fromkeys((kind.name, str(row["uid"])) for kind, row in named))
            names = _names(visible, wanted)
            for (kind, row), text in zip(named, actors, strict=True):
                if (kind.name, str(row["uid"])) not in names:
                    # the actor is private (or hidden with a private record)
                    raise Invalid(
                        f"{text.strip()} is private; add --include-private to draw it "
                        "(and keep the file to yourself)"
                    )
        else:
            anchors = _first_days(visible, first, last)
            count = limit or DEFAULT_ROWS
            chosen = heapq.nsmallest(count, anchors.items(), key=lambda item: (item[1], item[0]))
            wanted = [actor for actor, _ in chosen]
            if len(anchors) > len(wanted):
                found = len(anchors)
                if limit is None:
                    store.notices.append(
                        f"drew the first {len(wanted)} of {len(anchors):,} people and "
                        "organisations with dated facts, by their first fact; name them, "
                        f"or use --limit N (at most {MOST_ROWS}), --since or --until"
                    )
            names = _names(visible, wanted)
        facts = _facts(visible, set(wanted))
        visible.note_public_mentions()
    rows = []
    for actor in wanted:
        if actor not in names:
            continue
        name, private = names[actor]
        drawn = _row(name, actor[0], private, facts.get(actor, _Facts()), today_text)
        _clip(drawn, first, last)
        rows.append(drawn)
    axis_first, axis_last = _axis(rows, first, last, today_text)
    return Chart(
        rows,
        axis_first,
        axis_last,
        include_private,
        today_text,
        found,
        explicit_first=first is not None,
        explicit_last=last is not None,
        legend=legend(),
    )


# -- reading through the privacy filter -------------------------------------------


def _columns(table: str) -> dict[str, int]:
    """Where each exported column of TABLE is in a row the filter yields."""
    return {column: index for index, column in enumerate(TABLE[table].exported_columns)}


def _as_dict(table: str, values: Sequence[Any], number: int) -> Row:
    row = dict(zip(TABLE[table].exported_columns, values, strict=True))
    row["id"] = number  # the order recorded (rows come in id order); never shown
    return row


def _subject_at(table: str) -> tuple[int, int | None]:
    """The positions of the person and organisation a fact of TABLE is about."""
    at = _columns(table)
    return at["person_id"], at.get("org_id")


def _subject(person: Any, org: Any) -> tuple[str, str] | None:
    """The actor a fact is about: ("person" or "organisation", uid)."""
    if person:
        return PERSON.name, str(person)
    if org:
        return ORGANISATION.name, str(org)
    return None


def _first_days(
    visible: PrivacyFilter, first: str | None, last: str | None
) -> dict[tuple[str, str], str]:
    """Each actor with a fact of their own in the window, and the first day of their
    facts. Rows stay tuples here: this pass reads every fact in the database."""
    anchors: dict[tuple[str, str], str] = {}
    for table, day_field in FACT_TABLES:
        at = _columns(table)
        person, org = _subject_at(table)
        early, late = at[f"{day_field}_earliest"], at[f"{day_field}_latest"]
        # the last day a fact may cover: a detention's end, an asylum status's
        # "until" (open: far away), else its own date
        end = _LASTS_UNTIL.get(table)
        end_text, end_late = (at[end], at[f"{end}_latest"]) if end else (None, None)
        for values in visible.rows(TABLE[table]):
            actor = _subject(values[person], values[org] if org is not None else None)
            if actor is None:
                continue
            lo = values[early] or values[late] or _FAR
            if end_text is None:
                hi = values[late] or _FAR
            elif table == "detentions" or values[end_text]:
                hi = (values[end_late] or _FAR) if values[end_text] else _FAR
            else:
                hi = values[late] or _FAR
            if (first and hi < first) or (last and lo > last):
                continue
            day = max(lo, first) if first else lo
            if actor not in anchors or day < anchors[actor]:
                anchors[actor] = day
    return anchors


def _names(
    visible: PrivacyFilter, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, bool]]:
    """The name (an unnamed person's description in brackets) and privacy of each
    visible actor of WANTED."""
    wanted = set(wanted)
    names = {}
    for kind, table in ((PERSON, "people"), (ORGANISATION, "organisations")):
        if not any(actor_kind == kind.name for actor_kind, _ in wanted):
            continue
        uid, private = _columns(table)["uid"], _columns(table)["private"]
        for values in visible.rows(TABLE[table]):
            actor = (kind.name, str(values[uid]))
            if actor in wanted:
                row = _as_dict(table, values, 0)
                names[actor] = (actor_name(kind, row), bool(values[private]))
    return names


@dataclass
class _Facts:
    # the actor's own facts, by table
    own: dict[str, list[Row]] = field(default_factory=dict)
    # (table, row, role) of facts the actor took part in without being their subject
    taking_part: list[tuple[str, Row, str]] = field(default_factory=list)

    def of(self, table: str) -> list[Row]:
        return self.own.get(table, [])


def _facts(visible: PrivacyFilter, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], _Facts]:
    """The facts of the WANTED actors: their own, and those they took part in."""
    found: dict[tuple[str, str], _Facts] = {}
    # those taking part in each fact, by the fact's uid
    parts: dict[str, list[tuple[tuple[str, str], str]]] = {}
    for number, values in enumerate(visible.rows(TABLE["participants"])):
        row = _as_dict("participants", values, number)
        actor = _subject(row["person_id"], row["org_id"])
        if actor is None or actor not in wanted:
            continue
        parts.setdefault(str(row["fact_uid"]), []).append((actor, str(row["role"])))
    for table, _ in FACT_TABLES:
        person, org = _subject_at(table)
        uid = _columns(table)["uid"]
        marked = table not in BARS
        for number, values in enumerate(visible.rows(TABLE[table])):
            actor = _subject(values[person], values[org] if org is not None else None)
            takers = parts.get(str(values[uid]), ()) if parts and marked else ()
            if (actor is None or actor not in wanted) and not takers:
                continue
            row = _as_dict(table, values, number)
            if actor is not None and actor in wanted:
                found.setdefault(actor, _Facts()).own.setdefault(table, []).append(row)
            for other, role in takers:
                if other != actor:
                    found.setdefault(other, _Facts()).taking_part.append((table, row, role))
    return found


# -- a row's bars and markers --------------------------------------------------------


def _row(name: str, kind: str, private: bool, facts: _Facts, today: str) -> ChartRow:
    row = ChartRow(name, kind, private=private)
    status_facts = Facts(
        facts.of("detentions"), facts.of("asylum"), facts.of("rulings"), facts.of("events")
    )
    latest_known = latest_fact_day(status_facts)
    for detention in facts.of("detentions"):
        row.bars.append(_detention_bar(detention, status_facts, latest_known))
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


def _detention_bar(detention: Row, facts: Facts, latest_known: str | None) -> Bar:
    kind = str(detention.get("kind") or "")
    what = f"{kind.replace('-', ' ')} detention" if kind else "detention"
    where = f" in {detention['place']}" if detention.get("place") else ""
    by = f", held by {detention['authority']}" if detention.get("authority") else ""
    start = (detention.get("start_earliest"), detention.get("start_latest"))
    title = f"{what}{where}{by}: from {display_date(detention['start'])}"
    if detention.get("end"):
        title += f" to {display_date(detention['end'])}"
        pieces = _pieces(*start, detention.get("end_earliest"), detention.get("end_latest"))
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


# -- the window and the axis ------------------------------------------------------------


def _clip(row: ChartRow, first: str | None, last: str | None) -> None:
    """Leave out the bars and markers wholly outside FIRST..LAST."""
    if first is None and last is None:
        return

    def inside(lo: str | None, hi: str | None) -> bool:
        lo, hi = lo or "0001-01-01", hi or _FAR
        return not ((first and hi < first) or (last and lo > last))

    row.bars = [
        bar for bar in row.bars if bar.pieces and inside(bar.pieces[0].first, bar.pieces[-1].last)
    ]
    row.markers = [m for m in row.markers if inside(m.earliest or m.latest, m.latest or m.earliest)]


def _axis(rows: list[ChartRow], first: str | None, last: str | None, today: str) -> tuple[str, str]:
    """The first and last day of the axis: the window asked for, else the days drawn."""
    days = [day for row in rows for bar in row.bars for day in (bar.first, bar.last) if day]
    days += [day for row in rows for m in row.markers for day in (m.earliest, m.latest) if day]
    lo = first or (min(days) if days else None)
    hi = last or (max(days) if days else None)
    if lo is None and hi is None:
        lo = hi = today
    lo = lo or hi
    hi = hi or lo
    assert lo is not None and hi is not None
    return lo, max(lo, hi)
