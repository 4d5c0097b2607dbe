"""Administration commands: ``init``."""

from __future__ import annotations

from typing import Annotated

import typer

from cases.cli._common import console, guarded, open_store


@guarded
def init(
    ctx: typer.Context,
    sample: Annotated[
        bool, typer.Option("--sample", help="Load the sample cases shipped in data/.")
    ] = False,
) -> None:
    """Create the database (and optionally load the sample cases).

    Example:

        cases init --sample
    """
    from cases.render import print_added
    from cases.service.transfer import load_sample

    with open_store(ctx, write=True) as store:
        counts = load_sample(store) if sample else {}
        where = str(store.path)
    loaded = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
    print_added(
        console(), "ok", f"database ready at {where}" + (f"; loaded {loaded}" if loaded else "")
    )
