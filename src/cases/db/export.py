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


def mark_hidden_records(store: Store, owners: list[tuple[str, dict[str, str]]]) -> None:
    """Fill temporary tables with what an export must leave out (privacy.py states
    the rules): ``hidden`` (table, id), ``hidden_uids`` and ``hidden_keys`` (the
    name keys of hidden actors and aliases).

    OWNERS lists each table, in an order where a table comes after those its rows
    belong to, with its owner links (column -> table): a row is hidden when it
    is private or an owner is hidden. A trial is also hidden when it has person
    or organisation parties and all are hidden, which hides its parties and
    what else belongs to it; a party that is only a name (a judge named as
    text) is hidden when that name would be blanked.
    """
    conn = store.conn
    conn.execute("DROP TABLE IF EXISTS temp.hidden")
    conn.execute(
        "CREATE TEMP TABLE hidden (tbl TEXT NOT NULL, id INTEGER NOT NULL, "
        "PRIMARY KEY (tbl, id)) WITHOUT ROWID"
    )

    def hide(table: str, links: dict[str, str], private: bool) -> None:
        reasons = ["private = 1"] if private else []
        reasons += [
            f"\"{column}\" IN (SELECT id FROM hidden WHERE tbl = '{target}')"
            for column, target in links.items()
            if not (table == "citations" and column == "record_uid")
        ]
        if table == "citations":
            reasons.append("record_uid IN (SELECT uid FROM hidden_uids)")
            _collect_hidden_uids(conn)
        if reasons:
            conn.execute(
                f"INSERT OR IGNORE INTO hidden SELECT '{table}', id FROM \"{table}\" "
                f"WHERE {' OR '.join(reasons)}"
            )

    for table, links in owners:
        hide(table, links, private=table != "citations")
        if table == "trial_parties":
            _collect_hidden_keys(conn)  # every hidden actor and alias is known by now
            # a judge, lawyer or prosecutor named as text is nothing but that text:
            # when the text would be blanked, the row goes
            conn.execute(
                """INSERT OR IGNORE INTO hidden SELECT 'trial_parties', id FROM trial_parties
                   WHERE person_id IS NULL AND org_id IS NULL AND (
                       name_person_id IN (SELECT id FROM hidden WHERE tbl = 'people')
                       OR cases_name_key(name) IN (SELECT key FROM hidden_keys))"""
            )
            # a trial goes when every person or organisation party to it is hidden
            conn.execute(
                """INSERT OR IGNORE INTO hidden SELECT 'trials', id FROM trials
                   WHERE EXISTS (SELECT 1 FROM trial_parties p WHERE p.trial_id = trials.id
                       AND (p.person_id IS NOT NULL OR p.org_id IS NOT NULL))
                   AND NOT EXISTS (SELECT 1 FROM trial_parties p WHERE p.trial_id = trials.id
                       AND (p.person_id IS NOT NULL OR p.org_id IS NOT NULL)
                       AND p.id NOT IN (SELECT id FROM hidden WHERE tbl = 'trial_parties'))"""
            )
            hide(table, links, private=False)  # the parties of the trials just hidden
    _collect_hidden_keys(conn)


def _collect_hidden_keys(conn: sqlite3.Connection) -> None:
    """``hidden_keys``: the name keys of hidden people, organisations and aliases."""
    conn.execute("DROP TABLE IF EXISTS temp.hidden_keys")
    conn.execute("CREATE TEMP TABLE hidden_keys (key TEXT PRIMARY KEY) WITHOUT ROWID")
    for table in ("people", "organisations", "aliases"):
        conn.execute(
            f"INSERT OR IGNORE INTO hidden_keys SELECT name_key FROM {table} "
            f"WHERE name_key IS NOT NULL AND id IN (SELECT id FROM hidden WHERE tbl = '{table}')"
        )


def _collect_hidden_uids(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.hidden_uids")
    conn.execute("CREATE TEMP TABLE hidden_uids (uid TEXT PRIMARY KEY) WITHOUT ROWID")
    for table in CITABLE:
        conn.execute(
            f'INSERT OR IGNORE INTO hidden_uids SELECT uid FROM "{table}" '
            f"WHERE id IN (SELECT id FROM hidden WHERE tbl = '{table}')"
        )


def stream_rows(
    store: Store,
    table: str,
    columns: Sequence[str],
    links: dict[str, str],
    *,
    hide: bool = False,
    blanked_links: dict[str, str] | None = None,
    naming_texts: dict[str, tuple[str, str]] | None = None,
    defuse: frozenset[str] = frozenset(),
) -> sqlite3.Cursor:
    """Rows of TABLE in id order, link columns replaced by the uid they point at.

    With HIDE, rows marked by :meth:`mark_hidden_records` are left out; each
    of BLANKED_LINKS (column -> table) is emptied where it points at a hidden
    row, and each of NAMING_TEXTS (text column -> (its link, the table linked)),
    with its link, where the link points at a hidden actor or the text is the
    name of one.
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
            link, target = naming_texts[column]
            value = (
                f"CASE WHEN t.\"{link}\" IN (SELECT id FROM hidden WHERE tbl = '{target}') "
                f'OR cases_name_key(t."{column}") IN (SELECT key FROM hidden_keys) '
                f"THEN NULL ELSE {value} END"
            )
        linked_text = next((t for t, (link, _) in naming_texts.items() if link == column), None)
        if hide and linked_text is not None:
            target = naming_texts[linked_text][1]
            value = (
                f"CASE WHEN t.\"{column}\" IN (SELECT id FROM hidden WHERE tbl = '{target}') "
                f'OR cases_name_key(t."{linked_text}") IN (SELECT key FROM hidden_keys) '
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
