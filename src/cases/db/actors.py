"""Actors (people and organisations): finding them by name, their relations,
and where they appear in other records."""

from __future__ import annotations

from collections.abc import Sequence

from cases.db.connection import Row, Store, chunks, marks

# An actor table, and the column of an alias (or any row) that points at it.
OWNER = {"people": "person_id", "organisations": "org_id"}


def with_key(store: Store, table: str, name_key: str) -> list[Row]:
    """Actors of TABLE whose name or an alias has exactly this key (indexed)."""
    owner = OWNER[table]
    return store.all(
        f"""SELECT * FROM "{table}" WHERE id IN (
               SELECT id FROM "{table}" WHERE name_key = ?
               UNION SELECT {owner} FROM aliases WHERE name_key = ? AND {owner} IS NOT NULL)
           ORDER BY id""",
        [name_key, name_key],
    )


def with_name_part(store: Store, table: str, part_key: str) -> list[Row]:
    """Actors of TABLE one of whose names has this whole word (a surname, a word
    of an organisation's name)."""
    owner = OWNER[table]
    patterns = [part_key, f"{part_key} %", f"% {part_key}", f"% {part_key} %"]
    return store.all(
        f"""SELECT * FROM "{table}" WHERE id IN (
               SELECT id FROM "{table}"
                WHERE name_key = ? OR name_key LIKE ? OR name_key LIKE ? OR name_key LIKE ?
               UNION SELECT {owner} FROM aliases WHERE {owner} IS NOT NULL AND (
                   name_key = ? OR name_key LIKE ? OR name_key LIKE ? OR name_key LIKE ?))
           ORDER BY id""",
        patterns + patterns,
    )


def all_name_keys(store: Store, table: str) -> list[tuple[int, str, str]]:
    """(actor id, name or alias, key) for every name of TABLE: the fuzzy fallback's
    input. Unnamed people have no key and are never offered."""
    owner = OWNER[table]
    rows = store.conn.execute(
        f"""SELECT id, name, name_key FROM "{table}" WHERE name_key IS NOT NULL
           UNION ALL SELECT {owner}, name, name_key FROM aliases WHERE {owner} IS NOT NULL"""
    )
    return [(int(row[0]), str(row[1]), str(row[2])) for row in rows]


def aliases_of(store: Store, table: str, actor_id: int) -> list[Row]:
    """The aliases of one actor, in recording order."""
    return store.all(f"SELECT * FROM aliases WHERE {OWNER[table]} = ? ORDER BY id", [actor_id])


def by_ids(store: Store, table: str, ids: Sequence[int]) -> dict[int, Row]:
    """Actors of TABLE by id."""
    found: dict[int, Row] = {}
    for chunk in chunks(sorted(set(ids))):
        for row in store.all(f'SELECT * FROM "{table}" WHERE id IN ({marks(chunk)})', chunk):
            found[int(row["id"])] = row
    return found


# The two ends of a relation: (person column, organisation column).
_ENDS = (("person_id", "org_id"), ("other_id", "other_org_id"))


def relations_of(store: Store, table: str, actor_id: int) -> list[Row]:
    """Relations in either direction of one actor, in recording order."""
    column = 0 if table == "people" else 1
    first, second = _ENDS[0][column], _ENDS[1][column]
    return store.all(
        f"SELECT * FROM relations WHERE {first} = ? OR {second} = ? ORDER BY id",
        [actor_id, actor_id],
    )


def relations_all(store: Store) -> list[Row]:
    """Every relation, in recording order."""
    return store.all("SELECT * FROM relations ORDER BY id")


def party_roles(store: Store, table: str, actor_id: int) -> list[Row]:
    """Trial party rows naming this actor: as a party, or by a name text linked to
    them (a judge, a lawyer), with the trial's court and opened date."""
    if table == "people":
        where = "(p.person_id = :actor OR p.name_person_id = :actor)"
    else:
        where = "p.org_id = :actor"
    return store.all(
        f"""SELECT p.*, t.court AS trial_court, t.opened AS trial_opened,
                   t.opened_earliest AS trial_opened_earliest, t.private AS trial_private
            FROM trial_parties p JOIN trials t ON t.id = p.trial_id
            WHERE {where}
            ORDER BY coalesce(t.opened_earliest, t.opened_latest) IS NULL,
                     coalesce(t.opened_earliest, t.opened_latest), t.id, p.id""",
        {"actor": actor_id},
    )


def participations(store: Store, table: str, actor_id: int) -> list[Row]:
    """Participant rows of this actor, in recording order."""
    return store.all(f"SELECT * FROM participants WHERE {OWNER[table]} = ? ORDER BY id", [actor_id])


def named_in(store: Store, table: str, actor_id: int) -> list[tuple[str, Row]]:
    """(table, row) of the records with a text naming an actor that is linked to
    this one (a trial's court, an asylum decision's authority); party rows,
    which name judges and lawyers, are :func:`party_roles`."""
    from cases.catalogue import LOGGED, naming_texts

    found: list[tuple[str, Row]] = []
    for fact in LOGGED:
        if fact == "trial_parties":
            continue
        for link, target in naming_texts(fact).values():
            if target == table:
                found.extend(
                    (fact, row)
                    for row in store.all(
                        f'SELECT * FROM "{fact}" WHERE "{link}" = ? ORDER BY id', [actor_id]
                    )
                )
    return found
