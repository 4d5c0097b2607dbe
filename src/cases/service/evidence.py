"""Evidence: citing sources for records, with the words, the page and who said it;
what a source supports; the facts that cite nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from cases.catalogue import TABLE
from cases.db import actors, queries, rows
from cases.db import evidence as found_evidence
from cases.db.connection import Row, Store
from cases.db.export import HiddenRows
from cases.errors import Invalid, NotFound
from cases.privacy import left_out
from cases.records import KIND_BY_TABLE, ORGANISATION, PERSON, SOURCE, parse_ref
from cases.service.common import get_record, public, resolve_ref, resolve_source
from cases.service.describe import fact_line
from cases.service.resolving import actor_name, resolve_actor

# Facts described one chunk at a time (a few queries each), so a long worklist
# streams in flat memory.
CHUNK = 256


def attribution(store: Store, according_to: str | None) -> dict[str, Any]:
    """The stored columns of an attribution: the actor's name as recorded, and a
    link to the person or organisation (``--according-to ACTOR``)."""
    if according_to is None:
        return {}
    kind, actor = resolve_actor(store, according_to)
    column = "according_to_person_id" if kind == PERSON else "according_to_org_id"
    return {"according_to": actor_name(kind, actor), column: actor["id"]}


def cite_sources(
    store: Store,
    record_uid: str,
    sources: Sequence[str],
    *,
    according_to: str | None = None,
    quote: str | None = None,
    page: str | None = None,
    private: bool = False,
) -> None:
    """Cite each source for the record (inside the caller's transaction); a new
    URL cited by a PRIVATE record is recorded as a private source. A record cited
    again by the same source keeps one citation, updated."""
    values = TABLE["citations"].parse({"quote": quote, "page": page})
    values.update(attribution(store, according_to))
    for source in sources:
        rows.cite(store, record_uid, resolve_source(store, source, private=private), values)


def _citable(store: Store, text: str) -> tuple[str, Row]:
    """(reference, row) of a record a source can support: anything but a source."""
    kind, row = resolve_ref(store, text)
    if kind == SOURCE:
        raise Invalid(
            f"{text} is a source; a source relays another with 'add source --relays', "
            "it does not cite it"
        )
    return f"{kind.prefix}{row['id']}", row


def cite(
    store: Store,
    refs: Sequence[str],
    source: str,
    *,
    quote: str | None = None,
    page: str | None = None,
    according_to: str | None = None,
) -> tuple[list[str], str]:
    """Cite SOURCE for each record of REFS (a follow-up report), as one change:
    a record this source already cites keeps one citation, updated with the
    values given. Returns the references cited and the source's."""
    if not refs:
        raise Invalid("name at least one record to cite the source for (a reference such as T1)")
    for name, value in (("quote", quote), ("page", page)):
        if value is not None and not value.strip():
            raise Invalid(f"{name} must not be empty")
    with store.transaction("cite"):
        records = [_citable(store, text) for text in refs]
        private = any(bool(row.get("private")) for _, row in records)
        source_id = resolve_source(store, source, private=private)
        for _, row in records:
            cite_sources(
                store,
                row["uid"],
                [f"S{source_id}"],
                according_to=according_to,
                quote=quote,
                page=page,
            )
        cited = [ref for ref, _ in records]
        store.change_summary = f"cited S{source_id} for {', '.join(cited)}"
    return cited, f"S{source_id}"


def uncite(store: Store, ref: str, source: str) -> None:
    """Remove the citation SOURCE makes for the record REF, as one change."""
    with store.transaction("uncite"):
        record_ref, row = _citable(store, ref)
        source_ref = parse_ref(source.strip())
        if source_ref is None or source_ref.kind != SOURCE:
            raise Invalid(f"{source!r} is not a source reference such as S1")
        get_record(store, source_ref)
        citation = store.scalar(
            "SELECT id FROM citations WHERE record_uid = ? AND source_id = ?",
            [row["uid"], source_ref.id],
        )
        if citation is None:
            raise NotFound(f"{record_ref} does not cite {source_ref}")
        rows.delete(store, "citations", int(citation))
        store.change_summary = f"uncited {source_ref} for {record_ref}"


# -- what a record is, in a line --------------------------------------------------


def _owner(store: Store, table: str, row: Row) -> tuple[str, int] | None:
    """The actor a record is about: (actor table, id)."""
    if table in actors.OWNER:
        return table, int(row["id"])
    if table == "trials":
        person = queries.first_party_of(store, [int(row["id"])]).get(int(row["id"]))
        return ("people", person) if person else None
    for actor_table, column in actors.OWNER.items():
        if row.get(column):
            return actor_table, int(row[column])
    return None


def fact_ref(store: Store, uid: str) -> str:
    """The reference of the fact with this uid ("" if there is none)."""
    found = found_evidence.records_by_uid(store, [uid])
    if uid not in found:
        return ""
    table, row = found[uid]
    return f"{KIND_BY_TABLE[table].prefix}{row['id']}" if table in KIND_BY_TABLE else ""


def _what(store: Store, table: str, row: Row) -> str:
    """One line for a record of TABLE."""
    if table in ("people", "organisations"):
        return "identity"
    if table == "aliases":
        return f"alias: {row['name']}"
    if table == "trial_parties":
        return f"{row['role']} in T{row['trial_id']}" + (f": {row['name']}" if row["name"] else "")
    if table == "participants":
        return f"{row['role']} in {fact_ref(store, str(row['fact_uid']))}"
    if table == "relations":
        return str(row["kind"])  # the other end is added by _described
    return fact_line(table, row)


def _other_end(table: str, row: Row, others: dict[str, dict[int, Row]]) -> str:
    """For a relation, its other end: ": Abzal Kuspanov"."""
    if table != "relations":
        return ""
    if row["other_id"]:
        other = others["people"].get(int(row["other_id"]))
        return f": {actor_name(PERSON, other)}" if other else ""
    other = others["organisations"].get(int(row["other_org_id"] or 0))
    return f": {actor_name(ORGANISATION, other)}" if other else ""


_KIND_NAMES = {"aliases": "alias", "trial_parties": "trial party", "participants": "participant"}


def _ref(table: str, row: Row, owner: tuple[str, int] | None) -> str:
    """A record's reference; a part of another (an alias, a party) has its owner's."""
    if table in KIND_BY_TABLE:
        return f"{KIND_BY_TABLE[table].prefix}{row['id']}"
    if table == "trial_parties":
        return f"T{row['trial_id']}"
    if owner is not None:
        return f"{KIND_BY_TABLE[owner[0]].prefix}{owner[1]}"
    return ""


def _described(
    store: Store, records: Sequence[tuple[str, Row]], hidden: HiddenRows | None = None
) -> list[dict[str, Any]]:
    """Each record as a line: ref, kind, actor, what, date, privacy (HIDDEN: what
    an export leaves out, asked as the lines are made)."""
    owners = [_owner(store, table, row) for table, row in records]
    names = {
        actor_table: actors.by_ids(
            store, actor_table, [o[1] for o in owners if o and o[0] == actor_table]
        )
        for actor_table in actors.OWNER
    }
    others = {
        actor_table: actors.by_ids(
            store,
            actor_table,
            [row[column] for table, row in records if table == "relations" and row[column]],
        )
        for actor_table, column in (("people", "other_id"), ("organisations", "other_org_id"))
    }
    # a record is private where an export would leave it out
    hidden = hidden or left_out(store)
    by_table: dict[str, list[int]] = {}
    for table, row in records:
        by_table.setdefault(table, []).append(int(row["id"]))
    private = {table: hidden.among(table, ids) for table, ids in by_table.items()}
    lines = []
    for (table, row), owner in zip(records, owners, strict=True):
        actor = names[owner[0]].get(owner[1]) if owner else None
        actor_kind = PERSON if owner and owner[0] == "people" else ORGANISATION
        date_field = found_evidence.FACT_DATES.get(table)
        lines.append(
            {
                "ref": _ref(table, row, owner),
                "uid": row["uid"],
                "kind": _KIND_NAMES.get(table) or KIND_BY_TABLE[table].name,
                "date": row.get(date_field) if date_field else None,
                "actor": actor_name(actor_kind, actor) if actor else None,
                "actor_ref": f"{actor_kind.prefix}{owner[1]}" if owner and actor else None,
                "summary": _what(store, table, row) + _other_end(table, row, others),
                "private": int(row["id"]) in private[table],
            }
        )
    return lines


def uncited(store: Store) -> Iterator[dict[str, Any]]:
    """Every fact (not actors, aliases or sources) that cites no source, oldest
    first, undated last: a fact-checker's worklist, streamed."""
    facts = found_evidence.uncited(store)
    hidden = left_out(store)
    while chunk := list(itertools.islice(facts, CHUNK)):
        hidden.forget()  # what it learnt of the last chunk: memory stays flat
        by_table: dict[str, list[int]] = {}
        for fact in chunk:
            by_table.setdefault(fact["tbl"], []).append(int(fact["id"]))
        loaded = {
            (table, int(row["id"])): row
            for table, ids in by_table.items()
            for row in rows.by_ids(store, table, ids)
        }
        yield from _described(
            store, [(f["tbl"], loaded[(f["tbl"], int(f["id"]))]) for f in chunk], hidden
        )


def source_summary(store: Store, text: str) -> dict[str, Any]:
    """A source (an ``S`` reference): its fields, the source it relays, those
    relaying it, and every record it supports with the quote, page and
    attribution of each citation."""
    source_ref = parse_ref(text.strip())
    if source_ref is None or source_ref.kind != SOURCE:
        raise Invalid(f"{text!r} is not a source reference such as S1")
    source = get_record(store, source_ref)
    citations = found_evidence.citations_of_source(store, int(source["id"]))
    records = found_evidence.records_by_uid(store, [c["record_uid"] for c in citations])
    cited = [records[c["record_uid"]] for c in citations if c["record_uid"] in records]
    lines = _described(store, cited)
    by_uid = {line["uid"]: line for line in lines}
    supports = []
    for citation in citations:
        line = by_uid.get(citation["record_uid"])
        if line is None:
            continue
        person, org = citation["according_to_person_id"], citation["according_to_org_id"]
        supports.append(
            {
                **line,
                "quote": citation["quote"],
                "page": citation["page"],
                "according_to": citation["according_to"],
                "according_to_ref": f"P{person}" if person else f"O{org}" if org else None,
            }
        )
    relays = rows.get(store, "sources", source["relays_id"]) if source["relays_id"] else None
    return {
        "source": {
            **public(SOURCE, source),
            "relays": relays["title"] if relays else None,
        },
        "relayed_by": [
            {"ref": f"S{row['id']}", "title": row["title"], "private": bool(row["private"])}
            for row in found_evidence.relaying(store, int(source["id"]))
        ],
        "supports": supports,
    }
