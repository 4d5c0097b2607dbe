"""Finding the person a user means, however the name is written."""

from __future__ import annotations

from collections.abc import Sequence

from cases.db import rows
from cases.db.connection import Row, Store
from cases.errors import Ambiguous, Invalid, NotFound
from cases.names import clean_name, name_key
from cases.records import PERSON, parse_ref
from cases.service.common import get_record

# A fuzzy match is accepted at this score (0-100) or above. One-letter slips and
# -a/-ova endings score 91-97; different surnames with the same given name
# ("Tabarikuly"/"Tabarov", "Alimuly"/"Alimov") score 75-83 (tests/test_names.py).
FUZZY_ACCEPT = 90.0
# ...and only when the runner-up is at least this much lower; else it is ambiguous.
FUZZY_MARGIN = 5.0
# Closest names offered when nothing matches.
FUZZY_SUGGEST = 60.0


def _candidates(found: Sequence[Row]) -> str:
    return "; ".join(f"P{row['id']} {row['name']}" for row in found[:10])


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
    matches = rows.people_with_key(store, key)
    if not matches and " " not in key:
        # a unique given name or surname also identifies a person
        matches = rows.people_with_name_part(store, key)
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

    scored = best_matches(key, rows.all_name_keys(store), limit=5, cutoff=FUZZY_SUGGEST)
    strong = [match for match in scored if match[2] >= FUZZY_ACCEPT]
    if strong and (len(strong) == 1 or strong[0][2] - strong[1][2] >= FUZZY_MARGIN):
        person = rows.get(store, "people", strong[0][0])
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
    aliases = rows.all_rows(store, "aliases", person_id=person["id"])
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
    matches = rows.people_with_key(store, name_key(text))
    return int(matches[0]["id"]) if len(matches) == 1 else None
