"""``cases add ...``: record actors, sources and the facts of a case.

Each command's options are its table's fields, from the catalogue (see
``cli/_declared.py``); here is only what is each command's own: its arguments,
the options that are not fields, and the line it prints.
"""

from __future__ import annotations

from typing import Any

import typer

from cases.catalogue import TABLE
from cases.cli._declared import Param, add_command, field_argument, options_of, taking_part

app = typer.Typer(
    help="Record an actor, another name, a source or a fact: one command for each kind.\n\n"
    'Example:\n\n    cases add person "Qaisha Aqan" --sex female',
    no_args_is_help=True,
)


def _service(name: str) -> Any:
    """The use case NAME: a trial's and a ruling's in service/trials.py, the others'
    in service/recording.py (imported when a command runs, not for --help)."""
    if name in ("add_trial", "add_ruling"):
        from cases.service import trials

        return getattr(trials, name)
    from cases.service import recording

    return getattr(recording, name)


def _also(recorded: Any) -> str:
    aliases = recorded.extra.get("aliases") or []
    return f" (also {', '.join(aliases)})" if aliases else ""


def _aliases() -> Param:
    return Param("alias", "Another name.", "NAME", ("--alias",), many=True)


def _person(help: str = "A P reference or a name.") -> Param:
    return Param("person", help, "PERSON", required=True)


def _actor(help: str) -> Param:
    return Param("actor", help, "ACTOR", required=True)


def _fact_line(recorded: Any) -> str:
    from cases.service.describe import fact_line

    return f"{recorded.extra['person']}: {fact_line(recorded.kind.table, recorded.row)}"


def _named(ctx: typer.Context, values: dict[str, Any]) -> None:
    if values["name"] is None and values["description"] is None:
        raise typer.BadParameter(
            "give the person's NAME, or --unnamed DESCRIPTION for someone not named", ctx=ctx
        )


add_command(
    app,
    "person",
    doc="""Record a person, or someone a report mentions without a name (--unnamed).

    Example:

        cases add person "Sairagul Sauytbay" --alias "Sayragul Sauytbay" --sex female --origin Xinjiang
        cases add person --unnamed "Qaisha Aqan's mother" --sex female
    """,
    params=[
        field_argument(TABLE["people"].field("name"), required=False),
        *options_of("people"),
        _aliases(),
    ],
    check=_named,
    record=lambda store, values, common: _service("add_person")(
        store, values.pop("name"), aliases=values.pop("alias") or (), common=common, **values
    ),
    said=lambda recorded: (
        (recorded.row["name"] or f"[{recorded.row['description']}]") + _also(recorded)
    ),
)

add_command(
    app,
    "org",
    doc="""Record an organisation (an NGO, a court, the police...) or a group of
    people a report counts but does not name (--kind group --size ~30).

    Example:

        cases add org "Atazhurt Volunteers" --alias "Atazhurt Eriktileri" --kind ngo --country Kazakhstan
    """,
    params=[
        field_argument(TABLE["organisations"].field("name")),
        *options_of("organisations"),
        _aliases(),
    ],
    record=lambda store, values, common: _service("add_org")(
        store, values.pop("name"), aliases=values.pop("alias") or (), common=common, **values
    ),
    said=lambda recorded: recorded.row["name"] + _also(recorded),
)

add_command(
    app,
    "alias",
    doc="""Record another name of a person or organisation (another spelling or script).

    Example:

        cases add alias "Sairagul Sauytbay" "Сайрагүл Сауытбай"
    """,
    params=[
        _actor("A P or O reference, or a name."),
        field_argument(TABLE["aliases"].field("name")),
    ],
    record=lambda store, values, common: _service("add_alias")(
        store, values["actor"], values["name"], common
    ),
    said=lambda recorded: f"{recorded.row['name']}: alias {recorded.extra['alias']}",
)

add_command(
    app,
    "source",
    doc="""Record a source: a news report, testimony or court document.

    Example:

        cases add source "Ethnic Kazakh From Xinjiang Pleads With Court" --publisher RFE/RL --date 2019-11-12 --language en
    """,
    params=[field_argument(TABLE["sources"].field("title")), *options_of("sources")],
    record=lambda store, values, common: _service("add_source")(
        store, values.pop("title"), common=common, **values
    ),
    said=lambda recorded: recorded.row["title"],
)


def _named_in_trial(role: str) -> Param:
    return Param(
        role,
        f"A {role}'s name (linked if a recorded person).",
        "NAME",
        (f"--{role}",),
        many=True,
    )


add_command(
    app,
    "trial",
    doc="""Record a trial with its parties, judges, lawyers and prosecutors.

    Example:

        cases add trial "Murager Alimuly" "Qaster Musakhanuly" --court "court in Zaisan" --charge "illegal border crossing"
    """,
    params=[
        Param(
            "people",
            "One or more people (P references or names).",
            "PERSON...",
            many=True,
            required=True,
        ),
        *options_of("trials"),
        Param(
            "role",
            "Role of each PERSON in order (default defendant).",
            "ROLE",
            ("--role",),
            many=True,
            complete=TABLE["trial_parties"].field("role").complete,
        ),
        *(_named_in_trial(role) for role in ("judge", "lawyer", "prosecutor")),
        taking_part(),
    ],
    record=lambda store, values, common: _service("add_trial")(
        store,
        values.pop("people"),
        roles=values.pop("role") or (),
        judges=values.pop("judge") or (),
        lawyers=values.pop("lawyer") or (),
        prosecutors=values.pop("prosecutor") or (),
        participants=values.pop("with_") or (),
        common=common,
        **values,
    ),
    said=lambda recorded: (
        f"{recorded.row['court'] or 'a court not named'}: {'; '.join(recorded.extra['parties'])}"
    ),
)


def _fact(table: str) -> Any:
    """How a fact of TABLE is recorded: about its person (or actor), with its
    options and those taking part (the ruling's own service attaches it to a trial)."""

    def record(store: Any, values: dict[str, Any], common: Any) -> Any:
        subject = values.pop("person") if "person" in values else values.pop("actor")
        participants = values.pop("with_", None) or ()
        if table == "rulings":
            return _service("add_ruling")(
                store, subject, participants=participants, common=common, **values
            )
        return _service("add_fact")(
            store, table, subject, participants=participants, common=common, **values
        )

    return record


def _ruling_line(recorded: Any) -> str:
    from cases.service.describe import ruling_phrase

    row = recorded.row
    attached = f" (T{row['trial_id']})" if row["trial_id"] else ""
    return f"{recorded.extra['person']}: {ruling_phrase(row)}{attached}"


add_command(
    app,
    "ruling",
    doc="""Record a ruling (attached to the person's latest trial unless --trial).

    Example:

        cases add ruling "Tilek Tabarikuly" --date 2020-01-16 --outcome convicted --sentence-kind labor-camp --months 6 --pretrial-credit 2 --deportation refused
    """,
    params=[_person(), *options_of("rulings"), taking_part()],
    record=_fact("rulings"),
    said=_ruling_line,
)

add_command(
    app,
    "asylum",
    doc="""Record an asylum decision or application.

    Example:

        cases add asylum "Sairagul Sauytbay" --date "before 2019-01-29" --decision extended --country Kazakhstan --until 2019-04-25
    """,
    params=[_person(), *options_of("asylum"), taking_part()],
    record=_fact("asylum"),
    said=_fact_line,
)


def _detention_line(recorded: Any) -> str:
    from cases.dates import display_date

    row = recorded.row
    spans = [row["kind"] or "detention"]
    if row["start"]:
        spans.append(f"from {display_date(row['start'])}")
    if row["duration"]:
        spans.append(f"for {row['duration']}")
    if row["end"]:
        spans.append(f"until {display_date(row['end'])}")
    ended = ", still held" if not row["end"] and not row["duration"] else ""
    return f"{recorded.extra['person']}: {' '.join(spans)}{ended}"


add_command(
    app,
    "detention",
    doc="""Record a detention of a person or group: from --start to --end (open while
    it has no --end), or only how long it lasted (--duration).

    Example:

        cases add detention "Tilek Tabarikuly" --start 2019-10 --kind pretrial
        cases add detention "Qaster Musakhanuly" --duration "several years" --kind camp
    """,
    params=[
        _actor("Who was held: a person or a group (a P or O reference, or a name)."),
        *options_of("detentions"),
        taking_part(),
    ],
    record=_fact("detentions"),
    said=_detention_line,
)


add_command(
    app,
    "event",
    doc="""Record an event of a person or organisation, with anyone else taking part.

    Example:

        cases add event "Qaisha Aqan" --date 2018-05 --kind border-crossing "Crossed into Kazakhstan"
        cases add event "Freedom Now" --date 2020 --kind statement --with "Serikzhan Bilash=victim" "Called his detention unjust"
    """,
    params=[
        _actor("Whose event: a P or O reference, or a name (the subject)."),
        field_argument(TABLE["events"].field("summary")),
        *options_of("events"),
        taking_part(),
    ],
    record=_fact("events"),
    said=lambda recorded: f"{recorded.extra['person']}: {recorded.row['kind']}",
)

add_command(
    app,
    "relation",
    doc="""Record that OTHER is ACTOR's KIND (lawyer, parent, leader...), from --since to --until.

    Example:

        cases add relation "Sairagul Sauytbay" "Abzal Kuspanov" --kind lawyer
    """,
    params=[
        _actor("A person or organisation (P/O reference or name)."),
        Param("other", "The related person or organisation.", "OTHER", required=True),
        *options_of("relations"),
    ],
    record=lambda store, values, common: _service("add_relation")(
        store, values.pop("actor"), values.pop("other"), common=common, **values
    ),
    said=lambda recorded: (
        f"{recorded.extra['other']} is {recorded.extra['person']}'s {recorded.row['kind']}"
    ),
)


def _communication(store: Any, values: dict[str, Any], common: Any) -> Any:
    """Its addressees (--to) and the people it is about (--about) take part in it."""
    to, about = values.pop("to"), values.pop("about") or ()
    values["with_"] = (
        *(f"{actor}=addressee" for actor in to),
        *(f"{actor}=subject" for actor in about),
        *(values["with_"] or ()),
    )
    return _fact("communications")(store, values, common)


add_command(
    app,
    "communication",
    doc="""Record what an actor sent on someone's behalf (a petition, an urgent
    appeal, a complaint, a letter), to whom and about whom, and what came back.

    Example:

        cases add communication "Freedom Now" --to "UN Working Group on Arbitrary Detention" --about "Serikzhan Bilash" --date 2019 --kind petition --response opinion
    """,
    params=[
        _actor("Who sent it: a P or O reference, or a name."),
        field_argument(TABLE["communications"].field("summary")),
        Param("to", "To whom it was sent.", "ACTOR", ("--to",), many=True, required=True),
        Param("about", "Whom it is about.", "ACTOR", ("--about",), many=True),
        *options_of("communications"),
        taking_part(),
    ],
    record=_communication,
    said=_fact_line,
)


add_command(
    app,
    "whereabouts",
    doc="""Record where someone is or was known to be: from --since to --until, or
    --as-of the day a report said so.

    Example:

        cases add whereabouts "Qaisha Aqan" Sweden --since 2020-02
    """,
    params=[
        _actor("Whose whereabouts: a P or O reference, or a name."),
        field_argument(TABLE["whereabouts"].field("place")),
        *options_of("whereabouts"),
    ],
    record=_fact("whereabouts"),
    said=_fact_line,
)
