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


def undo(store: Store, *, anyones: bool = False) -> dict[str, Any]:
    """Reverse your latest change not yet undone, exactly (with ANYONES, the
    latest of anyone's: a team owner's right); say what it was.

    Refused, naming the change, when someone else has since changed a record
    the reversal would touch (a row it restores or removes, or one that goes
    with a removed row): their work would be undone with yours.
    """
    user = store.user()
    if anyones and not store.may_undo_anyones():
        raise Conflict(f"undo --any is for the team's owners, and {user} is not one")
    with store.transaction():
        change = changelog.latest_undoable_change(store, None if anyones else user)
        if change is None:
            whose = "" if anyones else f" made by {user}"
            others = not anyones and changelog.latest_undoable_change(store) is not None
            hint = "; undo --any reverses the latest change of anyone" if others else ""
            raise NotFound(
                f"nothing to undo: the change log has no change{whose} left to reverse{hint}"
            )
        ref = f"C{change['id']}"
        try:
            with store.change_aside() as reversal:
                restored = changelog.reverse_change(store, int(change["id"]))
                since = changelog.reversal_overlaps(store, reversal, int(change["id"]), user)
        except Conflict as error:
            raise Conflict(f"cannot undo {ref}: {error}") from None
        if since is not None:
            raise Conflict(
                f"cannot undo {ref} ({change['command']}: {change['summary']}): "
                f"C{since['id']} by {since['user']} ({since['command']}: {since['summary']}) "
                "has since changed the same records; undo --any (an owner) undoes the latest "
                "change of anyone"
            )
    return {
        "ref": ref,
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
    """What would make the database untrustworthy: the engine's own checks of
    its storage and the tool's own invariants (not the contradictions of what
    was recorded)."""
    problems = checks.storage_problems(store)
    if any(problem.startswith("integrity") for problem in problems):
        return problems  # a damaged file: further reads would only add noise
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
    problems.extend(store.rewrite_problems())
    problems.extend(checks.stale_name_keys(store, name_key))
    problems.extend(checks.schema_problems(store))
    return problems


def backup(store: Store, target: Path, *, force: bool = False) -> Path:
    """Copy the database consistently to TARGET (mode 0600) via a checked temporary
    file, which appears at TARGET only when complete."""
    refuse_output([target], store.path, force=force, folder_must_exist=True)
    with replacing_files([target]) as (temporary,):
        checks.backup_to(store, temporary)
    return target
