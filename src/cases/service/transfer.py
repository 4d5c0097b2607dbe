"""Moving data out: export as CSV files or one JSON document, through the privacy filter."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

from cases.catalogue import TABLES
from cases.csv_io import replacing_files, text_file, write_csv
from cases.db.connection import Store
from cases.errors import Invalid
from cases.outputs import refuse_folder, refuse_output
from cases.privacy import PrivacyFilter

R = TypeVar("R")


def refuse_overwrite(store: Store, targets: Sequence[Path], force: bool) -> None:
    """Never write onto the database (or a file SQLite keeps beside it); replace an
    existing file only with FORCE (the one rule of :mod:`cases.outputs`)."""
    refuse_output(targets, store.path, force=force)


def export_csv(
    store: Store, folder: Path, *, include_private: bool = False, force: bool = False
) -> dict[str, int]:
    """Write every table as ``TABLE.csv`` into FOLDER through the privacy filter.

    One snapshot of the database: every table is read in one read transaction.
    The files are streamed to temporary files (mode 0600) that replace the
    targets together once all are complete, and are removed on any failure.
    """
    refuse_folder(folder, store.path)
    targets = [folder / f"{table.name}.csv" for table in TABLES]
    refuse_overwrite(store, [*targets, folder / MANIFEST], force)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise Invalid(f"cannot create {folder}: {error.strerror}") from None
    counts = {}
    with store.snapshot(), replacing_files([*targets, folder / MANIFEST]) as temporaries:
        visible = PrivacyFilter(store, include_private=include_private)
        for table, temporary in zip(TABLES, temporaries, strict=False):
            counts[table.name] = write_csv(
                temporary,
                table.csv_columns,
                visible.rows(table, defuse=True),
                defused=True,
            )
        with text_file(temporaries[-1]) as handle:
            json.dump(manifest(public=not include_private), handle)
            handle.write("\n")
        visible.note_public_mentions()
    return counts


# What an export folder says of itself, beside its tables.
MANIFEST = "cases-export.json"


def manifest(*, public: bool) -> dict[str, object]:
    """The manifest of an export: a public one (through the privacy filter) may
    have left links and texts empty that the data fills, which an import of it
    then leaves as they are."""
    return {"format": "cases csv", "version": 1, "public": public}


def is_public_export(folder: Path) -> bool:
    """Whether FOLDER holds a public export (its manifest says so)."""
    try:
        document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("public") is True


def write_to_file(store: Store, path: Path, force: bool, write: Callable[[TextIO], R]) -> R:
    """WRITE into the file PATH, which appears only when complete (mode 0600):
    never a folder nor the database, an existing file only with FORCE."""
    if path.is_dir():
        raise Invalid(f"{path} is a folder; give a file name")
    refuse_overwrite(store, [path], force)
    with replacing_files([path]) as (temporary,), text_file(temporary) as handle:
        return write(handle)


def export_json_file(
    store: Store, path: Path, *, include_private: bool = False, force: bool = False
) -> dict[str, int]:
    """:func:`export_json` into the file PATH, which appears only when complete."""
    return write_to_file(
        store, path, force, lambda out: export_json(store, out, include_private=include_private)
    )


def export_json(store: Store, out: TextIO, *, include_private: bool = False) -> dict[str, int]:
    """Write one JSON document ``{"format", "version", "tables": {TABLE: [row...]}}``.

    Rows are streamed one at a time, with the same columns and privacy as CSV,
    from one snapshot of the database.
    """
    counts = {}
    with store.snapshot():
        visible = PrivacyFilter(store, include_private=include_private)
        out.write('{"format": "cases", "version": 1, "tables": {')
        for table_index, table in enumerate(TABLES):
            header = table.csv_columns
            out.write(("," if table_index else "") + f"\n{json.dumps(table.name)}: [")
            count = 0
            for row in visible.rows(table):
                document = dict(zip(header, row, strict=True))
                if "private" in document:
                    document["private"] = bool(document["private"])
                out.write(
                    ("," if count else "") + "\n  " + json.dumps(document, ensure_ascii=False)
                )
                count += 1
            out.write("\n]")
            counts[table.name] = count
        out.write("\n}}\n")
        visible.note_public_mentions()
    return counts
