"""The timeline: every fact of one actor or everyone, in date order, streamed."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from cases.catalogue import FACTS
from cases.dates import parse_date
from cases.db import queries
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.records import ORGANISATION, PERSON
from cases.service.describe import fact_line
from cases.service.resolving import actor_name, resolve_actor

# The kinds the timeline places: a fact's placements, each named (trial,
# detention-end, reply), or the words of its own kind field (an event's arrest),
# the kind each such word is of.
FACT_KINDS = tuple(
    kind for table in FACTS if table.fact and table.fact.in_timeline for kind in table.fact.kinds
)
OWN_KINDS = {
    word: table.kind.name
    for table in FACTS
    if table.fact and table.fact.in_timeline and table.kind
    for placement in table.fact.placements
    if placement.kind is None
    for word in table.field("kind").choices
}
TIMELINE_KINDS = FACT_KINDS + tuple(OWN_KINDS)


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
    fact_kinds += sorted({OWN_KINDS[kind] for kind in event_kinds})
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
    return _items(involvements)


def _items(involvements: Iterator[Row]) -> Iterator[dict[str, Any]]:
    for fact in involvements:
        yield _item(fact)


def _item(fact: Row) -> dict[str, Any]:
    """A timeline item from an involvement read with its record, actor and sources."""
    is_person = bool(fact["person_id"])
    kind = PERSON if is_person else ORGANISATION
    actor_id = fact["person_id"] or fact["org_id"]
    name = actor_name(kind, {"name": fact["actor_name"], "description": fact["actor_description"]})
    ref = f"{kind.prefix}{actor_id}"
    cited = fact["source_ids"]
    sources = sorted({int(number) for number in cited.split(",")}) if cited else []
    return {
        "date": fact["date"],
        "earliest": fact["earliest"],
        "latest": fact["latest"],
        "ref": f"{fact['prefix']}{fact['record_id']}",
        "uid": fact["record_uid"],
        "kind": fact["kind"],
        "person": name if is_person else None,
        "person_ref": ref if is_person else None,
        "actor": name,
        "actor_ref": ref,
        "role": fact["role"],
        "summary": fact_line(fact["table"], fact["record"], fact["kind"], fact["role"]),
        "sources": [f"S{number}" for number in sources],
        "private": bool(fact["private"] or fact["actor_private"]),
    }
