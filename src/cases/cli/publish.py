"""Publishing: ``publish`` (a database for reading with Datasette) and ``serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cases.cli._common import console, guarded, open_store, whole_number


@guarded
def publish(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder to write cases.db and metadata.json into.")
    ],
    include_private: Annotated[
        bool,
        typer.Option(
            "--include-private",
            help="Also publish private records and what would reveal them. Handle with care.",
        ),
    ] = False,
    title: Annotated[
        str | None,
        typer.Option("--title", metavar="TEXT", help="The site's title (default: Cases)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a publication that exists in DIR.")
    ] = False,
) -> None:
    """Write a database for reading with Datasette: DIR/cases.db and DIR/metadata.json.

    What an export would write and nothing more: private records and whatever
    would reveal them are left out (unless --include-private), and so are the
    change log and every internal table. Links read as names, facets list
    kinds, outcomes, decisions, courts and countries, people, organisations,
    events and sources can be searched, a timeline view lists every fact in
    date order, and every record's citations are one click away.
    Open it with: datasette DIR/cases.db -m DIR/metadata.json (or cases serve DIR).

    Example:

        cases publish site/ --title "Kazakh cases"
    """
    from cases.render import print_added
    from cases.service.publish import publish as write

    with open_store(ctx, write=False) as store:
        counts = write(store, folder, include_private=include_private, title=title, force=force)
    total = sum(counts.values())
    print_added(
        console(),
        "ok",
        f"published {total} records in {len(counts)} tables to {folder}; "
        f"view it with: cases serve {folder}",
    )


@guarded
def serve(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="A folder written by cases publish.")
    ],
    port: Annotated[
        str | None, typer.Option("--port", metavar="N", help="The port (default 8001).")
    ] = None,
) -> None:
    """Serve a publication with Datasette on this computer only (127.0.0.1).

    Runs: datasette DIR/cases.db -m DIR/metadata.json -h 127.0.0.1 -p N,
    until Ctrl-C. Needs the extra: pip install "cases\\[serve]".

    Example:

        cases serve site/ --port 8001
    """
    from cases.service.serve import DEFAULT_PORT, datasette_command, run_datasette

    chosen = whole_number(port, "--port")
    number = DEFAULT_PORT if chosen is None else chosen
    # Datasette says where it listens (http://127.0.0.1:N) once it does
    run_datasette(datasette_command(folder, number), number)
