"""Importing a folder of CSV tables in one transaction, and the sample cases.

Each file is staged, checked and written in SQL (:mod:`cases.db.staging`): all
rows or none, the first bad row named with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cases.catalogue import TABLE, TABLES, load_order
from cases.db import bulk, changelog, loading
from cases.db.connection import Store
from cases.errors import CasesError, ImportRefused
from cases.privacy import withheld
from cases.service.transfer import is_public_export

if TYPE_CHECKING:
    from cases.db.pg.store import ServerStore

# The order an import report lists tables in (as an export writes them).
REPORT_ORDER = tuple(table.name for table in TABLES)


@dataclass
class ImportReport:
    """How many records an import added, updated and left unchanged, per table."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    # rows that would have made a private record public: imported, still private
    kept_private: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def tables(self) -> list[dict[str, object]]:
        """One line per table, in the usual table order."""
        return [
            {
                "table": name,
                "added": self.added[name],
                "updated": self.updated[name],
                "unchanged": self.unchanged[name],
                "kept_private": self.kept_private[name],
            }
            for name in REPORT_ORDER
            if name in self.added
        ]


def import_folder(
    store: Store,
    folder: Path,
    *,
    dry_run: bool = False,
    command: str = "import csv",
    keep_existing: bool = False,
) -> ImportReport:
    """Import every ``TABLE.csv`` in FOLDER in one transaction: all rows or none.

    Rows are matched by uid (updated where something differs) or added; ``*_uid``
    columns are resolved to the records they name. The first bad row refuses
    the whole import with its file and line. With DRY_RUN everything is checked
    and counted, then rolled back. With KEEP_EXISTING a record that exists is
    left exactly as it is (only missing ones are added). An import never makes
    a private record public: an update keeps the flag, and the report says so.
    An import of a public export (its manifest says so) leaves the links and
    texts the privacy filter may have emptied as they are where its cell is empty.
    """
    if not folder.is_dir():
        raise ImportRefused(f"{folder} is not a folder of CSV files")
    expected = {f"{name}.csv" for name in load_order()}
    present = {path.name for path in folder.glob("*.csv")}
    unknown = sorted(present - expected)
    if unknown:
        raise ImportRefused(
            f"{unknown[0]}: not a cases table; expected files: {', '.join(sorted(expected))}"
        )
    if not present:
        raise ImportRefused(f"{folder} holds no cases CSV files ({', '.join(sorted(expected))})")
    if not store.imports_in_place:
        return _import_through_a_file(store, folder, dry_run, command, keep_existing)
    report = ImportReport(dry_run=dry_run)
    public = is_public_export(folder)
    bulk.use_large_cache(store)
    with (
        bulk.rollback_journal_if_empty(store),
        bulk.keys_checked_once(store),
        store.transaction(command, dry_run=dry_run),
    ):
        changelog.set_bulk(store, True)
        with bulk.insert_triggers_dropped(store):
            for name in load_order():
                path = folder / f"{name}.csv"
                if path.exists():
                    _load(store, name, path, keep_existing, public, report)
        changelog.set_bulk(store, False)
        store.change_summary = f"imported {folder}"
    return report


def _import_through_a_file(
    store: Store, folder: Path, dry_run: bool, command: str, keep_existing: bool
) -> ImportReport:
    """An import into a team database: the same import run on a private copy of
    its records in a temporary file, then what it changed there written into
    the server as one change (see :mod:`cases.db.pg.importing`)."""
    import tempfile

    from cases.csv_io import removed_if_killed
    from cases.db.pg.store import ServerStore

    assert isinstance(store, ServerStore)
    with tempfile.TemporaryDirectory(prefix="cases-import-") as scratch:
        path = Path(scratch) / "mirror.db"
        # a plain copy of the team's records: removed however this process ends
        with removed_if_killed([path, path.with_name(f"{path.name}-writer")], Path(scratch)):
            mirror = Store.open(path, write=True)
            try:
                report = _import_through(store, mirror, folder, dry_run, command, keep_existing)
            finally:
                mirror.close()
    if not dry_run:
        store.analyze(name for name in REPORT_ORDER if report.added.get(name))
    return report


def _import_through(
    store: ServerStore,
    mirror: Store,
    folder: Path,
    dry_run: bool,
    command: str,
    keep_existing: bool,
) -> ImportReport:
    """An import into STORE through MIRROR, a new file."""
    from cases.db.pg.importing import fill_mirror, write_back

    with store.transaction(command, dry_run=dry_run):
        counters = fill_mirror(store, mirror)
        # into the copy for real, even for a dry run: the server's own writing
        # is what is tried and rolled back (what it refuses, a NUL character,
        # a dry run refuses too)
        report = import_folder(mirror, folder, command=command, keep_existing=keep_existing)
        report.dry_run = dry_run
        write_back(store, mirror, counters)
        store.change_summary = f"imported {folder}"
    return report


def _load(
    store: Store,
    name: str,
    path: Path,
    keep_existing: bool,
    public: bool,
    report: ImportReport,
) -> None:
    """Stage, check and write one file. From a PUBLIC export, an empty cell that
    the privacy filter may have emptied (a link or text that would reveal a
    private record) leaves the record's value as it is."""
    load = loading.FileLoad(store, TABLE[name], path)
    if public:
        load.keep_when_withheld(*withheld(TABLE[name]))
    total = load.stage()
    last_before = bulk.last_id(store, name)
    into_empty = not bulk.holds_rows(store, name)
    # into an empty table, the unique index built after the load finds a repeat
    load.checks_repeats = not into_empty
    load.check()
    load.check_presence_rules()
    # into an empty table: build its indexes once after the load, not row by row
    rebuild = bulk.drop_indexes(store, name) if into_empty else []
    kept_private = 0 if into_empty or keep_existing else load.kept_private()
    added = load.insert_new(into_empty=into_empty)
    try:
        bulk.create_indexes(store, name, rebuild)
    except CasesError as error:  # a unique key repeats: which row, if it is the uid?
        raise load.explain(str(error)) from None
    if added:
        # AUTOINCREMENT under the write lock: what this file added is exactly this range
        changelog.log_insert_range(store, name, last_before + 1, last_before + added)
    load.index_new(last_before)
    updated = 0 if into_empty or keep_existing else load.update_existing()
    load.link_within()
    load.check_rules(added_after=last_before if into_empty else None)
    for column, target in TABLE[name].links.items():
        if target == name:
            circular = bulk.first_in_a_cycle(store, name, column)
            if circular is not None:
                what = TABLE[name].field(column).what
                raise ImportRefused(
                    f"{path.name}: {circular} is {what} itself, or {what} one that is"
                )
    # one set-based check of what foreign keys checked row by row would have:
    # a link naming nothing was written as id -1 (see loading.FileLoad._select)
    if bulk.broken_links(store, name):
        raise load.explain("a row refers to a record that is not there")
    load.drop()
    report.added[name] = added
    report.updated[name] = updated
    report.unchanged[name] = total - added - updated
    report.kept_private[name] = kept_private


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
    return {name: report.added.get(name, 0) for name in REPORT_ORDER}
