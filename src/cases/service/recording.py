"""Recording: the ``add`` use cases. Each is one transaction.

Every value is checked by its field in the catalogue (``Table.parse``), the
same rule ``edit`` and ``import`` apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cases.catalogue import TABLE
from cases.db import queries, rows
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.records import (
    ASYLUM,
    DETENTION,
    EVENT,
    PERSON,
    RELATION,
    RULING,
    SOURCE,
    TRIAL,
    Kind,
    PartyRole,
)
from cases.service.common import cite_all, insert_record, resolve_ref
from cases.service.resolving import linked_person, resolve_person


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


def _values(table: str, given: Mapping[str, str | None], common: Common) -> dict[str, Any]:
    """The stored columns of the options given, checked by the catalogue."""
    return TABLE[table].parse(
        {**given, "note": common.note, "private": "yes" if common.private else "no"}
    )


def add_person(
    store: Store,
    name: str,
    *,
    aliases: Sequence[str] = (),
    sex: str | None = None,
    born: str | None = None,
    ethnicity: str | None = None,
    citizenship: str | None = None,
    origin: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a person with any aliases."""
    values = _values(
        "people",
        {
            "name": name,
            "sex": sex,
            "born": born,
            "ethnicity": ethnicity,
            "citizenship": citizenship,
            "origin": origin,
        },
        common,
    )
    alias_names = [TABLE["aliases"].field("name").parse(alias) for alias in aliases]
    with store.transaction("add person"):
        row = insert_record(store, PERSON, values, sources=common.sources)
        for alias in alias_names:
            rows.insert(
                store, "aliases", {"person_id": row["id"], **alias, "private": int(common.private)}
            )
    return Recorded(PERSON, row, {"aliases": [alias["name"] for alias in alias_names]})


def add_alias(store: Store, person: str, name: str, common: Common = Common()) -> Recorded:
    """Record another name of a person."""
    values = _values("aliases", {"name": name}, common)
    with store.transaction("add alias"):
        owner = resolve_person(store, person)
        if values["name_key"] == owner["name_key"]:
            raise Invalid(f"{values['name']!r} is already P{owner['id']}'s name")
        record_id = rows.insert(store, "aliases", {"person_id": owner["id"], **values})
        row = rows.get(store, "aliases", record_id)
        assert row is not None
        cite_all(
            store, row["uid"], common.sources, private=common.private or bool(owner["private"])
        )
        store.change_summary = f"added an alias of P{owner['id']}"
    return Recorded(PERSON, owner, {"alias": values["name"]})


def add_source(
    store: Store,
    title: str,
    *,
    url: str | None = None,
    publisher: str | None = None,
    date: str | None = None,
    reliability: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a source: a report, a testimony, a court document."""
    values = _values(
        "sources",
        {
            "title": title,
            "url": url,
            "publisher": publisher,
            "date": date,
            "reliability": reliability,
        },
        common,
    )
    with store.transaction("add source"):
        row = insert_record(store, SOURCE, values, sources=common.sources)
    return Recorded(SOURCE, row)


def add_trial(
    store: Store,
    people: Sequence[str],
    *,
    court: str,
    roles: Sequence[str] = (),
    place: str | None = None,
    charge: str | None = None,
    case_number: str | None = None,
    opened: str | None = None,
    judge: str | None = None,
    lawyer: str | None = None,
    status: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a trial with one or more parties, each with a role (default defendant)."""
    if not people:
        raise Invalid("a trial needs at least one person")
    if len(roles) > len(people):
        raise Invalid(f"{len(roles)} roles given for {len(people)} people")
    role_field = TABLE["trial_parties"].field("role")
    party_roles = [role_field.parse(role)["role"] for role in roles]
    party_roles += [PartyRole.DEFENDANT.value] * (len(people) - len(party_roles))
    values = _values(
        "trials",
        {
            "court": court,
            "place": place,
            "charge": charge,
            "case_number": case_number,
            "opened": opened,
            "judge": judge,
            "lawyer": lawyer,
            "status": status,
        },
        common,
    )
    with store.transaction("add trial"):
        parties = [resolve_person(store, person) for person in people]
        seen: set[tuple[int, str]] = set()
        for party, role in zip(parties, party_roles, strict=True):
            if (party["id"], role) in seen:
                raise Invalid(f"P{party['id']} is named twice as {role}")
            seen.add((party["id"], role))
        values["judge_person_id"] = linked_person(store, values.get("judge"))
        values["lawyer_person_id"] = linked_person(store, values.get("lawyer"))
        row = insert_record(
            store,
            TRIAL,
            values,
            sources=common.sources,
            about_private=all(party["private"] for party in parties),
        )
        for party, role in zip(parties, party_roles, strict=True):
            rows.insert(
                store,
                "trial_parties",
                {
                    "trial_id": row["id"],
                    "person_id": party["id"],
                    "role": role,
                    "private": int(common.private),
                },
            )
    names = [f"{party['name']} ({role})" for party, role in zip(parties, party_roles, strict=True)]
    return Recorded(TRIAL, row, {"parties": names})


def add_ruling(
    store: Store,
    person: str,
    *,
    date: str,
    outcome: str,
    trial: str | None = None,
    court: str | None = None,
    sentence: str | None = None,
    sentence_kind: str | None = None,
    months: str | None = None,
    deportation: str | None = None,
    extradition: str | None = None,
    appeal_of: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a ruling; without TRIAL it attaches to the person's latest trial, if any."""
    values = _values(
        "rulings",
        {
            "date": date,
            "outcome": outcome,
            "court": court,
            "sentence": sentence,
            "sentence_kind": sentence_kind,
            "months": months,
            "deportation": deportation,
            "extradition": extradition,
        },
        common,
    )
    with store.transaction("add ruling"):
        subject = resolve_person(store, person)
        if trial is not None:
            trial_row: Row | None = resolve_ref(store, trial, TRIAL)[1]
            assert trial_row is not None
            own = queries.trials_of_person(store, subject["id"])
            if not any(t["id"] == trial_row["id"] for t in own):
                raise Invalid(f"P{subject['id']} is not a party to T{trial_row['id']}")
        else:
            trial_row = queries.latest_trial_of(store, subject["id"])
        appeal_row = resolve_ref(store, appeal_of, RULING)[1] if appeal_of is not None else None
        values["person_id"] = subject["id"]
        values["trial_id"] = trial_row["id"] if trial_row else None
        values["appeal_of_id"] = appeal_row["id"] if appeal_row else None
        row = insert_record(
            store,
            RULING,
            values,
            sources=common.sources,
            about_private=bool(subject["private"]),
        )
    return Recorded(RULING, row, {"person": subject["name"]})


def _per_person(
    store: Store, kind: Kind, person: str, values: dict[str, Any], common: Common
) -> Recorded:
    TABLE[kind.table].check(values)  # before the person is looked up: the value is wrong
    with store.transaction(f"add {kind.name}"):
        subject = resolve_person(store, person)
        row = insert_record(
            store,
            kind,
            {**values, "person_id": subject["id"]},
            sources=common.sources,
            about_private=bool(subject["private"]),
        )
    return Recorded(kind, row, {"person": subject["name"]})


def add_asylum(
    store: Store,
    person: str,
    *,
    date: str,
    decision: str,
    country: str | None = None,
    authority: str | None = None,
    until: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record an asylum decision (or application)."""
    given = {
        "date": date,
        "decision": decision,
        "country": country,
        "authority": authority,
        "until": until,
    }
    return _per_person(store, ASYLUM, person, _values("asylum", given, common), common)


def add_detention(
    store: Store,
    person: str,
    *,
    start: str,
    end: str | None = None,
    kind: str | None = None,
    place: str | None = None,
    authority: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a detention; without END it is still going on."""
    given = {"start": start, "end": end, "kind": kind, "place": place, "authority": authority}
    return _per_person(store, DETENTION, person, _values("detentions", given, common), common)


def add_event(
    store: Store,
    person: str,
    *,
    date: str,
    kind: str,
    place: str | None = None,
    summary: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record an event in a person's case."""
    given = {"date": date, "kind": kind, "place": place, "summary": summary}
    return _per_person(store, EVENT, person, _values("events", given, common), common)


def add_relation(
    store: Store, person: str, other: str, *, kind: str, common: Common = Common()
) -> Recorded:
    """Record that OTHER is PERSON's KIND (lawyer, parent...)."""
    values = _values("relations", {"kind": kind}, common)
    with store.transaction("add relation"):
        subject = resolve_person(store, person)
        related = resolve_person(store, other)
        if subject["id"] == related["id"]:
            raise Invalid(f"P{subject['id']} cannot be related to themselves")
        row = insert_record(
            store,
            RELATION,
            {**values, "person_id": subject["id"], "other_id": related["id"]},
            sources=common.sources,
            about_private=bool(subject["private"] or related["private"]),
        )
    return Recorded(RELATION, row, {"person": subject["name"], "other": related["name"]})
