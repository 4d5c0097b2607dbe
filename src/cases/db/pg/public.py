"""What a reader of a team's database sees: one view a table in ``cases_public``,
holding what a public export holds, generated from privacy.py's rules.

The rules are the ones :func:`cases.db.export.mark_hidden_records` runs on
SQLite, as views instead of temporary tables: ``cases.hidden_TABLE`` lists
the ids of TABLE an export leaves out (private, belonging to a record left
out, attributed to an actor left out), built table by table in the same
order, so each sees what the ones before it hide; ``cases.hidden_keys`` the
name keys of the actors and aliases left out. A table's public view leaves
out its hidden rows and blanks the links and texts that would name a record
left out, as an export does.

The views belong to the team's owner and read the records schema with the
owner's rights; a reader is granted the views only, never the tables. They
are security barriers: a reader's own conditions and functions run on the
rows the view lets through, never before its filter.
"""

from __future__ import annotations

from collections.abc import Callable

from cases import privacy
from cases.catalogue import CITABLE, TABLE, TABLES
from cases.db.pg import BASE, PUBLIC
from cases.db.pg.schema import key_column, stored_columns

_ACTORS = ("people", "organisations", "aliases")
KEYS = f"{BASE}.hidden_keys"


def _view(name: str) -> str:
    return f'{BASE}."hidden_{name}"'


def _ids(view: str) -> str:
    return f"(SELECT id FROM {view})"


def hidden_statements() -> list[str]:
    """The views of what an export leaves out, in the order they read each other."""
    found: list[str] = []
    current: dict[str, str] = {}  # table -> the view of its hidden ids so far
    done: list[str] = []

    def create(name: str, select: str) -> str:
        found.append(f"CREATE VIEW {_view(name)} AS {select}")
        return _view(name)

    for belonging in privacy.belongings():
        table = belonging.table
        reasons = ["t.private = 1"]
        reasons += [
            f't."{column}" IN {_ids(current[target])}'
            for column, target in belonging.links.items()
            if target in current
        ]
        reasons += [
            f't."{key_column(text)}" IN (SELECT key FROM {KEYS})' for text in belonging.texts
        ]
        for column in belonging.records:
            cited = " UNION ALL ".join(
                f'SELECT uid FROM {BASE}."{name}" WHERE id IN {_ids(current[name])}'
                for name in CITABLE
                if name in done
            )
            reasons.append(f't."{column}" IN ({cited})')
        if table == "trial_parties":
            # a judge, lawyer or prosecutor named as text is nothing but that text
            reasons.append(
                "(t.person_id IS NULL AND t.org_id IS NULL AND ("
                f"t.name_person_id IN {_ids(current['people'])} "
                f"OR t.name_key IN (SELECT key FROM {KEYS})))"
            )
        own = "own" if table in ("trials", "trial_parties") else ""
        current[table] = create(
            f"{table}_{own}" if own else table,
            f'SELECT t.id FROM {BASE}."{table}" t WHERE {" OR ".join(reasons)}',
        )
        done.append(table)
        if table == "trial_parties":
            _hide_trials_without_a_public_party(create, current)
        if all(name in done for name in _ACTORS) and KEYS not in current.values():
            keys = " UNION ".join(
                f'SELECT name_key AS key FROM {BASE}."{name}" '
                f"WHERE name_key IS NOT NULL AND id IN {_ids(current[name])}"
                for name in _ACTORS
            )
            found.append(f"CREATE VIEW {KEYS} AS {keys}")
            current["keys"] = KEYS
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
        f"AND {party} AND p.id NOT IN {_ids(current['trial_parties'])})",
    )
    current["trial_parties"] = create(
        "trial_parties",
        f"SELECT id FROM {current['trial_parties']} UNION "
        f"SELECT id FROM {BASE}.trial_parties WHERE trial_id IN {_ids(current['trials'])}",
    )


def public_statements() -> list[str]:
    """One view a table in ``cases_public``: its public rows, with what would
    name a hidden record blanked."""
    found = []
    for table in TABLES:
        blanked = privacy.blanked(table)
        withheld: dict[str, str] = {}
        lines = set()
        for text in privacy.named_by(table):
            linked = [f't."{link}" IN {_ids(_view(target))}' for link, target in text.links]
            named = f't."{key_column(text)}" IN (SELECT key FROM {KEYS})'
            for link, _ in text.links:
                withheld[link] = " OR ".join([*linked, named])
            if text.lines:
                lines.add(text.column)
                if linked:
                    withheld[text.column] = " OR ".join(linked)
            else:
                withheld[text.column] = " OR ".join([*linked, named])
        selected = []
        for column in stored_columns(table):
            value = f't."{column}"'
            if column in blanked:
                value = f"CASE WHEN {value} IN {_ids(_view(blanked[column]))} THEN NULL ELSE {value} END"
            if column in lines:
                value = _unhidden_lines(table.name, column)
            if column in withheld:
                value = f"CASE WHEN {withheld[column]} THEN NULL ELSE {value} END"
            selected.append(f'{value} AS "{column}"')
        found.append(
            f'CREATE VIEW {PUBLIC}."{table.name}" WITH (security_barrier) AS '
            f'SELECT {", ".join(selected)} FROM {BASE}."{table.name}" t '
            f"WHERE t.id NOT IN {_ids(_view(table.name))}"
        )
    return found


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
    return [f"CREATE SCHEMA {PUBLIC}", *hidden_statements(), *public_statements()]
