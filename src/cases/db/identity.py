"""Identity: the queries behind duplicate detection, and moving an actor's records
in a merge. What points at an actor is read from the catalogue's links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from cases.catalogue import TABLES
from cases.db.actors import OWNER
from cases.db.connection import Row, Store, chunks, marks


def links_to(table: str) -> Iterator[tuple[str, str, bool]]:
    """(table, column, owner) of every link to a record of TABLE (an actor's table)."""
    for other in TABLES:
        for field in other.all_fields:
            if field.link == table and field.link_column:
                yield other.name, field.link_column, field.owner


def name_words(store: Store, table: str) -> Iterator[tuple[int, str]]:
    """(actor id, name key) of every name and alias of TABLE's actors (unnamed
    people have no key and are never compared)."""
    owner = OWNER[table]
    yield from store.conn.execute(
        f"""SELECT id, name_key FROM "{table}" WHERE name_key IS NOT NULL
            UNION ALL SELECT {owner}, name_key FROM aliases WHERE {owner} IS NOT NULL"""
    )


def facts_of(store: Store, table: str, actor_ids: Sequence[int]) -> dict[int, Row]:
    """What a duplicate pair shows and weighs of these actors: uid, name and,
    for people, the earliest birth date and origin."""
    columns = "id, uid, name" + (", born_earliest, origin" if table == "people" else "")
    found: dict[int, Row] = {}
    for chunk in chunks(sorted(set(actor_ids))):
        for row in store.all(
            f'SELECT {columns} FROM "{table}" WHERE id IN ({marks(chunk)})', chunk
        ):
            found[int(row["id"])] = row
    return found


def trials_of(store: Store, table: str, actor_ids: Sequence[int]) -> dict[int, Counter[int]]:
    """The trials each of these actors is a party to (trial id: how many roles)."""
    owner = OWNER[table]
    found: dict[int, Counter[int]] = {}
    for chunk in chunks(actor_ids):
        rows = store.conn.execute(
            f"SELECT {owner}, trial_id FROM trial_parties WHERE {owner} IN ({marks(chunk)})",
            chunk,
        )
        for actor_id, trial_id in rows:
            found.setdefault(int(actor_id), Counter())[int(trial_id)] += 1
    return found


def sources_of(store: Store, table: str, actor_ids: Sequence[int]) -> dict[int, set[int]]:
    """The sources cited for each of these actors (the actor itself, as written)."""
    found: dict[int, set[int]] = {}
    for chunk in chunks(actor_ids):
        rows = store.conn.execute(
            f'SELECT actor.id, citations.source_id FROM "{table}" AS actor '
            f"JOIN citations ON citations.record_uid = actor.uid "
            f"WHERE actor.id IN ({marks(chunk)})",
            chunk,
        )
        for actor_id, source_id in rows:
            found.setdefault(int(actor_id), set()).add(int(source_id))
    return found


def record_counts(store: Store, table: str, actor_id: int) -> dict[str, int]:
    """How many records of each kind point at this actor (what a merge would move)."""
    counts: dict[str, int] = {}
    for other, column, _ in links_to(table):
        found = int(
            store.scalar(f'SELECT count(*) FROM "{other}" WHERE "{column}" = ?', [actor_id])
        )
        counts[other] = counts.get(other, 0) + found
    counts["citations"] = counts.get("citations", 0) + int(
        store.scalar(
            f'SELECT count(*) FROM citations WHERE record_uid = (SELECT uid FROM "{table}" '
            "WHERE id = ?)",
            [actor_id],
        )
    )
    return counts


def move_records(
    store: Store, table: str, source_id: int, target_id: int, *, mark_private: bool = False
) -> None:
    """Re-point every link to actor SOURCE_ID of TABLE at TARGET_ID (inside a
    transaction); with MARK_PRIVATE each record that belongs to it becomes
    private. A party role the survivor already has in the same trial is not
    doubled, and a relation between the two (it would relate one to itself) goes.
    """
    store.require_write()
    owner = OWNER[table]
    params = {"source": source_id, "target": target_id, "private": int(mark_private)}
    store.conn.execute(
        f"""DELETE FROM trial_parties WHERE {owner} = :source AND EXISTS (
               SELECT 1 FROM trial_parties kept WHERE kept.trial_id = trial_parties.trial_id
               AND kept.{owner} = :target AND kept.role = trial_parties.role)""",
        params,
    )
    first, second = ("person_id", "other_id") if table == "people" else ("org_id", "other_org_id")
    store.conn.execute(
        f"""DELETE FROM relations WHERE ({first} = :source AND {second} = :target)
               OR ({first} = :target AND {second} = :source)""",
        params,
    )
    for other, column, belongs in links_to(table):
        # what belongs to the merged actor (a claim attributed to them too) stays private
        private = ", private = max(private, :private)" if belongs else ""
        store.conn.execute(
            f'UPDATE "{other}" SET "{column}" = :target{private} WHERE "{column}" = :source',
            params,
        )
    # an organisation that was part of the one merged into it is not part of itself
    store.conn.execute("UPDATE organisations SET part_of_id = NULL WHERE part_of_id = id")


def move_citations(store: Store, record_uid: str, to_table: str, to_id: int) -> None:
    """Citations of the record RECORD_UID go to the record TO_ID of TO_TABLE (the
    alias a merged name became); one already there is not doubled."""
    store.require_write()
    target = f'(SELECT uid FROM "{to_table}" WHERE id = ?)'
    store.conn.execute(
        f"""UPDATE citations SET record_uid = {target}
            WHERE record_uid = ? AND source_id NOT IN (
                SELECT source_id FROM citations WHERE record_uid = {target})""",
        [to_id, record_uid, to_id],
    )


def birth_years_and_origins(store: Store, table: str) -> tuple[dict[int, str], dict[int, str]]:
    """Every person's birth year (of their earliest possible birth day) and
    origin, where recorded; none for organisations."""
    years: dict[int, str] = {}
    origins: dict[int, str] = {}
    if table != "people":
        return years, origins
    for actor_id, born, origin in store.conn.execute(
        "SELECT id, born_earliest, origin FROM people "
        "WHERE born_earliest IS NOT NULL OR origin IS NOT NULL"
    ):
        if born:
            years[actor_id] = born[:4]
        if origin:
            origins[actor_id] = origin
    return years, origins


def all_trials(store: Store, table: str) -> dict[int, frozenset[int]]:
    """The trials every actor of TABLE is a party to."""
    owner = OWNER[table]
    return _sets(
        store.conn.execute(
            f"SELECT {owner}, trial_id FROM trial_parties WHERE {owner} IS NOT NULL "
            f"ORDER BY {owner}"
        )
    )


def all_sources(store: Store, table: str) -> dict[int, frozenset[int]]:
    """The sources cited for every actor of TABLE (the actor itself, as written)."""
    return _sets(
        store.conn.execute(
            f'SELECT actor.id, citations.source_id FROM "{table}" AS actor '
            "JOIN citations ON citations.record_uid = actor.uid ORDER BY actor.id"
        )
    )


def _sets(rows: Iterator[tuple[int, int]]) -> dict[int, frozenset[int]]:
    """(actor, item) rows in actor order, as each actor's set of items."""
    found: dict[int, frozenset[int]] = {}
    actor: int | None = None
    items: list[int] = []
    for row_actor, item in rows:
        if row_actor != actor:
            if actor is not None:
                found[actor] = frozenset(items)
            actor, items = row_actor, []
        items.append(item)
    if actor is not None:
        found[actor] = frozenset(items)
    return found
