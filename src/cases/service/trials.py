"""Recording a trial (its parties in their roles, the judges, lawyers and
prosecutors it names) and a ruling (on the person's latest trial unless named,
or an appeal of another ruling)."""

from __future__ import annotations

from collections.abc import Sequence

from cases.catalogue import TABLE
from cases.db import queries, rows
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.records import (
    PERSON,
    RULING,
    TRIAL,
)
from cases.service.common import insert_record, named_in_trial, resolve_ref
from cases.service.recording import (
    NOTHING_COMMON,
    Common,
    Recorded,
    add_participants,
    cite_new,
    link_naming,
    taking_part,
    values_of,
)
from cases.service.resolving import (
    actor_name,
    linked_actor,
    resolve_person,
)


def add_trial(
    store: Store,
    people: Sequence[str],
    *,
    court: str | None = None,
    roles: Sequence[str] = (),
    place: str | None = None,
    charge: str | None = None,
    case_number: str | None = None,
    opened: str | None = None,
    judges: Sequence[str] = (),
    lawyers: Sequence[str] = (),
    prosecutors: Sequence[str] = (),
    status: str | None = None,
    participants: Sequence[str] = (),
    common: Common = NOTHING_COMMON,
) -> Recorded:
    """Record a trial with one or more parties, each with a role (default
    defendant), and its judges, lawyers and prosecutors as named (each linked
    to the person whose name or alias it is exactly)."""
    if not people:
        raise Invalid("a trial needs at least one person")
    if len(roles) > len(people):
        raise Invalid(f"{len(roles)} roles given for {len(people)} people")
    role_field = TABLE["trial_parties"].field("role")
    party_roles = [role_field.parse(role)["role"] for role in roles]
    party_roles += ["defendant"] * (len(people) - len(party_roles))
    values = values_of(
        "trials",
        {
            "court": court,
            "place": place,
            "charge": charge,
            "case_number": case_number,
            "opened": opened,
            "status": status,
        },
        common,
    )
    TABLE["trials"].check(values)
    name_field = TABLE["trial_parties"].field("name")
    named = [
        (role, name_field.parse(text)["name"])
        for role, texts in (("judge", judges), ("lawyer", lawyers), ("prosecutor", prosecutors))
        for text in texts
    ]
    with store.transaction("add trial"):
        parties = [resolve_person(store, person) for person in people]
        seen: set[tuple[int, str]] = set()
        for party, role in zip(parties, party_roles, strict=True):
            if (party["id"], role) in seen:
                raise Invalid(f"P{party['id']} is named twice as {role}")
            seen.add((party["id"], role))
        link_naming(store, "trials", values)
        others = taking_part(store, participants, [f"P{party['id']}" for party in parties])
        row = insert_record(store, TRIAL, values)
        for party, role in zip(parties, party_roles, strict=True):
            rows.insert(
                store,
                "trial_parties",
                {
                    "trial_id": row["id"],
                    "person_id": party["id"],
                    "role": role,
                },
            )
        named_rows = [
            {
                "trial_id": row["id"],
                "name": name,
                "role": role,
                "name_person_id": linked_actor(store, "people", name),
            }
            for role, name in named
        ]
        for named_row in named_rows:
            rows.insert(store, "trial_parties", named_row)
        add_participants(store, row, others)
        cite_new(store, row, common, about_private=all(party["private"] for party in parties))
    names = [
        f"{actor_name(PERSON, party)} ({role})"
        for party, role in zip(parties, party_roles, strict=True)
    ]
    return Recorded(TRIAL, row, {"parties": names, **named_in_trial(named_rows)})


def add_ruling(
    store: Store,
    person: str,
    *,
    date: str,
    outcome: str,
    trial: str | None = None,
    court: str | None = None,
    sentence: str | None = None,
    sentence_kinds: Sequence[str] = (),
    months: str | None = None,
    fine: str | None = None,
    pretrial_credit: str | None = None,
    plea: str | None = None,
    deportation: str | None = None,
    extradition: str | None = None,
    appeal_of: str | None = None,
    grounds: str | None = None,
    participants: Sequence[str] = (),
    common: Common = NOTHING_COMMON,
) -> Recorded:
    """Record a ruling; without TRIAL it attaches to the person's latest trial, if any."""
    values = values_of(
        "rulings",
        {
            "date": date,
            "outcome": outcome,
            "court": court,
            "sentence": sentence,
            "sentence_kinds": ",".join(sentence_kinds) if sentence_kinds else None,
            "months": months,
            "fine": fine,
            "pretrial_credit": pretrial_credit,
            "plea": plea,
            "deportation": deportation,
            "extradition": extradition,
            "grounds": grounds,
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
        link_naming(store, "rulings", values)
        others = taking_part(store, participants, [f"P{subject['id']}"])
        row = insert_record(store, RULING, values)
        add_participants(store, row, others)
        cite_new(store, row, common, about_private=bool(subject["private"]))
    return Recorded(RULING, row, {"person": subject["name"]})
