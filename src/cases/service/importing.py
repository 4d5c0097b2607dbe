"""Importing a folder of CSV tables in one transaction, and the sample cases.

Each file is first loaded column by column (:mod:`cases.service.column_import`),
inside a savepoint. If that fast path meets anything it does not handle, the
file is rolled back and loaded again row by row
(:mod:`cases.service.row_import`), which applies the same rules one cell at a
time and names the file, line and problem of the first bad row. Both paths end
in the same place: :func:`_write` writes their batches and :func:`_finish` does
the rest. A worker thread reads and checks the files ahead
(:mod:`cases.service.files_ahead`) while the main thread writes.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cases.errors import CasesError, ImportRefused
from cases.schema import CITABLE_TABLES
from cases.service.transfer import TABLE_SPECS, TableSpec
from cases.store import Store


@dataclass
class Batch:
    """Checked rows of one table, ready for one write: as ROWS (value sequences in
    COLUMNS order) or as VALUES (the same rows one after another in one flat
    list), each value wrapped in its SQL template from WRAPPERS (``{}`` is the
    value)."""

    columns: list[str]
    uids: Sequence[str]
    rows: Any = None
    values: list[Any] | None = None
    wrappers: list[str] | None = None

    def column(self, name: str) -> Sequence[Any]:
        """The values of column NAME, row after row."""
        index = self.columns.index(name)
        if self.values is not None:
            return self.values[index :: len(self.columns)]
        return [row[index] for row in self.rows]


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

    spec: TableSpec
    uids: set[str]
    # the record_uid of each citation read, in file order
    cited: list[str]
    deferred: dict[str, list[tuple[str, str]]]

    def batches(self) -> Generator[Batch, None, None]: ...

    def refused(self, problem: str) -> Exception: ...

    def dangling(self, column: str, uid: str, target: str) -> Exception: ...


@dataclass
class ImportReport:
    """How many records an import added and updated, per table."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # rows whose record existed and was left as it was (``keep_existing``)
    kept: dict[str, int] = field(default_factory=dict)
    # rows that would have made a private record public: imported, still private
    kept_private: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def import_folder(
    store: Store,
    folder: Path,
    *,
    dry_run: bool = False,
    command: str = "import csv",
    keep_existing: bool = False,
) -> ImportReport:
    """Import every ``TABLE.csv`` in FOLDER in one transaction: all rows or none.

    Rows are matched by uid (updated) or inserted; ``*_uid`` columns are
    resolved to the records they name. The first bad row refuses the whole
    import with its file and line. With DRY_RUN everything is checked and
    counted, then rolled back. With KEEP_EXISTING a row whose record exists is
    left out and the record left exactly as it is (only missing ones are added).
    An import never makes a private record public: an update keeps the flag.
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
    files = [(spec, folder / f"{spec.table}.csv") for spec in load_order()]
    store.use_large_cache()
    with (
        tuned_for_bulk_work(),
        store.keys_checked_once(),
        store.transaction(command, dry_run=dry_run),
    ):
        store.set_bulk(True)
        with store.insert_triggers_dropped():
            counts, cited = _load_files(
                store, [(s, p) for s, p in files if p.exists()], keep_existing, report
            )
        store.set_bulk(False)
        dangling = cited.first_dangling(store)
        if dangling:
            raise ImportRefused(f"citations.csv: record_uid {dangling} names no record")
        for spec in TABLE_SPECS:  # reported in the usual table order
            if spec.table in counts:
                added, updated = counts[spec.table]
                report.added[spec.table] = added
                report.updated[spec.table] = 0 if keep_existing else updated
                report.kept[spec.table] = updated if keep_existing else 0
                report.kept_private.setdefault(spec.table, 0)
        store.change_summary = f"imported {folder}"
    return report


# The order files are loaded in: every table after those it links to, the
# parents (sources, people, trials) first, so that the worker can read every
# later file without waiting for the one before it to be written.
_LOAD_ORDER = (
    "sources",
    "people",
    "trials",
    "events",
    "citations",
    "detentions",
    "asylum",
    "aliases",
    "trial_parties",
    "rulings",
    "relations",
)


def load_order() -> list[TableSpec]:
    """TABLE_SPECS in the order an import loads them."""
    by_table = {spec.table: spec for spec in TABLE_SPECS}
    return [by_table[table] for table in _LOAD_ORDER]


def unresolved_citations(loaders: Sequence[Loader]) -> set[str]:
    """The record uids the citations of LOADERS name that none of their own
    citable rows has: the only ones the dangling-citation check must look up.

    The worker computes this once it has read every file, while the main thread
    is still writing: at 100,000 people it is a set of a million uids less a
    million, a third of a second taken off the main thread.
    """
    cited = set().union(*(loader.cited for loader in loaders))
    return cited.difference(
        *(loader.uids for loader in loaders if loader.spec.table in CITABLE_TABLES)
    )


class _CitedRecords:
    """What the dangling-citation check needs, gathered file by file."""

    def __init__(self) -> None:
        # uids of the citable tables (not the citations' own, a million at
        # 100,000 people), the cited uids in file order, and those cited uids
        # still to be looked up
        self.loaded: dict[str, set[str]] = {}
        self.cited: list[str] = []
        self.unresolved: set[str] = set()
        # files read by the worker, whose cited uids it resolves itself at the end
        self._ahead: list[Loader] = []

    def remember(self, loader: Loader, *, read_ahead: bool) -> None:
        """Keep what the check needs of a file LOADER has read."""
        if loader.spec.table in CITABLE_TABLES:
            self.loaded[loader.spec.table] = loader.uids
        self.cited.extend(loader.cited)
        if read_ahead:
            self._ahead.append(loader)
        else:
            self.unresolved.update(loader.cited)

    def worker_done(self, unresolved: set[str]) -> None:
        """The worker's :func:`unresolved_citations` of the files it read."""
        self.unresolved |= unresolved
        self._ahead.clear()

    def worker_stopped(self) -> None:
        """The worker stopped before the end: resolve its files here."""
        for loader in self._ahead:
            self.unresolved.update(loader.cited)
        self._ahead.clear()

    def first_dangling(self, store: Store) -> str | None:
        """The first cited record uid (in file order) that names no record, if any."""
        unknown = self.unresolved.difference(*self.loaded.values())
        if not unknown:
            return None
        for table in CITABLE_TABLES:
            unknown -= store.existing_uids(table, sorted(unknown))
        return next((uid for uid in self.cited if uid in unknown), None)


def _load_files(
    store: Store, files: list[tuple[TableSpec, Path]], keep_existing: bool, report: ImportReport
) -> tuple[dict[str, tuple[int, int]], _CitedRecords]:
    """Load FILES in order; return (added, updated) per table and what the
    dangling-citation check needs.

    Each file goes the column path inside a savepoint, or, if that meets
    anything it does not handle, is rolled back and goes the row path; the
    worker (which may have read ahead with ids now rolled back) starts again
    after it.
    """
    from cases.service.column_import import NeedsRowPath
    from cases.service.files_ahead import FilesAhead
    from cases.service.row_import import RowLoader

    context = ImportContext(store)
    counts: dict[str, tuple[int, int]] = {}
    cited = _CitedRecords()
    pipeline: FilesAhead | None = None
    try:
        for position, (spec, path) in enumerate(files):
            try:
                with store.savepoint():
                    pipeline = pipeline or FilesAhead(files[position:], store, context)
                    loader, batches = pipeline.next_file(spec)
                    written = _write(store, spec, loader, batches, keep_existing, report)
                    context.changed(spec.table)
                    pipeline.publish(spec.table, context)
                    counts[spec.table] = _finish(store, spec, loader, written)
                    cited.remember(loader, read_ahead=True)
            except NeedsRowPath:
                if pipeline is not None:
                    pipeline.close()
                    pipeline = None
                    cited.worker_stopped()
                loader = RowLoader(spec, path, context)
                written = _write(store, spec, loader, loader.batches(), keep_existing, report)
                context.changed(spec.table)
                counts[spec.table] = _finish(store, spec, loader, written)
                cited.remember(loader, read_ahead=False)
        if pipeline is not None:
            cited.worker_done(pipeline.unresolved_citations())
    finally:
        if pipeline is not None:
            pipeline.close()
    return counts, cited


@dataclass
class _Written:
    """What :func:`_finish` needs to know about a file's rows once they are in."""

    last_before: int
    rebuild: list[str]
    updated_ids: list[int]
    total: int


def _write(
    store: Store,
    spec: TableSpec,
    loader: Loader,
    batches: Generator[Batch, None, None],
    keep_existing: bool,
    report: ImportReport,
) -> _Written:
    """Write BATCHES (LOADER's) into SPEC's table."""
    table = spec.table
    last_before = store.max_id(table)
    # into an empty table: build its indexes once after the load, not row by row
    into_empty = last_before == 0
    written = _Written(last_before, store.drop_indexes(table) if into_empty else [], [], 0)
    on_conflict = "insert" if into_empty else "keep" if keep_existing else "update"
    with closing(batches):
        for batch in batches:
            if on_conflict == "update":
                updated = store.ids_of_uids(table, batch.uids, up_to=last_before)
                store.unindex_search_rows(table, updated)  # while the old text is there
                written.updated_ids.extend(updated)
                if "private" in batch.columns:
                    flags = zip(batch.uids, batch.column("private"), strict=True)
                    public = [uid for uid, private in flags if not private]
                    kept = store.count_private(table, public)
                    report.kept_private[table] = report.kept_private.get(table, 0) + kept
            try:
                if batch.values is not None:
                    wrappers = batch.wrappers or ["{}"] * len(batch.columns)
                    store.upsert_values(
                        table, batch.columns, wrappers, batch.values, on_conflict=on_conflict
                    )
                else:
                    store.upsert_rows(table, batch.columns, batch.rows, on_conflict=on_conflict)
            except CasesError as error:
                raise loader.refused(str(error)) from None
            written.total += len(batch.uids)
    return written


def _finish(store: Store, spec: TableSpec, loader: Loader, written: _Written) -> tuple[int, int]:
    """Indexes, change log, search index and same-table links of a file's rows;
    return (added, updated)."""
    table = spec.table
    try:
        store.create_indexes(table, written.rebuild)
    except CasesError as error:  # a unique key repeats
        raise loader.refused(str(error)) from None
    last_after = store.max_id(table)
    if last_after > written.last_before:
        # AUTOINCREMENT under the write lock: what this import added is exactly this range
        store.log_insert_range(table, written.last_before + 1, last_after)
    store.index_search_rows(table, written.last_before, sorted(written.updated_ids))
    # links to rows of the same table (an appeal of a ruling) are set after the insert
    for column, pairs in loader.deferred.items():
        if not pairs:
            continue
        known = loader.uids | store.existing_uids(table, [target for _, target in pairs])
        for uid, target in pairs:
            if target not in known:
                raise loader.dangling(column, uid, target)
        store.set_links_by_uid(table, column, pairs)
        circular = store.first_in_a_cycle(table, column)
        if circular is not None:
            raise ImportRefused(
                f"{table}.csv: {circular} is an appeal of itself, or of an appeal of itself"
            )
    # Links are resolved to ids just read, so this never fires; it is the
    # guarantee that foreign keys checked row by row would have given. Checked
    # here, while the worker still reads, rather than once at the end: a later
    # file never changes this one's links.
    if store.broken_links(table):
        raise ImportRefused(f"{table}.csv: a row refers to a record that is not there")
    added = last_after - written.last_before
    return added, written.total - added


@contextmanager
def tuned_for_bulk_work() -> Iterator[None]:
    """The interpreter set for an import's two threads, and restored after it.

    - The cycle collector is off. An import makes millions of short-lived lists
      and tuples and no cycles; the collector, triggered every few hundred of
      them, kept walking every live container and took a quarter of the time
      spent checking rows.
    - The switch interval is 0.1 ms (5 ms by default). The main thread runs each
      SQL statement without Python's lock and then waits for the worker to hand
      it back, up to a switch interval per statement (and then until the
      worker's C call at hand ends: hence the small chunks of
      ``column_import.CHUNK_ROWS``). At 100,000 people, with chunks of 1,000
      rows, an import took 1.97x raw executemany at 0.1 ms, 2.34x at 0.5 ms
      and 2.66x at 2 ms (median of 5 alternating runs); 0.05 and 0.02 ms
      measured no better than 0.1 ms.
    """
    was_enabled, interval = gc.isenabled(), sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(0.0001)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if was_enabled:
            gc.enable()


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
    """Add the sample cases shipped in data/ that are missing (by uid); a sample
    record that exists is never changed, so an edit or a private mark survives."""
    report = import_folder(store, sample_folder(), command="init --sample", keep_existing=True)
    return {table: report.added.get(table, 0) for table in (spec.table for spec in TABLE_SPECS)}
