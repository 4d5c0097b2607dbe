"""FollowTheMoney entities: ``cases export ftm``, one JSON object a line.

Written with the standard library (the ``followthemoney`` package is a test
extra: the tests check every entity against its model). Rows are read through
the one privacy filter, inside one snapshot, and each entity is written as soon
as it is built. An entity's id is made from its record's uid (``cases-UID``), so
a link needs no lookup: a trial party's person is ``cases-`` and the person's uid.

What FtM keeps as a property on one entity but cases keeps in another table is
gathered first, a table at a time: the aliases (FtM's ``alias`` of a person or
an organisation) and those taking part in a ruling, asylum decision, detention
or event (FtM's ``involved`` and ``organizer``). Memory grows with those, not
with the people or the facts.

A date becomes the most precise prefix that is true of it (``2018-10`` for
``2018-10?``, nothing for ``../2019-11``); whenever that loses something, the
date as recorded goes into ``notes``. So does every value FtM has no property
for, or would refuse (a country it does not know, a case number longer than an
identifier): nothing is dropped silently. The README lists the mapping.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from cases.catalogue import LINK, NAMING, RECORD, TABLE, TABLES, Table
from cases.dates import display_date
from cases.db.connection import Store
from cases.privacy import PrivacyFilter
from cases.service.describe import fact_line
from cases.service.transfer import write_to_file

# The FtM type of each property written, and the longest value each type takes.
_NAME = "name"
_TEXT = "text"
_STRING = "string"
_IDENTIFIER = "identifier"
_ADDRESS = "address"
_URL = "url"
_CODE = "code"
_DATE = "date"
_ENTITY = "entity"
_LONGEST = {_NAME: 384, _TEXT: 65000, _STRING: 1024, _IDENTIFIER: 64, _ADDRESS: 250, _URL: 4096}
_PROPERTIES = {
    _NAME: "name alias",
    _TEXT: "notes summary description",
    _STRING: "ethnicity classification court status role relationship title author publisher",
    _IDENTIFIER: "caseNumber",
    _ADDRESS: "address location",
    _URL: "sourceUrl",
    _CODE: "gender citizenship country language",
    _DATE: "birthDate date startDate endDate fileDate publishedAt retrievedAt",
    _ENTITY: "party case involved organizer person relative associate member organization "
    "agent client document entity subject object",
}
_TYPES = {prop: kind for kind, props in _PROPERTIES.items() for prop in props.split()}

# Characters FtM deletes from any text: controls (but tab and line breaks),
# invisible formatting characters and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# Values made here (codes, dates, ids): written as they are.
_MADE_HERE = frozenset((_CODE, _DATE, _ENTITY))
# FtM ids: letters, digits, dots and hyphens, ending in a letter or digit
_SAFE_UID = re.compile(r"[0-9A-Za-z.-]*[0-9A-Za-z]").fullmatch
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def entity_id(uid: str) -> str:
    """The FtM id of the record with this uid: ``cases-UID``, or, for a uid FtM
    would not take as an id (an underscore, a colon), ``cases.sha1-`` and its hash."""
    if _SAFE_UID(uid):
        return f"cases-{uid}"
    return "cases.sha1-" + hashlib.sha1(uid.encode()).hexdigest()


def _clean(text: str, kind: str) -> str:
    """TEXT as FtM keeps it: unsafe characters gone, NFC, trimmed; one line for a
    name or an address."""
    if _UNSAFE.search(text):
        text = _UNSAFE.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if kind in (_NAME, _ADDRESS):
        return " ".join(text.split())
    return text.strip()


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in parts.netloc


# The schemata that are links (FtM's intervals): they have no ``notes``, and what
# would go there goes into ``description``.
_LINKS = {
    "CourtCaseParty",
    "Family",
    "Associate",
    "Membership",
    "Representation",
    "Documentation",
    "UnknownLink",
}


class Entity:
    """One FtM entity being built: values are cleaned for their property's type, and
    a value FtM would refuse goes into ``notes`` under a label instead."""

    __slots__ = ("schema", "id", "properties", "remark", "lines")

    def __init__(self, schema: str, uid: str, suffix: str = "") -> None:
        self.schema = schema
        self.id = entity_id(uid) + suffix
        self.properties: dict[str, list[str]] = {}
        self.remark = ""  # the record's own note
        self.lines: list[str] = []

    def add(self, prop: str, value: Any, label: str = "") -> None:
        """Add VALUE (None: nothing) to PROP; LABEL names it in ``notes`` if it does not fit."""
        if value is None:
            return
        kind = _TYPES[prop]
        held = self.properties.get(prop)
        if kind in _MADE_HERE:
            if held is None:
                self.properties[prop] = [value]
            elif value not in held:
                held.append(value)
            return
        text = _clean(value if isinstance(value, str) else str(value), kind)
        if not text:
            return
        longest = _LONGEST.get(kind, 200)
        if kind == _TEXT:
            values = [text[start : start + longest] for start in range(0, len(text), longest)]
        elif len(text) > longest and kind == _NAME:
            # a name is required: the first of it, and all of it in the notes
            values = [text[: longest - 1].rstrip() + "…"]
            self.note(label or "Name", text)
        elif len(text) > longest or (kind == _URL and not _is_url(text)):
            self.note(label or prop, text)
            return
        else:
            values = [text]
        if held is None:
            self.properties[prop] = values
        else:
            held.extend(one for one in values if one not in held)

    def note(self, label: str, value: Any) -> None:
        """A line ``LABEL: VALUE`` of the notes (None: nothing)."""
        if value is not None and str(value).strip():
            self.lines.append(f"{label}: {value}")

    def line(self) -> str:
        """The entity as one line of JSON: the notes are the record's note, then
        the lines of what has no property."""
        if self.lines:
            lines = "\n".join(self.lines)
            self.remark = f"{self.remark}\n\n{lines}" if self.remark else lines
        if self.remark:
            self.add("description" if self.schema in _LINKS else "notes", self.remark)
        data = {"id": self.id, "schema": self.schema, "properties": self.properties}
        return _ENCODE(data) + "\n"


def date_prefix(earliest: str | None, latest: str | None) -> str | None:
    """The most precise FtM date (a day, a month or a year) true of every day from
    EARLIEST to LATEST, or None when no prefix is (an open end, years apart)."""
    if not earliest or not latest:
        return None
    for length in (10, 7, 4):
        if earliest[:length] == latest[:length]:
            return earliest[:length]
    return None


def _words(value: str | None) -> str | None:
    """A vocabulary word for reading: ``asylum-seeker-status`` -> ``asylum seeker status``."""
    if not value:
        return None
    return value.replace("-", " ")


def _label(value: str | None, default: str) -> str:
    words = _words(value)
    return words[0].upper() + words[1:] if words else default


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def country_code(text: str | None) -> str | None:
    """TEXT (a country's name or ISO code, any case or accents) as FtM's country
    code, or None when it is not one FtM knows."""
    return _country_codes().get(_normal(text)) if text else None


def language_code(tag: str | None) -> str | None:
    """A language tag's language as FtM's three-letter code, or None if FtM has none."""
    return _language_codes().get(tag.split("-")[0].lower()) if tag else None


@functools.cache
def _country_codes() -> dict[str, str]:
    """Each name and code of a country (as :func:`_normal` makes them) -> its FtM code."""
    table = {}
    for entry in _COUNTRIES.split(";"):
        code, _, names = entry.partition(":")
        table.update(dict.fromkeys(names.split("|"), code))
        table[_normal(code)] = code
    return table


@functools.cache
def _language_codes() -> dict[str, str]:
    """Each two- or three-letter code of a language FtM takes -> FtM's code."""
    table = dict(pair.split(":") for pair in _LANGUAGES.split())
    return table | {code: code for code in (*table.values(), "cnr", "fil", "mul")}


class _MaybeSeen:
    """Which uids may have been seen, in fixed memory (a Bloom filter): never a
    false no, rarely a false yes (checked against the database)."""

    _BITS = 1 << 24

    def __init__(self) -> None:
        self.bits = bytearray(self._BITS // 8)

    def _positions(self, uid: str) -> tuple[int, int, int]:
        hashed = hash(uid) & 0xFFFFFFFFFFFFFFFF
        low, step = hashed & 0xFFFFFFFF, (hashed >> 32) | 1
        mask = self._BITS - 1
        return low & mask, (low + step) & mask, (low + 2 * step) & mask

    def add(self, uid: str) -> None:
        for position in self._positions(uid):
            self.bits[position >> 3] |= 1 << (position & 7)

    def __contains__(self, uid: str) -> bool:
        return all(self.bits[p >> 3] >> (p & 7) & 1 for p in self._positions(uid))


Row = dict[str, Any]

_FAMILY = ("parent", "child", "sibling", "spouse", "relative")


class _Mapper:
    """Rows in, entities out, table by table (the README's mapping)."""

    def __init__(self, store: Store, visible: PrivacyFilter) -> None:
        self.store = store
        self.visible = visible
        # an actor's aliases, one a line (a name is one line)
        self.aliases: dict[str, str] = {}
        # those taking part in each fact (by its uid): actor uid, role, participant row
        self.taking_part: dict[str, list[tuple[str, str, Row]]] = {}
        # the records with no entity of their own, or one no Documentation may point at
        self.not_things = _MaybeSeen()

    def rows(self, table: str) -> Iterator[Row]:
        header = TABLE[table].csv_columns
        for values in self.visible.rows(TABLE[table]):
            yield dict(zip(header, values, strict=True))

    def entities(self) -> Iterator[Entity]:
        for row in self.rows("aliases"):
            self.not_things.add(row["uid"])
            owner = row["person_uid"] or row["org_uid"]
            if owner:
                held = self.aliases.get(owner)
                self.aliases[owner] = f"{held}\n{row['name']}" if held else row["name"]
        for row in self.rows("participants"):
            self.not_things.add(row["uid"])
            actor = row["person_uid"] or row["org_uid"]
            if actor:
                self.taking_part.setdefault(row["fact_uid"], []).append((actor, row["role"], row))
        mappers = {
            "people": self.person,
            "organisations": self.organisation,
            "sources": self.source,
            "trials": self.trial,
            "trial_parties": self.party,
            "rulings": self.ruling,
            "asylum": self.asylum,
            "detentions": self.detention,
            "events": self.event,
            "relations": self.relation,
        }
        for table in TABLES:
            mapper = mappers.get(table.name)
            if mapper is None and table.fact is not None and table.fact.in_timeline:
                mapper = functools.partial(self.fact, table)
            if mapper is None:
                continue  # aliases and participants are gathered above, citations below
            for row in self.rows(table.name):
                yield from mapper(row)
        yield from self.citations()

    # -- shared -----------------------------------------------------------------

    @staticmethod
    def common(entity: Entity, row: Row) -> Entity:
        """The record's note, and a warning on a private record (--include-private)."""
        entity.remark = row.get("note") or ""
        if row.get("private"):
            warning = "Private: this record is private; never publish it."
            entity.remark = f"{warning}\n\n{entity.remark}" if entity.remark else warning
        return entity

    @staticmethod
    def date(entity: Entity, prop: str, row: Row, field: str, label: str) -> None:
        """PROP from the date FIELD; the date as recorded in the notes unless the
        prefix says all of it."""
        text = row[field]
        if not text:
            return
        prefix = date_prefix(row[f"{field}_earliest"], row[f"{field}_latest"])
        entity.add(prop, prefix)
        if prefix != text:
            shown = display_date(text)
            entity.note(label, text if shown == text else f"{text} ({shown})")

    @staticmethod
    def country(entity: Entity, prop: str, text: str | None, label: str) -> None:
        code = country_code(text)
        if code:
            entity.add(prop, code)
        else:
            entity.note(label, text)

    @staticmethod
    def link(uid: str, suffix: str, target: str | None, role: str) -> Iterator[Entity]:
        """An UnknownLink: the record UID is to the record TARGET what ROLE says."""
        if target:
            entity = Entity("UnknownLink", uid, suffix)
            entity.add("subject", entity_id(uid))
            entity.add("object", entity_id(target))
            entity.add("role", role)
            yield entity

    def involve(self, entity: Entity, uid: str, *subjects: str | None) -> None:
        """The record's own actor and those taking part: involved, or organizer."""
        for subject in subjects:
            if subject:
                entity.add("involved", entity_id(subject))
        for actor, role, _ in self.taking_part.pop(uid, ()):
            entity.add("organizer" if role == "organizer" else "involved", entity_id(actor))
            if role not in ("organizer", "participant"):
                entity.note("Taking part", f"{entity_id(actor)} ({role})")

    # -- actors and sources -----------------------------------------------------

    def person(self, row: Row) -> Iterator[Entity]:
        entity = Entity("Person", row["uid"])
        if row["name"]:
            entity.add("name", row["name"])
        else:
            # FtM requires a name: the description, bracketed as cases lists it
            entity.add("name", f"[{row['description']}]")
            entity.note("Unnamed", "the sources give no name; the name is a description")
        entity.add("description", row["description"])
        for alias in self.aliases.pop(row["uid"], "").splitlines():
            entity.add("alias", alias, "Alias")
        entity.add("gender", row["sex"])
        self.date(entity, "birthDate", row, "born", "Born")
        entity.add("ethnicity", row["ethnicity"], "Ethnicity")
        self.country(entity, "citizenship", row["citizenship"], "Citizenship")
        entity.note("Origin", row["origin"])
        yield self.common(entity, row)

    def organisation(self, row: Row) -> Iterator[Entity]:
        entity = Entity("Organization", row["uid"])
        entity.add("name", row["name"])
        for alias in self.aliases.pop(row["uid"], "").splitlines():
            entity.add("alias", alias, "Alias")
        entity.add("classification", row["kind"])
        self.country(entity, "country", row["country"], "Country")
        size = row["size"]
        entity.note("Size", f"about {size[1:]}" if size and size.startswith("~") else size)
        yield self.common(entity, row)
        if row["part_of_uid"]:
            member = Entity("Membership", row["uid"], ".part-of")
            member.add("member", entity.id)
            member.add("organization", entity_id(row["part_of_uid"]))
            member.add("role", "part of")
            yield member

    def source(self, row: Row) -> Iterator[Entity]:
        entity = Entity("Article", row["uid"])
        entity.add("title", row["title"], "Title")
        entity.add("sourceUrl", row["url"], "URL")
        entity.add("publisher", row["publisher"], "Publisher")
        for author in (row["authors"] or "").split("\n"):
            entity.add("author", author, "Author")
        code = language_code(row["language"])
        entity.add("language", code)
        if code is None or "-" in row["language"]:
            entity.note("Language", row["language"])
        self.date(entity, "publishedAt", row, "date", "Published")
        self.date(entity, "retrievedAt", row, "accessed", "Accessed")
        if row["reliability"] is not None:
            entity.note(
                "Reliability",
                f"{row['reliability']} (0 unverified to 4 confirmed by several sources)",
            )
        yield self.common(entity, row)
        yield from self.link(row["uid"], ".relays", row["relays_uid"], "relays")

    # -- trials -----------------------------------------------------------------

    def trial(self, row: Row) -> Iterator[Entity]:
        entity = Entity("CourtCase", row["uid"])
        where = row["court"] or row["place"]
        name = f"Trial: {row['charge']}" if row["charge"] else "Trial"
        entity.add("name", f"{name} ({where})" if where else name)
        entity.add("court", row["court"], "Court")
        entity.add("address", row["place"], "Place")
        entity.add("summary", f"Charge: {row['charge']}" if row["charge"] else None)
        entity.add("caseNumber", row["case_number"], "Case number")
        self.date(entity, "fileDate", row, "opened", "Opened")
        entity.add("status", row["status"])
        yield self.common(entity, row)
        if row["court_org_uid"]:
            court = Entity("CourtCaseParty", row["uid"], ".court")
            court.add("party", entity_id(row["court_org_uid"]))
            court.add("case", entity.id)
            court.add("role", "court")
            yield court
        yield from self.taking_part_in_trial(entity, row["uid"])

    def party(self, row: Row) -> Iterator[Entity]:
        self.not_things.add(row["uid"])
        entity = Entity("CourtCaseParty", row["uid"])
        actor = row["person_uid"] or row["org_uid"] or row["name_person_uid"]
        if actor:
            entity.add("party", entity_id(actor))
            if row["name"] and not row["name_person_uid"]:
                entity.note("Named", row["name"])
        else:
            # someone the trial names only as text: a person of that name
            named = Entity("Person", row["uid"], ".person")
            named.add("name", row["name"])
            named.note("Named only in a trial", f"as its {row['role']}")
            entity.add("party", named.id)
            yield named
        entity.add("case", entity_id(row["trial_uid"]))
        entity.add("role", row["role"])
        yield self.common(entity, row)

    # -- facts: Event -----------------------------------------------------------

    def ruling(self, row: Row) -> Iterator[Entity]:
        entity = Entity("Event", row["uid"])
        entity.add("name", f"Ruling: {_words(row['outcome'])}")
        self.date(entity, "date", row, "date", "Date")
        entity.add("summary", row["sentence"])
        entity.add("organizer", entity_id(row["court_org_uid"]) if row["court_org_uid"] else None)
        if not row["court_org_uid"]:
            entity.note("Court", row["court"])
        self.involve(entity, row["uid"], row["person_uid"])
        kinds = (row["sentence_kinds"] or "").replace(",", ", ")
        entity.note("Sentence kinds", kinds or None)
        months = row["months"]
        entity.note("Sentence length", None if months is None else f"{months} months")
        if row["fine_amount"] is not None:
            entity.note("Fine", f"{row['fine_amount']} {row['fine_currency'] or ''}".strip())
        credit = row["pretrial_credit"]
        if credit is not None:
            entity.note("Pretrial credit", f"a day held before trial counts as {credit} days")
        entity.note("Plea", row["plea"])
        entity.note("Deportation", row["deportation"])
        entity.note("Extradition", row["extradition"])
        yield self.common(entity, row)
        yield from self.link(row["uid"], ".trial", row["trial_uid"], "ruling in")
        yield from self.link(row["uid"], ".appeal", row["appeal_of_uid"], "appeal of")

    def asylum(self, row: Row) -> Iterator[Entity]:
        entity = Entity("Event", row["uid"])
        decision = f"Asylum decision: {_words(row['decision'])}"
        entity.add("name", decision)
        entity.add("summary", f"{decision} ({row['country']})" if row["country"] else decision)
        self.date(entity, "date", row, "date", "Date")
        self.date(entity, "endDate", row, "until", "Valid until")
        self.country(entity, "country", row["country"], "Country")
        if row["authority_org_uid"]:
            entity.add("organizer", entity_id(row["authority_org_uid"]))
        else:
            entity.note("Authority", row["authority"])
        self.involve(entity, row["uid"], row["person_uid"])
        yield self.common(entity, row)

    def detention(self, row: Row) -> Iterator[Entity]:
        entity = Entity("Event", row["uid"])
        held = f"Detention: {_words(row['kind'])}" if row["kind"] else "Detention"
        entity.add("name", held)
        entity.add("summary", held)
        self.date(entity, "startDate", row, "start", "Start")
        self.date(entity, "endDate", row, "end", "End")
        if not row["end"]:
            entity.note("End", "none recorded (still held, or the release is not reported)")
        entity.add("location", row["place"], "Place")
        if row["authority_org_uid"]:
            entity.add("organizer", entity_id(row["authority_org_uid"]))
        else:
            entity.note("Held by", row["authority"])
        self.involve(entity, row["uid"], row["person_uid"])
        yield self.common(entity, row)

    def event(self, row: Row) -> Iterator[Entity]:
        entity = Entity("Event", row["uid"])
        kind = _label(row["kind"], "Event")
        summary = row["summary"]
        if not summary:
            entity.add("name", kind)
        elif row["kind"] == "other":
            entity.add("name", summary)
        else:
            entity.add("name", f"{kind}: {summary}")
        entity.add("summary", summary)
        entity.note("Kind", row["kind"])
        self.date(entity, "date", row, "date", "Date")
        entity.add("location", row["place"], "Place")
        self.involve(entity, row["uid"], row["person_uid"], row["org_uid"])
        yield self.common(entity, row)
        yield from self.link(row["uid"], ".trial", row["trial_uid"], "event in")

    def fact(self, table: Table, row: Row) -> Iterator[Entity]:
        """A fact of a kind with no mapping of its own: an Event, named by its
        line, dated by its first date (its last as the end), involving its own
        actor and those taking part; every other value goes into the notes."""
        assert table.fact is not None
        entity = Entity("Event", row["uid"])
        line = fact_line(table.name, row)
        entity.add("name", line[:1].upper() + line[1:])
        dates = [placement.date for placement in table.fact.placements]
        self.date(entity, "date" if len(dates) == 1 else "startDate", row, dates[0], "Date")
        if len(dates) > 1:
            self.date(entity, "endDate", row, dates[-1], "End")
        if table.fact.place:
            entity.add("location", row[table.fact.place], "Place")
        said = {*dates, table.fact.place, "note", "private"}
        for field in table.all_fields:
            if field.name in said or field.type in (LINK, RECORD):
                continue
            if field.name == "summary":
                entity.add("summary", row["summary"])
            elif field.type == NAMING:
                linked = row.get(table.csv_column(field.link_column or ""))
                if linked:
                    entity.add("involved", entity_id(linked))
                entity.note(field.what.capitalize(), row.get(field.name))
            else:
                shown = field.show(row)
                entity.note(field.what.capitalize(), shown or None)
        subjects = [row.get(table.csv_column(column)) for column in table.fact.subject]
        self.involve(entity, row["uid"], *subjects)
        yield self.common(entity, row)
        for field in table.fields:
            if field.type == LINK and field.name not in table.fact.subject and field.link:
                target = row.get(table.csv_column(field.name))
                yield from self.link(row["uid"], f".{field.name}", target, field.what)

    # -- relations --------------------------------------------------------------

    def relation(self, row: Row) -> Iterator[Entity]:
        """OTHER is ACTOR's KIND: Family, Representation, Associate or Membership."""
        self.not_things.add(row["uid"])
        kind = row["kind"]
        actor, other = row["person_uid"] or row["org_uid"], row["other_uid"] or row["other_org_uid"]
        if not (actor and other):
            return  # a relation always has both ends; nothing to say without them
        people = bool(row["person_uid"] and row["other_uid"])
        if kind == "lawyer":
            entity = Entity("Representation", row["uid"])
            entity.add("agent", entity_id(other))
            entity.add("client", entity_id(actor))
            entity.add("role", kind)
        elif people:
            schema = "Family" if kind in _FAMILY else "Associate"
            entity = Entity(schema, row["uid"])
            entity.add("person", entity_id(actor))
            entity.add("relative" if schema == "Family" else "associate", entity_id(other))
            entity.add("relationship", kind)
        else:
            # an organisation at one end: a membership of it (its leader, member, founder...)
            entity = Entity("Membership", row["uid"])
            if row["org_uid"]:
                entity.add("member", entity_id(other))
                entity.add("organization", entity_id(actor))
                entity.add("role", kind)
            else:
                entity.add("member", entity_id(actor))
                entity.add("organization", entity_id(other))
                entity.note("Recorded as", f"the organisation is the person's {kind}")
        self.date(entity, "startDate", row, "since", "Since")
        self.date(entity, "endDate", row, "until", "Until")
        yield self.common(entity, row)

    def taking_part_in_trial(self, case: Entity, trial_uid: str) -> Iterator[Entity]:
        """Those taking part in a trial (gathered first): each a party to it."""
        for actor, role, row in self.taking_part.pop(trial_uid, ()):
            entity = Entity("CourtCaseParty", row["uid"])
            entity.add("party", entity_id(actor))
            entity.add("case", case.id)
            entity.add("role", role)
            yield self.common(entity, row)

    # -- citations --------------------------------------------------------------

    def citations(self, chunk: int = 500) -> Iterator[Entity]:
        batch: list[Row] = []
        for row in self.rows("citations"):
            batch.append(row)
            if len(batch) == chunk:
                yield from self.documentations(batch)
                batch = []
        yield from self.documentations(batch)

    def documentations(self, batch: list[Row]) -> Iterator[Entity]:
        """A Documentation per citation: the source's Article documents the record's
        entity, or, for a record no Documentation may point at (an alias, a trial
        party, a relation, a participant), the actor or fact it belongs to."""
        from cases.db.evidence import records_by_uid

        maybe = [row["record_uid"] for row in batch if row["record_uid"] in self.not_things]
        found = records_by_uid(self.store, maybe) if maybe else {}
        for row in batch:
            target, about = row["record_uid"], None
            if target in found:
                target, about = self.documented(*found[target])
            entity = Entity("Documentation", row["uid"])
            entity.add("document", entity_id(row["source_uid"]))
            entity.add("entity", entity_id(target))
            entity.add("role", about)
            entity.add("summary", row["quote"])
            entity.note("Page", row["page"])
            entity.note("According to", row["according_to"])
            yield entity

    def documented(self, table: str, row: Row) -> tuple[str, str | None]:
        """(the uid of the entity, what of it) a citation of this record documents.

        Only links and vocabulary words are read here: the record is one the
        privacy filter lets out (its citation was), and so is what it belongs to."""
        from cases.db import rows

        def uid(target: str, record_id: int) -> str:
            found = rows.get(self.store, target, record_id)
            return str(found["uid"]) if found else ""

        if table == "aliases":
            owner = ("people", row["person_id"]) if row["person_id"] else None
            return uid(*(owner or ("organisations", row["org_id"]))), "alias"
        if table == "trial_parties":
            return uid("trials", row["trial_id"]), f"trial party: {row['role']}"
        if table == "relations":
            actor = ("people", row["person_id"]) if row["person_id"] else None
            return uid(*(actor or ("organisations", row["org_id"]))), f"relation: {row['kind']}"
        if table == "participants":
            return str(row["fact_uid"]), f"taking part: {row['role']}"
        return str(row["uid"]), None


def export_ftm(store: Store, out: TextIO, *, include_private: bool = False) -> dict[str, int]:
    """Write FtM entities to OUT, one JSON object a line, from one snapshot, through
    the privacy filter; return how many of each schema."""
    counts: Counter[str] = Counter()
    with store.snapshot():
        visible = PrivacyFilter(store, include_private=include_private)
        for entity in _Mapper(store, visible).entities():
            out.write(entity.line())
            counts[entity.schema] += 1
        visible.note_public_mentions()
    return dict(counts)


def export_ftm_file(
    store: Store, path: Path, *, include_private: bool = False, force: bool = False
) -> dict[str, int]:
    """:func:`export_ftm` into the file PATH (mode 0600), which appears only when complete."""
    return write_to_file(
        store, path, force, lambda out: export_ftm(store, out, include_private=include_private)
    )


# FtM's country codes (ISO 3166 and a few more) with the names each is known by:
# its name, full name and ISO alpha-3 code from the followthemoney package's own
# list (rigour's territories), and common English ones (usa, uk, turkey, burma,
# soviet union...), made lower case, without accents or punctuation (as _normal
# makes them). tests/test_ftm.py checks them against FtM.
_COUNTRIES = (
    "ac:asc|ascension island|ascension island saint helena ascension and tristan da cunha;"
    "ad:and|andorra|principality of andorra;ae:are|uae|united arab emirates;"
    "af:afg|afghanistan|islamic emirate of afghanistan;ag:atg|antigua and barbuda;"
    "ai:aia|anguilla;al:alb|albania|republic of albania;am:arm|armenia;"
    "ao:ago|angola|republic of angola;aq:ata|antarctica;ar:arg|argentina|argentine republic;"
    "as:asm|american samoa;at:aut|austria|republic of austria;"
    "au:aus|australia|commonwealth of australia;aw:abw|aruba;ax:ala|aland islands;"
    "az:aze|azerbaijan|republic of azerbaijan;az-nk:artsakh|nagorno karabakh artsakh;"
    "ba:bih|bosnia and herzegovina;bb:brb|barbados;"
    "bd:bgd|bangladesh|people s republic of bangladesh;be:bel|belgium|kingdom of belgium;"
    "bf:bfa|burkina faso;bg:bgr|bulgaria;bh:bhr|bahrain|kingdom of bahrain;bi:bdi|burundi;"
    "bj:ben|benin;bl:blm|saint barthelemy;bm:bmu|bermuda;bn:brn|brunei|brunei darussalam;"
    "bo:bol|bolivia|plurinational state of bolivia;bq:bes|bonaire sint eustatius and saba;"
    "br:bra|brazil;bs:bhs|bahamas|commonwealth of the bahamas;bt:btn|bhutan;"
    "bv:bvt|bouvet island;bw:bwa|botswana|republic of botswana;"
    "by:blr|belarus|byelorussia|republic of belarus;bz:blz|belize;ca:can|canada;"
    "cc:cck|cocos keeling islands;cd:cod|dr congo|democratic republic of the congo;"
    "cf:caf|central african republic;cg:cog|congo brazzaville|the republic of the congo;"
    "ch:che|switzerland|swiss confederation;ci:civ|ivory coast|cote d ivoire;"
    "ck:cok|cook islands;cl:chl|chile|republic of chile;cm:cmr|cameroon|republic of cameroon;"
    "cn:chn|prc|china|people s republic of china;cn-xz:tibet;"
    "co:col|colombia|republic of colombia;cp:cpt|clipperton island|la passion clipperton;"
    "cq:crq|sark;cr:cri|costa rica;cshh:csk|czechoslovakia|czechoslovak socialist republic;"
    "csxx:scg|serbia and montenegro;cu:cub|cuba|republic of cuba;"
    "cv:cpv|cape verde|republic of cabo verde;cw:cuw|curacao;cx:cxr|christmas island;"
    "cy:cyp|cyprus;cy-trnc:northern cyprus;cz:cze|czechia|czech republic;"
    "dd:ddr|east germany|german democratic republic;de:deu|germany|federal republic of germany;"
    "dg:dga|diego garcia|diego garcia british indian ocean territory;"
    "dj:dji|djibouti|republic of djibouti;dk:dnk|denmark|kingdom of denmark;"
    "dm:dma|dominica|commonwealth of dominica;do:dom|dominican republic;"
    "dz:dza|algeria|people s democratic republic of algeria;ec:ecu|ecuador|republic of ecuador;"
    "ee:est|estonia|republic of estonia;eg:egy|egypt|arab republic of egypt;"
    "eh:esh|western sahara|sahrawi arab democratic republic;er:eri|eritrea;es:esp|spain;"
    "et:eth|ethiopia;eu:european union;fi:fin|finland|republic of finland;"
    "fj:fji|fiji|republic of fiji;fk:flk|falkland islands|falkland islands malvinas;"
    "fm:fsm|micronesia|federated states of micronesia;fo:fro|faroe islands;"
    "fr:fra|france|french republic;ga:gab|gabon|gabonese republic;"
    "gb:uk|gbr|britain|england|great britain|united kingdom|united kingdom of great britain and northern ireland;"
    "gb-nir:northern ireland|northern ireland united kingdom of great britain and northern ireland;"
    "gb-sct:scotland|scotland united kingdom of great britain and northern ireland;"
    "gb-wls:wales;gd:grd|grenada;ge:geo|georgia;"
    "ge-ab:abkhazia occupied georgia|autonomous republic of abkhazia occupied georgia;"
    "gf:guf|french guiana;gg:ggy|guernsey|bailiwick of guernsey;gh:gha|ghana;"
    "gi:gib|gibraltar|british overseas territory of gibraltar;gl:grl|greenland;gm:gmb|gambia;"
    "gn:gin|guinea;gp:glp|guadeloupe;gq:gnq|equatorial guinea;gr:grc|greece;"
    "gs:sgs|south georgia and the south sandwich islands;gt:gtm|guatemala;gu:gum|guam;"
    "gw:gnb|guinea bissau;gy:guy|guyana;"
    "hk:hkg|hong kong sar|hong kong special administrative region;"
    "hm:hmd|heard and mcdonald islands|heard island and mcdonald islands australia;"
    "hn:hnd|honduras;hr:hrv|croatia|republic of croatia;ht:hti|haiti|republic of haiti;"
    "hu:hun|hungary;ic:canary islands|canary islands spain;"
    "id:idn|indonesia|republic of indonesia;ie:irl|ireland|republic of ireland;"
    "il:isr|israel|state of israel;im:imn|isle of man;in:ind|india|republic of india;"
    "io:iot|british indian ocean territory;ip:cyb|cyberspace;iq:irq|iraq|republic of iraq;"
    "iq-kr:kurdistan;ir:irn|iran|persia|islamic republic of iran;is:isl|iceland;"
    "it:ita|italy|republic of italy;je:jey|jersey|bailiwick of jersey;jm:jam|jamaica;"
    "jo:jor|jordan|hashemite kingdom of jordan;jp:jpn|japan;ke:ken|kenya|republic of kenya;"
    "kg:kgz|kirghizia|kyrgyzstan|kyrgyz republic;kh:khm|cambodia|kingdom of cambodia;"
    "ki:kir|kiribati;km:com|comoros;"
    "kn:kna|saint kitts and nevis|federation of saint christopher and nevis;"
    "kp:prk|north korea|democratic people s republic of korea;"
    "kr:kor|south korea|republic of korea;kw:kwt|kuwait;ky:cym|cayman islands;"
    "kz:kaz|kazakhstan|republic of kazakhstan;la:lao|laos|lao people s democratic republic;"
    "lb:lbn|lebanon|republic of lebanon;lc:lca|saint lucia;li:lie|liechtenstein;"
    "lk:lka|sri lanka|democratic socialist republic of sri lanka;lr:lbr|liberia;ls:lso|lesotho;"
    "lt:ltu|lithuania;lu:lux|luxembourg;lv:lva|latvia;ly:lby|libya;ma:mar|morocco;"
    "mc:mco|monaco;md:mda|moldova|moldavia|republic of moldova;"
    "md-pmr:transnistria|pridnestrovian moldavian republic;me:mne|montenegro;"
    "mf:maf|saint martin|collectivite de saint martin;mg:mdg|madagascar;"
    "mh:mhl|marshall islands;mk:mkd|north macedonia;ml:mli|mali|republic of mali;"
    "mm:mmr|burma|myanmar|myanmar burma;mn:mng|mongolia;"
    "mo:mac|macao sar|macao special administrative region;mp:mnp|northern mariana islands;"
    "mq:mtq|martinique;mr:mrt|mauritania;ms:msr|montserrat;mt:mlt|malta|republic of malta;"
    "mu:mus|mauritius;mv:mdv|maldives;mw:mwi|malawi;mx:mex|mexico;my:mys|malaysia;"
    "mz:moz|mozambique;na:nam|namibia;nc:ncl|new caledonia;ne:ner|niger;nf:nfk|norfolk island;"
    "ng:nga|nigeria;ni:nic|nicaragua|republic of nicaragua;"
    "nl:nld|holland|netherlands|the netherlands|kingdom of the netherlands;"
    "no:nor|norway|kingdom of norway;np:npl|nepal|federal democratic republic of nepal;"
    "nr:nru|naoero|republic of naoero;nu:niu|niue;nz:nzl|new zealand;"
    "om:omn|oman|sultanate of oman;pa:pan|panama|republic of panama;"
    "pe:per|peru|republic of peru;pf:pyf|french polynesia;"
    "pg:png|papua new guinea|independent state of papua new guinea;"
    "ph:phl|philippines|republic of the philippines;"
    "pk:pak|pakistan|islamic republic of pakistan;pk-km:kashmir;"
    "pl:pol|poland|republic of poland;pm:spm|saint pierre and miquelon;"
    "pn:pcn|pitcairn|pitcairn islands;pr:pri|puerto rico;ps:pse|palestine|state of palestine;"
    "pt:prt|portugal|portuguese republic;pw:plw|palau;py:pry|paraguay|republic of paraguay;"
    "qa:qat|qatar|state of qatar;re:reu|reunion;ro:rou|romania;"
    "rs:srb|serbia|republic of serbia;ru:rus|russia|russian federation;"
    "rw:rwa|rwanda|republic of rwanda;sa:sau|saudi arabia|kingdom of saudi arabia;"
    "sb:slb|solomon islands;sc:syc|seychelles|republic of seychelles;"
    "sd:sdn|sudan|republic of the sudan;se:swe|sweden|kingdom of sweden;"
    "sg:sgp|singapore|republic of singapore;sh:shn|saint helena ascension and tristan da cunha;"
    "si:svn|slovenia|republic of slovenia;sj:sjm|svalbard and jan mayen;"
    "sk:svk|slovakia|slovak republic;sl:sle|sierra leone|republic of sierra leone;"
    "sm:smr|san marino|republic of san marino;sn:sen|senegal|republic of senegal;"
    "so:som|somalia|federal republic of somalia;so-som:somaliland|republic of somaliland;"
    "sr:sur|suriname|republic of suriname;ss:ssd|south sudan|republic of south sudan;"
    "st:stp|sao tome and principe|democratic republic of sao tome and principe;"
    "suhh:sun|ussr|soviet union|union of soviet socialist republics;"
    "sv:slv|el salvador|republic of el salvador;sx:sxm|sint maarten|sint maarten dutch part;"
    "sy:syr|syria|syrian arab republic;sz:swz|eswatini|kingdom of eswatini;"
    "ta:tristan da cunha|tristan da cunha saint helena ascension and tristan da cunha;"
    "tc:tca|turks and caicos islands;td:tcd|chad|republic of chad;"
    "tf:atf|french southern territories;tg:tgo|togo|togolese republic;"
    "th:tha|thailand|kingdom of thailand;tj:tjk|tajikistan|republic of tajikistan;"
    "tk:tkl|tokelau;tl:tls|east timor|timor leste;tm:tkm|turkmenistan;"
    "tn:tun|tunisia|republic of tunisia;to:ton|tonga|kingdom of tonga;"
    "tr:tur|turkey|turkiye|republic of turkiye;tt:tto|trinidad and tobago;tv:tuv|tuvalu;"
    "tw:twn|taiwan|taiwan province of china;tz:tza|tanzania|united republic of tanzania;"
    "ua:ukr|ukraine;ua-cri:crimea occupied ukraine;ua-dpr:donetsk occupied ukraine;"
    "ua-lpr:luhansk occupied ukraine;ug:uga|uganda|republic of uganda;"
    "um:umi|u s outlying islands|united states minor outlying islands;un:united nations;"
    "us:usa|america|united states|united states of america;"
    "uy:ury|uruguay|oriental republic of uruguay;uz:uzb|uzbekistan|republic of uzbekistan;"
    "va:vat|vatican|holy see|holy see vatican;vc:vct|saint vincent and the grenadines;"
    "ve:ven|venezuela|bolivarian republic of venezuela;vg:vgb|british virgin islands;"
    "vi:vir|u s virgin islands|virgin islands of the united states;"
    "vn:vnm|vietnam|socialist republic of vietnam;vu:vut|vanuatu|republic of vanuatu;"
    "wf:wlf|wallis and futuna|territory of the wallis and futuna islands;"
    "ws:wsm|samoa|independent state of samoa;x-so:south ossetia occupied georgia;"
    "xk:xkx|kosovo|republic of kosovo;ye:yem|yemen|republic of yemen;yt:myt|mayotte;"
    "yucs:yug|yugoslavia|socialist federal republic of yugoslavia;"
    "za:zaf|south africa|republic of south africa;zm:zmb|zambia|republic of zambia;"
    "zr:zar|zaire|republic of zaire;zw:zwe|zimbabwe|republic of zimbabwe;zz:global"
)
# The two-letter codes of the languages FtM takes, with FtM's three-letter code.
_LANGUAGES = (
    "af:afr am:amh ar:ara az:aze be:bel bg:bul bn:ben bs:bos ca:cat cs:ces da:dan de:deu "
    "el:ell en:eng es:spa et:est fa:fas fi:fin fr:fra ga:gle he:heb hi:hin hr:hrv hu:hun "
    "hy:hye id:ind in:ind is:isl it:ita iw:heb ja:jpn ka:kat kk:kaz km:khm kn:kan ko:kor "
    "ky:kir lb:ltz lo:lao lt:lit lv:lav mk:mkd mn:mon mo:ron ms:msa mt:mlt my:mya ne:nep "
    "nl:nld no:nor pl:pol ps:pus pt:por ro:ron ru:rus si:sin sk:slk sl:slv sq:sqi sr:srp "
    "sv:swe sw:swa ta:tam te:tel tg:tgk th:tha tk:tuk tl:tgl tr:tur uk:ukr ur:urd uz:uzb "
    "vi:vie zh:zho"
)
