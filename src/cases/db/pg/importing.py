"""An import into a team database, through a file.

The import's staging, checks and writing are SQL written for SQLite (temporary
tables, rowids, SQLite's own functions): rather than write them twice, an
import on a server runs them on a private copy of the team's records in a
temporary file (the *mirror*), then writes into the server what that import
changed there: the rows it added, by COPY, and the rows it updated. The
server's write lock is held from the copy to the commit, so nothing changes
between them, and the import is one change of the server's log, as on a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cases.catalogue import TABLE, TABLES, load_order
from cases.db import bulk, changelog
from cases.db import copying as files
from cases.db.connection import Store
from cases.db.pg.copying import set_aside_checks
from cases.db.pg.schema import columns_with_keys, stored_columns, with_keys
from cases.db.pg.store import ServerStore


def fill_mirror(server: ServerStore, mirror: Store) -> dict[str, int]:
    """Copy every record of SERVER (read in its open write transaction) into
    MIRROR, a new file, with each table's counter of ids, so an import there
    numbers new records as the server would; return the counters."""
    counters = {
        str(name): int(seq)
        for name, seq in server.conn.execute("SELECT name, seq FROM sqlite_sequence")
    }

    def rows(name: str) -> Any:
        listed = ", ".join(f'"{column}"' for column in stored_columns(TABLE[name]))
        return server.stream(f'SELECT {listed} FROM "{name}" ORDER BY id')

    files.write_all(mirror, ((table, rows(table.name)) for table in TABLES), "mirror")
    server.server.close_streams()
    with mirror.transaction():
        for name, seq in counters.items():
            mirror.conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", [name])
            mirror.conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [name, seq]
            )
    return counters


def write_back(server: ServerStore, mirror: Store, counters: dict[str, int]) -> None:
    """Write into SERVER (in its open change) what the latest change of MIRROR
    did: each table's rows it added (ids past COUNTERS) with their ids, and the
    rows it updated. The server's triggers log the updates; the added rows
    are logged as one range a table, as a bulk load on a file is."""
    change = mirror.scalar("SELECT max(id) FROM changes")
    changelog.set_bulk(server, True)
    connection = server.server.psycopg
    # into an empty table, its indexes and links are made again once at the end
    # (as a copy does): building an index once costs a fraction of keeping it
    rebuild: list[str] = []
    connection.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name in load_order():
        table = TABLE[name]
        stored = stored_columns(table)
        listed = ", ".join(f'"{column}"' for column in stored)
        last = counters.get(name, 0)
        if not bulk.holds_rows(server, name):
            rebuild += set_aside_checks(connection, table)
        added = mirror.conn.execute(
            f'SELECT {listed} FROM "{name}" WHERE id > ? ORDER BY id', [last]
        )
        # a new row linking to a row of its own table (an appeal) was linked after
        # every row was in, and the log says so: here too, so the logs agree
        relinked = {
            int(row_id)
            for (row_id,) in mirror.conn.execute(
                "SELECT DISTINCT row_id FROM change_rows "
                "WHERE change_id = ? AND tbl = ? AND op = 'update' AND row_id > ?",
                [change, name, last],
            )
        }
        own = [stored.index(c) for c, target in table.links.items() if target == name]
        links: list[tuple[Any, ...]] = []
        count = server.server.copy_in(
            name, columns_with_keys(table), with_keys(table, _unlinked(added, own, relinked, links))
        )
        if count:
            changelog.log_insert_range(
                server, name, last + 1, int(mirror.scalar(f'SELECT max(id) FROM "{name}"'))
            )
        if links:
            setting = ", ".join(f'"{stored[p]}" = ?' for p in own)
            server.conn.executemany(f'UPDATE "{name}" SET {setting} WHERE id = ?', links)
        updated = mirror.conn.execute(
            f"""SELECT {listed} FROM "{name}" WHERE id IN (
                    SELECT row_id FROM change_rows
                    WHERE change_id = ? AND tbl = ? AND op = 'update' AND row_id <= ?)
                ORDER BY id""",
            [change, name, last],
        )
        columns = columns_with_keys(table)
        setting = ", ".join(f'"{column}" = ?' for column in columns[1:])
        server.conn.executemany(
            f'UPDATE "{name}" SET {setting} WHERE id = ?',
            ((*row[1:], row[0]) for row in with_keys(table, updated)),
        )
    for statement in rebuild:
        connection.execute(statement)
    changelog.set_bulk(server, False)


def _unlinked(
    rows: Iterable[Sequence[Any]], own: list[int], relinked: set[int], links: list[tuple[Any, ...]]
) -> Iterator[Sequence[Any]]:
    """ROWS with their links to their own table (at positions OWN) left empty in
    those RELINKED, whose links (then id) are put in LINKS, to set after."""
    for row in rows:
        if own and row[0] in relinked:
            links.append((*(row[p] for p in own), row[0]))
            row = tuple(None if p in own else value for p, value in enumerate(row))
        yield row
