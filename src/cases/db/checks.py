"""What ``cases check`` verifies in the file: SQLite's own checks, the full-text
tables against their tables, links, dates, name keys, schema; and backups."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from cases.catalogue import CITABLE, DATE, TABLES
from cases.db import search
from cases.db.connection import Store, busy_timeout_seconds
from cases.errors import Conflict


def integrity_problems(store: Store) -> list[str]:
    """SQLite's integrity and foreign-key checks, as readable lines."""
    problems: list[str] = []
    try:
        result = [str(row[0]) for row in store.conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.extend(f"integrity: {line}" for line in result[:20])
    except sqlite3.DatabaseError as error:  # a badly broken file raises instead
        problems.append(f"integrity: {error}")
    try:
        for table, rowid, parent, _ in store.conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"foreign key: {table} row {rowid} points at a missing {parent}")
    except sqlite3.DatabaseError as error:
        problems.append(f"foreign key: {error}")
    return problems


def search_index_problems(store: Store) -> list[str]:
    """Each full-text table checked against its table.

    FTS5 runs its check as a write statement (it writes nothing): a read-only
    connection runs it through a writable one of its own, and a file nobody
    may write is left unchecked, with a remark, not a problem.
    """
    statements = search.integrity_checks()
    conn = _connection_that_may_write(store, statements[0][1])
    if conn is None:
        store.notices.append("the search index was not checked: the file is read-only")
        return []
    problems = []
    try:
        for table_name, statement in statements:
            try:
                conn.execute(statement)
            except sqlite3.DatabaseError as error:
                problems.append(f"search index of {table_name}: {error}")
    finally:
        if conn is not store.conn:
            conn.close()
    return problems


def _connection_that_may_write(store: Store, probe: str) -> sqlite3.Connection | None:
    """The store's connection if it may run PROBE, else a writable one, else None."""
    if _may_run(store.conn, probe):
        return store.conn
    if store.path is None:
        return None
    conn = sqlite3.connect(store.path, timeout=busy_timeout_seconds())
    if _may_run(conn, probe):
        return conn
    conn.close()
    return None


def _may_run(conn: sqlite3.Connection, statement: str) -> bool:
    """False only when STATEMENT cannot run because the connection may not write."""
    try:
        conn.execute(statement)
    except sqlite3.OperationalError as error:
        return "readonly" not in str(error)
    except sqlite3.DatabaseError:
        return True  # it ran, and found a problem: the check reports it
    return True


def dangling_citations(store: Store) -> list[str]:
    """record_uids of citations that name no record in any citable table."""
    known = " UNION ALL ".join(f'SELECT uid FROM "{t}"' for t in CITABLE)
    rows = store.conn.execute(
        f"SELECT record_uid FROM citations WHERE record_uid NOT IN ({known}) LIMIT 5"
    )
    return [str(row[0]) for row in rows]


def date_problems(store: Store) -> list[str]:
    """Date columns whose earliest day is after their latest day, and rows that
    break a rule across two dates (a detention that ends before it starts)."""
    problems: list[str] = []
    for table in TABLES:
        prefix = table.kind.prefix if table.kind else f"{table.name} row "
        for field in table.all_fields:
            if field.type != DATE:
                continue
            rows = store.conn.execute(
                f'SELECT id FROM "{table.name}" WHERE "{field.name}_earliest" > '
                f'"{field.name}_latest"'
            ).fetchall()
            problems.extend(
                f"date: {prefix}{row[0]} {field.name} ends before it starts" for row in rows
            )
        for rule in table.rules:
            rows = store.conn.execute(
                f'SELECT id FROM "{table.name}" t WHERE {rule.broken_sql("t")}'
            ).fetchall()
            problems.extend(
                f"date: {prefix}{row[0]} ends ({rule.end}) before it starts ({rule.start})"
                for row in rows
            )
    return problems


def stale_name_keys(store: Store, key: Callable[[str], str]) -> list[str]:
    """Names whose stored key differs from KEY(name)."""
    problems = []
    for table, label in (("people", "P"), ("aliases", "alias of P")):
        id_column = "id" if table == "people" else "person_id"
        for row_id, name, stored in store.conn.execute(
            f"SELECT {id_column}, name, name_key FROM {table}"
        ):
            if key(name) != stored:
                problems.append(f"name key: {label}{row_id} is out of date")
    return problems


def pending_migrations(store: Store) -> list[str]:
    """Migrations not applied to this database."""
    from cases.migrations import migrations, sqlite_utils_view

    return [migration.name for migration in migrations.pending(sqlite_utils_view(store.conn))]


def backup_to(store: Store, target: Path) -> None:
    """A consistent copy of the database at TARGET (SQLite's online backup)."""
    copy = sqlite3.connect(target)
    try:
        store.conn.backup(copy)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise Conflict(f"the backup copy failed its integrity check ({result})")
    finally:
        copy.close()
