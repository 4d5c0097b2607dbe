"""Reading commands: ``show``, ``timeline``, ``list`` and ``stats``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

import typer

from cases.cli._common import (
    JsonOption,
    NoPagerOption,
    console,
    guarded,
    long_answer,
    open_store,
    whole_number,
)


def _listed() -> dict[str, Any]:
    """The kinds ``list`` lists, by the name it lists them by, and their columns."""
    from cases.catalogue import TABLES

    def place(table: Any) -> int:
        # actors, then the facts in time, then the rest (sources, relations)
        if table.fact is None and table.name in ("people", "organisations"):
            return 0
        return 1 if table.fact is not None and table.fact.in_timeline else 2

    listed = [t for t in TABLES if t.kind is not None and t.listed]
    return {t.kind.plural: t for t in sorted(listed, key=place) if t.kind is not None}


LIST_KINDS = tuple(_listed())


def _timeline_kinds() -> tuple[str, ...]:
    """The timeline kinds a fact's placements name (trial, detention-end, reply)."""
    from cases.catalogue import FACTS

    return tuple(k for t in FACTS if t.fact and t.fact.in_timeline for k in t.fact.kinds)


TIMELINE_KIND_NAMES = _timeline_kinds()


@guarded
def show(
    ctx: typer.Context,
    actor: Annotated[
        str,
        typer.Argument(
            metavar="ACTOR|REF",
            help="A person or organisation (a P or O reference, a name or alias), or "
            "the reference of any record (T2, R5, M1, S1) or change (C40).",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Show everything recorded about a person or organisation, or one record whole.

    A person's summary has their current status, trials, rulings, asylum
    decisions, detentions with their length, events, relations and where they
    appear in others' records; an organisation's its people and facts. Under
    the numbered sources: the words, page and attribution of each citation.
    Any other record (T2, R5, D3, E8, L5, M1) shows its fields, the actors it
    involves and their roles, the records it is linked to and its citations; a
    source (S1) what it relays and every record it supports; a change (C40)
    what it added, changed and deleted.

    Example:

        cases show "Sairagul Sauytbay"
        cases show T1
        cases show C1
    """
    from cases.records import ORGANISATION, PERSON, SOURCE, change_number, parse_ref
    from cases.render import emit_json

    ref = parse_ref(actor.strip())
    with open_store(ctx, write=False) as store:
        if change_number(actor) is not None:
            from cases.service.record import change_view

            shown, summary = "change", change_view(store, actor)
        elif ref is not None and ref.kind == SOURCE:
            from cases.service.evidence import source_summary

            shown, summary = "source", source_summary(store, actor)
        elif ref is not None and ref.kind not in (PERSON, ORGANISATION):
            from cases.service.record import record_view

            shown, summary = "record", record_view(store, actor)
        else:
            from cases.service.reading import actor_summary

            shown, summary = "actor", actor_summary(store, actor)
    if as_json:
        emit_json(summary)
        return
    from cases import render

    # one summary, printed straight to the terminal (prompts for a key, if any,
    # have been answered there): not through the pager
    printer = {
        "change": render.print_change,
        "source": render.print_source,
        "record": render.print_record,
        "actor": render.print_summary,
    }[shown]
    printer(console(), summary)


@guarded
def timeline(
    ctx: typer.Context,
    actor: Annotated[
        str | None,
        typer.Argument(
            metavar="[ACTOR]", help="Only this person or organisation (default everyone)."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(metavar="DATE", help="Facts that may fall on or after this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(metavar="DATE", help="Facts that may fall on or before this date.")
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help=f"{', '.join(TIMELINE_KIND_NAMES)} or an event kind. Repeatable.",
        ),
    ] = None,
    court: Annotated[
        str | None, typer.Option(help="Only facts at a court containing this text.")
    ] = None,
    place: Annotated[
        str | None, typer.Option(help="Only facts at a place containing this text.")
    ] = None,
    limit: Annotated[str | None, typer.Option(metavar="N", help="At most this many facts.")] = None,
    as_json: JsonOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """Print every fact in date order: trials, rulings, asylum, detentions and events.

    Approximate and partial dates sort by their earliest day; undated facts come last.
    Facts are printed as they are read: a table on a terminal (through a pager
    when longer than the screen), tab-separated lines to a pipe or file, one
    JSON array with --json.

    Example:

        cases timeline "Tilek Tabarikuly" --since 2018 --kind ruling --kind detention
    """
    from cases.service.timeline import timeline as build

    with open_store(ctx, write=False) as store:
        items = build(
            store,
            actor,
            since=since,
            until=until,
            kinds=kind or (),
            court=court,
            place=place,
            limit=whole_number(limit, "--limit"),
        )
        with long_answer(ctx, no_pager) as out:
            if as_json:
                out.json(items)
            else:
                from cases.render.tables import timeline_columns

                out.records(timeline_columns(out.width), items, empty="no facts match")


@guarded
def list_records(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(metavar="KIND", help=" | ".join(LIST_KINDS))],
    person: Annotated[
        str | None,
        typer.Option(
            "--person",
            "--actor",
            metavar="ACTOR",
            help="Only records of this person or organisation.",
        ),
    ] = None,
    as_json: JsonOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """List every record of one kind, in reference order, as it is read.

    Example:

        cases list trials --person "Qaisha Aqan"
        cases list orgs
    """
    from cases.errors import Invalid
    from cases.render.stream import columns
    from cases.service.listing import list_records as build

    listed = _listed()
    if what not in listed:
        raise Invalid(f"cannot list {what!r}; use one of: {', '.join(listed)}")
    table = listed[what]
    with open_store(ctx, write=False) as store:
        rows = build(store, table.kind, actor=person)
        with long_answer(ctx, no_pager) as out:
            if as_json:
                out.json(rows)
            else:
                out.records(columns(table.listed), _as_shown(rows), "nothing recorded")


def _as_shown(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows with what a table shows and JSON does not hold: a trial's parties in
    words, a person's name (an unnamed person's description, marked as such)."""
    for row in rows:
        if "parties" in row:
            row["party_names"] = [f"{p['name']} ({p['role']})" for p in row["parties"]]
        if "description" in row:
            row["display_name"] = row.get("name") or f"[{row['description'] or 'unnamed'}]"
        yield row


@guarded
def stats(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Count people, trials, outcomes, asylum decisions and detention days.

    Example:

        cases stats --json
    """
    from cases.render import emit_json, print_stats
    from cases.service.stats import stats as build

    with open_store(ctx, write=False) as store:
        figures = build(store)
    if as_json:
        emit_json(figures)
    else:
        print_stats(console(), figures)


@guarded
def search(
    ctx: typer.Context,
    text: Annotated[
        list[str], typer.Argument(metavar="TEXT...", help="Words to find; every word must match.")
    ],
    limit: Annotated[str, typer.Option(metavar="N", help="At most this many hits.")] = "50",
    as_json: JsonOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """Find text in names, aliases, notes, charges, courts, places, summaries and source titles.

    Words match across spellings (Sayragul finds Sairagul, Atajurt finds
    Atazhurt) and numbers match whole (300 never finds 30); best hits first.

    Example:

        cases search Zharkent border
    """
    from cases.errors import Invalid
    from cases.render.stream import columns
    from cases.service.search import search as find

    count = whole_number(limit, "--limit") or 0
    if count < 1:
        raise Invalid(f"--limit {count} must be 1 or more")
    with open_store(ctx, write=False) as store:
        hits = find(store, " ".join(text), count)
    shown = [
        ("Ref", "ref"),
        ("Kind", "kind"),
        ("Field", "field"),
        ("Text", "text"),
        ("Of", "actor"),
    ]
    with long_answer(ctx, no_pager) as out:
        if as_json:
            out.json(hits)
        else:
            out.records(columns(shown, flexible="text"), hits, "nothing found")
