"""Every table, declared once: its fields, the kind of record it holds, the
rules across its fields, and for a fact when it happened, who it involves
and how it reads. In the order an export writes them (citations last: they
name records of every table)."""

from __future__ import annotations

from cases.catalogue import phrases
from cases.catalogue.model import PRIVATE, Fact, Field, Placement, Table, actor, link, naming
from cases.catalogue.rules import (
    AcrossRows,
    AtMostOne,
    Different,
    EndsAfterStarts,
    OneOf,
)
from cases.catalogue.types import (
    CHOICE,
    CHOICES,
    DATE,
    LANGUAGE,
    MONEY,
    NAME,
    NAMES,
    NUMBER,
    RECORD,
    SIZE,
    URL,
)
from cases.catalogue.vocabularies import (
    COMMUNICATION_KIND,
    DECISION,
    DEPORTATION,
    DETENTION_KIND,
    EVENT_KIND,
    EXTRADITION,
    ORG_KIND,
    OUTCOME,
    PARTICIPANT_ROLE,
    PARTY_ROLE,
    PLEA,
    RELATION_KIND,
    RESPONSE,
    SENTENCE_KIND,
    SEX,
    TRIAL_STATUS,
)

# What a free text that may name anyone may name.
ACTORS = ("people", "organisations")

PEOPLE = Table(
    "people",
    (
        Field(
            "name",
            NAME,
            searchable=True,
            argument=True,
            help="The person's name as most sources write it.",
        ),
        Field(
            "description",
            searchable=True,
            option="unnamed",
            metavar="DESCRIPTION",
            help="Someone a report mentions without a name: who they are "
            '("Qaisha Aqan\'s mother"). Never matched as a name.',
        ),
        Field("sex", CHOICE, vocabulary=SEX),
        Field("born", DATE, help="Birth date, e.g. 1982 or ~1982."),
        Field("ethnicity", help="Ethnicity, e.g. Kazakh."),
        Field("citizenship", help="Citizenship, e.g. China."),
        Field("origin", searchable=True, help="Place of origin, e.g. Xinjiang."),
    ),
    prefix="P",
    noun="person",
    rules=(
        OneOf(
            ("name", "description"),
            "name must not be empty (a person a report does not name is added with "
            "--unnamed DESCRIPTION)",
            True,
        ),
    ),
    listed=(
        ("Ref", "ref"),
        ("Name", "display_name"),
        ("Sex", "sex"),
        ("Born", "born_display"),
        ("Origin", "origin"),
        ("Citizenship", "citizenship"),
    ),
    description="People whose cases are documented: one row per person, named, or described "
    "when a report mentions them without a name.",
)

ORGANISATIONS = Table(
    "organisations",
    (
        Field(
            "name",
            NAME,
            required=True,
            searchable=True,
            argument=True,
            help="The organisation's or group's name.",
        ),
        Field("kind", CHOICE, vocabulary=ORG_KIND, label="organisation kind"),
        Field("country", searchable=True, help="Its country, e.g. Kazakhstan."),
        Field("size", SIZE, help="How many people a group counts: 30, or ~30."),
        link(
            "part_of_id",
            "organisations",
            required=False,
            label="part of",
            help="The organisation it is part of.",
            option="part-of",
            metavar="ORG",
        ),
    ),
    prefix="O",
    noun="organisation",
    plural="orgs",
    listed=(
        ("Ref", "ref"),
        ("Name", "name"),
        ("Kind", "kind"),
        ("Country", "country"),
        ("Size", "size"),
    ),
    description="Organisations and groups: courts, police, ministries, NGOs, media, and "
    "groups of people a report counts but does not name.",
)

ALIASES = Table(
    "aliases",
    (
        *actor(),
        Field(
            "name",
            NAME,
            required=True,
            searchable=True,
            label="an alias",
            argument=True,
            help="The other name, in any script.",
        ),
    ),
    noun="alias",
    rules=(OneOf(("person_id", "org_id"), "an alias belongs to one person or organisation"),),
    description="Other names of people and organisations: other spellings, other scripts.",
)

SOURCES = Table(
    "sources",
    (
        Field(
            "title",
            required=True,
            searchable=True,
            label="a source title",
            argument=True,
            help="The report's title.",
        ),
        Field("url", URL, help="Where it was published."),
        Field("publisher", searchable=True, names=ACTORS, help="Who published it, e.g. RFE/RL."),
        Field(
            "authors", NAMES, searchable=True, names=ACTORS, option="author", help="Who wrote it."
        ),
        Field("language", LANGUAGE, help="Its language: an ISO 639 code, e.g. en, ru, kk."),
        Field("date", DATE, help="Publication date."),
        Field("accessed", DATE, help="When it was read."),
        link(
            "relays_id",
            "sources",
            required=False,
            label="a relay of",
            help="The source this one republishes (an S reference or URL).",
            option="relays",
            metavar="SRC",
        ),
        Field(
            "reliability",
            NUMBER,
            minimum=0,
            maximum=4,
            range_message="use 0 (lowest) to 4 (highest)",
            help="0 (unverified) to 4 (confirmed by several sources).",
        ),
    ),
    prefix="S",
    noun="source",
    listed=(
        ("Ref", "ref"),
        ("Title", "title"),
        ("Publisher", "publisher"),
        ("Date", "date_display"),
        ("Rel.", "reliability"),
    ),
    description="The reports, testimonies and documents the records rest on, with their "
    "reliability from 0 (unverified) to 4 (confirmed by several sources).",
)

TRIALS = Table(
    "trials",
    (
        naming(
            "court",
            "organisations",
            searchable=True,
            help="The court (linked if a recorded organisation); left out when a "
            "report does not name it.",
        ),
        Field("place", searchable=True, help="Town or city."),
        Field("charge", searchable=True, help="The charge."),
        Field("case_number", help="Court case number."),
        Field("opened", DATE, help="When the trial opened."),
        Field("status", CHOICE, vocabulary=TRIAL_STATUS, label="trial status"),
    ),
    prefix="T",
    noun="trial",
    fact=Fact(
        (Placement("opened", "trial"),),
        phrases.trial,
        subject=(),
        parties="trial_parties",
        court="court",
        place="place",
    ),
    listed=(
        ("Ref", "ref"),
        ("Opened", "opened_display"),
        ("Court", "court"),
        ("Place", "place"),
        ("Charge", "charge"),
        ("Parties", "party_names"),
        ("Status", "status"),
    ),
    description="Trials and investigations: the court, place, charge, when it opened and its "
    "status.",
)

TRIAL_PARTIES = Table(
    "trial_parties",
    (
        link("trial_id", "trials"),
        *actor(),
        naming("name", "people", searchable=True, linked_by="name_person_id"),
        Field("role", CHOICE, required=True, vocabulary=PARTY_ROLE),
    ),
    noun="trial party",
    rules=(
        OneOf(
            ("person_id", "org_id", "name"),
            "a trial party is a person, an organisation or a name",
            True,
        ),
    ),
    description="Who is party to each trial and in what role: defendants, plaintiffs, "
    "lawyers, judges, prosecutors.",
)

RULINGS = Table(
    "rulings",
    (
        link("person_id", "people"),
        # a ruling goes with its trial
        link(
            "trial_id",
            "trials",
            required=False,
            owner=True,
            help="The trial (T reference); default the person's latest.",
            option="trial",
            metavar="T",
        ),
        Field("date", DATE, required=True, help="When the ruling was given."),
        naming("court", "organisations", searchable=True, help="The court, if not the trial's."),
        Field("outcome", CHOICE, required=True, vocabulary=OUTCOME),
        Field("sentence", searchable=True, help="The sentence as reported."),
        Field(
            "sentence_kinds",
            CHOICES,
            vocabulary=SENTENCE_KIND,
            label="sentence kind",
            option="sentence-kind",
            metavar="KIND",
            help="The kind of sentence.",
        ),
        Field("months", NUMBER, minimum=0, help="Sentence length in months."),
        Field("fine", MONEY, help='A fine: an amount and a currency, e.g. "300 USD".'),
        Field(
            "pretrial_credit",
            NUMBER,
            minimum=1,
            maximum=10,
            label="pretrial credit",
            help="Days of the sentence each day of pretrial detention counts as.",
        ),
        Field("plea", CHOICE, vocabulary=PLEA),
        Field("deportation", CHOICE, vocabulary=DEPORTATION, label="deportation decision"),
        Field("extradition", CHOICE, vocabulary=EXTRADITION, label="extradition decision"),
        link(
            "appeal_of_id",
            "rulings",
            required=False,
            label="an appeal of",
            help="The ruling this appeal decides (R reference).",
            option="appeal-of",
            metavar="R",
        ),
    ),
    prefix="R",
    noun="ruling",
    fact=Fact(
        (Placement("date", "ruling"),),
        phrases.ruling,
        subject=("person_id",),
        court="court",
        within="trial_id",
        marker="outcome",
    ),
    listed=(
        ("Ref", "ref"),
        ("Date", "date_display"),
        ("Person", "person"),
        ("Outcome", "outcome"),
        ("Sentence", "sentence"),
        ("Trial", "trial_ref"),
    ),
    description="Court rulings: outcome, sentence, fine, plea, and decisions on deportation "
    "and extradition.",
)

ASYLUM = Table(
    "asylum",
    (
        link("person_id", "people"),
        Field("date", DATE, required=True, help="When the decision was made."),
        Field("decision", CHOICE, required=True, vocabulary=DECISION, label="asylum decision"),
        Field("country", searchable=True, help="The deciding country."),
        naming(
            "authority",
            "organisations",
            searchable=True,
            help="The deciding authority (linked if a recorded organisation).",
        ),
        Field("until", DATE, help="Valid until."),
    ),
    prefix="A",
    noun="asylum decision",
    kind_name="asylum",
    fact=Fact(
        (Placement("date", "asylum"),),
        phrases.asylum,
        subject=("person_id",),
        place="country",
        marker="decision",
    ),
    listed=(
        ("Ref", "ref"),
        ("Date", "date_display"),
        ("Person", "person"),
        ("Decision", "decision"),
        ("Country", "country"),
        ("Until", "until_display"),
    ),
    description="Asylum applications and decisions, by country, and how long each is valid.",
)

DETENTIONS = Table(
    "detentions",
    (
        link("person_id", "people"),
        Field("start", DATE, required=True, help="When it began."),
        Field("end", DATE, help="When it ended; leave out while still held."),
        Field("kind", CHOICE, vocabulary=DETENTION_KIND, label="detention kind"),
        Field("place", searchable=True, help="Where."),
        naming(
            "authority",
            "organisations",
            help="Who holds the person (linked if a recorded organisation).",
        ),
    ),
    prefix="D",
    noun="detention",
    fact=Fact(
        (
            Placement("start", "detention"),
            Placement("end", "detention-end", when_known=True),
        ),
        phrases.detention,
        subject=("person_id",),
        place="place",
    ),
    rules=(EndsAfterStarts("start", "end", "detention"),),
    listed=(
        ("Ref", "ref"),
        ("Start", "start_display"),
        ("End", "end_display"),
        ("Person", "person"),
        ("Kind", "kind"),
        ("Place", "place"),
    ),
    description="Detentions: when they began and ended (no end while the person is held, "
    "as far as the sources tell), what kind and where.",
)

EVENTS = Table(
    "events",
    (
        *actor(),
        link(
            "trial_id",
            "trials",
            required=False,
            label="trial",
            help="The trial it belongs to (T reference).",
            option="trial",
            metavar="T",
        ),
        Field("date", DATE, required=True, help="When it happened."),
        Field("kind", CHOICE, required=True, vocabulary=EVENT_KIND, label="event kind"),
        Field("place", searchable=True, help="Where."),
        Field(
            "summary",
            searchable=True,
            argument=True,
            help="What happened, in a sentence.",
        ),
    ),
    prefix="E",
    noun="event",
    fact=Fact((Placement("date", None),), phrases.event, place="place", marker="kind"),
    rules=(OneOf(("person_id", "org_id"), "an event is about one person or organisation"),),
    listed=(
        ("Ref", "ref"),
        ("Date", "date_display"),
        ("Person", "person"),
        ("Kind", "kind"),
        ("Summary", "summary"),
    ),
    description="Events in a person's or an organisation's story: arrests, releases, hearings, "
    "border crossings, statements, petitions.",
)

RELATIONS = Table(
    "relations",
    (
        *actor(),
        *actor("other"),
        Field(
            "kind",
            CHOICE,
            required=True,
            vocabulary=RELATION_KIND,
            label="relation kind",
            help="What OTHER is to ACTOR.",
        ),
        Field("since", DATE, help="Since when, where known."),
        Field("until", DATE, help="Until when, where known."),
    ),
    prefix="L",
    noun="relation",
    fact=Fact(
        (Placement("since", None),),
        phrases.relation,
        others_role="kind",
        in_timeline=False,
    ),
    rules=(
        OneOf(("person_id", "org_id"), "a relation starts at one person or organisation"),
        OneOf(("other_id", "other_org_id"), "a relation ends at one person or organisation"),
        Different("person_id", "other_id", "a person cannot be related to themselves"),
        Different("org_id", "other_org_id", "an organisation cannot be related to itself"),
        EndsAfterStarts("since", "until", "relation"),
    ),
    listed=(("Ref", "ref"), ("Person", "person"), ("Kind", "kind"), ("Other", "other")),
    description="Relations between people and organisations: family, lawyers, members, "
    "leaders, employees.",
)

COMMUNICATIONS = Table(
    "communications",
    (
        *actor(),
        Field("date", DATE, required=True, help="When it was sent."),
        Field(
            "kind",
            CHOICE,
            required=True,
            vocabulary=COMMUNICATION_KIND,
            label="communication kind",
        ),
        Field("place", searchable=True, help="Where it was made (a gathering, a city)."),
        Field(
            "summary",
            searchable=True,
            argument=True,
            help="What it asks, in a sentence.",
        ),
        Field("response", CHOICE, vocabulary=RESPONSE, help="What came back."),
        Field("reply_date", DATE, label="reply date", help="When the reply came."),
        Field("reply", searchable=True, help="What the reply said, in a sentence."),
    ),
    prefix="M",
    noun="communication",
    since=16,
    fact=Fact(
        (Placement("date", "communication"), Placement("reply_date", "reply", when_known=True)),
        phrases.communication,
        subject_role="sender",
        place="place",
        marker="kind",
    ),
    rules=(
        OneOf(("person_id", "org_id"), "a communication is sent by one person or organisation"),
        EndsAfterStarts(
            "date",
            "reply_date",
            "communication",
            "the reply ({end}) comes before the communication was sent ({start})",
        ),
    ),
    listed=(
        ("Ref", "ref"),
        ("Date", "date_display"),
        ("From", "person"),
        ("Kind", "kind"),
        ("Response", "response"),
        ("Summary", "summary"),
    ),
    description="Communications: what an actor sent on someone's behalf (a petition, an "
    "urgent appeal, a complaint, a letter) to whom, about whom, and what came back.",
)

# The facts, before the tables that name any of them.
FACT_TABLES = (TRIALS, RULINGS, ASYLUM, DETENTIONS, EVENTS, RELATIONS, COMMUNICATIONS)


def _subject_also_taking_part(facts: tuple[Table, ...]) -> str:
    """SQL for the participants who are their fact's own actor (a subject) or, for
    a trial, one of its parties."""
    parts = []
    for fact in facts:
        assert fact.fact is not None
        if not fact.fact.in_timeline:
            continue
        if fact.fact.parties:
            parts.append(
                f"""SELECT w.id FROM participants w JOIN "{fact.name}" f ON f.uid = w.fact_uid
                    JOIN "{fact.fact.parties}" x ON x.trial_id = f.id
                    WHERE w.person_id = x.person_id OR w.org_id = x.org_id"""
            )
            continue
        same = [
            f"w.{'person_id' if fact.field(column).link == 'people' else 'org_id'} = x.{column}"
            for column in fact.fact.subject
        ]
        if same:
            parts.append(
                f"""SELECT w.id FROM participants w JOIN "{fact.name}" x ON x.uid = w.fact_uid
                    WHERE {" OR ".join(same)}"""
            )
    return "\nUNION ALL ".join(parts)


PARTICIPANTS = Table(
    "participants",
    (
        Field(
            "fact_uid",
            RECORD,
            required=True,
            editable=False,
            owner=True,
            link="facts",
            label="fact",
            help="The fact they take part in.",
            formerly=("trial_uid", "ruling_uid", "asylum_uid", "detention_uid", "event_uid"),
        ),
        *actor(),
        Field("role", CHOICE, required=True, vocabulary=PARTICIPANT_ROLE),
    ),
    noun="participant",
    rules=(
        OneOf(("person_id", "org_id"), "a participant is one person or organisation"),
        AcrossRows(
            """SELECT max(id) FROM participants GROUP BY fact_uid, person_id, org_id
               HAVING count(*) > 1""",
            "an actor takes part in a fact once, in one role",
        ),
        AcrossRows(
            _subject_also_taking_part(FACT_TABLES),
            "a fact's subject (or a trial's party) is not also one of its participants",
        ),
    ),
    description="Everyone else taking part in a fact (a trial, ruling, asylum decision, "
    "detention, event...), in their role (victim, witness, organizer...).",
)

CITATIONS = Table(
    "citations",
    (
        Field(
            "record_uid",
            RECORD,
            required=True,
            editable=False,
            owner=True,
            label="record",
            help="The record the source supports.",
        ),
        link("source_id", "sources", help="The source that supports the record."),
        Field("quote", help="The words the source uses."),
        Field("page", help="Where in the source (page, paragraph, time)."),
        # a claim attributed to a private actor stays out with them: by its
        # link, or by the name it gives (the actor may be gone since)
        Field(
            "according_to",
            names=ACTORS,
            owner=True,
            help="Who, according to the source, made the claim.",
        ),
        link(
            "according_to_person_id",
            "people",
            required=False,
            owner=True,
            help="The person who, according to the source, made the claim.",
        ),
        link(
            "according_to_org_id",
            "organisations",
            required=False,
            owner=True,
            help="The organisation that, according to the source, made the claim.",
        ),
        # private when the actor it is attributed to was private when deleted or
        # merged away (a citation has no note of its own)
        PRIVATE,
    ),
    annotated=False,
    noun="citation",
    rules=(
        AtMostOne(
            ("according_to_person_id", "according_to_org_id"),
            "a claim is attributed to one person or organisation, not both",
        ),
    ),
    description="Which source supports which record: each row links one record (the "
    "record_..._id column that is set) to the source, with the words it uses and where.",
)

TABLES: tuple[Table, ...] = (
    PEOPLE,
    ORGANISATIONS,
    ALIASES,
    SOURCES,
    TRIALS,
    TRIAL_PARTIES,
    RULINGS,
    ASYLUM,
    DETENTIONS,
    EVENTS,
    RELATIONS,
    COMMUNICATIONS,
    PARTICIPANTS,
    CITATIONS,
)
