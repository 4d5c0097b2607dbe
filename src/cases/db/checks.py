"""What ``cases check`` verifies in the file: SQLite's own checks, the full-text
tables against their tables, links, dates, name keys, schema; and backups."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from cases.catalogue import DATE, RECORD, TABLES, records_of
from cases.dates import display_date
from cases.db import search
from cases.db.connection import Store
from cases.errors import Conflict


def storage_problems(store: Store) -> list[str]:
    """The engine's checks of what it stores: a file's integrity, links and
    full-text tables (SQLite's own checks); nothing on a team database, whose
    server keeps its pages, links and indexes whole itself."""
    if store.engine == "postgresql":
        return []
    problems = integrity_problems(store)
    if any(problem.startswith("integrity") for problem in problems):
        return problems
    return problems + search_index_problems(store)


def schema_problems(store: Store) -> list[str]:
    """A schema behind this version of cases: a file's migrations not applied,
    or a team database made by another version."""
    if store.engine == "postgresql":
        return server_schema_problems(store)
    return [f"migration: {name} not applied" for name in pending_migrations(store)]


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


def dangling_records(store: Store) -> list[str]:
    """Rows naming by uid a record that is not there: a citation's record, a
    participant's fact (each of the tables it may name), as readable lines."""
    problems: list[str] = []
    for table in TABLES:
        for field in table.all_fields:
            if field.type != RECORD:
                continue
            # one lookup in each table's uid index a row (NOT IN a union is
            # rescanned for every row by PostgreSQL where it is large)
            missing = " AND ".join(
                f'NOT EXISTS (SELECT 1 FROM "{t}" WHERE uid = r."{field.name}")'
                for t in records_of(field)
            )
            problems.extend(
                f"{table.noun or table.name}: {field.name} {uid} names no {field.what}"
                for (uid,) in store.conn.execute(
                    f'SELECT "{field.name}" FROM "{table.name}" r '
                    f'WHERE "{field.name}" IS NOT NULL AND {missing} LIMIT 5'
                )
            )
    return problems


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


# A fact that ends a detention of its person it comes after (service/status.py's
# ``ending``): a release, or a ruling that frees or sentences them. {d} is the
# detention, {x} the fact.
_DAY = "coalesce({0}_earliest, {0}_latest)"
_ENDS_RELEASE = "{x}.kind = 'release'"
_FREES = """({x}.outcome IN ('acquitted', 'dismissed') OR ({x}.sentence_kinds IS NOT NULL
             AND {x}.sentence_kinds NOT LIKE '%prison%'
             AND {x}.sentence_kinds NOT LIKE '%labor-camp%'))"""
_ENDS_RULING = f"({_FREES} OR {{x}}.sentence_kinds IS NOT NULL)"


def contradictions(store: Store) -> list[str]:
    """Facts that cannot all be true, each with the references involved: a
    detention whose recorded end comes after a release or a ruling that freed
    the person, two detentions of one person that nothing ends, a ruling dated
    before its trial opened. An open detention that a later fact ends is how
    reports tell it, not a contradiction."""
    start, end = _DAY.format("d.start"), _DAY.format("d.end")
    frees = _FREES.format(x="r")
    problems = [
        f"contradiction: D{d} of {actor} ends {display_date(shown_end)}, but {what} ({ref}) "
        f"ended it before, on {display_date(shown)}; correct one of them "
        f"(cases edit D{d} --set end=DATE)"
        for d, actor, shown_end, what, ref, shown in store.conn.execute(
            f"""SELECT d.id, 'P' || d.person_id, d."end", 'a release', 'E' || e.id, e.date
                FROM detentions d JOIN events e ON e.person_id = d.person_id
                AND e.kind = 'release' AND {_DAY.format("e.date")} >= {start}
                AND coalesce(e.date_latest, e.date_earliest) < {end}
                WHERE d."end" IS NOT NULL
                UNION ALL
                SELECT d.id, 'O' || d.org_id, d."end", 'a release', 'E' || e.id, e.date
                FROM detentions d JOIN events e ON e.org_id = d.org_id
                AND e.kind = 'release' AND {_DAY.format("e.date")} >= {start}
                AND coalesce(e.date_latest, e.date_earliest) < {end}
                WHERE d."end" IS NOT NULL
                UNION ALL
                SELECT d.id, 'P' || d.person_id, d."end", 'a ruling that freed them', 'R' || r.id,
                       r.date
                FROM detentions d JOIN rulings r ON r.person_id = d.person_id AND {frees}
                AND {_DAY.format("r.date")} >= {start}
                AND coalesce(r.date_latest, r.date_earliest) < {end}
                WHERE d."end" IS NOT NULL
                ORDER BY 1, 5"""
        )
    ]
    # a duration the dates cannot allow: their fewest days above its most, or
    # their most below its fewest
    problems.extend(
        f"contradiction: D{d} lasted {duration}, but its dates ({display_date(start_text)} to "
        f"{display_date(end_text)}) allow {fewest} to {most} days; correct one of them"
        for d, duration, start_text, end_text, fewest, most in store.conn.execute(
            """SELECT id, duration, start, "end", fewest, most FROM (
                   SELECT id, duration, start, "end", duration_min_days, duration_max_days,
                          CAST(julianday(end_earliest) - julianday(start_latest) AS INTEGER)
                              AS fewest,
                          CAST(julianday(end_latest) - julianday(start_earliest) AS INTEGER)
                              AS most
                   FROM detentions WHERE duration IS NOT NULL AND start IS NOT NULL
                   AND "end" IS NOT NULL) AS measured
               WHERE most < duration_min_days OR fewest > duration_max_days ORDER BY id"""
        )
    )
    ended = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} x WHERE x.person_id = d.person_id AND {condition} "
        f"AND {_DAY.format('x.date')} >= {start})"
        for table, condition in (
            ("events", _ENDS_RELEASE.format(x="x")),
            ("rulings", _ENDS_RULING.format(x="x")),
        )
    )
    problems.extend(
        f"contradiction: P{person} has {count} detentions that nothing ends ({listed}); "
        "end all but the current one"
        for person, count, listed in store.conn.execute(
            f"""SELECT person_id, count(*), group_concat('D' || id, ', ') FROM detentions d
                WHERE "end" IS NULL AND duration IS NULL AND person_id IS NOT NULL
                AND NOT ({ended})
                GROUP BY person_id HAVING count(*) > 1 ORDER BY person_id"""
        )
    )
    problems.extend(
        f"contradiction: R{ruling} is dated {display_date(date)} but its trial T{trial} "
        f"opened {display_date(opened)}"
        for ruling, date, trial, opened in store.conn.execute(
            """SELECT r.id, r.date, t.id, t.opened FROM rulings r JOIN trials t ON t.id = r.trial_id
               WHERE r.date_latest < t.opened_earliest ORDER BY r.id"""
        )
    )
    return problems


def stale_name_keys(store: Store, key: Callable[[str], str]) -> list[str]:
    """Names whose stored key differs from KEY(name) (and on a team database,
    texts naming an actor whose key beside them is not theirs)."""
    problems = stale_text_keys(store) if store.engine == "postgresql" else []
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


def server_schema_problems(store: Store) -> list[str]:
    """A team database made by another version of cases (its schema version)."""
    from cases.catalogue import SCHEMA_VERSION

    version = store.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
    if version != str(SCHEMA_VERSION):
        return [
            f"schema: the team database is at version {version}, this cases at "
            f"{SCHEMA_VERSION}: make a new one (cases team init) and copy the records into it"
        ]
    return []


def stale_text_keys(store: Store) -> list[str]:
    """Texts naming an actor whose name key, kept beside them on a team
    database (the readers' views compare them), is not the text's."""
    from cases.catalogue import ACTOR_TEXTS
    from cases.db.pg.schema import key_column, key_of

    problems = []
    for text in ACTOR_TEXTS:
        key = key_column(text)
        stale = sum(
            1
            for value, stored in store.stream(
                f'SELECT "{text.column}", "{key}" FROM "{text.table}" '
                f'WHERE "{text.column}" IS NOT NULL OR "{key}" IS NOT NULL'
            )
            if key_of(text, value) != stored
        )
        if stale:
            problems.append(f"name key: {stale} {text.table} {text.column} key(s) out of date")
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
