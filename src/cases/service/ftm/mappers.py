"""Rows in, FtM entities out, table by table (the README's mapping): people and
organisations, sources as articles, trials as court cases with their parties,
facts as events, relations as family, representation or membership, and
citations as documentation."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from cases.catalogue import LINK, NAMING, RECORD, TABLE, TABLES, Table
from cases.dates import display_date
from cases.db.connection import Store
from cases.privacy import PrivacyFilter
from cases.service.describe import fact_line
from cases.service.ftm.codes import country_code, language_code
from cases.service.ftm.entity import Entity, date_prefix, entity_id


def _words(value: str | None) -> str | None:
    """A vocabulary word for reading: ``asylum-seeker-status`` -> ``asylum seeker status``."""
    if not value:
        return None
    return value.replace("-", " ")


def _label(value: str | None, default: str) -> str:
    words = _words(value)
    return words[0].upper() + words[1:] if words else default


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


class Mapper:
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
        if row["duration"]:
            entity.note("Duration", row["duration"])
        elif not row["end"]:
            entity.note("End", "none recorded (still held, or the release is not reported)")
        entity.add("location", row["place"], "Place")
        if row["authority_org_uid"]:
            entity.add("organizer", entity_id(row["authority_org_uid"]))
        else:
            entity.note("Held by", row["authority"])
        self.involve(entity, row["uid"], row["person_uid"], row["org_uid"])
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
