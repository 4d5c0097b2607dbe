"""Changing: ``edit`` and ``delete``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cases.catalogue import TABLE, Table, naming_texts
from cases.db import changelog, rows
from cases.db.connection import Store
from cases.errors import Invalid
from cases.records import Kind
from cases.service.common import public, resolve_ref
from cases.service.resolving import linked_person


def _assignment(table: Table, kind: Kind, assignment: str) -> tuple[str, str]:
    """(field name, value) of one FIELD=VALUE, the field one ``edit`` may set."""
    name, equals, value = assignment.partition("=")
    name = name.strip().lower().replace("-", "_")
    if not equals:
        raise Invalid(f"--set {assignment!r} needs the form FIELD=VALUE")
    if name not in table.editable:
        accepted = ", ".join(field.replace("_", "-") for field in table.editable)
        raise Invalid(f"a {kind.label} has no field {name!r}; editable: {accepted}")
    return name, value


def edit(store: Store, ref: str, assignments: Sequence[str]) -> tuple[Kind, dict[str, Any]]:
    """Change fields of one record, each value checked by its field in the
    catalogue, as ``add`` and ``import`` check it; all or nothing."""
    if not assignments:
        raise Invalid("nothing to change: give --set FIELD=VALUE")
    with store.transaction("edit"):
        kind, row = resolve_ref(store, ref)
        table = TABLE[kind.table]
        changes: dict[str, Any] = {}
        for assignment in assignments:
            name, value = _assignment(table, kind, assignment)
            changes.update(table.field(name).parse(value))
        table.check({**row, **changes})
        # a text naming a person (a judge, a lawyer) is linked when it is exactly one's name
        for text, link in naming_texts(table.name).items():
            if text in changes:
                changes[link] = linked_person(store, changes[text])
        # only what really changes: an edit to the same value logs nothing
        changes = {column: value for column, value in changes.items() if row.get(column) != value}
        rows.update(store, kind.table, int(row["id"]), changes)
        store.change_summary = f"edited {kind.prefix}{row['id']}"
        updated = rows.get(store, kind.table, int(row["id"]))
        assert updated is not None
    return kind, public(kind, updated)


def describe_deletion(store: Store, ref: str) -> tuple[Kind, dict[str, Any], list[int]]:
    """What deleting REF would remove: the record and, for a person, trials only theirs."""
    from cases.db import queries

    kind, row = resolve_ref(store, ref)
    only_theirs = queries.trial_ids_only_of(store, int(row["id"])) if kind.name == "person" else []
    return kind, public(kind, row), only_theirs


def delete(
    store: Store, ref: str, *, purge: bool = False
) -> tuple[Kind, dict[str, Any], list[int]]:
    """Delete a record and what belongs only to it, in one transaction.

    The change log keeps the deleted rows so that ``undo`` can bring them back;
    with PURGE every copy of them is erased in the same transaction (the log's
    images, texts on other records that name a purged person, the full-text
    index), so that nothing of them can be read back from the file. Deleting a
    private person also blanks the texts that name them (a judge's name on a
    trial): with the person gone, nothing else would say that name is private.
    """
    with store.transaction("delete --purge" if purge else "delete"):
        kind, record, only_theirs = describe_deletion(store, ref)
        record_id = int(record["ref"][1:])
        if kind.name == "person" and (purge or record["private"]):
            changelog.blank_texts_naming(store, record_id)
        for trial_id in only_theirs:
            rows.delete(store, "trials", trial_id)
        rows.delete(store, kind.table, record_id)
        store.change_summary = f"{'purged' if purge else 'deleted'} {record['ref']}"
        if purge:
            changelog.purge_current_change(store)
    if purge:
        changelog.checkpoint(store)
    return kind, record, only_theirs
