"""The exact import path: one CSV row at a time, each cell by the rules of add and edit.

It handles every file the column path hands over, and its errors name the file,
line and problem of the first bad row.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

from cases.csv_io import read_csv
from cases.errors import CasesError, ImportRefused, Invalid
from cases.service.changing import TextRule
from cases.service.import_rules import UID, Rule, column_rules, is_skipped
from cases.service.importing import Batch, ImportContext
from cases.service.transfer import TableSpec, csv_header

# Rule results are cached per column while few distinct values have been seen:
# dates, vocabulary words and flags repeat across thousands of rows.
_CACHE_LIMIT = 20_000


class RowLoader:
    """Reads and checks one file row by row; the rows become one batch."""

    def __init__(self, spec: TableSpec, path: Path, context: ImportContext) -> None:
        self.spec = spec
        self.path = path
        self.context = context
        self.uids: set[str] = set()
        self.cited: list[str] = []
        self.lines: dict[str, int] = {}
        self.self_links = {
            spec.csv_column(c): c for c, target in spec.links.items() if target == spec.table
        }
        self.deferred: dict[str, list[tuple[str, str]]] = {
            column: [] for column in self.self_links.values()
        }

    def batches(self) -> Generator[Batch, None, None]:
        """All the file's rows, checked, as one batch (none for a header-only file)."""
        spec, store = self.spec, self.context.store
        expected = [*csv_header(store, spec), "id", "ref"]
        link_by_csv = {
            spec.csv_column(c): (c, target)
            for c, target in spec.links.items()
            if target != spec.table
        }
        rows: list[dict[str, Any]] = []
        checker: _RowChecker | None = None
        for line, cells in read_csv(self.path, expected, ("uid", *spec.required)):
            if checker is None:
                checker = _RowChecker(spec, list(cells), column_rules(spec), link_by_csv, self)
            try:
                row = checker.check(cells)
            except CasesError as error:
                raise ImportRefused(f"{self.path.name}, line {line}: {error}") from None
            uid = row["uid"]
            if uid in self.uids:
                raise ImportRefused(f"{self.path.name}, line {line}: uid {uid} appears twice")
            for csv_column, db_column in self.self_links.items():
                target = cells.get(csv_column, "")
                row[db_column] = None
                if target:
                    self.deferred[db_column].append((uid, target))
            self.uids.add(uid)
            self.lines[uid] = line
            if "record_uid" in row:
                self.cited.append(row["record_uid"])
            rows.append(row)
        if rows:
            columns = list(rows[0])
            yield Batch(
                columns,
                [row["uid"] for row in rows],
                rows=[[row.get(c) for c in columns] for row in rows],
            )

    def refused(self, problem: str) -> Exception:
        """The error for a batch the database refused."""
        return ImportRefused(f"{self.path.name}: {problem}")

    def dangling(self, column: str, uid: str, target: str) -> Exception:
        """The error for a same-table link to a record that does not exist."""
        return ImportRefused(
            f"{self.path.name}, line {self.lines[uid]}: {self.spec.csv_column(column)} "
            f"{target} names no record in {self.spec.table}"
        )


class _RowChecker:
    """Checks one table's rows with the same rules as add and edit, planned once per file."""

    def __init__(
        self,
        spec: TableSpec,
        header: Sequence[str],
        rules: dict[str, Rule],
        link_by_csv: dict[str, tuple[str, str]],
        loader: RowLoader,
    ) -> None:
        self.steps: list[tuple[str, str, Any]] = []
        for column in header:
            if column == "uid" or is_skipped(column) or column in loader.self_links:
                continue
            required = column in spec.required
            if column in link_by_csv:
                db_column, target = link_by_csv[column]
                id_map = loader.context.id_map(target)
                self.steps.append(("link", column, (db_column, target, id_map, required)))
            elif column == "record_uid":
                self.steps.append(("record", column, None))
            elif column in rules:
                rule = rules[column]
                if isinstance(rule, TextRule):
                    self.steps.append(("text", column, (rule.field, required)))
                else:
                    self.steps.append(("rule", column, (rule, required, {})))

    def check(self, cells: dict[str, str]) -> dict[str, Any]:
        """The database row for one CSV row; raises Invalid naming the problem."""
        uid = cells.get("uid", "")
        if not uid:
            raise Invalid("uid is empty")
        if not UID.fullmatch(uid):
            raise Invalid(f"uid {uid[:40]!r} is not a uid (letters, digits, - _ . : only)")
        row: dict[str, Any] = {"uid": uid}
        for step, column, detail in self.steps:
            value = cells[column]
            if step == "text":
                field, required = detail
                if required and not value.strip():
                    raise Invalid(f"{field} must not be empty")
                row[field] = value or None  # free text is kept byte for byte
            elif step == "rule":
                rule, required, cache = detail
                if value == "" and required:
                    raise Invalid(f"{column} is empty")
                result = cache.get(value)
                if result is None:
                    result = rule(value) if value or column != "private" else {"private": 0}
                    if len(cache) < _CACHE_LIMIT:
                        cache[value] = result
                row.update(result)
            elif step == "link":
                db_column, target, id_map, required = detail
                row[db_column] = _link(id_map, target, value, column, required)
            else:  # record_uid: any record's uid, checked after all tables are in
                if not UID.fullmatch(value):
                    raise Invalid(f"record_uid {value[:40]!r} is not a uid")
                row[column] = value
        return row


def _link(id_map: dict[str, int], target: str, uid: str, column: str, required: bool) -> int | None:
    if not uid:
        if required:
            raise Invalid(f"{column} is empty")
        return None
    record_id = id_map.get(uid)
    if record_id is None:
        raise Invalid(f"{column} {uid} names no record in {target}")
    return record_id
