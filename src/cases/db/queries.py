"""Reading queries: a person's trials and relations, lists, the timeline and counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cases.db.connection import Row, Store, chunks, marks
from cases.db.rows import people_by_ids

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
    """Party rows (with the person's name) of these trials, by trial then recording order."""
    rows: list[Row] = []
    for chunk in chunks(trial_ids):
        rows.extend(
            store.all(
                f"""SELECT trial_parties.*, people.name AS person_name,
                           people.private AS person_private
                    FROM trial_parties JOIN people ON people.id = trial_parties.person_id
                    WHERE trial_parties.trial_id IN ({marks(chunk)})""",
                chunk,
            )
        )
    rows.sort(key=lambda row: (row["trial_id"], row["id"]))
    return rows


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


def trial_ids_only_of(store: Store, person_id: int) -> list[int]:
    """Trials whose every party is this person (they go when the person goes)."""
    rows = store.conn.execute(
        """SELECT trial_id FROM trial_parties GROUP BY trial_id
           HAVING sum(person_id != ?) = 0 AND sum(person_id = ?) > 0""",
        [person_id, person_id],
    )
    return [int(row[0]) for row in rows]


def relations_of(store: Store, person_id: int) -> list[Row]:
    """Relations in either direction, with both people's names."""
    return store.all(
        """SELECT relations.*, a.name AS person_name, b.name AS other_name,
                  a.private AS person_private, b.private AS other_private
           FROM relations JOIN people a ON a.id = relations.person_id
                          JOIN people b ON b.id = relations.other_id
           WHERE relations.person_id = ? OR relations.other_id = ?
           ORDER BY relations.id""",
        [person_id, person_id],
    )


def relations_all(store: Store) -> list[Row]:
    """Every relation with both people's names."""
    return store.all(
        """SELECT relations.*, a.name AS person_name, b.name AS other_name
           FROM relations JOIN people a ON a.id = relations.person_id
                          JOIN people b ON b.id = relations.other_id
           ORDER BY relations.id"""
    )


def records_with_person(store: Store, table: str, person_id: int | None = None) -> list[Row]:
    """Rows of a per-person table joined with the person's name."""
    where = "" if person_id is None else f'WHERE "{table}".person_id = ?'
    params = [] if person_id is None else [person_id]
    return store.all(
        f"""SELECT "{table}".*, people.name AS person_name FROM "{table}"
            JOIN people ON people.id = "{table}".person_id {where}
            ORDER BY "{table}".id""",
        params,
    )


def first_party_of(store: Store, trial_ids: Sequence[int]) -> dict[int, int]:
    """The first-recorded party of each trial."""
    found: dict[int, int] = {}
    for chunk in chunks(trial_ids):
        rows = store.conn.execute(
            f"SELECT trial_id, person_id FROM trial_parties WHERE id IN ("
            f"SELECT min(id) FROM trial_parties WHERE trial_id IN ({marks(chunk)}) GROUP BY trial_id)",
            chunk,
        )
        found.update((int(trial), int(person)) for trial, person in rows)
    return found


def timeline_rows(
    store: Store,
    *,
    person_id: int | None,
    since: str | None,
    until: str | None,
    kinds: Sequence[str],
    court: str | None,
    place: str | None,
    limit: int | None,
) -> list[Row]:
    """Every fact (or the first LIMIT) in timeline order, filtered in SQL.

    Each kind of fact is read in index order (up to LIMIT rows each) and
    the sorted runs are merged here, so a limited timeline of everyone
    reads a few rows per table instead of sorting every fact.
    """
    sources = [
        # kind, prefix, table, date field, person column, court, place, detail, join
        (
            "trial",
            "T",
            "trials",
            "opened",
            "p.person_id",
            "x.court",
            "x.place",
            "p.role",
            "JOIN trial_parties p ON p.trial_id = x.id",
        ),
        (
            "ruling",
            "R",
            "rulings",
            "date",
            "x.person_id",
            "coalesce(x.court, t.court)",
            "t.place",
            "x.outcome",
            "LEFT JOIN trials t ON t.id = x.trial_id",
        ),
        ("asylum", "A", "asylum", "date", "x.person_id", "NULL", "x.country", "x.decision", ""),
        (
            "detention",
            "D",
            "detentions",
            "start",
            "x.person_id",
            "NULL",
            "x.place",
            "x.kind",
            "",
        ),
        (
            "detention-end",
            "D",
            "detentions",
            "end",
            "x.person_id",
            "NULL",
            "x.place",
            "x.kind",
            "",
        ),
        ("event", "E", "events", "date", "x.person_id", "NULL", "x.place", "x.summary", ""),
    ]
    facts: list[Row] = []
    for kind, prefix, table, field, person_sql, court_sql, place_sql, detail, join in sources:
        kind_sql = "x.kind" if kind == "event" else f"'{kind}'"
        conditions: list[str] = []
        params: list[Any] = []
        if kinds:
            if kind == "event":
                conditions.append(f"x.kind IN ({', '.join('?' for _ in kinds)})")
                params.extend(kinds)
            elif kind not in kinds:
                continue
        if kind == "detention-end":
            conditions.append('x."end" IS NOT NULL')
        if person_id is not None:
            conditions.append(f"{person_sql} = ?")
            params.append(person_id)
        if since is not None or until is not None:
            conditions.append(f'x."{field}" IS NOT NULL')
        if since is not None:
            # facts that can fall on or after SINCE
            conditions.append(f"coalesce(x.{field}_latest, '9999-12-31') >= ?")
            params.append(since)
        if until is not None:
            conditions.append(f"coalesce(x.{field}_earliest, '0001-01-01') <= ?")
            params.append(until)
        if court is not None:
            conditions.append(f"{court_sql} LIKE ?")
            params.append(f"%{court}%")
        if place is not None:
            conditions.append(f"{place_sql} LIKE ?")
            params.append(f"%{place}%")
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        anchor, tail = timeline_anchor("x", field), timeline_tail("x", field)
        limit_sql = ""
        if limit is not None:
            limit_sql = "LIMIT ?"
            params.append(limit)
        facts.extend(
            store.all(
                f"""SELECT {kind_sql} AS kind, '{prefix}' AS prefix, x.id AS record_id,
                           x.uid AS record_uid, {person_sql} AS person_id,
                           x."{field}" AS date, x.{field}_earliest AS earliest,
                           x.{field}_latest AS latest, {detail} AS detail,
                           x.private AS private, {anchor} AS anchor, {tail} AS tail
                    FROM "{table}" x {join} {where}
                    ORDER BY {anchor}, {tail}, x.id {limit_sql}""",
                params,
            )
        )
    facts.sort(
        key=lambda f: (
            f["anchor"],
            f["tail"],
            f["kind"] == "detention-end",
            f["prefix"],
            f["record_id"],
            f["person_id"],
        )
    )
    if limit is not None:
        facts = facts[:limit]
    people = people_by_ids(store, [int(f["person_id"]) for f in facts])
    for fact in facts:
        person = people[int(fact["person_id"])]
        fact["person_name"] = person["name"]
        fact["person_private"] = person["private"]
    return facts


def count_by(store: Store, table: str, column: str) -> dict[str, int]:
    """How many rows have each non-null value of COLUMN."""
    rows = store.conn.execute(
        f'SELECT "{column}", count(*) FROM "{table}" WHERE "{column}" IS NOT NULL '
        f'GROUP BY "{column}" ORDER BY "{column}"'
    )
    return {str(row[0]): int(row[1]) for row in rows}


def count_open_detentions(store: Store) -> int:
    """Detentions with no end recorded."""
    return int(
        store.conn.execute('SELECT count(*) FROM detentions WHERE "end" IS NULL').fetchone()[0]
    )


def detention_day_totals(store: Store) -> tuple[int, int]:
    """(detentions, days summed over those whose both ends are exact days).

    A canonical exact day is exactly YYYY-MM-DD (no ~ or ?), so the length
    is computed in SQL without reading every row into Python.
    """
    exact = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
    row = store.conn.execute(
        f"""SELECT count(*), coalesce(sum(CASE WHEN start {exact} AND "end" {exact}
                   THEN julianday("end") - julianday(start) END), 0)
            FROM detentions"""
    ).fetchone()
    return int(row[0]), int(row[1])
