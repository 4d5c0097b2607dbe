"""Recording: the ``add`` use cases. Each is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cases.errors import Invalid
from cases.names import name_key
from cases.records import (
    ASYLUM,
    DETENTION,
    EVENT,
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
    Outcome,
    PartyRole,
    RelationKind,
    SentenceKind,
    Sex,
    TrialStatus,
    vocabulary,
)
from cases.service.common import (
    cite_all,
    dates,
    insert_record,
    linked_person,
    optional_text,
    required_name,
    required_text,
    resolve_person,
    resolve_ref,
)
from cases.store import Row, Store


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


def _maybe(enum: Any, value: str | None, what: str) -> str | None:
    return None if value is None else vocabulary(enum, value, what)


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
    cleaned = required_name(name)
    values = {
        "name": cleaned,
        "name_key": name_key(cleaned),
        "sex": _maybe(Sex, sex, "sex"),
        **dates(born=born),
        "ethnicity": optional_text(ethnicity),
        "citizenship": optional_text(citizenship),
        "origin": optional_text(origin),
    }
    alias_names = [required_name(alias, "an alias") for alias in aliases]
    with store.transaction("add person"):
        row = insert_record(
            store, PERSON, values, note=common.note, private=common.private, sources=common.sources
        )
        for alias in alias_names:
            store.insert(
                "aliases",
                {
                    "person_id": row["id"],
                    "name": alias,
                    "name_key": name_key(alias),
                    "private": int(common.private),
                },
            )
    return Recorded(PERSON, row, {"aliases": alias_names})


def add_alias(store: Store, person: str, name: str, common: Common = Common()) -> Recorded:
    """Record another name of a person."""
    alias = required_name(name, "an alias")
    with store.transaction("add alias"):
        owner = resolve_person(store, person)
        if name_key(alias) in {name_key(owner["name"])}:
            raise Invalid(f"{alias!r} is already P{owner['id']}'s name")
        record_id = store.insert(
            "aliases",
            {
                "person_id": owner["id"],
                "name": alias,
                "name_key": name_key(alias),
                "note": optional_text(common.note),
                "private": int(common.private),
            },
        )
        row = store.get("aliases", record_id)
        assert row is not None
        cite_all(
            store, row["uid"], common.sources, private=common.private or bool(owner["private"])
        )
        store.change_summary = f"added an alias of P{owner['id']}"
    return Recorded(PERSON, owner, {"alias": alias})


def add_source(
    store: Store,
    title: str,
    *,
    url: str | None = None,
    publisher: str | None = None,
    date: str | None = None,
    reliability: int | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a source: a report, a testimony, a court document."""
    if reliability is not None and not 0 <= reliability <= 4:
        raise Invalid(f"reliability {reliability} is out of range; use 0 (lowest) to 4 (highest)")
    cleaned_url = optional_text(url)
    if cleaned_url is not None and not cleaned_url.startswith(("http://", "https://")):
        raise Invalid(f"URL {url!r} must start with http:// or https://")
    values = {
        "title": required_text(title, "a source title"),
        "url": cleaned_url,
        "publisher": optional_text(publisher),
        **dates(date=date),
        "reliability": reliability,
    }
    with store.transaction("add source"):
        row = insert_record(
            store, SOURCE, values, note=common.note, private=common.private, sources=common.sources
        )
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
    party_roles = [vocabulary(PartyRole, role, "role") for role in roles]
    party_roles += [PartyRole.DEFENDANT.value] * (len(people) - len(party_roles))
    judge_text, lawyer_text = optional_text(judge), optional_text(lawyer)
    values: dict[str, Any] = {
        "court": required_text(court, "--court"),
        "place": optional_text(place),
        "charge": optional_text(charge),
        "case_number": optional_text(case_number),
        **dates(opened=opened),
        "judge": judge_text,
        "lawyer": lawyer_text,
        "status": _maybe(TrialStatus, status, "trial status"),
    }
    with store.transaction("add trial"):
        parties = [resolve_person(store, person) for person in people]
        seen: set[tuple[int, str]] = set()
        for party, role in zip(parties, party_roles, strict=True):
            if (party["id"], role) in seen:
                raise Invalid(f"P{party['id']} is named twice as {role}")
            seen.add((party["id"], role))
        values["judge_person_id"] = linked_person(store, judge_text)
        values["lawyer_person_id"] = linked_person(store, lawyer_text)
        row = insert_record(
            store,
            TRIAL,
            values,
            note=common.note,
            private=common.private,
            sources=common.sources,
            about_private=all(party["private"] for party in parties),
        )
        for party, role in zip(parties, party_roles, strict=True):
            store.insert(
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
    months: int | None = None,
    deportation: str | None = None,
    extradition: str | None = None,
    appeal_of: str | None = None,
    common: Common = Common(),
) -> Recorded:
    """Record a ruling; without TRIAL it attaches to the person's latest trial, if any."""
    if months is not None and months < 0:
        raise Invalid(f"--months {months} must be zero or more")
    values: dict[str, Any] = {
        **dates(date=required_text(date, "--date")),
        "outcome": vocabulary(Outcome, outcome, "outcome"),
        "court": optional_text(court),
        "sentence": optional_text(sentence),
        "sentence_kind": _maybe(SentenceKind, sentence_kind, "sentence kind"),
        "months": months,
        "deportation": _maybe(Deportation, deportation, "deportation decision"),
        "extradition": _maybe(Extradition, extradition, "extradition decision"),
    }
    with store.transaction("add ruling"):
        subject = resolve_person(store, person)
        if trial is not None:
            trial_row: Row | None = resolve_ref(store, trial, TRIAL)[1]
            assert trial_row is not None
            if not any(t["id"] == trial_row["id"] for t in store.trials_of_person(subject["id"])):
                raise Invalid(f"P{subject['id']} is not a party to T{trial_row['id']}")
        else:
            trial_row = store.latest_trial_of(subject["id"])
        appeal_row = resolve_ref(store, appeal_of, RULING)[1] if appeal_of is not None else None
        values["person_id"] = subject["id"]
        values["trial_id"] = trial_row["id"] if trial_row else None
        values["appeal_of_id"] = appeal_row["id"] if appeal_row else None
        row = insert_record(
            store,
            RULING,
            values,
            note=common.note,
            private=common.private,
            sources=common.sources,
            about_private=bool(subject["private"]),
        )
    return Recorded(RULING, row, {"person": subject["name"]})


def _per_person(
    store: Store, kind: Kind, person: str, values: dict[str, Any], common: Common
) -> Recorded:
    with store.transaction(f"add {kind.name}"):
        subject = resolve_person(store, person)
        row = insert_record(
            store,
            kind,
            {**values, "person_id": subject["id"]},
            note=common.note,
            private=common.private,
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
    values = {
        **dates(date=required_text(date, "--date"), until=until),
        "decision": vocabulary(Decision, decision, "asylum decision"),
        "country": optional_text(country),
        "authority": optional_text(authority),
    }
    return _per_person(store, ASYLUM, person, values, common)


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
    values = {
        **dates(start=required_text(start, "--start"), end=end),
        "kind": _maybe(DetentionKind, kind, "detention kind"),
        "place": optional_text(place),
        "authority": optional_text(authority),
    }
    start_earliest, end_latest = values["start_earliest"], values["end_latest"]
    if start_earliest and end_latest and end_latest < start_earliest:
        raise Invalid(f"the detention ends ({end}) before it starts ({start})")
    return _per_person(store, DETENTION, person, values, common)


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
    values = {
        **dates(date=required_text(date, "--date")),
        "kind": vocabulary(EventKind, kind, "event kind"),
        "place": optional_text(place),
        "summary": optional_text(summary),
    }
    return _per_person(store, EVENT, person, values, common)


def add_relation(
    store: Store, person: str, other: str, *, kind: str, common: Common = Common()
) -> Recorded:
    """Record that OTHER is PERSON's KIND (lawyer, parent...)."""
    relation_kind = vocabulary(RelationKind, kind, "relation kind")
    with store.transaction("add relation"):
        subject = resolve_person(store, person)
        related = resolve_person(store, other)
        if subject["id"] == related["id"]:
            raise Invalid(f"P{subject['id']} cannot be related to themselves")
        row = insert_record(
            store,
            RELATION,
            {"person_id": subject["id"], "other_id": related["id"], "kind": relation_kind},
            note=common.note,
            private=common.private,
            sources=common.sources,
            about_private=bool(subject["private"] or related["private"]),
        )
    return Recorded(RELATION, row, {"person": subject["name"], "other": related["name"]})
