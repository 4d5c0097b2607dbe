"""Lists (``cases list KIND``): every record of one kind in reference order, read
a chunk at a time, or those of one actor; each with the names it links to."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from cases.db import actors, queries, rows
from cases.db.connection import Row, Store
from cases.records import (
    KIND_BY_TABLE,
    ORGANISATION,
    PERSON,
    RELATION,
    SOURCE,
    TRIAL,
    Kind,
)
from cases.service.common import public
from cases.service.reading import actor_summary, parties_by_trial
from cases.service.resolving import actor_name, resolve_actor


def list_records(store: Store, kind: Kind, actor: str | None = None) -> Iterator[dict[str, Any]]:
    """Every record of one kind in reference order, optionally only one actor's,
    read a chunk at a time as they are asked for. An unknown ACTOR is an error
    here, before anything is read."""
    if actor is not None:
        return iter(_records_of_actor(store, kind, actor))
    return _all_listed(store, kind)


def _all_listed(store: Store, kind: Kind) -> Iterator[dict[str, Any]]:
    for records in rows.chunks_of_table(store, kind.table):
        yield from _listed(store, kind, records)


def _records_of_actor(store: Store, kind: Kind, actor: str) -> list[dict[str, Any]]:
    actor_kind, row = resolve_actor(store, actor)
    found = actor_summary(store, f"{actor_kind.prefix}{row['id']}")
    key = {"people": "person", "organisations": "organisation", "asylum": "asylum"}.get(
        kind.table, kind.table
    )
    if kind.table in ("people", "organisations"):
        return [found[key]] if key in found else []
    if kind == SOURCE:
        return [{k: v for k, v in s.items() if k != "number"} for s in found["sources"]]
    return list(found.get(key, []))


def _listed(store: Store, kind: Kind, records: list[Row]) -> list[dict[str, Any]]:
    """A chunk of records as list items: trials with their parties, facts with
    the name of whom they are about."""
    if kind == TRIAL:
        by_trial = parties_by_trial(
            queries.parties_of_trials(store, [int(t["id"]) for t in records])
        )
        return [{**public(TRIAL, t), **by_trial[int(t["id"])]} for t in records]
    if kind in (PERSON, ORGANISATION, SOURCE):
        return [public(kind, row) for row in records]
    names = _actor_names(store, records)
    shown = []
    for row in records:
        item = public(kind, row)
        if kind == RELATION:
            item["person"] = names.get(("people", row["person_id"])) or names.get(
                ("organisations", row["org_id"])
            )
            item["other"] = names.get(("people", row["other_id"])) or names.get(
                ("organisations", row["other_org_id"])
            )
        else:
            item["person"] = names.get(("people", row.get("person_id"))) or names.get(
                ("organisations", row.get("org_id"))
            )
        shown.append(item)
    return shown


def _actor_names(store: Store, records: Sequence[Row]) -> dict[tuple[str, Any], str]:
    wanted: dict[str, set[int]] = {"people": set(), "organisations": set()}
    for row in records:
        for column, table in (
            ("person_id", "people"),
            ("other_id", "people"),
            ("org_id", "organisations"),
            ("other_org_id", "organisations"),
        ):
            if row.get(column):
                wanted[table].add(int(row[column]))
    names: dict[tuple[str, Any], str] = {}
    for table, ids in wanted.items():
        kind = KIND_BY_TABLE[table]
        for actor_id, row in actors.by_ids(store, table, sorted(ids)).items():
            names[(table, actor_id)] = actor_name(kind, row)
    return names
