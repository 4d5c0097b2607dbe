"""Keeping records safe: the change log, undo, backups and consistency checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cases.csv_io import replacing_files
from cases.db import changelog, checks, erasure
from cases.db.connection import Store
from cases.errors import Conflict, Invalid, NotFound
from cases.names import name_key
from cases.outputs import refuse_output


def change_log(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """The latest changes, newest first."""
    if limit < 1:
        raise Invalid(f"--limit {limit} must be 1 or more")
    return [
        {
            "ref": f"C{row['id']}",
            "uid": row["uid"],
            "at": row["at"],
            "user": row["user"],
            "command": row["command"],
            "summary": row["summary"],
            "rows": row["rows"],
            "undone": row["undone_at"] is not None and not row["purged"],
            "purged": bool(row["purged"]),
            # undo passes over it: it would need records a purge erased
            "needs_purged": bool(row["needs_purged"]) and row["undone_at"] is None,
        }
        for row in changelog.changes(store, limit)
    ]


def undo(store: Store) -> dict[str, Any]:
    """Reverse the latest change not yet undone, exactly; say what it was."""
    with store.transaction():
        change = changelog.latest_undoable_change(store)
        if change is None:
            raise NotFound("nothing to undo: the change log has no change left to reverse")
        try:
            restored = changelog.reverse_change(store, int(change["id"]))
        except Conflict as error:
            raise Conflict(f"cannot undo C{change['id']}: {error}") from None
    return {
        "ref": f"C{change['id']}",
        "uid": change["uid"],
        "command": change["command"],
        "summary": change["summary"],
        "rows": restored,
    }


def check(store: Store) -> list[str]:
    """Every problem found: damage (SQLite's checks and the tool's own
    invariants), then records that contradict each other."""
    problems = damage(store)
    if problems:
        return problems
    return checks.contradictions(store)


def to_review(store: Store) -> list[str]:
    """Public texts that name someone an export leaves out: not damage, nor a
    contradiction, but what the researcher should look at before sharing."""
    from cases.privacy import PrivacyFilter
    from cases.service.mentions import public_mentions

    with store.snapshot():
        PrivacyFilter(store, include_private=False)
        found = public_mentions(store)
    return [
        f"privacy: {mention.text()} names {mention.actor}, who is private; exports and "
        "publications show it (edit the text, or mark the record private)"
        for mention in found
    ]


def damage(store: Store) -> list[str]:
    """What would make the file untrustworthy as a database: SQLite's checks and
    the tool's own invariants (not the contradictions of what was recorded)."""
    problems = checks.integrity_problems(store)
    if any(problem.startswith("integrity") for problem in problems):
        return problems  # a damaged file: further reads would only add noise
    problems.extend(checks.search_index_problems(store))
    problems.extend(checks.dangling_records(store))
    problems.extend(checks.date_problems(store))
    problems.extend(changelog.purge_leftovers(store))
    if erasure.pending(store.conn):
        holder = erasure.described_holders(store.path) if store.path else "another program"
        problems.append(
            "purge: a purged text is still in the file, waiting to be wiped: "
            f"{holder} is reading an older copy of the database; it is wiped as soon as "
            "it stops (any cases command then finishes it)"
        )
    problems.extend(checks.stale_name_keys(store, name_key))
    problems.extend(f"migration: {name} not applied" for name in checks.pending_migrations(store))
    return problems


def backup(store: Store, target: Path, *, force: bool = False) -> Path:
    """Copy the database consistently to TARGET (mode 0600) via a checked temporary
    file, which appears at TARGET only when complete."""
    refuse_output([target], store.path, force=force, folder_must_exist=True)
    with replacing_files([target]) as (temporary,):
        checks.backup_to(store, temporary)
    return target
