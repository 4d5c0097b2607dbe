"""``cases add ...``: record actors, sources and the facts of a case."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cases.cli._common import (
    AccordingToOption,
    JsonOption,
    NoteOption,
    OneValueEach,
    PrivateOption,
    SourceOption,
    WithOption,
    console,
    guarded,
    open_store,
    vocabulary,
)

app = typer.Typer(
    help="Record a person, organisation, alias, source, trial, ruling, asylum decision, "
    "detention, event or relation.\n\n"
    'Example:\n\n    cases add person "Qaisha Aqan" --sex female',
    no_args_is_help=True,
)

Aliases = Annotated[list[str] | None, typer.Option("--alias", help="Another name. Repeatable.")]


def _common(
    note: str | None, source: list[str] | None, private: bool, according_to: str | None = None
) -> Any:
    from cases.service.recording import Common

    return Common(
        note=note, sources=tuple(source or ()), private=private, according_to=according_to
    )


def _report(recorded: Any, as_json: bool, summary: str) -> None:
    from cases.render import emit_json, print_added, print_notice
    from cases.service.common import public

    duplicates = recorded.extra.get("possible_duplicates")
    if as_json:
        emit_json({**public(recorded.kind, recorded.row), **recorded.extra})
    else:
        print_added(console(), f"{recorded.kind.prefix}{recorded.row['id']}", summary)
    if duplicates:
        print_notice(
            f"the same name is recorded as {', '.join(duplicates)}: the same "
            f"{recorded.kind.label}? (see cases dupes; cases merge)"
        )


@app.command("person", cls=OneValueEach)
@guarded
def add_person(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help="The person's name as most sources write it."),
    ] = None,
    unnamed: Annotated[
        str | None,
        typer.Option(
            "--unnamed",
            metavar="DESCRIPTION",
            help="Someone a report mentions without a name: who they are "
            '("Qaisha Aqan\'s mother"). Never matched as a name.',
        ),
    ] = None,
    alias: Aliases = None,
    sex: Annotated[str | None, vocabulary("people", "sex")] = None,
    born: Annotated[
        str | None, typer.Option(metavar="DATE", help="Birth date, e.g. 1982 or ~1982.")
    ] = None,
    ethnicity: Annotated[str | None, typer.Option(help="Ethnicity, e.g. Kazakh.")] = None,
    citizenship: Annotated[str | None, typer.Option(help="Citizenship, e.g. China.")] = None,
    origin: Annotated[str | None, typer.Option(help="Place of origin, e.g. Xinjiang.")] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a person, or someone a report mentions without a name (--unnamed).

    Example:

        cases add person "Sairagul Sauytbay" --alias "Sayragul Sauytbay" --sex female --origin Xinjiang
        cases add person --unnamed "Qaisha Aqan's mother" --sex female
    """
    from cases.service.recording import add_person as record

    if name is None and unnamed is None:
        raise typer.BadParameter(
            "give the person's NAME, or --unnamed DESCRIPTION for someone not named", ctx=ctx
        )
    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            name,
            description=unnamed,
            aliases=alias or (),
            sex=sex,
            born=born,
            ethnicity=ethnicity,
            citizenship=citizenship,
            origin=origin,
            common=_common(note, source, private, according_to),
        )
    aliases = recorded.extra["aliases"]
    also = f" (also {', '.join(aliases)})" if aliases else ""
    shown = recorded.row["name"] or f"[{recorded.row['description']}]"
    _report(recorded, as_json, f"{shown}{also}")


@app.command("org", cls=OneValueEach)
@guarded
def add_org(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The organisation's or group's name.")
    ],
    alias: Aliases = None,
    kind: Annotated[str | None, vocabulary("organisations", "kind")] = None,
    country: Annotated[str | None, typer.Option(help="Its country, e.g. Kazakhstan.")] = None,
    size: Annotated[
        str | None, typer.Option(metavar="N|~N", help="How many a group counts: 30, or ~30.")
    ] = None,
    part_of: Annotated[
        str | None,
        typer.Option("--part-of", metavar="ORG", help="The organisation it is part of."),
    ] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record an organisation (an NGO, a court, the police...) or a group of
    people a report counts but does not name (--kind group --size ~30).

    Example:

        cases add org "Atazhurt Volunteers" --alias "Atazhurt Eriktileri" --kind ngo --country Kazakhstan
    """
    from cases.service.recording import add_org as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            name,
            aliases=alias or (),
            kind=kind,
            country=country,
            size=size,
            part_of=part_of,
            common=_common(note, source, private, according_to),
        )
    aliases = recorded.extra["aliases"]
    also = f" (also {', '.join(aliases)})" if aliases else ""
    _report(recorded, as_json, f"{recorded.row['name']}{also}")


@app.command("alias", cls=OneValueEach)
@guarded
def add_alias(
    ctx: typer.Context,
    actor: Annotated[str, typer.Argument(metavar="ACTOR", help="A P or O reference, or a name.")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="The other name, in any script.")],
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record another name of a person or organisation (another spelling or script).

    Example:

        cases add alias "Sairagul Sauytbay" "Сайрагүл Сауытбай"
    """
    from cases.service.recording import add_alias as record

    with open_store(ctx, write=True) as store:
        recorded = record(store, actor, name, _common(note, source, private, according_to))
    _report(recorded, as_json, f"{recorded.row['name']}: alias {recorded.extra['alias']}")


@app.command("source", cls=OneValueEach)
@guarded
def add_source(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(metavar="TITLE", help="The report's title.")],
    url: Annotated[str | None, typer.Option(help="Where it was published.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who published it, e.g. RFE/RL.")] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", help="Who wrote it. Repeatable.")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(metavar="CODE", help="Its language: an ISO 639 code (en, ru, kk...)."),
    ] = None,
    date: Annotated[str | None, typer.Option(metavar="DATE", help="Publication date.")] = None,
    accessed: Annotated[str | None, typer.Option(metavar="DATE", help="When it was read.")] = None,
    relays: Annotated[
        str | None,
        typer.Option(
            metavar="SRC", help="The source this one republishes (an S reference or URL)."
        ),
    ] = None,
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

        cases add source "Ethnic Kazakh From Xinjiang Pleads With Court" --publisher RFE/RL --date 2019-11-12 --language en
    """
    from cases.service.recording import add_source as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            title,
            url=url,
            publisher=publisher,
            authors=author or (),
            language=language,
            date=date,
            accessed=accessed,
            relays=relays,
            reliability=reliability,
            common=_common(note, source, private),
        )
    _report(recorded, as_json, recorded.row["title"])


@app.command("trial", cls=OneValueEach)
@guarded
def add_trial(
    ctx: typer.Context,
    people: Annotated[
        list[str],
        typer.Argument(metavar="PERSON...", help="One or more people (P references or names)."),
    ],
    court: Annotated[
        str | None,
        typer.Option(
            help="The court, e.g. 'Zharkent district court' (linked if a recorded "
            "organisation); may be left out while the status is investigation."
        ),
    ] = None,
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
    judge: Annotated[
        list[str] | None,
        typer.Option("--judge", help="A judge's name (linked if a recorded person). Repeatable."),
    ] = None,
    lawyer: Annotated[
        list[str] | None,
        typer.Option("--lawyer", help="A lawyer's name (linked if a recorded person). Repeatable."),
    ] = None,
    prosecutor: Annotated[
        list[str] | None,
        typer.Option(
            "--prosecutor", help="A prosecutor's name (linked if a recorded person). Repeatable."
        ),
    ] = None,
    status: Annotated[str | None, vocabulary("trials", "status")] = None,
    with_: WithOption = None,
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a trial with its parties, judges, lawyers and prosecutors.

    Example:

        cases add trial "Murager Alimuly" "Qaster Musakhanuly" --court "court in Zaisan" --charge "illegal border crossing"
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
            judges=judge or (),
            lawyers=lawyer or (),
            prosecutors=prosecutor or (),
            status=status,
            participants=with_ or (),
            common=_common(note, source, private, according_to),
        )
    court_text = recorded.row["court"] or "court not named"
    _report(recorded, as_json, f"{court_text}: {'; '.join(recorded.extra['parties'])}")


@app.command("ruling", cls=OneValueEach)
@guarded
def add_ruling(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(metavar="PERSON", help="A P reference or a name.")],
    date: Annotated[str, typer.Option(metavar="DATE", help="When the ruling was given.")],
    outcome: Annotated[str, vocabulary("rulings", "outcome")],
    trial: Annotated[
        str | None, typer.Option(help="The trial (T reference); default the latest.")
    ] = None,
    court: Annotated[str | None, typer.Option(help="The court, if not the trial's.")] = None,
    sentence: Annotated[str | None, typer.Option(help="The sentence as reported.")] = None,
    sentence_kind: Annotated[
        list[str] | None, vocabulary("rulings", "sentence_kinds", "--sentence-kind")
    ] = None,
    months: Annotated[
        str | None, typer.Option(metavar="N", help="Sentence length in months.")
    ] = None,
    fine: Annotated[
        str | None,
        typer.Option(metavar='"AMOUNT CURRENCY"', help='A fine, e.g. "300 USD" (ISO 4217 code).'),
    ] = None,
    pretrial_credit: Annotated[
        str | None,
        typer.Option(
            "--pretrial-credit",
            metavar="N",
            help="Each day of pretrial detention counts as N days of the sentence.",
        ),
    ] = None,
    plea: Annotated[str | None, vocabulary("rulings", "plea")] = None,
    deportation: Annotated[str | None, vocabulary("rulings", "deportation")] = None,
    extradition: Annotated[str | None, vocabulary("rulings", "extradition")] = None,
    appeal_of: Annotated[
        str | None,
        typer.Option("--appeal-of", help="The ruling this appeal decides (R reference)."),
    ] = None,
    with_: WithOption = None,
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a ruling (attached to the person's latest trial unless --trial).

    Example:

        cases add ruling "Tilek Tabarikuly" --date 2020-01-16 --outcome convicted --sentence-kind labor-camp --months 6 --pretrial-credit 2 --deportation refused
    """
    from cases.service.describe import ruling_phrase
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
            sentence_kinds=sentence_kind or (),
            months=months,
            fine=fine,
            pretrial_credit=pretrial_credit,
            plea=plea,
            deportation=deportation,
            extradition=extradition,
            appeal_of=appeal_of,
            participants=with_ or (),
            common=_common(note, source, private, according_to),
        )
    row = recorded.row
    attached = f" (T{row['trial_id']})" if row["trial_id"] else ""
    _report(recorded, as_json, f"{recorded.extra['person']}: {ruling_phrase(row)}{attached}")


@app.command("asylum", cls=OneValueEach)
@guarded
def add_asylum(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(metavar="PERSON", help="A P reference or a name.")],
    date: Annotated[str, typer.Option(metavar="DATE", help="When the decision was made.")],
    decision: Annotated[str, vocabulary("asylum", "decision")],
    country: Annotated[str | None, typer.Option(help="The deciding country.")] = None,
    authority: Annotated[
        str | None,
        typer.Option(help="The deciding authority (linked if a recorded organisation)."),
    ] = None,
    until: Annotated[str | None, typer.Option(metavar="DATE", help="Valid until.")] = None,
    with_: WithOption = None,
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record an asylum decision or application.

    Example:

        cases add asylum "Sairagul Sauytbay" --date "before 2019-01-29" --decision extended --country Kazakhstan --until 2019-04-25
    """
    from cases.service.describe import asylum_phrase
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
            participants=with_ or (),
            common=_common(note, source, private, according_to),
        )
    _report(recorded, as_json, f"{recorded.extra['person']}: {asylum_phrase(recorded.row)}")


@app.command("detention", cls=OneValueEach)
@guarded
def add_detention(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(metavar="PERSON", help="A P reference or a name.")],
    start: Annotated[str, typer.Option(metavar="DATE", help="When it began.")],
    end: Annotated[
        str | None, typer.Option(metavar="DATE", help="When it ended; leave out while still held.")
    ] = None,
    kind: Annotated[str | None, vocabulary("detentions", "kind")] = None,
    place: Annotated[str | None, typer.Option(help="Where.")] = None,
    authority: Annotated[
        str | None,
        typer.Option(help="Who holds the person (linked if a recorded organisation)."),
    ] = None,
    with_: WithOption = None,
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a detention (open while it has no --end).

    Example:

        cases add detention "Tilek Tabarikuly" --start 2019-10 --kind pretrial
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
            participants=with_ or (),
            common=_common(note, source, private, according_to),
        )
    row = recorded.row
    until = f"until {display_date(row['end'])}" if row["end"] else "still held"
    what = row["kind"] or "detention"
    _report(
        recorded,
        as_json,
        f"{recorded.extra['person']}: {what} from {display_date(row['start'])}, {until}",
    )


@app.command("event", cls=OneValueEach)
@guarded
def add_event(
    ctx: typer.Context,
    actor: Annotated[
        str,
        typer.Argument(
            metavar="ACTOR", help="Whose event: a P or O reference, or a name (the subject)."
        ),
    ],
    date: Annotated[str, typer.Option(metavar="DATE", help="When it happened.")],
    kind: Annotated[str, vocabulary("events", "kind")],
    summary: Annotated[
        str | None, typer.Argument(metavar="SUMMARY", help="What happened, in a sentence.")
    ] = None,
    with_: WithOption = None,
    place: Annotated[str | None, typer.Option(help="Where.")] = None,
    trial: Annotated[
        str | None, typer.Option(metavar="T", help="The trial it belongs to (T reference).")
    ] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record an event of a person or organisation, with anyone else taking part.

    Example:

        cases add event "Qaisha Aqan" --date 2018-05 --kind border-crossing "Crossed into Kazakhstan"
        cases add event "Freedom Now" --date 2019 --kind petition --with "Serikzhan Bilash=victim" "Petition to the UN for Bilash's release"
    """
    from cases.service.recording import add_event as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            actor,
            date=date,
            kind=kind,
            place=place,
            summary=summary,
            trial=trial,
            participants=with_ or (),
            common=_common(note, source, private, according_to),
        )
    _report(recorded, as_json, f"{recorded.extra['person']}: {recorded.row['kind']}")


@app.command("relation", cls=OneValueEach)
@guarded
def add_relation(
    ctx: typer.Context,
    actor: Annotated[
        str,
        typer.Argument(metavar="ACTOR", help="A person or organisation (P/O reference or name)."),
    ],
    other: Annotated[
        str, typer.Argument(metavar="OTHER", help="The related person or organisation.")
    ],
    kind: Annotated[str, vocabulary("relations", "kind", help="What OTHER is to ACTOR.")],
    since: Annotated[
        str | None, typer.Option(metavar="DATE", help="Since when, where known.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(metavar="DATE", help="Until when, where known.")
    ] = None,
    note: NoteOption = None,
    source: SourceOption = None,
    according_to: AccordingToOption = None,
    private: PrivateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record that OTHER is ACTOR's KIND (lawyer, parent, leader...), from --since to --until.

    Example:

        cases add relation "Sairagul Sauytbay" "Abzal Kuspanov" --kind lawyer
    """
    from cases.service.recording import add_relation as record

    with open_store(ctx, write=True) as store:
        recorded = record(
            store,
            actor,
            other,
            kind=kind,
            since=since,
            until=until,
            common=_common(note, source, private, according_to),
        )
    extra = recorded.extra
    _report(recorded, as_json, f"{extra['other']} is {extra['person']}'s {recorded.row['kind']}")
