"""The ``cases`` command line: a Typer app whose commands live in one module per verb."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from cases import __version__
from cases.cli import add, admin, change, read, transfer

app = typer.Typer(
    name="cases",
    help="Track human-rights cases: people, trials, rulings, asylum decisions, detentions, "
    "events and the sources that report them.\n\n"
    "Example:\n\n    cases init --sample && cases timeline",
    no_args_is_help=True,
    # Tracebacks could print record contents (locals, messages): never show them.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cases {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Database file (default: $CASES_DB, else cases.db in your user data folder).",
        ),
    ] = None,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Track human-rights cases and their sources.

    Example:

        cases init --sample && cases timeline
    """
    ctx.obj = {"db": db}


app.add_typer(add.app, name="add")
app.command("show")(read.show)
app.command("timeline")(read.timeline)
app.command("list")(read.list_records)
app.command("search")(read.search)
app.command("stats")(read.stats)
app.command("edit")(change.edit)
app.command("delete")(change.delete)
app.command("dupes")(change.dupes)
app.command("merge")(change.merge)
app.command("init")(admin.init)
app.command("log")(admin.log)
app.command("undo")(admin.undo)
app.command("backup")(admin.backup)
app.command("check")(admin.check)
app.add_typer(transfer.export_app, name="export")
app.add_typer(transfer.import_app, name="import")


def main() -> None:
    """Console entry point: user errors exit 1; anything else exits 1 without a traceback."""
    # Every file this process creates (database, journal, exports) is private to its owner.
    os.umask(0o077)
    try:
        app()
    except Exception as error:  # a bug: say so, but print no record contents
        sys.stderr.write(
            f"Error: internal error ({type(error).__name__}); nothing was changed. "
            "Please report it with the command you ran.\n"
        )
        sys.exit(1)
