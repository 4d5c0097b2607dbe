"""The ``cases`` command line: a Typer app whose commands live in one module per verb."""

from __future__ import annotations

import importlib
import os
import signal
import sys
from typing import Annotated

import typer

from cases import __version__
from cases.cli._common import OneValueEach, PlainGroup

# Each command: its module under cases.cli, the object there, and whether it is a
# group of subcommands. main() registers only the command being run, so a command
# does not pay for building the other two dozen (see bench/README.md).
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "add": ("add", "app", True),
    "show": ("read", "show", False),
    "timeline": ("read", "timeline", False),
    "list": ("read", "list_records", False),
    "search": ("read", "search", False),
    "stats": ("read", "stats", False),
    "edit": ("change", "edit", False),
    "delete": ("change", "delete", False),
    "cite": ("evidence", "cite", False),
    "uncite": ("evidence", "uncite", False),
    "uncited": ("evidence", "uncited", False),
    "dupes": ("change", "dupes", False),
    "merge": ("change", "merge", False),
    "init": ("admin", "init", False),
    "log": ("admin", "log", False),
    "undo": ("admin", "undo", False),
    "backup": ("admin", "backup", False),
    "check": ("admin", "check", False),
    "export": ("transfer", "export_app", True),
    "chart": ("chart", "chart", False),
    "import": ("transfer", "import_app", True),
    "encrypt": ("encryption", "encrypt", False),
    "decrypt": ("encryption", "decrypt", False),
    "publish": ("publish", "publish", False),
    "serve": ("publish", "serve", False),
    "team": ("team", "team_app", True),
    "copy": ("team", "copy", False),
}
# Global options that take a value, to find the command name in argv.
_VALUE_OPTIONS = {"--db"}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cases {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Database file, or a team database (postgresql://USER@HOST/DBNAME); "
            "default: $CASES_DB, else cases.db in your user data folder.",
        ),
    ] = None,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager", help="Never send long answers through a pager (as NO_PAGER does)."
        ),
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Track human-rights cases and their sources."""
    ctx.obj = {"db": db, "no_pager": no_pager}


def build_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every command, or with only the command ONLY."""
    app = typer.Typer(
        name="cases",
        cls=PlainGroup,
        help="Track human-rights cases: people, trials, rulings, asylum decisions, detentions, "
        "events and the sources that report them.\n\n"
        "Example:\n\n    cases init --sample\n    cases timeline",
        no_args_is_help=True,
        # Tracebacks could print record contents (locals, messages): never show them.
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        add_completion=True,
    )
    app.callback()(root)
    for name, (module_name, attribute, is_group) in COMMANDS.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"cases.cli.{module_name}")
        target = getattr(module, attribute)
        if is_group:
            app.add_typer(target, name=name)
        else:
            app.command(name, cls=OneValueEach)(target)
    return app


def command_name(argv: list[str]) -> str | None:
    """The command a command line runs, if it names a known one."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word in _VALUE_OPTIONS:
            index += 2
            continue
        if word.startswith("-"):
            index += 1
            continue
        return word if word in COMMANDS else None
    return None


def __getattr__(name: str) -> typer.Typer:
    # `from cases.cli import app` (tests, tools) gets the full app, built on demand
    if name == "app":
        return build_app()
    raise AttributeError(name)


class Interrupted(BaseException):
    """Ctrl-C: unwinds like KeyboardInterrupt (transactions roll back, temporary
    files go), but past Click, which would print "Aborted!" and exit 1."""


_interrupt_requested = False


def _interrupted(signum: int, frame: object) -> None:
    global _interrupt_requested
    _interrupt_requested = True
    raise Interrupted


def main() -> None:
    """Console entry point: user errors exit 1; anything else exits 1 without a traceback."""
    # Every file this process creates (database, journal, exports) is private to its owner.
    os.umask(0o077)
    signal.signal(signal.SIGINT, _interrupted)
    app = build_app(command_name(sys.argv[1:]))
    try:
        try:
            app(prog_name="cases")
        finally:
            # what is still buffered goes now, while a closed pipe can be caught
            sys.stdout.flush()
    except Interrupted:
        sys.exit(130)
    except BrokenPipeError:  # the reader (head, a pager) stopped: end quietly
        from cases.cli._common import quiet_stdout

        quiet_stdout()
        sys.exit(0)
    except Exception as error:  # a bug: say so, but print no record contents
        if _interrupt_requested:
            # Ctrl-C inside a SQL function (cell defusing) reaches us as SQLite's
            # "user-defined function raised exception": still a Ctrl-C
            sys.exit(130)
        sys.stderr.write(
            f"Error: internal error ({type(error).__name__}); nothing was changed. "
            "Please report it with the command you ran.\n"
        )
        sys.exit(1)
