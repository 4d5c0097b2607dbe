"""The actors: people (named or not), organisations and groups, their other
names, and the relations between them."""

from __future__ import annotations

from cases.catalogue import phrases
from cases.catalogue.model import Fact, Field, Placement, Table, actor, link
from cases.catalogue.rules import (
    Different,
    EndsAfterStarts,
    OneOf,
)
from cases.catalogue.types import (
    CHOICE,
    DATE,
    NAME,
    SIZE,
)
from cases.catalogue.vocabularies import (
    ORG_KIND,
    RELATION_KIND,
    SEX,
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
        Field(
            "born",
            DATE,
            ages=True,
            help='Birth date, e.g. 1982 or ~1982, or an age at a date: "aged 25 on 29 Oct 2019".',
        ),
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
