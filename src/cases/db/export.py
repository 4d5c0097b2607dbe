"""The privacy filter's SQL (privacy.py states the rules) and streaming reads for export."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from cases.catalogue import CITABLE
from cases.db.connection import Store

# First characters a spreadsheet would run as a formula, and the quote itself.
_FORMULA_FIRST = "('=', '+', '-', '@', char(9), char(13), char(10), '''')"


def defused_sql(value: str) -> str:
    """SQL that prefixes a text value with ' as csv_io.defuse does, in the database."""
    return (
        f"CASE WHEN typeof({value}) = 'text' AND substr({value}, 1, 1) IN {_FORMULA_FIRST} "
        f"THEN '''' || {value} ELSE {value} END"
    )


def mark_hidden_records(store: Store) -> None:
    """Fill temporary tables with the ids an export must leave out (see privacy.py)."""
    statements = [
        "DROP TABLE IF EXISTS temp.hidden",
        "CREATE TEMP TABLE hidden (tbl TEXT NOT NULL, id INTEGER NOT NULL, "
        "PRIMARY KEY (tbl, id)) WITHOUT ROWID",
        "INSERT INTO hidden SELECT 'people', id FROM people WHERE private = 1",
        "INSERT INTO hidden SELECT 'sources', id FROM sources WHERE private = 1",
        """INSERT INTO hidden SELECT 'aliases', id FROM aliases WHERE private = 1
               OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')""",
        # parties hidden by their own flag or their person...
        """INSERT INTO hidden SELECT 'trial_parties', id FROM trial_parties WHERE private = 1
               OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')""",
        # ...a trial hidden by its flag or when it has parties and none is shown...
        """INSERT INTO hidden SELECT 'trials', id FROM trials WHERE private = 1
               OR (EXISTS (SELECT 1 FROM trial_parties p WHERE p.trial_id = trials.id)
                   AND NOT EXISTS (SELECT 1 FROM trial_parties p WHERE p.trial_id = trials.id
                       AND p.id NOT IN (SELECT id FROM hidden WHERE tbl = 'trial_parties')))""",
        # ...and then the parties of hidden trials
        """INSERT OR IGNORE INTO hidden SELECT 'trial_parties', id FROM trial_parties
               WHERE trial_id IN (SELECT id FROM hidden WHERE tbl = 'trials')""",
        """INSERT INTO hidden SELECT 'rulings', id FROM rulings WHERE private = 1
               OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')
               OR trial_id IN (SELECT id FROM hidden WHERE tbl = 'trials')""",
        """INSERT INTO hidden SELECT 'relations', id FROM relations WHERE private = 1
               OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')
               OR other_id IN (SELECT id FROM hidden WHERE tbl = 'people')""",
    ]
    for table in ("asylum", "detentions", "events"):
        statements.append(
            f"""INSERT INTO hidden SELECT '{table}', id FROM {table} WHERE private = 1
                   OR person_id IN (SELECT id FROM hidden WHERE tbl = 'people')"""
        )
    statements.append("DROP TABLE IF EXISTS temp.hidden_uids")
    statements.append("CREATE TEMP TABLE hidden_uids (uid TEXT PRIMARY KEY) WITHOUT ROWID")
    for table in CITABLE:
        statements.append(
            f"INSERT OR IGNORE INTO hidden_uids SELECT uid FROM {table} "
            f"WHERE id IN (SELECT id FROM hidden WHERE tbl = '{table}')"
        )
    statements.append(
        """INSERT INTO hidden SELECT 'citations', id FROM citations
               WHERE record_uid IN (SELECT uid FROM hidden_uids)
               OR source_id IN (SELECT id FROM hidden WHERE tbl = 'sources')"""
    )
    # the name keys of hidden people and hidden aliases: a text naming one is blanked
    statements += [
        "DROP TABLE IF EXISTS temp.hidden_keys",
        "CREATE TEMP TABLE hidden_keys (key TEXT PRIMARY KEY) WITHOUT ROWID",
        """INSERT OR IGNORE INTO hidden_keys SELECT name_key FROM people
               WHERE id IN (SELECT id FROM hidden WHERE tbl = 'people')""",
        """INSERT OR IGNORE INTO hidden_keys SELECT name_key FROM aliases
               WHERE id IN (SELECT id FROM hidden WHERE tbl = 'aliases')""",
    ]
    for statement in statements:
        store.conn.execute(statement)


def stream_rows(
    store: Store,
    table: str,
    columns: Sequence[str],
    links: dict[str, str],
    *,
    hide: bool = False,
    blanked_links: dict[str, str] | None = None,
    naming_texts: dict[str, str] | None = None,
    defuse: frozenset[str] = frozenset(),
) -> sqlite3.Cursor:
    """Rows of TABLE in id order, link columns replaced by the uid they point at.

    With HIDE, rows marked by :meth:`mark_hidden_records` are left out; each
    of BLANKED_LINKS (column -> table) is emptied where it points at a hidden
    row, and each of NAMING_TEXTS (text column -> its person link) where the
    link points at a hidden person or the text is a hidden name.
    Columns in DEFUSE are defused for spreadsheets in SQL.
    """
    blanked_links = blanked_links or {}
    naming_texts = naming_texts or {}
    selected = []
    joins = []
    for index, column in enumerate(columns):
        if column in links:
            alias = f"link{index}"
            joins.append(f'LEFT JOIN "{links[column]}" {alias} ON {alias}.id = t."{column}"')
            value = f"{alias}.uid"
        else:
            value = f't."{column}"'
        if hide and column in blanked_links:
            value = (
                f'CASE WHEN t."{column}" IN (SELECT id FROM hidden WHERE '
                f"tbl = '{blanked_links[column]}') THEN NULL ELSE {value} END"
            )
        if hide and column in naming_texts:
            link = naming_texts[column]
            value = (
                f"CASE WHEN t.\"{link}\" IN (SELECT id FROM hidden WHERE tbl = 'people') "
                f'OR cases_name_key(t."{column}") IN (SELECT key FROM hidden_keys) '
                f"THEN NULL ELSE {value} END"
            )
        if hide and column in naming_texts.values():
            text = next(t for t, link in naming_texts.items() if link == column)
            value = (
                f'CASE WHEN cases_name_key(t."{text}") IN (SELECT key FROM hidden_keys) '
                f"THEN NULL ELSE {value} END"
            )
        if column in defuse:
            value = defused_sql(value)
        selected.append(value)
    where = f"WHERE t.id NOT IN (SELECT id FROM hidden WHERE tbl = '{table}')" if hide else ""
    sql = f'SELECT {", ".join(selected)} FROM "{table}" t {" ".join(joins)} {where} ORDER BY t.id'
    # the cursor itself, not a generator over it: nothing is left to finalise
    # if the export stops half-way (Ctrl-C closes the connection first)
    return store.conn.execute(sql)
