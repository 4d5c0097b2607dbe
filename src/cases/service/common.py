"""Helpers every use case shares: cleaning values, resolving references, citing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cases.dates import date_columns
from cases.errors import Ambiguous, Invalid, NotFound
from cases.names import clean_name, name_key
from cases.records import PERSON, SOURCE, Kind, Ref, parse_ref, ref_text
from cases.store import Row, Store

# Columns that hold a person's id and how they appear in JSON.
_LINK_COLUMNS = {
    "person_id": ("person_ref", "P"),
    "other_id": ("other_ref", "P"),
    "trial_id": ("trial_ref", "T"),
    "source_id": ("source_ref", "S"),
    "appeal_of_id": ("appeal_of_ref", "R"),
    "judge_person_id": ("judge_ref", "P"),
    "lawyer_person_id": ("lawyer_ref", "P"),
}
_HIDDEN_COLUMNS = {"id", "name_key"}
# SQLite's largest integer: no id, count or number can pass it.
LARGEST_ID = 2**63 - 1


def optional_text(value: str | None) -> str | None:
    """Strip a free-text value; empty means absent."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def required_text(value: str | None, what: str) -> str:
    """Strip a free-text value that must not be empty."""
    cleaned = optional_text(value)
    if cleaned is None:
        raise Invalid(f"{what} must not be empty")
    return cleaned


def required_name(value: str, what: str = "name") -> str:
    """A cleaned personal name, refused when empty."""
    cleaned = clean_name(value)
    if not cleaned:
        raise Invalid(f"{what} must not be empty")
    return cleaned


def dates(**fields: str | None) -> dict[str, str | None]:
    """Stored columns for several date fields at once (FIELD, _earliest, _latest)."""
    columns: dict[str, str | None] = {}
    for field, text in fields.items():
        if text is not None and not text.strip():
            raise Invalid(f"--{field.replace('_', '-')} must not be empty")
        columns.update(date_columns(field, text))
    return columns


def public(kind: Kind, row: Row) -> dict[str, Any]:
    """The JSON form of a stored row: ref and uid first, links as references."""
    record: dict[str, Any] = {"ref": ref_text(kind, int(row["id"])), "uid": row["uid"]}
    for column, value in row.items():
        if column in _HIDDEN_COLUMNS or column == "uid":
            continue
        if column in _LINK_COLUMNS:
            name, prefix = _LINK_COLUMNS[column]
            record[name] = f"{prefix}{value}" if value is not None else None
        elif column in ("private", "person_private", "other_private"):
            record[column] = bool(value)
        else:
            record[column] = value
    return record


def get_record(store: Store, ref: Ref) -> Row:
    """The row a reference names, or NotFound."""
    if ref.id > LARGEST_ID:  # no row can have it (and SQLite cannot even take it)
        raise NotFound(f"no {ref.kind.label} {ref}")
    row = store.get(ref.kind.table, ref.id)
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


# A fuzzy match is accepted at this score (0-100) or above. One-letter slips and
# -a/-ova endings score 91-97; different surnames with the same given name
# ("Tabarikuly"/"Tabarov", "Alimuly"/"Alimov") score 75-83 (tests/test_names.py).
FUZZY_ACCEPT = 90.0
# ...and only when the runner-up is at least this much lower; else it is ambiguous.
FUZZY_MARGIN = 5.0
# Closest names offered when nothing matches.
FUZZY_SUGGEST = 60.0


def _candidates(rows: Sequence[Row]) -> str:
    return "; ".join(f"P{row['id']} {row['name']}" for row in rows[:10])


def resolve_person(store: Store, text: str) -> Row:
    """A person from a ``P`` reference or a name, however it is spelled.

    In order: a reference; the name or an alias by its key (indexed: case,
    accents, script and Turkic spelling variants folded); a unique given name
    or surname; then fuzzy scoring over every name key. A match that is not
    the text as recorded is reported in ``store.notices``.
    """
    cleaned = clean_name(text)
    if not cleaned:
        raise Invalid("a person must be named (a P reference or a name)")
    ref = parse_ref(cleaned)
    if ref is not None and ref.kind == PERSON:
        return get_record(store, ref)
    key = name_key(cleaned)
    if not key:
        raise Invalid(f"{cleaned!r} has no letters to match a name on")
    matches = store.people_with_key(key)
    if not matches and " " not in key:
        # a unique given name or surname also identifies a person
        matches = store.people_with_name_part(key)
    if len(matches) > 1:
        # the name exactly as written beats other spellings of it
        written = [row for row in matches if _written_as(store, cleaned, row)]
        if len(written) == 1:
            return written[0]
        raise Ambiguous(f"{cleaned!r} matches {len(matches)} people: {_candidates(matches)}")
    if len(matches) == 1:
        _note_match(store, cleaned, matches[0])
        return matches[0]
    from cases.names import best_matches

    scored = best_matches(key, store.all_name_keys(), limit=5, cutoff=FUZZY_SUGGEST)
    strong = [match for match in scored if match[2] >= FUZZY_ACCEPT]
    if strong and (len(strong) == 1 or strong[0][2] - strong[1][2] >= FUZZY_MARGIN):
        person = store.get("people", strong[0][0])
        assert person is not None
        store.notices.append(
            f"{cleaned!r} matched {strong[0][1]!r} (P{person['id']}, similarity {strong[0][2]:.0f})"
        )
        return person
    if strong:
        listed = "; ".join(f"P{pid} {name}" for pid, name, _ in strong)
        raise Ambiguous(f"{cleaned!r} is close to {len(strong)} people: {listed}")
    closest = "; ".join(f"P{pid} {name}" for pid, name, _ in scored[:3])
    hint = f"; closest: {closest}" if closest else "; see 'cases list people'"
    raise NotFound(f"no person named {cleaned!r}{hint}")


def _written_as(store: Store, text: str, person: Row) -> bool:
    """True when TEXT is the person's name or an alias as recorded (ignoring case)."""
    aliases = store.all_rows("aliases", person_id=person["id"])
    names = {person["name"].casefold(), *(alias["name"].casefold() for alias in aliases)}
    return text.casefold() in names


def _note_match(store: Store, text: str, person: Row) -> None:
    """Say which name matched when the text was not a recorded name as written."""
    if not _written_as(store, text, person):
        store.notices.append(f"{text!r} matched {person['name']!r} (P{person['id']})")


def linked_person(store: Store, text: str | None) -> int | None:
    """The id of the one recorded person whose name or alias is exactly TEXT, if any."""
    if text is None:
        return None
    matches = store.people_with_key(name_key(text))
    return int(matches[0]["id"]) if len(matches) == 1 else None


def _looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def resolve_source(store: Store, text: str, *, private: bool = False) -> int:
    """A source id from an ``S`` reference, a recorded URL, or a new URL (recorded
    now, private when the record citing it is: its URL alone may reveal the record)."""
    cleaned = text.strip()
    ref = parse_ref(cleaned)
    if ref is not None and ref.kind == SOURCE:
        return int(get_record(store, ref)["id"])
    if _looks_like_url(cleaned):
        existing = store.source_by_url(cleaned)
        if existing is not None:
            return int(existing["id"])
        return store.insert("sources", {"title": cleaned, "url": cleaned, "private": int(private)})
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
        store.cite(record_uid, resolve_source(store, source, private=private))


def insert_record(
    store: Store,
    kind: Kind,
    values: dict[str, Any],
    *,
    note: str | None,
    private: bool,
    sources: Sequence[str],
    about_private: bool = False,
) -> Row:
    """Insert a record with its note, privacy flag and citations; return the row.

    ABOUT_PRIVATE: the record is about private people only, so a new source its
    citations record is private, as it would be for a private record.
    """
    record_id = store.insert(
        kind.table, {**values, "note": optional_text(note), "private": int(private)}
    )
    row = store.get(kind.table, record_id)
    assert row is not None
    cite_all(store, row["uid"], sources, private=private or about_private)
    if not store.change_summary:
        store.change_summary = f"added {kind.prefix}{record_id}"
    return row
