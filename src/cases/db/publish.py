"""The published database: a new SQLite file for reading (with Datasette), written
from the rows the privacy filter lets out, and nothing else.

Every table keeps its records under a new ``id`` (1, 2, 3... in recording
order, so that the numbering shows no gap where a record was left out) and its
``uid``; a link, which the filter gives as a uid, becomes that ``id`` with a
foreign key, so that Datasette shows it as a link. Rows are inserted as they
are read, in chunks: memory stays flat whatever the size of the database.

Full-text tables follow sqlite-utils' convention (``TABLE_fts``, external
content ``content=[TABLE]``), which Datasette detects; the ``timeline`` view
lists every fact with its date and the actors it involves, in date order.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Rows inserted per executemany: enough to keep the loop in C, nothing in memory.
CHUNK = 2000
TOKENIZE = "unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class Column:
    """A column of a published table.

    ``links`` names the table whose record the column points at: its value comes
    as that record's uid and is stored as its published id. RECORD_TABLES marks
    the column that comes as the uid of a record of one of several tables
    (what a citation cites, the fact a participant takes part in): it is
    stored as the table of that record, and its id in one link column per
    table (kind, table), ``STEM_KIND_id``.
    """

    name: str
    type: str = "TEXT"
    links: str | None = None
    stem: str = ""
    record_tables: tuple[tuple[str, str], ...] = ()
    # set once other tables are in (a person's aliases): no value in a row
    filled_later: bool = False


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Publication:
    """A published database being written at PATH (a new, empty file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None)
        # a file no one reads until it is complete and renamed into place: no
        # journal, and no syncing until it is complete (then one fsync)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-32000")
        self.conn.execute("BEGIN")
        # every published record by uid, whatever its table: what a citation cites
        self.conn.execute(
            "CREATE TEMP TABLE records (uid TEXT PRIMARY KEY, tbl TEXT NOT NULL, "
            "id INTEGER NOT NULL) WITHOUT ROWID"
        )

    def finish(self) -> None:
        """Commit, close and sync the file to disk."""
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA optimize")
        self.conn.close()
        descriptor = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def abandon(self) -> None:
        """Close without finishing (the caller removes the file)."""
        self.conn.close()

    # -- tables ------------------------------------------------------------------

    def add_table(
        self,
        table: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        """Create TABLE with an ``id`` and COLUMNS, and insert ROWS (values in the
        order of COLUMNS) as they come; returns the number of rows.

        A link points at a table added before, or at TABLE itself (resolved once
        all its rows are in).
        """
        definitions = ["id INTEGER PRIMARY KEY"]
        names: list[str] = []
        values: list[str] = []
        record_parameter = None
        number = 0
        for column in columns:
            name = _quoted(column.name)
            if column.filled_later:
                definitions.append(f"{name} {column.type}")
                continue
            number += 1
            if column.record_tables:
                record_parameter = number
                definitions.append(f"{name} TEXT")
                names.append(name)
                values.append("r.tbl")
                for kind, target in column.record_tables:
                    link = _quoted(f"{column.stem}_{kind}_id")
                    definitions.append(f"{link} INTEGER REFERENCES {_quoted(target)}(id)")
                    names.append(link)
                    values.append(f"CASE r.tbl WHEN '{target}' THEN r.id END")
            elif column.links is not None:
                definitions.append(f"{name} INTEGER REFERENCES {_quoted(column.links)}(id)")
                names.append(name)
                # a link within the table keeps its uid until every row is in
                own = column.links == table
                values.append(
                    f"?{number}"
                    if own
                    else f"(SELECT id FROM {_quoted(column.links)} WHERE uid = ?{number})"
                )
            else:
                definitions.append(f"{name} {column.type}")
                names.append(name)
                values.append(f"?{number}")
        self.conn.execute(f"CREATE TABLE {_quoted(table)} ({', '.join(definitions)})")
        if record_parameter is None:
            sql = f"INSERT INTO {_quoted(table)} ({', '.join(names)}) VALUES ({', '.join(values)})"
        else:
            sql = (
                f"INSERT INTO {_quoted(table)} ({', '.join(names)}) SELECT {', '.join(values)} "
                f"FROM (SELECT 1) LEFT JOIN temp.records r ON r.uid = ?{record_parameter}"
            )
        count = 0
        iterator = iter(rows)
        while chunk := list(itertools.islice(iterator, CHUNK)):
            self.conn.executemany(sql, chunk)
            count += len(chunk)
        # the uid finds each record: for links to it (SELECT id ... WHERE uid = ?)
        self.conn.execute(f"CREATE UNIQUE INDEX {_quoted(f'{table}_uid')} ON {_quoted(table)}(uid)")
        self.conn.execute(
            f"INSERT INTO temp.records SELECT uid, '{table}', id FROM {_quoted(table)}"
        )
        for column in columns:
            if column.links == table:
                name = _quoted(column.name)
                self.conn.execute(
                    f"UPDATE {_quoted(table)} SET {name} = (SELECT x.id FROM {_quoted(table)} x "
                    f"WHERE x.uid = {_quoted(table)}.{name}) WHERE {name} IS NOT NULL"
                )
        return count

    def collect_names(self, table: str, column: str, source: str, link: str) -> None:
        """Set COLUMN of TABLE to the names of the SOURCE rows whose LINK points at
        it, one a line, in recording order (a person's aliases). LINK must be
        indexed."""
        self.conn.execute(
            f"UPDATE {_quoted(table)} SET {_quoted(column)} = ("
            f"SELECT group_concat(name, char(10)) FROM (SELECT name FROM {_quoted(source)} s "
            f"WHERE s.{_quoted(link)} = {_quoted(table)}.id ORDER BY s.id)) "
            f"WHERE id IN (SELECT {_quoted(link)} FROM {_quoted(source)})"
        )

    def index(self, table: str, columns: Iterable[str]) -> None:
        """Index COLUMNS of TABLE: its links (a record's page counts what links to
        it) and the column its page is sorted by. Only the rows that have a
        value: most links of a row are empty (a citation sets one of a dozen)."""
        for column in columns:
            name = _quoted(column)
            self.conn.execute(
                f"CREATE INDEX {_quoted(f'{table}_{column}')} ON {_quoted(table)}({name}) "
                f"WHERE {name} IS NOT NULL"
            )

    def enable_search(self, table: str, columns: Sequence[str]) -> None:
        """``TABLE_fts`` over COLUMNS, as ``sqlite-utils enable-fts`` makes it
        (without triggers: the file is not written again), filled."""
        quoted = ", ".join(f"[{column}]" for column in columns)
        self.conn.execute(
            f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 (\n    {quoted},\n"
            f"    tokenize='{TOKENIZE}',\n    content=[{table}]\n)"
        )
        self.conn.execute(f"INSERT INTO [{table}_fts] ([{table}_fts]) VALUES ('rebuild')")

    def create_timeline(self, facts: Sequence[TimelineFact]) -> None:
        """The ``timeline`` view: one row per fact and actor it involves (the
        parties of a trial; the subject of a ruling, an asylum decision, a
        detention's start or end, or an event; everyone taking part in them),
        with the fact's date, words and place and the actor's name, in date
        order: by ``day``, its earliest day (an open start by its latest day;
        undated last), then its latest day.

        Its rows are written once, in that order, into the hidden table
        ``timeline_entries`` (read from each fact table through an index in
        that order, and merged), and the view reads them as they are: a page
        of the view, and its row count (Datasette counts every page it shows),
        are read in an instant however long the timeline, where a view joining
        and sorting the facts on every page would have to read all of them.
        The fact tables must have their ``label`` column.
        """
        parts: list[str] = []
        for fact in facts:
            table, field = fact.table, fact.date
            where = f' WHERE "{field}" IS NOT NULL' if fact.when_known else ""
            self.conn.execute(
                f"CREATE INDEX {table}_{field}_timeline ON {table}({_day(field)}, {field}_latest)"
                + where
            )
            involvements = ("parties" if fact.parties else "subject", "participants")
            parts.extend(_timeline_part(fact, involvement) for involvement in involvements)
        columns = ", ".join(TIMELINE_COLUMNS)
        self.conn.execute(f"CREATE TABLE timeline_entries ({columns})")
        union = "\nUNION ALL\n".join(parts)
        self.conn.execute(
            f"INSERT INTO timeline_entries SELECT {columns} FROM (\n{union}\n"
            "ORDER BY day, latest NULLS LAST, fact, fact_id, kind)"
        )
        for column in ("kind", "person_id", "org_id"):
            self.index("timeline_entries", [column])
        self.conn.execute(f"CREATE VIEW timeline AS SELECT {columns} FROM timeline_entries")


# The columns of the timeline, in order.
TIMELINE_COLUMNS = (
    "day",
    "date",
    "kind",
    "actor",
    "role",
    "what",
    "place",
    "fact",
    "fact_id",
    "person_id",
    "org_id",
    "earliest",
    "latest",
)


@dataclass(frozen=True)
class TimelineFact:
    """How the timeline reads one kind of fact, placed by one of its dates: SQL
    for its kind, place and subject (``x`` the fact), a JOIN its place needs,
    the column by which a participant names it, its table of parties (a
    trial's), and whether it is placed only where that date is known."""

    kind: str
    table: str
    date: str
    place: str
    join: str
    taking_part: str
    parties: str
    person: str
    org: str
    when_known: bool


def _timeline_part(fact: TimelineFact, involvement: str) -> str:
    """The timeline rows of one kind of fact and one way of being involved in it
    (the parties of a trial, the subject of another fact, or those taking
    part), in timeline order: the fact table is read through its timeline
    index (CROSS JOIN keeps it the outer loop)."""
    table, field = fact.table, fact.date
    named = "NULL"
    if involvement == "parties":
        source = f'"{table}" x CROSS JOIN "{fact.parties}" s ON s.trial_id = x.id'
        person, org, role = "coalesce(s.person_id, s.name_person_id)", "s.org_id", "s.role"
        named = "s.name"  # a judge, lawyer or prosecutor named only as text
    elif involvement == "participants":
        source = f'"{table}" x CROSS JOIN participants w ON w.{fact.taking_part} = x.id'
        person, org, role = "w.person_id", "w.org_id", "w.role"
    else:
        source = f'"{table}" x'
        person, org, role = fact.person, fact.org, "'subject'"
    where = f' WHERE x."{field}" IS NOT NULL' if fact.when_known else ""
    return (
        f'SELECT {_day(field, "x.")} AS day, x."{field}" AS date, {fact.kind} AS kind, '
        f"coalesce(p.label, o.name, {named}) AS actor, {role} AS role, x.label AS what, "
        f"{fact.place} AS place, '{table}' AS fact, x.id AS fact_id, {person} AS person_id, "
        f"{org} AS org_id, x.{field}_earliest AS earliest, x.{field}_latest AS latest "
        f"FROM {source} {fact.join} LEFT JOIN people p ON p.id = {person} "
        f"LEFT JOIN organisations o ON o.id = {org}{where}"
    )


def _day(field: str, alias: str = "") -> str:
    """SQL for the day a fact is placed by in the timeline (the same text in its
    index and in the query): its earliest day, else its latest, else
    'undated', which sorts after every day."""
    return f"coalesce({alias}{field}_earliest, {alias}{field}_latest, 'undated')"
