"""Field types: what a value is, how it is stored, parsed and shown, once.

Each type says which columns a field of it has (a date three, a name two), how
text becomes those columns (THE rule for a value, whether it comes from add,
edit or import), how a stored value reads ("about 30", "300 USD", "c. Oct
2018"), and the SQL it is stored as, for each engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cases.errors import Invalid
from cases.names import clean_name, name_key

if TYPE_CHECKING:
    from cases.catalogue.model import Field

Row = Mapping[str, Any]

# SQLite's largest integer.
LARGEST = 2**63 - 1

# What a uid may look like: it is never defused on export, so it must not be
# able to start a spreadsheet formula.
UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


class FieldType:
    """A kind of value. Subclasses override what differs from plain text."""

    name = "text"
    # text anyone may type: an export defuses it for spreadsheets
    free_text = True
    # how a CSV cell holds it: as written ("text"), parsed once per distinct
    # value ("mapped") or per row ("parsed"), a uid of any record ("record")
    staged = "mapped"
    # what a value is called in a command's usage ("" for plain text)
    metavar = ""

    def __repr__(self) -> str:
        return self.name.upper()

    def columns(self, field: Field) -> tuple[str, ...]:
        """The stored columns, in table order."""
        return (field.name,)

    def input_columns(self, field: Field) -> tuple[str, ...]:
        """The columns a CSV gives for this field (the others are derived)."""
        return (field.name,)

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        """The stored columns of TEXT (not empty), or Invalid."""
        return {field.name: text if exact else text.strip()}

    def show(self, field: Field, row: Row) -> str:
        """The stored value as it reads ("" for none)."""
        value = row.get(field.name)
        return "" if value is None else str(value)

    def sql(self, field: Field, column: str) -> str:
        """The column's type in SQL."""
        return "TEXT"


class Text(FieldType):
    name = "text"
    staged = "text"


class Name(FieldType):
    """A personal name: cleaned, stored with its name key."""

    name = "name"
    staged = "parsed"

    def columns(self, field: Field) -> tuple[str, ...]:
        return (field.name, "name_key")

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        cleaned = clean_name(text)
        if not cleaned:
            raise Invalid(f"{field.what} must not be empty")
        return {field.name: cleaned, "name_key": name_key(cleaned)}


class Date(FieldType):
    """A partial date: FIELD, FIELD_earliest, FIELD_latest."""

    name = "date"
    metavar = "DATE"
    free_text = False

    def columns(self, field: Field) -> tuple[str, ...]:
        return (field.name, f"{field.name}_earliest", f"{field.name}_latest")

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        from cases.dates import birth_from_age, date_columns

        if not field.ages:
            return date_columns(field.name, text)
        try:
            return date_columns(field.name, birth_from_age(text) or text)
        except Invalid as error:  # name the form only a birth takes too
            raise Invalid(
                f"{error}; or an age at a date: aged 36 on 12 Nov 2019, 36 years old in Nov 2019"
            ) from None

    def show(self, field: Field, row: Row) -> str:
        from cases.dates import display_date

        return display_date(row.get(field.name))


class Duration(FieldType):
    """A length of time as written ("6 months", "several years"), with the fewest
    and most days it can mean: FIELD, FIELD_min_days, FIELD_max_days."""

    name = "duration"
    metavar = "DURATION"
    free_text = False

    def columns(self, field: Field) -> tuple[str, ...]:
        return (field.name, f"{field.name}_min_days", f"{field.name}_max_days")

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        from cases.durations import duration_columns

        return duration_columns(field.name, text)

    def sql(self, field: Field, column: str) -> str:
        return "INTEGER" if column.endswith("_days") else "TEXT"


class Choice(FieldType):
    """One word of a vocabulary, matched ignoring case, a space or _ taken as -."""

    name = "choice"
    free_text = False

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        assert field.vocabulary is not None
        word = field.vocabulary.match(text)
        if word is None:
            raise Invalid(f"unknown {field.what} {text!r}; use one of: {', '.join(field.choices)}")
        return {field.name: word}

    def show(self, field: Field, row: Row) -> str:
        assert field.vocabulary is not None
        return field.vocabulary.reads(row.get(field.name))


class Choices(FieldType):
    """Several words of a vocabulary, stored comma-separated."""

    name = "choices"
    free_text = False

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        assert field.vocabulary is not None
        words = []
        for given in re.split(r"[,\n]", text):
            if not given.strip():
                continue
            word = field.vocabulary.match(given)
            if word is None:
                raise Invalid(
                    f"unknown {field.what} {given.strip().lower()!r}; use one of: "
                    f"{', '.join(field.choices)}"
                )
            words.append(word)
        return {field.name: ",".join(dict.fromkeys(words)) or None}

    def show(self, field: Field, row: Row) -> str:
        assert field.vocabulary is not None
        return ", ".join(
            field.vocabulary.reads(word) for word in (row.get(field.name) or "").split(",") if word
        )


class Number(FieldType):
    """A whole number within bounds."""

    name = "number"
    metavar = "N"
    free_text = False

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
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

    def sql(self, field: Field, column: str) -> str:
        return "INTEGER"


class Flag(FieldType):
    """Yes or no, stored 1 or 0."""

    name = "flag"
    free_text = False
    YES = ("1", "yes", "true")
    NO = ("0", "no", "false")

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        lowered = text.strip().lower()
        if lowered in self.YES:
            return {field.name: 1}
        if lowered in self.NO:
            return {field.name: 0}
        raise Invalid(f"{field.what} must be 0 or 1 (no or yes), not {text!r}")

    def show(self, field: Field, row: Row) -> str:
        return "yes" if row.get(field.name) else "no"

    def sql(self, field: Field, column: str) -> str:
        return "INTEGER"


class Url(FieldType):
    """An http(s) address."""

    name = "url"
    metavar = "URL"

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        cleaned = text if exact else text.strip()
        if not cleaned.startswith(("http://", "https://")):
            raise Invalid(f"URL {text!r} must start with http:// or https://")
        return {field.name: cleaned}


class Link(FieldType):
    """Another record of a given table: an id (a uid in CSV), resolved by the caller."""

    name = "link"
    free_text = False

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        raise Invalid(f"{field.what} is a link: give a reference")

    def sql(self, field: Field, column: str) -> str:
        return "INTEGER"


class Naming(FieldType):
    """A text naming an actor, linked to them when it is exactly their name."""

    name = "naming"
    staged = "text"

    def columns(self, field: Field) -> tuple[str, ...]:
        return (field.name, field.link_column or "")

    def sql(self, field: Field, column: str) -> str:
        return "TEXT" if column == field.name else "INTEGER"


class Record(FieldType):
    """The uid of a record of any table (what a citation cites)."""

    name = "record"
    free_text = False
    staged = "record"

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        if UID.fullmatch(text) is None:
            raise Invalid(f"{field.what} {text[:40]!r} is not a uid")
        return {field.name: text}


class Names(FieldType):
    """Several free-text names (authors), stored one a line."""

    name = "names"
    metavar = "NAME"

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        names = text.split("\n") if exact else [name.strip() for name in text.split("\n")]
        return {field.name: "\n".join(name for name in names if name.strip()) or None}

    def show(self, field: Field, row: Row) -> str:
        return "; ".join(line for line in (row.get(field.name) or "").split("\n") if line)


class Size(FieldType):
    """A count, exact or approximate: "30" or "~30"."""

    name = "size"
    metavar = "N|~N"
    free_text = False
    PATTERN = re.compile(r"(~?)\s*(\d{1,9})")

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        match = self.PATTERN.fullmatch(text.strip())
        if match is None:
            raise Invalid(f"{field.what} {text!r} is not a count; use a number such as 30, or ~30")
        return {field.name: f"{match.group(1)}{int(match.group(2))}"}

    def show(self, field: Field, row: Row) -> str:
        size = row.get(field.name)
        if not size:
            return ""
        return f"about {size[1:]}" if str(size).startswith("~") else str(size)


class Money(FieldType):
    """An amount and an ISO 4217 currency: "300 USD"."""

    name = "money"
    metavar = '"AMOUNT CURRENCY"'
    free_text = False
    PATTERN = re.compile(r"(\d{1,15}(?:\.\d{1,4})?)\s*([A-Za-z]{3})")

    def columns(self, field: Field) -> tuple[str, ...]:
        return (f"{field.name}_amount", f"{field.name}_currency")

    def input_columns(self, field: Field) -> tuple[str, ...]:
        return self.columns(field)

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        match = self.PATTERN.fullmatch(text.strip().replace(",", ""))
        if match is None:
            raise Invalid(f"{field.what} {text!r} is not an amount and a currency, such as 300 USD")
        amount = match.group(1)
        number: float | int = float(amount) if "." in amount else int(amount)
        return {
            f"{field.name}_amount": number,
            f"{field.name}_currency": _currency(match.group(2)),
        }

    def parse_cell(self, field: Field, column: str, value: str) -> dict[str, Any]:
        """One of the two CSV cells: the amount, or the currency."""
        if not value.strip():
            return {column: None}
        if column.endswith("_currency"):
            return {column: _currency(value)}
        try:
            amount = float(value) if "." in value else int(value)
        except ValueError:
            raise Invalid(f"{column.replace('_', ' ')} must be a number, not {value!r}") from None
        if amount < 0:
            raise Invalid(f"{column.replace('_', ' ')} {value} must be zero or more")
        return {column: amount}

    def show(self, field: Field, row: Row) -> str:
        amount = row.get(f"{field.name}_amount")
        if amount is None:
            return ""
        shown = f"{amount:,}" if isinstance(amount, int) else f"{amount:,.2f}"
        return f"{shown} {row.get(f'{field.name}_currency') or ''}".rstrip()

    def sql(self, field: Field, column: str) -> str:
        return "NUMERIC" if column.endswith("_amount") else "TEXT"


def _currency(text: str) -> str:
    from cases.codes import currency

    code = currency(text)
    if code is None:
        raise Invalid(f"{text.strip()!r} is not an ISO 4217 currency code (USD, EUR, KZT...)")
    return code


class Language(FieldType):
    """A BCP 47 language tag: "en", "kk-Cyrl"."""

    name = "language"
    metavar = "CODE"
    free_text = False

    def parse(self, field: Field, text: str, exact: bool) -> dict[str, Any]:
        from cases.codes import language_tag

        tag = language_tag(text)
        if tag is None:
            raise Invalid(
                f"{text!r} is not a language code; use an ISO 639 code such as en, ru, kk, "
                "zh, with a region or script if need be (kk-Cyrl)"
            )
        return {field.name: tag}


TEXT = Text()
NAME = Name()
DATE = Date()
DURATION = Duration()
CHOICE = Choice()
CHOICES = Choices()
NUMBER = Number()
FLAG = Flag()
URL = Url()
LINK = Link()
NAMING = Naming()
RECORD = Record()
NAMES = Names()
SIZE = Size()
MONEY = Money()
LANGUAGE = Language()
