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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cases.catalogue import FACTS, TABLE
from cases.csv_io import replacing_files, text_file
from cases.dates import parse_date
from cases.db.connection import Store
from cases.errors import Invalid
from cases.privacy import PrivacyFilter
from cases.records import ORGANISATION, PERSON
from cases.service.chart_rows import BARS, FAR, LASTS_UNTIL, ChartRow, RowFacts, chart_row, legend
from cases.service.resolving import actor_name, resolve_actor
from cases.service.transfer import refuse_overwrite

# Rows drawn when no actor is named and no --limit is given, and the most any
# chart may have: past a few hundred rows a picture no longer reads.
DEFAULT_ROWS = 50
MOST_ROWS = 500
FORMATS = (".svg", ".html")

# Every fact drawn, and the date it is placed by: the bars', and every fact whose
# kind declares the word its marker is grouped by.
FACT_TABLES = tuple(
    (table.name, table.fact.date)
    for table in FACTS
    if table.fact is not None and (table.name in BARS or table.fact.marker)
)

Row = dict[str, Any]


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
        drawn = chart_row(name, actor[0], private, facts.get(actor, RowFacts()), today_text)
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
        end = LASTS_UNTIL.get(table)
        end_text, end_late = (at[end], at[f"{end}_latest"]) if end else (None, None)
        for values in visible.rows(TABLE[table]):
            actor = _subject(values[person], values[org] if org is not None else None)
            if actor is None:
                continue
            lo = values[early] or values[late] or FAR
            if end_text is None:
                hi = values[late] or FAR
            elif table == "detentions" or values[end_text]:
                hi = (values[end_late] or FAR) if values[end_text] else FAR
            else:
                hi = values[late] or FAR
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


def _facts(visible: PrivacyFilter, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], RowFacts]:
    """The facts of the WANTED actors: their own, and those they took part in."""
    found: dict[tuple[str, str], RowFacts] = {}
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
                found.setdefault(actor, RowFacts()).own.setdefault(table, []).append(row)
            for other, role in takers:
                if other != actor:
                    found.setdefault(other, RowFacts()).taking_part.append((table, row, role))
    return found


# -- a row's bars and markers --------------------------------------------------------


# -- the window and the axis ------------------------------------------------------------


def _clip(row: ChartRow, first: str | None, last: str | None) -> None:
    """Leave out the bars and markers wholly outside FIRST..LAST."""
    if first is None and last is None:
        return

    def inside(lo: str | None, hi: str | None) -> bool:
        lo, hi = lo or "0001-01-01", hi or FAR
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
