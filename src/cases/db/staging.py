"""Import, the simple way: one CSV file staged raw, checked and linked in SQL.

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
    CITABLE,
    FLAG,
    LINK,
    UID,
    Field,
    OneOf,
    Table,
    records_of,
)
from cases.csv_io import line_of, open_table
from cases.db import search
from cases.db.connection import Row, Store
from cases.db.rows import integrity_error
from cases.errors import CasesError, ImportRefused

# Columns an import reads past: earliest/latest derive from the date text, and
# id and ref are there for people to read.
SKIPPED_SUFFIXES = ("_earliest", "_latest")
SKIPPED = ("id", "ref")

# How a staged cell that an export defused (a leading quote) reads back. Python
# drops the quote: SQLite's substr() stops at a NUL character, which text may hold.
# A text starts with a quote exactly when it sorts from "'" to just before "(",
# which two comparisons tell without cutting a substring out of every cell.
_RESTORED = "CASE WHEN {0} >= '''' AND {0} < '(' THEN cases_undefuse({0}) ELSE {0} END"
# How many of a citations file's first rows choose the order its records are
# looked for in (the tables most of them cite first).
SAMPLE_ROWS = 1000
# A mapped column with at most this many distinct values is written with a CASE.
FEW_VALUES = 8
# Uids, one per line (catalogue.UID), checked UID_CHUNK staged cells at a time.
_UIDS = re.compile(rf"(?:{UID.pattern}\n)*")
UID_CHUNK = 20_000
# A uid as catalogue.UID describes it, in SQL.
_NOT_A_UID = (
    "NOT ({0} GLOB '[A-Za-z0-9]*' AND {0} NOT GLOB '*[^A-Za-z0-9._:-]*' "
    "AND length({0}) BETWEEN 1 AND 100)"
)


@dataclass(frozen=True)
class _Column:
    """A staged CSV column: its place in the staging table and what it holds."""

    name: str
    staged: str  # the staging table's column
    # uid, link, record, text, mapped (parsed once per distinct value), parsed
    # (as it is staged, row by row: names, nearly all distinct) or unread
    role: str
    field: Field | None = None
    link_column: str | None = None  # for a link: the stored column it fills
    target: str | None = None  # for a link: the table it points at


def _outputs(column: _Column) -> list[str]:
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


def _names_kept(current: str | None, given: str | None) -> str | None:
    """A text of names (one a line) from a public export, which drops the names of
    private actors: the current text when the given one is those names less some."""
    if current is None or given is None:
        return given if given is not None else current
    kept = current.split("\n")
    return current if set(given.split("\n")) <= set(kept) else given


class FileLoad:
    """One CSV file on its way into TABLE: staged, checked, then written."""

    def __init__(self, store: Store, table: Table, path: Path) -> None:
        self.store = store
        self.table = table
        self.path = path
        with open_table(path, *_expected(table)) as (header, _):
            self.header = header
        self.columns: list[_Column] = []
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
                    self.columns.append(_Column(field.name, staged, _role(field), field))
                else:
                    self.columns.append(_Column(name, staged, "unread"))
                continue
            if name in SKIPPED or name.endswith(SKIPPED_SUFFIXES):
                if position == last:
                    # staged unread, so that a row with too few cells is still refused
                    self.columns.append(_Column(name, staged, "unread"))
                continue
            if name == "uid":
                self.columns.append(_Column(name, staged, "uid"))
            elif name in links:
                column = links[name]
                field = next(f for f in table.all_fields if f.link_column == column)
                self.columns.append(
                    _Column(name, staged, "link", field, column, table.links[column])
                )
            else:
                field = table.by_input_column[name]
                self.columns.append(_Column(name, staged, _role(field), field))
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
        parsed = [(c, _outputs(c)) for c in self.columns if c.role == "parsed"]
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
        self, reader: Iterator[list[str]], parsed: list[tuple[_Column, list[str]]], width: int
    ) -> Iterator[list[Any]]:
        """Each row with the stored values of its parsed columns after it."""
        for number, row in enumerate(reader, 1):  # the staging rowid
            if len(row) != width:
                yield row  # refused by its length (see _refuse_ragged)
                continue
            values: list[Any] = []
            for column, outputs in parsed:
                assert column.field is not None
                text = row[int(column.staged[1:])]
                restored = text[1:] if text[:1] == "'" else text  # as an export defused it
                try:
                    stored = column.field.parse_input(column.name, restored)
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

    def _all_uids(self, column: _Column) -> bool:
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

    # -- checking ------------------------------------------------------------------

    def check(self) -> None:
        """Check every staged column; refuse the first bad row, naming file and line."""
        checks = {
            "uid": self._check_uids,
            "link": self._check_link_within,
            "record": self._check_record,
            "text": self._check_text,
            "mapped": self._map_distinct,
        }
        for column in self.columns:
            if column.role in checks:
                checks[column.role](column)
        self.refuse_problems()

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

    def _value(self, found: tuple[int, Any], column: _Column) -> str:
        return str(found[1][1 + self.columns.index(column)])

    def _check_uids(self, column: _Column) -> None:
        if not self._all_uids(column):
            found = self._first(_NOT_A_UID.format(column.staged))
            if found is not None:
                value = self._value(found, column)
                self._problem(
                    found, f"uid {value[:40]!r} is not a uid (letters, digits, - _ . : only)"
                )
        if self.checks_repeats:
            self.refuse_repeats()
        self._refuse_uids_of_other_kinds(column)

    def _refuse_uids_of_other_kinds(self, column: _Column) -> None:
        """Note the first row whose uid is already a record of another table: a
        uid names one record (a citation of it would cite both). Citations are
        never cited: their uids are not compared."""
        if self.table.name not in CITABLE:
            return
        cell = column.staged
        for other in CITABLE:
            if other == self.table.name or not self.store.scalar(
                f'SELECT EXISTS (SELECT 1 FROM "{other}")'
            ):
                continue
            found = self.store.conn.execute(
                f"""SELECT min(s.rowid) FROM temp.stage s JOIN "{other}" x ON x.uid = s.{cell}"""
            ).fetchone()
            if found is not None and found[0] is not None:
                value = self._value((int(found[0]), self._row(int(found[0]))), column)
                self.problems.append(
                    (int(found[0]), f"uid {value} is already the uid of a record of {other}")
                )

    def _row(self, rowid: int) -> Any:
        return self.store.conn.execute(
            "SELECT rowid, * FROM temp.stage WHERE rowid = ?", [rowid]
        ).fetchone()

    def refuse_repeats(self) -> None:
        """Note the first uid the file holds twice (at its second row), if any.

        A load into an empty table leaves this to the unique index it builds
        anyway, and calls it only if that fails, to name the line.
        """
        uid = self._uid_column()
        repeated = self.store.conn.execute(
            f"SELECT max(rowid), {uid} FROM temp.stage GROUP BY {uid} "
            "HAVING count(*) > 1 ORDER BY 1 LIMIT 1"
        ).fetchone()
        if repeated is not None:
            self.problems.append((int(repeated[0]), f"uid {repeated[1]} appears twice"))

    def _check_link_within(self, column: _Column) -> None:
        """A link to the same table (an appeal): checked before the load. A link to
        another table is resolved by the load itself, which marks one that names
        nothing so that the foreign-key check refuses it (see :meth:`explain`)."""
        if column.target == self.table.name:
            self._check_link(column)

    def explain(self, problem: str) -> ImportRefused:
        """The import refused for PROBLEM (found by SQLite while writing): the first
        row to blame if the links or repeated uids explain it, else the file."""
        for column in self.columns:
            if column.role == "link":
                self._check_link(column)
        self.refuse_repeats()
        self.refuse_problems()
        return ImportRefused(f"{self.path.name}: {problem}")

    def _check_link(self, column: _Column) -> None:
        assert column.field is not None and column.target is not None
        cell = column.staged
        if column.field.required:
            self._problem(self._first(f"{cell} = ''"), f"{column.name} must not be empty")
        within = ""
        if column.target == self.table.name:  # a link within the file (an appeal)
            uid = self._uid_column()
            within = f"AND {cell} NOT IN (SELECT {uid} FROM temp.stage)"
        found = self._first(
            f"{cell} != '' AND NOT EXISTS (SELECT 1 FROM \"{column.target}\" x "
            f"WHERE x.uid = {cell}) {within}"
        )
        if found is not None:
            value = self._value(found, column)
            self._problem(found, f"{column.name} {value} names no record")

    def _check_record(self, column: _Column) -> None:
        """A citation's record (a uid of any table) or a participant's fact (of a
        fact table): the tables tried in the order that finds most of the file's
        first rows soonest. A uid found there is a uid; only one that names
        nothing is checked for its form."""
        assert column.field is not None
        tables = records_of(column.field)
        cell = column.staged
        first_rows = f"SELECT {cell} AS uid FROM temp.stage ORDER BY rowid LIMIT {SAMPLE_ROWS}"
        found_there = {
            name: int(
                self.store.scalar(
                    f'SELECT count(*) FROM ({first_rows}) s WHERE EXISTS (SELECT 1 FROM "{name}" x '
                    "WHERE x.uid = s.uid)"
                )
            )
            for name in tables
        }
        likeliest_first = sorted(tables, key=lambda name: -found_there[name])
        known = " AND ".join(
            f'NOT EXISTS (SELECT 1 FROM "{name}" x WHERE x.uid = {cell})'
            for name in likeliest_first
        )
        found = self._first(known)
        if found is None:
            return
        value = self._value(found, column)
        if UID.fullmatch(value) is None:
            self._problem(found, f"{column.name} {value[:40]!r} is not a uid")
            return
        # named without a line: the record may be in any file of the folder
        what = "record" if tables == CITABLE else "fact"
        raise ImportRefused(f"{self.path.name}: {column.name} {value} names no {what}")

    def _check_text(self, column: _Column) -> None:
        assert column.field is not None
        if column.field.required:
            restored = _RESTORED.format(column.staged)
            self._problem(
                self._first(f"trim({restored}) = ''"), f"{column.field.what} must not be empty"
            )

    def _map_distinct(self, column: _Column) -> None:
        """Parse each distinct value once into temp.map_N (value -> stored columns)."""
        assert column.field is not None
        field, cell = column.field, column.staged
        outputs = _outputs(column)
        conn = self.store.conn
        conn.execute(f"DROP TABLE IF EXISTS temp.map_{cell}")
        conn.execute(
            f"CREATE TEMP TABLE map_{cell} (value TEXT PRIMARY KEY, "
            f"{', '.join(f'o{i}' for i in range(len(outputs)))}) WITHOUT ROWID"
        )
        parsed = []
        # a column no row fills (most of a ruling's) has one value, read nowhere
        distinct = (
            conn.execute(f"SELECT DISTINCT {cell} FROM temp.stage")
            if self._has_cells(column)
            else [("",)] * min(self.rows, 1)
        )
        for (value,) in distinct:
            text = "" if value is None else str(value)
            restored = text[1:] if text[:1] == "'" else text
            try:
                stored = field.parse_input(column.name, restored)
            except CasesError as error:
                self._problem(self._first(f"{cell} = ?", [text]), str(error))
                continue
            parsed.append((text, *(stored.get(c) for c in outputs)))
        conn.executemany(
            f"INSERT INTO temp.map_{cell} VALUES ({', '.join('?' for _ in range(len(outputs) + 1))})",
            parsed,
        )

    def check_presence_rules(self) -> None:
        """Before writing: the rules on which fields are given (a person's name or
        description, an event's person or organisation), on the staged cells, so
        the first row breaking one is refused by its line, not by the database."""
        for rule in self.table.rules:
            if not isinstance(rule, OneOf):
                continue
            cells = []
            for name in rule.columns:
                column = next((c for c in self.columns if name in (c.name, c.link_column)), None)
                value = f"nullif(trim({column.staged}), '')" if column else "NULL"
                cells.append(f'{value} AS "{name}"')
            found = self.store.conn.execute(
                f"SELECT rowid FROM (SELECT rowid, {', '.join(cells)} FROM temp.stage) AS t "
                f"WHERE {rule.broken_sql('t')} ORDER BY rowid LIMIT 1"
            ).fetchone()
            if found is not None:
                self.problems.append((int(found[0]), rule.described()))
        self.refuse_problems()

    def check_rules(self, *, added_after: int | None = None) -> None:
        """The rules across fields (catalogue), on the rows as written: refuse the
        import at the first staged row whose record breaks one.

        With ADDED_AFTER (a load into an empty table, which wrote every staged
        row in order with the ids after it) the rows are read by id: row N of
        the stage is the record ADDED_AFTER + N, no join by uid needed.
        """
        uid = self._uid_column()
        for rule in self.table.rules:
            if added_after is not None:
                found = self.store.conn.execute(
                    f"""SELECT t.id - :after FROM "{self.table.name}" t
                        WHERE t.id > :after AND {rule.broken_sql("t")} ORDER BY t.id LIMIT 1""",
                    {"after": added_after},
                ).fetchone()
            else:
                found = self.store.conn.execute(
                    f"""SELECT s.rowid FROM temp.stage s
                        JOIN "{self.table.name}" t ON t.uid = s.{uid}
                        WHERE {rule.broken_sql("t")} ORDER BY s.rowid LIMIT 1"""
                ).fetchone()
            if found is not None:
                row = self.store.one(
                    f'SELECT t.* FROM temp.stage s JOIN "{self.table.name}" t ON t.uid = s.{uid} '
                    "WHERE s.rowid = ?",
                    [found[0]],
                )
                problem = rule.problem(row or {}) or rule.described()
                self.problems.append((int(found[0]), problem))
        self.refuse_problems()

    def _column_named(self, name: str) -> _Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def _uid_column(self) -> str:
        column = self._column_named("uid")
        assert column is not None
        return column.staged

    # -- writing -------------------------------------------------------------------

    def _select(self, *, for_update: bool) -> tuple[list[str], list[str], list[str], Row]:
        """(stored columns, their SQL from the staged row ``s``, the joins needed,
        the named parameters the SQL takes)."""
        stored: list[str] = []
        values: list[str] = []
        joins: list[str] = []
        params: Row = {}
        for column in self.columns:
            cell = f"s.{column.staged}"
            field = column.field
            if field is None:  # the uid, or a column read past
                continue
            if column.role == "link":
                assert column.link_column is not None
                if column.target == self.table.name and not for_update:
                    continue  # set once every row is in: see link_within()
                stored.append(column.link_column)
                if not self._has_cells(column):
                    values.append("NULL")  # a link no row of the file gives
                    continue
                # a cell naming nothing gets id -1: the foreign-key check refuses it
                values.append(
                    f'(SELECT id FROM "{column.target}" WHERE uid = {cell})'
                    if column.target == self.table.name
                    else f"coalesce(l_{column.staged}.id, CASE WHEN {cell} = '' THEN NULL "
                    "ELSE -1 END)"
                )
                if column.target != self.table.name:
                    joins.append(
                        f'LEFT JOIN "{column.target}" l_{column.staged} '
                        f"ON l_{column.staged}.uid = {cell}"
                    )
            elif column.role == "text":
                stored.append(field.name)
                values.append(f"nullif({_RESTORED.format(cell)}, '')")
            elif column.role == "record":
                stored.append(field.name)
                values.append(cell)
            elif column.role == "parsed":
                for index, output in enumerate(_outputs(column)):
                    stored.append(output)
                    values.append(f"{cell}_o{index}")
            else:
                outputs = _outputs(column)
                default = "0" if field.type == FLAG else "NULL"
                few = self._few_values(column)
                if few is not None:
                    # a handful of distinct values (a flag, a kind): a CASE reads
                    # faster than a join per row
                    staged = column.staged
                    for number, mapped in enumerate(few):
                        params[f"{staged}_{number}"] = mapped[0]
                        for index, value in enumerate(mapped[1:]):
                            params[f"{staged}_{number}_{index}"] = value
                    for index, output in enumerate(outputs):
                        stored.append(output)
                        whens = " ".join(
                            f"WHEN :{staged}_{number} THEN :{staged}_{number}_{index}"
                            for number in range(len(few))
                        )
                        values.append(
                            f"coalesce(CASE {cell} {whens} END, {default})" if few else default
                        )
                    continue
                joins.append(
                    f"LEFT JOIN temp.map_{column.staged} m_{column.staged} "
                    f"ON m_{column.staged}.value = {cell}"
                )
                for index, output in enumerate(outputs):
                    stored.append(output)
                    values.append(f"coalesce(m_{column.staged}.o{index}, {default})")
        return stored, values, joins, params

    def _has_cells(self, column: _Column) -> bool:
        """Whether any staged row fills COLUMN, a link or a mapped column (most
        rows leave a sparse link or a ruling's fine empty); every such column of
        the file is looked at in one scan."""
        if self._filled is None:
            cells = [c.staged for c in self.columns if c.role in ("link", "mapped")]
            some_filled = ", ".join(f"max({cell} != '')" for cell in cells)
            filled = self.store.conn.execute(f"SELECT {some_filled} FROM temp.stage").fetchone()
            self._filled = {cell for cell, some in zip(cells, filled, strict=True) if some}
        return column.staged in self._filled

    def _few_values(self, column: _Column) -> list[tuple[Any, ...]] | None:
        """The rows of COLUMN's map (value, then its stored columns) when there are
        at most FEW_VALUES of them, else None."""
        found = self.store.conn.execute(
            f"SELECT * FROM temp.map_{column.staged} LIMIT {FEW_VALUES + 1}"
        ).fetchall()
        return found if len(found) <= FEW_VALUES else None

    def insert_new(self, *, into_empty: bool) -> int:
        """Insert the rows whose uid is not there yet, in file order; return how many."""
        stored, values, joins, params = self._select(for_update=False)
        uid = self._uid_column()
        new_only = (
            ""
            if into_empty
            else f'WHERE NOT EXISTS (SELECT 1 FROM "{self.table.name}" x WHERE x.uid = s.{uid})'
        )
        names = ", ".join(f'"{c}"' for c in ("uid", *stored))
        try:
            cursor = self.store.conn.execute(
                f'INSERT INTO "{self.table.name}" ({names}) '
                f"SELECT s.{uid}, {', '.join(values)} FROM temp.stage s {' '.join(joins)} "
                f"{new_only} ORDER BY s.rowid",
                params,
            )
        except sqlite3.IntegrityError as error:
            raise self.explain(str(integrity_error(self.table.name, error))) from None
        return int(cursor.rowcount)

    def kept_private(self) -> int:
        """Existing private records the file would make public (it will not)."""
        private = self._column_named("private")
        if private is None:
            return 0
        uid = self._uid_column()
        return int(
            self.store.scalar(
                f"""SELECT count(*) FROM temp.stage s
                    JOIN "{self.table.name}" t ON t.uid = s.{uid}
                    JOIN temp.map_{private.staged} m ON m.value = s.{private.staged}
                    WHERE t.private = 1 AND m.o0 = 0"""
            )
        )

    def update_existing(self) -> int:
        """Update the existing rows where something differs (never making a private
        record public); return how many changed."""
        stored, values, joins, params = self._select(for_update=True)
        if not stored:
            return 0
        if self._kept_lines:
            self.store.conn.create_function("cases_names_kept", 2, _names_kept, deterministic=True)
        uid = self._uid_column()
        table = self.table.name
        targets = [self._updated(c) for c in stored]
        names = ", ".join(f'"{c}"' for c in stored)
        current = ", ".join(f't."{c}"' for c in stored)
        selected = ", ".join(f'{value} AS "{c}"' for c, value in zip(stored, values, strict=True))
        try:
            cursor = self.store.conn.execute(
                f"""UPDATE "{table}" AS t SET ({names}) = ({", ".join(targets)})
                    FROM (SELECT x.id AS target_id, {selected} FROM temp.stage s
                          JOIN "{table}" x ON x.uid = s.{uid} {" ".join(joins)}) AS n
                    WHERE t.id = n.target_id AND ({current}) IS NOT ({", ".join(targets)})""",
                params,
            )
        except sqlite3.IntegrityError as error:
            raise self.explain(str(integrity_error(table, error))) from None
        return int(cursor.rowcount)

    def _updated(self, column: str) -> str:
        """SQL for the value an update gives COLUMN (``t`` the record, ``n`` the file):
        never from private to public; a withheld value kept (see keep_when_withheld)."""
        if column == "private":
            return f'max(t."{column}", n."{column}")'
        if column in self._kept_lines:
            return f'cases_names_kept(t."{column}", n."{column}")'
        if column in self._kept_when_empty:
            return f'coalesce(n."{column}", t."{column}")'
        return f'n."{column}"'

    def link_within(self) -> None:
        """Set the links of new rows to rows of the same table (an appeal of a
        ruling in the same file), once every row is in."""
        uid = self._uid_column()
        table = self.table.name
        for column in self.columns:
            if column.role != "link" or column.target != table or column.link_column is None:
                continue
            self.store.conn.execute(
                f"""UPDATE "{table}" AS t SET "{column.link_column}" = n.target_id
                    FROM (SELECT s.{uid} AS uid, x.id AS target_id FROM temp.stage s
                          JOIN "{table}" x ON x.uid = s.{column.staged}) AS n
                    WHERE t.uid = n.uid AND t."{column.link_column}" IS NOT n.target_id"""
            )

    def index_new(self, after_id: int) -> None:
        """Index the rows this file added in the table's full-text table."""
        search.index_new_rows(self.store, self.table.name, after_id)

    def drop(self) -> None:
        """Drop the staging and map tables."""
        conn = self.store.conn
        for (name,) in conn.execute(
            "SELECT name FROM temp.sqlite_master WHERE type = 'table' "
            "AND (name = 'stage' OR name LIKE 'map\\_%' ESCAPE '\\')"
        ).fetchall():
            conn.execute(f'DROP TABLE temp."{name}"')
