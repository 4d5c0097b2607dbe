"""Steps 14 on: each the difference between two declared versions of the
catalogue, its DDL generated from the declarations (cases.db.schema)."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from cases.migrations.actors import log_triggers
from cases.migrations.steps import migrations


@migrations()
def m014_private_citations_and_pending_erasure(db: Database) -> None:
    """A citation may be private: one attributed to a private person or
    organisation stays private when they are deleted or merged away. Private
    actors and aliases are indexed by their name keys. And a
    purge whose erasure of the file is not complete yet (a reader kept the
    checkpoint from wiping the old pages, or the process was killed first) is
    remembered, so that the next command completes it."""
    db.execute(
        "ALTER TABLE citations ADD COLUMN private INTEGER NOT NULL DEFAULT 0 "
        "CHECK (private IN (0, 1))"
    )
    log_triggers(db, "citations")
    db.execute("ALTER TABLE change_state ADD COLUMN erase_pending INTEGER NOT NULL DEFAULT 0")
    # the few private actors and aliases, found without reading every one (what a
    # search hit or a worklist line needs to know it is private)
    for table in ("people", "organisations", "aliases"):
        db.execute(f"CREATE INDEX {table}_private ON {table}(name_key) WHERE private = 1")


# The participants' links to each kind of fact before step 15, and the tables.
_M014_FACT_LINKS = (
    ("trial_id", "trials"),
    ("ruling_id", "rulings"),
    ("asylum_id", "asylum"),
    ("detention_id", "detentions"),
    ("event_id", "events"),
)


@migrations()
def m015_participants_name_their_fact_by_uid(db: Database) -> None:
    """A participant names its fact by uid (``fact_uid``), as a citation names
    its record: a new kind of fact needs no rebuild of participants. Each fact
    table takes its participants along when a fact goes (a trigger, as its
    citations go). The table is built anew as the catalogue declares it at
    schema 15, its rows, ids and counter kept; the change log's images of
    participants name their fact by uid too, so that undo of an older change
    still brings them back."""
    from cases.catalogue import TABLE
    from cases.db import schema

    conn = db.conn
    participants = TABLE["participants"]
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index') "
        "AND tbl_name = 'participants' AND sql IS NOT NULL"
    ).fetchall():
        kind = conn.execute("SELECT type FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
        conn.execute(f'DROP {kind.upper()} "{name}"')
    conn.execute("DROP TABLE IF EXISTS participants_fts")
    sequence = conn.execute(
        "SELECT seq FROM sqlite_sequence WHERE name = 'participants'"
    ).fetchone()
    conn.execute("ALTER TABLE participants RENAME TO participants_m014")
    conn.execute(schema.create_table(participants, 15))
    fact_uid = (
        "coalesce("
        + ", ".join(
            f'(SELECT uid FROM "{table}" WHERE id = o.{column})'
            for column, table in _M014_FACT_LINKS
        )
        + ")"
    )
    conn.execute(
        f"""INSERT INTO participants (id, uid, fact_uid, person_id, org_id, role, note, private)
            SELECT id, uid, {fact_uid}, person_id, org_id, role, note, private
            FROM participants_m014 o WHERE {fact_uid} IS NOT NULL"""
    )
    conn.execute("DROP TABLE participants_m014")
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'participants'")
    if sequence is not None:
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('participants', ?)", [sequence[0]]
        )
    for statement in (
        *schema.indexes(participants, 15),
        *schema.log_triggers(participants, 15),
        *schema.full_text(participants, 15),
        *schema.taken_along(participants),
    ):
        conn.execute(statement)
    for _, table in _M014_FACT_LINKS:
        conn.execute(
            f'CREATE TRIGGER "{table}_drop_participants" AFTER DELETE ON "{table}" '
            "BEGIN DELETE FROM participants WHERE fact_uid = OLD.uid; END"
        )
    # the images in the change log: the fact by its uid, found in its table or,
    # for a fact deleted since, in the log's own image of it
    for column, table in _M014_FACT_LINKS:
        conn.execute(
            f"""UPDATE change_rows SET before = json_set(before, '$.fact_uid', coalesce(
                    (SELECT uid FROM "{table}" WHERE id = json_extract(before, '$.{column}')),
                    (SELECT json_extract(image.before, '$.uid') FROM change_rows image
                     WHERE image.tbl = '{table}' AND image.before IS NOT NULL
                     AND image.op != 'insert-range'
                     AND image.row_id = json_extract(change_rows.before, '$.{column}')
                     LIMIT 1)))
                WHERE tbl = 'participants' AND before IS NOT NULL AND op != 'insert-range'
                AND json_extract(before, '$.{column}') IS NOT NULL"""
        )
    removed = ", ".join(f"'$.{column}'" for column, _ in _M014_FACT_LINKS)
    conn.execute(
        f"""UPDATE change_rows SET before = json_remove(before, {removed})
            WHERE tbl = 'participants' AND before IS NOT NULL AND op != 'insert-range'"""
    )
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise sqlite3.IntegrityError(f"foreign key check failed after m015: {problems[:3]}")


@migrations()
def m016_communications(db: Database) -> None:
    """Communications (``M``): what an actor sends on someone's behalf (a petition,
    an urgent appeal, a letter), to whom and about whom, and what came back; the
    table as the catalogue declares it at schema 16."""
    from cases.catalogue import TABLE
    from cases.db import schema

    for statement in schema.table_sql(TABLE["communications"], 16):
        db.conn.execute(statement)


@migrations()
def m017_grounds_of_rulings_and_asylum_decisions(db: Database) -> None:
    """The grounds of a ruling or an asylum decision: why it went as it did, in
    the report's terms. A searchable field: each table's full-text table is
    made anew with it, and its change-log triggers log it."""
    from cases.catalogue import TABLE
    from cases.db import schema

    conn = db.conn
    for name in ("rulings", "asylum"):
        conn.execute(f'ALTER TABLE "{name}" ADD COLUMN grounds TEXT')
        for trigger in ("ai", "ad", "au"):
            conn.execute(f'DROP TRIGGER IF EXISTS "{name}_{trigger}"')
        conn.execute(f'DROP TABLE IF EXISTS "{name}_fts"')
        for statement in schema.full_text(TABLE[name], 17):
            conn.execute(statement)
        log_triggers(db, name)


@migrations()
def m018_whereabouts(db: Database) -> None:
    """Whereabouts (``W``): where someone is or was known to be; the table as the
    catalogue declares it at schema 18."""
    from cases.catalogue import TABLE
    from cases.db import schema

    for statement in schema.table_sql(TABLE["whereabouts"], 18):
        db.conn.execute(statement)


def _rebuild(db: Database, name: str, version: int) -> None:
    """Build table NAME anew as the catalogue declares it at VERSION, keeping
    its rows, ids and counter: the way SQLite changes a column's NOT NULL. Its
    indexes, triggers and full-text table are made anew; no other table's
    trigger names it (the triggers that take citations and participants along
    are its own)."""
    from cases.catalogue import TABLE
    from cases.db import schema

    conn = db.conn
    table = TABLE[name]
    for kind, item in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'index') "
        "AND tbl_name = ? AND sql IS NOT NULL",
        [name],
    ).fetchall():
        conn.execute(f'DROP {kind.upper()} "{item}"')
    conn.execute(f'DROP TABLE IF EXISTS "{name}_fts"')
    sequence = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [name]).fetchone()
    old = f"{name}_m{version - 1:03d}"
    conn.execute(f'ALTER TABLE "{name}" RENAME TO "{old}"')
    kept = [row[1] for row in conn.execute(f'PRAGMA table_info("{old}")')]
    statements = schema.table_sql(table, version)
    conn.execute(statements[0])
    columns = ", ".join(f'"{c}"' for c in kept if c in schema.columns_at(table, version))
    conn.execute(f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM "{old}"')
    conn.execute(f'DROP TABLE "{old}"')
    conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", [name])
    if sequence is not None:
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [name, sequence[0]])
    for statement in statements[1:]:
        conn.execute(statement)
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise sqlite3.IntegrityError(f"foreign key check failed after rebuilding {name}")


@migrations()
def m019_detentions_of_groups_and_for_a_duration(db: Database) -> None:
    """A detention may be of a group (an organisation), and may be known only by
    how long it lasted ("held for several years"): its person and its start are
    no longer required, and it has a duration. The table is built anew as the
    catalogue declares it at schema 19."""
    _rebuild(db, "detentions", 19)
