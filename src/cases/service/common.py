"""Helpers every use case shares: the JSON form of a record, references, sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cases.catalogue import CHOICES, LARGEST, NAMES, NAMING, TABLE, URL, Field
from cases.db import rows
from cases.db.connection import Row, Store
from cases.errors import Invalid, NotFound
from cases.records import SOURCE, Kind, Ref, parse_ref, ref_text


def _hidden_columns() -> set[str]:
    """The id, name keys, and the name keys a team's database keeps beside each
    text naming an actor (``court_key``: see cases.db.pg.schema)."""
    from cases.catalogue import TABLES, actor_texts

    texts = {f"{text.column}_key" for table in TABLES for text in actor_texts(table.name)}
    return {"id", "name_key", *texts}


_HIDDEN_COLUMNS = _hidden_columns()


def _json_link(field: Field) -> str:
    """How a link column appears in JSON: person_id -> person_ref, judge -> judge_ref."""
    base = field.name if field.type == NAMING else field.name[: -len("_id")]
    return f"{base}_ref"


# stored link column -> (JSON key, the reference prefix of the table it points at)
_LINKS: dict[str, tuple[str, str]] = {
    field.link_column: (_json_link(field), TABLE[field.link].kind.prefix)  # type: ignore[union-attr]
    for table in TABLE.values()
    for field in table.all_fields
    if field.link_column is not None and field.link is not None
}


# columns stored as one text holding a list (comma- or line-separated)
_LISTS = {
    field.name: "," if field.type == CHOICES else "\n"
    for table in TABLE.values()
    for field in table.all_fields
    if field.type in (CHOICES, NAMES)
}


def public(kind: Kind, row: Row) -> dict[str, Any]:
    """The JSON form of a stored row: ref and uid first, links as references,
    lists as lists (a ruling's ``sentence_kind`` is its first sentence kind)."""
    record: dict[str, Any] = {"ref": ref_text(kind, int(row["id"])), "uid": row["uid"]}
    for column, value in row.items():
        if column in _HIDDEN_COLUMNS or column == "uid":
            continue
        if column in _LINKS:
            name, prefix = _LINKS[column]
            record[name] = f"{prefix}{value}" if value is not None else None
        elif column in ("private", "person_private", "other_private"):
            record[column] = bool(value)
        elif column in _LISTS:
            record[column] = [part for part in (value or "").split(_LISTS[column]) if part]
        else:
            record[column] = value
    if "sentence_kinds" in record:
        record["sentence_kind"] = (record["sentence_kinds"] or [None])[0]
    return record


def get_record(store: Store, ref: Ref) -> Row:
    """The row a reference names, or NotFound."""
    if ref.id > LARGEST:  # no row can have it (and SQLite cannot even take it)
        raise NotFound(f"no {ref.kind.label} {ref}")
    row = rows.get(store, ref.kind.table, ref.id)
    if row is None:
        raise NotFound(_gone(store, ref))
    return row


def _gone(store: Store, ref: Ref) -> str:
    """Why a reference finds nothing: what became of it, if it ever was."""
    from cases.db.changelog import fate_of

    fate = fate_of(store, ref.kind.table, ref.id)
    if fate is None:
        return f"no {ref.kind.label} {ref}"
    what, into, change = fate
    when = f" (change C{change})" if change else ""
    if what == "merged":
        return f"{ref} was merged into {ref.kind.prefix}{into}{when}"
    return f"{ref} was {what}{when}"


def resolve_ref(store: Store, text: str, kind: Kind | None = None) -> tuple[Kind, Row]:
    """Resolve reference text (``T3``) to its kind and row, optionally of one kind."""
    ref = parse_ref(text)
    if ref is None:
        wanted = f"{kind.a_label} reference such as {kind.prefix}1" if kind else "a reference"
        raise Invalid(f"{text!r} is not {wanted} (P, T, R, A, D, E, S or L and a number)")
    if kind is not None and ref.kind != kind:
        raise Invalid(f"{text} is {ref.kind.a_label}, not {kind.a_label}")
    return ref.kind, get_record(store, ref)


_SOURCE_URL = TABLE["sources"].field("url")
assert _SOURCE_URL.type == URL


def resolve_source(store: Store, text: str, *, private: bool = False) -> int:
    """A source id from an ``S`` reference, a recorded URL, or a new URL (recorded
    now, private when the record citing it is: its URL alone may reveal the record)."""
    cleaned = text.strip()
    ref = parse_ref(cleaned)
    if ref is not None and ref.kind == SOURCE:
        return int(get_record(store, ref)["id"])
    if cleaned.startswith(("http://", "https://")):
        existing = rows.source_by_url(store, cleaned)
        if existing is not None:
            return int(existing["id"])
        url = _SOURCE_URL.parse(cleaned)["url"]
        return rows.insert(store, "sources", {"title": url, "url": url, "private": int(private)})
    raise NotFound(
        f"unknown source {text!r}: give an S reference (see 'cases list sources') "
        "or a URL starting with http:// or https://"
    )


def insert_record(store: Store, kind: Kind, values: dict[str, Any]) -> Row:
    """Insert a record (VALUES: its stored columns, note and private flag
    included), checked against the rules across its fields first; return the row."""
    TABLE[kind.table].check(values)
    record_id = rows.insert(store, kind.table, values)
    row = rows.get(store, kind.table, record_id)
    assert row is not None
    if not store.change_summary:
        store.change_summary = f"added {kind.prefix}{record_id}"
    return row


# the roles a trial names as text (--judge, --lawyer, --prosecutor), in JSON order
NAMED_ROLES = ("judge", "lawyer", "prosecutor")


def named_in_trial(named: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON of a trial's judges, lawyers and prosecutors from their party
    rows (``name``, ``role``, ``name_person_id``): ``judges`` (each name as
    written and the person it links to) and so on, and, as before they were
    repeatable, ``judge`` and ``judge_ref`` for the first."""
    record: dict[str, Any] = {}
    for role in NAMED_ROLES:
        listed = [
            {
                "name": row["name"],
                "ref": f"P{row['name_person_id']}" if row.get("name_person_id") else None,
            }
            for row in named
            if row["role"] == role
        ]
        record[f"{role}s"] = listed
        record[role] = listed[0]["name"] if listed else None
        record[f"{role}_ref"] = listed[0]["ref"] if listed else None
    return record
