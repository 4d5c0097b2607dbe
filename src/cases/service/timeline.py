"""The timeline: every fact of one actor or everyone, in date order, streamed."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from cases.dates import parse_date
from cases.db import actors, queries, rows
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.records import ORGANISATION, PERSON, EventKind
from cases.service.describe import fact_summary
from cases.service.resolving import actor_name, resolve_actor

FACT_KINDS = ("trial", "ruling", "asylum", "detention", "detention-end")
TIMELINE_KINDS = FACT_KINDS + tuple(kind.value for kind in EventKind)
_PREFIX_TABLE = {"T": "trials", "R": "rulings", "A": "asylum", "D": "detentions", "E": "events"}
# Items looked up (records, names, sources) together: a few queries per chunk,
# and memory that does not grow with the timeline.
CHUNK = 256


def timeline(
    store: Store,
    actor: str | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    kinds: Sequence[str] = (),
    court: str | None = None,
    place: str | None = None,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Every fact of one actor (a person or organisation) or of everyone, in date
    order, undated last; one item per actor a fact involves, as it is read."""
    for kind in kinds:
        if kind not in TIMELINE_KINDS:
            raise Invalid(
                f"unknown timeline kind {kind!r}; use one of: {', '.join(TIMELINE_KINDS)}"
            )
    if limit is not None and limit < 1:
        raise Invalid(f"--limit {limit} must be 1 or more")
    person_id = org_id = None
    if actor is not None:
        actor_kind, row = resolve_actor(store, actor)
        person_id, org_id = (row["id"], None) if actor_kind == PERSON else (None, row["id"])
    since_day = parse_date(since).earliest if since else None
    until_day = parse_date(until).latest if until else None
    event_kinds = [kind for kind in kinds if kind not in FACT_KINDS]
    fact_kinds = [kind for kind in kinds if kind in FACT_KINDS]
    if event_kinds:
        fact_kinds.append("event")
    involvements = queries.timeline(
        store,
        person_id=person_id,
        org_id=org_id,
        since=since_day.isoformat() if since_day else None,
        until=until_day.isoformat() if until_day else None,
        kinds=fact_kinds,
        event_kinds=event_kinds,
        court=court,
        place=place,
    )
    if limit is not None:
        involvements = itertools.islice(involvements, limit)
    return _items(store, involvements)


def _items(store: Store, involvements: Iterator[Row]) -> Iterator[dict[str, Any]]:
    while chunk := list(itertools.islice(involvements, CHUNK)):
        yield from _described(store, chunk)


def _described(store: Store, chunk: list[Row]) -> list[dict[str, Any]]:
    """The items of a chunk of involvements: each with its summary, actor and sources."""
    records: dict[tuple[str, int], Row] = {}
    for prefix, table in _PREFIX_TABLE.items():
        ids = sorted({int(f["record_id"]) for f in chunk if f["prefix"] == prefix})
        records.update(((prefix, int(row["id"])), row) for row in rows.by_ids(store, table, ids))
    people = actors.by_ids(store, "people", [f["person_id"] for f in chunk if f["person_id"]])
    orgs = actors.by_ids(store, "organisations", [f["org_id"] for f in chunk if f["org_id"]])
    sources: dict[str, list[str]] = defaultdict(list)
    for citation in rows.citations_for(store, sorted({f["record_uid"] for f in chunk})):
        sources[citation["record_uid"]].append(f"S{citation['id']}")
    items = []
    for fact in chunk:
        record = records[(fact["prefix"], int(fact["record_id"]))]
        if fact["person_id"]:
            kind, actor = PERSON, people[int(fact["person_id"])]
        else:
            kind, actor = ORGANISATION, orgs[int(fact["org_id"])]
        name = actor_name(kind, actor)
        ref = f"{kind.prefix}{actor['id']}"
        items.append(
            {
                "date": fact["date"],
                "earliest": fact["earliest"],
                "latest": fact["latest"],
                "ref": f"{fact['prefix']}{fact['record_id']}",
                "uid": fact["record_uid"],
                "kind": fact["kind"],
                "person": name if kind == PERSON else None,
                "person_ref": ref if kind == PERSON else None,
                "actor": name,
                "actor_ref": ref,
                "role": fact["role"],
                "summary": fact_summary(fact["kind"], record, fact["detail"], fact["role"]),
                "sources": sorted(
                    set(sources.get(fact["record_uid"], [])), key=lambda s: int(s[1:])
                ),
                "private": bool(fact["private"] or actor["private"]),
            }
        )
    return items
