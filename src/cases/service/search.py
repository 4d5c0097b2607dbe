"""Search: every word must match, with the name folding (q/k, zh/j...), in the
full-text tables of every searchable table; best first."""

from __future__ import annotations

import itertools
from typing import Any

from cases.db import actors, queries, rows
from cases.db import search as full_text
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.names import name_words
from cases.privacy import left_out
from cases.records import KIND_BY_TABLE
from cases.service.resolving import actor_name

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


def query_words(text: str) -> list[list[tuple[str, bool]]]:
    """What to look for: every word of TEXT, each in any of its forms, as
    (form, whether it matches as the start of a word). A number matches whole
    (300 never finds 30 or 3000); any other word matches as the start of a
    word, in any of its spellings."""
    words = text.split()
    if not words:
        raise Invalid("give some text to search for")
    found: list[list[tuple[str, bool]]] = []
    for word in words:
        if word.isdigit():
            found.append([(word, False)])
            continue
        forms = {word, *spellings(word)}
        found.append([(form, True) for form in sorted(forms) if form])
    return found


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
    hits = full_text.search(store, query_words(text), limit)
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
    # a hit is private where an export would leave its record out
    hidden = left_out(store)
    private = {table: hidden.among(table, sorted(ids)) for table, ids in by_table.items()}
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
                "private": record_id in private.get(table, set()),
            }
        )
    return results
