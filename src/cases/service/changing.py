"""Changing: ``edit`` and ``delete``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cases.catalogue import TABLE, Table, naming_texts
from cases.db import actors, changelog, erasure, queries, rows
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.records import Kind
from cases.service.common import NAMED_ROLES, named_in_trial, public, resolve_ref
from cases.service.resolving import linked_actor


def _editable(table: Table) -> tuple[str, ...]:
    # a trial's judges, lawyers and prosecutors are party rows, set as one text each
    return (*table.editable, *NAMED_ROLES) if table.name == "trials" else tuple(table.editable)


def _assignment(table: Table, kind: Kind, assignment: str) -> tuple[str, str]:
    """(field name, value) of one FIELD=VALUE, the field one ``edit`` may set."""
    name, equals, value = assignment.partition("=")
    name = name.strip().lower().replace("-", "_")
    if not equals:
        raise Invalid(f"--set {assignment!r} needs the form FIELD=VALUE")
    if name not in _editable(table):
        accepted = ", ".join(field.replace("_", "-") for field in _editable(table))
        raise Invalid(f"{kind.a_label} has no field {name!r}; editable: {accepted}")
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
        named: dict[str, str | None] = {}
        given: list[str] = []
        for assignment in assignments:
            name, value = _assignment(table, kind, assignment)
            given.append(name)
            if name in NAMED_ROLES:
                named[name] = TABLE["trial_parties"].field("name").parse(value)["name"]
            else:
                changes.update(table.field(name).parse(value))
        table.check({**row, **changes})
        # a text naming an actor (a court, a judge) is linked when it is exactly its name
        for text, (link, target) in naming_texts(table.name).items():
            if text in changes:
                changes[link] = linked_actor(store, target, changes[text])
        # only what really changes: an edit to the same value logs nothing
        changes = {column: value for column, value in changes.items() if row.get(column) != value}
        rows.update(store, kind.table, int(row["id"]), changes)
        for role, named_text in named.items():
            _replace_named(store, row, role, named_text)
        if kind.table in actors.OWNER and row.get("name") and "name" in changes:
            _keep_old_name(store, kind.table, row)
        store.change_summary = f"edited {kind.prefix}{row['id']}"
        updated = rows.get(store, kind.table, int(row["id"]))
        assert updated is not None
        record = public(kind, updated)
        if kind.table == "trials":
            record.update(named_in_trial(queries.named_in_trial(store, int(row["id"]))))
        # the fields given whose value changed (an edit to the value it has changes none)
        given = list(
            dict.fromkeys(
                name for name, _ in map(lambda a: _assignment(table, kind, a), assignments)
            )
        )
        record["changed"] = [
            name
            for name in given
            if name in named
            or any(column in changes for column in table.field(name).columns)
            or (table.field(name).link_column or "") in changes
        ]
    return kind, record


def _replace_named(store: Store, trial: Row, role: str, text: str | None) -> None:
    """Set the trial's judges (lawyers, prosecutors) to the one named by TEXT,
    linked to the person whose name or alias it is exactly; none when empty."""
    for named in queries.named_in_trial(store, int(trial["id"])):
        if named["role"] == role:
            rows.delete(store, "trial_parties", int(named["id"]))
    if text is not None:
        rows.insert(
            store,
            "trial_parties",
            {
                "trial_id": trial["id"],
                "name": text,
                "role": role,
                "name_person_id": linked_actor(store, "people", text),
            },
        )


def _keep_old_name(store: Store, table: str, before: dict[str, Any]) -> None:
    """A renamed person or organisation keeps the old name as an alias (private
    with its owner, like every alias), unless it is a public alias already (a
    private alias of that text would hide a name that was public)."""
    owner = actors.OWNER[table]
    known = {
        alias["name"].casefold()
        for alias in actors.aliases_of(store, table, before["id"])
        if not alias.get("private")
    }
    if before["name"].casefold() in known:
        return
    rows.insert(
        store,
        "aliases",
        {
            owner: before["id"],
            "name": before["name"],
            "name_key": before["name_key"],
        },
    )


def describe_deletion(store: Store, ref: str) -> tuple[Kind, dict[str, Any], list[int]]:
    """What deleting REF would remove: the record and, for an actor, the trials
    whose every party is them."""
    from cases.db import queries

    kind, row = resolve_ref(store, ref)
    only_theirs = (
        queries.trial_ids_only_of(store, actors.OWNER[kind.table], int(row["id"]))
        if kind.table in actors.OWNER
        else []
    )
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
    trial) and makes the citations attributed to them private: with the person
    gone, nothing else would say that name is private. A purge erases those
    texts whoever the actor was, and the claims attributed to them.
    """
    with store.transaction("delete --purge" if purge else "delete"):
        kind, record, only_theirs = describe_deletion(store, ref)
        record_id = int(record["ref"][1:])
        if kind.table in actors.OWNER and (purge or record["private"]):
            changelog.withdraw_texts_naming(store, kind.table, record_id, purge=purge)
        for trial_id in only_theirs:
            rows.delete(store, "trials", trial_id)
        rows.delete(store, kind.table, record_id)
        store.change_summary = f"{'purged' if purge else 'deleted'} {record['ref']}"
        if purge:
            changelog.purge_current_change(store)
            erasure.mark_pending(store)
    if purge:
        warning = store.finish_purge(record["ref"])
        if warning is not None:
            store.notices.append(warning)
    return kind, record, only_theirs
