"""How each table is published: its columns, their SQL types and descriptions
(from the catalogue, said for a reader), its facets, the label a record reads
by where another links to it, and the facts of the timeline view."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from cases.catalogue import (
    CHOICE,
    CHOICES,
    DATE,
    FACTS,
    FLAG,
    LINK,
    MONEY,
    NAMING,
    NUMBER,
    RECORD,
    TABLE,
    Field,
    Table,
    records_of,
)
from cases.dates import display_date
from cases.db.publish import Column, TimelineFact
from cases.records import KIND_BY_TABLE
from cases.service.describe import fact_line

# How a record of a table reads where another links to it: a column of its own,
# else the ``label`` written for it.
NAMED_BY = {"organisations": "name", "aliases": "name", "sources": "title", "citations": "quote"}


# What the catalogue's help says for someone typing a command, said for a reader.
_READER_HELP = {
    ("detentions", "end"): "When it ended; empty while the person is held, as far as the "
    "sources tell.",
    ("rulings", "sentence_kinds"): "The kinds of sentence, comma-separated.",
    ("trial_parties", "name"): "A party named only as text (a judge, lawyer or prosecutor).",
    ("aliases", "name"): "The other name.",
    ("sources", "title"): "Its title (or a description of it, where it has none).",
    ("citations", "source_id"): "The source that supports the record.",
}


_LINK_HELP = {
    "part_of_id": "The organisation it is part of.",
    "relays_id": "The source it relays (reports from).",
    "appeal_of_id": "The ruling it appeals.",
    "other_id": "The other person of the relation.",
    "other_org_id": "The other organisation of the relation.",
    "according_to_person_id": "The person who, according to the source, made the claim.",
    "according_to_org_id": "The organisation that, according to the source, made the claim.",
    "name_person_id": "The person the name is, where recorded.",
}


# Facets beside every vocabulary: courts and countries.
_MORE_FACETS = {
    "people": ("ethnicity", "citizenship"),
    "organisations": ("country",),
    "sources": ("publisher", "language", "reliability"),
    "trials": ("court",),
    "rulings": ("court",),
    "asylum": ("country",),
    "citations": ("record_table",),
    "participants": ("fact_table", "role"),
}


def _singular(table_name: str) -> str:
    return TABLE[table_name].noun or table_name


def _record_kind(table_name: str) -> str:
    """How a link by uid to a record of TABLE_NAME is named: record_KIND_id."""
    kind = KIND_BY_TABLE.get(table_name)
    return kind.name if kind is not None else _singular(table_name).replace(" ", "_")


def record_tables(field: Field) -> tuple[tuple[str, str], ...]:
    """(kind, table) of each table a RECORD field may name."""
    return tuple((_record_kind(name), name) for name in records_of(field))


def _sql_type(field: Field, column: str) -> str:
    if field.type in (NUMBER, FLAG):
        return "INTEGER"
    if field.type == MONEY and column.endswith("_amount"):
        return "NUMERIC"
    return "TEXT"


class Layout:
    """A catalogue table as published: its columns, and each row as read from the
    privacy filter (its exported columns) turned into a published row."""

    def __init__(self, table: Table, include_private: bool) -> None:
        self.table = table
        self.labelled = table.name not in NAMED_BY
        self.aliases = table.name in WITH_ALIASES
        source = table.exported_columns
        kept = [
            column
            for column in source
            if column != "uid" and (include_private or column != "private")
        ]
        # what a citation cites comes after what it says (its links, one a table, are sparse)
        kept.sort(key=lambda column: self._field(column).type == RECORD)
        self.picked = [source.index(column) for column in kept]
        self.uid = source.index("uid")
        self.source = source
        columns = [Column("label")] if self.labelled else []
        for column in kept:
            field = self._field(column)
            if field.type == RECORD:
                stem = field.name.removesuffix("_uid")
                columns.append(
                    Column(f"{stem}_table", stem=stem, record_tables=record_tables(field))
                )
            elif column in table.links:
                columns.append(Column(column, "INTEGER", links=table.links[column]))
            else:
                columns.append(Column(column, _sql_type(field, column)))
        if self.aliases:
            columns.append(Column("aliases", filled_later=True))
        columns.append(Column("uid"))
        self.columns = columns
        self.label = _LABELS.get(table.name, _plain_label)

    def _field(self, column: str) -> Field:
        for field in self.table.all_fields:
            if column in field.columns:
                return field
        raise KeyError(column)

    def rows(self, rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
        """ROWS of the filter as published rows."""
        pick = itemgetter(*self.picked, self.uid)
        if not self.labelled:
            return map(pick, rows)
        return self._labelled(pick, rows)

    def _labelled(
        self, pick: Callable[[Sequence[Any]], tuple[Any, ...]], rows: Iterable[Sequence[Any]]
    ) -> Iterator[tuple[Any, ...]]:
        label, source = self.label, self.source
        for row in rows:
            yield (label(dict(zip(source, row, strict=True))), *pick(row))

    @property
    def label_column(self) -> str:
        return "label" if self.labelled else NAMED_BY[self.table.name]

    @property
    def links(self) -> list[str]:
        """Its link columns, as published."""
        found = [column.name for column in self.columns if column.links]
        for column in self.columns:
            found += [f"{column.stem}_{kind}_id" for kind, _ in column.record_tables]
        return found

    @property
    def sort(self) -> str | None:
        """The column its page is sorted by: a fact's date, else none (its id)."""
        if self.table.name not in DATED:
            return None
        return f"{self.table.fact.date}_earliest"  # type: ignore[union-attr]

    def searched(self) -> list[str]:
        columns = [column for column in self.table.search_columns if column != "name_key"]
        return [*columns, "aliases"] if self.aliases else columns

    def facets(self) -> list[str]:
        names = [column.name for column in self.columns]
        vocabularies = [
            field.name
            for field in self.table.all_fields
            if field.type in (CHOICE, FLAG) and field.name in names
        ]
        return vocabularies + [f for f in _MORE_FACETS.get(self.table.name, ()) if f in names]

    def sortable(self) -> list[str]:
        """Columns that sort meaningfully: not a date as written (``~2018`` before
        ``2017``), which sorts by its earliest and latest days instead."""
        dates = {field.name for field in self.table.all_fields if field.type == DATE}
        return ["id"] + [
            column.name
            for column in self.columns
            if column.name not in dates and column.name not in ("note", "uid", "aliases")
        ]

    def described(self) -> dict[str, str]:
        """A description of every column."""
        descriptions = {
            "id": f"The {_singular(self.table.name)}'s number in this publication (the uid "
            "is what stays the same from one publication to the next).",
        }
        for column in self.columns:
            descriptions.update(self._column_descriptions(column))
        return descriptions

    def _column_descriptions(self, column: Column) -> dict[str, str]:
        name = column.name
        if name == "label":
            return {
                name: f"The {_singular(self.table.name)} in words: how it reads where "
                "another record links to it."
            }
        if name == "uid":
            return {name: "Its lasting identifier, the same in every export and publication."}
        if name == "aliases":
            return {name: "Other names it is known by (spellings, scripts), one a line."}
        if column.record_tables:
            field = self._field(f"{column.stem}_uid")
            found = {name: f"The table of {field.help[0].lower()}{field.help[1:]}"}
            for kind, target in column.record_tables:
                found[f"{column.stem}_{kind}_id"] = (
                    f"The {_singular(target)}, where it is one: {field.help[0].lower()}"
                    f"{field.help[1:]}"
                )
            return found
        field = self._field(name)
        return {name: _field_description(self.table, field, name)}


def _field_description(table: Table, field: Field, column: str) -> str:
    text = _READER_HELP.get((table.name, field.name))
    if text is None and field.name == "private":
        text = "1 for a private record (this publication includes them)."
    if text is None:
        text = field.help or ""
        if field.type == CHOICES:
            text = text.replace("Repeatable.", "").strip()
    if field.type == DATE and column != field.name:
        bound = "earliest" if column.endswith("_earliest") else "latest"
        return f"The {bound} day {field.what} can be (ISO; empty when open-ended)."
    if field.type == DATE:
        return (
            f"{text} A day, month or year, approximate (~), uncertain (?), open-ended "
            "(before, after) or a range (/)."
        ).strip()
    if field.type == MONEY:
        return "The fine's amount." if column.endswith("_amount") else "Its currency (ISO 4217)."
    if field.type == NAMING and column != field.name:
        target = _singular(field.link or "")
        return f"The {target} the {field.what} names, where it is recorded."
    if field.type == LINK:
        if column in _LINK_HELP:
            return _LINK_HELP[column]
        return text or f"The {_singular(field.link or '')}."
    if field.choices:
        words = f"One of: {', '.join(field.choices)}."
        return f"{text} {words}" if text else f"{field.what.capitalize()}. {words}"
    return text or f"{field.what.capitalize()}."


@lru_cache(maxsize=4096)
def _shown(canonical: str | None) -> str:
    return display_date(canonical)


def _dated(when: str | None, text: str) -> str:
    return f"{_shown(when)}: {text}" if when else text


def _person_label(row: dict[str, Any]) -> str:
    return str(row["name"]) if row.get("name") else f"[{row.get('description') or 'unnamed'}]"


def _fact_label(table: str) -> Callable[[dict[str, Any]], str]:
    """A fact's label: its date, then its line (as its kind declares it)."""
    date = TABLE[table].fact.date  # type: ignore[union-attr]

    def label(row: dict[str, Any]) -> str:
        return _dated(row.get(date), fact_line(table, row))

    return label


def _detention_label(row: dict[str, Any]) -> str:
    what = f"{row['kind']} detention" if row.get("kind") else "detention"
    if row.get("place"):
        what += f" in {row['place']}"
    start, end = _shown(row.get("start")), _shown(row.get("end"))
    return f"from {start} to {end}: {what}" if end else f"from {start}: {what}"


def _relation_label(row: dict[str, Any]) -> str:
    text = str(row["kind"])
    if row.get("since"):
        text += f", since {_shown(row['since'])}"
    if row.get("until"):
        text += f", until {_shown(row['until'])}"
    return text


def _party_label(row: dict[str, Any]) -> str:
    return f"{row['role']}: {row['name']}" if row.get("name") else str(row["role"])


def _plain_label(row: dict[str, Any]) -> str:
    return str(row.get("role") or row.get("kind") or "")


def timeline_facts() -> list[TimelineFact]:
    """How the publication's timeline reads each declared fact: placed by each
    of its dates, with its subject (a trial's parties) and those taking part."""
    found = []
    for table in FACTS:
        fact = table.fact
        assert fact is not None
        if not fact.in_timeline:
            continue
        join, place = "", f"x.{fact.place}" if fact.place else "NULL"
        if fact.within:
            within = table.links[fact.within]
            outer = TABLE[within].fact
            join = f'LEFT JOIN "{within}" t ON t.id = x."{fact.within}"'
            if outer is not None and outer.place:
                place = f"coalesce({place}, t.{outer.place})" if fact.place else f"t.{outer.place}"
        subject = {table.field(column).link: column for column in fact.subject}
        for placement in fact.placements:
            found.append(
                TimelineFact(
                    kind=f"'{placement.kind}'" if placement.kind else "x.kind",
                    table=table.name,
                    date=placement.date,
                    place=place,
                    join=join,
                    taking_part=f"fact_{_record_kind(table.name)}_id",
                    parties=fact.parties,
                    person=f"x.{subject['people']}" if "people" in subject else "NULL",
                    org=f"x.{subject['organisations']}" if "organisations" in subject else "NULL",
                    when_known=placement.when_known,
                )
            )
    return found


# Tables of facts, listed in date order.
DATED = tuple(table.name for table in FACTS if table.fact and table.fact.in_timeline)


# Tables that list their records' aliases.
WITH_ALIASES = {"people": "person_id", "organisations": "org_id"}


_LABELS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{table.name: _fact_label(table.name) for table in FACTS},
    "people": _person_label,
    "trial_parties": _party_label,
    "detentions": _detention_label,
    "relations": _relation_label,
}
