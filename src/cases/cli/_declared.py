"""Commands built from the catalogue's declarations: an ``add`` command's options
are its table's fields (name, help, what a value is called, whether it is
repeated, its vocabulary and the shell's completion of it), so the command
line and the catalogue cannot disagree. A command declares only what is its
own: its arguments, the options that are not fields (a person's aliases, a
trial's judges), how it records and what it says.

The commands are made with Typer's public interface: a function whose
signature (``inspect.Signature``) lists the parameters, each annotated with
``typer.Argument`` or ``typer.Option``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from cases.catalogue import TABLE, Field
from cases.cli._common import OneValueEach, console, guarded, open_store

# What each kind of value is typed as (Typer builds the parameter from it).
_ONE, _MANY, _FLAG = str | None, list[str] | None, bool


@dataclass(frozen=True)
class Param:
    """A parameter a command declares itself: an argument (no FLAGS) or an option."""

    name: str
    help: str
    metavar: str = ""
    flags: tuple[str, ...] = ()
    many: bool = False  # repeated (an option), or one or more (an argument)
    required: bool = False
    switch: bool = False  # an option that takes no value
    complete: Callable[[str], list[str]] | None = None

    def parameter(self) -> inspect.Parameter:
        if self.switch:
            info: Any = typer.Option(*self.flags, help=self.help)
            return _parameter(self.name, Annotated[_FLAG, info], False)
        shape = _MANY if self.many else _ONE
        if self.flags:
            info = typer.Option(
                *self.flags,
                help=self.help + (" Repeatable." if self.many else ""),
                metavar=self.metavar or None,
                autocompletion=self.complete,
            )
        else:
            info = typer.Argument(metavar=self.metavar, help=self.help)
            if self.many and self.required:
                shape = list[str]
        default = inspect.Parameter.empty if self.required else None
        return _parameter(self.name, Annotated[shape, info], default)


def _parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    # keyword-only: a required one may follow one with a default (Typer passes them by name)
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def field_option(field: Field, *, required: bool | None = None) -> Param:
    """A field of the catalogue as an option: its flag, help, value and words."""
    return Param(
        field.name.removesuffix("_id") if field.link else field.name,
        field.described(),
        field.shown_as,
        (field.flag,),
        many=field.repeatable,
        required=field.required if required is None else required,
        complete=field.complete if field.choices else None,
    )


def field_argument(field: Field, *, required: bool | None = None) -> Param:
    """A field of the catalogue as the command's argument (a title, a summary)."""
    return Param(
        field.name,
        field.help,
        field.name.upper(),
        required=field.required if required is None else required,
    )


# The options every ``add`` takes, for the record and the citations it makes.
COMMON = (
    Param("note", "A free-text note.", "TEXT", ("--note",)),
    Param(
        "source",
        "Cite a source: an S reference, a recorded URL or a new URL.",
        "SRC",
        ("--source",),
        many=True,
    ),
    Param(
        "according_to",
        "Who, according to the --source, made the claim (a person or organisation).",
        "ACTOR",
        ("--according-to",),
    ),
    Param(
        "private",
        "Mark private: never exported without --include-private.",
        flags=("--private",),
        switch=True,
    ),
    Param("as_json", "Print JSON only (to stdout).", flags=("--json",), switch=True),
)


def taking_part() -> Param:
    """``--with ACTOR[=ROLE]``, its roles from the catalogue."""
    roles = ", ".join(TABLE["participants"].field("role").choices)
    return Param(
        "with_",
        f"Someone else taking part, with a role (default participant): {roles}.",
        "ACTOR[=ROLE]",
        ("--with",),
        many=True,
    )


def options_of(table: str, *, skip: Sequence[str] = ()) -> list[Param]:
    """The options of an ``add`` of TABLE: each field it takes, in table order."""
    return [
        field_option(field)
        for field in TABLE[table].all_fields
        if field.taken_by_add and field.name not in skip
    ]


Record = Callable[[Any, dict[str, Any], Any], Any]


def add_command(
    app: typer.Typer,
    name: str,
    *,
    doc: str,
    params: Sequence[Param],
    record: Record,
    said: Callable[[Any], str],
    check: Callable[[typer.Context, dict[str, Any]], None] | None = None,
) -> None:
    """Register ``add NAME``: PARAMS then the common options; RECORD(store,
    values, common) records it, SAID(recorded) is its line; CHECK(ctx, values)
    refuses a usage that no parameter alone can (exit 2)."""

    def command(ctx: typer.Context, **values: Any) -> None:
        from cases.service.recording import Common

        if check is not None:
            check(ctx, values)
        common = Common(
            note=values.pop("note"),
            sources=tuple(values.pop("source") or ()),
            private=values.pop("private"),
            according_to=values.pop("according_to"),
        )
        as_json = values.pop("as_json")
        values = {
            key: tuple(value) if isinstance(value, list) else value for key, value in values.items()
        }
        with open_store(ctx, write=True) as store:
            recorded = record(store, values, common)
        report(recorded, as_json, said(recorded))

    parameters = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        *(param.parameter() for param in (*params, *COMMON)),
    ]
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = doc
    command.__name__ = f"add_{name}"
    guarded_command = guarded(command)
    guarded_command.__signature__ = command.__signature__  # type: ignore[attr-defined]
    app.command(name, cls=OneValueEach)(guarded_command)


def report(recorded: Any, as_json: bool, summary: str) -> None:
    """What an ``add`` prints: the reference and a line, or the record as JSON; and
    the possible duplicates of a new name, on stderr."""
    from cases.render import emit_json, print_added, print_notice
    from cases.service.common import public

    duplicates = recorded.extra.get("possible_duplicates")
    if as_json:
        emit_json({**public(recorded.kind, recorded.row), **recorded.extra})
    else:
        print_added(console(), f"{recorded.kind.prefix}{recorded.row['id']}", summary)
    if duplicates:
        print_notice(
            f"this name, or one alike, is recorded as {', '.join(duplicates)}: the same "
            f"{recorded.kind.label}? (see cases dupes; cases merge)"
        )
