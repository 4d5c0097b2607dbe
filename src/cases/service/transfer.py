"""Moving data: the CSV table format, loading a folder of CSVs, and the sample cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cases.csv_io import read_csv, write_csv
from cases.errors import CasesError, ImportRefused, Invalid
from cases.records import KIND_BY_TABLE, PartyRole, vocabulary
from cases.service.changing import EDITABLE
from cases.service.common import optional_text
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


def write_tables(store: Store, folder: Path) -> dict[str, int]:
    """Write every table as ``TABLE.csv`` into FOLDER (everything, private included)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    counts = {}
    for spec in TABLE_SPECS:
        columns = [c for c in store.columns(spec.table) if c not in _DERIVED]
        counts[spec.table] = write_csv(
            folder / f"{spec.table}.csv",
            [spec.csv_column(c) for c in columns],
            store.stream_rows(spec.table, columns, spec.links),
        )
    return counts


def _private(value: str) -> dict[str, Any]:
    if value in ("", "0"):
        return {"private": 0}
    if value == "1":
        return {"private": 1}
    raise Invalid(f"private must be 0 or 1, not {value!r}")


def _text_rule(column: str) -> Callable[[str], dict[str, Any]]:
    return lambda value: {column: optional_text(value)}


def _rules(spec: TableSpec) -> dict[str, Callable[[str], dict[str, Any]]]:
    """Validation per CSV column: the same rules as ``add`` and ``edit``."""
    rules: dict[str, Callable[[str], dict[str, Any]]] = {
        "private": _private,
        "note": _text_rule("note"),
    }
    kind = KIND_BY_TABLE.get(spec.table)
    if kind is not None:
        rules.update(EDITABLE[kind.name])
    if spec.table == "aliases":
        rules["name"] = EDITABLE["person"]["name"]
    if spec.table == "trial_parties":
        rules["role"] = lambda value: {"role": vocabulary(PartyRole, value, "role")}
    if spec.table == "citations":
        rules["quote"] = _text_rule("quote")
        rules["page"] = _text_rule("page")
    return rules


def load_folder(store: Store, folder: Path) -> dict[str, int]:
    """Load every ``TABLE.csv`` in FOLDER in one transaction: all rows or none.

    Rows are matched by uid (updated) or inserted; ``*_uid`` columns are
    resolved to the records they name. The first bad row refuses the whole
    load with its file and line.
    """
    if not folder.is_dir():
        raise ImportRefused(f"{folder} is not a folder of CSV files")
    counts: dict[str, int] = {}
    with store.transaction():
        known_uids: set[str] = set()
        for spec in TABLE_SPECS:
            path = folder / f"{spec.table}.csv"
            if not path.exists():
                continue
            counts[spec.table] = _load_table(store, spec, path, known_uids)
        dangling = store.dangling_citations()
        if dangling:
            raise ImportRefused(f"citations.csv: record_uid {dangling[0]} names no record")
    return counts


def _load_table(store: Store, spec: TableSpec, path: Path, known_uids: set[str]) -> int:
    db_columns = [c for c in store.columns(spec.table) if c not in _DERIVED]
    expected = [spec.csv_column(c) for c in db_columns]
    rules = _rules(spec)
    link_by_csv = {spec.csv_column(c): (c, target) for c, target in spec.links.items()}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, cells in read_csv(path, expected, ("uid", *spec.required)):
        try:
            row = _validate(store, spec, cells, rules, link_by_csv)
        except CasesError as error:
            raise ImportRefused(f"{path.name}, line {line}: {error}") from None
        if row["uid"] in seen:
            raise ImportRefused(f"{path.name}, line {line}: uid {row['uid']} appears twice")
        seen.add(row["uid"])
        rows.append(row)
    if rows:
        store.upsert_many(spec.table, rows)
    known_uids.update(seen)
    return len(rows)


def _validate(
    store: Store,
    spec: TableSpec,
    cells: dict[str, str],
    rules: dict[str, Callable[[str], dict[str, Any]]],
    link_by_csv: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    uid = cells.get("uid", "").strip()
    if not uid:
        raise Invalid("uid is empty")
    row: dict[str, Any] = {"uid": uid}
    for column, value in cells.items():
        if column == "uid" or column.endswith(("_earliest", "_latest")):
            continue  # earliest/latest are derived from the date text
        if column in link_by_csv:
            db_column, target = link_by_csv[column]
            row[db_column] = _link(store, target, value, column, column in spec.required)
        elif column == "record_uid":
            if not value:
                raise Invalid("record_uid is empty")
            row[column] = value
        elif column in rules:
            if value == "" and column in spec.required:
                raise Invalid(f"{column} is empty")
            row.update(rules[column](value) if value or column != "private" else {"private": 0})
        else:
            row[column] = optional_text(value)
    return row


def _link(store: Store, target: str, uid: str, column: str, required: bool) -> int | None:
    if not uid:
        if required:
            raise Invalid(f"{column} is empty")
        return None
    record_id = store.id_for_uid(target, uid)
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
    return load_folder(store, sample_folder())
