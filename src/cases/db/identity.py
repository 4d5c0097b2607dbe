"""Identity: the queries behind duplicate detection, and moving a person's records in a merge."""

from __future__ import annotations

from collections.abc import Sequence

from cases.db.connection import Store, chunks, marks


def people_sharing_a_word(store: Store, max_group: int) -> list[tuple[int, int]]:
    """Pairs of people (a < b) whose names or aliases share a whole folded word.

    Words shared by more than MAX_GROUP people are too common to pair on.
    """
    rows = store.conn.execute(
        "SELECT id, name_key FROM people UNION ALL SELECT person_id, name_key FROM aliases"
    )
    by_word: dict[str, set[int]] = {}
    for person_id, key in rows:
        for word in str(key).split():
            by_word.setdefault(word, set()).add(int(person_id))
    pairs: set[tuple[int, int]] = set()
    for members in by_word.values():
        if 1 < len(members) <= max_group:
            ordered = sorted(members)
            for index, first in enumerate(ordered):
                for second in ordered[index + 1 :]:
                    pairs.add((first, second))
    return sorted(pairs)


def names_of(store: Store, person_ids: Sequence[int]) -> dict[int, list[str]]:
    """Every name key (name and aliases) of these people."""
    found: dict[int, list[str]] = {}
    for chunk in chunks(person_ids):
        rows = store.conn.execute(
            f"SELECT id, name_key FROM people WHERE id IN ({marks(chunk)}) UNION ALL "
            f"SELECT person_id, name_key FROM aliases WHERE person_id IN ({marks(chunk)})",
            chunk + chunk,
        )
        for person_id, key in rows:
            found.setdefault(int(person_id), []).append(str(key))
    return found


def shared_links(store: Store, first: int, second: int) -> dict[str, int]:
    """How many trials and sources two people share."""
    trials = store.conn.execute(
        "SELECT count(*) FROM trial_parties a JOIN trial_parties b ON a.trial_id = b.trial_id "
        "WHERE a.person_id = ? AND b.person_id = ?",
        [first, second],
    ).fetchone()[0]
    sources = store.conn.execute(
        "SELECT count(DISTINCT a.source_id) FROM citations a JOIN citations b "
        "ON a.source_id = b.source_id "
        "WHERE a.record_uid = (SELECT uid FROM people WHERE id = ?) "
        "AND b.record_uid = (SELECT uid FROM people WHERE id = ?)",
        [first, second],
    ).fetchone()[0]
    return {"trials": int(trials), "sources": int(sources)}


def person_record_counts(store: Store, person_id: int) -> dict[str, int]:
    """How many records of each kind name this person (what a merge would move)."""
    counts = {}
    for table in ("aliases", "trial_parties", "rulings", "asylum", "detentions", "events"):
        counts[table] = int(
            store.conn.execute(
                f"SELECT count(*) FROM {table} WHERE person_id = ?", [person_id]
            ).fetchone()[0]
        )
    counts["relations"] = int(
        store.conn.execute(
            "SELECT count(*) FROM relations WHERE person_id = ? OR other_id = ?",
            [person_id, person_id],
        ).fetchone()[0]
    )
    counts["citations"] = int(
        store.conn.execute(
            "SELECT count(*) FROM citations WHERE record_uid = "
            "(SELECT uid FROM people WHERE id = ?)",
            [person_id],
        ).fetchone()[0]
    )
    return counts


def move_person_records(
    store: Store, source_id: int, target_id: int, *, mark_private: bool = False
) -> None:
    """Re-point every record of person SOURCE_ID at TARGET_ID (inside a
    transaction); with MARK_PRIVATE each moved record becomes private."""
    store.require_write()
    params = {"source": source_id, "target": target_id, "private": int(mark_private)}
    private = ", private = max(private, :private)"
    statements = [
        f"UPDATE aliases SET person_id = :target{private} WHERE person_id = :source",
        # a role the survivor already has in the same trial is not doubled
        """DELETE FROM trial_parties WHERE person_id = :source AND EXISTS (
               SELECT 1 FROM trial_parties kept WHERE kept.trial_id = trial_parties.trial_id
               AND kept.person_id = :target AND kept.role = trial_parties.role)""",
        f"UPDATE trial_parties SET person_id = :target{private} WHERE person_id = :source",
        f"UPDATE rulings SET person_id = :target{private} WHERE person_id = :source",
        f"UPDATE asylum SET person_id = :target{private} WHERE person_id = :source",
        f"UPDATE detentions SET person_id = :target{private} WHERE person_id = :source",
        f"UPDATE events SET person_id = :target{private} WHERE person_id = :source",
        # a relation between the two would become a relation to oneself
        """DELETE FROM relations WHERE (person_id = :source AND other_id = :target)
               OR (person_id = :target AND other_id = :source)""",
        f"UPDATE relations SET person_id = :target{private} WHERE person_id = :source",
        f"UPDATE relations SET other_id = :target{private} WHERE other_id = :source",
        "UPDATE trials SET judge_person_id = :target WHERE judge_person_id = :source",
        "UPDATE trials SET lawyer_person_id = :target WHERE lawyer_person_id = :source",
    ]
    for statement in statements:
        store.conn.execute(statement, params)


def move_citations(store: Store, record_uid: str, alias_id: int | None, person_id: int) -> None:
    """Citations of the record RECORD_UID go to the alias ALIAS_ID (the name
    they cited), else to person PERSON_ID; one already there is not doubled."""
    store.require_write()
    table, row_id = ("aliases", alias_id) if alias_id is not None else ("people", person_id)
    store.conn.execute(
        f"""UPDATE OR IGNORE citations SET record_uid = (SELECT uid FROM "{table}" WHERE id = ?)
            WHERE record_uid = ?""",
        [row_id, record_uid],
    )
