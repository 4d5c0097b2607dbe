"""Reading queries: trials and their parties, the timeline, lists and counts."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cases.catalogue import FACTS, TABLE
from cases.db.connection import Row, Store, chunks, marks

# The order every timeline uses: earliest day (an open start by its latest day),
# then latest day; undated last. The sentinel makes undated sort last in an index
# (migration m004 builds the indexes from the same expressions).
UNDATED = "9999-99-99"


def timeline_anchor(alias: str, field: str) -> str:
    """SQL for a fact's first sort key (the same text as its index expression)."""
    return f"coalesce({alias}.{field}_earliest, {alias}.{field}_latest, '{UNDATED}')"


def timeline_tail(alias: str, field: str) -> str:
    """SQL for a fact's second sort key."""
    return f"coalesce({alias}.{field}_latest, '{UNDATED}')"


def parties_of_trials(store: Store, trial_ids: Sequence[int]) -> list[Row]:
    """Party rows of these trials (with the name and privacy of the person or
    organisation each is), by trial then recording order."""
    rows: list[Row] = []
    for chunk in chunks(trial_ids):
        rows.extend(
            store.all(
                f"""SELECT p.*,
                           coalesce(pe.name, '[' || pe.description || ']', o.name) AS actor_name,
                           coalesce(pe.private, o.private, n.private, 0) AS actor_private,
                           n.name AS named_person
                    FROM trial_parties p
                    LEFT JOIN people pe ON pe.id = p.person_id
                    LEFT JOIN organisations o ON o.id = p.org_id
                    LEFT JOIN people n ON n.id = p.name_person_id
                    WHERE p.trial_id IN ({marks(chunk)})""",
                chunk,
            )
        )
    rows.sort(key=lambda row: (row["trial_id"], row["id"]))
    return rows


def named_in_trial(store: Store, trial_id: int) -> list[Row]:
    """The trial's party rows that name someone as text (judges, lawyers,
    prosecutors), in recording order."""
    return store.all(
        "SELECT * FROM trial_parties WHERE trial_id = ? AND name IS NOT NULL ORDER BY id",
        [trial_id],
    )


def trials_of_person(store: Store, person_id: int) -> list[Row]:
    """Trials a person is a party to, by opened date then recording order."""
    return store.all(
        """SELECT trials.* FROM trials
           WHERE id IN (SELECT trial_id FROM trial_parties WHERE person_id = ?)
           ORDER BY opened_earliest IS NULL, opened_earliest, opened_latest, id""",
        [person_id],
    )


def latest_trial_of(store: Store, person_id: int) -> Row | None:
    """The person's latest trial by opened date, then by when it was recorded."""
    return store.one(
        """SELECT trials.* FROM trials
           WHERE id IN (SELECT trial_id FROM trial_parties WHERE person_id = ?)
           ORDER BY coalesce(opened_earliest, opened_latest) IS NULL,
                    coalesce(opened_earliest, opened_latest) DESC, id DESC
           LIMIT 1""",
        [person_id],
    )


def trial_ids_only_of(store: Store, column: str, actor_id: int) -> list[int]:
    """Trials whose every person or organisation party is this actor (COLUMN:
    person_id or org_id): they go when the actor goes (a judge named as text
    does not keep a trial)."""
    rows = store.conn.execute(
        f"""SELECT trial_id FROM trial_parties
            WHERE trial_id IN (SELECT trial_id FROM trial_parties WHERE {column} = ?)
            AND (person_id IS NOT NULL OR org_id IS NOT NULL)
            GROUP BY trial_id HAVING sum(CASE WHEN {column} = ? THEN 0 ELSE 1 END) = 0""",
        [actor_id, actor_id],
    )
    return [int(row[0]) for row in rows]


def records_of(store: Store, table: str, column: str, actor_id: int) -> list[Row]:
    """Rows of TABLE whose COLUMN is this actor, in recording order."""
    return store.all(f'SELECT * FROM "{table}" WHERE "{column}" = ? ORDER BY id', [actor_id])


def first_party_of(store: Store, trial_ids: Sequence[int]) -> dict[int, int]:
    """The first-recorded person party of each trial."""
    found: dict[int, int] = {}
    for chunk in chunks(trial_ids):
        rows = store.conn.execute(
            f"SELECT trial_id, person_id FROM trial_parties WHERE id IN ("
            f"SELECT min(id) FROM trial_parties WHERE person_id IS NOT NULL "
            f"AND trial_id IN ({marks(chunk)}) GROUP BY trial_id)",
            chunk,
        )
        found.update((int(trial), int(person)) for trial, person in rows)
    return found


# -- the timeline ----------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One kind of involvement of an actor in a fact, read in timeline order."""

    kind: str  # the timeline kind (the kind's name for a fact placed by its own kind)
    prefix: str
    table: str
    field: str  # the date field it is placed by
    person: str  # SQL for the person involved (or NULL)
    org: str  # SQL for the organisation involved (or NULL)
    role: str  # SQL for their role
    join: str = ""
    court: str = "NULL"
    place: str = "NULL"
    own_kind: bool = False  # the kind is the fact's own kind field (an event's)
    when_known: bool = False  # placed only where the date is known
    # whether its actors take part through participants (a run of its own)
    participants: bool = False
    # SQL for one person, where PERSON is a coalesce() no index can answer: each
    # column asked in turn (a party linked, else a party named), so that the
    # index of each is used
    person_is: str = ""


def _sources() -> list[_Source]:
    """Who is involved in what, from the catalogue's facts: the subject of each
    fact (the parties of a trial) and the participants of every fact, once for
    each date a fact is placed by (a detention's start and end)."""
    sources = []
    for table in FACTS:
        fact = table.fact
        assert fact is not None and table.kind is not None
        if not fact.in_timeline:
            continue
        join, court, place = "", "NULL", "NULL"
        if fact.within:
            within = TABLE[table.name].links[fact.within]
            join = f'LEFT JOIN "{within}" t ON t.id = x."{fact.within}"'
            outer = TABLE[within].fact
            assert outer is not None
            if outer.court:
                court = (
                    f"coalesce(x.{fact.court}, t.{outer.court})"
                    if fact.court
                    else f"t.{outer.court}"
                )
            if outer.place:
                place = (
                    f"coalesce(x.{fact.place}, t.{outer.place})"
                    if fact.place
                    else f"t.{outer.place}"
                )
        else:
            court = f"x.{fact.court}" if fact.court else "NULL"
            place = f"x.{fact.place}" if fact.place else "NULL"
        for placement in fact.placements:
            base = _Source(
                kind=placement.kind or table.kind.name,
                prefix=table.kind.prefix,
                table=table.name,
                field=placement.date,
                person="NULL",
                org="NULL",
                role="NULL",
                join=join,
                court=court,
                place=place,
                own_kind=placement.kind is None,
                when_known=placement.when_known,
            )
            if fact.parties:
                subject = replace(
                    base,
                    person="coalesce(s.person_id, s.name_person_id)",
                    person_is="(s.person_id = ? OR (s.person_id IS NULL AND s.name_person_id = ?))",
                    org="s.org_id",
                    role="s.role",
                    join=f'JOIN "{fact.parties}" s ON s.trial_id = x.id {join}',
                )
            else:
                columns = {table.field(c).link: c for c in fact.subject}
                subject = replace(
                    base,
                    person=f"x.{columns['people']}" if "people" in columns else "NULL",
                    org=f"x.{columns['organisations']}" if "organisations" in columns else "NULL",
                    role="'subject'",
                )
            taking_part = replace(
                base,
                person="w.person_id",
                org="w.org_id",
                role="w.role",
                join=f"{join} JOIN participants w ON w.fact_uid = x.uid",
                participants=True,
            )
            sources += [subject, taking_part]
    return sources


_SOURCES = _sources()
# Kinds placed by a fact's later date (a detention's end): after its start on a tie.
_LATER_PLACEMENTS = frozenset(
    placement.kind
    for table in FACTS
    if table.fact is not None
    for placement in table.fact.placements[1:]
    if placement.kind
)

# What each timeline item read holds, in this order.
ITEM_COLUMNS = (
    "kind",
    "prefix",
    "record_id",
    "record_uid",
    "person_id",
    "org_id",
    "role",
    "date",
    "earliest",
    "latest",
    "table",
    "private",
    "anchor",
    "tail",
    "actor_name",
    "actor_description",
    "actor_private",
    "source_ids",
    "record",
)


def timeline(
    store: Store,
    *,
    person_id: int | None = None,
    org_id: int | None = None,
    since: str | None = None,
    until: str | None = None,
    kinds: Sequence[str] = (),
    event_kinds: Sequence[str] = (),
    court: str | None = None,
    place: str | None = None,
) -> Iterator[Row]:
    """Every involvement of an actor in a fact, in timeline order, as it is read.

    Each kind of involvement is read in its index order, and the sorted runs are
    merged as they stream (heapq.merge): the first items come at once and memory
    stays flat however long the timeline. KINDS: the timeline kinds to keep
    (trial, ruling, asylum, detention, detention-end, event...); EVENT_KINDS: the
    words to keep among the facts placed by their own kind, an event's (all when
    empty).
    """
    runs = []
    # an actor's own participations are found by their index; the whole
    # timeline's, by a scan that is worth skipping where there are none
    whole = person_id is None and org_id is None
    present = _facts_taken_part_in(store) if whole else {t.name for t in FACTS}
    for source in _SOURCES:
        if kinds and source.kind not in kinds:
            continue
        if source.participants and source.table not in present:
            continue  # else the run would scan every fact of its kind to find none
        runs.append(_run(store, source, person_id, org_id, since, until, event_kinds, court, place))
    merged = heapq.merge(
        *runs,
        key=lambda item: (
            item[12],
            item[13],
            item[0] in _LATER_PLACEMENTS,
            item[1],
            item[2],
            item[4] or 0,
            item[5] or 0,
        ),
    )
    for item in merged:
        yield dict(zip(ITEM_COLUMNS, item, strict=True))


def _facts_taken_part_in(store: Store) -> set[str]:
    """The fact tables some participant takes part in a fact of (a fact's table is
    told by its uid: each is looked up in the fact tables' uid indexes)."""
    found = set()
    taking_part = store.scalar("SELECT max(id) FROM participants") or 0
    for table in FACTS:
        # from the smaller side (its largest id tells how large a table is, at once)
        facts = store.scalar(f'SELECT max(id) FROM "{table.name}"') or 0
        if not facts or not taking_part:
            continue
        query = (
            f'SELECT 1 FROM participants w JOIN "{table.name}" x ON x.uid = w.fact_uid LIMIT 1'
            if taking_part <= facts
            else f'SELECT 1 FROM "{table.name}" x WHERE EXISTS '
            "(SELECT 1 FROM participants w WHERE w.fact_uid = x.uid) LIMIT 1"
        )
        if store.conn.execute(query).fetchone():
            found.add(table.name)
    return found


def _run(
    store: Store,
    source: _Source,
    person_id: int | None,
    org_id: int | None,
    since: str | None,
    until: str | None,
    event_kinds: Sequence[str],
    court: str | None,
    place: str | None,
) -> Iterator[tuple[Any, ...]]:
    field = source.field
    conditions = [f"({source.person} IS NOT NULL OR {source.org} IS NOT NULL)"]
    params: list[Any] = []
    if source.own_kind and event_kinds:
        conditions.append(f"x.kind IN ({marks(event_kinds)})")
        params.extend(event_kinds)
    if source.when_known:
        conditions.append(f'x."{source.field}" IS NOT NULL')
    if person_id is not None and source.person_is:
        conditions.append(source.person_is)
        params.extend([person_id] * source.person_is.count("?"))
    elif person_id is not None:
        conditions.append(f"{source.person} = ?")
        params.append(person_id)
    if org_id is not None:
        conditions.append(f"{source.org} = ?")
        params.append(org_id)
    if since is not None or until is not None:
        conditions.append(f'x."{field}" IS NOT NULL')
    if since is not None:
        conditions.append(f"coalesce(x.{field}_latest, '9999-12-31') >= ?")
        params.append(since)
    if until is not None:
        conditions.append(f"coalesce(x.{field}_earliest, '0001-01-01') <= ?")
        params.append(until)
    if court is not None:
        conditions.append(f"{source.court} LIKE ?")
        params.append(f"%{court}%")
    if place is not None:
        conditions.append(f"{source.place} LIKE ?")
        params.append(f"%{place}%")
    anchor, tail = timeline_anchor("x", field), timeline_tail("x", field)
    kind = "x.kind" if source.own_kind else f"'{source.kind}'"
    # several actors of one fact (a trial's parties, those taking part) come in
    # the order the merge below puts them, whichever engine reads them
    tiebreak = (
        f", coalesce({source.person}, 0), coalesce({source.org}, 0)"
        if source.participants or source.person_is
        else ""
    )
    # Everything an item shows comes with it (the actor's name, the sources cited,
    # the record itself): no lookups per item, and one pass in index order.
    # an actor's involvements are few; everyone's stream
    read = store.conn.execute if person_id is not None or org_id is not None else store.stream
    cursor = read(
        f"""SELECT {kind}, '{source.prefix}', x.id, x.uid, {source.person}, {source.org},
                   {source.role}, x."{field}", x.{field}_earliest, x.{field}_latest,
                   '{source.table}', x.private, {anchor}, {tail},
                   coalesce(pe.name, oe.name), pe.description,
                   coalesce(pe.private, oe.private, 0),
                   (SELECT group_concat(c.source_id) FROM citations c
                    WHERE c.record_uid = x.uid),
                   x.*
            FROM "{source.table}" x {source.join}
            LEFT JOIN people pe ON pe.id = {source.person}
            LEFT JOIN organisations oe ON oe.id = {source.org}
            WHERE {" AND ".join(conditions)}
            ORDER BY {anchor}, {tail}, x.id{tiebreak}""",
        params,
    )
    first_record_column = len(ITEM_COLUMNS) - 1
    record_columns = [column[0] for column in cursor.description][first_record_column:]
    # a loop, not ``yield from``: a run left half-read is not asked to close its
    # cursor later, when the connection may be closed already
    for row in cursor:
        record = dict(zip(record_columns, row[first_record_column:], strict=True))
        yield (*row[:first_record_column], record)


# -- counts --------------------------------------------------------------------


def count_values(
    store: Store, table: str, wanted: dict[str, list[str]]
) -> dict[str, dict[str, int]]:
    """How many rows of TABLE hold each wanted value of each column, in one scan
    (``{column: [value, ...]}`` in, ``{column: {value: count}}`` out)."""
    pairs = [(column, value) for column, values in wanted.items() for value in values]
    if not pairs:
        return {}
    counts = ", ".join(f'count(*) FILTER (WHERE "{column}" = ?)' for column, _ in pairs)
    row = store.conn.execute(
        f'SELECT {counts} FROM "{table}"', [value for _, value in pairs]
    ).fetchone()
    found: dict[str, dict[str, int]] = {column: {} for column in wanted}
    for (column, value), number in zip(pairs, row, strict=True):
        found[column][value] = int(number)
    return found


# A detention with neither an end nor a duration is open; one whose dates do not
# give its length (no start, or no end) lasted its duration, where it has one.
_OPEN = '"end" IS NULL AND duration IS NULL'
_LASTED = 'duration IS NOT NULL AND (start IS NULL OR "end" IS NULL)'


def count_open_detentions(store: Store) -> int:
    """Detentions with no end recorded, and no duration that says they ended."""
    return int(store.scalar(f"SELECT count(*) FROM detentions WHERE {_OPEN}"))


_DAY = "coalesce({0}_earliest, {0}_latest)"

# The fewest and most days of one span (FIRST..LAST its start, END_FIRST..END_LAST
# its end), and the three sums over the spans: exact lengths, fewest, most.
_LENGTHS = """max(0, CAST(julianday(end_first) - julianday(coalesce(last, end_first))
                        AS INTEGER)) AS fewest,
              max(0, CAST(julianday(end_last) - julianday(first) AS INTEGER)) AS most"""
_SUMS = """coalesce(sum(CASE WHEN fewest = most THEN fewest END), 0),
           coalesce(sum(fewest), 0), coalesce(sum(most), 0)"""
# The spans are read through "LIMIT -1" (no limit) so that SQLite runs them as a
# co-routine instead of flattening them into the sums, which would work out each
# length twice.

# The first later release or ending ruling of an open detention D, as service/
# status.py's ``ending`` picks it (the earliest day, then the lowest id), packed
# in one string that sorts that way: "DAY|ID|EARLIEST|LATEST", with ID in 12
# digits and EARLIEST in 10 characters (blank when the date has no earliest day:
# "before 2019-03-31"), so that min() finds it; NULL when nothing ends D.
_ENDING_FACT = """min({day} || '|' || printf('%012d', {t}.id) || '|'
                || coalesce({t}.date_earliest, '          ') || '|'
                || coalesce({t}.date_latest, ''))"""
_ENDING = f"""nullif(min(
    coalesce((SELECT {_ENDING_FACT.format(day=_DAY.format("e.date"), t="e")}
              FROM events e WHERE e.person_id = d.person_id AND e.kind = 'release'
              AND {_DAY.format("e.date")} >= {_DAY.format("d.start")}), '~'),
    coalesce((SELECT {_ENDING_FACT.format(day=_DAY.format("e.date"), t="e")}
              FROM events e WHERE e.org_id = d.org_id AND e.kind = 'release'
              AND {_DAY.format("e.date")} >= {_DAY.format("d.start")}), '~'),
    coalesce((SELECT {_ENDING_FACT.format(day=_DAY.format("r.date"), t="r")}
              FROM rulings r WHERE r.person_id = d.person_id
              AND {_DAY.format("r.date")} >= {_DAY.format("d.start")}
              AND (r.sentence_kinds IS NOT NULL OR r.outcome IN ('acquitted', 'dismissed'))),
             '~')), '~')"""
_ENDING_EARLIEST = "nullif(trim(substr(ending, 25, 10)), '')"
_ENDING_LATEST = "nullif(substr(ending, 36), '')"

# The latest date of any fact about D's person or group ('' when none has a date).
_LATEST_FACT = """max(
    coalesce((SELECT max(coalesce(date_latest, date_earliest)) FROM events
              WHERE person_id = d.person_id), ''),
    coalesce((SELECT max(coalesce(date_latest, date_earliest)) FROM events
              WHERE org_id = d.org_id), ''),
    coalesce((SELECT max(coalesce(start_latest, start_earliest)) FROM detentions
              WHERE org_id = d.org_id), ''),
    coalesce((SELECT max(coalesce(date_latest, date_earliest)) FROM rulings
              WHERE person_id = d.person_id), ''),
    coalesce((SELECT max(coalesce(date_latest, date_earliest)) FROM asylum
              WHERE person_id = d.person_id), ''),
    coalesce((SELECT max(coalesce(start_latest, start_earliest)) FROM detentions
              WHERE person_id = d.person_id), ''))"""


def detention_day_totals(store: Store, today: str) -> dict[str, int]:
    """Detention days summed over every detention: the exact lengths
    (``detention_days``) and the fewest and most days the dates allow.

    The same rules as a person's summary (service/status.py), in SQL so that
    counting a hundred thousand people reads each table once: a detention
    without an end ends at the first later release event or ruling that ends
    it; one that nothing ends lasted at least until the latest-dated fact about
    the person and at most until TODAY; one whose dates do not give its length
    lasted its duration. Closed and open detentions are summed
    apart, and the latest fact is looked up only for the open ones nothing
    ends: each lookup is an index search per detention, the cost of the command.
    """
    closed = store.conn.execute(
        f"""SELECT {_SUMS} FROM (
                SELECT {_LENGTHS} FROM (
                    SELECT start_earliest AS first, start_latest AS last,
                           end_earliest AS end_first, end_latest AS end_last
                    FROM detentions WHERE "end" IS NOT NULL AND NOT ({_LASTED})) AS spans
                LIMIT -1) AS lengths"""
    ).fetchone()
    lasted = store.conn.execute(
        f"""SELECT {_SUMS} FROM (
                SELECT duration_min_days AS fewest, duration_max_days AS most
                FROM detentions WHERE {_LASTED}) AS lengths"""
    ).fetchone()
    still_open = store.conn.execute(
        f"""WITH open AS MATERIALIZED (
                SELECT d.person_id, d.org_id, d.start_earliest AS first, d.start_latest AS last,
                       {_ENDING} AS ending
                FROM detentions d WHERE {_OPEN}),
            spans AS (
                SELECT first, last,
                       CASE WHEN ending IS NOT NULL THEN {_ENDING_EARLIEST}
                            ELSE nullif({_LATEST_FACT}, '') END AS end_first,
                       CASE WHEN ending IS NOT NULL THEN {_ENDING_LATEST}
                            ELSE :today END AS end_last
                FROM open d)
            SELECT {_SUMS} FROM (SELECT {_LENGTHS} FROM spans LIMIT -1) AS lengths""",
        {"today": today},
    ).fetchone()
    exact, fewest, most = (
        int(a) + int(b) + int(c) for a, b, c in zip(closed, lasted, still_open, strict=True)
    )
    return {
        "detention_days": exact,
        "detention_days_min": fewest,
        "detention_days_max": most,
    }
