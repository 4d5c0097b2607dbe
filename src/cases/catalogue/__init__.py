"""Every table's fields and every kind of record, declared once.

A :class:`Field` says what a value is (its type, vocabulary, whether it is
required, searchable, free text, a link), and :meth:`Field.parse` is THE rule
for a value, whether it comes from ``add``, ``edit`` or ``import``; its type
says how it reads. A :class:`Table` says which kind of record it holds (its
reference prefix and noun) and, for a fact, when it happened, who it involves
and how it reads (:class:`Fact`). What the rest of the code needs is derived
from here rather than restated: the stored and CSV columns, the links and the
order tables load in, the columns an export defuses, the full-text search
fields, the fields ``edit`` may set, the vocabularies the help lists and
completes, the kinds the timeline places, the rules across fields.

The declarations are in :mod:`cases.catalogue.tables`; the types, rules and
vocabularies in modules of their own.
"""

from __future__ import annotations

from functools import cache

from cases.catalogue.model import (
    NOTE,
    PRIVATE,
    ActorText,
    Fact,
    Field,
    Kind,
    Placement,
    Table,
    actor_texts_of,
)
from cases.catalogue.rules import (
    AcrossRows,
    AtMostOne,
    Different,
    EndsAfterStarts,
    OneOf,
    Rule,
)
from cases.catalogue.tables import ACTORS, TABLES
from cases.catalogue.types import (
    CHOICE,
    CHOICES,
    DATE,
    FLAG,
    LANGUAGE,
    LARGEST,
    LINK,
    MONEY,
    NAME,
    NAMES,
    NAMING,
    NUMBER,
    RECORD,
    SIZE,
    TEXT,
    UID,
    URL,
    FieldType,
)
from cases.catalogue.vocabularies import Vocabulary, Word

__all__ = [
    "ACTORS",
    "ACTOR_TEXTS",
    "CHOICE",
    "CHOICES",
    "CITABLE",
    "DATE",
    "FACTS",
    "FLAG",
    "KINDS",
    "KIND_BY_PREFIX",
    "KIND_BY_TABLE",
    "LANGUAGE",
    "LARGEST",
    "LINK",
    "LOGGED",
    "MONEY",
    "NAME",
    "NAMES",
    "NAMING",
    "NOTE",
    "NUMBER",
    "PRIVATE",
    "RECORD",
    "SCHEMA_VERSION",
    "SEARCHABLE",
    "SIZE",
    "TABLE",
    "TABLES",
    "TEXT",
    "UID",
    "URL",
    "AcrossRows",
    "ActorText",
    "AtMostOne",
    "Different",
    "EndsAfterStarts",
    "Fact",
    "Field",
    "FieldType",
    "Kind",
    "OneOf",
    "Placement",
    "Rule",
    "Table",
    "Vocabulary",
    "Word",
    "actor_texts",
    "load_order",
    "naming_texts",
    "records_of",
    "table",
]

TABLE = {table.name: table for table in TABLES}

# The schema these declarations describe: the number of migrations. Each step
# since 15 is a declared change (a table or field with its ``since``); the
# steps before it are older than the declarations' versions.
SCHEMA_VERSION = max(
    15,
    *(table.since for table in TABLES),
    *(field.since for table in TABLES for field in table.all_fields),
)

# Tables whose rows can be cited (every table but citations): deleting a row
# drops its citations, so no citation ever points at nothing.
CITABLE = tuple(table.name for table in TABLES if table.name != "citations")
# Tables whose every change the change log records.
LOGGED = tuple(table.name for table in TABLES)
# Tables with a full-text table of their own (TABLE_fts).
SEARCHABLE = tuple(table.name for table in TABLES if table.search_fields)
# The tables of facts (records placed in time, involving actors), in table order.
FACTS = tuple(table for table in TABLES if table.fact is not None)

# The kinds of record with a reference, and how to find them.
KINDS: tuple[Kind, ...] = tuple(table.kind for table in TABLES if table.kind is not None)
KIND_BY_PREFIX = {kind.prefix: kind for kind in KINDS}
KIND_BY_TABLE = {kind.table: kind for kind in KINDS}

ACTOR_TEXTS: tuple[ActorText, ...] = tuple(text for t in TABLES for text in actor_texts_of(t))


def table(name: str) -> Table:
    """The table NAME."""
    return TABLE[name]


def actor_texts(table_name: str) -> tuple[ActorText, ...]:
    """The texts of TABLE_NAME that may name an actor."""
    return tuple(text for text in ACTOR_TEXTS if text.table == table_name)


def naming_texts(table_name: str) -> dict[str, tuple[str, str]]:
    """Text column -> (its link column, the table it links to), for the texts of
    TABLE_NAME that name an actor and are linked to them when they are exactly
    their name (a judge, a court, an authority)."""
    return {
        f.name: (f.link_column or "", f.link or "")
        for f in TABLE[table_name].all_fields
        if f.type == NAMING
    }


def records_of(field: Field) -> tuple[str, ...]:
    """The tables a RECORD field may name by uid: the facts (a participant's), or
    any table whose records can be cited (a citation's)."""
    if field.link == "facts":
        return tuple(table.name for table in FACTS if table.fact and table.fact.in_timeline)
    return CITABLE


@cache
def load_order() -> tuple[str, ...]:
    """The tables in an order where each comes after every table it links to (a
    record's uid, which may be of any table, after every table it may name):
    the order an import loads them in."""
    placed: list[str] = []
    waiting = list(TABLES)
    while waiting:
        for candidate in waiting:
            needs = {target for target in candidate.links.values() if target != candidate.name}
            for field in candidate.all_fields:
                if field.type == RECORD:
                    needs |= set(records_of(field)) - {candidate.name}
            if needs <= set(placed):
                placed.append(candidate.name)
                waiting.remove(candidate)
                break
        else:  # a circle of links: no order can load it
            raise RuntimeError(f"the links of {[t.name for t in waiting]} go round in a circle")
    return tuple(placed)
