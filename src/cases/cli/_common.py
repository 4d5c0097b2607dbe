"""What every command shares: the database option, opening the store, the error guard."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand

from cases.errors import CasesError

F = TypeVar("F", bound=Callable[..., Any])

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only (to stdout).")]
NoteOption = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A free-text note.")]
SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="SRC",
        help="Cite a source: an S reference, a recorded URL or a new URL. Repeatable.",
    ),
]
PrivateOption = Annotated[
    bool, typer.Option("--private", help="Mark private: never exported without --include-private.")
]
AccordingToOption = Annotated[
    str | None,
    typer.Option(
        "--according-to",
        metavar="ACTOR",
        help="Who, according to the --source, made the claim (a person or organisation).",
    ),
]
WithOption = Annotated[
    list[str] | None,
    typer.Option(
        "--with",
        metavar="ACTOR[=ROLE]",
        help="Someone else taking part, with a role (default participant): subject, victim, "
        "perpetrator, organizer, participant, petitioner, addressee, speaker, witness, "
        "authority, other. Repeatable.",
    ),
]


class OneValueEach(TyperCommand):
    """A command whose options that take one value refuse to be given twice (a
    usage error, exit 2) instead of keeping the last value silently."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        given: dict[str, int] = {}
        for word in args:
            if word == "--":
                break
            if word.startswith("-"):
                name = word.split("=", 1)[0]
                given[name] = given.get(name, 0) + 1
        for param in self.params:
            if param.param_type_name != "option" or getattr(param, "multiple", False):
                continue
            if getattr(param, "is_flag", False):
                continue
            times = sum(given.get(name, 0) for name in param.opts)
            if times > 1:
                raise typer.BadParameter(
                    f"{param.opts[0]} takes one value and was given {times} times", ctx=ctx
                )
        return list(super().parse_args(ctx, args))


def vocabulary(table: str, field: str, *names: str, help: str | None = None) -> Any:
    """An option taking one word of a field's vocabulary: the help lists the words
    and the shell completes them, both from the catalogue."""
    from cases.catalogue import TABLE

    described = TABLE[table].field(field)
    words = described.described()
    return typer.Option(
        *names,
        help=f"{help} {words}" if help else words,
        autocompletion=described.complete,
    )


def whole_number(value: str | None, option: str) -> int | None:
    """A whole-number option, parsed here so that a bad value is a user error (exit 1)."""
    if value is None:
        return None
    from cases.errors import Invalid

    try:
        number = int(value.strip())
    except ValueError:
        raise Invalid(f"{option} takes a whole number, not {value!r}") from None
    if abs(number) > 2**63 - 1:
        raise Invalid(f"{option} {value.strip()} is too large") from None
    return number


def default_db_path() -> Path:
    """``cases.db`` in the platform's user data folder."""
    from platformdirs import user_data_path

    return user_data_path("cases", appauthor=False) / "cases.db"


def db_path(ctx: typer.Context) -> Path:
    """The database path: --db, else CASES_DB, else the user data folder."""
    root = ctx.find_root()
    chosen = (root.obj or {}).get("db")
    if chosen:
        return Path(chosen).expanduser()
    env = os.environ.get("CASES_DB")
    if env:
        return Path(env).expanduser()
    return default_db_path()


@contextmanager
def open_store(ctx: typer.Context, *, write: bool, dry_run: bool = False) -> Iterator[Any]:
    """Open the store for one command; a database this command created and left
    empty after an error (or a dry run) is removed, so it leaves nothing behind.

    A dry run opens the database for writing (its checks run inside a write
    transaction, rolled back at the end)."""
    from cases.db import Store

    store = Store.open(db_path(ctx), write=write or dry_run)
    try:
        yield store
        if dry_run and store.created_file:
            store.discard_if_new()
    except BaseException:
        if store.created_file and store.is_empty():
            store.discard_if_new()
        raise
    else:
        # only after success: an error's first stderr line must be its Error: line
        if store.notices:
            from cases.render import print_notice

            for notice in store.notices:
                print_notice(notice)
    finally:
        store.close()


def guarded(function: F) -> F:
    """Turn a CasesError into ``Error: ...`` on stderr and exit status 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except CasesError as error:
            from cases.render import print_error

            print_error(str(error))
            raise typer.Exit(1) from None
        except OSError as error:  # a path that cannot be read or written
            from cases.render import print_error

            where = f"{error.filename}: " if error.filename else ""
            print_error(f"cannot use {where}{error.strerror or error}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def console() -> Any:
    """The console commands print to."""
    from cases.render import make_console

    return make_console()
