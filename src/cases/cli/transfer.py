"""Moving data: ``export csv``, ``export json`` and ``import csv``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cases.cli._common import JsonOption, console, guarded, open_store

export_app = typer.Typer(
    help="Write the database out as CSV files, one JSON document or FollowTheMoney "
    "entities (private records left out unless --include-private).\n\nExample:\n\n"
    "    cases export csv --out shared/\n\n    cases export ftm --out cases.ftm.json",
    no_args_is_help=True,
)
import_app = typer.Typer(
    help="Read CSV files written by 'cases export csv' (all or nothing).\n\n"
    "Example:\n\n    cases import csv shared/ --dry-run",
    no_args_is_help=True,
)

IncludePrivate = Annotated[
    bool,
    typer.Option(
        "--include-private",
        help="Also write private records and what would reveal them. Handle with care.",
    ),
]
Force = Annotated[
    bool, typer.Option("--force", help="Replace files that exist (never the database).")
]


@export_app.command("csv")
@guarded
def export_csv(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write TABLE.csv files into.")
    ] = Path("cases-export"),
    include_private: IncludePrivate = False,
    force: Force = False,
) -> None:
    """Write one CSV file per table (UTF-8, uid links, formula-safe cells).

    Example:

        cases export csv --out shared/
    """
    from cases.render import print_added
    from cases.service.transfer import export_csv as write

    with open_store(ctx, write=False) as store:
        counts = write(store, out, include_private=include_private, force=force)
    total = sum(counts.values())
    print_added(console(), "ok", f"wrote {total} rows in {len(counts)} files to {out}")


@export_app.command("json")
@guarded
def export_json(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output).")
    ] = None,
    include_private: IncludePrivate = False,
    force: Force = False,
) -> None:
    """Write every table as one JSON document.

    Example:

        cases export json --out cases.json
    """
    from cases.service.transfer import export_json as write
    from cases.service.transfer import export_json_file

    with open_store(ctx, write=False) as store:
        if out is None:
            write(store, sys.stdout, include_private=include_private)
            return
        export_json_file(store, out, include_private=include_private, force=force)


@export_app.command("ftm")
@guarded
def export_ftm(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output).")
    ] = None,
    include_private: IncludePrivate = False,
    force: Force = False,
) -> None:
    """Write FollowTheMoney entities, one JSON object a line (for Aleph and other FtM tools).

    What FtM has no property for goes into each entity's notes (see the README).

    Example:

        cases export ftm --out cases.ftm.json
    """
    from cases.service.ftm import export_ftm as write
    from cases.service.ftm import export_ftm_file

    with open_store(ctx, write=False) as store:
        if out is None:
            write(store, sys.stdout, include_private=include_private)
            return
        counts = export_ftm_file(store, out, include_private=include_private, force=force)
    from cases.render import print_added

    print_added(console(), "ok", f"wrote {sum(counts.values())} entities to {out}")


@import_app.command("csv")
@guarded
def import_csv(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="FOLDER", help="Folder of TABLE.csv files.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything and count; change nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import CSV files: match records by uid (update) or add them; all or nothing.

    Any bad row refuses the whole import, naming the file and line.

    Example:

        cases import csv shared/ --dry-run
    """
    from cases.render import emit_json, print_records
    from cases.service.importing import import_folder

    with open_store(ctx, write=True, dry_run=dry_run) as store:
        report = import_folder(store, folder, dry_run=dry_run)
    rows = report.tables()
    if as_json:
        emit_json({"dry_run": dry_run, "tables": rows})
        return
    if dry_run:
        console().print("Dry run: nothing was changed. The import would write:")
    columns = [("Table", "table"), ("Added", "added"), ("Updated", "updated")]
    columns.append(("Unchanged", "unchanged"))
    if any(row["kept_private"] for row in rows):
        # the file said public; the database says private, and private it stays
        columns.append(("Kept private", "kept_private"))
    print_records(console(), columns, rows)
