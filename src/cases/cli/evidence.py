"""Evidence commands: ``cite``, ``uncite`` and ``uncited``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

import typer

from cases.cli._common import (
    AccordingToOption,
    JsonOption,
    NoPagerOption,
    console,
    guarded,
    long_answer,
    open_store,
)


@guarded
def cite(
    ctx: typer.Context,
    refs: Annotated[
        list[str],
        typer.Argument(metavar="REF...", help="The records the source supports, e.g. T3 E7."),
    ],
    source: Annotated[
        str,
        typer.Option(
            "--source", metavar="SRC", help="An S reference, a recorded URL or a new URL."
        ),
    ],
    quote: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="The words the source uses (a few words)."),
    ] = None,
    page: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Where in the source: page, paragraph.")
    ] = None,
    according_to: AccordingToOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cite a source for records that already exist (a follow-up report).

    A record the source already cites keeps one citation, updated with the
    values given. One change: 'cases undo' takes it back.

    Example:

        cases cite E26 --source S6 --quote "violated international human rights law" --according-to "UN Working Group on Arbitrary Detention"
    """
    from cases.render import emit_json, print_added
    from cases.service.evidence import cite as apply

    with open_store(ctx, write=True) as store:
        cited, source_ref = apply(
            store, refs, source, quote=quote, page=page, according_to=according_to
        )
    if as_json:
        emit_json({"source_ref": source_ref, "cited": cited})
    else:
        print_added(console(), source_ref, f"cited for {', '.join(cited)}")


@guarded
def uncite(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The record, e.g. T3.")],
    source: Annotated[
        str, typer.Option("--source", metavar="SRC", help="The source (an S reference).")
    ],
) -> None:
    """Remove the citation a source makes for one record.

    Example:

        cases uncite E1 --source S1
    """
    from cases.render import print_added
    from cases.service.evidence import uncite as apply

    with open_store(ctx, write=True) as store:
        apply(store, ref, source)
    print_added(console(), ref.strip().upper(), f"no longer cites {source.strip().upper()}")


@guarded
def uncited(
    ctx: typer.Context, as_json: JsonOption = False, no_pager: NoPagerOption = False
) -> None:
    """List every fact that cites no source, oldest first: a fact-checker's worklist.

    Facts are trials, rulings, asylum decisions, detentions, events and
    relations (not people, aliases or sources).

    Example:

        cases uncited
    """
    from cases.render.stream import columns
    from cases.service.evidence import uncited as facts

    shown = columns(
        [("Date", "date_display"), ("Ref", "ref"), ("Who", "actor"), ("What", "summary")]
    )
    with open_store(ctx, write=False) as store, long_answer(ctx, no_pager) as out:
        if as_json:
            out.json(facts(store))
        else:
            out.records(shown, _with_actor_ref(facts(store)), "every fact cites a source")


def _with_actor_ref(found: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for fact in found:
        fact["actor"] = f"{fact['actor']} ({fact['actor_ref']})" if fact["actor"] else ""
        yield fact
