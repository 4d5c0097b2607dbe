"""Finding people however their names are written: search, duplicates and merge."""

from __future__ import annotations

from typing import Any

from cases.db import changelog, identity, queries, rows
from cases.db import search as full_text
from cases.db.connection import Store
from cases.errors import Invalid
from cases.names import name_key, name_words, similarity
from cases.records import KIND_BY_TABLE, PERSON
from cases.service.common import public
from cases.service.resolving import resolve_person

SEARCH_LIMIT = 50


def _fts_query(text: str) -> str:
    """Every word must match: each as typed or as a folded name word, as a prefix."""
    words = text.split()
    if not words:
        raise Invalid("give some text to search for")
    clauses = []
    for word in words:
        forms = {word.replace('"', '""')}
        forms.update(name_words(word))
        alternatives = " OR ".join(f'"{form}"*' for form in sorted(forms) if form)
        clauses.append(f"({alternatives})")
    return " AND ".join(clauses)


def search(store: Store, text: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Full-text hits (best first) with the record and person each belongs to."""
    hits = full_text.search(store, _fts_query(text), limit)
    by_table: dict[str, set[int]] = {}
    for table, _, record_id, _ in hits:
        by_table.setdefault(table, set()).add(record_id)
    records = {
        (table, int(row["id"])): row
        for table, ids in by_table.items()
        for row in rows.by_ids(store, table, sorted(ids))
    }
    first_party = queries.first_party_of(store, sorted(by_table.get("trials", set())))
    person_ids = {int(row["person_id"]) for row in records.values() if row.get("person_id")}
    person_ids.update(int(row["id"]) for (table, _), row in records.items() if table == "people")
    person_ids.update(first_party.values())
    people = rows.people_by_ids(store, person_ids)
    results = []
    for table, field, record_id, text_hit in hits:
        row = records.get((table, record_id))
        if row is None:
            continue
        if table == "people":
            person_id: int | None = record_id
        elif table == "trials":
            person_id = first_party.get(record_id)
        else:
            person_id = row.get("person_id")
        person = people.get(person_id) if person_id is not None else None
        kind_name = "alias" if table == "aliases" else KIND_BY_TABLE[table].name
        ref = f"P{person_id}" if table == "aliases" else f"{KIND_BY_TABLE[table].prefix}{record_id}"
        if field == "name":
            text_hit = row["name"]  # the index also holds the folded key
        results.append(
            {
                "ref": ref,
                "uid": row["uid"],
                "kind": kind_name,
                "field": field,
                "text": text_hit,
                "person": person["name"] if person else None,
                "person_ref": f"P{person_id}" if person else None,
                "private": bool(row.get("private")),
            }
        )
    return results


# Pairs are only formed among people sharing a name word used by at most this
# many people, so a common given name cannot make the work quadratic.
DUPES_GROUP_LIMIT = 200
DUPES_MIN_SCORE = 80.0


def dupes(store: Store) -> list[dict[str, Any]]:
    """Pairs of people who may be the same, most likely first, with the reasons."""
    pairs = identity.people_sharing_a_word(store, DUPES_GROUP_LIMIT)
    ids = sorted({person for pair in pairs for person in pair})
    keys = identity.names_of(store, ids)
    people = rows.people_by_ids(store, ids)
    found = []
    for first, second in pairs:
        best = max(
            (similarity(a, b) for a in keys.get(first, []) for b in keys.get(second, [])),
            default=0.0,
        )
        if best < DUPES_MIN_SCORE:
            continue
        one, other = people[first], people[second]
        reasons = ["same name key" if best == 100 else f"names {best:.0f}% alike"]
        score = best
        born_one, born_other = one.get("born_earliest"), other.get("born_earliest")
        if born_one and born_other and born_one[:4] == born_other[:4]:
            reasons.append("same birth year")
            score += 5
        if one.get("origin") and name_key(one["origin"]) == name_key(other.get("origin") or ""):
            reasons.append("same origin")
            score += 3
        shared = identity.shared_links(store, first, second)
        if shared["trials"]:
            reasons.append(f"{shared['trials']} shared trial(s)")
            score += 5
        if shared["sources"]:
            reasons.append(f"{shared['sources']} shared source(s)")
            score += 2
        found.append(
            {
                "ref": f"P{first}",
                "uid": one["uid"],
                "name": one["name"],
                "other_ref": f"P{second}",
                "other_uid": other["uid"],
                "other_name": other["name"],
                "score": round(score, 1),
                "reasons": reasons,
            }
        )
    found.sort(key=lambda pair: (-pair["score"], pair["ref"], pair["other_ref"]))
    return found


_FILLABLE = ("sex", "born", "born_earliest", "born_latest", "ethnicity", "citizenship", "origin")


def merge(store: Store, person: str, into: str, *, dry_run: bool = False) -> dict[str, Any]:
    """Move every record of PERSON to INTO, keep PERSON's name as an alias, delete PERSON.

    Fields INTO leaves blank (sex, born, ...) are filled from PERSON. One transaction;
    with DRY_RUN nothing changes and the counts say what would move.

    What moves from a private person into a public one stays private: each
    moved record is marked private, the alias the merged name becomes is
    private and carries the merged person's note and the fields that would
    otherwise have filled the survivor's blanks, and the citations of the
    merged person go to that alias.
    """
    with store.transaction("merge", dry_run=dry_run):
        merged = resolve_person(store, person)
        survivor = resolve_person(store, into)
        if merged["id"] == survivor["id"]:
            raise Invalid(f"P{merged['id']} cannot be merged into itself")
        stays_private = bool(merged["private"]) and not survivor["private"]
        moves = identity.person_record_counts(store, int(merged["id"]))
        fills = {f: merged[f] for f in _FILLABLE if merged.get(f) and not survivor.get(f)}
        result = {
            "merged": public(PERSON, merged),
            "into": public(PERSON, survivor),
            "moves": moves,
            "fills": [] if stays_private else _shown_fields(fills),
            "kept_private": stays_private,
            "dry_run": dry_run,
        }
        if dry_run:
            return result
        identity.move_person_records(
            store, int(merged["id"]), int(survivor["id"]), mark_private=stays_private
        )
        alias_note = None
        if stays_private:
            kept = [f"{field}: {fills[field]}" for field in _shown_fields(fills)]
            alias_note = (
                "\n".join(part for part in ("; ".join(kept), merged.get("note") or "") if part)
                or None
            )
            fills = {}
        # the merged name stays findable as written, unless it is already recorded so
        known = {survivor["name"].casefold()} | {
            a["name"].casefold()
            for a in rows.all_rows(store, "aliases", person_id=int(survivor["id"]))
        }
        alias_id = None
        if merged["name"].casefold() not in known or stays_private:
            alias_id = rows.insert(
                store,
                "aliases",
                {
                    "person_id": survivor["id"],
                    "name": merged["name"],
                    "name_key": name_key(merged["name"]),
                    "note": alias_note,
                    "private": merged["private"],
                },
            )
        identity.move_citations(store, str(merged["uid"]), alias_id, int(survivor["id"]))
        if fills:
            rows.update(store, "people", int(survivor["id"]), fills)
        if merged.get("note") and not stays_private:
            note = "\n".join(n for n in (survivor.get("note"), merged["note"]) if n)
            rows.update(store, "people", int(survivor["id"]), {"note": note})
        rows.delete(store, "people", int(merged["id"]))
        changelog.set_fate(store, "people", int(merged["id"]), "merged", int(survivor["id"]))
        store.change_summary = f"merged P{merged['id']} into P{survivor['id']}"
        if stays_private:
            store.notices.append(
                f"P{merged['id']} was private: what moved to P{survivor['id']} stays private"
            )
    return result


def _shown_fields(fills: dict[str, Any]) -> list[str]:
    return sorted(field for field in fills if not field.endswith(("_earliest", "_latest")))
