"""The privacy filter's SQL (privacy.py states the rules) and streaming reads for export."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from cases.catalogue import CITABLE, ActorText
from cases.db.connection import Row, Store, chunks, marks

# First characters a spreadsheet would run as a formula, and the quote itself.
# (tab, carriage return and line feed written as themselves inside quotes:
# the one spelling SQLite and PostgreSQL share)
_FORMULA_FIRST = "('=', '+', '-', '@', '\t', '\r', '\n', '''')"


def defused_sql(value: str) -> str:
    """SQL that prefixes a text value with ' as csv_io.defuse does, in the database."""
    return (
        f"CASE WHEN typeof({value}) = 'text' AND substr({value}, 1, 1) IN {_FORMULA_FIRST} "
        f"THEN '''' || {value} ELSE {value} END"
    )


class Belonging(NamedTuple):
    """What a row of a table belongs to: it is left out with it."""

    table: str
    links: dict[str, str]  # owner link column -> the table it points at
    texts: tuple[ActorText, ...]  # texts naming the actor it belongs to (an attribution)
    records: tuple[str, ...]  # columns naming by uid the record it belongs to


def mark_hidden_records(store: Store, tables: Sequence[Belonging]) -> None:
    """Fill temporary tables with what an export must leave out (privacy.py states
    the rules): ``hidden`` (table, id), ``hidden_uids`` and ``hidden_keys`` (the
    name keys of hidden actors and aliases), and make the SQL function
    ``cases_unhidden_names(text)``: a text of names, one a line, without those
    of hidden actors.

    TABLES lists each table, in an order where a table comes after those its rows
    belong to, with what its rows belong to: a row is hidden when it is
    private, when what it belongs to is hidden (by link, or by uid: the record
    a citation cites, the fact a participant takes part in), or when a text
    naming the actor it belongs to names a hidden actor. A trial is also
    hidden when it has person or organisation parties and all are hidden,
    which hides its parties and what else belongs to it; a party that is only
    a name (a judge named as text) is hidden when that name would be blanked.
    """
    if store.engine == "postgresql":
        from cases.db.pg.public import mark_hidden_records as on_server

        on_server(store)
        return
    conn = store.conn
    conn.execute("DROP TABLE IF EXISTS temp.hidden")
    conn.execute(
        "CREATE TEMP TABLE hidden (tbl TEXT NOT NULL, id INTEGER NOT NULL, "
        "PRIMARY KEY (tbl, id)) WITHOUT ROWID"
    )
    actor_tables = {"people", "organisations", "aliases"}
    keys_known = False

    def hide(belonging: Belonging) -> None:
        reasons = ["private = 1"]
        reasons += [
            f"\"{column}\" IN (SELECT id FROM hidden WHERE tbl = '{target}')"
            for column, target in belonging.links.items()
        ]
        reasons += [
            f'cases_name_key("{text.column}") IN (SELECT key FROM hidden_keys)'
            for text in belonging.texts
        ]
        if belonging.records:
            _collect_hidden_uids(conn)
            reasons += [
                f'"{column}" IN (SELECT uid FROM hidden_uids)' for column in belonging.records
            ]
        conn.execute(
            f"INSERT OR IGNORE INTO hidden SELECT '{belonging.table}', id "
            f'FROM "{belonging.table}" WHERE {" OR ".join(reasons)}'
        )

    for belonging in tables:
        table = belonging.table
        if belonging.texts and not keys_known:
            raise RuntimeError(f"{table} names actors: it must come after every actor table")
        hide(belonging)
        actor_tables.discard(table)
        if not actor_tables and not keys_known:
            # every hidden actor and alias is known by now
            _collect_hidden_keys(conn)
            keys_known = True
        if table == "trial_parties":
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
            hide(belonging)  # the parties of the trials just hidden
    if not keys_known:
        _collect_hidden_keys(conn)
    _make_unhidden_names(conn)


def _make_unhidden_names(conn: sqlite3.Connection) -> None:
    """``cases_unhidden_names(text)``: TEXT, names one a line, without the names
    whose key is one of ``hidden_keys`` (None when none is left)."""
    from cases.names import name_key

    hidden_keys = {str(key) for (key,) in conn.execute("SELECT key FROM hidden_keys")}

    def unhidden(text: str | None) -> str | None:
        if text is None or not hidden_keys:
            return text
        kept = [line for line in text.split("\n") if name_key(line) not in hidden_keys]
        return "\n".join(kept) or None

    conn.create_function("cases_unhidden_names", 1, unhidden, deterministic=True)


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
    actor_texts: Sequence[ActorText] = (),
    defuse: frozenset[str] = frozenset(),
) -> sqlite3.Cursor:
    """Rows of TABLE in id order, link columns replaced by the uid they point at.

    With HIDE, rows marked by :meth:`mark_hidden_records` are left out; each
    of BLANKED_LINKS (column -> table) is emptied where it points at a hidden
    row, and each of ACTOR_TEXTS, with its links, where a link points at a
    hidden actor or the text is the name of one (a text of names, one a line,
    loses those lines).
    Columns in DEFUSE are defused for spreadsheets in SQL.
    """
    blanked_links = blanked_links or {}
    withheld: dict[str, str] = {}  # column -> SQL true when it is withheld
    for text in actor_texts:
        linked = [
            f"t.\"{link}\" IN (SELECT id FROM hidden WHERE tbl = '{target}')"
            for link, target in text.links
        ]
        named = f"{store.name_key_sql(text.column, 't')} IN (SELECT key FROM hidden_keys)"
        condition = " OR ".join([*linked, named])
        for link, _ in text.links:
            withheld[link] = condition
        withheld[text.column] = " OR ".join(linked) if text.lines else condition
    lines = {text.column for text in actor_texts if text.lines}
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
        if hide and column in lines:
            value = store.unhidden_names_sql(value, column, "t")
        if hide and withheld.get(column):
            value = f"CASE WHEN {withheld[column]} THEN NULL ELSE {value} END"
        if column in defuse:
            value = defused_sql(value)
        selected.append(value)
    where = f"WHERE t.id NOT IN (SELECT id FROM hidden WHERE tbl = '{table}')" if hide else ""
    sql = f'SELECT {", ".join(selected)} FROM "{table}" t {" ".join(joins)} {where} ORDER BY t.id'
    # the cursor itself, not a generator over it: nothing is left to finalise
    # if the export stops half-way (Ctrl-C closes the connection first)
    return store.stream(sql)


def hidden_ids(store: Store, table: str) -> set[int]:
    """The ids of TABLE that :func:`mark_hidden_records` marked."""
    return {int(i) for (i,) in store.conn.execute("SELECT id FROM hidden WHERE tbl = ?", [table])}


def hidden_name_keys(store: Store) -> set[str]:
    """The name keys of the actors and aliases an export leaves out (``hidden_keys``)."""
    rows = store.conn.execute(
        """SELECT name_key FROM people WHERE private = 1 AND name_key IS NOT NULL
           UNION SELECT name_key FROM organisations WHERE private = 1
           UNION SELECT name_key FROM aliases WHERE private = 1
           UNION SELECT a.name_key FROM people p JOIN aliases a ON a.person_id = p.id
                 WHERE p.private = 1
           UNION SELECT a.name_key FROM organisations o JOIN aliases a ON a.org_id = o.id
                 WHERE o.private = 1"""
    )
    return {str(key) for (key,) in rows if key is not None}


class HiddenRows:
    """The rules of :func:`mark_hidden_records` for a few records at a time: which
    of them an export leaves out (what a search hit or a worklist line marks
    private), without marking the whole database.

    TABLES maps each table to its owner links and the texts naming the actor it
    belongs to, as for :func:`mark_hidden_records`.
    """

    def __init__(self, store: Store, tables: Sequence[Belonging]) -> None:
        self.store = store
        self.tables = {belonging.table: belonging for belonging in tables}
        self._keys: set[str] | None = None
        # (table, id, the owner table not followed) -> left out
        self.known: dict[tuple[str, int, str], bool] = {}

    def among(self, table: str, ids: Sequence[int], *, unless_by: str = "") -> set[int]:
        """The ids of IDS (records of TABLE) an export leaves out; with UNLESS_BY,
        not counting what belongs to a left-out record of that table."""
        from cases.names import name_key

        asked = {int(i) for i in ids}
        wanted = sorted(i for i in asked if (table, i, unless_by) not in self.known)
        rows: list[Row] = []
        for chunk in chunks(wanted):
            rows.extend(
                self.store.all(f'SELECT * FROM "{table}" WHERE id IN ({marks(chunk)})', chunk)
            )
        owners, texts, records = (
            self.tables[table].links,
            self.tables[table].texts,
            self.tables[table].records,
        )
        hidden = {int(row["id"]) for row in rows if row.get("private")}
        for column, target in owners.items():
            if target == unless_by:
                continue
            gone = self.among(target, [row[column] for row in rows if row.get(column)])
            hidden |= {int(row["id"]) for row in rows if row.get(column) in gone}
        for text in texts:
            hidden |= {
                int(row["id"])
                for row in rows
                if row.get(text.column) and name_key(str(row[text.column])) in self.keys
            }
        if table == "trial_parties":
            named = [
                row for row in rows if row.get("person_id") is None and row.get("org_id") is None
            ]
            gone = self.among(
                "people", [row["name_person_id"] for row in named if row.get("name_person_id")]
            )
            hidden |= {
                int(row["id"])
                for row in named
                if row.get("name_person_id") in gone
                or name_key(str(row.get("name") or "")) in self.keys
            }
        if table == "trials":
            hidden |= self._all_parties_left_out(wanted)
        for column in records:
            hidden |= self._of_records_left_out(rows, column)
        for row_id in wanted:
            self.known[(table, row_id, unless_by)] = row_id in hidden
        return {i for i in asked if self.known.get((table, i, unless_by))}

    def _of_records_left_out(self, rows: Sequence[Row], column: str) -> set[int]:
        """The rows among ROWS whose record, named by uid in COLUMN, is left out."""
        uids = sorted({str(row[column]) for row in rows})
        gone: set[str] = set()
        for table in CITABLE:
            for chunk in chunks(uids):
                found = dict(
                    self.store.conn.execute(
                        f'SELECT id, uid FROM "{table}" WHERE uid IN ({marks(chunk)})', chunk
                    ).fetchall()
                )
                gone |= {found[i] for i in self.among(table, list(found))}
        return {int(row["id"]) for row in rows if row[column] in gone}

    @property
    def keys(self) -> set[str]:
        """The name keys of the actors and aliases left out, read when first needed."""
        if self._keys is None:
            self._keys = hidden_name_keys(self.store)
        return self._keys

    def forget(self) -> None:
        """Forget what was learnt of each record (the name keys stay)."""
        self.known.clear()

    def _all_parties_left_out(self, trial_ids: Sequence[int]) -> set[int]:
        """Trials with person or organisation parties, every one of them left out
        (by its own mark or its actor's)."""
        parties: dict[int, list[int]] = {}
        for chunk in chunks(list(trial_ids)):
            for party_id, trial_id in self.store.conn.execute(
                f"""SELECT id, trial_id FROM trial_parties WHERE trial_id IN ({marks(chunk)})
                    AND (person_id IS NOT NULL OR org_id IS NOT NULL)""",
                chunk,
            ):
                parties.setdefault(int(trial_id), []).append(int(party_id))
        every = [party for found in parties.values() for party in found]
        gone = self.among("trial_parties", every, unless_by="trials")
        return {trial for trial, found in parties.items() if set(found) <= gone}
