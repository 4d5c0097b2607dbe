"""What a reader of a team's database sees: one view a table in ``cases_public``,
holding what a public export holds, generated from privacy.py's rules.

The rules are the ones :func:`cases.db.export.mark_hidden_records` runs on
SQLite, as queries instead of temporary tables: ``hidden_TABLE`` lists the
ids of TABLE an export leaves out (private, belonging to a record left out,
attributed to an actor left out), built table by table in the same order, so
each sees what the ones before it hide; ``hidden_keys`` the name keys of the
actors and aliases left out. Each view computes the sets it needs once, as
materialised common table expressions (views of views would be expanded
again wherever they are named). A table's public view leaves out its hidden
rows and blanks the links and texts that would name a record left out, as an
export does.

The views belong to the team's owner and read the records schema with the
owner's rights; a reader is granted the views only, never the tables. They
are security barriers: a reader's own conditions and functions run on the
rows the view lets through, never before its filter.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from cases import privacy
from cases.catalogue import CITABLE, TABLE, TABLES
from cases.db.pg import BASE, PUBLIC
from cases.db.pg.schema import key_column, stored_columns

_ACTORS = ("people", "organisations", "aliases")
KEYS = "hidden_keys"


def _view(name: str) -> str:
    return f"hidden_{name}"


def _ids(view: str) -> str:
    return f"(SELECT id FROM {view})"


@functools.cache
def hidden_sets() -> dict[str, str]:
    """What an export leaves out, as named queries in the order they read each
    other (each a common table expression of the public views): ``hidden_T``,
    the ids of table T left out, and ``hidden_keys``, the name keys of the
    actors and aliases left out.

    Each is a union of joins, one a reason, never ``x IN (subquery)`` inside
    ORs: PostgreSQL hashes such a subquery only when it expects it to be
    small, and otherwise scans it again for every row (minutes at 100,000
    people), where a join is hashed however large, spilling to disk if need be.
    """
    found: dict[str, str] = {}
    current: dict[str, str] = {}  # table -> the set of its hidden ids so far

    def create(name: str, select: str) -> str:
        found[_view(name)] = select
        return _view(name)

    done: list[str] = []
    for belonging in privacy.belongings():
        table = belonging.table
        rows = f'SELECT t.id FROM {BASE}."{table}" t'
        branches = [f"{rows} WHERE t.private = 1"]
        branches += [
            f'{rows} JOIN {current[target]} h ON h.id = t."{column}"'
            for column, target in belonging.links.items()
            if target in current
        ]
        branches += [
            f'{rows} JOIN {KEYS} k ON k.key = t."{key_column(text)}"' for text in belonging.texts
        ]
        for column in belonging.records:
            # the uids of every hidden record a row may name, gathered first:
            # one pass over the table instead of one for each table named
            uids = " UNION ALL ".join(
                f'SELECT x.uid FROM {BASE}."{name}" x JOIN {current[name]} h ON h.id = x.id'
                for name in CITABLE
                if name in done
            )
            found[f"hidden_uids_{table}"] = uids
            branches.append(f'{rows} JOIN hidden_uids_{table} u ON u.uid = t."{column}"')
        if table == "trial_parties":
            # a judge, lawyer or prosecutor named as text is nothing but that text
            named = f"{rows} {{}} WHERE t.person_id IS NULL AND t.org_id IS NULL"
            branches.append(named.format(f"JOIN {current['people']} h ON h.id = t.name_person_id"))
            branches.append(named.format(f"JOIN {KEYS} k ON k.key = t.name_key"))
        own = table in ("trials", "trial_parties")
        current[table] = create(f"{table}_own" if own else table, " UNION ".join(branches))
        done.append(table)
        if table == "trial_parties":
            _hide_trials_without_a_public_party(create, current)
        if all(name in done for name in _ACTORS) and KEYS not in found:
            found[KEYS] = " UNION ".join(
                f'SELECT a.name_key AS key FROM {BASE}."{name}" a '
                f"JOIN {current[name]} h ON h.id = a.id WHERE a.name_key IS NOT NULL"
                for name in _ACTORS
            )
    return found


def _hide_trials_without_a_public_party(
    create: Callable[[str, str], str], current: dict[str, str]
) -> None:
    """A trial goes when every person or organisation party to it is hidden, and
    its parties go with it (the second pass SQLite's marking makes)."""
    party = "(p.person_id IS NOT NULL OR p.org_id IS NOT NULL)"
    current["trials"] = create(
        "trials",
        f"SELECT id FROM {current['trials']} UNION "
        f"SELECT tr.id FROM {BASE}.trials tr "
        f"WHERE EXISTS (SELECT 1 FROM {BASE}.trial_parties p WHERE p.trial_id = tr.id AND {party}) "
        f"AND NOT EXISTS (SELECT 1 FROM {BASE}.trial_parties p WHERE p.trial_id = tr.id "
        f"AND {party} AND NOT EXISTS "
        f"(SELECT 1 FROM {current['trial_parties']} h WHERE h.id = p.id))",
    )
    current["trial_parties"] = create(
        "trial_parties",
        f"SELECT id FROM {current['trial_parties']} UNION "
        f"SELECT p.id FROM {BASE}.trial_parties p JOIN {current['trials']} h ON h.id = p.trial_id",
    )


def _with_sets(wanted: set[str]) -> str:
    """The WITH clause computing the hidden sets WANTED and those they read, each
    once (materialised: a set read in several places is not worked out again)."""
    sets = hidden_sets()
    needed = set(wanted)
    for name in reversed(list(sets)):
        if name in needed:
            needed |= {other for other in sets if re.search(rf"\b{other}\b", sets[name])}
    listed = [f"{name} AS MATERIALIZED ({sets[name]})" for name in sets if name in needed]
    return "WITH " + ",\n".join(listed)


def public_statements() -> list[str]:
    """One view a table in ``cases_public``: its public rows, with what would
    name a hidden record blanked. Each hidden set a row is compared with is
    joined once (a left join: the row stays, and the set's id or key says
    whether it names something hidden)."""
    found = []
    for table in TABLES:
        joins: dict[tuple[str, str], str] = {}  # (set, column of t) -> alias
        hit = functools.partial(_hit, joins)
        blanked = privacy.blanked(table)
        withheld: dict[str, str] = {}
        lines = set()
        for text in privacy.named_by(table):
            linked = [hit(_view(target), link) for link, target in text.links]
            if text.lines:
                # a text of names loses the lines naming someone hidden (their keys
                # are compared line by line), and goes whole only with its link
                lines.add(text.column)
                for link, _ in text.links:
                    withheld[link] = " OR ".join(linked)
                if linked:
                    withheld[text.column] = " OR ".join(linked)
                continue
            # a text whose key is not written yet (a write by other means than
            # cases, which writes them before each commit) is withheld
            unkeyed = f't."{text.column}" IS NOT NULL AND t."{key_column(text)}" IS NULL'
            named = f"({hit(KEYS, key_column(text), 'key')} OR ({unkeyed}))"
            for link, _ in text.links:
                withheld[link] = " OR ".join([*linked, named])
            withheld[text.column] = " OR ".join([*linked, named])
        selected = []
        for column in stored_columns(table):
            value = f't."{column}"'
            if column in blanked:
                value = (
                    f"CASE WHEN {hit(_view(blanked[column]), column)} THEN NULL ELSE {value} END"
                )
            if column in lines:
                value = _unhidden_lines(table.name, column)
            if column in withheld:
                value = f"CASE WHEN {withheld[column]} THEN NULL ELSE {value} END"
            selected.append(f'{value} AS "{column}"')
        wanted = {_view(table.name)} | {hidden for hidden, _ in joins}
        if lines:
            wanted.add(KEYS)
        joined = " ".join(
            f'LEFT JOIN {hidden} {alias} ON {alias}.{"key" if hidden == KEYS else "id"} = t."{column}"'
            for (hidden, column), alias in joins.items()
        )
        found.append(
            f'CREATE VIEW {PUBLIC}."{table.name}" WITH (security_barrier) AS '
            f"{_with_sets(wanted)}\n"
            f'SELECT {", ".join(selected)} FROM {BASE}."{table.name}" t {joined} '
            f"WHERE NOT EXISTS (SELECT 1 FROM {_view(table.name)} h WHERE h.id = t.id)"
        )
    return found


def _hit(joins: dict[tuple[str, str], str], hidden: str, column: str, on: str = "id") -> str:
    """SQL true where the row's COLUMN is in the HIDDEN set (joined once, as JOINS records)."""
    alias = joins.setdefault((hidden, column), f"j{len(joins)}")
    return f"{alias}.{on} IS NOT NULL"


def _unhidden_lines(table: str, column: str) -> str:
    """A text of names, one a line, without the lines naming a hidden actor (NULL
    when none is left), by the keys written beside it line for line."""
    text = next(t for t in privacy.named_by(TABLE[table]) if t.column == column)
    return (
        "(SELECT string_agg(u.line, E'\\n' ORDER BY u.n) FROM unnest("
        f"string_to_array(t.\"{column}\", E'\\n'), "
        f"string_to_array(t.\"{key_column(text)}\", E'\\n')) WITH ORDINALITY AS u(line, key, n) "
        f"WHERE u.key NOT IN (SELECT key FROM {KEYS}))"
    )


def statements() -> list[str]:
    """Every statement that makes what readers see."""
    return [f"CREATE SCHEMA {PUBLIC}", *public_statements()]


def mark_hidden_records(store: Any) -> None:
    """What :func:`cases.db.export.mark_hidden_records` makes on SQLite, for an
    export read from a team database: the temporary tables ``hidden`` (table,
    id), ``hidden_keys`` and ``hidden_uids``, filled from the same hidden sets
    as the readers' views (one statement each)."""
    sets = hidden_sets()
    finals = [name for name in (t.name for t in TABLES) if _view(name) in sets]
    conn = store.conn
    for name in ("hidden", "hidden_keys", "hidden_uids"):
        conn.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
    union = " UNION ALL ".join(f"SELECT '{name}' AS tbl, id FROM {_view(name)}" for name in finals)
    conn.execute(
        f"CREATE TEMP TABLE hidden AS {_with_sets({_view(name) for name in finals})}\n{union}"
    )
    conn.execute("CREATE INDEX ON pg_temp.hidden (tbl, id)")
    conn.execute(
        f"CREATE TEMP TABLE hidden_keys AS {_with_sets({KEYS})}\nSELECT DISTINCT key FROM {KEYS}"
    )
    uids = " UNION ".join(
        f"SELECT x.uid FROM {BASE}.\"{name}\" x JOIN hidden h ON h.tbl = '{name}' AND h.id = x.id"
        for name in CITABLE
    )
    conn.execute(f"CREATE TEMP TABLE hidden_uids AS {uids}")
    for name in ("hidden", "hidden_keys", "hidden_uids"):
        conn.execute(f"ANALYZE pg_temp.{name}")
