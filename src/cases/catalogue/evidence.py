"""The evidence: sources (reports, testimonies, documents) and the citations
that tie a record to a source, with its words."""

from __future__ import annotations

from cases.catalogue.actors import ACTORS
from cases.catalogue.model import PRIVATE, Field, Table, link
from cases.catalogue.rules import (
    AtMostOne,
)
from cases.catalogue.types import (
    DATE,
    LANGUAGE,
    NAMES,
    NUMBER,
    RECORD,
    URL,
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
        Field("url", URL, indexed=True, help="Where it was published."),
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
            outlives=True,
            help="The person who, according to the source, made the claim.",
        ),
        link(
            "according_to_org_id",
            "organisations",
            required=False,
            owner=True,
            outlives=True,
            help="The organisation that, according to the source, made the claim.",
        ),
        # private when the actor it is attributed to was private when deleted or
        # merged away (a citation has no note of its own)
        PRIVATE,
    ),
    annotated=False,
    noun="citation",
    unique=(("record_uid", "source_id"),),
    rules=(
        AtMostOne(
            ("according_to_person_id", "according_to_org_id"),
            "a claim is attributed to one person or organisation, not both",
        ),
    ),
    description="Which source supports which record: each row links one record (the "
    "record_..._id column that is set) to the source, with the words it uses and where.",
)
