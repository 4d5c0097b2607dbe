"""Helpers every use case shares: the JSON form of a record, references, sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cases.catalogue import LARGEST, NAMING, TABLE, URL, Field
from cases.db import rows
from cases.db.connection import Row, Store
from cases.errors import Invalid, NotFound
from cases.records import SOURCE, Kind, Ref, parse_ref, ref_text

_HIDDEN_COLUMNS = {"id", "name_key"}


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


def public(kind: Kind, row: Row) -> dict[str, Any]:
    """The JSON form of a stored row: ref and uid first, links as references."""
    record: dict[str, Any] = {"ref": ref_text(kind, int(row["id"])), "uid": row["uid"]}
    for column, value in row.items():
        if column in _HIDDEN_COLUMNS or column == "uid":
            continue
        if column in _LINKS:
            name, prefix = _LINKS[column]
            record[name] = f"{prefix}{value}" if value is not None else None
        elif column in ("private", "person_private", "other_private"):
            record[column] = bool(value)
        else:
            record[column] = value
    return record


def get_record(store: Store, ref: Ref) -> Row:
    """The row a reference names, or NotFound."""
    if ref.id > LARGEST:  # no row can have it (and SQLite cannot even take it)
        raise NotFound(f"no {ref.kind.label} {ref}")
    row = rows.get(store, ref.kind.table, ref.id)
    if row is None:
        raise NotFound(f"no {ref.kind.label} {ref}")
    return row


def resolve_ref(store: Store, text: str, kind: Kind | None = None) -> tuple[Kind, Row]:
    """Resolve reference text (``T3``) to its kind and row, optionally of one kind."""
    ref = parse_ref(text)
    if ref is None:
        wanted = f"a {kind.label} reference such as {kind.prefix}1" if kind else "a reference"
        raise Invalid(f"{text!r} is not {wanted} (P, T, R, A, D, E, S or L and a number)")
    if kind is not None and ref.kind != kind:
        raise Invalid(f"{text} is a {ref.kind.label}, not a {kind.label}")
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


def cite_all(
    store: Store, record_uid: str, sources: Sequence[str], *, private: bool = False
) -> None:
    """Cite each source for the record (inside the caller's transaction); a new
    URL cited by a PRIVATE record is recorded as a private source."""
    for source in sources:
        rows.cite(store, record_uid, resolve_source(store, source, private=private))


def insert_record(
    store: Store,
    kind: Kind,
    values: dict[str, Any],
    *,
    sources: Sequence[str] = (),
    about_private: bool = False,
) -> Row:
    """Insert a record (VALUES: its stored columns, note and private flag
    included) and its citations; return the row.

    A record is checked against the rules across its fields first. ABOUT_PRIVATE:
    the record is about private people only, so a new source its citations
    record is private, as it would be for a private record.
    """
    TABLE[kind.table].check(values)
    record_id = rows.insert(store, kind.table, values)
    row = rows.get(store, kind.table, record_id)
    assert row is not None
    cite_all(store, row["uid"], sources, private=bool(values.get("private")) or about_private)
    if not store.change_summary:
        store.change_summary = f"added {kind.prefix}{record_id}"
    return row
