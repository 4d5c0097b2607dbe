"""Administration commands: ``init``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cases.cli._common import (
    JsonOption,
    NoPagerOption,
    console,
    db_location,
    db_path,
    guarded,
    long_answer,
    open_store,
    whole_number,
)


@guarded
def init(
    ctx: typer.Context,
    sample: Annotated[
        bool, typer.Option("--sample", help="Load the sample cases shipped in data/.")
    ] = False,
    encrypt: Annotated[
        bool,
        typer.Option(
            "--encrypt",
            help="Create it encrypted, with the key from CASES_KEY, else asked twice on the "
            'terminal (extra: pip install "cases\\[encrypt]").',
        ),
    ] = False,
) -> None:
    """Create the database (and optionally load the sample cases).

    Example:

        cases init --sample
    """
    from cases.render import print_added
    from cases.service.importing import load_sample

    if encrypt:
        from cases.db.pg import is_server
        from cases.service.encryption import create

        if is_server(db_location(ctx)):
            from cases.errors import Invalid

            raise Invalid("--encrypt makes an encrypted file; a team database's server keeps it")
        create(db_path(ctx))
    with open_store(ctx, write=True) as store:
        counts = load_sample(store) if sample else {}
        where = store.described()
    loaded = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
    print_added(
        console(), "ok", f"database ready at {where}" + (f"; loaded {loaded}" if loaded else "")
    )


@guarded
def log(
    ctx: typer.Context,
    limit: Annotated[str, typer.Option(metavar="N", help="At most this many changes.")] = "20",
    as_json: JsonOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """List the latest changes, newest first (what 'undo' would reverse).

    Example:

        cases log --limit 5
    """
    from cases.render.stream import columns
    from cases.service.admin import change_log

    with open_store(ctx, write=False) as store:
        entries = change_log(store, whole_number(limit, "--limit") or 0)
    if as_json:
        with long_answer(ctx, no_pager) as out:
            out.json(entries)
        return
    for entry in entries:
        entry["state"] = (
            "purged"
            if entry["purged"]
            else "undone"
            if entry["undone"]
            else "needs purged records"
            if entry["needs_purged"]
            else ""
        )
    shown = [
        ("Ref", "ref"),
        ("At (UTC)", "at"),
        ("User", "user"),
        ("Command", "command"),
        ("What", "summary"),
        ("State", "state"),
    ]
    with long_answer(ctx, no_pager) as out:
        out.records(columns(shown, flexible="summary"), entries, "nothing recorded")


@guarded
def undo(
    ctx: typer.Context,
    anyones: Annotated[
        bool,
        typer.Option(
            "--any",
            help="Undo the latest change of anyone, not only yours (a team's owners).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Reverse your latest change not yet undone, exactly.

    On a team database, a change someone else has since built on (they changed
    the same records) is not undone: the error names their change.

    Example:

        cases undo
    """
    from cases.render import emit_json, print_added
    from cases.service.admin import undo as reverse

    with open_store(ctx, write=True) as store:
        undone = reverse(store, anyones=anyones)
    if as_json:
        emit_json(undone)
    else:
        print_added(console(), undone["ref"], f"undid '{undone['command']}': {undone['summary']}")


@guarded
def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a consistent copy of the database (mode 0600), even while others write.

    Example:

        cases backup ~/cases-2026-11-23.db
    """
    from cases.render import print_added
    from cases.service.admin import backup as copy

    with open_store(ctx, write=False) as store:
        written = copy(store, path, force=force)
    print_added(console(), "ok", f"backup written to {written}")


@guarded
def check(ctx: typer.Context) -> None:
    """Check the database: SQLite's integrity and foreign keys, and the tool's own rules.

    Exits 1 and lists every problem found. Also lists, to review, the public
    texts that name someone private (no rule can hide those).

    Example:

        cases check
    """
    from cases.render import print_added, print_error, print_notice
    from cases.service.admin import check as inspect
    from cases.service.admin import to_review

    with open_store(ctx, write=False) as store:
        problems = inspect(store)
        reviews = [] if problems else to_review(store)
    if problems:
        print_error(f"the database has {len(problems)} problem(s)", problems)
        raise typer.Exit(1)
    print_added(
        console(),
        "ok",
        "integrity, foreign keys, links, dates, contradictions, name keys and schema",
    )
    for review in reviews:
        print_notice(review)
