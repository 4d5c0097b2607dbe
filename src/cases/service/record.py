"""One record whole (``cases show T2``): its fields as they read, the actors it
involves with their parts, the records it links to and that link to it, and its
citations with their words. And what one change did (``cases show C40``).

Everything here is read from the declarations: a new kind of record shows
without a line of its own.
"""

from __future__ import annotations

import json
from typing import Any

from cases.catalogue import ACTORS, LINK, NAMING, RECORD, TABLE, TABLES, Field, Table
from cases.db import actors
from cases.db import records as found
from cases.db.connection import Row, Store
from cases.errors import Invalid, NotFound
from cases.records import KIND_BY_TABLE, Kind, Ref, change_number, parse_ref
from cases.service.common import get_record, public
from cases.service.describe import fact_line
from cases.service.resolving import actor_name


def record_view(store: Store, text: str) -> dict[str, Any]:
    """The record REF whole, as JSON: its stored fields (as :func:`public`), then
    ``line`` (how the timeline tells it), ``fields`` ([label, text] as they read),
    ``actors`` (ref, name, role), ``linked`` (ref, kind, how, line) and
    ``citations`` (source_ref, title, url, quote, page, according_to...)."""
    ref = parse_ref(text)
    if ref is None:
        raise Invalid(f"{text!r} is not a reference such as T1")
    row = get_record(store, ref)
    table = TABLE[ref.kind.table]
    view = public(ref.kind, row)
    view.update(
        {
            "record": ref.kind.name,
            "line": _line(table, row),
            "fields": _fields(table, row),
            "actors": _actors(store, table, row),
            "linked": _linked(store, table, ref, row),
            "citations": _citations(store, str(row["uid"])),
        }
    )
    if table.name == "detentions":  # its length, as its person's summary gives it
        from cases.service.reading import detention_days

        lengths = detention_days(store, row)
        view.update(lengths)
        view["fields"].append(["length", lengths["length"]])
    return view


def _line(table: Table, row: Row) -> str:
    if table.fact is not None:
        return fact_line(table.name, row)
    for field in table.fields:  # a source, say: its first text
        if field.type not in (LINK, RECORD) and row.get(field.name):
            return field.show(row)
    return ""


def _fields(table: Table, row: Row) -> list[list[str]]:
    """[label, text] of each field set, as it reads (links are the actors and
    the linked records; a text naming an actor is kept as written)."""
    shown = []
    for field in table.all_fields:
        if field.type in (LINK, RECORD):
            continue
        text = "yes" if field.name == "private" and row.get("private") else field.show(row)
        if field.name == "private" and not row.get("private"):
            text = ""
        if text:
            shown.append([field.what, text])
    return shown


def _actor_link_fields(table: Table) -> list[Field]:
    return [f for f in table.all_fields if f.type == LINK and f.link in ACTORS and not f.names]


def _actors(store: Store, table: Table, row: Row) -> list[dict[str, Any]]:
    """Who the record involves, in its own columns, then its parties and participants."""
    involved: list[tuple[str, int, str]] = []  # (actor table, id, role)
    named: list[dict[str, Any]] = []
    fact = table.fact
    for field in _actor_link_fields(table):
        if field.name.startswith("according_to") or row.get(field.name) is None:
            continue
        if fact is not None and field.name in fact.subject:
            role = fact.subject_role
        elif fact is not None and fact.others_role:
            role = str(row.get(fact.others_role) or "")
        else:
            role = field.name.removesuffix("_id").removesuffix("_org")
        assert field.link is not None
        involved.append((field.link, int(row[field.name]), role))
    for field in table.all_fields:  # a court or an authority linked to a recorded actor
        if field.type == NAMING and field.link_column and row.get(field.link_column):
            assert field.link is not None
            involved.append((field.link, int(row[field.link_column]), field.what))
    if fact is not None and fact.parties:
        for party in found.linking_to(store, fact.parties, "trial_id", int(row["id"])):
            if party["person_id"] or party["org_id"]:
                actor_table = "people" if party["person_id"] else "organisations"
                column = "person_id" if party["person_id"] else "org_id"
                involved.append((actor_table, int(party[column]), str(party["role"])))
            elif party["name_person_id"]:
                involved.append(("people", int(party["name_person_id"]), str(party["role"])))
            else:  # a judge or lawyer known by name only
                named.append({"ref": None, "name": party["name"], "role": party["role"]})
    if fact is not None and fact.in_timeline:
        for taking in found.taking_part(store, str(row["uid"])):
            actor_table = "people" if taking["person_id"] else "organisations"
            column = "person_id" if taking["person_id"] else "org_id"
            involved.append((actor_table, int(taking[column]), str(taking["role"])))
    return [*_named_actors(store, involved), *named]


def _named_actors(store: Store, involved: list[tuple[str, int, str]]) -> list[dict[str, Any]]:
    rows = {
        actor_table: actors.by_ids(
            store, actor_table, [i for t, i, _ in involved if t == actor_table]
        )
        for actor_table in ACTORS
    }
    listed = []
    for actor_table, actor_id, role in involved:
        actor = rows[actor_table].get(actor_id)
        kind = KIND_BY_TABLE[actor_table]
        if actor is None:
            continue
        listed.append(
            {
                "ref": f"{kind.prefix}{actor_id}",
                "name": actor_name(kind, actor),
                "role": role,
                "private": bool(actor.get("private")),
            }
        )
    return listed


def _linked(store: Store, table: Table, ref: Ref, row: Row) -> list[dict[str, Any]]:
    """The records this one links to (a ruling's trial, the ruling an appeal
    decides), then those linking to it (a trial's rulings and events)."""
    linked = []
    for field in table.all_fields:
        if field.type != LINK or field.link in ACTORS or row.get(field.name) is None:
            continue
        assert field.link is not None
        target_kind = KIND_BY_TABLE.get(field.link)
        target = get_record(store, Ref(target_kind, int(row[field.name]))) if target_kind else None
        if target_kind is not None and target is not None:
            linked.append(_link_item(target_kind, target, field.label or target_kind.label))
    for other in TABLES:
        other_kind = other.kind
        if other_kind is None or other.name in ACTORS:
            continue
        for field in other.all_fields:
            if field.type == LINK and field.link == table.name:
                for linking in found.linking_to(store, other.name, field.name, ref.id):
                    how = f"{field.what} this" if other.name == table.name else other_kind.label
                    linked.append(_link_item(other_kind, linking, how))
    return linked


def _link_item(kind: Kind, row: Row, how: str) -> dict[str, Any]:
    return {
        "ref": f"{kind.prefix}{row['id']}",
        "kind": kind.name,
        "how": how,
        "line": _line(TABLE[kind.table], row),
    }


def _citations(store: Store, uid: str) -> list[dict[str, Any]]:
    cited = []
    for citation in found.citations_of(store, uid):
        person, org = citation["according_to_person_id"], citation["according_to_org_id"]
        cited.append(
            {
                "source_ref": f"S{citation['source_ref_id']}",
                "title": citation["title"],
                "url": citation["url"],
                "quote": citation["quote"],
                "page": citation["page"],
                "according_to": citation["according_to"],
                "according_to_ref": f"P{person}" if person else f"O{org}" if org else None,
                "private": bool(citation["private"] or citation["source_private"]),
            }
        )
    return cited


# -- a change -------------------------------------------------------------------------

_DONE = {"insert": "added", "update": "changed", "delete": "deleted"}


def change_view(store: Store, text: str) -> dict[str, Any]:
    """What the change ``C40`` did: its log entry and, table by table, what it
    added, changed or deleted (``did``: op, what, count, refs: the first few)."""
    change_id = change_number(text)
    if change_id is None:
        raise Invalid(f"{text!r} is not a change reference such as C1")
    change = found.change(store, change_id)
    if change is None:
        raise NotFound(f"no change C{change_id}; see 'cases log'")
    did = []
    for touched in found.rows_of_change(store, change_id):
        table = TABLE.get(str(touched["tbl"]))
        if table is None:
            continue
        kind = table.kind
        refs: list[str] = []
        if kind is not None:
            for first, last in json.loads(touched["ranges"]):
                refs.extend(f"{kind.prefix}{i}" for i in range(first, last + 1))
        did.append(
            {
                "op": _DONE.get(str(touched["op"]), str(touched["op"])),
                "what": table.counted(int(touched["count"])).partition(" ")[2],
                "count": int(touched["count"]),
                "refs": refs[: found.LISTED_REFS],
            }
        )
    return {
        "ref": f"C{change_id}",
        "uid": change["uid"],
        "at": change["at"],
        "user": change["user"],
        "command": change["command"],
        "summary": change["summary"],
        "undone": change["undone_at"] is not None and not change["purged"],
        "purged": bool(change["purged"]),
        "did": did,
    }
