"""Changing: ``edit`` and ``delete``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cases.errors import Invalid
from cases.names import name_key
from cases.records import (
    Decision,
    Deportation,
    DetentionKind,
    EventKind,
    Extradition,
    Kind,
    Outcome,
    RelationKind,
    SentenceKind,
    Sex,
    TrialStatus,
    vocabulary,
)
from cases.service.common import (
    dates,
    linked_person,
    optional_text,
    public,
    required_name,
    required_text,
    resolve_ref,
)
from cases.store import Store

Rule = Callable[[str], dict[str, Any]]


class TextRule:
    """A free-text field: stripped when typed; imported exactly as written."""

    def __init__(self, field: str, *, required: bool = False) -> None:
        self.field = field
        self.required = required

    def __call__(self, value: str) -> dict[str, Any]:
        if self.required:
            return {self.field: required_text(value, self.field)}
        return {self.field: optional_text(value)}

    def exact(self, value: str) -> dict[str, Any]:
        """The value as written (import keeps text byte for byte); empty means absent."""
        if self.required and not value.strip():
            raise Invalid(f"{self.field} must not be empty")
        return {self.field: value or None}


def _text(field: str) -> Rule:
    return TextRule(field)


def _required(field: str) -> Rule:
    return TextRule(field, required=True)


def _date(field: str) -> Rule:
    return lambda value: dates(**{field: value or None})


def _choice(field: str, enum: Any, what: str) -> Rule:
    return lambda value: {field: vocabulary(enum, value, what) if value.strip() else None}


def _required_choice(field: str, enum: Any, what: str) -> Rule:
    return lambda value: {field: vocabulary(enum, value, what)}


def _name(value: str) -> dict[str, Any]:
    cleaned = required_name(value)
    return {"name": cleaned, "name_key": name_key(cleaned)}


def _integer(field: str, low: int, high: int | None) -> Rule:
    def rule(value: str) -> dict[str, Any]:
        if not value.strip():
            return {field: None}
        try:
            number = int(value)
        except ValueError:
            raise Invalid(f"{field} must be a whole number, not {value!r}") from None
        if number < low or (high is not None and number > high):
            top = f" to {high}" if high is not None else " or more"
            raise Invalid(f"{field} {number} is out of range; use {low}{top}")
        return {field: number}

    return rule


def _private(value: str) -> dict[str, Any]:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes"):
        return {"private": 1}
    if lowered in ("0", "false", "no"):
        return {"private": 0}
    raise Invalid(f"private must be yes or no, not {value!r}")


_COMMON: dict[str, Rule] = {"note": _text("note"), "private": _private}

EDITABLE: dict[str, dict[str, Rule]] = {
    "person": {
        "name": _name,
        "sex": _choice("sex", Sex, "sex"),
        "born": _date("born"),
        "ethnicity": _text("ethnicity"),
        "citizenship": _text("citizenship"),
        "origin": _text("origin"),
    },
    "source": {
        "title": _required("title"),
        "url": _text("url"),
        "publisher": _text("publisher"),
        "date": _date("date"),
        "reliability": _integer("reliability", 0, 4),
    },
    "trial": {
        "court": _required("court"),
        "place": _text("place"),
        "charge": _text("charge"),
        "case_number": _text("case_number"),
        "opened": _date("opened"),
        "judge": _text("judge"),
        "lawyer": _text("lawyer"),
        "status": _choice("status", TrialStatus, "trial status"),
    },
    "ruling": {
        "date": _date("date"),
        "outcome": _required_choice("outcome", Outcome, "outcome"),
        "court": _text("court"),
        "sentence": _text("sentence"),
        "sentence_kind": _choice("sentence_kind", SentenceKind, "sentence kind"),
        "months": _integer("months", 0, None),
        "deportation": _choice("deportation", Deportation, "deportation decision"),
        "extradition": _choice("extradition", Extradition, "extradition decision"),
    },
    "asylum": {
        "date": _date("date"),
        "decision": _required_choice("decision", Decision, "asylum decision"),
        "country": _text("country"),
        "authority": _text("authority"),
        "until": _date("until"),
    },
    "detention": {
        "start": _date("start"),
        "end": _date("end"),
        "kind": _choice("kind", DetentionKind, "detention kind"),
        "place": _text("place"),
        "authority": _text("authority"),
    },
    "event": {
        "date": _date("date"),
        "kind": _required_choice("kind", EventKind, "event kind"),
        "place": _text("place"),
        "summary": _text("summary"),
    },
    "relation": {"kind": _required_choice("kind", RelationKind, "relation kind")},
}

# Dates a record cannot be without.
_REQUIRED_DATES = {"ruling": "date", "asylum": "date", "detention": "start", "event": "date"}


def _parse_assignment(kind: Kind, assignment: str) -> tuple[str, Rule]:
    field, equals, value = assignment.partition("=")
    field = field.strip().lower().replace("-", "_")
    rules = {**EDITABLE[kind.name], **_COMMON}
    if not equals:
        raise Invalid(f"--set {assignment!r} needs the form FIELD=VALUE")
    if field not in rules:
        accepted = ", ".join(name.replace("_", "-") for name in rules)
        raise Invalid(f"a {kind.label} has no field {field!r}; editable: {accepted}")
    if field == _REQUIRED_DATES.get(kind.name) and not value.strip():
        raise Invalid(f"a {kind.label} must keep its {field}")
    return field, rules[field]


def edit(store: Store, ref: str, assignments: Sequence[str]) -> tuple[Kind, dict[str, Any]]:
    """Change fields of one record, validated like ``add``; all or nothing."""
    if not assignments:
        raise Invalid("nothing to change: give --set FIELD=VALUE")
    with store.transaction("edit"):
        kind, row = resolve_ref(store, ref)
        changes: dict[str, Any] = {}
        for assignment in assignments:
            _, rule = _parse_assignment(kind, assignment)
            changes.update(rule(assignment.partition("=")[2]))
        merged = {**row, **changes}
        end_latest, start_earliest = merged.get("end_latest"), merged.get("start_earliest")
        if (
            kind.name == "detention"
            and end_latest
            and start_earliest
            and end_latest < start_earliest
        ):
            raise Invalid("the detention would end before it starts")
        if kind.name == "trial":
            # a judge or lawyer named exactly as a recorded person is linked to them
            for text_column in ("judge", "lawyer"):
                if text_column in changes:
                    changes[f"{text_column}_person_id"] = linked_person(store, changes[text_column])
        # only what really changes: an edit to the same value logs nothing
        changes = {column: value for column, value in changes.items() if row.get(column) != value}
        store.update(kind.table, int(row["id"]), changes)
        store.change_summary = f"edited {kind.prefix}{row['id']}"
        updated = store.get(kind.table, int(row["id"]))
        assert updated is not None
    return kind, public(kind, updated)


def describe_deletion(store: Store, ref: str) -> tuple[Kind, dict[str, Any], list[int]]:
    """What deleting REF would remove: the record and, for a person, trials only theirs."""
    kind, row = resolve_ref(store, ref)
    only_theirs = store.trial_ids_only_of(int(row["id"])) if kind.name == "person" else []
    return kind, public(kind, row), only_theirs


def delete(
    store: Store, ref: str, *, purge: bool = False
) -> tuple[Kind, dict[str, Any], list[int]]:
    """Delete a record and what belongs only to it, in one transaction.

    The change log keeps the deleted rows so that ``undo`` can bring them back;
    with PURGE every copy of them is erased in the same transaction (the log's
    images, texts on other records that name a purged person, the search
    index), so that nothing of them can be read back from the file. Deleting a
    private person also blanks the texts that name them (a judge's name on a
    trial): with the person gone, nothing else would say that name is private.
    """
    with store.transaction("delete --purge" if purge else "delete"):
        kind, record, only_theirs = describe_deletion(store, ref)
        record_id = int(record["ref"][1:])
        if kind.name == "person" and (purge or record["private"]):
            store.blank_texts_naming(record_id)
        for trial_id in only_theirs:
            store.delete("trials", trial_id)
        store.delete(kind.table, record_id)
        store.change_summary = f"{'purged' if purge else 'deleted'} {record['ref']}"
        if purge:
            store.purge_current_change()
    if purge:
        store.checkpoint()
    return kind, record, only_theirs
