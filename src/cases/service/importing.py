"""Importing a folder of CSV tables in one transaction, and the sample cases.

Each file is first loaded column by column (:mod:`cases.service.column_import`),
inside a savepoint. If that fast path meets anything it does not handle, the
file is rolled back and loaded again row by row
(:mod:`cases.service.row_import`), which applies the same rules one cell at a
time and names the file, line and problem of the first bad row. Both paths end
in the same place: :func:`_load` writes their batches and does the rest.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cases.background import ahead
from cases.errors import CasesError, ImportRefused
from cases.service.transfer import TABLE_SPECS, TableSpec
from cases.store import Store


@dataclass
class Batch:
    """Checked rows of one table, ready for one write: as ROWS (value sequences in
    COLUMNS order) or as ROWS_JSON (the same as one JSON array of arrays), each
    value wrapped in its SQL template from WRAPPERS (``{}`` is the value)."""

    columns: list[str]
    uids: Sequence[str]
    rows: Any = None
    rows_json: str | None = None
    wrappers: list[str] | None = None


class ImportContext:
    """What the files of one import share: uid -> id maps of the tables already in."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._id_maps: dict[str, dict[str, int]] = {}

    def id_map(self, table: str) -> dict[str, int]:
        """uid -> id of every row of TABLE, read once per import (not a query per row)."""
        if table not in self._id_maps:
            self._id_maps[table] = self.store.uid_map(table)
        return self._id_maps[table]

    def changed(self, table: str) -> None:
        """TABLE was written: its map is read again when next needed."""
        self._id_maps.pop(table, None)


class Loader(Protocol):
    """One way of turning a CSV file into checked batches."""

    uids: set[str]
    deferred: dict[str, list[tuple[str, str]]]
    # whether batches() may run in a worker thread (it then never touches the store)
    reads_ahead: bool

    def batches(self) -> Generator[Batch, None, None]: ...

    def refused(self, problem: str) -> Exception: ...

    def dangling(self, column: str, uid: str, target: str) -> Exception: ...


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
            context = ImportContext(store)
            for spec in TABLE_SPECS:
                path = folder / f"{spec.table}.csv"
                if path.exists():
                    added, updated = _import_file(store, spec, path, context)
                    report.added[spec.table] = added
                    report.updated[spec.table] = updated
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


def _import_file(
    store: Store, spec: TableSpec, path: Path, context: ImportContext
) -> tuple[int, int]:
    """Load one file, column by column if it can be, else row by row."""
    from cases.service.column_import import ColumnLoader, NeedsRowPath
    from cases.service.row_import import RowLoader

    try:
        with store.savepoint():
            return _load(store, spec, ColumnLoader(spec, path, context), context)
    except NeedsRowPath:
        return _load(store, spec, RowLoader(spec, path, context), context)


def _load(store: Store, spec: TableSpec, loader: Loader, context: ImportContext) -> tuple[int, int]:
    """Write LOADER's batches into SPEC's table; return (added, updated)."""
    table = spec.table
    last_before = store.max_id(table)
    # into an empty table: build its indexes once after the load, not row by row
    rebuild = store.drop_secondary_indexes(table) if last_before == 0 else []
    updated_ids: list[int] = []
    total = 0
    batches = ahead(loader.batches()) if loader.reads_ahead else loader.batches()
    with closing(batches):  # stops the worker thread at once if a write fails
        for batch in batches:
            if last_before:
                updated_ids.extend(store.ids_of_uids(table, batch.uids, up_to=last_before))
            try:
                if batch.rows_json is not None:
                    wrappers = batch.wrappers or ["{}"] * len(batch.columns)
                    store.upsert_json(table, batch.columns, wrappers, batch.rows_json)
                else:
                    store.upsert_rows(table, batch.columns, batch.rows)
            except CasesError as error:
                raise loader.refused(str(error)) from None
            total += len(batch.uids)
    store.create_indexes(rebuild)
    context.changed(table)
    last_after = store.max_id(table)
    if last_after > last_before:
        # AUTOINCREMENT under the write lock: what this import added is exactly this range
        store.log_insert_range(table, last_before + 1, last_after)
    store.index_search_rows(table, last_before, sorted(updated_ids))
    # links to rows of the same table (an appeal of a ruling) are set after the insert
    for column, pairs in loader.deferred.items():
        if not pairs:
            continue
        known = loader.uids | store.existing_uids(table, [target for _, target in pairs])
        for uid, target in pairs:
            if target not in known:
                raise loader.dangling(column, uid, target)
        store.set_links_by_uid(table, column, pairs)
    added = last_after - last_before
    return added, total - added


def load_folder(store: Store, folder: Path, command: str = "import csv") -> dict[str, int]:
    """Import FOLDER and return how many rows each table received."""
    report = import_folder(store, folder, command=command)
    return {
        table: report.added.get(table, 0) + report.updated.get(table, 0)
        for table in (spec.table for spec in TABLE_SPECS)
    }


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
