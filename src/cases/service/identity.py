"""Merging two records of one actor: the survivor takes the other's aliases,
facts, parts and citations, and its blanks the other's values."""

from __future__ import annotations

from typing import Any

from cases.db import actors, changelog, identity, rows
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.service.common import public
from cases.service.resolving import resolve_actor

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
    name already, as its name or a public alias, and nothing private must be
    kept with it. (A private alias of the same text does not count: the merged
    name was public, and would be hidden with it.)"""
    if not merged.get("name"):
        return None  # an unnamed person has no name to keep
    owner = actors.OWNER[table]
    known = {str(survivor.get("name") or "").casefold()} | {
        alias["name"].casefold()
        for alias in actors.aliases_of(store, table, survivor["id"])
        if not alias.get("private")
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
