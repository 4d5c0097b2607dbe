"""``cases add ...``: record people, sources and case records."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cases.cli._common import (
    JsonOption,
    NoteOption,
    PrivateOption,
    SourceOption,
    console,
    guarded,
    open_store,
    vocabulary,
)

app = typer.Typer(
    help="Record a person, alias, source, trial, ruling, asylum decision, "
    "detention, event or relation.\n\n"
    'Example:\n\n    cases add person "Qaisha Aqan" --sex female',
    no_args_is_help=True,
)


def _common(note: str | None, source: list[str] | None, private: bool) -> Any:
    from cases.service.recording import Common

    return Common(note=note, sources=tuple(source or ()), private=private)


def _report(recorded: Any, as_json: bool, summary: str) -> None:
    from cases.render import emit_json, print_added
    from cases.service.common import public

    if as_json:
        emit_json({**public(recorded.kind, recorded.row), **recorded.extra})
    else:
        print_added(console(), f"{recorded.kind.prefix}{recorded.row['id']}", summary)


@app.command("person")
@guarded
def add_person(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name as most sources write it.")],
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="Another name. Repeatable.")
    ] = None,
    sex: Annotated[str | None, vocabulary("people", "sex")] = None,
    born: Annotated[
        str | None, typer.Option(metavar="DATE", help="Birth date, e.g. 1982 or ~1982.")
    ] = None,
    ethnicity: Annotated[str | None, typer.Option(help="Ethnicity, e.g. Kazakh.")] = None,
    citizenship: Annotated[str | None, typer.Option(help="Citizenship, e.g. China.")] = None,
    origin: Annotated[str | None, typer.Option(help="Place of origin, e.g. Xinjiang.")] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a person.

    Example:

        cases add person "Sairagul Sauytbay" --alias "Sayragul Sauytbay" --sex female --origin Xinjiang
    """
    from cases.service.recording import add_person as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            name,
            aliases=alias or (),
            sex=sex,
            born=born,
            ethnicity=ethnicity,
            citizenship=citizenship,
            origin=origin,
            common=_common(note, source, private),
        )
    aliases = recorded.extra["aliases"]
    also = f" (also {', '.join(aliases)})" if aliases else ""
    _report(recorded, as_json, f"{recorded.row['name']}{also}")


@app.command("alias")
@guarded
def add_alias(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="A P reference or a name.")],
    name: Annotated[str, typer.Argument(help="The other name, in any script.")],
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record another name of a person (another spelling or script).

    Example:

        cases add alias P1 "Сайрагүл Сауытбай"
    """
    from cases.service.recording import add_alias as record

    with open_store(ctx, write=True) as store:
        recorded = record(store, person, name, _common(note, source, private))
    _report(recorded, as_json, f"{recorded.row['name']}: alias {recorded.extra['alias']}")


@app.command("source")
@guarded
def add_source(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The report's title.")],
    url: Annotated[str | None, typer.Option(help="Where it was published.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who published it, e.g. RFE/RL.")] = None,
    date: Annotated[str | None, typer.Option(metavar="DATE", help="Publication date.")] = None,
    reliability: Annotated[
        str | None,
        typer.Option(metavar="0-4", help="0 (unverified) to 4 (confirmed by several sources)."),
    ] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a source: a news report, testimony or court document.

    Example:

        cases add source "Ethnic Kazakh From Xinjiang Pleads With Court" --publisher RFE/RL --date 2018-11-12
    """
    from cases.service.recording import add_source as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            title,
            url=url,
            publisher=publisher,
            date=date,
            reliability=reliability,
            common=_common(note, source, private),
        )
    _report(recorded, as_json, recorded.row["title"])


@app.command("trial")
@guarded
def add_trial(
    ctx: typer.Context,
    people: Annotated[
        list[str], typer.Argument(help="One or more people (P references or names).")
    ],
    court: Annotated[str, typer.Option(help="The court, e.g. 'Zharkent district court'.")],
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role", help="Role of each PERSON in order (default defendant). Repeatable."
        ),
    ] = None,
    place: Annotated[str | None, typer.Option(help="Town or city.")] = None,
    charge: Annotated[str | None, typer.Option(help="The charge.")] = None,
    case_number: Annotated[
        str | None, typer.Option("--case-number", help="Court case number.")
    ] = None,
    opened: Annotated[
        str | None, typer.Option(metavar="DATE", help="When the trial opened.")
    ] = None,
    judge: Annotated[str | None, typer.Option(help="Judge (linked if a recorded person).")] = None,
    lawyer: Annotated[
        str | None, typer.Option(help="Lawyer (linked if a recorded person).")
    ] = None,
    status: Annotated[str | None, vocabulary("trials", "status")] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a trial with its parties.

    Example:

        cases add trial "Murager Alimuly" "Qaster Musakhanuly" --court "Zaisan court" --charge "illegal border crossing"
    """
    from cases.service.recording import add_trial as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            people,
            court=court,
            roles=role or (),
            place=place,
            charge=charge,
            case_number=case_number,
            opened=opened,
            judge=judge,
            lawyer=lawyer,
            status=status,
            common=_common(note, source, private),
        )
    _report(recorded, as_json, f"{recorded.row['court']}: {'; '.join(recorded.extra['parties'])}")


@app.command("ruling")
@guarded
def add_ruling(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="A P reference or a name.")],
    date: Annotated[str, typer.Option(metavar="DATE", help="When the ruling was given.")],
    outcome: Annotated[str, vocabulary("rulings", "outcome")],
    trial: Annotated[
        str | None, typer.Option(help="The trial (T reference); default the latest.")
    ] = None,
    court: Annotated[str | None, typer.Option(help="The court, if not the trial's.")] = None,
    sentence: Annotated[str | None, typer.Option(help="The sentence as reported.")] = None,
    sentence_kind: Annotated[
        str | None, vocabulary("rulings", "sentence_kind", "--sentence-kind")
    ] = None,
    months: Annotated[
        str | None, typer.Option(metavar="N", help="Sentence length in months.")
    ] = None,
    deportation: Annotated[str | None, vocabulary("rulings", "deportation")] = None,
    extradition: Annotated[str | None, vocabulary("rulings", "extradition")] = None,
    appeal_of: Annotated[
        str | None,
        typer.Option("--appeal-of", help="The ruling this appeal decides (R reference)."),
    ] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a ruling (attached to the person's latest trial unless --trial).

    Example:

        cases add ruling "Tilek Tabarikuly" --date 2019-01-16 --outcome convicted --sentence-kind labor-camp --months 6 --deportation refused
    """
    from cases.service.reading import ruling_phrase
    from cases.service.recording import add_ruling as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            person,
            date=date,
            outcome=outcome,
            trial=trial,
            court=court,
            sentence=sentence,
            sentence_kind=sentence_kind,
            months=months,
            deportation=deportation,
            extradition=extradition,
            appeal_of=appeal_of,
            common=_common(note, source, private),
        )
    row = recorded.row
    attached = f" (T{row['trial_id']})" if row["trial_id"] else ""
    _report(recorded, as_json, f"{recorded.extra['person']}: {ruling_phrase(row)}{attached}")


@app.command("asylum")
@guarded
def add_asylum(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="A P reference or a name.")],
    date: Annotated[str, typer.Option(metavar="DATE", help="When the decision was made.")],
    decision: Annotated[str, vocabulary("asylum", "decision")],
    country: Annotated[str | None, typer.Option(help="The deciding country.")] = None,
    authority: Annotated[str | None, typer.Option(help="The deciding authority.")] = None,
    until: Annotated[str | None, typer.Option(metavar="DATE", help="Valid until.")] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record an asylum decision or application.

    Example:

        cases add asylum "Sairagul Sauytbay" --date 2019-01-28 --decision extended --country Kazakhstan --until 2019-04-25
    """
    from cases.service.reading import asylum_phrase
    from cases.service.recording import add_asylum as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            person,
            date=date,
            decision=decision,
            country=country,
            authority=authority,
            until=until,
            common=_common(note, source, private),
        )
    _report(recorded, as_json, f"{recorded.extra['person']}: {asylum_phrase(recorded.row)}")


@app.command("detention")
@guarded
def add_detention(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="A P reference or a name.")],
    start: Annotated[str, typer.Option(metavar="DATE", help="When it began.")],
    end: Annotated[
        str | None, typer.Option(metavar="DATE", help="When it ended; leave out while still held.")
    ] = None,
    kind: Annotated[str | None, vocabulary("detentions", "kind")] = None,
    place: Annotated[str | None, typer.Option(help="Where.")] = None,
    authority: Annotated[str | None, typer.Option(help="Who holds the person.")] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a detention (open while it has no --end).

    Example:

        cases add detention "Tilek Tabarikuly" --start 2018-10 --kind pretrial
    """
    from cases.dates import display_date
    from cases.service.recording import add_detention as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            person,
            start=start,
            end=end,
            kind=kind,
            place=place,
            authority=authority,
            common=_common(note, source, private),
        )
    row = recorded.row
    until = f"until {display_date(row['end'])}" if row["end"] else "still held"
    what = row["kind"] or "detention"
    _report(
        recorded,
        as_json,
        f"{recorded.extra['person']}: {what} from {display_date(row['start'])}, {until}",
    )


@app.command("event")
@guarded
def add_event(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="A P reference or a name.")],
    date: Annotated[str, typer.Option(metavar="DATE", help="When it happened.")],
    kind: Annotated[str, vocabulary("events", "kind")],
    summary: Annotated[str | None, typer.Argument(help="What happened, in a sentence.")] = None,
    place: Annotated[str | None, typer.Option(help="Where.")] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record an event in a person's case.

    Example:

        cases add event "Qaisha Aqan" --date 2018-05 --kind border-crossing "Crossed into Kazakhstan"
    """
    from cases.service.recording import add_event as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            person,
            date=date,
            kind=kind,
            place=place,
            summary=summary,
            common=_common(note, source, private),
        )
    _report(recorded, as_json, f"{recorded.extra['person']}: {recorded.row['kind']}")


@app.command("relation")
@guarded
def add_relation(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="A P reference or a name.")],
    other: Annotated[str, typer.Argument(help="The related person.")],
    kind: Annotated[str, vocabulary("relations", "kind", help="What OTHER is to PERSON:")],
    note: NoteOption = None,
    source: SourceOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record that OTHER is PERSON's KIND (lawyer, parent...).

    Example:

        cases add relation "Sairagul Sauytbay" "Abzal Kuspanov" --kind lawyer
    """
    from cases.service.recording import add_relation as record

    with open_store(ctx, write=True) as store:
        recorded = record(store, person, other, kind=kind, common=_common(note, source, private))
    extra = recorded.extra
    _report(recorded, as_json, f"{extra['other']} is {extra['person']}'s {recorded.row['kind']}")
