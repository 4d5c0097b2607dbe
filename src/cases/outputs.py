"""Where a command may write: one rule for every path a user names as output.

An export, a backup, a decrypted copy, a publication, a chart: none may land
on the database or on a file SQLite keeps beside it (its rollback journal,
write-ahead log or shared-memory index, or the note that says who writes),
whichever name reaches it (a relative path, a symbolic or a hard link). A
plain copy written as the database's own WAL would be read as part of it, or
deleted by the next write.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cases.errors import Conflict, Invalid, NotFound

# The files SQLite (and cases) keep beside a database, by suffix.
SIDECARS = ("-journal", "-wal", "-shm", "-writer")


def database_files(database: Path) -> list[Path]:
    """The database file and every file kept beside it."""
    resolved = database.resolve()
    return [resolved, *(Path(f"{resolved}{suffix}") for suffix in SIDECARS)]


def lands_on_database(target: Path, database: Path | None) -> bool:
    """Whether writing TARGET would write the database or one of its sidecars."""
    if database is None:
        return False
    resolved = target.resolve()
    for own in database_files(database):
        if resolved == own:
            return True
        try:
            if target.exists() and own.exists() and os.path.samefile(target, own):
                return True
        except OSError:
            continue
    return False


def refuse_output(
    targets: Iterable[Path],
    database: Path | None,
    *,
    force: bool,
    folder_must_exist: bool = False,
) -> None:
    """Refuse to write any of TARGETS where it must not go: onto the database or
    a file kept beside it (whatever FORCE says), onto a folder, onto an
    existing file without FORCE, or (with FOLDER_MUST_EXIST) into a folder that
    is not there."""
    targets = list(targets)
    for target in targets:
        if lands_on_database(target, database):
            raise Invalid(
                f"{target} is the database itself or a file SQLite keeps beside it "
                "(its journal or write-ahead log); choose another path"
            )
        if target.is_dir():
            raise Invalid(f"{target} is a folder; give a file name")
        if folder_must_exist:
            folder = target.parent if str(target.parent) else Path(".")
            if not folder.is_dir():
                raise NotFound(f"folder {folder} does not exist")
    if not force:
        existing = [target for target in targets if target.exists()]
        if existing:
            raise Conflict(f"{existing[0]} exists; add --force to replace it")


def refuse_folder(folder: Path, database: Path | None) -> None:
    """Refuse FOLDER as the folder an export or a publication is written into
    when it is a file (the database's journal above all) rather than a folder."""
    if lands_on_database(folder, database):
        raise Invalid(
            f"{folder} is the database itself or a file SQLite keeps beside it; "
            "choose another folder"
        )
    if folder.exists() and not folder.is_dir():
        raise Invalid(f"{folder} exists and is not a folder")
