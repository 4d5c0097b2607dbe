"""Making a purge's erasure reach every byte of the files, whatever other processes do.

A purge commits into the write-ahead log pages whose deleted text is zeroed
(``secure_delete``); the old pages, with the text, stay in the database file
until a checkpoint copies the new ones over them, and the log keeps earlier
copies until it is truncated. A reader that still reads an older snapshot (a
``timeline`` in a pager, another program) keeps the checkpoint from copying
over what it may still read; a process killed between the commit and the
checkpoint never runs it.

So the purge marks, in its own transaction, that an erasure is pending
(``change_state.erase_pending``), then checkpoints, waiting for readers as
long as a writer waits for the lock. Whatever stops it, the mark stays, and
the next ``cases`` process that opens the file, or a reading one that
closes it, finishes the checkpoint without waiting and clears the mark. ``check``
reports an erasure still pending and who holds the file.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import suppress
from pathlib import Path

from cases.db.connection import Store


def mark_pending(store: Store) -> None:
    """Inside the purge's transaction: an erasure is pending until a checkpoint
    has copied the purge into the database file and emptied the log."""
    store.require_write()
    store.conn.execute("UPDATE change_state SET erase_pending = 1 WHERE id = 1")


def pending(conn: sqlite3.Connection) -> bool:
    """Whether a purge's erasure is not complete yet."""
    try:
        row = conn.execute("SELECT erase_pending FROM change_state WHERE id = 1").fetchone()
    except sqlite3.Error:
        return False  # not a database this version has migrated: nothing was purged by it
    return bool(row and row[0])


def finish(conn: sqlite3.Connection, *, wait_seconds: float) -> bool:
    """Checkpoint the log into the file and empty it (waiting up to WAIT_SECONDS
    for readers of older snapshots), then clear the pending mark; True when the
    erasure is complete. CONN must be able to write."""
    previous = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        conn.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.OperationalError:
            return False
        if busy:
            return False
        with suppress(sqlite3.OperationalError):
            conn.execute("UPDATE change_state SET erase_pending = 0 WHERE id = 1")
            if conn.in_transaction:  # a connection that opens transactions itself
                conn.commit()
            # the mark's own page: nothing erased in it, but the log is left empty
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return True
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(previous)}")


def finish_if_pending(store: Store, *, writable: bool) -> None:
    """At open or close: finish a pending erasure without waiting, through a
    writable connection of its own when the store reads only."""
    if store.path is None or not pending(store.conn):
        return
    if writable:
        finish(store.conn, wait_seconds=0)
        return
    try:
        conn = store.reconnect()
    except (sqlite3.Error, OSError):
        return
    try:
        finish(conn, wait_seconds=0)
    except sqlite3.Error:
        pass
    finally:
        conn.close()


def holders(path: Path) -> list[tuple[int, str]]:
    """(pid, program name) of the other processes that have the file at PATH
    open, as /proc tells (Linux); empty where it cannot tell. Only the program's
    name: its command line may hold a name being looked up."""
    try:
        wanted = os.stat(path)
    except OSError:
        return []
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                status = descriptor.stat()
            except OSError:
                continue
            if (status.st_dev, status.st_ino) == (wanted.st_dev, wanted.st_ino):
                try:
                    program = (entry / "comm").read_text(encoding="utf-8").strip()
                except OSError:
                    program = "?"
                found.append((int(entry.name), program))
                break
    return sorted(found)


def described_holders(path: Path) -> str:
    """Who holds the file, in words: "pid 4242 (cases)", or "another program"."""
    found = holders(path)
    if not found:
        return "another program"
    return ", ".join(f"pid {pid} ({program})" for pid, program in found[:5])
