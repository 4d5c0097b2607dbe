"""Reading: the per-person summary, the timeline, lists and statistics."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from cases.dates import display_date, parse_date
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
    Decision,
    Deportation,
    EventKind,
    Extradition,
    Kind,
    Outcome,
)
from cases.service.common import public
from cases.service.resolving import resolve_person

TIMELINE_KINDS = ("trial", "ruling", "asylum", "detention", "detention-end") + tuple(
    kind.value for kind in EventKind
)


def detention_days(row: Row) -> int | None:
    """Whole days between start and end when both are known to the day, else None."""
    start, end = row.get("start"), row.get("end")
    if not start or not end:
        return None
    start_date, end_date = parse_date(start), parse_date(end)
    if not (start_date.is_day and end_date.is_day):
        return None
    assert start_date.earliest is not None and end_date.earliest is not None
    return (end_date.earliest - start_date.earliest).days


def _sort_key(row: Row, field: str) -> tuple[Any, ...]:
    earliest, latest = row.get(f"{field}_earliest"), row.get(f"{field}_latest")
    anchor = earliest or latest
    return (anchor is None, anchor or "", latest is None, latest or "", row["id"])


def _latest(records: Sequence[Row], field: str) -> Row | None:
    dated = [row for row in records if row.get(f"{field}_earliest") or row.get(f"{field}_latest")]
    return (
        max(dated, key=lambda row: _sort_key(row, field)[1:])
        if dated
        else (records[-1] if records else None)
    )


_ASYLUM_WORDS = {
    "applied": "applied for asylum",
    "asylum-seeker-status": "asylum-seeker status",
    "extended": "asylum-seeker status extended",
    "granted": "granted asylum",
    "refugee-status": "refugee status",
    "denied": "asylum denied",
    "appealed": "appealing an asylum decision",
    "revoked": "asylum revoked",
    "withdrawn": "asylum application withdrawn",
}


def asylum_phrase(row: Row, today: dt.date | None = None) -> str:
    """One line for an asylum decision: "asylum-seeker status until 25 Apr 2019"."""
    text: str = _ASYLUM_WORDS.get(row["decision"], str(row["decision"]))
    if row.get("country"):
        text += f" ({row['country']})"
    if row.get("until"):
        text += f" until {display_date(row['until'])}"
        if (
            today is not None
            and row.get("until_latest")
            and row["until_latest"] < today.isoformat()
        ):
            text += " (expired)"
    return text


def ruling_phrase(row: Row) -> str:
    """One line for a ruling: outcome, sentence, deportation and extradition."""
    parts = [row["outcome"]]
    if row.get("sentence"):
        parts.append(row["sentence"])
    elif row.get("sentence_kind"):
        months = f"{row['months']} months " if row.get("months") is not None else ""
        parts.append(f"{months}{row['sentence_kind']}")
    if row.get("deportation"):
        parts.append(f"deportation {row['deportation']}")
    if row.get("extradition"):
        parts.append(f"extradition {row['extradition']}")
    return "; ".join(parts)


def current_status(
    detentions: Sequence[Row],
    asylum: Sequence[Row],
    rulings: Sequence[Row],
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The derived current status: open detention, else latest asylum state, else ruling."""
    open_detentions = [row for row in detentions if not row.get("end")]
    if open_detentions:
        row = _latest(open_detentions, "start")
        assert row is not None
        kind = f" ({row['kind']})" if row.get("kind") else ""
        return {
            "kind": "detained",
            "text": f"detained{kind} since {display_date(row['start'])}",
            "ref": f"D{row['id']}",
        }
    latest_asylum = _latest(asylum, "date")
    if latest_asylum is not None:
        return {
            "kind": "asylum",
            "text": asylum_phrase(latest_asylum, today or dt.date.today()),
            "ref": f"A{latest_asylum['id']}",
        }
    latest_ruling = _latest(rulings, "date")
    if latest_ruling is not None:
        return {
            "kind": "ruling",
            "text": f"{ruling_phrase(latest_ruling)} ({display_date(latest_ruling['date'])})",
            "ref": f"R{latest_ruling['id']}",
        }
    return {"kind": "none", "text": "no status recorded", "ref": None}


class _SourceNumbers:
    """Numbers sources in the order a summary first cites them."""

    def __init__(self, citations: Sequence[Row]) -> None:
        self.by_record: dict[str, list[Row]] = defaultdict(list)
        for citation in citations:
            self.by_record[citation["record_uid"]].append(citation)
        self.numbers: dict[int, int] = {}
        self.sources: list[dict[str, Any]] = []

    def markers(self, record_uid: str) -> list[int]:
        numbers = []
        for source in self.by_record.get(record_uid, []):
            if source["id"] not in self.numbers:
                self.numbers[source["id"]] = len(self.numbers) + 1
                entry = public(
                    SOURCE, {k: v for k, v in source.items() if k not in ("record_uid", "quote")}
                )
                self.sources.append({"number": self.numbers[source["id"]], **entry})
            numbers.append(self.numbers[source["id"]])
        return sorted(set(numbers))


def person_summary(store: Store, person: str, today: dt.date | None = None) -> dict[str, Any]:
    """Everything recorded about one person, with derived status and numbered sources."""
    row = resolve_person(store, person)
    person_id = int(row["id"])
    aliases = rows.all_rows(store, "aliases", person_id=person_id)
    trials = queries.trials_of_person(store, person_id)
    parties = queries.parties_of_trials(store, [int(t["id"]) for t in trials])
    rulings = sorted(
        rows.all_rows(store, "rulings", person_id=person_id), key=lambda r: _sort_key(r, "date")
    )
    asylum = sorted(
        rows.all_rows(store, "asylum", person_id=person_id), key=lambda r: _sort_key(r, "date")
    )
    detentions = sorted(
        rows.all_rows(store, "detentions", person_id=person_id), key=lambda r: _sort_key(r, "start")
    )
    events = sorted(
        rows.all_rows(store, "events", person_id=person_id), key=lambda r: _sort_key(r, "date")
    )
    relations = queries.relations_of(store, person_id)
    uids = [row["uid"], *(a["uid"] for a in aliases)]
    for group in (trials, rulings, asylum, detentions, events, relations):
        uids.extend(record["uid"] for record in group)
    numbering = _SourceNumbers(rows.citations_for(store, uids))

    def with_sources(kind: Kind, record: Row, **extra: Any) -> dict[str, Any]:
        shown = {**public(kind, record), **extra, "sources": numbering.markers(record["uid"])}
        # private as an export sees it: a fact about a private person is private too
        shown["private"] = bool(record["private"] or row["private"] or extra.get("private"))
        return shown

    person_json = with_sources(PERSON, row)
    parties_by_trial: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for party in parties:
        parties_by_trial[int(party["trial_id"])].append(
            {
                "person_ref": f"P{party['person_id']}",
                "name": party["person_name"],
                "role": party["role"],
                "private": bool(party["private"] or party["person_private"]),
            }
        )
    trial_items = []
    for trial in trials:
        trial_rulings = [f"R{r['id']}" for r in rulings if r["trial_id"] == trial["id"]]
        trial_items.append(
            with_sources(
                TRIAL,
                trial,
                parties=parties_by_trial[int(trial["id"])],
                rulings=trial_rulings,
                private=all(party["private"] for party in parties_by_trial[int(trial["id"])]),
            )
        )
    relation_items = []
    for relation in relations:
        outgoing = relation["person_id"] == person_id
        other_id = relation["other_id"] if outgoing else relation["person_id"]
        other_name = relation["other_name"] if outgoing else relation["person_name"]
        # outgoing: OTHER is this person's KIND; incoming: this person is OTHER's KIND
        described = (
            f"{relation['kind']}: {other_name}"
            if outgoing
            else f"is {relation['kind']} of {other_name}"
        )
        relation_items.append(
            with_sources(
                RELATION,
                relation,
                direction="outgoing" if outgoing else "incoming",
                other=other_name,
                other_ref=f"P{other_id}",
                description=described,
                private=bool(relation["person_private"] or relation["other_private"]),
            )
        )
    return {
        "person": person_json,
        "aliases": [
            {
                "ref": f"P{person_id}",
                "uid": a["uid"],
                "name": a["name"],
                "note": a["note"],
                "private": bool(a["private"]),
                "sources": numbering.markers(a["uid"]),
            }
            for a in aliases
        ],
        "status": current_status(detentions, asylum, rulings, today),
        "trials": trial_items,
        "rulings": [with_sources(RULING, r, summary=ruling_phrase(r)) for r in rulings],
        "asylum": [with_sources(ASYLUM, a, summary=asylum_phrase(a, today)) for a in asylum],
        "detentions": [with_sources(DETENTION, d, days=detention_days(d)) for d in detentions],
        "events": [with_sources(EVENT, e) for e in events],
        "relations": relation_items,
        "sources": numbering.sources,
    }


def _fact_summary(kind: str, row: Row, detail: str | None) -> str:
    if kind == "trial":
        text = f"trial at {row['court']}"
        if row.get("charge"):
            text += f": {row['charge']}"
        if detail and detail != "defendant":
            text += f" ({detail})"
        return text
    if kind == "ruling":
        return "ruling: " + ruling_phrase(row)
    if kind == "asylum":
        return asylum_phrase(row)
    if kind in ("detention", "detention-end"):
        what = f"{row['kind']} detention" if row.get("kind") else "detention"
        where = f" in {row['place']}" if row.get("place") else ""
        return f"{what} begins{where}" if kind == "detention" else f"{what} ends{where}"
    text = kind.replace("-", " ")
    if row.get("summary"):
        text = row["summary"] if kind == "other" else f"{text}: {row['summary']}"
    if row.get("place"):
        text += f" ({row['place']})"
    return text


_PREFIX_TABLE = {"T": "trials", "R": "rulings", "A": "asylum", "D": "detentions", "E": "events"}


def timeline(
    store: Store,
    person: str | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    kinds: Sequence[str] = (),
    court: str | None = None,
    place: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Every fact of one person or everyone, in date order, undated last."""
    for kind in kinds:
        if kind not in TIMELINE_KINDS:
            raise Invalid(
                f"unknown timeline kind {kind!r}; use one of: {', '.join(TIMELINE_KINDS)}"
            )
    if limit is not None and limit < 1:
        raise Invalid(f"--limit {limit} must be 1 or more")
    person_id = int(resolve_person(store, person)["id"]) if person is not None else None
    since_day = parse_date(since).earliest if since else None
    until_day = parse_date(until).latest if until else None
    facts = queries.timeline_rows(
        store,
        person_id=person_id,
        since=since_day.isoformat() if since_day else None,
        until=until_day.isoformat() if until_day else None,
        kinds=list(kinds),
        court=court,
        place=place,
        limit=limit,
    )
    full: dict[tuple[str, int], Row] = {}
    for prefix, table in _PREFIX_TABLE.items():
        ids = sorted({int(f["record_id"]) for f in facts if f["prefix"] == prefix})
        full.update(((prefix, int(row["id"])), row) for row in rows.by_ids(store, table, ids))
    sources: dict[str, list[str]] = defaultdict(list)
    for citation in rows.citations_for(store, sorted({f["record_uid"] for f in facts})):
        sources[citation["record_uid"]].append(f"S{citation['id']}")
    for refs in sources.values():
        refs.sort(key=lambda ref: int(ref[1:]))
    items = []
    for fact in facts:
        row = full[(fact["prefix"], int(fact["record_id"]))]
        items.append(
            {
                "date": fact["date"],
                "earliest": fact["earliest"],
                "latest": fact["latest"],
                "ref": f"{fact['prefix']}{fact['record_id']}",
                "uid": fact["record_uid"],
                "kind": fact["kind"],
                "person": fact["person_name"],
                "person_ref": f"P{fact['person_id']}",
                "summary": _fact_summary(fact["kind"], row, fact["detail"]),
                "sources": sources.get(fact["record_uid"], []),
                "private": bool(fact["private"] or fact["person_private"]),
            }
        )
    return items


def list_records(store: Store, kind: Kind, person: str | None = None) -> list[dict[str, Any]]:
    """Every record of one kind in reference order, optionally only one person's."""
    person_id = int(resolve_person(store, person)["id"]) if person is not None else None
    if kind == RELATION:
        relations = (
            queries.relations_of(store, person_id) if person_id else queries.relations_all(store)
        )
        return [
            {**public(RELATION, row), "person": row["person_name"], "other": row["other_name"]}
            for row in relations
        ]
    if kind == PERSON:
        if person_id is None:
            return [public(PERSON, row) for row in rows.all_rows(store, "people")]
        return [public(PERSON, resolve_person(store, f"P{person_id}"))]
    if kind == SOURCE:
        if person_id is None:
            return [public(SOURCE, row) for row in rows.all_rows(store, "sources")]
        summary = person_summary(store, f"P{person_id}")
        return [{k: v for k, v in s.items() if k != "number"} for s in summary["sources"]]
    if kind == TRIAL:
        trials = (
            rows.all_rows(store, "trials")
            if person_id is None
            else queries.trials_of_person(store, person_id)
        )
        parties = queries.parties_of_trials(store, [int(t["id"]) for t in trials])
        by_trial: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for party in parties:
            by_trial[int(party["trial_id"])].append(
                {
                    "person_ref": f"P{party['person_id']}",
                    "name": party["person_name"],
                    "role": party["role"],
                }
            )
        return [{**public(TRIAL, t), "parties": by_trial[int(t["id"])]} for t in trials]
    return [
        {**public(kind, row), "person": row["person_name"]}
        for row in queries.records_with_person(store, kind.table, person_id)
    ]


def stats(store: Store) -> dict[str, Any]:
    """Counts of people, trials, outcomes, decisions and detention days."""

    def counts(table: str, column: str, enum: Any) -> dict[str, int]:
        found = queries.count_by(store, table, column)
        return {member.value: found.get(member.value, 0) for member in enum}

    detentions, detention_day_sum = queries.detention_day_totals(store)
    return {
        "people": rows.count(store, "people"),
        "sources": rows.count(store, "sources"),
        "trials": rows.count(store, "trials"),
        "rulings": counts("rulings", "outcome", Outcome),
        "deportation": counts("rulings", "deportation", Deportation),
        "extradition": counts("rulings", "extradition", Extradition),
        "asylum": counts("asylum", "decision", Decision),
        "detentions": detentions,
        "open_detentions": queries.count_open_detentions(store),
        "detention_days": detention_day_sum,
        "events": rows.count(store, "events"),
        "relations": rows.count(store, "relations"),
    }
