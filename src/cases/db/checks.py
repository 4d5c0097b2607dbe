"""What ``cases check`` verifies in the file: SQLite's own checks, the full-text
tables against their tables, links, dates, name keys, schema; and backups."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from cases.catalogue import CITABLE, DATE, TABLES
from cases.db import search
from cases.db.connection import Store
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
    conn = store.reconnect()
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
    break a rule across fields (a detention that ends before it starts)."""
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
            problems.extend(f"rule: {prefix}{row[0]}: {rule.described()}" for row in rows)
    return problems


def contradictions(store: Store) -> list[str]:
    """Facts that contradict each other, each with the references involved: a
    detention still open after a release or a ruling that frees the person, a
    person with two open detentions, a ruling dated before its trial opened."""
    start = "coalesce(d.start_earliest, d.start_latest)"
    problems = [
        f"contradiction: D{d} of P{p} has no end, but {what} ({ref}) comes after it; "
        f"give D{d} an end (cases edit D{d} --set end=DATE)"
        for d, p, what, ref in store.conn.execute(
            f"""SELECT d.id, d.person_id, 'a release', 'E' || e.id FROM detentions d
                JOIN events e ON e.person_id = d.person_id AND e.kind = 'release'
                AND coalesce(e.date_earliest, e.date_latest) >= {start}
                WHERE d."end" IS NULL
                UNION ALL
                SELECT d.id, d.person_id, 'a ruling that frees them', 'R' || r.id
                FROM detentions d JOIN rulings r ON r.person_id = d.person_id
                AND coalesce(r.date_earliest, r.date_latest) >= {start}
                AND (r.outcome IN ('acquitted', 'dismissed') OR (r.sentence_kinds IS NOT NULL
                     AND r.sentence_kinds NOT LIKE '%prison%'
                     AND r.sentence_kinds NOT LIKE '%labor-camp%'))
                WHERE d."end" IS NULL
                ORDER BY 1, 4"""
        )
    ]
    problems.extend(
        f"contradiction: P{person} has {count} detentions with no end ({listed}); "
        "end all but the current one"
        for person, count, listed in store.conn.execute(
            """SELECT person_id, count(*), group_concat('D' || id, ', ') FROM detentions
               WHERE "end" IS NULL GROUP BY person_id HAVING count(*) > 1 ORDER BY person_id"""
        )
    )
    problems.extend(
        f"contradiction: R{ruling} is dated {date} but its trial T{trial} opened {opened}"
        for ruling, date, trial, opened in store.conn.execute(
            """SELECT r.id, r.date, t.id, t.opened FROM rulings r JOIN trials t ON t.id = r.trial_id
               WHERE r.date_latest < t.opened_earliest ORDER BY r.id"""
        )
    )
    return problems


def stale_name_keys(store: Store, key: Callable[[str], str]) -> list[str]:
    """Names whose stored key differs from KEY(name)."""
    problems = []
    for table, owner in (
        ("people", "'P' || id"),
        ("organisations", "'O' || id"),
        ("aliases", "'alias of ' || coalesce('P' || person_id, 'O' || org_id)"),
    ):
        # an unnamed person has no name, and no key
        for label, name, stored in store.conn.execute(
            f"SELECT {owner}, name, name_key FROM {table} WHERE name IS NOT NULL"
        ):
            if key(name) != stored:
                problems.append(f"name key: {label} is out of date")
    return problems


def pending_migrations(store: Store) -> list[str]:
    """Migrations not applied to this database."""
    from cases.migrations import migrations, sqlite_utils_view

    return [migration.name for migration in migrations.pending(sqlite_utils_view(store.conn))]


def backup_to(store: Store, target: Path) -> None:
    """A consistent copy of the database at TARGET (SQLite's online backup)."""
    copy = store.reconnect(target)
    try:
        store.conn.backup(copy)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise Conflict(f"the backup copy failed its integrity check ({result})")
    finally:
        copy.close()
