"""Moving data: the CSV table format, loading a folder of CSVs, and the sample cases."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from cases.csv_io import read_csv, write_csv
from cases.errors import CasesError, ImportRefused, Invalid
from cases.privacy import PrivacyFilter
from cases.records import KIND_BY_TABLE, PartyRole, vocabulary
from cases.service.changing import EDITABLE, TextRule
from cases.store import Store


@dataclass(frozen=True)
class TableSpec:
    """How one table travels as CSV: its link columns and what each row must have."""

    table: str
    # database column -> table it points at; written as <column minus _id>_uid
    links: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    def csv_column(self, column: str) -> str:
        return column[: -len("_id")] + "_uid" if column in self.links else column


TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec("people", required=("name",)),
    TableSpec("aliases", {"person_id": "people"}, ("person_uid", "name")),
    TableSpec("sources", required=("title",)),
    TableSpec("trials", {"judge_person_id": "people", "lawyer_person_id": "people"}, ("court",)),
    TableSpec(
        "trial_parties",
        {"trial_id": "trials", "person_id": "people"},
        ("trial_uid", "person_uid", "role"),
    ),
    TableSpec(
        "rulings",
        {"person_id": "people", "trial_id": "trials", "appeal_of_id": "rulings"},
        ("person_uid", "date", "outcome"),
    ),
    TableSpec("asylum", {"person_id": "people"}, ("person_uid", "date", "decision")),
    TableSpec("detentions", {"person_id": "people"}, ("person_uid", "start")),
    TableSpec("events", {"person_id": "people"}, ("person_uid", "date", "kind")),
    TableSpec(
        "relations",
        {"person_id": "people", "other_id": "people"},
        ("person_uid", "other_uid", "kind"),
    ),
    TableSpec("citations", {"source_id": "sources"}, ("record_uid", "source_uid")),
)

# Columns the database derives; a CSV may carry them for people to read.
_DERIVED = {"id", "name_key"}


def csv_header(store: Store, spec: TableSpec) -> list[str]:
    """The CSV columns of a table, in database column order."""
    return [spec.csv_column(c) for c in store.columns(spec.table) if c not in _DERIVED]


# Columns whose values cannot start a formula: checked uids, canonical dates,
# vocabulary words, flags and non-negative numbers. Every other column is free
# text, and is defused on export.
_SAFE_COLUMNS = frozenset(
    {
        "uid",
        "record_uid",
        "private",
        "sex",
        "status",
        "outcome",
        "sentence_kind",
        "months",
        "deportation",
        "extradition",
        "decision",
        "kind",
        "role",
        "reliability",
    }
)
_DATE_FIELDS = frozenset({"born", "date", "opened", "until", "start", "end"})


def free_text_columns(columns: Sequence[str]) -> frozenset[str]:
    """The columns an export must defuse."""
    return frozenset(
        column
        for column in columns
        if column not in _SAFE_COLUMNS
        and not column.endswith(("_id", "_earliest", "_latest"))
        and column not in _DATE_FIELDS
    )


def export_csv(store: Store, folder: Path, *, include_private: bool = False) -> dict[str, int]:
    """Write every table as ``TABLE.csv`` into FOLDER through the privacy filter.

    Each file is streamed to a temporary file and renamed into place (mode 0600).
    """
    if folder.exists() and not folder.is_dir():
        raise Invalid(f"{folder} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise Invalid(f"cannot create {folder}: {error.strerror}") from None
    visible = PrivacyFilter(store, include_private=include_private)
    counts = {}
    for spec in TABLE_SPECS:
        columns = [c for c in store.columns(spec.table) if c not in _DERIVED]
        counts[spec.table] = write_csv(
            folder / f"{spec.table}.csv",
            [spec.csv_column(c) for c in columns],
            visible.rows(spec.table, columns, spec.links, defuse=free_text_columns(columns)),
            defused=True,
        )
    return counts


def export_json(store: Store, out: TextIO, *, include_private: bool = False) -> dict[str, int]:
    """Write one JSON document ``{"format", "version", "tables": {TABLE: [row...]}}``.

    Rows are streamed one at a time, with the same columns and privacy as CSV.
    """
    visible = PrivacyFilter(store, include_private=include_private)
    counts = {}
    out.write('{"format": "cases", "version": 1, "tables": {')
    for table_index, spec in enumerate(TABLE_SPECS):
        columns = [c for c in store.columns(spec.table) if c not in _DERIVED]
        header = [spec.csv_column(c) for c in columns]
        out.write(("," if table_index else "") + f"\n{json.dumps(spec.table)}: [")
        count = 0
        for row in visible.rows(spec.table, columns, spec.links):
            document = dict(zip(header, row, strict=True))
            document["private"] = bool(document["private"]) if "private" in document else None
            if document["private"] is None:
                del document["private"]
            out.write(("," if count else "") + "\n  " + json.dumps(document, ensure_ascii=False))
            count += 1
        out.write("\n]")
        counts[spec.table] = count
    out.write("\n}}\n")
    return counts


def _private(value: str) -> dict[str, Any]:
    if value in ("", "0"):
        return {"private": 0}
    if value == "1":
        return {"private": 1}
    raise Invalid(f"private must be 0 or 1, not {value!r}")


def _rules(spec: TableSpec) -> dict[str, Callable[[str], dict[str, Any]]]:
    """Validation per CSV column: the same rules as ``add`` and ``edit``."""
    rules: dict[str, Callable[[str], dict[str, Any]]] = {
        "private": _private,
        "note": TextRule("note"),
    }
    kind = KIND_BY_TABLE.get(spec.table)
    if kind is not None:
        rules.update(EDITABLE[kind.name])
    if spec.table == "aliases":
        rules["name"] = EDITABLE["person"]["name"]
    if spec.table == "trial_parties":
        rules["role"] = lambda value: {"role": vocabulary(PartyRole, value, "role")}
    if spec.table == "citations":
        rules["quote"] = TextRule("quote")
        rules["page"] = TextRule("page")
    return rules


# What a uid may look like: it is never defused on export, so it must not be
# able to start a spreadsheet formula.
_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


class _DryRun(Exception):
    """Raised inside the import transaction to roll a dry run back."""


@dataclass
class ImportReport:
    """How many records an import added and updated, per table."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def import_folder(
    store: Store, folder: Path, *, dry_run: bool = False, command: str = "import csv"
) -> ImportReport:
    """Import every ``TABLE.csv`` in FOLDER in one transaction: all rows or none.

    Rows are matched by uid (updated) or inserted; ``*_uid`` columns are
    resolved to the records they name. The first bad row refuses the whole
    import with its file and line. With DRY_RUN everything is checked and
    counted, then rolled back.
    """
    if not folder.is_dir():
        raise ImportRefused(f"{folder} is not a folder of CSV files")
    expected = {f"{spec.table}.csv" for spec in TABLE_SPECS}
    present = {path.name for path in folder.glob("*.csv")}
    unknown = sorted(present - expected)
    if unknown:
        raise ImportRefused(
            f"{unknown[0]}: not a cases table; expected files: {', '.join(sorted(expected))}"
        )
    if not present:
        raise ImportRefused(f"{folder} holds no cases CSV files ({', '.join(sorted(expected))})")
    report = ImportReport(dry_run=dry_run)
    store.use_large_cache()
    try:
        with store.transaction(command):
            store.set_bulk(True)
            for spec in TABLE_SPECS:
                path = folder / f"{spec.table}.csv"
                if path.exists():
                    _import_table(store, spec, path, report)
            store.set_bulk(False)
            dangling = store.dangling_citations()
            if dangling:
                raise ImportRefused(f"citations.csv: record_uid {dangling[0]} names no record")
            store.change_summary = f"imported {folder}"
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def load_folder(store: Store, folder: Path, command: str = "import csv") -> dict[str, int]:
    """Import FOLDER and return how many rows each table received."""
    report = import_folder(store, folder, command=command)
    return {
        table: report.added.get(table, 0) + report.updated.get(table, 0)
        for table in (spec.table for spec in TABLE_SPECS)
    }


def _import_table(store: Store, spec: TableSpec, path: Path, report: ImportReport) -> None:
    db_columns = [c for c in store.columns(spec.table) if c not in _DERIVED]
    expected = [spec.csv_column(c) for c in db_columns] + ["id", "ref"]
    rules = _rules(spec)
    # links to rows of the same table (an appeal of a ruling) are set after the insert
    self_links = {spec.csv_column(c): c for c, t in spec.links.items() if t == spec.table}
    link_by_csv = {spec.csv_column(c): (c, t) for c, t in spec.links.items() if t != spec.table}
    # uid -> id of every table this one links to, read once (not a query per row)
    id_maps = {target: store.uid_map(target) for _, target in link_by_csv.values()}
    rows: list[dict[str, Any]] = []
    deferred: dict[str, list[tuple[str, str]]] = {column: [] for column in self_links.values()}
    seen: set[str] = set()
    lines: dict[str, int] = {}
    checker: _RowChecker | None = None
    for line, cells in read_csv(path, expected, ("uid", *spec.required)):
        if checker is None:
            checker = _RowChecker(spec, list(cells), rules, link_by_csv, id_maps)
        try:
            row = checker.check(cells)
        except CasesError as error:
            raise ImportRefused(f"{path.name}, line {line}: {error}") from None
        if row["uid"] in seen:
            raise ImportRefused(f"{path.name}, line {line}: uid {row['uid']} appears twice")
        for csv_column, db_column in self_links.items():
            target = cells.get(csv_column, "")
            row[db_column] = None
            if target:
                deferred[db_column].append((row["uid"], target))
        seen.add(row["uid"])
        lines[row["uid"]] = line
        rows.append(row)
    if not rows:
        return
    existing = store.existing_uids(spec.table, [row["uid"] for row in rows])
    last_before = store.max_id(spec.table)
    # into an empty table: build its indexes once after the load, not row by row
    rebuild = store.drop_secondary_indexes(spec.table) if last_before == 0 else []
    try:
        store.upsert_many(spec.table, rows)
    except CasesError as error:
        raise ImportRefused(f"{path.name}: {error}") from None
    store.create_indexes(rebuild)
    last_after = store.max_id(spec.table)
    if last_after > last_before:
        # AUTOINCREMENT under the write lock: what this import added is exactly this range
        store.log_insert_range(spec.table, last_before + 1, last_after)
    uid_ids = store.uid_map(spec.table) if existing else {}
    store.index_search_rows(spec.table, last_before, sorted(uid_ids[uid] for uid in existing))
    for db_column, pairs in deferred.items():
        known = seen | store.existing_uids(spec.table, [target for _, target in pairs])
        for uid, target in pairs:
            if target not in known:
                column = spec.csv_column(db_column)
                raise ImportRefused(
                    f"{path.name}, line {lines[uid]}: {column} {target} names no record in "
                    f"{spec.table}"
                )
        store.set_links_by_uid(spec.table, db_column, pairs)
    report.added[spec.table] = len(rows) - len(existing)
    report.updated[spec.table] = len(existing)


# Rule results are cached per column while few distinct values have been seen:
# dates, vocabulary words and flags repeat across thousands of rows.
_CACHE_LIMIT = 20_000


class _RowChecker:
    """Checks one table's rows with the same rules as add and edit, planned once per file."""

    def __init__(
        self,
        spec: TableSpec,
        header: Sequence[str],
        rules: dict[str, Callable[[str], dict[str, Any]]],
        link_by_csv: dict[str, tuple[str, str]],
        id_maps: dict[str, dict[str, int]],
    ) -> None:
        self.steps: list[tuple[str, str, Any]] = []
        for column in header:
            if column in ("uid", "id", "ref") or column.endswith(("_earliest", "_latest")):
                continue  # earliest/latest derive from the date text; id and ref are for people
            required = column in spec.required
            if column in link_by_csv:
                db_column, target = link_by_csv[column]
                self.steps.append(("link", column, (db_column, target, id_maps[target], required)))
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
        if not _UID.fullmatch(uid):
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
                if not _UID.fullmatch(value):
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


def sample_folder() -> Path:
    """The sample cases: installed beside the package, or data/ in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "data", here.parent.parent / "data"):
        if (candidate / "people.csv").exists():
            return candidate
    raise CasesError("the sample data is not installed (data/people.csv not found)")


def load_sample(store: Store) -> dict[str, int]:
    """Load the sample cases shipped in data/."""
    return load_folder(store, sample_folder(), command="init --sample")
