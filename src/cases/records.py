"""References: the typed names of records (``P12``, ``T3``). No I/O.

What each kind of record is (its table, prefix and noun) is declared in the
catalogue, with its table; the kinds the use cases name are here by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.catalogue import KIND_BY_PREFIX, KIND_BY_TABLE, KINDS, Kind

__all__ = [
    "ASYLUM",
    "DETENTION",
    "EVENT",
    "KINDS",
    "KIND_BY_PREFIX",
    "KIND_BY_TABLE",
    "ORGANISATION",
    "PERSON",
    "RELATION",
    "RULING",
    "SOURCE",
    "TRIAL",
    "Kind",
    "Ref",
    "change_number",
    "parse_ref",
    "ref_text",
]

PERSON = KIND_BY_TABLE["people"]
ORGANISATION = KIND_BY_TABLE["organisations"]
SOURCE = KIND_BY_TABLE["sources"]
TRIAL = KIND_BY_TABLE["trials"]
RULING = KIND_BY_TABLE["rulings"]
ASYLUM = KIND_BY_TABLE["asylum"]
DETENTION = KIND_BY_TABLE["detentions"]
EVENT = KIND_BY_TABLE["events"]
RELATION = KIND_BY_TABLE["relations"]


@dataclass(frozen=True)
class Ref:
    """A typed reference such as ``P12``."""

    kind: Kind
    id: int

    def __str__(self) -> str:
        return f"{self.kind.prefix}{self.id}"


def parse_ref(text: str) -> Ref | None:
    """Parse ``P12``-style text (any case); None when it is not a reference."""
    text = text.strip()
    if len(text) < 2 or not text[1:].isdigit() or not text[1:].isascii():
        return None
    kind = KIND_BY_PREFIX.get(text[0].upper())
    if kind is None:
        return None
    return Ref(kind, int(text[1:]))


def change_number(text: str) -> int | None:
    """The number of a change's reference (``C40``, any case), or None when TEXT is
    not one. Changes are not records: their references are the change log's."""
    text = text.strip()
    if len(text) < 2 or text[0] not in "cC" or not text[1:].isdigit() or not text[1:].isascii():
        return None
    return int(text[1:])


def ref_text(kind: Kind, record_id: int) -> str:
    """The reference text of a record, e.g. ``T3``."""
    return f"{kind.prefix}{record_id}"
