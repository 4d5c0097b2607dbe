"""Finding the person or organisation a user means, however the name is written."""

from __future__ import annotations

from collections.abc import Sequence

from cases.db import actors, rows
from cases.db.connection import Row, Store
from cases.errors import Ambiguous, Invalid, NotFound
from cases.names import clean_name, name_key
from cases.records import ORGANISATION, PERSON, Kind, parse_ref
from cases.service.common import get_record

# A fuzzy match is accepted at this score (0-100) or above. One-letter slips and
# -a/-ova endings score 91-97; different surnames with the same given name
# ("Tabarikuly"/"Tabarov", "Alimuly"/"Alimov") score 75-83 (tests/test_names.py).
FUZZY_ACCEPT = 90.0
# ...and only when the runner-up is at least this much lower; else it is ambiguous.
FUZZY_MARGIN = 5.0
# Closest names offered when nothing matches.
FUZZY_SUGGEST = 60.0

ACTOR_KINDS = (PERSON, ORGANISATION)


def resolve_person(store: Store, text: str) -> Row:
    """A person from a ``P`` reference or a name, however it is spelled."""
    return resolve_actor(store, text, (PERSON,))[1]


def resolve_org(store: Store, text: str) -> Row:
    """An organisation from an ``O`` reference or a name, however it is spelled."""
    return resolve_actor(store, text, (ORGANISATION,))[1]


def resolve_actor(store: Store, text: str, kinds: Sequence[Kind] = ACTOR_KINDS) -> tuple[Kind, Row]:
    """An actor of KINDS (people, organisations) from a reference or a name.

    In order: a reference; the name or an alias by its key (indexed: case,
    accents, script and Turkic spelling variants folded); a unique given name
    or surname (a word of a name); then fuzzy scoring over every name key. A
    match that is not the text as recorded is reported in ``store.notices``.
    An unnamed person is found by reference only.
    """
    what = " or ".join(kind.label for kind in kinds)
    prefixes = "/".join(kind.prefix for kind in kinds)
    cleaned = clean_name(text)
    if not cleaned:
        raise Invalid(f"a {what} must be named (a {prefixes} reference or a name)")
    ref = parse_ref(cleaned)
    if ref is not None and ref.kind in kinds:
        return ref.kind, get_record(store, ref)
    if ref is not None:
        raise Invalid(f"{cleaned} is {ref.kind.a_label}, not a {what}")
    key = name_key(cleaned)
    if not key:
        raise Invalid(f"{cleaned!r} has no letters to match a name on")
    matches = [(kind, row) for kind in kinds for row in actors.with_key(store, kind.table, key)]
    if not matches and " " not in key:
        # a unique given name or surname also identifies an actor
        matches = [
            (kind, row) for kind in kinds for row in actors.with_name_part(store, kind.table, key)
        ]
    if len(matches) > 1:
        # the name exactly as written beats other spellings of it
        written = [match for match in matches if _written_as(store, cleaned, *match)]
        if len(written) == 1:
            return written[0]
        raise Ambiguous(f"{cleaned!r} matches {len(matches)} {_plural(kinds)}: {_listed(matches)}")
    if len(matches) == 1:
        _note_match(store, cleaned, *matches[0])
        return matches[0]
    return _fuzzy(store, cleaned, key, kinds)


def _fuzzy(store: Store, cleaned: str, key: str, kinds: Sequence[Kind]) -> tuple[Kind, Row]:
    from cases.names import best_matches

    scored: list[tuple[Kind, int, str, float]] = []
    for kind in kinds:
        for actor_id, name, score in best_matches(
            key, actors.all_name_keys(store, kind.table), limit=5, cutoff=FUZZY_SUGGEST
        ):
            scored.append((kind, actor_id, name, score))
    scored.sort(key=lambda match: -match[3])
    strong = [match for match in scored if match[3] >= FUZZY_ACCEPT]
    if strong and (len(strong) == 1 or strong[0][3] - strong[1][3] >= FUZZY_MARGIN):
        kind, actor_id, name, score = strong[0]
        row = rows.get(store, kind.table, actor_id)
        assert row is not None
        store.notices.append(
            f"{cleaned!r} matched {name!r} ({kind.prefix}{actor_id}, similarity {score:.0f})"
        )
        return kind, row
    if strong:
        listed = "; ".join(f"{kind.prefix}{aid} {name}" for kind, aid, name, _ in strong)
        raise Ambiguous(f"{cleaned!r} is close to {len(strong)} {_plural(kinds)}: {listed}")
    closest = "; ".join(f"{kind.prefix}{aid} {name}" for kind, aid, name, _ in scored[:3])
    listing = " and ".join(f"'cases list {_plural((kind,))}'" for kind in kinds)
    hint = f"; closest: {closest}" if closest else f"; see {listing}"
    others = "".join(f" and no {kind.label} of that name" for kind in kinds[1:])
    raise NotFound(f"no {kinds[0].label} named {cleaned!r}{others}{hint}")


def _plural(kinds: Sequence[Kind]) -> str:
    return (
        "people"
        if tuple(kinds) == (PERSON,)
        else "orgs"
        if tuple(kinds) == (ORGANISATION,)
        else "actors"
    )


def _listed(matches: Sequence[tuple[Kind, Row]]) -> str:
    return "; ".join(f"{kind.prefix}{row['id']} {row['name']}" for kind, row in matches[:10])


def _written_as(store: Store, text: str, kind: Kind, actor: Row) -> bool:
    """True when TEXT is the actor's name or an alias as recorded (ignoring case)."""
    names = {str(actor["name"] or "").casefold()}
    names.update(a["name"].casefold() for a in actors.aliases_of(store, kind.table, actor["id"]))
    return text.casefold() in names


def _note_match(store: Store, text: str, kind: Kind, actor: Row) -> None:
    """Say which name matched when the text was not a recorded name as written."""
    if not _written_as(store, text, kind, actor):
        store.notices.append(f"{text!r} matched {actor['name']!r} ({kind.prefix}{actor['id']})")


def linked_actor(store: Store, table: str, text: str | None) -> int | None:
    """The id of the one actor of TABLE whose name or alias is exactly TEXT (by
    name key), if there is exactly one."""
    if text is None:
        return None
    key = name_key(text)
    if not key:
        return None
    matches = actors.with_key(store, table, key)
    return int(matches[0]["id"]) if len(matches) == 1 else None


def actor_name(kind: Kind, row: Row) -> str:
    """How an actor is named in lists: a person's name, or an unnamed person's
    description, marked as such."""
    if row.get("name"):
        return str(row["name"])
    return f"[{row.get('description') or 'unnamed'}]"
