"""What a staged CSV file may hold: uids that are uids and given once, links
and records that name something, values their fields accept (each distinct
value parsed once), and the rules across fields and across rows. The first
bad row is refused, naming the file and line."""

from __future__ import annotations

from typing import Any

from cases.catalogue import CITABLE, UID, OneOf, records_of
from cases.db.staging import RESTORED, StagedColumn, StagedFile, outputs_of
from cases.errors import CasesError, ImportRefused

# How many of a citations file's first rows choose the order its records are
# looked for in (the tables most of them cite first).
SAMPLE_ROWS = 1000
# A uid as catalogue.UID describes it, in SQL.
_NOT_A_UID = (
    "NOT ({0} GLOB '[A-Za-z0-9]*' AND {0} NOT GLOB '*[^A-Za-z0-9._:-]*' "
    "AND length({0}) BETWEEN 1 AND 100)"
)


class CheckedFile(StagedFile):
    """A staged file, checked before it is written."""

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

    def _check_uids(self, column: StagedColumn) -> None:
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

    def _refuse_uids_of_other_kinds(self, column: StagedColumn) -> None:
        """Note the first row whose uid is already a record of another table: a
        uid names one record (a citation of it would cite both). Citations are
        never cited: their uids are not compared. Only the staged uids within
        the other table's range of uids are looked up in it (its index gives
        the range at once; tables filled at other times barely overlap)."""
        if self.table.name not in CITABLE:
            return
        cell = column.staged
        staged = self.store.conn.execute(
            f"SELECT min({cell}), max({cell}) FROM temp.stage"
        ).fetchone()
        for other in CITABLE:
            if other == self.table.name:
                continue
            low, high = _overlap(staged, self._uid_range(other))
            if low is None:
                continue
            found = self.store.conn.execute(
                f"""SELECT min(s.rowid) FROM temp.stage s JOIN "{other}" x ON x.uid = s.{cell}
                    WHERE s.{cell} BETWEEN ? AND ?""",
                [low, high],
            ).fetchone()
            if found is not None and found[0] is not None:
                value = self._value((int(found[0]), self._row(int(found[0]))), column)
                self.problems.append(
                    (int(found[0]), f"uid {value} is already the uid of a record of {other}")
                )

    def _uid_range(self, table: str) -> tuple[Any, Any]:
        """The least and greatest uid of TABLE (from its uid index), or (None, None)."""
        # two subqueries: SQLite reads one end of the index only for a lone min()
        # or max(); both in one SELECT scan the whole table
        found = self.store.conn.execute(
            f'SELECT (SELECT min(uid) FROM "{table}"), (SELECT max(uid) FROM "{table}")'
        ).fetchone()
        return (found[0], found[1]) if found else (None, None)

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

    def _check_link_within(self, column: StagedColumn) -> None:
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

    def _check_link(self, column: StagedColumn) -> None:
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

    def _check_record(self, column: StagedColumn) -> None:
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
        # a uid outside a table's range of uids is not looked up in it
        ranges = {name: self._uid_range(name) for name in likeliest_first}
        searched = [name for name in likeliest_first if ranges[name][0] is not None]
        known = " AND ".join(
            [f"{cell} IS NOT NULL"]
            + [
                f"({cell} NOT BETWEEN ? AND ? OR NOT EXISTS "
                f'(SELECT 1 FROM "{name}" x WHERE x.uid = {cell}))'
                for name in searched
            ]
        )
        found = self._first(known, [bound for name in searched for bound in ranges[name]])
        if found is None:
            return
        value = self._value(found, column)
        if UID.fullmatch(value) is None:
            self._problem(found, f"{column.name} {value[:40]!r} is not a uid")
            return
        # named without a line: the record may be in any file of the folder
        what = "record" if tables == CITABLE else "fact"
        raise ImportRefused(f"{self.path.name}: {column.name} {value} names no {what}")

    def _check_text(self, column: StagedColumn) -> None:
        assert column.field is not None
        if column.field.required:
            restored = RESTORED.format(column.staged)
            self._problem(
                self._first(f"trim({restored}) = ''"), f"{column.field.what} must not be empty"
            )

    def _map_distinct(self, column: StagedColumn) -> None:
        """Parse each distinct value once into temp.map_N (value -> stored columns)."""
        assert column.field is not None
        field, cell = column.field, column.staged
        outputs = outputs_of(column)
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


def _overlap(first: Any, second: tuple[Any, Any]) -> tuple[Any, Any]:
    """The range of values two (least, greatest) ranges share, or (None, None)."""
    if None in (first[0], first[1], second[0], second[1]):
        return None, None
    low, high = max(first[0], second[0]), min(first[1], second[1])
    return (low, high) if low <= high else (None, None)
