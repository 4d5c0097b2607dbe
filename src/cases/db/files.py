"""The database file around the connection: its header and mode, whether it is
plain or encrypted, how long a writer waits, and the note that says which
process writes (for a writer kept waiting)."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from cases.db import cipher
from cases.errors import Conflict, Invalid

# PRAGMA application_id marks a file as ours: ASCII "CASE".
APPLICATION_ID = 0x43415345


SQLITE_HEADER = b"SQLite format 3\x00"


# SQLite's smallest page: a SQLCipher file, whose header is ciphertext, is whole pages.
SMALLEST_PAGE = 512


BUSY_TIMEOUT_SECONDS = 10.0


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def check_header(path: Path) -> bool:
    """Refuse a file that is not SQLite before SQLite touches it; say whether it is
    plain (SQLite's header, or empty) rather than possibly encrypted (whole pages
    that begin with anything else: SQLCipher's header is ciphertext)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
            size = os.fstat(handle.fileno()).st_size
    except IsADirectoryError:
        raise Conflict(f"{path} is a folder, not a cases database") from None
    except PermissionError:
        raise Conflict(f"cannot read {path}: permission denied") from None
    if not header or header == SQLITE_HEADER:
        return True
    if size % SMALLEST_PAGE:
        raise Conflict(
            f"{path} is not a cases database (not an SQLite file); it was left untouched"
        )
    return False


def key_of_encrypted(path: Path) -> str:
    """The key of a file that may be encrypted; without the extra, a user error naming it."""
    if not cipher.installed():
        raise Conflict(
            f"{path} is not a plain SQLite file; if it is an encrypted cases database, "
            f"install the encryption extra: {cipher.EXTRA} (it was left untouched)"
        )
    return cipher.key_for(path)


def busy_timeout_seconds() -> float:
    """How long a writer waits for another: CASES_BUSY_TIMEOUT seconds, else 10."""
    text = os.environ.get("CASES_BUSY_TIMEOUT", "")
    try:
        return max(0.0, float(text)) if text else BUSY_TIMEOUT_SECONDS
    except ValueError:
        raise Invalid(f"CASES_BUSY_TIMEOUT must be a number of seconds, not {text!r}") from None


def make_private(path: Path, notices: list[str]) -> None:
    """Mode 0600 for a database others could read: SQLite gives its journal and
    WAL the database's own mode, so they would be readable too."""
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
            notices.append(f"{path} was readable by others; it is now private (mode 0600)")
    except OSError:
        pass  # not ours to change: the open below says what is wrong, if anything


def writer_file(path: Path) -> Path:
    """The file that says which process is writing to the database at PATH."""
    return Path(f"{path}-writer")


def busy_message(path: Path | None, waited: float) -> str:
    """Who holds the write lock, as the writer's note tells, and how long we waited."""
    import json
    import time

    holder = "another process"
    try:
        if path is None:
            raise OSError
        note = json.loads(writer_file(path).read_text(encoding="utf-8"))
        pid, command, since = int(note["pid"]), str(note["command"]), float(note["since"])
        os.kill(pid, 0)  # still running?
        clock = time.strftime("%H:%M:%S", time.localtime(since))
        holder = f"cases (pid {pid}, '{command}', writing since {clock})"
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return (
        f"the database is busy: {holder} holds the write lock; waited {waited:.0f} s "
        "(set CASES_BUSY_TIMEOUT to wait longer)"
    )


def note_writer(path: Path, command: str) -> None:
    """Say which process writes to the database at PATH (for a writer kept waiting)."""
    import json
    import time

    try:
        descriptor = os.open(writer_file(path), os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"pid": os.getpid(), "command": command, "since": time.time()}, handle)
    except OSError:
        pass  # only a courtesy to other writers


def forget_writer(path: Path) -> None:
    """The note of :func:`note_writer` goes when the write ends."""
    with suppress(OSError):
        writer_file(path).unlink(missing_ok=True)
