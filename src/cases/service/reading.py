"""Reading: a person's or an organisation's summary (``cases show``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from cases.catalogue import FACTS, TABLE
from cases.db import actors, queries, rows
from cases.db.connection import Row, Store
from cases.db.evidence import records_by_uid
from cases.records import (
    ASYLUM,
    DETENTION,
    EVENT,
    KIND_BY_TABLE,
    ORGANISATION,
    PERSON,
    RELATION,
    RULING,
    SOURCE,
    TRIAL,
    Kind,
)
from cases.service.common import named_in_trial, public
from cases.service.describe import (
    asylum_phrase,
    days_phrase,
    fact_line,
    ruling_phrase,
    sort_key,
)
from cases.service.resolving import actor_name, resolve_actor
from cases.service.status import Facts, detention_length, status

# The facts a summary reads with code of their own; a fact of any other kind is
# listed, under its kind, by its line.
_READ_APART = ("trials", "rulings", "asylum", "detentions", "events", "relations")


def _other_facts(store: Store, actor_table: str, actor_id: int) -> dict[str, list[Row]]:
    """The facts of every other declared kind whose own actor is this one, by table."""
    found: dict[str, list[Row]] = {}
    for table in FACTS:
        if table.name in _READ_APART or table.fact is None:
            continue
        for column in table.fact.subject:
            if table.field(column).link == actor_table:
                found.setdefault(table.name, []).extend(
                    _facts_of(store, table.name, column, actor_id)
                )
    return found


def _date_of(table: str) -> str:
    """The date field a fact of TABLE is ordered by."""
    fact = TABLE[table].fact
    assert fact is not None
    return fact.date


class SourceNumbers:
    """Numbers sources in the order a summary first cites them, and keeps what
    each citation says (quote, page, attribution) for the record it supports."""

    def __init__(self, citations: Sequence[Row]) -> None:
        self.by_record: dict[str, list[Row]] = defaultdict(list)
        for citation in citations:
            self.by_record[citation["record_uid"]].append(citation)
        self.numbers: dict[int, int] = {}
        self.sources: list[dict[str, Any]] = []

    def cite(self, record_uid: str, ref: str) -> tuple[list[int], list[dict[str, Any]]]:
        """The source numbers of a record shown as REF, and its citations."""
        numbers, citations = [], []
        for found in self.by_record.get(record_uid, []):
            if found["id"] not in self.numbers:
                self.numbers[found["id"]] = len(self.numbers) + 1
                entry = public(
                    SOURCE, {k: v for k, v in found.items() if k in TABLE["sources"].columns}
                )
                self.sources.append({"number": self.numbers[found["id"]], **entry, "cited_for": []})
            number = self.numbers[found["id"]]
            numbers.append(number)
            citation = citation_json(found)
            citations.append(citation)
            if any(citation[key] for key in ("quote", "page", "according_to")):
                self.sources[number - 1]["cited_for"].append({"ref": ref, **citation})
        return sorted(set(numbers)), citations


def citation_json(found: Row) -> dict[str, Any]:
    """The JSON form of a citation read with its source (rows.citations_for)."""
    person, org = found.get("according_to_person_id"), found.get("according_to_org_id")
    return {
        "source_ref": f"S{found['id']}",
        "quote": found.get("quote"),
        "page": found.get("page"),
        "according_to": found.get("according_to"),
        "according_to_ref": f"P{person}" if person else f"O{org}" if org else None,
    }


class _Summary:
    """Builds the JSON of one actor's summary: records with their sources."""

    def __init__(self, store: Store, kind: Kind, actor: Row, uids: list[str]) -> None:
        self.store = store
        self.kind = kind
        self.actor = actor
        unique = list(dict.fromkeys(uid for uid in uids if uid))
        self.numbering = SourceNumbers(rows.citations_for(store, unique))

    def item(self, kind: Kind, record: Row, **extra: Any) -> dict[str, Any]:
        shown = {**public(kind, record), **extra}
        ref = shown["ref"]
        shown["sources"], shown["citations"] = self.numbering.cite(record["uid"], ref)
        # private as an export sees it: a fact about a private actor is private too
        shown["private"] = bool(record["private"] or self.actor["private"] or extra.get("private"))
        return shown


def actor_summary(store: Store, text: str, today: dt.date | None = None) -> dict[str, Any]:
    """Everything recorded about one person or organisation, with the derived
    status of a person and numbered sources."""
    kind, actor = resolve_actor(store, text)
    if kind == PERSON:
        return person_summary(store, actor, today)
    return org_summary(store, actor, today)


def _facts_of(store: Store, table: str, column: str, actor_id: int) -> list[Row]:
    return sorted(
        queries.records_of(store, table, column, actor_id),
        key=lambda r: sort_key(r, _date_of(table)),
    )


def person_summary(store: Store, row: Row, today: dt.date | None = None) -> dict[str, Any]:
    """Everything recorded about one person (the row), with derived status."""
    person_id = int(row["id"])
    aliases = actors.aliases_of(store, "people", person_id)
    trials = queries.trials_of_person(store, person_id)
    parties = queries.parties_of_trials(store, [int(t["id"]) for t in trials])
    rulings = _facts_of(store, "rulings", "person_id", person_id)
    asylum = _facts_of(store, "asylum", "person_id", person_id)
    detentions = _facts_of(store, "detentions", "person_id", person_id)
    events = _facts_of(store, "events", "person_id", person_id)
    relations = actors.relations_of(store, "people", person_id)
    appearances = _appearances(store, "people", person_id)
    others = _other_facts(store, "people", person_id)
    uids = [row["uid"], *(a["uid"] for a in aliases)]
    for group in (trials, rulings, asylum, detentions, events, relations, *others.values()):
        uids.extend(record["uid"] for record in group)
    uids.extend(uid for item in appearances for uid in (item["uid"], item["record"].get("uid")))
    summary = _Summary(store, PERSON, row, uids)
    facts = Facts(detentions, asylum, rulings, events)
    by_trial = parties_by_trial(parties)
    return {
        "person": summary.item(PERSON, row, display_name=actor_name(PERSON, row)),
        "aliases": [_alias(summary, "P", a) for a in aliases],
        "status": status(facts, today),
        "last_whereabouts": latest_whereabouts(others.get("whereabouts", [])),
        "trials": [
            summary.item(
                TRIAL,
                trial,
                **by_trial[int(trial["id"])],
                rulings=[f"R{r['id']}" for r in rulings if r["trial_id"] == trial["id"]],
                private=all(p["private"] for p in by_trial[int(trial["id"])]["parties"]),
            )
            for trial in trials
        ],
        "rulings": [summary.item(RULING, r, summary=ruling_phrase(r)) for r in rulings],
        "asylum": [summary.item(ASYLUM, a, summary=asylum_phrase(a, today)) for a in asylum],
        "detentions": [_detention(summary, d, facts, today) for d in detentions],
        "events": [summary.item(EVENT, e) for e in events],
        "relations": [_relation(store, summary, "people", person_id, r) for r in relations],
        **_listed_facts(summary, others),
        "appearances": [_appearance(summary, item) for item in appearances],
        "sources": summary.numbering.sources,
    }


def latest_whereabouts(records: list[Row]) -> str | None:
    """Where someone was last known to be, as its line ("in Xinjiang, as of 12 Nov
    2019"): the whereabouts whose latest date (since, as of, until) is the latest,
    the last recorded among equals; None without any."""
    if not records:
        return None

    def known(record: Row) -> tuple[str, int]:
        dates = [record.get(f"{field}_earliest") or "" for field in ("since", "as_of", "until")]
        return max(dates), int(record["id"])

    return fact_line("whereabouts", max(records, key=known))


def _listed_facts(summary: _Summary, facts: dict[str, list[Row]]) -> dict[str, Any]:
    """The facts of other kinds, by the name their kind is listed by, each with its line."""
    listed = {}
    for table, records in facts.items():
        kind = TABLE[table].kind
        assert kind is not None
        listed[kind.plural] = [
            summary.item(kind, record, line=fact_line(table, record)) for record in records
        ]
    return listed


def org_summary(store: Store, row: Row, today: dt.date | None = None) -> dict[str, Any]:
    """Everything recorded about one organisation or group (the row), with the
    custody of a group that was held."""
    org_id = int(row["id"])
    aliases = actors.aliases_of(store, "organisations", org_id)
    relations = actors.relations_of(store, "organisations", org_id)
    events = _facts_of(store, "events", "org_id", org_id)
    detentions = _facts_of(store, "detentions", "org_id", org_id)
    appearances = _appearances(store, "organisations", org_id)
    others = _other_facts(store, "organisations", org_id)
    uids = [row["uid"], *(a["uid"] for a in aliases), *(r["uid"] for r in relations)]
    uids += [e["uid"] for e in (*events, *detentions)]
    uids += [record["uid"] for records in others.values() for record in records]
    uids += [uid for item in appearances for uid in (item["uid"], item["record"].get("uid"))]
    summary = _Summary(store, ORGANISATION, row, uids)
    part_of = rows.get(store, "organisations", row["part_of_id"]) if row["part_of_id"] else None
    # a group may be held, as a person is (its custody; a group has no rulings)
    facts = Facts(detentions, [], [], events)
    return {
        "organisation": summary.item(
            ORGANISATION, row, part_of=part_of["name"] if part_of else None
        ),
        "status": status(facts, today),
        "aliases": [_alias(summary, "O", a) for a in aliases],
        "relations": [_relation(store, summary, "organisations", org_id, r) for r in relations],
        "events": [summary.item(EVENT, e) for e in events],
        "detentions": [_detention(summary, d, facts, today) for d in detentions],
        **_listed_facts(summary, others),
        "appearances": [_appearance(summary, item) for item in appearances],
        "sources": summary.numbering.sources,
    }


def _alias(summary: _Summary, prefix: str, alias: Row) -> dict[str, Any]:
    numbers, citations = summary.numbering.cite(alias["uid"], f"{prefix}{summary.actor['id']}")
    return {
        "ref": f"{prefix}{summary.actor['id']}",
        "uid": alias["uid"],
        "name": alias["name"],
        "note": alias["note"],
        "private": bool(alias["private"]),
        "sources": numbers,
        "citations": citations,
    }


def parties_by_trial(parties: Sequence[Row]) -> dict[int, dict[str, Any]]:
    """Per trial, its JSON parts from its party rows: ``parties`` (the people and
    organisations party to it, with roles) and the judges, lawyers and
    prosecutors named as text (see ``named_in_trial``)."""
    actor_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    named_rows: dict[int, list[Row]] = defaultdict(list)
    for party in parties:
        trial_id = int(party["trial_id"])
        if party["name"] is not None:
            named_rows[trial_id].append(party)
            continue
        ref = f"P{party['person_id']}" if party["person_id"] else f"O{party['org_id']}"
        actor_rows[trial_id].append(
            {
                "person_ref": ref,
                "name": party["actor_name"],
                "role": party["role"],
                "private": bool(party["private"] or party["actor_private"]),
            }
        )
    return defaultdict(
        lambda: {"parties": [], **named_in_trial([])},
        {
            trial_id: {"parties": actor_rows[trial_id], **named_in_trial(named_rows[trial_id])}
            for trial_id in {*actor_rows, *named_rows}
        },
    )


def detention_days(store: Store, row: Row, today: dt.date | None = None) -> dict[str, Any]:
    """A detention's ``days_min``, ``days_max``, ``days`` and ``length`` (as
    ``show`` of its person or group gives them: read with their other facts)."""
    column, actor_id = (
        ("person_id", row["person_id"]) if row["person_id"] else ("org_id", row["org_id"])
    )
    if column == "person_id":
        facts = Facts(
            _facts_of(store, "detentions", column, actor_id),
            _facts_of(store, "asylum", column, actor_id),
            _facts_of(store, "rulings", column, actor_id),
            _facts_of(store, "events", column, actor_id),
        )
    else:
        facts = Facts(
            _facts_of(store, "detentions", column, actor_id),
            [],
            [],
            _facts_of(store, "events", column, actor_id),
        )
    return _lengths(row, facts, today)


def _lengths(row: Row, facts: Facts, today: dt.date | None) -> dict[str, Any]:
    lengths = detention_length(row, facts, today)
    length = days_phrase(lengths["days_min"], lengths["days_max"], lengths["open"])
    if row.get("duration") and length != row["duration"]:  # as the report gave it, in days
        length = f"{row['duration']} ({length})"
    return {
        "days": lengths["days"],
        "days_min": lengths["days_min"],
        "days_max": lengths["days_max"],
        "length": length,
    }


def _detention(summary: _Summary, row: Row, facts: Facts, today: dt.date | None) -> dict[str, Any]:
    return summary.item(DETENTION, row, **_lengths(row, facts, today))


def _end_name(store: Store, person_id: int | None, org_id: int | None) -> tuple[str, str, bool]:
    """(reference, name, private) of one end of a relation."""
    if person_id is not None:
        row = rows.get(store, "people", person_id) or {}
        return f"P{person_id}", actor_name(PERSON, row), bool(row.get("private"))
    row = rows.get(store, "organisations", org_id or 0) or {}
    return f"O{org_id}", str(row.get("name") or ""), bool(row.get("private"))


def _relation(
    store: Store, summary: _Summary, table: str, actor_id: int, relation: Row
) -> dict[str, Any]:
    own = "person_id" if table == "people" else "org_id"
    outgoing = relation[own] == actor_id
    first = _end_name(store, relation["person_id"], relation["org_id"])
    second = _end_name(store, relation["other_id"], relation["other_org_id"])
    other_ref, other, _ = second if outgoing else first
    kind = relation["kind"]
    # outgoing: OTHER is this actor's KIND; incoming: this actor is OTHER's KIND
    described = f"{kind}: {other}" if outgoing else f"{kind} of {other}"
    dates = _relation_dates(relation)
    return summary.item(
        RELATION,
        relation,
        direction="outgoing" if outgoing else "incoming",
        other=other,
        other_ref=other_ref,
        description=described + (f" ({dates})" if dates else ""),
        private=first[2] or second[2],
    )


def _relation_dates(relation: Row) -> str:
    from cases.dates import display_date

    since, until = relation.get("since"), relation.get("until")
    if since and until:
        return f"{display_date(since)} – {display_date(until)}"
    if since:
        return f"since {display_date(since)}"
    if until:
        return f"until {display_date(until)}"
    return ""


def _appearances(store: Store, table: str, actor_id: int) -> list[Row]:
    """The records of others this actor takes part in: trial roles other than
    their own defence (a judge, a lawyer...), participations, and (for an
    organisation) the records naming it as court or authority."""
    found: list[Row] = []
    for party in actors.party_roles(store, table, actor_id):
        if party["person_id"] == actor_id and party["role"] == "defendant" and table == "people":
            continue  # their own trial: shown with their trials
        found.append(
            {
                "fact": "trials",
                "fact_id": party["trial_id"],
                "role": party["role"],
                "uid": party["uid"],
                "private": party["private"],
            }
        )
    participations = actors.participations(store, table, actor_id)
    facts = records_by_uid(store, [p["fact_uid"] for p in participations])
    for participation in participations:
        if participation["fact_uid"] not in facts:
            continue
        fact, record = facts[participation["fact_uid"]]
        found.append(
            {
                "fact": fact,
                "fact_id": record["id"],
                "role": participation["role"],
                "uid": participation["uid"],
                "private": participation["private"],
            }
        )
    for fact, record in actors.named_in(store, table, actor_id):
        role = "court" if fact in ("trials", "rulings") else "authority"
        found.append(
            {
                "fact": fact,
                "fact_id": record["id"],
                "role": role,
                "uid": record["uid"],
                "private": 0,
            }
        )
    for item in found:
        item["record"] = rows.get(store, item["fact"], int(item["fact_id"])) or {}
        item["about"] = _about(store, item["fact"], item["record"])
    found.sort(
        key=lambda item: sort_key(item["record"], _date_of(item["fact"])) if item["record"] else ()
    )
    return found


def _about(store: Store, fact: str, record: Row) -> str:
    """Whose fact it is: the names of a trial's defendants, a fact's subject."""
    if not record:
        return ""
    if fact == "trials":
        parties = queries.parties_of_trials(store, [int(record["id"])])
        names = [p["actor_name"] for p in parties if p["person_id"] and p["role"] == "defendant"]
        return "; ".join(names) or "; ".join(p["actor_name"] or p["name"] for p in parties[:3])
    person, org = record.get("person_id"), record.get("org_id")
    return _end_name(store, person, org)[1] if person or org else ""


def _appearance(summary: _Summary, item: Row) -> dict[str, Any]:
    kind = KIND_BY_TABLE[item["fact"]]
    record = item["record"]
    ref = f"{kind.prefix}{item['fact_id']}"
    what = fact_line(item["fact"], record)
    # a trial is told by whose it is ("judge in T1: Tilek Tabarikuly"); any other
    # fact by what happened, and whose it is
    if item["fact"] == "trials":
        description = f"{item['role']} in {ref}: {item['about'] or what}"
    else:
        whose = f" ({item['about']})" if item["about"] else ""
        description = f"{item['role']} in {ref}: {what}{whose}"
    # the sources of the fact itself, and of the row naming this actor in it
    numbers, citations = summary.numbering.cite(record.get("uid") or item["uid"], ref)
    if record.get("uid") and item["uid"] != record["uid"]:
        more, more_citations = summary.numbering.cite(item["uid"], ref)
        numbers, citations = sorted({*numbers, *more}), citations + more_citations
    return {
        "ref": ref,
        "uid": item["uid"],
        "role": item["role"],
        "date": record.get(_date_of(item["fact"])),
        "description": description,
        "summary": what,
        "private": bool(item["private"] or record.get("private")),
        "sources": numbers,
        "citations": citations,
    }


# -- lists -------------------------------------------------------------------------


# -- statistics ------------------------------------------------------------------
