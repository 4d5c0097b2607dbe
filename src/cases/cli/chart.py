"""``chart``: the timeline as a picture (SVG or a self-contained HTML page)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cases.cli._common import console, guarded, open_store, whole_number


@guarded
def chart(
    ctx: typer.Context,
    actors: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ACTOR",
            help="People or organisations (P/O references or names), one row each, in this "
            "order. Default: everyone with dated facts, by their first fact (the first 50).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", help="FILE.svg (a picture) or FILE.html (a page). Required."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(metavar="DATE", help="Start the axis here; earlier facts go.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(metavar="DATE", help="End the axis here; later facts go.")
    ] = None,
    limit: Annotated[
        str | None,
        typer.Option(
            metavar="N", help="Without ACTOR: draw the first N actors (default 50, at most 500)."
        ),
    ] = None,
    include_private: Annotated[
        bool,
        typer.Option(
            "--include-private",
            help="Also draw private records and what would reveal them. Handle with care.",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the file if it exists (never the database).")
    ] = False,
) -> None:
    """Draw the timeline as a picture: one row per person or organisation.

    Detentions and asylum-seeker periods are bars (hatched where a date is
    uncertain, fading where the end is open); rulings, asylum decisions and
    events are markers, each with a tooltip. The SVG has no scripts; the HTML
    page loads nothing from elsewhere. Private records are left out unless
    --include-private. The file is private to you (mode 0600).

    Example:

        cases chart "Sairagul Sauytbay" P2 --out sauytbay.svg
        cases chart --since 2018 --out cases.html
    """
    from cases.errors import Invalid
    from cases.render import print_added
    from cases.render.chart import html, svg
    from cases.service.chart import chart as gather
    from cases.service.chart import check_target, save

    if out is None:
        raise Invalid("give the file to write: --out FILE.svg or --out FILE.html")
    count = whole_number(limit, "--limit")
    if count is not None and actors:
        raise Invalid("--limit is for a chart of everyone; with ACTOR, every actor named is drawn")
    with open_store(ctx, write=False) as store:
        kind = check_target(store, out, force=force)
        drawing = gather(
            store,
            actors or (),
            since=since,
            until=until,
            include_private=include_private,
            limit=count,
        )
        text = html(drawing) if kind == "html" else svg(drawing)
        save(store, out, text, force=force)
    rows = len(drawing.rows)
    print_added(console(), "ok", f"drew {rows} row{'s' if rows != 1 else ''} to {out}")
