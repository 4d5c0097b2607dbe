"""``cases copy``: a whole database from one engine to another (a laptop's file
to the team's server and back), the same records, uids and citations; or only
what a public export holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cases.catalogue import TABLES, Table
from cases.db import pg
from cases.db.pg import team
from cases.errors import Conflict, Invalid

Reader = Callable[[Table], Iterator[Sequence[Any]]]


def describe(location: str) -> str:
    """LOCATION as messages name it (a server without its password)."""
    return pg.where(location) if pg.is_server(location) else str(location)


def copy_database(
    source: str,
    target: str,
    *,
    public_only: bool,
    command: str = "copy",
    summary: str | None = None,
) -> dict[str, int]:
    """Copy every record of SOURCE into TARGET, which holds none yet, in one
    transaction; return how many rows each table got. Either may be a file
    path or a postgresql:// URL. The change log tells it as COMMAND (and
    SUMMARY, for a team database)."""
    if _same(source, target):
        raise Invalid("--from and --to name the same database")
    if summary is None:
        summary = f"copied from {describe(source)}"
        summary += " (public records only)" if public_only else ""
    with _reading(source, public_only) as read:
        tables = ((table, read(table)) for table in TABLES)
        if pg.is_server(target):
            return _into_server(target, tables, summary, command)
        return _into_file(Path(target).expanduser(), source, tables, summary)


def _same(source: str, target: str) -> bool:
    if pg.is_server(source) or pg.is_server(target):
        return source == target
    from cases.outputs import lands_on_database

    return lands_on_database(Path(target).expanduser(), Path(source).expanduser())


@contextmanager
def _reading(source: str, public_only: bool) -> Iterator[Reader]:
    """A reader of SOURCE's tables, all as of one moment."""
    if pg.is_server(source):
        from cases.db.pg import copying as server
        from cases.service.team import connected

        with connected(source) as conn:
            if not team.is_initialised(conn):
                raise Conflict(f"{pg.where(source)} is not a team database (cases team init)")
            server.snapshot(conn)
            yield lambda table: server.read_rows(conn, table, public=public_only)
        return
    from cases.db import Store
    from cases.db import copying as files
    from cases.privacy import PrivacyFilter

    store = Store.open(Path(source).expanduser(), write=False)
    try:
        with store.snapshot():
            if public_only:
                PrivacyFilter(store, include_private=False)
            yield lambda table: iter(files.read_rows(store, table, public=public_only))
    finally:
        store.close()


def _into_server(target: str, tables: Any, summary: str, command: str) -> dict[str, int]:
    from cases.db.pg import copying as server
    from cases.service.team import connected

    with connected(target) as conn:
        if not team.is_initialised(conn):
            raise Conflict(
                f"{pg.where(target)} is not a team database yet; run cases team init first"
            )
        if server.holds_records(conn):
            raise Conflict(f"{pg.where(target)} already holds records; copy into an empty one")
        return server.write_all(conn, tables, summary, command)


def _into_file(path: Path, source: str, tables: Any, summary: str) -> dict[str, int]:
    from cases.db import Store
    from cases.db import copying as files

    if path.is_dir():
        raise Invalid(f"{path} is a folder; give a database file name")
    store = Store.open(path, write=True)
    try:
        if files.holds_records(store):
            raise Conflict(f"{path} already holds records; copy into a new file")
        return files.write_all(store, tables, summary)
    except BaseException:
        if store.created_file:
            store.discard_if_new()
        raise
    finally:
        store.close()
