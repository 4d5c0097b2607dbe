"""Encryption at rest: creating an encrypted database, and converting one both ways.

A conversion writes a complete copy beside its target, checks it (SQLite's
integrity check and the tool's own ``check``), syncs it, and only then renames
it into place: a conversion killed or interrupted at any moment leaves the
original as it was, and at most a temporary ``.NAME.PID.RANDOM.part`` file that
the next conversion or export in that folder removes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cases.csv_io import replacing_files
from cases.db import cipher
from cases.db.connection import Store
from cases.db.files import SQLITE_HEADER, busy_timeout_seconds, forget_writer, note_writer
from cases.errors import Conflict, NotFound
from cases.outputs import refuse_output

ZEROS = bytes(1 << 20)
# What SQLite keeps beside a temporary copy while it is checked (see replacing_files)
_PART_SIDECAR = re.compile(r"^(\..+\.\d+\.[^.]+\.part)-(wal|shm|journal)$")


def create(path: Path) -> None:
    """Create an encrypted database at PATH (``init --encrypt``); one already
    encrypted there is kept as it is, and a plain one is refused."""
    cipher.driver("--encrypt")
    if _has_data(path):
        if _is_plain(path):
            raise Conflict(f"{path} exists and is not encrypted; encrypt it with: cases encrypt")
        return
    Store.open(path, write=True, key=cipher.new_key(path)).close()


def encrypt(path: Path, *, backup: Path | None = None) -> list[str]:
    """Encrypt the plain database at PATH in place, with a new key; with BACKUP,
    keep a plain copy of it there first (mode 0600). Return remarks for the user.

    A symbolic link is followed: the file it names is the one encrypted.
    """
    cipher.driver("cases encrypt")
    _require_database(path)
    path = path.resolve()
    if not _is_plain(path):
        raise Conflict(f"{path} is already encrypted")
    if backup is not None:
        _refuse_target(backup, path, force=False)
    Store.open(path, write=True).close()  # ours and up to date, or refused here
    key = cipher.new_key(path)
    with cipher.held_for_copying(path, timeout=busy_timeout_seconds()) as source:
        # a writer kept waiting meanwhile is told who holds the database
        note_writer(path, "encrypt")
        try:
            return _encrypt_held(source, path, key, backup)
        finally:
            forget_writer(path)


def _encrypt_held(source: Any, path: Path, key: str, backup: Path | None) -> list[str]:
    """The copies :func:`encrypt` makes while the database is held."""
    if backup is not None:
        _write_checked_copy(lambda copy: cipher.export(source, copy, key=""), backup, key="")
    original = os.open(path, os.O_RDWR)
    try:
        _write_checked_copy(lambda copy: cipher.export(source, copy, key=key), path, key=key)
        if not _wipe_replaced(original):
            return [f"{path} had another name (a hard link), which still holds it plain"]
    finally:
        os.close(original)
    return []


def decrypt(path: Path, out: Path, *, force: bool = False) -> Path:
    """Write a plain copy of the encrypted database at PATH to OUT (mode 0600)."""
    cipher.driver("cases decrypt")
    _require_database(path)
    if _is_plain(path):
        raise Conflict(f"{path} is not encrypted; cases backup makes a copy of it")
    _refuse_target(out, path, force=force)
    store = Store.open(path, write=False)
    try:
        _write_checked_copy(lambda copy: cipher.export(store.conn, copy, key=""), out, key="")
    finally:
        store.close()
    return out


def _write_checked_copy(export: Callable[[Path], None], target: Path, *, key: str) -> None:
    """Write TARGET (encrypted with KEY, plain when it is empty) with EXPORT into a
    temporary file that is checked and synced, then renamed into place."""
    with replacing_files([target]) as (temporary,):
        _remove_orphan_sidecars(temporary.parent)
        export(temporary)
        _check_copy(temporary, key)
        _sync(temporary)
    _sync(target.parent if str(target.parent) else Path("."))


def _remove_orphan_sidecars(directory: Path) -> None:
    """Remove the WAL and index files of temporary copies a killed conversion left
    (their copy is gone: replacing_files removed it)."""
    for entry in directory.iterdir():
        match = _PART_SIDECAR.match(entry.name)
        if match and not (directory / match.group(1)).exists():
            entry.unlink(missing_ok=True)


def _check_copy(copy: Path, key: str) -> None:
    """Refuse a copy that fails SQLite's integrity check or the tool's own check
    (records that contradict each other are the user's to resolve, not damage)."""
    from cases.service.admin import damage

    store = Store.open(copy, write=True, key=key or None)
    try:
        problems = damage(store)
    finally:
        store.close()
    if problems:
        raise Conflict(f"the copy failed its check ({problems[0]}); nothing was changed")


def _wipe_replaced(descriptor: int) -> bool:
    """Overwrite with zeros the plain file a conversion has just replaced, while no
    other process may write to it: a process that opened it meanwhile then reads
    no database rather than writing into a file nobody will read again. A file
    that has another name (a hard link) is left to it: False."""
    status = os.fstat(descriptor)
    if status.st_nlink:
        return False
    os.lseek(descriptor, 0, os.SEEK_SET)
    remaining = status.st_size
    while remaining > 0:
        remaining -= os.write(descriptor, ZEROS[: min(remaining, len(ZEROS))])
    os.fsync(descriptor)
    return True


def _sync(path: Path) -> None:
    """Flush PATH (a file or a folder) to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _require_database(path: Path) -> None:
    if not path.exists():
        raise NotFound(f"no database at {path}; create one with cases init")


def _has_data(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _is_plain(path: Path) -> bool:
    """True when PATH begins with SQLite's header (the test ``Store.open`` makes)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) in (SQLITE_HEADER, b"")
    except IsADirectoryError:
        raise Conflict(f"{path} is a folder, not a cases database") from None


def _refuse_target(target: Path, database: Path, *, force: bool) -> None:
    """Refuse to write a copy over a file (without FORCE), a folder, the database
    or a file kept beside it (the one rule of :mod:`cases.outputs`)."""
    refuse_output([target], database, force=force, folder_must_exist=True)
