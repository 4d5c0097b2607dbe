"""The change log: listing changes, undoing one exactly, and purging for good.

Triggers (migrations m003 and m005) record every row a change inserts (its
key), updates or deletes (the whole row before) in ``change_rows``, under the
change the open transaction writes to (``change_state``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from cases.catalogue import (
    ACTOR_TEXTS,
    LOGGED,
    RECORD,
    TABLE,
    TABLES,
    ActorText,
    OneOf,
    actor_texts,
)
from cases.db.connection import Row, Store, chunks, marks
from cases.db.rows import integrity_error
from cases.db.search import optimize


def changes(store: Store, limit: int) -> list[Row]:
    """The latest change-log entries, newest first."""
    return store.all("SELECT * FROM changes ORDER BY id DESC LIMIT ?", [limit])


def latest_undoable_change(store: Store, user: str | None = None) -> Row | None:
    """The latest change not yet undone (of USER when given; None when there is none)."""
    mine = ' AND "user" = ?' if user is not None else ""
    return store.one(
        f"SELECT * FROM changes WHERE undone_at IS NULL AND needs_purged = 0{mine} "
        "ORDER BY id DESC LIMIT 1",
        [user] if user is not None else [],
    )


# The last id of the rows a change-log row stands for (an insert-range's is in
# ``before``), for comparing what two changes touched.
_LAST = "(CASE {0}.op WHEN 'insert-range' THEN CAST({0}.before AS INTEGER) ELSE {0}.row_id END)"


def reversal_overlaps(store: Store, reversal_id: int, change_id: int, user: str) -> Row | None:
    """The first change after CHANGE_ID, not undone, made by someone other than
    USER, that touched a row the reversal logged as REVERSAL_ID touched (the
    change's own rows, and what their removal took along), or None."""
    return store.one(
        f"""SELECT c.* FROM changes c
            WHERE c.id > ? AND c.id != ? AND c.undone_at IS NULL AND c."user" != ?
            AND EXISTS (
                SELECT 1 FROM change_rows theirs JOIN change_rows ours
                ON ours.change_id = ? AND ours.tbl = theirs.tbl
                AND theirs.row_id <= {_LAST.format("ours")}
                AND ours.row_id <= {_LAST.format("theirs")}
                WHERE theirs.change_id = c.id)
            ORDER BY c.id LIMIT 1""",
        [change_id, reversal_id, user, reversal_id],
    )


def reverse_change(store: Store, change_id: int) -> int:
    """Undo one change exactly, newest row first; return how many rows it restored."""
    store.require_write()
    # rows come back in reverse order; a parent may be restored after a child
    store.conn.execute("PRAGMA defer_foreign_keys=ON")
    rows = store.conn.execute(
        "SELECT tbl, op, row_id, before FROM change_rows WHERE change_id = ? ORDER BY id DESC",
        [change_id],
    ).fetchall()
    for table, op, row_id, before in rows:
        if op == "insert":
            store.conn.execute(f'DELETE FROM "{table}" WHERE id = ?', [row_id])
            continue
        if op == "insert-range":
            store.conn.execute(
                f'DELETE FROM "{table}" WHERE id BETWEEN ? AND ?', [row_id, int(before)]
            )
            continue
        image = json.loads(before)
        columns = list(image)
        try:
            if op == "update":
                assignments = ", ".join(f'"{c}" = ?' for c in columns)
                store.conn.execute(
                    f'UPDATE "{table}" SET {assignments} WHERE id = ?',
                    [*image.values(), row_id],
                )
            else:
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                store.conn.execute(
                    f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(image.values())
                )
        except sqlite3.IntegrityError as error:
            raise integrity_error(table, error) from None
    store.conn.execute("UPDATE changes SET undone_at = datetime('now') WHERE id = ?", [change_id])
    # a merge undone: the merged row is back, and nothing became of it
    store.conn.execute("DELETE FROM fates WHERE change_id = ? AND fate = 'merged'", [change_id])
    return len(rows)


def set_bulk(store: Store, on: bool) -> None:
    """Bulk mode: inserts are not logged row by row and search triggers stand still."""
    store.require_write()
    store.conn.execute("UPDATE change_state SET bulk = ? WHERE id = 1", [int(on)])


def log_insert_range(store: Store, table: str, first: int, last: int) -> None:
    """Log that the open change inserted ids FIRST..LAST of TABLE (a bulk insert)."""
    store.require_write()
    store.conn.execute(
        "INSERT INTO change_rows (change_id, tbl, op, row_id, before) "
        "VALUES (?, ?, 'insert-range', ?, ?)",
        [store.change_id, table, first, str(last)],
    )


def purge_current_change(store: Store) -> int:
    """Erase from the whole log everything of what the open change deleted.

    Purged are the rows this change deleted, the people (or organisations)
    merged into a purged one (a merge deletes them, so their rows are in an older entry), and
    every logged row that belonged to a purged row through a cascading key
    (an event of the person deleted earlier, a citation of it...). Their
    images go from every entry; an optional link to them (a judge, a trial, an
    appeal) and a text that names a purged person are blanked in the images
    that keep them. An older entry that loses an image it needs to be undone
    is marked ``needs_purged`` (undo passes over it); one left with nothing
    is marked purged. Returns how many log rows were erased.
    """
    store.require_write()
    change = store.change_id
    touched = {
        str(table)
        for (table,) in store.conn.execute(
            "SELECT DISTINCT tbl FROM change_rows WHERE change_id = ?", [change]
        )
    }
    purged: set[tuple[str, int]] = {
        (str(table), int(row_id))
        for table, row_id in store.conn.execute(
            "SELECT tbl, row_id FROM change_rows WHERE change_id = ? AND op = 'delete'",
            [change],
        )
    }
    cascading, nulling = _foreign_keys()
    while True:
        found = set(purged)
        for actor_table in ("people", "organisations"):
            ids = [row_id for table, row_id in found if table == actor_table]
            for chunk in chunks(ids):
                found.update(
                    (actor_table, int(row_id))
                    for (row_id,) in store.conn.execute(
                        f"SELECT row_id FROM fates WHERE tbl = ? AND fate = 'merged' "
                        f"AND into_id IN ({marks(chunk)})",
                        [actor_table, *chunk],
                    )
                )
        uids = _image_values(store, found, "uid")
        for table, column, parent in cascading:
            parents = [row_id for kind, row_id in found if kind == parent]
            found.update(_images_pointing_at(store, table, column, parents))
        for table, column in _RECORD_COLUMNS:
            # a citation of a purged record, a participant of a purged fact
            found.update(_images_pointing_at(store, table, column, sorted(uids)))
        if found == purged:
            break
        purged = found
    # texts that name a purged person, and optional links to purged rows
    actors = {key for key in purged if key[0] in ("people", "organisations", "aliases")}
    names = _image_values(store, actors, "name")
    keys = sorted({key for key in map(_name_key_of, names) if key})
    for table, column, parent in nulling:
        ids = [row_id for kind, row_id in purged if kind == parent]
        # the link, and the text it links (a judge's name), with the text's other links
        text = next((t for t in actor_texts(table) if column in dict(t.links)), None)
        columns = [column] if text is None else [text.column, *dict(text.links)]
        cleared = ", ".join(f"'$.{name}', NULL" for name in dict.fromkeys(columns))
        for chunk in chunks(ids):
            store.conn.execute(
                f"UPDATE change_rows SET before = json_set(before, {cleared}) "
                f"WHERE tbl = ? AND before IS NOT NULL "
                f"AND json_extract(before, '$.{column}') IN ({marks(chunk)})",
                [table, *_as_logged(store, chunk)],
            )
    for text in ACTOR_TEXTS:
        if text.lines:
            _drop_named_lines_in_images(store, text, set(keys))
            continue
        cleared = ", ".join(f"'$.{name}', NULL" for name in (text.column, *dict(text.links)))
        _blank_in_images(store, text, cleared, keys)
    # erase, and mark what the erasing leaves unable to be undone
    store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS purging (tbl TEXT, row_id INTEGER)")
    store.conn.execute("DELETE FROM temp.purging")
    store.conn.executemany("INSERT INTO temp.purging VALUES (?, ?)", sorted(purged))
    store.conn.execute(
        """UPDATE changes SET needs_purged = 1 WHERE id != ? AND id IN (
               SELECT change_id FROM change_rows WHERE op IN ('update', 'delete')
               AND (tbl, row_id) IN (SELECT tbl, row_id FROM temp.purging))""",
        [change],
    )
    cursor = store.conn.execute(
        """DELETE FROM change_rows WHERE change_id = ?
               OR (tbl, row_id) IN (SELECT tbl, row_id FROM temp.purging)""",
        [change],
    )
    erased = int(cursor.rowcount)
    # an entry left with nothing (the addition of a purged person) is erased too
    store.conn.execute(
        """UPDATE changes SET purged = 1, undone_at = coalesce(undone_at, datetime('now'))
           WHERE rows > 0 AND purged = 0 AND id != ?
           AND NOT EXISTS (SELECT 1 FROM change_rows WHERE change_id = changes.id)""",
        [change],
    )
    store.conn.execute(
        "DELETE FROM fates WHERE (tbl, row_id) IN (SELECT tbl, row_id FROM temp.purging)"
    )
    store.conn.execute(
        "INSERT INTO fates (tbl, row_id, fate, into_id, change_id) "
        "SELECT tbl, row_id, 'purged', NULL, ? FROM temp.purging",
        [change],
    )
    store.conn.execute("DELETE FROM temp.purging")
    # the purge itself cannot be undone: its row images are gone
    store.conn.execute(
        "UPDATE changes SET purged = 1, undone_at = datetime('now') WHERE id = ?", [change]
    )
    # rewrite the search indexes so that no deleted text lingers in their pages
    optimize(store, touched | {table for table, _ in purged})
    store.purged_tables = touched | {table for table, _ in purged}
    return erased


def _as_logged(store: Store, values: Sequence[Any]) -> list[Any]:
    """VALUES as a logged image's members compare with them: on a server its
    json_extract gives texts (an id too)."""
    if store.engine == "sqlite":
        return list(values)
    return [None if value is None else str(value) for value in values]


def _blank_in_images(store: Store, text: ActorText, cleared: str, keys: list[str]) -> None:
    """Set the members CLEARED of every logged image of TEXT's table whose text
    names one of KEYS (by its name key) to null."""
    if store.engine == "sqlite":
        store.conn.execute(
            f"UPDATE change_rows SET before = json_set(before, {cleared}) "
            f"WHERE tbl = ? AND before IS NOT NULL AND "
            f"cases_name_key(json_extract(before, '$.{text.column}')) IN "
            "(SELECT value FROM json_each(?))",
            [text.table, json.dumps(keys)],
        )
        return
    # a server cannot fold names: the images' texts are keyed here
    wanted = set(keys)
    found = store.conn.execute(
        f"SELECT id, json_extract(before, '$.{text.column}') FROM change_rows "
        "WHERE tbl = ? AND before IS NOT NULL "
        f"AND json_extract(before, '$.{text.column}') IS NOT NULL",
        [text.table],
    ).fetchall()
    for chunk in chunks([log_id for log_id, value in found if _name_key_of(value) in wanted]):
        store.conn.execute(
            f"UPDATE change_rows SET before = json_set(before, {cleared}) "
            f"WHERE id IN ({marks(chunk)})",
            chunk,
        )


def _drop_named_lines_in_images(store: Store, text: ActorText, keys: set[str]) -> None:
    """Drop the lines naming one of KEYS from TEXT (authors) in every logged image."""
    from cases.names import name_key

    if not keys:
        return
    found = store.conn.execute(
        f"SELECT id, json_extract(before, '$.{text.column}') FROM change_rows "
        f"WHERE tbl = ? AND before IS NOT NULL "
        f"AND json_extract(before, '$.{text.column}') IS NOT NULL",
        [text.table],
    ).fetchall()
    for log_id, value in found:
        lines = str(value).split("\n")
        kept = [line for line in lines if name_key(line) not in keys]
        if len(kept) != len(lines):
            store.conn.execute(
                f"UPDATE change_rows SET before = json_set(before, '$.{text.column}', ?) "
                "WHERE id = ?",
                ["\n".join(kept) or None, log_id],
            )


# Columns naming a record by its uid (no foreign key cascades them): (table, column).
_RECORD_COLUMNS = tuple(
    (table.name, field.name)
    for table in TABLES
    for field in table.all_fields
    if field.type == RECORD
)


def _image_values(store: Store, rows: set[tuple[str, int]], field: str) -> set[str]:
    """FIELD of every logged image of ROWS (table, id)."""
    values: set[str] = set()
    by_table: dict[str, list[int]] = {}
    for table, row_id in rows:
        by_table.setdefault(table, []).append(row_id)
    for table, ids in by_table.items():
        for chunk in chunks(sorted(ids)):
            values.update(
                str(value)
                for (value,) in store.conn.execute(
                    f"SELECT DISTINCT json_extract(before, '$.{field}') FROM change_rows "
                    f"WHERE tbl = ? AND row_id IN ({marks(chunk)}) AND before IS NOT NULL",
                    [table, *chunk],
                )
                if value is not None
            )
    return values


def _images_pointing_at(
    store: Store, table: str, column: str, targets: Sequence[Any]
) -> set[tuple[str, int]]:
    """(TABLE, id) of logged images whose COLUMN is one of TARGETS."""
    found: set[tuple[str, int]] = set()
    for chunk in chunks(list(targets)):
        found.update(
            (table, int(row_id))
            for (row_id,) in store.conn.execute(
                f"SELECT DISTINCT row_id FROM change_rows WHERE tbl = ? "
                f"AND before IS NOT NULL AND json_extract(before, '$.{column}') IN ({marks(chunk)})",
                [table, *_as_logged(store, chunk)],
            )
        )
    return found


def withdraw_texts_naming(store: Store, table: str, actor_id: int, *, purge: bool) -> int:
    """Withdraw every text on other records that names this actor (a person or
    an organisation of TABLE): linked to it, or its name or an alias as written
    (a judge's name on a trial, a court, a publisher, an author). A text is
    blanked (an author's line dropped); a row that was nothing but that text
    (a judge named on a trial) goes; a row that belongs to the actor it names
    (a claim attributed to them) is made private, or with PURGE deleted.
    Returns how many records changed."""
    store.require_write()
    keys = _names_of_actor(store, table, actor_id)
    changed = 0
    for text in ACTOR_TEXTS:
        if table not in text.names:
            continue
        links = [link for link, target in text.links if target == table]
        named = [f'"{link}" = :actor' for link in links]
        if not text.lines:
            named.append(
                f"{store.name_key_sql(text.column)} IN (SELECT value FROM json_each(:keys))"
            )
        where = " OR ".join(named)
        params = {"actor": actor_id, "keys": json.dumps(sorted(keys))}
        if text.lines:
            changed += _drop_named_lines(store, text, keys)
            continue
        if text.owner:
            action = "DELETE FROM" if purge else "UPDATE"
            setting = "" if purge else " SET private = 1"
            guard = "" if purge else " AND private = 0"
            cursor = store.conn.execute(
                f'{action} "{text.table}"{setting} WHERE ({where}){guard}', params
            )
            changed += int(cursor.rowcount)
            continue
        cleared = ", ".join(f'"{column}" = NULL' for column in (text.column, *links))
        cursor = store.conn.execute(f'UPDATE "{text.table}" SET {cleared} WHERE {where}', params)
        changed += int(cursor.rowcount)
        # a row that was nothing but that text (a judge named on a trial) goes
        for rule in TABLE[text.table].rules:
            if isinstance(rule, OneOf) and text.column in rule.columns:
                store.conn.execute(f'DELETE FROM "{text.table}" AS r WHERE {rule.broken_sql("r")}')
    return changed


def _names_of_actor(store: Store, table: str, actor_id: int) -> set[str]:
    """The name keys of an actor: its name's and its aliases'."""
    owner = "person_id" if table == "people" else "org_id"
    return {
        str(key)
        for (key,) in store.conn.execute(
            f"""SELECT name_key FROM "{table}" WHERE id = :actor AND name_key IS NOT NULL
                UNION SELECT name_key FROM aliases WHERE {owner} = :actor""",
            {"actor": actor_id},
        )
    }


def _drop_named_lines(store: Store, text: ActorText, keys: set[str]) -> int:
    """Drop the lines of a text of names (authors) that are one of KEYS."""
    from cases.names import name_key

    changed = 0
    if not keys:
        return 0
    found = store.conn.execute(
        f'SELECT id, "{text.column}" FROM "{text.table}" WHERE "{text.column}" IS NOT NULL'
    ).fetchall()
    for row_id, value in found:
        kept = [line for line in str(value).split("\n") if name_key(line) not in keys]
        if len(kept) != len(str(value).split("\n")):
            store.conn.execute(
                f'UPDATE "{text.table}" SET "{text.column}" = ? WHERE id = ?',
                ["\n".join(kept) or None, row_id],
            )
            changed += 1
    return changed


def set_fate(store: Store, table: str, row_id: int, fate: str, into_id: int | None = None) -> None:
    """Remember what became of a row that is gone (merged into INTO_ID, purged)."""
    store.require_write()
    # in place of what it was said to have become (INSERT OR REPLACE is SQLite's)
    store.conn.execute("DELETE FROM fates WHERE tbl = ? AND row_id = ?", [table, row_id])
    store.conn.execute(
        "INSERT INTO fates (tbl, row_id, fate, into_id, change_id) VALUES (?, ?, ?, ?, ?)",
        [table, row_id, fate, into_id, store.change_id],
    )


def fate_of(store: Store, table: str, row_id: int) -> tuple[str, int | None, int | None] | None:
    """What became of a row that is not there: ("merged", into id, change),
    ("purged", None, change) or ("deleted", None, change); None if it never was."""
    found = store.conn.execute(
        "SELECT fate, into_id, change_id FROM fates WHERE tbl = ? AND row_id = ?",
        [table, row_id],
    ).fetchone()
    if found is not None:
        return str(found[0]), found[1], found[2]
    deleted = store.conn.execute(
        """SELECT cr.change_id FROM change_rows cr JOIN changes c ON c.id = cr.change_id
           WHERE cr.tbl = ? AND cr.row_id = ? AND cr.op = 'delete' AND c.undone_at IS NULL
           ORDER BY cr.change_id DESC LIMIT 1""",
        [table, row_id],
    ).fetchone()
    return ("deleted", None, int(deleted[0])) if deleted is not None else None


def purge_leftovers(store: Store) -> list[str]:
    """What a purge should have erased and is still there: a log image of a
    purged row, or an entry still open to undo that needs a purged row."""
    from cases.records import KIND_BY_TABLE

    if store.engine == "postgresql":
        return []  # nothing is purged on a team database (purge_current_change)

    def ref(table: str, row_id: int) -> str:
        kind = KIND_BY_TABLE.get(table)
        return f"{kind.prefix}{row_id}" if kind else f"{table} row {row_id}"

    problems = [
        f"purge: {ref(table, row_id)} was purged but the change log still holds it (C{change})"
        for table, row_id, change in store.conn.execute(
            """SELECT cr.tbl, cr.row_id, cr.change_id FROM change_rows cr
               JOIN fates f ON f.tbl = cr.tbl AND f.row_id = cr.row_id
               WHERE f.fate = 'purged' LIMIT 20"""
        )
    ]
    cascading, nulling = _foreign_keys()
    for table, column, parent in (*cascading, *nulling):
        for change, row_id in store.conn.execute(
            f"""SELECT cr.change_id, cr.row_id FROM change_rows cr
                JOIN changes c ON c.id = cr.change_id
                WHERE c.undone_at IS NULL AND c.needs_purged = 0 AND cr.tbl = ?
                AND cr.before IS NOT NULL AND json_extract(cr.before, '$.{column}') IN (
                    SELECT row_id FROM fates WHERE tbl = ? AND fate = 'purged')
                LIMIT 20""",
            [table, parent],
        ):
            problems.append(
                f"undo: C{change} would bring back {ref(table, row_id)}, which needs "
                f"a purged {parent} record"
            )
    return problems


def _name_key_of(name: str) -> str:
    from cases.names import name_key

    return name_key(name)


def _foreign_keys() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(table, column, parent table) of every foreign key of the logged tables
    (as the schema declares them): those that cascade a delete, and those that
    set the column to NULL."""
    from cases.db.schema import foreign_keys

    cascading: list[tuple[str, str, str]] = []
    nulling: list[tuple[str, str, str]] = []
    for table, column, parent, cascade in foreign_keys():
        if table in LOGGED:
            (cascading if cascade else nulling).append((table, column, parent))
    return cascading, nulling
