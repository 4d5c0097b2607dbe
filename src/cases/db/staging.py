"""Import, the simple way: one CSV file staged raw, checked and linked in SQL.
This module stages a file; staged_checks checks it; loading writes it.

A file is read with ``csv.reader`` and its raw rows go into a TEMP staging
table with one ``executemany``. Each column that is not free text is checked
once per DISTINCT value through the catalogue's :meth:`Field.parse` (a million
rows hold a few thousand distinct dates), into a small map table joined back;
names, nearly all distinct, are parsed as they are staged.
Links to other tables are resolved with a JOIN against their uid index. The
first bad row (the lowest staging rowid of any problem) is refused naming the
file and line. New rows are inserted with one ``INSERT ... SELECT`` in file
order; existing rows (by uid) are updated with one ``UPDATE ... FROM``, only
where something differs, and never from private to public.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cases.catalogue import (
    LINK,
    UID,
    Field,
    Table,
)
from cases.csv_io import line_of, open_table
from cases.db.connection import Store
from cases.errors import CasesError, ImportRefused

# Columns an import reads past: earliest/latest derive from the date text, and
# id and ref are there for people to read.
SKIPPED = ("id", "ref")

# How a staged cell that an export defused (a leading quote) reads back. Python
# drops the quote: SQLite's substr() stops at a NUL character, which text may hold.
# A text starts with a quote exactly when it sorts from "'" to just before "(",
# which two comparisons tell without cutting a substring out of every cell.
RESTORED = "CASE WHEN {0} >= '''' AND {0} < '(' THEN cases_undefuse({0}) ELSE {0} END"
# Uids, one per line (catalogue.UID), checked UID_CHUNK staged cells at a time.
_UIDS = re.compile(rf"(?:{UID.pattern}\n)*")
UID_CHUNK = 20_000


@dataclass(frozen=True)
class StagedColumn:
    """A staged CSV column: its place in the staging table and what it holds."""

    name: str
    staged: str  # the staging table's column
    # uid, link, record, text, mapped (parsed once per distinct value), parsed
    # (as it is staged, row by row: names, nearly all distinct) or unread
    role: str
    field: Field | None = None
    link_column: str | None = None  # for a link: the stored column it fills
    target: str | None = None  # for a link: the table it points at


def outputs_of(column: StagedColumn) -> list[str]:
    """The stored columns a mapped CSV column fills: the field's columns (a date's
    three), or just its own when the field comes in several cells (a fine)."""
    assert column.field is not None
    field = column.field
    if len(field.input_columns) > 1:
        return [column.name]
    return [c for c in field.columns if c != field.link_column]


def _role(field: Field) -> str:
    return field.type.staged


def _expected(table: Table) -> tuple[list[str], list[str]]:
    """The columns a CSV of TABLE may have (those it had in earlier versions
    too), and those it must have."""
    expected = [*table.csv_columns, *SKIPPED]
    expected += [former for field in table.all_fields for former in field.formerly]
    required = ["uid"]
    for field in table.all_fields:
        if field.required and not field.formerly:
            column = field.link_column if field.type == LINK else field.name
            required.append(table.csv_column(column or field.name))
    return expected, required


class StagedFile:
    """One CSV file staged for TABLE: its columns, what each holds, its raw rows in
    temp.stage (checked by :class:`cases.db.staged_checks.CheckedFile`, written by
    :class:`cases.db.loading.FileLoad`)."""

    def __init__(self, store: Store, table: Table, path: Path) -> None:
        self.store = store
        self.table = table
        self.path = path
        with open_table(path, *_expected(table)) as (header, _):
            self.header = header
        self.columns: list[StagedColumn] = []
        links = {table.csv_column(column): column for column in table.links}
        formerly = {former: f for f in table.all_fields for former in f.formerly}
        # a field given in the columns of an earlier version: one cell of them each row
        self.former: dict[str, list[int]] = {}
        last = len(self.header) - 1
        for position, name in enumerate(self.header):
            staged = f"c{position}"
            if name in formerly and formerly[name].name not in self.header:
                field = formerly[name]
                positions = self.former.setdefault(field.name, [])
                positions.append(position)
                if len(positions) == 1:
                    self.columns.append(StagedColumn(field.name, staged, _role(field), field))
                else:
                    self.columns.append(StagedColumn(name, staged, "unread"))
                continue
            if name in SKIPPED or name in table.derived_columns:
                if position == last:
                    # staged unread, so that a row with too few cells is still refused
                    self.columns.append(StagedColumn(name, staged, "unread"))
                continue
            if name == "uid":
                self.columns.append(StagedColumn(name, staged, "uid"))
            elif name in links:
                column = links[name]
                field = next(f for f in table.all_fields if f.link_column == column)
                self.columns.append(
                    StagedColumn(name, staged, "link", field, column, table.links[column])
                )
            else:
                field = table.by_input_column[name]
                self.columns.append(StagedColumn(name, staged, _role(field), field))
        self.problems: list[tuple[int, str]] = []  # (staging rowid, message)
        self.rows = 0
        # whether check() looks for a uid given twice (see refuse_repeats)
        self.checks_repeats = True
        # the link and mapped columns some staged row fills (see _has_cells)
        self._filled: set[str] | None = None
        # stored columns whose empty cell leaves the value as it is (see keep_when_withheld)
        self._kept_when_empty: set[str] = set()
        self._kept_lines: set[str] = set()

    def keep_when_withheld(self, columns: set[str], lines: set[str]) -> None:
        """Read the file as a public export: an empty cell of COLUMNS (which the
        privacy filter may have emptied) leaves an existing record's value as
        it is, and a text of names in LINES that lost some lines keeps them."""
        self._kept_when_empty = set(columns)
        self._kept_lines = set(lines)

    # -- staging -------------------------------------------------------------------

    def stage(self) -> int:
        """Load the raw rows into temp.stage with one executemany; return how many.

        A parsed column's stored values are staged beside its cells
        (``cN_o0``...), and a value its field refuses is noted as a problem of
        its row.
        """
        conn = self.store.conn
        width = len(self.header)
        parsed = [(c, outputs_of(c)) for c in self.columns if c.role == "parsed"]
        extra = [f"{c.staged}_o{i}" for c, outputs in parsed for i in range(len(outputs))]
        conn.execute("DROP TABLE IF EXISTS temp.stage")
        conn.execute(
            f"CREATE TEMP TABLE stage ({', '.join([*(c.staged for c in self.columns), *extra])})"
        )
        # The staging tables live in SQLite's temporary file, which is never part
        # of the database and is deleted with the connection: dropping them need
        # not overwrite their pages with zeros (a fifth of a second at 100k).
        conn.execute("PRAGMA temp.secure_delete=OFF")
        # numbered parameters pick the staged cells out of each whole row
        picks = [f"?{int(c.staged[1:]) + 1}" for c in self.columns]
        picks += [f"?{width + number + 1}" for number in range(len(extra))]
        with open_table(self.path, (), ()) as (_, reader):
            rows = self._with_parsed(reader, parsed, width) if parsed else reader
            try:
                conn.executemany(f"INSERT INTO temp.stage VALUES ({', '.join(picks)})", rows)
            except sqlite3.ProgrammingError:
                # a row with more or fewer cells than the header
                self._refuse_ragged(width)
        for positions in self.former.values():
            # the one cell of the earlier columns that is filled, in the first one
            cells = ", ".join(f"nullif(c{position}, '')" for position in positions)
            conn.execute(f"UPDATE temp.stage SET c{positions[0]} = coalesce({cells}, '')")
        self.rows = int(self.store.scalar("SELECT count(*) FROM temp.stage"))
        return self.rows

    def _with_parsed(
        self, reader: Iterator[list[str]], parsed: list[tuple[StagedColumn, list[str]]], width: int
    ) -> Iterator[list[Any]]:
        """Each row with the stored values of its parsed columns after it."""
        # (cell position, outputs, the field's rule for a non-empty value, the field):
        # the type's own parse, called straight, for the hundreds of thousands of
        # names a large import holds; an empty cell goes through Field.parse
        rules = []
        for column, outputs in parsed:
            field = column.field
            assert field is not None
            whole = len(field.input_columns) == 1
            rules.append(
                (int(column.staged[1:]), outputs, field.type.parse if whole else None, column)
            )
        for number, row in enumerate(reader, 1):  # the staging rowid
            if len(row) != width:
                yield row  # refused by its length (see _refuse_ragged)
                continue
            values: list[Any] = []
            for position, outputs, parse, column in rules:
                field = column.field
                assert field is not None
                text = row[position]
                restored = text[1:] if text[:1] == "'" else text  # as an export defused it
                try:
                    if parse is not None and restored.strip():
                        stored = parse(field, restored, True)
                    else:
                        stored = field.parse_input(column.name, restored)
                except CasesError as error:
                    self.problems.append((number, str(error)))
                    stored = {}
                values.extend(stored.get(output) for output in outputs)
            yield row + values

    def _refuse_ragged(self, width: int) -> None:
        with open_table(self.path, (), ()) as (_, reader):
            for cells in reader:
                if len(cells) != width:
                    raise ImportRefused(
                        f"{self.path.name}, line {reader.line_num}: {len(cells)} cells where "
                        f"the header has {width}"
                    )
        raise ImportRefused(f"{self.path.name}: a row does not match the header")

    def _all_uids(self, column: StagedColumn) -> bool:
        """True when every cell of COLUMN is a uid (catalogue.UID).

        The cells are read a chunk at a time as one newline-joined string and
        matched by one regular expression, in C: a call per cell costs twice
        as much. A cell holding a newline adds one, so the count catches it.
        """
        conn = self.store.conn
        # the staged rows are numbered 1, 2, ... in file order
        for first in range(1, self.rows + 1, UID_CHUNK):
            count, joined = conn.execute(
                f"""SELECT count(*), group_concat({column.staged} || char(10), '')
                    FROM temp.stage WHERE rowid BETWEEN ? AND ?""",
                [first, first + UID_CHUNK - 1],
            ).fetchone()
            if not isinstance(joined, str) or joined.count("\n") != count:
                return False
            if _UIDS.fullmatch(joined) is None:
                return False
        return True

    # -- what every step reads --------------------------------------------------

    def refuse_problems(self) -> None:
        """Refuse the import at the first problem found (the lowest row), if any."""
        if self.problems:
            rowid, message = min(self.problems)
            line = line_of(self.path, rowid)
            raise ImportRefused(f"{self.path.name}, line {line}: {message}")

    def _first(self, where: str, params: list[Any] | None = None) -> tuple[int, Any] | None:
        row = self.store.conn.execute(
            f"SELECT rowid, * FROM temp.stage WHERE {where} ORDER BY rowid LIMIT 1", params or []
        ).fetchone()
        return None if row is None else (int(row[0]), row)

    def _problem(self, found: tuple[int, Any] | None, message: str) -> None:
        if found is not None:
            self.problems.append((found[0], message))

    def _value(self, found: tuple[int, Any], column: StagedColumn) -> str:
        return str(found[1][1 + self.columns.index(column)])

    def _row(self, rowid: int) -> Any:
        return self.store.conn.execute(
            "SELECT rowid, * FROM temp.stage WHERE rowid = ?", [rowid]
        ).fetchone()

    def _column_named(self, name: str) -> StagedColumn | None:
        return next((c for c in self.columns if c.name == name), None)

    def _uid_column(self) -> str:
        column = self._column_named("uid")
        assert column is not None
        return column.staged

    def _has_cells(self, column: StagedColumn) -> bool:
        """Whether any staged row fills COLUMN, a link or a mapped column (most
        rows leave a sparse link or a ruling's fine empty); every such column of
        the file is looked at in one scan."""
        if self._filled is None:
            cells = [c.staged for c in self.columns if c.role in ("link", "mapped")]
            some_filled = ", ".join(f"max({cell} != '')" for cell in cells)
            filled = self.store.conn.execute(f"SELECT {some_filled} FROM temp.stage").fetchone()
            self._filled = {cell for cell, some in zip(cells, filled, strict=True) if some}
        return column.staged in self._filled
