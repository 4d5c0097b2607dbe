"""Every table's fields, declared once.

A :class:`Field` says what a value is (its type, vocabulary, whether it is
required, searchable, free text, a link), and :meth:`Field.parse` is THE rule
for a value, whether it comes from ``add``, ``edit`` or ``import``. What the
rest of the code needs is derived from here rather than restated: the stored
and CSV columns of each table, the columns an export defuses, the link columns
and the tables they point at, the full-text search fields, the fields ``edit``
may set, the vocabularies the CLI help lists and completes, and the rules that
span two fields of a row (a detention does not end before it starts).

A new field is one line here, plus the migration that adds its column.
"""

from __future__ import annotations

import builtins
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from cases.errors import Invalid
from cases.names import clean_name, name_key
from cases.records import (
    ASYLUM,
    DETENTION,
    EVENT,
    ORGANISATION,
    PERSON,
    RELATION,
    RULING,
    SOURCE,
    TRIAL,
    Decision,
    Deportation,
    DetentionKind,
    EventKind,
    Extradition,
    Kind,
    OrgKind,
    Outcome,
    ParticipantRole,
    PartyRole,
    Plea,
    RelationKind,
    SentenceKind,
    Sex,
    TrialStatus,
)

# Field types.
TEXT = "text"  # free text, kept as written
NAME = "name"  # a personal name: cleaned, stored with its name key
DATE = "date"  # a partial date: FIELD, FIELD_earliest, FIELD_latest
CHOICE = "choice"  # one word of a vocabulary
NUMBER = "number"  # a whole number within bounds
FLAG = "flag"  # yes or no, stored 1 or 0
URL = "url"  # an http(s) address
LINK = "link"  # another record of a given table (an id; a uid in CSV)
NAMING = "naming"  # text naming an actor, linked when it is exactly their name
RECORD = "record"  # the uid of a record of any table (what a citation cites)
CHOICES = "choices"  # several words of a vocabulary, stored comma-separated
NAMES = "names"  # several free-text names (authors), stored one a line
SIZE = "size"  # a count, exact or approximate: "30" or "~30"
MONEY = "money"  # an amount and an ISO 4217 currency: "300 USD"
LANGUAGE = "language"  # a BCP 47 language tag: "en", "kk-Cyrl"

# What a uid may look like: it is never defused on export, so it must not be
# able to start a spreadsheet formula.
UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

# SQLite's largest integer.
LARGEST = 2**63 - 1


def _choices(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in vocabulary)


@dataclass(frozen=True)
class Field:
    """One field of a table. Most fields are one column; a DATE is three, a NAME
    two (the name and its key), a NAMING text two (the text and its link)."""

    name: str
    type: str = TEXT
    required: bool = False
    vocabulary: builtins.type[StrEnum] | None = None
    link: str | None = None  # the table a LINK or NAMING field points at
    # the column a NAMING field's link is kept in (default NAME_person_id)
    linked_by: str = ""
    # a LINK to the record this row belongs to: the row goes where that record
    # goes (deleted with it, left out of an export with it)
    owner: bool = False
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
        if self.type == DATE:
            return (self.name, f"{self.name}_earliest", f"{self.name}_latest")
        if self.type == NAME:
            return (self.name, "name_key")
        if self.type == NAMING:
            return (self.name, self.link_column or "")
        if self.type == MONEY:
            return (f"{self.name}_amount", f"{self.name}_currency")
        return (self.name,)

    @property
    def free_text(self) -> bool:
        """Text anyone may type: an export defuses it for spreadsheets."""
        return self.type in (TEXT, NAME, URL, NAMING, NAMES)

    @property
    def choices(self) -> tuple[str, ...]:
        """The words a CHOICE field accepts."""
        return _choices(self.vocabulary) if self.vocabulary is not None else ()

    def described(self) -> str:
        """The help text, with a vocabulary's words listed from the vocabulary."""
        if self.choices:
            return (
                f"{self.help} One of: {', '.join(self.choices)}."
                if self.help
                else (f"One of: {', '.join(self.choices)}.")
            )
        return self.help

    def complete(self, incomplete: str) -> list[str]:
        """Shell completion: the vocabulary words starting with INCOMPLETE."""
        word = incomplete.lower().rpartition(",")[2]
        return [choice for choice in self.choices if choice.startswith(word)]

    @property
    def input_columns(self) -> tuple[str, ...]:
        """The columns a CSV gives for this field (the others are derived)."""
        if self.type == MONEY:
            return self.columns
        if self.type == NAMING:
            return (self.name,)  # its link is a link column of its own
        return (self.name,)

    def parse_input(self, column: str, value: str) -> dict[str, Any]:
        """The rule for one CSV column of this field: a fine's amount and its
        currency come in two cells; any other field comes whole."""
        if self.type != MONEY or column == self.name:
            return self.parse(value, exact=True)
        if not value.strip():
            return {column: None}
        if column.endswith("_currency"):
            from cases.codes import currency

            code = currency(value)
            if code is None:
                raise Invalid(f"{value!r} is not an ISO 4217 currency code (USD, EUR, KZT...)")
            return {column: code}
        try:
            amount = float(value) if "." in value else int(value)
        except ValueError:
            raise Invalid(f"{column.replace('_', ' ')} must be a number, not {value!r}") from None
        if amount < 0:
            raise Invalid(f"{column.replace('_', ' ')} {value} must be zero or more")
        return {column: amount}

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
        return _PARSERS[self.type](self, text, exact)


def _text(field: Field, text: str, exact: bool) -> dict[str, Any]:
    return {field.name: text if exact else text.strip()}


def _name(field: Field, text: str, exact: bool) -> dict[str, Any]:
    cleaned = clean_name(text)
    if not cleaned:
        raise Invalid(f"{field.what} must not be empty")
    return {field.name: cleaned, "name_key": name_key(cleaned)}


def _date(field: Field, text: str, exact: bool) -> dict[str, Any]:
    from cases.dates import date_columns

    return date_columns(field.name, text)


def _choice(field: Field, text: str, exact: bool) -> dict[str, Any]:
    cleaned = text.strip().lower()
    if cleaned not in field.choices:
        raise Invalid(f"unknown {field.what} {text!r}; use one of: {', '.join(field.choices)}")
    return {field.name: cleaned}


def _number(field: Field, text: str, exact: bool) -> dict[str, Any]:
    try:
        number = int(text.strip())
    except ValueError:
        raise Invalid(f"{field.what} must be a whole number, not {text!r}") from None
    low = field.minimum if field.minimum is not None else -LARGEST
    high = field.maximum if field.maximum is not None else LARGEST
    if number > LARGEST or (number > high and field.range_message == ""):
        raise Invalid(f"{field.what} {number} is too large; use at most {high}")
    if not low <= number <= high:
        if field.range_message:
            raise Invalid(f"{field.what} {number} is out of range; {field.range_message}")
        if field.maximum is None and field.minimum == 0:
            raise Invalid(f"{field.what} {number} must be zero or more")
        raise Invalid(f"{field.what} {number} is out of range; use {low} to {high}")
    return {field.name: number}


_YES = ("1", "yes", "true")
_NO = ("0", "no", "false")


def _flag(field: Field, text: str, exact: bool) -> dict[str, Any]:
    lowered = text.strip().lower()
    if lowered in _YES:
        return {field.name: 1}
    if lowered in _NO:
        return {field.name: 0}
    raise Invalid(f"{field.what} must be 0 or 1 (no or yes), not {text!r}")


def _url(field: Field, text: str, exact: bool) -> dict[str, Any]:
    cleaned = text if exact else text.strip()
    if not cleaned.startswith(("http://", "https://")):
        raise Invalid(f"URL {text!r} must start with http:// or https://")
    return {field.name: cleaned}


def _uid(field: Field, text: str, exact: bool) -> dict[str, Any]:
    if UID.fullmatch(text) is None:
        raise Invalid(f"{field.what} {text[:40]!r} is not a uid")
    return {field.name: text}


def _choice_list(field: Field, text: str, exact: bool) -> dict[str, Any]:
    words = [word.strip().lower() for word in re.split(r"[,\n]", text) if word.strip()]
    for word in words:
        if word not in field.choices:
            raise Invalid(f"unknown {field.what} {word!r}; use one of: {', '.join(field.choices)}")
    return {field.name: ",".join(dict.fromkeys(words)) or None}


def _names(field: Field, text: str, exact: bool) -> dict[str, Any]:
    names = text.split("\n") if exact else [name.strip() for name in text.split("\n")]
    return {field.name: "\n".join(name for name in names if name.strip()) or None}


_SIZE = re.compile(r"(~?)\s*(\d{1,9})")


def _size(field: Field, text: str, exact: bool) -> dict[str, Any]:
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise Invalid(f"{field.what} {text!r} is not a count; use a number such as 30, or ~30")
    return {field.name: f"{match.group(1)}{int(match.group(2))}"}


_MONEY = re.compile(r"(\d{1,15}(?:\.\d{1,4})?)\s*([A-Za-z]{3})")


def _money(field: Field, text: str, exact: bool) -> dict[str, Any]:
    from cases.codes import currency

    match = _MONEY.fullmatch(text.strip().replace(",", ""))
    if match is None:
        raise Invalid(f"{field.what} {text!r} is not an amount and a currency, such as 300 USD")
    code = currency(match.group(2))
    if code is None:
        raise Invalid(f"{match.group(2)!r} is not an ISO 4217 currency code (USD, EUR, KZT...)")
    amount = match.group(1)
    number: float | int = float(amount) if "." in amount else int(amount)
    return {f"{field.name}_amount": number, f"{field.name}_currency": code}


def _language(field: Field, text: str, exact: bool) -> dict[str, Any]:
    from cases.codes import language_tag

    tag = language_tag(text)
    if tag is None:
        raise Invalid(
            f"{text!r} is not a language code; use an ISO 639 code such as en, ru, kk, "
            "zh, with a region or script if need be (kk-Cyrl)"
        )
    return {field.name: tag}


def _not_parsed(field: Field, text: str, exact: bool) -> dict[str, Any]:
    raise Invalid(f"{field.what} is a link: give a reference")


_PARSERS: dict[str, Callable[[Field, str, bool], dict[str, Any]]] = {
    TEXT: _text,
    NAME: _name,
    DATE: _date,
    CHOICE: _choice,
    NUMBER: _number,
    FLAG: _flag,
    URL: _url,
    NAMING: _text,
    RECORD: _uid,
    LINK: _not_parsed,
    CHOICES: _choice_list,
    NAMES: _names,
    SIZE: _size,
    MONEY: _money,
    LANGUAGE: _language,
}


class Rule(ABC):
    """A rule across several fields of a row, checked in Python (add, edit) and
    in SQL (import, check) alike."""

    @abstractmethod
    def problem(self, row: Mapping[str, Any]) -> str | None:
        """What is wrong with ROW (stored columns), or None."""

    @abstractmethod
    def broken_sql(self, alias: str) -> str:
        """SQL true for a row (named ALIAS) that breaks the rule."""

    def check(self, row: Mapping[str, Any]) -> None:
        """Raise Invalid if ROW breaks the rule."""
        problem = self.problem(row)
        if problem is not None:
            raise Invalid(problem)

    @abstractmethod
    def described(self) -> str:
        """The rule broken, in words (for a row whose values are not at hand)."""


@dataclass(frozen=True)
class EndsAfterStarts(Rule):
    """Two DATE fields of a row: the end is not before the start."""

    start: str
    end: str
    what: str

    def problem(self, row: Mapping[str, Any]) -> str | None:
        start, end = row.get(f"{self.start}_earliest"), row.get(f"{self.end}_latest")
        if start and end and end < start:
            return (
                f"the {self.what} ends ({row.get(self.end)}) before it starts "
                f"({row.get(self.start)})"
            )
        return None

    def broken_sql(self, alias: str) -> str:
        return f'{alias}."{self.end}_latest" < {alias}."{self.start}_earliest"'

    def described(self) -> str:
        return f"the {self.what} ends ({self.end}) before it starts ({self.start})"


@dataclass(frozen=True)
class OneOf(Rule):
    """Of these columns, exactly one is set (or at least one, with AT_LEAST)."""

    columns: tuple[str, ...]
    what: str
    at_least: bool = False

    def problem(self, row: Mapping[str, Any]) -> str | None:
        given = sum(row.get(column) is not None for column in self.columns)
        if given == 0 or (given > 1 and not self.at_least):
            return self.what
        return None

    def broken_sql(self, alias: str) -> str:
        given = " + ".join(f'({alias}."{column}" IS NOT NULL)' for column in self.columns)
        return f"({given}) = 0" if self.at_least else f"({given}) != 1"

    def described(self) -> str:
        return self.what


@dataclass(frozen=True)
class AtMostOne(Rule):
    """Of these columns, at most one is set."""

    columns: tuple[str, ...]
    what: str

    def problem(self, row: Mapping[str, Any]) -> str | None:
        given = sum(row.get(column) is not None for column in self.columns)
        return self.what if given > 1 else None

    def broken_sql(self, alias: str) -> str:
        given = " + ".join(f'({alias}."{column}" IS NOT NULL)' for column in self.columns)
        return f"({given}) > 1"

    def described(self) -> str:
        return self.what


@dataclass(frozen=True)
class Different(Rule):
    """Two columns that, when both are set, hold different values (a relation
    between two actors, not one actor and itself)."""

    first: str
    second: str
    what: str

    def problem(self, row: Mapping[str, Any]) -> str | None:
        one, other = row.get(self.first), row.get(self.second)
        return self.what if one is not None and one == other else None

    def broken_sql(self, alias: str) -> str:
        return f'{alias}."{self.first}" = {alias}."{self.second}"'

    def described(self) -> str:
        return self.what


@dataclass(frozen=True)
class AcrossRows(Rule):
    """A rule a row breaks only with other rows (an actor taking part in one fact
    twice): OFFENDING is SQL for the ids of the rows that break it. ``add``
    refuses it before writing; import and ``check`` find it in SQL."""

    offending: str
    what: str

    def problem(self, row: Mapping[str, Any]) -> str | None:
        return None  # one row alone cannot break it

    def broken_sql(self, alias: str) -> str:
        return f"{alias}.id IN ({self.offending})"

    def described(self) -> str:
        return self.what


# What a free text that may name anyone may name.
ACTORS = ("people", "organisations")

NOTE = Field("note", searchable=True, help="A free-text note.")
PRIVATE = Field("private", FLAG, help="Never exported without --include-private.")


@dataclass(frozen=True)
class Table:
    """One table: its fields in column order, the record kind it holds (if any),
    and the rules across its fields."""

    name: str
    fields: tuple[Field, ...]
    kind: Kind | None = None
    rules: tuple[Rule, ...] = ()
    # records with a note and a private flag (every table but citations)
    annotated: bool = True

    @cached_property
    def all_fields(self) -> tuple[Field, ...]:
        """Every field, the note and private flag included."""
        return (*self.fields, NOTE, PRIVATE) if self.annotated else self.fields

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


def _link(
    name: str, target: str, *, required: bool = True, owner: bool | None = None, label: str = ""
) -> Field:
    """A link to TARGET; a required one is to the record the row belongs to."""
    return Field(
        name,
        LINK,
        required=required,
        link=target,
        editable=False,
        owner=required if owner is None else owner,
        label=label,
    )


def _actor(prefix: str = "", *, required: bool = True) -> tuple[Field, Field]:
    """The two link columns of an actor (a person or an organisation) and the rule
    that exactly one is set: PREFIX_id and PREFIX_org_id (person_id and org_id)."""
    person = f"{prefix}_id" if prefix else "person_id"
    org = f"{prefix}_org_id" if prefix else "org_id"
    return (
        _link(person, "people", required=False, owner=True),
        _link(org, "organisations", required=False, owner=True),
    )


def _naming(name: str, table: str, linked_by: str = "", **options: Any) -> Field:
    """A text that names an actor of TABLE, linked to it when it is exactly its name
    (in the column LINKED_BY, by default NAME_person_id or NAME_org_id)."""
    column = linked_by or (f"{name}_person_id" if table == "people" else f"{name}_org_id")
    return Field(name, NAMING, link=table, linked_by=column, **options)


# In the order an export writes them (citations last: they name records of every table).
TABLES: tuple[Table, ...] = (
    Table(
        "people",
        (
            Field("name", NAME, searchable=True, help="The person's name."),
            Field(
                "description",
                searchable=True,
                help="Who they are, for someone a report mentions without a name.",
            ),
            Field("sex", CHOICE, vocabulary=Sex),
            Field("born", DATE, help="Birth date, e.g. 1982 or ~1982."),
            Field("ethnicity", help="Ethnicity, e.g. Kazakh."),
            Field("citizenship", help="Citizenship, e.g. China."),
            Field("origin", searchable=True, help="Place of origin, e.g. Xinjiang."),
        ),
        kind=PERSON,
        rules=(
            OneOf(
                ("name", "description"),
                "name must not be empty (a person a report does not name is added with --unnamed DESCRIPTION)",
                True,
            ),
        ),
    ),
    Table(
        "organisations",
        (
            Field("name", NAME, required=True, searchable=True, help="The organisation's name."),
            Field("kind", CHOICE, vocabulary=OrgKind, label="organisation kind"),
            Field("country", searchable=True, help="Its country, e.g. Kazakhstan."),
            Field("size", SIZE, help="How many people a group counts: 30, or ~30."),
            _link("part_of_id", "organisations", required=False, label="part of"),
        ),
        kind=ORGANISATION,
    ),
    Table(
        "aliases",
        (
            *_actor(),
            Field("name", NAME, required=True, searchable=True, label="an alias"),
        ),
        rules=(OneOf(("person_id", "org_id"), "an alias belongs to one person or organisation"),),
    ),
    Table(
        "sources",
        (
            Field("title", required=True, searchable=True, label="a source title"),
            Field("url", URL, help="Where it was published."),
            Field(
                "publisher",
                searchable=True,
                names=ACTORS,
                help="Who published it, e.g. RFE/RL.",
            ),
            Field("authors", NAMES, searchable=True, names=ACTORS, help="Who wrote it."),
            Field("language", LANGUAGE, help="Its language: an ISO 639 code, e.g. en, ru, kk."),
            Field("date", DATE, help="Publication date."),
            Field("accessed", DATE, help="When it was read."),
            _link("relays_id", "sources", required=False, label="a relay of"),
            Field(
                "reliability",
                NUMBER,
                minimum=0,
                maximum=4,
                range_message="use 0 (lowest) to 4 (highest)",
                help="0 (unverified) to 4 (confirmed by several sources).",
            ),
        ),
        kind=SOURCE,
    ),
    Table(
        "trials",
        (
            _naming(
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
            Field("status", CHOICE, vocabulary=TrialStatus, label="trial status"),
        ),
        kind=TRIAL,
    ),
    Table(
        "trial_parties",
        (
            _link("trial_id", "trials"),
            *_actor(),
            _naming("name", "people", searchable=True, linked_by="name_person_id"),
            Field("role", CHOICE, required=True, vocabulary=PartyRole),
        ),
        rules=(
            OneOf(
                ("person_id", "org_id", "name"),
                "a trial party is a person, an organisation or a name",
                True,
            ),
        ),
    ),
    Table(
        "rulings",
        (
            _link("person_id", "people"),
            # a ruling goes with its trial
            _link("trial_id", "trials", required=False, owner=True),
            Field("date", DATE, required=True, help="When the ruling was given."),
            _naming(
                "court", "organisations", searchable=True, help="The court, if not the trial's."
            ),
            Field("outcome", CHOICE, required=True, vocabulary=Outcome),
            Field("sentence", searchable=True, help="The sentence as reported."),
            Field(
                "sentence_kinds",
                CHOICES,
                vocabulary=SentenceKind,
                label="sentence kind",
                help="Repeatable.",
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
            Field("plea", CHOICE, vocabulary=Plea),
            Field("deportation", CHOICE, vocabulary=Deportation, label="deportation decision"),
            Field("extradition", CHOICE, vocabulary=Extradition, label="extradition decision"),
            _link("appeal_of_id", "rulings", required=False, label="an appeal of"),
        ),
        kind=RULING,
    ),
    Table(
        "asylum",
        (
            _link("person_id", "people"),
            Field("date", DATE, required=True, help="When the decision was made."),
            Field("decision", CHOICE, required=True, vocabulary=Decision, label="asylum decision"),
            Field("country", searchable=True, help="The deciding country."),
            _naming(
                "authority",
                "organisations",
                searchable=True,
                help="The deciding authority (linked if a recorded organisation).",
            ),
            Field("until", DATE, help="Valid until."),
        ),
        kind=ASYLUM,
    ),
    Table(
        "detentions",
        (
            _link("person_id", "people"),
            Field("start", DATE, required=True, help="When it began."),
            Field("end", DATE, help="When it ended; leave out while still held."),
            Field("kind", CHOICE, vocabulary=DetentionKind, label="detention kind"),
            Field("place", searchable=True, help="Where."),
            _naming(
                "authority",
                "organisations",
                help="Who holds the person (linked if a recorded organisation).",
            ),
        ),
        kind=DETENTION,
        rules=(EndsAfterStarts("start", "end", "detention"),),
    ),
    Table(
        "events",
        (
            *_actor(),
            _link("trial_id", "trials", required=False),
            Field("date", DATE, required=True, help="When it happened."),
            Field("kind", CHOICE, required=True, vocabulary=EventKind, label="event kind"),
            Field("place", searchable=True, help="Where."),
            Field("summary", searchable=True, help="What happened, in a sentence."),
        ),
        kind=EVENT,
        rules=(OneOf(("person_id", "org_id"), "an event is about one person or organisation"),),
    ),
    Table(
        "relations",
        (
            *_actor(),
            *_actor("other"),
            Field("kind", CHOICE, required=True, vocabulary=RelationKind, label="relation kind"),
            Field("since", DATE, help="Since when, where known."),
            Field("until", DATE, help="Until when, where known."),
        ),
        kind=RELATION,
        rules=(
            OneOf(("person_id", "org_id"), "a relation starts at one person or organisation"),
            OneOf(("other_id", "other_org_id"), "a relation ends at one person or organisation"),
            Different("person_id", "other_id", "a person cannot be related to themselves"),
            Different("org_id", "other_org_id", "an organisation cannot be related to itself"),
            EndsAfterStarts("since", "until", "relation"),
        ),
    ),
    Table(
        "participants",
        (
            _link("trial_id", "trials", required=False, owner=True),
            _link("ruling_id", "rulings", required=False, owner=True),
            _link("asylum_id", "asylum", required=False, owner=True),
            _link("detention_id", "detentions", required=False, owner=True),
            _link("event_id", "events", required=False, owner=True),
            *_actor(),
            Field("role", CHOICE, required=True, vocabulary=ParticipantRole),
        ),
        rules=(
            OneOf(
                ("trial_id", "ruling_id", "asylum_id", "detention_id", "event_id"),
                "a participant takes part in one fact",
            ),
            OneOf(("person_id", "org_id"), "a participant is one person or organisation"),
            AcrossRows(
                """SELECT max(id) FROM participants
                   GROUP BY trial_id, ruling_id, asylum_id, detention_id, event_id,
                            person_id, org_id
                   HAVING count(*) > 1""",
                "an actor takes part in a fact once, in one role",
            ),
            AcrossRows(
                """SELECT w.id FROM participants w JOIN events x ON x.id = w.event_id
                   WHERE w.person_id = x.person_id OR w.org_id = x.org_id
                   UNION ALL SELECT w.id FROM participants w JOIN rulings x ON x.id = w.ruling_id
                   WHERE w.person_id = x.person_id
                   UNION ALL SELECT w.id FROM participants w JOIN asylum x ON x.id = w.asylum_id
                   WHERE w.person_id = x.person_id
                   UNION ALL SELECT w.id FROM participants w
                   JOIN detentions x ON x.id = w.detention_id WHERE w.person_id = x.person_id
                   UNION ALL SELECT w.id FROM participants w
                   JOIN trial_parties x ON x.trial_id = w.trial_id
                   WHERE w.person_id = x.person_id OR w.org_id = x.org_id""",
                "a fact's subject (or a trial's party) is not also one of its participants",
            ),
        ),
    ),
    Table(
        "citations",
        (
            Field("record_uid", RECORD, required=True, editable=False),
            _link("source_id", "sources"),
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
            _link("according_to_person_id", "people", required=False, owner=True),
            _link("according_to_org_id", "organisations", required=False, owner=True),
            # private when the actor it is attributed to was private when deleted
            # or merged (a citation has no note of its own)
            PRIVATE,
        ),
        annotated=False,
        rules=(
            AtMostOne(
                ("according_to_person_id", "according_to_org_id"),
                "a claim is attributed to one person or organisation, not both",
            ),
        ),
    ),
)

TABLE = {table.name: table for table in TABLES}

# Tables whose rows can be cited (every table but citations): deleting a row
# drops its citations, so no citation ever points at nothing.
CITABLE = tuple(table.name for table in TABLES if table.name != "citations")
# Tables whose every change the change log records.
LOGGED = tuple(table.name for table in TABLES)
# Tables with a full-text table of their own (TABLE_fts).
SEARCHABLE = tuple(table.name for table in TABLES if table.search_fields)


def table(name: str) -> Table:
    """The table NAME."""
    return TABLE[name]


def naming_texts(table_name: str) -> dict[str, tuple[str, str]]:
    """Text column -> (its link column, the table it links to), for the texts of
    TABLE_NAME that name an actor (a judge, a court, an authority)."""
    return {
        f.name: (f.link_column or "", f.link or "")
        for f in TABLE[table_name].all_fields
        if f.type == NAMING
    }


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


def _actor_texts(table: Table) -> tuple[ActorText, ...]:
    found = []
    for field in table.all_fields:
        if field.type == NAMING:
            assert field.link_column and field.link
            links: tuple[tuple[str, str], ...] = ((field.link_column, field.link),)
            names: tuple[str, ...] = (field.link,)
        elif field.names:
            links = tuple(
                (other.name, other.link)
                for other in table.all_fields
                if other.type == LINK and other.link and other.name.startswith(f"{field.name}_")
            )
            names = field.names
        else:
            continue
        found.append(
            ActorText(table.name, field.name, links, names, field.type == NAMES, field.owner)
        )
    return tuple(found)


ACTOR_TEXTS: tuple[ActorText, ...] = tuple(text for t in TABLES for text in _actor_texts(t))


def actor_texts(table_name: str) -> tuple[ActorText, ...]:
    """The texts of TABLE_NAME that may name an actor."""
    return tuple(text for text in ACTOR_TEXTS if text.table == table_name)
