"""The declarations' building blocks: a field, a table, the kind of record a table
holds and, for a fact, how it reads, where it is placed in time and who it
involves. :mod:`cases.catalogue.tables` declares every table with these."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cases.catalogue.rules import Rule
from cases.catalogue.types import (
    CHOICES,
    DATE,
    FLAG,
    LINK,
    MONEY,
    NAMES,
    NAMING,
    RECORD,
    TEXT,
    FieldType,
)
from cases.catalogue.vocabularies import Vocabulary
from cases.errors import Invalid

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Field:
    """One field of a table. Most fields are one column; a DATE is three, a NAME
    two (the name and its key), a NAMING text two (the text and its link)."""

    name: str
    type: FieldType = TEXT
    required: bool = False
    vocabulary: Vocabulary | None = None
    link: str | None = None  # the table a LINK or NAMING field points at
    # the column a NAMING field's link is kept in (default NAME_person_id)
    linked_by: str = ""
    # a LINK to the record this row belongs to: the row goes where that record
    # goes (deleted with it, left out of an export with it)
    owner: bool = False
    # a link the linked record's deletion empties, leaving the row (a ruling
    # outlives its trial; a claim outlives who made it); else an owner goes with it
    outlives: bool = False
    # looked up by its value (a source by its URL): indexed
    indexed: bool = False
    searchable: bool = False
    editable: bool = True
    minimum: int | None = None
    maximum: int | None = None
    # how a message names it (default: the name with spaces)
    label: str = ""
    help: str = ""
    # the message for a number out of range, if the plain one would not do
    range_message: str = ""
    # the actor tables a free text may name (a publisher, an author, who made a
    # claim): hidden where it names a hidden actor, erased by a purge of one;
    # its links, if any, are the LINK fields named after it (according_to_person_id)
    names: tuple[str, ...] = ()
    # the schema version the field was added in (0: in a table's first version)
    since: int = 0
    # a date that may be given as an age at a date ("aged 25 on 29 Oct 2019"): a birth
    ages: bool = False
    # the CSV columns that held it in earlier versions (an import still reads them)
    formerly: tuple[str, ...] = ()
    # how ``add`` takes it: an option (named OPTION where not after the field; a
    # link only when it has one), the command's ARGUMENT, or not at all (ON_ADD)
    option: str = ""
    metavar: str = ""
    argument: bool = False
    on_add: bool = True

    @property
    def what(self) -> str:
        return self.label or self.name.replace("_", " ")

    @property
    def link_column(self) -> str | None:
        """The column holding the linked record's id (a LINK or NAMING field)."""
        if self.type == LINK:
            return self.name
        if self.type == NAMING:
            return self.linked_by or f"{self.name}_person_id"
        return None

    @property
    def columns(self) -> tuple[str, ...]:
        """The stored columns, in table order."""
        return self.type.columns(self)

    @property
    def free_text(self) -> bool:
        """Text anyone may type: an export defuses it for spreadsheets."""
        return self.type.free_text

    @property
    def choices(self) -> tuple[str, ...]:
        """The words a vocabulary field accepts."""
        return self.vocabulary.values if self.vocabulary is not None else ()

    def described(self) -> str:
        """The help text, with a vocabulary's words listed from the vocabulary."""
        if self.choices:
            words = f"One of: {', '.join(self.choices)}."
            return f"{self.help} {words}" if self.help else words
        return self.help

    def complete(self, incomplete: str) -> list[str]:
        """Shell completion: the vocabulary words starting with INCOMPLETE."""
        word = incomplete.lower().rpartition(",")[2]
        return [choice for choice in self.choices if choice.startswith(word)]

    @property
    def input_columns(self) -> tuple[str, ...]:
        """The columns a CSV gives for this field (the others are derived)."""
        return self.type.input_columns(self)

    def parse_input(self, column: str, value: str) -> dict[str, Any]:
        """The rule for one CSV column of this field: a fine's amount and its
        currency come in two cells; any other field comes whole."""
        if self.type == MONEY and column != self.name:
            return MONEY.parse_cell(self, column, value)
        return self.parse(value, exact=True)

    def parse(self, value: str | None, *, exact: bool = False) -> dict[str, Any]:
        """THE rule for a value of this field: its stored columns, or Invalid.

        An empty value means absent (refused when the field is required). Free
        text is stripped as typed, and kept byte for byte when EXACT (an import
        restores what an export wrote). Links are resolved by the caller.
        """
        text = "" if value is None else value
        if not text.strip():
            if self.required:
                raise Invalid(f"{self.what} must not be empty")
            if self.type == FLAG:
                return {self.name: 0}
            return dict.fromkeys(self.columns)
        return self.type.parse(self, text, exact)

    def show(self, row: Row) -> str:
        """The value ROW holds, as it reads ("" for none)."""
        return self.type.show(self, row)

    @property
    def flag(self) -> str:
        """Its option on the command line: ``--born``, ``--sentence-kind``."""
        return f"--{self.option or self.name.replace('_', '-')}"

    @property
    def repeatable(self) -> bool:
        """Whether its option is given once per value (several sentence kinds, authors)."""
        return self.type in (CHOICES, NAMES)

    @property
    def shown_as(self) -> str:
        """What its value is called in usage lines: DATE, N, KIND..."""
        if self.metavar:
            return self.metavar
        if self.vocabulary is not None:
            return (self.name.removesuffix("s") if self.repeatable else self.name).upper()
        return self.type.metavar or "TEXT"

    @property
    def taken_by_add(self) -> bool:
        """Whether ``add`` takes it as an option (a link only where it has a name)."""
        if not self.on_add or self.argument or self.name in ("note", "private"):
            return False
        return self.type not in (LINK, RECORD) or bool(self.option)


@dataclass(frozen=True)
class Kind:
    """A kind of record with a reference: its table, prefix and what it is called."""

    name: str
    table: str
    prefix: str
    label: str
    # date fields stored as FIELD, FIELD_earliest, FIELD_latest
    date_fields: tuple[str, ...] = ()
    # how ``cases list`` names the kind
    plural: str = ""

    @property
    def a_label(self) -> str:
        """The label with its article: "a person", "an event"."""
        return f"{'an' if self.label[0] in 'aeiou' else 'a'} {self.label}"


@dataclass(frozen=True)
class Placement:
    """Where a fact is placed in time: by one of its date fields, as a timeline
    kind (None: the word of its own kind field, as an event's ``arrest``)."""

    date: str
    kind: str | None
    # placed only when that date is known (a detention's end)
    when_known: bool = False


@dataclass(frozen=True)
class Fact:
    """What makes a table's records facts: when they happened, who they involve,
    and how they read.

    SUBJECT: the link fields naming the fact's own actor (the person or
    organisation it happened to, or who acted), or PARTIES: the table of its
    parties (a trial's). Anyone else takes part through ``participants``.
    """

    placements: tuple[Placement, ...]
    # one line for a timeline kind of the fact: (kind, row) -> text
    phrase: Callable[[str, Row], str]
    subject: tuple[str, ...] = ("person_id", "org_id")
    # the part the subject takes in it, as ``show REF`` names it
    subject_role: str = "subject"
    # the field whose word is the part its other actor links take (a relation's
    # kind: "lawyer"); without it, the link's name ("other")
    others_role: str = ""
    parties: str = ""
    # the field whose text is the fact's court, and its place
    court: str = ""
    place: str = ""
    # a link to the fact it belongs to, whose court and place it has when it has none
    within: str = ""
    # the field whose word groups its marker in a chart (empty: drawn as a bar, or not)
    marker: str = ""
    # placed in the timeline, and taken part in by others (a relation, dated by
    # when it began, is neither)
    in_timeline: bool = True

    @property
    def kinds(self) -> tuple[str, ...]:
        """What the timeline calls the kinds it places ("detention", "detention-end")."""
        return tuple(p.kind for p in self.placements if p.kind is not None)

    @property
    def date(self) -> str:
        """The date field it is ordered by (its first placement's)."""
        return self.placements[0].date


NOTE = Field("note", searchable=True, help="A free-text note.")
PRIVATE = Field("private", FLAG, help="Never exported without --include-private.")


@dataclass(frozen=True)
class Table:
    """One table: its fields in column order, the kind of record it holds (its
    reference PREFIX and NOUN), and the rules across its fields.

    A fact (FACT) also says when it happened, who it involves and how it reads.
    LISTED: the (heading, key) columns of ``cases list``; DESCRIPTION: what it
    holds, for a reader of a publication.
    """

    name: str
    fields: tuple[Field, ...]
    prefix: str = ""
    noun: str = ""
    # the kind's name where it is not the noun ("asylum" for an asylum decision)
    kind_name: str = ""
    # how ``cases list`` names it, where not by the table's name
    plural: str = ""
    rules: tuple[Rule, ...] = ()
    # records with a note and a private flag (every table but citations)
    annotated: bool = True
    fact: Fact | None = None
    listed: tuple[tuple[str, str], ...] = ()
    description: str = ""
    # the schema version the table was added in (0: one of the first)
    since: int = 0
    # the sets of columns no two rows share (a citation of one record by one source)
    unique: tuple[tuple[str, ...], ...] = ()

    @cached_property
    def kind(self) -> Kind | None:
        """The kind of record it holds, if its records have references."""
        if not self.prefix:
            return None
        return Kind(
            self.kind_name or self.noun,
            self.name,
            self.prefix,
            self.noun,
            tuple(f.name for f in self.all_fields if f.type == DATE),
            self.plural or self.name,
        )

    @cached_property
    def all_fields(self) -> tuple[Field, ...]:
        """Every field, the note and private flag included, in the order their
        columns stand: a field added later comes after the others, where the
        migration that added it put it (SQLite appends a new column)."""
        fields = (*self.fields, NOTE, PRIVATE) if self.annotated else self.fields
        return tuple(sorted(fields, key=lambda field: field.since))

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.all_fields}

    def field(self, name: str) -> Field:
        """The field NAME (KeyError if the table has none)."""
        return self.by_name[name]

    @cached_property
    def by_input_column(self) -> dict[str, Field]:
        """The field each CSV column gives a value of."""
        return {column: f for f in self.all_fields for column in f.input_columns}

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """The stored columns, in table order (what ``PRAGMA table_info`` lists)."""
        return ("id", "uid", *(c for f in self.all_fields for c in f.columns))

    @cached_property
    def links(self) -> dict[str, str]:
        """Link column -> the table it points at."""
        return {
            f.link_column: f.link
            for f in self.all_fields
            if f.link_column is not None and f.link is not None
        }

    def csv_column(self, column: str) -> str:
        """The CSV name of stored COLUMN: a link is written as the uid it points at."""
        return column[: -len("_id")] + "_uid" if column in self.links else column

    @cached_property
    def exported_columns(self) -> tuple[str, ...]:
        """Stored columns that travel in CSV and JSON (not the id nor the name key)."""
        return tuple(c for c in self.columns if c not in ("id", "name_key"))

    @cached_property
    def csv_columns(self) -> tuple[str, ...]:
        return tuple(self.csv_column(c) for c in self.exported_columns)

    @cached_property
    def derived_columns(self) -> frozenset[str]:
        """Stored columns worked out from another of the field's (a date's
        earliest and latest days, a duration's days): a CSV's are not read."""
        return frozenset(
            c
            for f in self.all_fields
            for c in f.columns
            if c not in f.input_columns and c != f.link_column
        )

    @cached_property
    def defused(self) -> frozenset[str]:
        """Stored columns an export defuses: those holding free text."""
        free = {f.name for f in self.all_fields if f.free_text}
        return frozenset(c for c in self.exported_columns if c in free)

    @cached_property
    def search_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.all_fields if f.searchable)

    @cached_property
    def search_columns(self) -> tuple[str, ...]:
        """The columns its full-text table indexes: each searchable field, and a
        name's key (so that any spelling of the name finds it)."""
        return tuple(c for f in self.search_fields for c in f.columns if not c.endswith("_id"))

    @cached_property
    def editable(self) -> dict[str, Field]:
        """Fields ``edit`` may set, by name."""
        return {f.name: f for f in self.all_fields if f.editable}

    def parse(self, values: Mapping[str, str | None], *, exact: bool = False) -> dict[str, Any]:
        """The stored columns of the fields given in VALUES (None: not given)."""
        stored: dict[str, Any] = {}
        for name, value in values.items():
            if value is not None:
                stored.update(self.field(name).parse(value, exact=exact))
        return stored

    def check(self, row: Mapping[str, Any]) -> None:
        """Apply the rules across fields to a whole row (stored columns)."""
        for rule in self.rules:
            rule.check(row)

    def counted(self, number: int) -> str:
        """NUMBER of its records, in words: "1 person", "6 asylum decisions"."""
        noun = self.noun or self.name.replace("_", " ")
        if number != 1:
            if noun == "person":
                noun = "people"
            elif noun.endswith("y"):
                noun = noun[:-1] + "ies"
            else:
                noun += "es" if noun.endswith("s") else "s"
        return f"{number} {noun}"

    def phrase(self, row: Row, kind: str | None = None) -> str:
        """One line for a record of this table (a fact as the timeline kind KIND)."""
        if self.fact is None:
            return ""
        placement = self.fact.placements[0]
        shown = kind or placement.kind or str(row.get("kind") or self.name)
        return self.fact.phrase(shown, row)


def link(
    name: str,
    target: str,
    *,
    required: bool = True,
    owner: bool | None = None,
    label: str = "",
    help: str = "",
    option: str = "",
    metavar: str = "",
    outlives: bool = False,
) -> Field:
    """A link to TARGET; a required one is to the record the row belongs to.
    With OPTION, ``add`` takes it (a reference, or an actor's name). OUTLIVES:
    the row stays, unlinked, when TARGET's record is deleted."""
    return Field(
        name,
        LINK,
        required=required,
        link=target,
        editable=False,
        owner=required if owner is None else owner,
        outlives=outlives,
        label=label,
        help=help,
        option=option,
        metavar=metavar,
    )


def actor(prefix: str = "") -> tuple[Field, Field]:
    """The two link columns of an actor (a person or an organisation): PREFIX_id
    and PREFIX_org_id (person_id and org_id); a rule says one is set."""
    person = f"{prefix}_id" if prefix else "person_id"
    org = f"{prefix}_org_id" if prefix else "org_id"
    return (
        link(person, "people", required=False, owner=True),
        link(org, "organisations", required=False, owner=True),
    )


def naming(name: str, table: str, linked_by: str = "", **options: Any) -> Field:
    """A text that names an actor of TABLE, linked to it when it is exactly its name
    (in the column LINKED_BY, by default NAME_person_id or NAME_org_id)."""
    column = linked_by or (f"{name}_person_id" if table == "people" else f"{name}_org_id")
    return Field(name, NAMING, link=table, linked_by=column, **options)


@dataclass(frozen=True)
class ActorText:
    """A text that may name an actor: a court or an authority (linked when it is
    exactly a recorded name), a judge's name on a trial, who made a claim, a
    publisher, the authors (one a line).

    Such a text is hidden where it names a hidden actor, by its link or by name
    key; deleting a private actor withdraws it, and a purge erases it. With
    OWNER the row belongs to the actor it names (an attribution): the row is
    hidden, or made private, or purged, instead of the text blanked.
    """

    table: str
    column: str
    # (link column, actor table) of each link the text has
    links: tuple[tuple[str, str], ...]
    # the actor tables it may name
    names: tuple[str, ...]
    lines: bool
    owner: bool


def actor_texts_of(table: Table) -> tuple[ActorText, ...]:
    """The texts of TABLE that may name an actor."""
    from cases.catalogue.types import NAMES

    found = []
    for text_field in table.all_fields:
        if text_field.type == NAMING:
            assert text_field.link_column and text_field.link
            links: tuple[tuple[str, str], ...] = ((text_field.link_column, text_field.link),)
            names: tuple[str, ...] = (text_field.link,)
        elif text_field.names:
            links = tuple(
                (other.name, other.link)
                for other in table.all_fields
                if other.type == LINK
                and other.link
                and other.name.startswith(f"{text_field.name}_")
            )
            names = text_field.names
        else:
            continue
        found.append(
            ActorText(
                table.name,
                text_field.name,
                links,
                names,
                text_field.type == NAMES,
                text_field.owner,
            )
        )
    return tuple(found)
