"""The facts: what happened to whom and when (trials and their parties,
rulings, asylum decisions, detentions, events, communications) and everyone
else taking part in one. A new kind of fact is declared here."""

from __future__ import annotations

from cases.catalogue import phrases
from cases.catalogue.actors import RELATIONS
from cases.catalogue.model import Fact, Field, Placement, Table, actor, link, naming
from cases.catalogue.rules import (
    AcrossRows,
    EndsAfterStarts,
    OneOf,
)
from cases.catalogue.types import (
    CHOICE,
    CHOICES,
    DATE,
    DURATION,
    MONEY,
    NUMBER,
    RECORD,
)
from cases.catalogue.vocabularies import (
    COMMUNICATION_KIND,
    DECISION,
    DEPORTATION,
    DETENTION_KIND,
    EVENT_KIND,
    EXTRADITION,
    OUTCOME,
    PARTICIPANT_ROLE,
    PARTY_ROLE,
    PLEA,
    RESPONSE,
    SENTENCE_KIND,
    TRIAL_STATUS,
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
    unique=(("trial_id", "person_id", "role"),),
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

# Why a ruling or a decision went as it did, in the report's terms.
GROUNDS = Field(
    "grounds",
    searchable=True,
    since=17,
    help='Why it went as it did, in the report\'s terms, e.g. "married to a Kazakh national".',
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
            outlives=True,
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
        GROUNDS,
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
        GROUNDS,
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
        *actor(),
        Field("start", DATE, help="When it began."),
        Field("end", DATE, help="When it ended; leave out while still held."),
        Field("kind", CHOICE, vocabulary=DETENTION_KIND, label="detention kind"),
        Field("place", searchable=True, help="Where."),
        naming(
            "authority",
            "organisations",
            help="Who holds the person (linked if a recorded organisation).",
        ),
        Field(
            "duration",
            DURATION,
            since=19,
            help="How long, where the dates do not tell: 159 days, 6 months, ~3 years, "
            "2-3 years, a few months, several years (shown as written).",
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
        place="place",
    ),
    rules=(
        OneOf(("person_id", "org_id"), "a detention is of one person or group"),
        OneOf(
            ("start", "end", "duration"),
            "a detention needs a start, an end or a duration",
            at_least=True,
        ),
        EndsAfterStarts("start", "end", "detention"),
    ),
    listed=(
        ("Ref", "ref"),
        ("Start", "start_display"),
        ("End", "end_display"),
        ("Person", "person"),
        ("Kind", "kind"),
        ("Place", "place"),
        ("Duration", "duration"),
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

WHEREABOUTS = Table(
    "whereabouts",
    (
        *actor(),
        Field(
            "place",
            required=True,
            searchable=True,
            argument=True,
            help="Where they are or were: a country, a region, a town.",
        ),
        Field("since", DATE, help="Since when they were there."),
        Field("until", DATE, help="Until when they were there."),
        Field(
            "as_of",
            DATE,
            label="as of",
            option="as-of",
            help="The day a report said they were there.",
        ),
    ),
    prefix="W",
    noun="whereabouts",
    kind_name="whereabouts",
    since=18,
    fact=Fact(
        (
            Placement("since", "whereabouts", when_known=True),
            Placement("as_of", "whereabouts-reported", when_known=True),
        ),
        phrases.whereabouts,
        place="place",
    ),
    rules=(
        OneOf(("person_id", "org_id"), "whereabouts are of one person or organisation"),
        EndsAfterStarts(
            "since", "until", "whereabouts", "they left ({end}) before they came ({start})"
        ),
    ),
    listed=(
        ("Ref", "ref"),
        ("Since", "since_display"),
        ("Until", "until_display"),
        ("As of", "as_of_display"),
        ("Actor", "person"),
        ("Place", "place"),
    ),
    description="Whereabouts: where someone is or was known to be (still in Xinjiang, left "
    "for Sweden), since and until when, or as of the day a report said so.",
)

# The facts, before the tables that name any of them.
FACT_TABLES = (
    TRIALS,
    RULINGS,
    ASYLUM,
    DETENTIONS,
    EVENTS,
    RELATIONS,
    COMMUNICATIONS,
    WHEREABOUTS,
)


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
