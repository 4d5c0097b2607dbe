"""Moving data out: the CSV table format, and export as CSV files or one JSON document."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from cases.csv_io import replacing_files, text_file, write_csv
from cases.errors import Conflict, Invalid
from cases.privacy import PrivacyFilter
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
DERIVED_COLUMNS = {"id", "name_key"}


def csv_header(store: Store, spec: TableSpec) -> list[str]:
    """The CSV columns of a table, in database column order."""
    return [spec.csv_column(c) for c in store.columns(spec.table) if c not in DERIVED_COLUMNS]


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


def _refuse_overwrite(store: Store, targets: Sequence[Path], force: bool) -> None:
    """Never write onto the database (or a file SQLite keeps beside it); replace an
    existing file only with FORCE."""
    if store.path is not None:
        database = store.path.resolve()
        own = {
            Path(f"{database}{suffix}") for suffix in ("", "-journal", "-wal", "-shm", "-writer")
        }
        for target in targets:
            if target.resolve() in own:
                raise Invalid(
                    f"{target} is the database itself (or its journal); choose another path"
                )
    if not force:
        existing = [target for target in targets if target.exists()]
        if existing:
            raise Conflict(f"{existing[0]} exists; add --force to replace it")


def export_csv(
    store: Store, folder: Path, *, include_private: bool = False, force: bool = False
) -> dict[str, int]:
    """Write every table as ``TABLE.csv`` into FOLDER through the privacy filter.

    One snapshot of the database: every table is read in one read transaction.
    The files are streamed to temporary files (mode 0600) that replace the
    targets together once all are complete, and are removed on any failure.
    """
    if folder.exists() and not folder.is_dir():
        raise Invalid(f"{folder} exists and is not a folder")
    targets = [folder / f"{spec.table}.csv" for spec in TABLE_SPECS]
    _refuse_overwrite(store, targets, force)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise Invalid(f"cannot create {folder}: {error.strerror}") from None
    counts = {}
    with store.snapshot(), replacing_files(targets) as temporaries:
        visible = PrivacyFilter(store, include_private=include_private)
        for spec, temporary in zip(TABLE_SPECS, temporaries, strict=True):
            columns = [c for c in store.columns(spec.table) if c not in DERIVED_COLUMNS]
            counts[spec.table] = write_csv(
                temporary,
                [spec.csv_column(c) for c in columns],
                visible.rows(spec.table, columns, spec.links, defuse=free_text_columns(columns)),
                defused=True,
            )
    return counts


def export_json_file(
    store: Store, path: Path, *, include_private: bool = False, force: bool = False
) -> dict[str, int]:
    """:func:`export_json` into the file PATH, which appears only when complete."""
    if path.is_dir():
        raise Invalid(f"{path} is a folder; give a file name")
    _refuse_overwrite(store, [path], force)
    with replacing_files([path]) as (temporary,), text_file(temporary) as handle:
        return export_json(store, handle, include_private=include_private)


def export_json(store: Store, out: TextIO, *, include_private: bool = False) -> dict[str, int]:
    """Write one JSON document ``{"format", "version", "tables": {TABLE: [row...]}}``.

    Rows are streamed one at a time, with the same columns and privacy as CSV,
    from one snapshot of the database.
    """
    counts = {}
    with store.snapshot():
        visible = PrivacyFilter(store, include_private=include_private)
        out.write('{"format": "cases", "version": 1, "tables": {')
        for table_index, spec in enumerate(TABLE_SPECS):
            columns = [c for c in store.columns(spec.table) if c not in DERIVED_COLUMNS]
            header = [spec.csv_column(c) for c in columns]
            out.write(("," if table_index else "") + f"\n{json.dumps(spec.table)}: [")
            count = 0
            for row in visible.rows(spec.table, columns, spec.links):
                document = dict(zip(header, row, strict=True))
                if "private" in document:
                    document["private"] = bool(document["private"])
                out.write(
                    ("," if count else "") + "\n  " + json.dumps(document, ensure_ascii=False)
                )
                count += 1
            out.write("\n]")
            counts[spec.table] = count
        out.write("\n}}\n")
    return counts
