"""Recording: the ``add`` use cases. Each is one transaction.

Every value is checked by its field in the catalogue (``Table.parse``), the
same rule ``edit`` and ``import`` apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cases.catalogue import TABLE
from cases.db import actors, rows
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.records import (
    KIND_BY_TABLE,
    ORGANISATION,
    PERSON,
    RELATION,
    SOURCE,
    Kind,
)
from cases.service.common import insert_record, resolve_ref, resolve_source
from cases.service.resolving import (
    actor_name,
    linked_actor,
    resolve_actor,
    resolve_org,
)


@dataclass(frozen=True)
class Recorded:
    """What an ``add`` wrote: the kind and the new row."""

    kind: Kind
    row: Row
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Common:
    """The options every ``add`` takes."""

    note: str | None = None
    sources: Sequence[str] = ()
    private: bool = False
    # who, according to the sources, made the claim (for the citations they make)
    according_to: str | None = None


# No note, source or privacy mark: the default of every add.
NOTHING_COMMON = Common()


def values_of(table: str, given: Mapping[str, str | None], common: Common) -> dict[str, Any]:
    """The stored columns of the options given, checked by the catalogue. An
    option given with an empty value is refused (left out, it is just unknown)."""
    for name, value in given.items():
        if value is not None and not value.strip():
            raise Invalid(f"{TABLE[table].field(name).what} must not be empty")
    return TABLE[table].parse(
        {**given, "note": common.note, "private": "yes" if common.private else "no"}
    )


def cite_new(store: Store, record: Row, common: Common, *, about_private: bool = False) -> None:
    """The citations COMMON's sources make for RECORD (inside its transaction)."""
    from cases.service.evidence import cite_sources

    cite_sources(
        store,
        record["uid"],
        common.sources,
        according_to=common.according_to,
        private=bool(record.get("private")) or about_private,
    )


# A common name may be alike many; the closest are named (dupes lists them all).
_MOST_DUPLICATES = 10


def _duplicates(store: Store, kind: Kind, key: str | None) -> list[str]:
    """References of the actors of KIND already recorded who may be the one
    named by KEY: the same name key, or names alike as ``dupes`` finds them
    (a close spelling, another order, Kazakh or Russian endings folded)."""
    if not key:
        return []
    from cases.service.dupes import alike_names

    same = [int(row["id"]) for row in actors.with_key(store, kind.table, key)]
    alike = [actor for actor in alike_names(store, kind.table, key) if actor not in same]
    return [f"{kind.prefix}{actor}" for actor in [*same, *alike][:_MOST_DUPLICATES]]


def add_person(
    store: Store,
    name: str | None,
    *,
    description: str | None = None,
    aliases: Sequence[str] = (),
    sex: str | None = None,
    born: str | None = None,
    ethnicity: str | None = None,
    citizenship: str | None = None,
    origin: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a person (or, with DESCRIPTION and no name, an unnamed person) with
    any aliases. A name that is already recorded is recorded again and the
    possible duplicates are named."""
    values = values_of(
        "people",
        {
            "name": name,
            "description": description,
            "sex": sex,
            "born": born,
            "ethnicity": ethnicity,
            "citizenship": citizenship,
            "origin": origin,
        },
        common,
    )
    alias_names = [TABLE["aliases"].field("name").parse(alias) for alias in aliases]
    if alias_names and not values.get("name"):
        raise Invalid("an unnamed person has no name to have aliases of; give one later with edit")
    with store.transaction("add person"):
        duplicates = _duplicates(store, PERSON, values.get("name_key"))
        row = insert_record(store, PERSON, values)
        for alias in alias_names:
            rows.insert(store, "aliases", {"person_id": row["id"], **alias})
        cite_new(store, row, common)
    extra: dict[str, Any] = {"aliases": [alias["name"] for alias in alias_names]}
    if duplicates:
        extra["possible_duplicates"] = duplicates
    return Recorded(PERSON, row, extra)


def add_org(
    store: Store,
    name: str,
    *,
    aliases: Sequence[str] = (),
    kind: str | None = None,
    country: str | None = None,
    size: str | None = None,
    part_of: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record an organisation or a group (kind group, with a size such as ~30)."""
    values = values_of(
        "organisations", {"name": name, "kind": kind, "country": country, "size": size}, common
    )
    alias_names = [TABLE["aliases"].field("name").parse(alias) for alias in aliases]
    with store.transaction("add org"):
        duplicates = _duplicates(store, ORGANISATION, values["name_key"])
        if part_of is not None:
            values["part_of_id"] = resolve_org(store, part_of)["id"]
        row = insert_record(store, ORGANISATION, values)
        for alias in alias_names:
            rows.insert(store, "aliases", {"org_id": row["id"], **alias})
        cite_new(store, row, common)
    extra: dict[str, Any] = {"aliases": [alias["name"] for alias in alias_names]}
    if duplicates:
        extra["possible_duplicates"] = duplicates
    return Recorded(ORGANISATION, row, extra)


def add_alias(store: Store, actor: str, name: str, common: Common = Common()) -> Recorded:
    """Record another name of a person or organisation. Any other spelling or
    script is kept (Cyrillic, Latin...); only the same text again is refused."""
    values = values_of("aliases", {"name": name}, common)
    with store.transaction("add alias"):
        kind, owner = resolve_actor(store, actor)
        if not owner.get("name"):
            raise Invalid(
                f"{kind.prefix}{owner['id']} is unnamed: an alias is another name, and they "
                f"have none yet (give one with: cases edit {kind.prefix}{owner['id']} --set name=...)"
            )
        known = [owner.get("name") or ""]
        known += [alias["name"] for alias in actors.aliases_of(store, kind.table, owner["id"])]
        if values["name"].casefold() in {text.casefold() for text in known}:
            raise Invalid(f"{values['name']!r} is already a name of {kind.prefix}{owner['id']}")
        column = actors.OWNER[kind.table]
        record_id = rows.insert(store, "aliases", {column: owner["id"], **values})
        row = rows.get(store, "aliases", record_id)
        assert row is not None
        cite_new(store, row, common, about_private=bool(owner["private"]))
        store.change_summary = f"added an alias of {kind.prefix}{owner['id']}"
    return Recorded(kind, owner, {"alias": values["name"]})


def add_source(
    store: Store,
    title: str,
    *,
    url: str | None = None,
    publisher: str | None = None,
    authors: Sequence[str] = (),
    language: str | None = None,
    date: str | None = None,
    accessed: str | None = None,
    relays: str | None = None,
    reliability: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a source: a report, a testimony, a court document."""
    values = values_of(
        "sources",
        {
            "title": title,
            "url": url,
            "publisher": publisher,
            "authors": "\n".join(authors) if authors else None,
            "language": language,
            "date": date,
            "accessed": accessed,
            "reliability": reliability,
        },
        common,
    )
    with store.transaction("add source"):
        if relays is not None:
            # a new URL relayed by a private source would reveal it: private too
            values["relays_id"] = resolve_source(store, relays, private=common.private)
        row = insert_record(store, SOURCE, values)
        cite_new(store, row, common)
    return Recorded(SOURCE, row)


def taking_part(
    store: Store, given: Sequence[str], named: Sequence[str] = ()
) -> list[tuple[Kind, Row, str]]:
    """The participants ``--with ACTOR[=ROLE]`` names: (kind, actor, role). An
    actor named twice (NAMED: the references already taking part, the subject)
    is refused: one fact, one role each."""
    role_field = TABLE["participants"].field("role")
    found = []
    seen = set(named)
    subjects = set(named)
    for text in given:
        actor, equals, role = text.rpartition("=") if "=" in text else (text, "", "")
        if not equals:
            actor = text
        chosen = role_field.parse(role or "participant")["role"]
        kind, row = resolve_actor(store, actor)
        ref = f"{kind.prefix}{row['id']}"
        if ref in subjects:
            raise Invalid(
                f"{ref} is named twice in this fact: a fact's subject (or a trial's party) "
                "is not also one of its participants"
            )
        if ref in seen:
            raise Invalid(
                f"{ref} is named twice in this fact: an actor takes part in a fact once, "
                "in one role"
            )
        seen.add(ref)
        found.append((kind, row, chosen))
    return found


def add_participants(
    store: Store,
    fact: Row,
    participants: Sequence[tuple[Kind, Row, str]],
) -> None:
    """Participant rows of a fact (named by its uid). Like every row that belongs
    to another (an alias, a party), they carry no private mark of their own:
    they are private with the fact, and public again when it is."""
    for kind, actor, role in participants:
        rows.insert(
            store,
            "participants",
            {"fact_uid": fact["uid"], actors.OWNER[kind.table]: actor["id"], "role": role},
        )


def link_naming(store: Store, table: str, values: dict[str, Any]) -> None:
    """Link each text that names an actor (a court, an authority) to the actor
    whose name or alias it is exactly."""
    from cases.catalogue import naming_texts

    for text, (link, target) in naming_texts(table).items():
        if text in values:
            values[link] = linked_actor(store, target, values[text])


def add_fact(
    store: Store,
    table: str,
    subject: str,
    *,
    participants: Sequence[str] = (),
    common: Common = Common(),
    **given: Any,
) -> Recorded:
    """Record a fact of TABLE about SUBJECT (its own actor: a person, or an
    organisation where its kind allows), with GIVEN the values of its fields
    (a link by reference: ``trial="T3"``), anyone else taking part (``--with
    ACTOR[=ROLE]``) and the citations of its sources; one transaction.

    Every value is checked by its field in the catalogue, and the rules across
    its fields before the actor is looked up (the value is wrong, whoever it is
    about)."""
    declared = TABLE[table]
    kind, fact = declared.kind, declared.fact
    assert kind is not None and fact is not None
    links = {name: given.pop(name) for name in list(given) if f"{name}_id" in declared.links}
    values = values_of(table, given, common)
    columns = {declared.field(column).link: column for column in fact.subject}
    # the rules, with a stand-in for the actor (one of a person or an organisation)
    declared.check({**values, next(iter(columns.values())): -1})
    with store.transaction(f"add {kind.name}"):
        allowed = tuple(k for k in (PERSON, ORGANISATION) if k.table in columns)
        subject_kind, actor = resolve_actor(store, subject, allowed)
        values[columns[subject_kind.table]] = actor["id"]
        for name, text in links.items():
            if text is not None:
                target = KIND_BY_TABLE[declared.links[f"{name}_id"]]
                values[f"{name}_id"] = resolve_ref(store, text, target)[1]["id"]
        link_naming(store, table, values)
        others = taking_part(store, participants, [f"{subject_kind.prefix}{actor['id']}"])
        row = insert_record(store, kind, values)
        add_participants(store, row, others)
        cite_new(store, row, common, about_private=bool(actor["private"]))
    return Recorded(
        kind, row, {"person": actor_name(subject_kind, actor), "actor": subject_kind.prefix}
    )


def add_relation(
    store: Store,
    actor: str,
    other: str,
    *,
    kind: str,
    since: str | None = None,
    until: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record that OTHER is ACTOR's KIND (lawyer, parent, leader...), from SINCE to UNTIL."""
    values = values_of("relations", {"kind": kind, "since": since, "until": until}, common)
    TABLE["relations"].check({**values, "person_id": 0, "other_id": -1})  # the dates, first
    with store.transaction("add relation"):
        first_kind, first = resolve_actor(store, actor)
        second_kind, second = resolve_actor(store, other)
        if (first_kind, first["id"]) == (second_kind, second["id"]):
            # the catalogue's rule, with the reference
            rule = "a person cannot be related to themselves"
            if first_kind != PERSON:
                rule = "an organisation cannot be related to itself"
            raise Invalid(f"{first_kind.prefix}{first['id']}: {rule}")
        values["person_id" if first_kind == PERSON else "org_id"] = first["id"]
        values["other_id" if second_kind == PERSON else "other_org_id"] = second["id"]
        row = insert_record(store, RELATION, values)
        cite_new(store, row, common, about_private=bool(first["private"] or second["private"]))
    return Recorded(
        RELATION,
        row,
        {"person": actor_name(first_kind, first), "other": actor_name(second_kind, second)},
    )
