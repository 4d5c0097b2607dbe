"""Finding actors however their names are written: search, duplicates and merge."""

from __future__ import annotations

import itertools
from typing import Any

from cases.db import actors, changelog, identity, queries, rows
from cases.db import search as full_text
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.names import name_key, name_words, similarity
from cases.records import KIND_BY_TABLE, ORGANISATION, PERSON, Kind
from cases.service.common import public
from cases.service.resolving import actor_name, resolve_actor

SEARCH_LIMIT = 50

# The spellings one folded letter stands for (names.py folds each of these to it).
_SPELLINGS = {
    "j": ("j", "zh", "dj"),
    "k": ("k", "q"),
    "h": ("h", "kh"),
    "g": ("g", "gh"),
    "u": ("u", "w"),
    "i": ("i", "y"),
    "e": ("e", "ie"),
}
# A word with more spellings than this is looked for as typed and folded only.
_MOST_SPELLINGS = 64


def spellings(word: str) -> set[str]:
    """The spellings of WORD that fold to the same name word (Atajurt: Atazhurt,
    Atadjurt...): what to look for in text that is not folded, such as a summary."""
    found = {word.lower()}
    for folded in name_words(word):
        choices = [_SPELLINGS.get(letter, (letter,)) for letter in folded]
        count = 1
        for choice in choices:
            count *= len(choice)
        if count > _MOST_SPELLINGS:
            found.add(folded)
            continue
        found.update("".join(parts) for parts in itertools.product(*choices))
    return found


def fts_query(text: str) -> str:
    """Every word must match. A number matches whole (300 never finds 30 or 3000);
    any other word matches as the start of a word, in any of its spellings."""
    words = text.split()
    if not words:
        raise Invalid("give some text to search for")
    clauses = []
    for word in words:
        quoted = word.replace('"', '""')
        if word.isdigit():
            clauses.append(f'"{quoted}"')
            continue
        forms = {quoted, *spellings(word)}
        alternatives = " OR ".join(f'"{form}"*' for form in sorted(forms) if form)
        clauses.append(f"({alternatives})")
    return " AND ".join(clauses)


def _owner(table: str, row: Row, first_party: dict[int, int]) -> tuple[str, int] | None:
    """The actor a hit belongs to: (actor table, id)."""
    if table in actors.OWNER:
        return table, int(row["id"])
    if table == "trials":
        person = first_party.get(int(row["id"]))
        return ("people", person) if person is not None else None
    for actor_table, column in actors.OWNER.items():
        if row.get(column) is not None:
            return actor_table, int(row[column])
    return None


def search(store: Store, text: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Full-text hits (best first) with the record and actor each belongs to."""
    hits = full_text.search(store, fts_query(text), limit)
    by_table: dict[str, set[int]] = {}
    for table, _, record_id, _ in hits:
        by_table.setdefault(table, set()).add(record_id)
    records = {
        (table, int(row["id"])): row
        for table, ids in by_table.items()
        for row in rows.by_ids(store, table, sorted(ids))
    }
    first_party = queries.first_party_of(store, sorted(by_table.get("trials", set())))
    owners = {
        (table, record_id): _owner(table, row, first_party)
        for (table, record_id), row in records.items()
    }
    found_actors = {
        actor_table: actors.by_ids(
            store, actor_table, [o[1] for o in owners.values() if o and o[0] == actor_table]
        )
        for actor_table in actors.OWNER
    }
    results = []
    for table, field, record_id, text_hit in hits:
        row = records.get((table, record_id))
        if row is None:
            continue
        owner = owners[(table, record_id)]
        actor = found_actors[owner[0]].get(owner[1]) if owner else None
        kind = KIND_BY_TABLE[owner[0]] if owner else None
        if table in ("aliases", "participants", "trial_parties") and owner:
            ref = f"{KIND_BY_TABLE[owner[0]].prefix}{owner[1]}"
            kind_name = {"aliases": "alias"}.get(table, table.rstrip("s").replace("_", " "))
        else:
            ref = f"{KIND_BY_TABLE[table].prefix}{record_id}" if table in KIND_BY_TABLE else ""
            kind_name = KIND_BY_TABLE[table].name if table in KIND_BY_TABLE else table
        if field == "name" and row.get("name"):
            text_hit = row["name"]  # the index also holds the folded key
        named = actor_name(kind, actor) if actor is not None and kind is not None else None
        is_person = owner is not None and owner[0] == "people"
        results.append(
            {
                "ref": ref,
                "uid": row["uid"],
                "kind": kind_name,
                "field": field,
                "text": text_hit,
                "person": named if is_person else None,
                "person_ref": f"P{owner[1]}" if owner and is_person else None,
                "actor": named,
                "actor_ref": f"{kind.prefix}{owner[1]}" if owner and kind else None,
                "private": bool(row.get("private")),
            }
        )
    return results


# Pairs are only formed among actors sharing a name word used by at most this
# many of them, so a common given name cannot make the work quadratic.
DUPES_GROUP_LIMIT = 200
DUPES_MIN_SCORE = 80.0


def _pairs_sharing_a_word(store: Store, table: str) -> list[tuple[int, int]]:
    """Pairs of actors (a < b) whose names or aliases share a whole folded word."""
    by_word: dict[str, set[int]] = {}
    for actor_id, key in identity.name_words(store, table):
        for word in str(key).split():
            by_word.setdefault(word, set()).add(int(actor_id))
    pairs: set[tuple[int, int]] = set()
    for members in by_word.values():
        if 1 < len(members) <= DUPES_GROUP_LIMIT:
            ordered = sorted(members)
            for index, first in enumerate(ordered):
                for second in ordered[index + 1 :]:
                    pairs.add((first, second))
    return sorted(pairs)


def dupes(store: Store) -> list[dict[str, Any]]:
    """Pairs of people (and of organisations) who may be the same, most likely
    first, with the reasons. Unnamed people are never proposed."""
    found = []
    for kind in (PERSON, ORGANISATION):
        found.extend(_dupes_of(store, kind))
    found.sort(key=lambda pair: (-pair["score"], pair["ref"], pair["other_ref"]))
    return found


def _dupes_of(store: Store, kind: Kind) -> list[dict[str, Any]]:
    pairs = _pairs_sharing_a_word(store, kind.table)
    ids = sorted({actor for pair in pairs for actor in pair})
    keys = identity.names_of(store, kind.table, ids)
    found_actors = actors.by_ids(store, kind.table, ids)
    found = []
    for first, second in pairs:
        best = max(
            (similarity(a, b) for a in keys.get(first, []) for b in keys.get(second, [])),
            default=0.0,
        )
        if best < DUPES_MIN_SCORE:
            continue
        one, other = found_actors[first], found_actors[second]
        reasons = ["same name key" if best == 100 else f"names {best:.0f}% alike"]
        score = best
        born_one, born_other = one.get("born_earliest"), other.get("born_earliest")
        if born_one and born_other and born_one[:4] == born_other[:4]:
            reasons.append("same birth year")
            score += 5
        if one.get("origin") and name_key(one["origin"]) == name_key(other.get("origin") or ""):
            reasons.append("same origin")
            score += 3
        shared = identity.shared_links(store, kind.table, first, second)
        if shared["trials"]:
            reasons.append(f"{shared['trials']} shared trial(s)")
            score += 5
        if shared["sources"]:
            reasons.append(f"{shared['sources']} shared source(s)")
            score += 2
        found.append(
            {
                "ref": f"{kind.prefix}{first}",
                "uid": one["uid"],
                "name": one["name"],
                "other_ref": f"{kind.prefix}{second}",
                "other_uid": other["uid"],
                "other_name": other["name"],
                "score": round(score, 1),
                "reasons": reasons,
            }
        )
    return found


# Fields a survivor's blank takes from the merged actor.
_FILLABLE = {
    "people": (
        "description",
        "sex",
        "born",
        "born_earliest",
        "born_latest",
        "ethnicity",
        "citizenship",
        "origin",
    ),
    "organisations": ("kind", "country", "size", "part_of_id"),
}


def merge(store: Store, actor: str, into: str, *, dry_run: bool = False) -> dict[str, Any]:
    """Move every record of ACTOR to INTO (both people, or both organisations),
    keep ACTOR's name as an alias, delete ACTOR.

    Fields INTO leaves blank (sex, born, ...) are filled from ACTOR. One
    transaction; with DRY_RUN nothing changes and the counts say what would move.

    What moves from a private actor stays private, whatever the survivor's
    mark (it may be made public later): each moved record is marked private, the alias the merged name becomes is private and
    carries the merged actor's note and the fields that would otherwise have
    filled the survivor's blanks. The citations of the merged actor go to that
    alias (the name they cited).
    """
    with store.transaction("merge", dry_run=dry_run):
        kind, merged = resolve_actor(store, actor)
        into_kind, survivor = resolve_actor(store, into, (kind,))
        ref = f"{kind.prefix}{merged['id']}"
        if merged["id"] == survivor["id"]:
            raise Invalid(f"{ref} cannot be merged into itself")
        table = kind.table
        stays_private = bool(merged["private"])
        moves = identity.record_counts(store, table, int(merged["id"]))
        fills = {f: merged[f] for f in _FILLABLE[table] if merged.get(f) and not survivor.get(f)}
        result = {
            "merged": public(kind, merged),
            "into": public(kind, survivor),
            "moves": moves,
            "fills": [] if stays_private else _shown_fields(fills),
            "kept_private": stays_private,
            "dry_run": dry_run,
        }
        if dry_run:
            return result
        identity.move_records(
            store, table, int(merged["id"]), int(survivor["id"]), mark_private=stays_private
        )
        alias_note = None
        if stays_private:
            kept = [f"{field}: {fills[field]}" for field in _shown_fields(fills)]
            alias_note = (
                "\n".join(part for part in ("; ".join(kept), merged.get("note") or "") if part)
                or None
            )
            fills = {}
        alias_id = _alias_of_merged_name(store, table, merged, survivor, alias_note, stays_private)
        if alias_id is not None:
            identity.move_citations(store, str(merged["uid"]), "aliases", alias_id)
        else:
            identity.move_citations(store, str(merged["uid"]), table, int(survivor["id"]))
        if fills:
            rows.update(store, table, int(survivor["id"]), fills)
        if merged.get("note") and not stays_private:
            note = "\n".join(n for n in (survivor.get("note"), merged["note"]) if n)
            rows.update(store, table, int(survivor["id"]), {"note": note})
        rows.delete(store, table, int(merged["id"]))
        changelog.set_fate(store, table, int(merged["id"]), "merged", int(survivor["id"]))
        store.change_summary = f"merged {ref} into {kind.prefix}{survivor['id']}"
        if stays_private:
            store.notices.append(
                f"{ref} was private: what moved to {kind.prefix}{survivor['id']} stays private"
            )
    assert into_kind == kind
    return result


def _alias_of_merged_name(
    store: Store,
    table: str,
    merged: Row,
    survivor: Row,
    note: str | None,
    stays_private: bool,
) -> int | None:
    """The alias the merged name becomes (its id), unless the survivor has that
    name already and nothing private must be kept with it."""
    if not merged.get("name"):
        return None  # an unnamed person has no name to keep
    owner = actors.OWNER[table]
    known = {str(survivor.get("name") or "").casefold()} | {
        alias["name"].casefold() for alias in actors.aliases_of(store, table, survivor["id"])
    }
    if merged["name"].casefold() in known and not stays_private:
        return None
    return rows.insert(
        store,
        "aliases",
        {
            owner: survivor["id"],
            "name": merged["name"],
            "name_key": merged["name_key"],
            "note": note,
            "private": merged["private"],
        },
    )


def _shown_fields(fills: dict[str, Any]) -> list[str]:
    return sorted(field for field in fills if not field.endswith(("_earliest", "_latest")))
