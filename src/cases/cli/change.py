"""Changing commands: ``edit`` and ``delete``."""

from __future__ import annotations

import sys
from typing import Annotated

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


@guarded
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The record to change, e.g. P3 or R2.")],
    assignments: Annotated[
        list[str], typer.Option("--set", help="FIELD=VALUE; an empty VALUE clears. Repeatable.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Change fields of a record, checked as 'add' checks them.

    Example:

        cases edit D1 --set kind=pretrial --set note="release not reported"
    """
    from cases.render import emit_json, print_added
    from cases.service.changing import edit as apply

    with open_store(ctx, write=True) as store:
        kind, record = apply(store, ref, assignments)
    if as_json:
        emit_json(record)
    elif record["changed"]:
        fields = ", ".join(field.replace("_", "-") for field in record["changed"])
        print_added(console(), record["ref"], f"{kind.label} updated: {fields}")
    else:
        print_added(console(), record["ref"], f"{kind.label} unchanged: it already had that")


@guarded
def delete(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The record to delete, e.g. E4.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    purge: Annotated[
        bool, typer.Option("--purge", help="Also erase it from the change log (no undo).")
    ] = False,
) -> None:
    """Delete a record; deleting a person also removes what belongs only to them.

    Asks for confirmation on a terminal; elsewhere needs --yes.

    Example:

        cases delete E4 --yes
    """
    from cases.errors import Invalid
    from cases.render import print_added
    from cases.service.changing import delete as apply
    from cases.service.changing import describe_deletion

    with open_store(ctx, write=True) as store:
        kind, record, trials = describe_deletion(store, ref)
        label = record.get("name") or record.get("title") or record.get("court") or ""
        what = f"{kind.label} {record['ref']} {label}".rstrip()
        if trials:
            what += f" and trials {', '.join(f'T{t}' for t in trials)} (no other parties)"
        if not yes:
            if not sys.stdin.isatty():
                raise Invalid(f"deleting {record['ref']} needs --yes when not on a terminal")
            if not typer.confirm(f"Delete {what}?", default=False):
                raise typer.Exit(1)
        apply(store, ref, purge=purge)
    done = "purged (no undo)" if purge else "deleted (cases undo brings it back)"
    print_added(console(), record["ref"], f"{done}: {what}")


@guarded
def dupes(
    ctx: typer.Context,
    limit: Annotated[
        str | None,
        typer.Option(
            metavar="N",
            help="At most this many pairs, the most likely (default: 50 on a terminal, "
            "all when the output goes to a file or a pipe).",
        ),
    ] = None,
    min_score: Annotated[
        str,
        typer.Option(
            metavar="S",
            help="Only names at least S alike, 0-100 (the score shown adds the other "
            "reasons, so it is never lower).",
        ),
    ] = "80",
    as_json: JsonOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """List pairs of people (or organisations) who may be the same, most likely first.

    Names are compared across scripts and spellings; the same birth year,
    origin, trials or sources make a pair more likely. Only names having a
    word that begins alike are compared (Sauytbay, Sauytbayeva).

    Example:

        cases dupes
        cases dupes --limit 10 --min-score 90
    """
    from cases.errors import Invalid
    from cases.render.stream import columns
    from cases.service.dupes import dupes as find

    count = whole_number(limit, "--limit")
    if count is None and sys.stdout.isatty():
        count = 50
    try:
        lowest = float(min_score.strip())
    except ValueError:
        raise Invalid(f"--min-score takes a number from 0 to 100, not {min_score!r}") from None
    shown = [
        ("Ref", "ref"),
        ("Name", "name"),
        ("Other", "other_ref"),
        ("Other name", "other_name"),
        ("Score", "score"),
        ("Why", "reasons"),
    ]
    with open_store(ctx, write=False) as store:
        pairs = find(store, limit=count, min_score=lowest)  # checks its arguments now
        with long_answer(ctx, no_pager) as out:
            if as_json:
                out.json(pairs)
            else:
                out.records(
                    columns(shown),
                    pairs,
                    f"no likely duplicates (names at least {lowest:g}% alike)",
                )


@guarded
def merge(
    ctx: typer.Context,
    person: Annotated[
        str,
        typer.Argument(metavar="ACTOR", help="The person or organisation to merge away."),
    ],
    into: Annotated[
        str, typer.Option("--into", metavar="ACTOR", help="The one that remains (same kind).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would move; change nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Merge one person into another (or one organisation into another): every
    record, alias and citation moves.

    The merged name is kept as an alias of the survivor, with the citations
    of that name; blank fields of the survivor are filled in.

    Example:

        cases add person "Sayragul Sauytbaeva" --sex female
        cases merge "Sayragul Sauytbaeva" --into "Sairagul Sauytbay" --dry-run
    """
    from cases.records import parse_ref
    from cases.render import emit_json, print_added
    from cases.service.identity import merge as apply
    from cases.service.resolving import actor_name

    with open_store(ctx, write=True, dry_run=dry_run) as store:
        result = apply(store, person, into, dry_run=dry_run)
    if as_json:
        emit_json(result)
        return
    moved = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in result["moves"].items() if n)
    merged, survivor = result["merged"], result["into"]
    kind = parse_ref(merged["ref"]).kind  # type: ignore[union-attr]
    verb = "would merge" if dry_run else "merged"
    summary = f"{verb} {merged['ref']} {actor_name(kind, merged)} into {actor_name(kind, survivor)}"
    summary += f"; moves {moved}" if moved else "; nothing to move"
    if result["fills"]:
        summary += f"; fills {', '.join(result['fills'])}"
    print_added(console(), survivor["ref"], summary)
