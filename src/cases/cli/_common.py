"""What every command shares: the database option, opening the store, the error guard."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from cases.errors import CasesError

F = TypeVar("F", bound=Callable[..., Any])

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only (to stdout).")]
NoPagerOption = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print straight to the terminal, not through $CASES_PAGER, $PAGER or less.",
    ),
]
AccordingToOption = Annotated[
    str | None,
    typer.Option(
        "--according-to",
        metavar="ACTOR",
        help="Who, according to the --source, made the claim (a person or organisation).",
    ),
]


def _taken_as_given(params: list[Any]) -> None:
    """Give the parameters that hold text or flags a coercion that returns them as
    Click parsed them.

    Typer (0.26 and later) coerces every parameter through a pydantic TypeAdapter,
    built when the parameter is first processed: importing pydantic for that costs
    about a fifth of a short command (see bench/README.md). Text, lists of text and
    flags need no coercion. Other annotations (paths, numbers) keep Typer's own.
    """
    as_given = _as_given_class()
    if as_given is None:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", True) is not None:
            continue
        annotation = descriptor.annotation
        if annotation in (str, bool) or annotation == list[str]:
            param._runtime_param = as_given(
                parameter_info=descriptor.parameter_info, annotation=annotation
            )


@functools.cache
def _as_given_class() -> Any:
    try:
        from typer._coercion import RuntimeParam
    except ImportError:  # another Typer: it keeps its own coercion
        return None

    class AsGiven(RuntimeParam):
        """A parameter's value as Click parsed it (a list for a repeated option)."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            return list(value) if isinstance(value, tuple) else value

    return AsGiven


class PlainGroup(TyperGroup):
    """The root command group: its options (--db) are taken as given (see
    :func:`_taken_as_given`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _taken_as_given(self.get_params(ctx))
        return list(super().parse_args(ctx, args))


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
        _taken_as_given(self.get_params(ctx))
        return list(super().parse_args(ctx, args))


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


def db_location(ctx: typer.Context) -> str:
    """The database as given: --db, else CASES_DB, else the user data folder's file."""
    root = ctx.find_root()
    chosen = (root.obj or {}).get("db") or os.environ.get("CASES_DB")
    return str(chosen) if chosen else str(default_db_path())


def db_path(ctx: typer.Context) -> Path:
    """The database file: --db, else CASES_DB, else the user data folder. A team
    database (postgresql://) is refused, naming what runs there in this version."""
    from cases.db.pg import is_server

    location = db_location(ctx)
    if is_server(location):
        from cases.db.pg import where
        from cases.errors import CasesError

        command = ctx.command_path.split(" ", 1)[-1] if ctx.command_path else "this command"
        raise CasesError(
            f"{command} does not run on a PostgreSQL database yet ({where(location)}); "
            f"{', '.join(SERVER_COMMANDS)}, team and copy do: copy the records into a file "
            "with cases copy --from URL --to FILE"
        )
    return Path(location).expanduser()


# The commands that run on a team's PostgreSQL database (cases.db.pg.store).
SERVER_COMMANDS = (
    "show",
    "timeline",
    "list",
    "stats",
    "uncited",
    "add",
    "edit",
    "delete",
    "cite",
    "uncite",
    "merge",
    "undo",
    "log",
    "dupes",
    "export",
    "search",
    "check",
    "init",
    "chart",
    "publish",
    "import",
)


def _server_url(ctx: typer.Context) -> str | None:
    """The URL of the team database this command works on, if it does."""
    from cases.db.pg import is_server

    location = db_location(ctx)
    words = (ctx.command_path or "").split()
    if not is_server(location) or len(words) < 2 or words[1] not in SERVER_COMMANDS:
        return None
    return location


@contextmanager
def open_store(ctx: typer.Context, *, write: bool, dry_run: bool = False) -> Iterator[Any]:
    """Open the store for one command; a database this command created and left
    empty after an error (or a dry run) is removed, so it leaves nothing behind.

    A dry run opens the database for writing (its checks run inside a write
    transaction, rolled back at the end)."""
    from cases.db import Store

    url = _server_url(ctx)
    if url is not None:
        from cases.db.pg.store import ServerStore

        store: Any = ServerStore.open_url(url, write=write or dry_run)
    else:
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
        except BrokenPipeError:  # the reader (head, a pager) stopped reading: so do we
            quiet_stdout()
            raise typer.Exit(0) from None
        except OSError as error:  # a path that cannot be read or written
            from cases.render import print_error

            where = f"{error.filename}: " if error.filename else ""
            print_error(f"cannot use {where}{error.strerror or error}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def long_answer(ctx: typer.Context, no_pager: bool = False) -> Iterator[Any]:
    """Where a long answer is written as it is read: a pipe or file as plain rows,
    a terminal through the pager (off with --no-pager, before or after the
    command, or NO_PAGER)."""
    from cases.render.stream import answer

    root = ctx.find_root()
    with answer(no_pager or bool((root.obj or {}).get("no_pager"))) as out:
        yield out


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def console() -> Any:
    """The console commands print to."""
    from cases.render import make_console

    return make_console()
