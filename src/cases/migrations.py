"""Versioned schema changes, applied on open. Append-only: never edit a released step."""

from __future__ import annotations

import re
import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations


def sqlite_utils_view(conn: sqlite3.Connection) -> Database:
    """The sqlite-utils view of a connection, which the migrations run on."""
    return Database(conn)


# The schema as earlier steps knew it. A step is never edited once released, so
# the names it used are kept here as they were, not taken from the catalogue.
CITABLE_TABLES = (
    "people",
    "aliases",
    "sources",
    "trials",
    "trial_parties",
    "rulings",
    "asylum",
    "detentions",
    "events",
    "relations",
)
LOGGED_TABLES = (*CITABLE_TABLES, "citations")
# m002-m008's single search index: (table, column, SQL for the indexed text),
# each row's index rowid id * 64 + its position here.
SEARCH_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("people", "name", "NEW.name || ' ' || NEW.name_key"),
    ("people", "note", "NEW.note"),
    ("people", "origin", "NEW.origin"),
    ("aliases", "name", "NEW.name || ' ' || NEW.name_key"),
    ("sources", "title", "NEW.title"),
    ("sources", "publisher", "NEW.publisher"),
    ("sources", "note", "NEW.note"),
    ("trials", "court", "NEW.court"),
    ("trials", "place", "NEW.place"),
    ("trials", "charge", "NEW.charge"),
    ("trials", "note", "NEW.note"),
    ("rulings", "court", "NEW.court"),
    ("rulings", "sentence", "NEW.sentence"),
    ("rulings", "note", "NEW.note"),
    ("asylum", "country", "NEW.country"),
    ("asylum", "authority", "NEW.authority"),
    ("asylum", "note", "NEW.note"),
    ("detentions", "place", "NEW.place"),
    ("detentions", "note", "NEW.note"),
    ("events", "summary", "NEW.summary"),
    ("events", "place", "NEW.place"),
    ("events", "note", "NEW.note"),
    ("relations", "note", "NEW.note"),
)
SEARCH_SLOTS = 64
TIMELINE_DATES = (
    ("trials", "opened"),
    ("rulings", "date"),
    ("asylum", "date"),
    ("detentions", "start"),
    ("detentions", "end"),
    ("events", "date"),
)
UNDATED = "9999-99-99"


def indexed_text(slot: int) -> str:
    """SQL for the text search field SLOT indexes, over its table's own columns."""
    return SEARCH_FIELDS[slot][2].replace("NEW.", "")


def timeline_anchor(alias: str, field: str) -> str:
    """SQL for a fact's first sort key (the same text as its index expression)."""
    return f"coalesce({alias}.{field}_earliest, {alias}.{field}_latest, '{UNDATED}')"


def timeline_tail(alias: str, field: str) -> str:
    """SQL for a fact's second sort key."""
    return f"coalesce({alias}.{field}_latest, '{UNDATED}')"


migrations = Migrations("cases")

# Columns every record table carries.
_COMMON = """
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
"""
_TAIL = """
    note TEXT,
    private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1))
"""


def _date(field: str) -> str:
    return f"{field} TEXT, {field}_earliest TEXT, {field}_latest TEXT,"


_SCHEMA = [
    f"""CREATE TABLE people ({_COMMON}
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        name_key TEXT NOT NULL,
        sex TEXT, {_date("born")}
        ethnicity TEXT, citizenship TEXT, origin TEXT, {_TAIL})""",
    f"""CREATE TABLE aliases ({_COMMON}
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        name_key TEXT NOT NULL, {_TAIL})""",
    f"""CREATE TABLE sources ({_COMMON}
        title TEXT NOT NULL CHECK (length(trim(title)) > 0),
        url TEXT, publisher TEXT, {_date("date")}
        reliability INTEGER CHECK (reliability BETWEEN 0 AND 4), {_TAIL})""",
    """CREATE TABLE citations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        record_uid TEXT NOT NULL,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        quote TEXT, page TEXT,
        UNIQUE (record_uid, source_id))""",
    f"""CREATE TABLE trials ({_COMMON}
        court TEXT NOT NULL, place TEXT, charge TEXT, case_number TEXT, {_date("opened")}
        judge TEXT, judge_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        lawyer TEXT, lawyer_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        status TEXT, {_TAIL})""",
    f"""CREATE TABLE trial_parties ({_COMMON}
        trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        role TEXT NOT NULL, {_TAIL},
        UNIQUE (trial_id, person_id, role))""",
    f"""CREATE TABLE rulings ({_COMMON}
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        trial_id INTEGER REFERENCES trials(id) ON DELETE SET NULL,
        {_date("date")} court TEXT, outcome TEXT NOT NULL, sentence TEXT, sentence_kind TEXT,
        months INTEGER CHECK (months >= 0), deportation TEXT, extradition TEXT,
        appeal_of_id INTEGER REFERENCES rulings(id) ON DELETE SET NULL, {_TAIL})""",
    f"""CREATE TABLE asylum ({_COMMON}
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        {_date("date")} decision TEXT NOT NULL, country TEXT, authority TEXT,
        {_date("until")} {_TAIL})""",
    f"""CREATE TABLE detentions ({_COMMON}
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        {_date("start")} {_date("end")} kind TEXT, place TEXT, authority TEXT, {_TAIL})""",
    f"""CREATE TABLE events ({_COMMON}
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        {_date("date")} kind TEXT NOT NULL, place TEXT, summary TEXT, {_TAIL})""",
    f"""CREATE TABLE relations ({_COMMON}
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        other_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        kind TEXT NOT NULL, {_TAIL})""",
    "CREATE INDEX people_name_key ON people(name_key)",
    "CREATE INDEX aliases_name_key ON aliases(name_key)",
    "CREATE INDEX aliases_person ON aliases(person_id)",
    "CREATE INDEX sources_url ON sources(url)",
    "CREATE INDEX citations_record ON citations(record_uid)",
    "CREATE INDEX citations_source ON citations(source_id)",
    "CREATE INDEX trials_opened ON trials(opened_earliest, opened_latest)",
    "CREATE INDEX trial_parties_person ON trial_parties(person_id)",
    "CREATE INDEX rulings_person ON rulings(person_id)",
    "CREATE INDEX rulings_trial ON rulings(trial_id)",
    "CREATE INDEX rulings_date ON rulings(date_earliest, date_latest)",
    "CREATE INDEX asylum_person ON asylum(person_id)",
    "CREATE INDEX asylum_date ON asylum(date_earliest, date_latest)",
    "CREATE INDEX detentions_person ON detentions(person_id)",
    "CREATE INDEX detentions_start ON detentions(start_earliest, start_latest)",
    "CREATE INDEX events_person ON events(person_id)",
    "CREATE INDEX events_date ON events(date_earliest, date_latest)",
    "CREATE INDEX relations_person ON relations(person_id)",
    "CREATE INDEX relations_other ON relations(other_id)",
]


@migrations()
def m001_initial(db: Database) -> None:
    """People, aliases, sources, citations and the case records."""
    for statement in _SCHEMA:
        db.execute(statement)
    for table in CITABLE_TABLES:
        db.execute(
            f"""CREATE TRIGGER {table}_drop_citations AFTER DELETE ON {table}
                BEGIN DELETE FROM citations WHERE record_uid = OLD.uid; END"""
        )


def _search_triggers(db: Database) -> None:
    tables = sorted({table for table, _, _ in SEARCH_FIELDS})
    for table in tables:
        inserts = []
        deletes = []
        for slot, (field_table, _, text_sql) in enumerate(SEARCH_FIELDS):
            if field_table != table:
                continue
            inserts.append(
                f"INSERT INTO search_index (rowid, text) SELECT NEW.id * {SEARCH_SLOTS} + {slot}, "
                f"{text_sql} WHERE {text_sql} IS NOT NULL;"
            )
            deletes.append(
                f"DELETE FROM search_index WHERE rowid = OLD.id * {SEARCH_SLOTS} + {slot};"
            )
        db.execute(
            f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} "
            f"BEGIN {' '.join(inserts)} END"
        )
        db.execute(
            f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} "
            f"BEGIN {' '.join(deletes)} END"
        )
        db.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} "
            f"BEGIN {' '.join(deletes)} {' '.join(inserts)} END"
        )


@migrations()
def m002_name_keys_and_search(db: Database) -> None:
    """Transliteration-aware name keys, and a full-text index of names and texts."""
    from cases.names import name_key

    for table in ("people", "aliases"):
        rows = list(db.execute(f"SELECT id, name FROM {table}").fetchall())
        db.conn.executemany(
            f"UPDATE {table} SET name_key = ? WHERE id = ?",
            [(name_key(name), row_id) for row_id, name in rows],
        )
    db.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "text, tokenize = 'unicode61 remove_diacritics 2')"
    )
    _search_triggers(db)
    # index what is already there
    _index_existing_records(db)


def _log_triggers(db: Database, table: str) -> None:
    columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]
    image = ", ".join(f"'{column}', OLD.\"{column}\"" for column in columns)
    active = "(SELECT change_id FROM change_state WHERE id = 1)"
    when = f"WHEN {active} IS NOT NULL"
    db.execute(
        f"CREATE TRIGGER {table}_log_insert AFTER INSERT ON {table} {when} BEGIN "
        f"INSERT INTO change_rows (change_id, tbl, op, row_id) "
        f"VALUES ({active}, '{table}', 'insert', NEW.id); END"
    )
    for op, event in (("update", "UPDATE"), ("delete", "DELETE")):
        db.execute(
            f"CREATE TRIGGER {table}_log_{op} AFTER {event} ON {table} {when} BEGIN "
            f"INSERT INTO change_rows (change_id, tbl, op, row_id, before) "
            f"VALUES ({active}, '{table}', '{op}', OLD.id, json_object({image})); END"
        )


@migrations()
def m003_change_log(db: Database) -> None:
    """The change log: one entry per change, with what it takes to reverse it."""
    db.execute(
        """CREATE TABLE changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            command TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            rows INTEGER NOT NULL DEFAULT 0,
            undone_at TEXT,
            purged INTEGER NOT NULL DEFAULT 0)"""
    )
    # before: the whole row as JSON for updates and deletes; inserts need only the key
    db.execute(
        """CREATE TABLE change_rows (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            tbl TEXT NOT NULL, op TEXT NOT NULL, row_id INTEGER NOT NULL, before TEXT)"""
    )
    db.execute("CREATE INDEX change_rows_change ON change_rows(change_id)")
    db.execute("CREATE INDEX change_rows_record ON change_rows(tbl, row_id)")
    db.execute(
        "CREATE TABLE change_state (id INTEGER PRIMARY KEY CHECK (id = 1), change_id INTEGER)"
    )
    db.execute("INSERT INTO change_state (id, change_id) VALUES (1, NULL)")
    for table in LOGGED_TABLES:
        _log_triggers(db, table)


@migrations()
def m004_timeline_order(db: Database) -> None:
    """Indexes in timeline order, so that 'timeline --limit N' reads N rows, not all."""
    for index in (
        "trials_opened",
        "rulings_date",
        "asylum_date",
        "detentions_start",
        "events_date",
    ):
        db.execute(f"DROP INDEX IF EXISTS {index}")
    for table, field in TIMELINE_DATES:
        anchor = timeline_anchor(table, field).replace(f"{table}.", "")
        tail = timeline_tail(table, field).replace(f"{table}.", "")
        db.execute(f"CREATE INDEX {table}_{field}_order ON {table}({anchor}, {tail}, id)")


@migrations()
def m005_bulk_loading(db: Database) -> None:
    """Let a bulk import skip per-row logging and indexing, and do both set-based.

    With change_state.bulk = 1 an insert logs nothing (the import logs one id
    range per table) and the search triggers stand still (the import indexes
    its rows with one INSERT ... SELECT per field).
    """
    db.execute("ALTER TABLE change_state ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0")
    bulk_off = "(SELECT bulk FROM change_state WHERE id = 1) = 0"
    active = "(SELECT change_id FROM change_state WHERE id = 1)"
    for table in LOGGED_TABLES:
        db.execute(f"DROP TRIGGER {table}_log_insert")
        db.execute(
            f"CREATE TRIGGER {table}_log_insert AFTER INSERT ON {table} "
            f"WHEN {active} IS NOT NULL AND {bulk_off} BEGIN "
            f"INSERT INTO change_rows (change_id, tbl, op, row_id) "
            f"VALUES ({active}, '{table}', 'insert', NEW.id); END"
        )
    for table in sorted({table for table, _, _ in SEARCH_FIELDS}):
        for event in ("insert", "update", "delete"):
            sql = db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                [f"{table}_search_{event}"],
            ).fetchone()[0]
            db.execute(f"DROP TRIGGER {table}_search_{event}")
            db.execute(sql.replace(" BEGIN ", f" WHEN {bulk_off} BEGIN ", 1))


# The record tables, and the unique keys m006 turns from table constraints into
# named indexes: (index name, columns).
_RECORD_TABLES = (*CITABLE_TABLES, "citations")
_UNIQUE_KEYS = {
    **{table: [(f"{table}_uid", "uid")] for table in _RECORD_TABLES},
    "citations": [("citations_uid", "uid"), ("citations_record_source", "record_uid, source_id")],
    "trial_parties": [
        ("trial_parties_uid", "uid"),
        ("trial_parties_trial_person_role", "trial_id, person_id, role"),
    ],
}
_INLINE_UNIQUE = re.compile(r"\s+UNIQUE(?=\s*,)")
_TABLE_UNIQUE = re.compile(r",\s*UNIQUE\s*\([^)]*\)")


@migrations()
def m006_droppable_unique_keys(db: Database) -> None:
    """Unique keys as named indexes, not table constraints, so that a bulk load into
    an empty table can drop them and build them once afterwards (an index built
    from sorted keys costs a fraction of one kept up to date row by row).

    SQLite cannot drop a table constraint, so each record table is rebuilt
    (copy, drop, rename) with its rows, ids and AUTOINCREMENT counter unchanged.
    Store runs migrations with foreign keys off, so that dropping a table does
    not cascade to the rows that refer to it; the keys are checked at the end.
    """
    conn = db.conn
    triggers = [
        sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
    ]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    for table in _RECORD_TABLES:
        (table_sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
        ).fetchone()
        indexes = [
            sql
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [table],
            ).fetchall()
            # the unique (record_uid, source_id) index serves lookups by record_uid
            if name != "citations_record"
        ]
        sequence = conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", [table]
        ).fetchone()
        new_sql = _TABLE_UNIQUE.sub("", _INLINE_UNIQUE.sub("", table_sql))
        new_sql = new_sql.replace(f"CREATE TABLE {table} (", f"CREATE TABLE new_{table} (", 1)
        conn.execute(new_sql)
        conn.execute(f"INSERT INTO new_{table} SELECT * FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE new_{table} RENAME TO {table}")
        # the copy sets the counter to the largest id left; keep the old one, so
        # that no id the change log remembers is given out again
        conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", [table])
        if sequence is not None:
            conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, sequence[0]]
            )
        for sql in indexes:
            conn.execute(sql)
        for name, columns in _UNIQUE_KEYS[table]:
            conn.execute(f"CREATE UNIQUE INDEX {name} ON {table}({columns})")
    for sql in triggers:
        conn.execute(sql)
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise sqlite3.IntegrityError(f"foreign key check failed after m006: {problems[:3]}")


@migrations()
def m007_contentless_search_index(db: Database) -> None:
    """A search index that keeps no copy of the text: it is built in about half the
    time, and private text is stored once, in its record. Search reads the text
    of its hits from the records; a change removes a row's old words by giving
    the index the old text (SQLite's 'delete' command for such an index).
    """
    tables = sorted({table for table, _, _ in SEARCH_FIELDS})
    for table in tables:
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
    db.execute("DROP TABLE search_index")
    db.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "text, content = '', tokenize = 'unicode61 remove_diacritics 2')"
    )
    bulk_off = "WHEN (SELECT bulk FROM change_state WHERE id = 1) = 0"
    for table in tables:
        inserts, deletes = [], []
        for slot, (field_table, _, text_sql) in enumerate(SEARCH_FIELDS):
            if field_table != table:
                continue
            old_text = text_sql.replace("NEW.", "OLD.")
            inserts.append(
                f"INSERT INTO search_index (rowid, text) SELECT NEW.id * {SEARCH_SLOTS} + {slot}, "
                f"{text_sql} WHERE {text_sql} IS NOT NULL;"
            )
            deletes.append(
                "INSERT INTO search_index (search_index, rowid, text) SELECT 'delete', "
                f"OLD.id * {SEARCH_SLOTS} + {slot}, {old_text} WHERE {old_text} IS NOT NULL;"
            )
        insert, delete = " ".join(inserts), " ".join(deletes)
        db.execute(
            f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} {bulk_off} "
            f"BEGIN {insert} END"
        )
        db.execute(
            f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} {bulk_off} "
            f"BEGIN {delete} END"
        )
        db.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} {bulk_off} "
            f"BEGIN {delete} {insert} END"
        )
    _index_existing_records(db)


@migrations()
def m008_search_index_without_lengths(db: Database) -> None:
    """A search index that keeps no per-row lengths (FTS5 ``columnsize=0``).

    Storing a length for each of the index's rows (one per searchable field)
    was half the cost of building it. Ranking
    loses bm25's preference for shorter text; search orders hits of equal
    score by field instead (names first, notes last). The triggers stay: they
    name the index, which is rebuilt here from the records.
    """
    db.execute("DROP TABLE search_index")
    db.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5(text, content = '', columnsize = 0, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    _index_existing_records(db)


def _index_existing_records(db: Database) -> None:
    """Put every record's searchable text into the (empty) search index."""
    for slot, (table, _, _) in enumerate(SEARCH_FIELDS):
        text = indexed_text(slot)
        db.execute(
            f"INSERT INTO search_index (rowid, text) SELECT id * {SEARCH_SLOTS} + {slot}, {text} "
            f"FROM {table} WHERE {text} IS NOT NULL"
        )


@migrations()
def m009_record_fates(db: Database) -> None:
    """What became of records that are gone, and change-log entries a purge blocked.

    ``fates`` keeps, per (table, row id), that the row was merged into another
    (``into_id``) or purged, and in which change: a purge erases what was
    merged into the purged person too, and ``check`` verifies that nothing of
    a purged row is left. ``changes.needs_purged`` marks an entry whose undo
    would need rows a purge erased: ``undo`` passes over it.
    """
    db.execute(
        """CREATE TABLE fates (
            tbl TEXT NOT NULL, row_id INTEGER NOT NULL, fate TEXT NOT NULL,
            into_id INTEGER, change_id INTEGER,
            PRIMARY KEY (tbl, row_id)) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX fates_into ON fates(tbl, into_id)")
    db.execute("ALTER TABLE changes ADD COLUMN needs_purged INTEGER NOT NULL DEFAULT 0")


# m010's full-text tables: TABLE -> the columns TABLE_fts indexes.
FULL_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("name", "name_key", "origin", "note"),
    "aliases": ("name", "name_key", "note"),
    "sources": ("title", "publisher", "note"),
    "trials": ("court", "place", "charge", "note"),
    "trial_parties": ("note",),
    "rulings": ("court", "sentence", "note"),
    "asylum": ("country", "authority", "note"),
    "detentions": ("place", "note"),
    "events": ("place", "summary", "note"),
    "relations": ("note",),
}


def full_text_table(db: Database, table: str, columns: tuple[str, ...]) -> None:
    """TABLE_fts over COLUMNS of TABLE, with its triggers, as ``sqlite-utils
    enable-fts --create-triggers`` makes them (not called: it commits), filled."""
    quoted = ", ".join(f"[{column}]" for column in columns)
    old = ", ".join(f"old.[{column}]" for column in columns)
    new = ", ".join(f"new.[{column}]" for column in columns)
    db.execute(
        f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 (\n    {quoted},\n"
        "    tokenize='unicode61 remove_diacritics 2',\n"
        f"    content=[{table}]\n)"
    )
    db.execute(
        f"CREATE TRIGGER [{table}_ai] AFTER INSERT ON [{table}] BEGIN\n"
        f"  INSERT INTO [{table}_fts] (rowid, {quoted}) VALUES (new.rowid, {new});\nEND"
    )
    db.execute(
        f"CREATE TRIGGER [{table}_ad] AFTER DELETE ON [{table}] BEGIN\n"
        f"  INSERT INTO [{table}_fts] ([{table}_fts], rowid, {quoted}) "
        f"VALUES('delete', old.rowid, {old});\nEND"
    )
    db.execute(
        f"CREATE TRIGGER [{table}_au] AFTER UPDATE ON [{table}] BEGIN\n"
        f"  INSERT INTO [{table}_fts] ([{table}_fts], rowid, {quoted}) "
        f"VALUES('delete', old.rowid, {old});\n"
        f"  INSERT INTO [{table}_fts] (rowid, {quoted}) VALUES (new.rowid, {new});\nEND"
    )
    db.execute(f"INSERT INTO [{table}_fts] ([{table}_fts]) VALUES ('rebuild')")


@migrations()
def m010_full_text_tables(db: Database) -> None:
    """One full-text table per searchable table (``TABLE_fts``, external content,
    triggers), as sqlite-utils makes them, in place of the single contentless
    index: generic tools (sqlite-utils, Datasette, ``iterdump()``) can then read
    and search every table. ``cases search`` queries them field by field.
    """
    for table, _, _ in SEARCH_FIELDS:
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
    db.execute("DROP TABLE IF EXISTS search_index")
    for table, columns in FULL_TEXT_COLUMNS.items():
        full_text_table(db, table, columns)
    # Foreign keys whose child column had no index: deleting the parent (a person
    # named as a judge, an appealed ruling) scanned the whole child table.
    db.execute("CREATE INDEX trials_judge ON trials(judge_person_id)")
    db.execute("CREATE INDEX trials_lawyer ON trials(lawyer_person_id)")
    db.execute("CREATE INDEX rulings_appeal_of ON rulings(appeal_of_id)")


# -- m011: actors, evidence, rulings (issues 16 to 18) -------------------------------

_KEEP = """
    note TEXT,
    private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1))
"""


def _dates(*fields: str) -> str:
    return " ".join(f"{f} TEXT, {f}_earliest TEXT, {f}_latest TEXT," for f in fields)


# Each table m011 builds anew: its CREATE statement, and how each new column is
# filled from the old table (the columns not named here are copied as they are).
_M011_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "people": (
        f"""CREATE TABLE people (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            name TEXT CHECK (name IS NULL OR length(trim(name)) > 0), name_key TEXT,
            description TEXT, sex TEXT, {_dates("born")}
            ethnicity TEXT, citizenship TEXT, origin TEXT, {_KEEP},
            CHECK (name IS NOT NULL OR description IS NOT NULL))""",
        {"description": "NULL"},
    ),
    "aliases": (
        f"""CREATE TABLE aliases (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            org_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0), name_key TEXT NOT NULL, {_KEEP},
            CHECK ((person_id IS NULL) != (org_id IS NULL)))""",
        {"org_id": "NULL"},
    ),
    "sources": (
        f"""CREATE TABLE sources (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            title TEXT NOT NULL CHECK (length(trim(title)) > 0), url TEXT, publisher TEXT,
            authors TEXT, language TEXT, {_dates("date", "accessed")}
            relays_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
            reliability INTEGER CHECK (reliability BETWEEN 0 AND 4), {_KEEP})""",
        {
            "authors": "NULL",
            "language": "NULL",
            "accessed": "NULL",
            "accessed_earliest": "NULL",
            "accessed_latest": "NULL",
            "relays_id": "NULL",
        },
    ),
    "citations": (
        """CREATE TABLE citations (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            record_uid TEXT NOT NULL,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            quote TEXT, page TEXT, according_to TEXT,
            according_to_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            according_to_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL)""",
        {"according_to": "NULL", "according_to_person_id": "NULL", "according_to_org_id": "NULL"},
    ),
    "trials": (
        f"""CREATE TABLE trials (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            court TEXT, court_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
            place TEXT, charge TEXT, case_number TEXT, {_dates("opened")}
            status TEXT, {_KEEP})""",
        {"court_org_id": "NULL"},
    ),
    "trial_parties": (
        f"""CREATE TABLE trial_parties (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
            person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            org_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
            name TEXT, name_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            role TEXT NOT NULL, {_KEEP})""",
        {"org_id": "NULL", "name": "NULL", "name_person_id": "NULL"},
    ),
    "rulings": (
        f"""CREATE TABLE rulings (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            trial_id INTEGER REFERENCES trials(id) ON DELETE SET NULL,
            {_dates("date")} court TEXT,
            court_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
            outcome TEXT NOT NULL, sentence TEXT, sentence_kinds TEXT,
            months INTEGER CHECK (months >= 0), fine_amount NUMERIC, fine_currency TEXT,
            pretrial_credit INTEGER CHECK (pretrial_credit >= 1), plea TEXT,
            deportation TEXT, extradition TEXT,
            appeal_of_id INTEGER REFERENCES rulings(id) ON DELETE SET NULL, {_KEEP})""",
        {
            "court_org_id": "NULL",
            "sentence_kinds": "sentence_kind",
            "fine_amount": "NULL",
            "fine_currency": "NULL",
            "pretrial_credit": "NULL",
            "plea": "NULL",
        },
    ),
    "asylum": (
        f"""CREATE TABLE asylum (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            {_dates("date")} decision TEXT NOT NULL, country TEXT, authority TEXT,
            authority_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
            {_dates("until")} {_KEEP})""",
        {"authority_org_id": "NULL"},
    ),
    "detentions": (
        f"""CREATE TABLE detentions (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            {_dates("start", "end")} kind TEXT, place TEXT, authority TEXT,
            authority_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL, {_KEEP})""",
        {"authority_org_id": "NULL"},
    ),
    "events": (
        f"""CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            org_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
            trial_id INTEGER REFERENCES trials(id) ON DELETE SET NULL,
            {_dates("date")} kind TEXT NOT NULL, place TEXT, summary TEXT, {_KEEP},
            CHECK ((person_id IS NULL) != (org_id IS NULL)))""",
        {"org_id": "NULL", "trial_id": "NULL"},
    ),
    "relations": (
        f"""CREATE TABLE relations (
            id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            org_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
            other_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            other_org_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
            kind TEXT NOT NULL, {_dates("since", "until")} {_KEEP},
            CHECK ((person_id IS NULL) != (org_id IS NULL)),
            CHECK ((other_id IS NULL) != (other_org_id IS NULL)))""",
        {
            "org_id": "NULL",
            "other_org_id": "NULL",
            "since": "NULL",
            "since_earliest": "NULL",
            "since_latest": "NULL",
            "until": "NULL",
            "until_earliest": "NULL",
            "until_latest": "NULL",
        },
    ),
}

_M011_NEW_TABLES = (
    f"""CREATE TABLE organisations (
        id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
        name TEXT NOT NULL CHECK (length(trim(name)) > 0), name_key TEXT NOT NULL,
        kind TEXT, country TEXT, size TEXT,
        part_of_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL, {_KEEP})""",
    f"""CREATE TABLE participants (
        id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL,
        trial_id INTEGER REFERENCES trials(id) ON DELETE CASCADE,
        ruling_id INTEGER REFERENCES rulings(id) ON DELETE CASCADE,
        asylum_id INTEGER REFERENCES asylum(id) ON DELETE CASCADE,
        detention_id INTEGER REFERENCES detentions(id) ON DELETE CASCADE,
        event_id INTEGER REFERENCES events(id) ON DELETE CASCADE,
        person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
        org_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
        role TEXT NOT NULL, {_KEEP},
        CHECK ((trial_id IS NOT NULL) + (ruling_id IS NOT NULL) + (asylum_id IS NOT NULL)
               + (detention_id IS NOT NULL) + (event_id IS NOT NULL) = 1),
        CHECK ((person_id IS NULL) != (org_id IS NULL)))""",
)

_M011_INDEXES = (
    "CREATE UNIQUE INDEX organisations_uid ON organisations(uid)",
    "CREATE INDEX organisations_name_key ON organisations(name_key)",
    "CREATE INDEX organisations_part_of ON organisations(part_of_id)",
    "CREATE UNIQUE INDEX participants_uid ON participants(uid)",
    *(
        f"CREATE INDEX participants_{column} ON participants({column}_id)"
        for column in ("trial", "ruling", "asylum", "detention", "event", "person", "org")
    ),
    "CREATE INDEX aliases_org ON aliases(org_id)",
    "CREATE INDEX sources_relays ON sources(relays_id)",
    "CREATE INDEX citations_according_to_person ON citations(according_to_person_id)",
    "CREATE INDEX citations_according_to_org ON citations(according_to_org_id)",
    "CREATE INDEX trials_court_org ON trials(court_org_id)",
    "CREATE INDEX trial_parties_org ON trial_parties(org_id)",
    "CREATE INDEX trial_parties_name_person ON trial_parties(name_person_id)",
    "CREATE INDEX rulings_court_org ON rulings(court_org_id)",
    "CREATE INDEX asylum_authority_org ON asylum(authority_org_id)",
    "CREATE INDEX detentions_authority_org ON detentions(authority_org_id)",
    "CREATE INDEX events_org ON events(org_id)",
    "CREATE INDEX events_trial ON events(trial_id)",
    "CREATE INDEX relations_org ON relations(org_id)",
    "CREATE INDEX relations_other_org ON relations(other_org_id)",
)

# m011's full-text tables: TABLE -> the columns TABLE_fts indexes.
M011_FULL_TEXT: dict[str, tuple[str, ...]] = {
    **FULL_TEXT_COLUMNS,
    "people": ("name", "name_key", "description", "origin", "note"),
    "organisations": ("name", "name_key", "country", "note"),
    "sources": ("title", "publisher", "authors", "note"),
    "trial_parties": ("name", "note"),
    "participants": ("note",),
}


def log_triggers(db: Database, table: str) -> None:
    """TABLE's change-log triggers, for its columns as they are now (an update or
    delete logs the whole row before it, so a new column must be in the image)."""
    for op in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {table}_log_{op}")
    columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]
    image = ", ".join(f"'{column}', OLD.\"{column}\"" for column in columns)
    active = "(SELECT change_id FROM change_state WHERE id = 1)"
    bulk_off = "(SELECT bulk FROM change_state WHERE id = 1) = 0"
    db.execute(
        f"CREATE TRIGGER {table}_log_insert AFTER INSERT ON {table} "
        f"WHEN {active} IS NOT NULL AND {bulk_off} BEGIN "
        f"INSERT INTO change_rows (change_id, tbl, op, row_id) "
        f"VALUES ({active}, '{table}', 'insert', NEW.id); END"
    )
    for op, event in (("update", "UPDATE"), ("delete", "DELETE")):
        db.execute(
            f"CREATE TRIGGER {table}_log_{op} AFTER {event} ON {table} "
            f"WHEN {active} IS NOT NULL BEGIN "
            f"INSERT INTO change_rows (change_id, tbl, op, row_id, before) "
            f"VALUES ({active}, '{table}', '{op}', OLD.id, json_object({image})); END"
        )


def _rebuild(db: Database, table: str, create: str, filled: dict[str, str]) -> None:
    """Build TABLE anew from CREATE, its rows, ids and AUTOINCREMENT counter kept,
    each column copied or filled by FILLED's SQL; its indexes are built again.
    Triggers are the caller's to drop before and make after."""
    conn = db.conn
    old = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    indexes = [
        sql
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            [table],
        ).fetchall()
    ]
    sequence = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [table]).fetchone()
    conn.execute(create.replace(f"CREATE TABLE {table} (", f"CREATE TABLE new_{table} (", 1))
    new = [row[1] for row in conn.execute(f"PRAGMA table_info(new_{table})")]
    values = [filled.get(column, f'"{column}"' if column in old else "NULL") for column in new]
    names = ", ".join(f'"{column}"' for column in new)
    conn.execute(f"INSERT INTO new_{table} ({names}) SELECT {', '.join(values)} FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE new_{table} RENAME TO {table}")
    conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", [table])
    if sequence is not None:
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, sequence[0]])
    for sql in indexes:
        conn.execute(sql)


@migrations()
def m011_actors_evidence_rulings(db: Database) -> None:
    """The widened model: organisations and groups (``O``), unnamed people (a
    description for a name), participants of any fact with their roles, aliases
    and relations of any actor (relations dated), texts that name an actor
    linked to it (a court, an authority, a judge's name on a trial, now one
    party row per judge, lawyer or prosecutor), sources with authors, language,
    date accessed and the source they relay, citations attributed to an actor,
    and rulings with several sentence kinds, a fine, a pretrial credit and a plea.

    Tables whose columns change are built anew (rows, ids and counters kept);
    their change-log triggers are made for their new columns, and every
    full-text table is made again for its columns.
    """
    conn = db.conn
    triggers = {
        name: sql
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    for name in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    for table in FULL_TEXT_COLUMNS:
        conn.execute(f"DROP TABLE IF EXISTS {table}_fts")
    for statement in _M011_NEW_TABLES:
        conn.execute(statement)
    # the judge and lawyer columns go, and their indexes with them
    conn.execute("DROP INDEX IF EXISTS trials_judge")
    conn.execute("DROP INDEX IF EXISTS trials_lawyer")
    judges = conn.execute(
        "SELECT id, judge, judge_person_id, lawyer, lawyer_person_id FROM trials "
        "WHERE judge IS NOT NULL OR lawyer IS NOT NULL ORDER BY id"
    ).fetchall()
    for table, (create, filled) in _M011_TABLES.items():
        _rebuild(db, table, create, filled)
    # a trial's judge and lawyer become party rows: their name as written, and the
    # person it names
    from cases.uids import new_uid

    for trial_id, judge, judge_person, lawyer, lawyer_person in judges:
        for role, name, person in (
            ("judge", judge, judge_person),
            ("lawyer", lawyer, lawyer_person),
        ):
            if name is not None:
                conn.execute(
                    "INSERT INTO trial_parties (uid, trial_id, name, name_person_id, role) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [new_uid(), trial_id, name, person, role],
                )
    for statement in _M011_INDEXES:
        conn.execute(statement)
    # the change log's row images take the new columns, so that undo of an older
    # change restores what it can (a judge's text on a trial is not restored)
    conn.execute(
        """UPDATE change_rows SET before = json_remove(before, '$.judge', '$.judge_person_id',
               '$.lawyer', '$.lawyer_person_id')
           WHERE tbl = 'trials' AND before IS NOT NULL AND op != 'insert-range'"""
    )
    conn.execute(
        """UPDATE change_rows SET before = json_set(json_remove(before, '$.sentence_kind'),
               '$.sentence_kinds', json_extract(before, '$.sentence_kind'))
           WHERE tbl = 'rulings' AND before IS NOT NULL AND op != 'insert-range'"""
    )
    for table in (*_M011_TABLES, "organisations", "participants"):
        log_triggers(db, table)
        if table != "citations":
            conn.execute(
                f"CREATE TRIGGER {table}_drop_citations AFTER DELETE ON {table} "
                "BEGIN DELETE FROM citations WHERE record_uid = OLD.uid; END"
            )
    for table, columns in M011_FULL_TEXT.items():
        full_text_table(db, table, columns)
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise sqlite3.IntegrityError(f"foreign key check failed after m011: {problems[:3]}")


# Links that most rows leave empty: their indexes hold only the rows that link.
_M012_SPARSE_LINKS = {
    "organisations_part_of": ("organisations", "part_of_id"),
    **{
        f"participants_{column}": ("participants", f"{column}_id")
        for column in ("trial", "ruling", "asylum", "detention", "event", "person", "org")
    },
    "aliases_org": ("aliases", "org_id"),
    "sources_relays": ("sources", "relays_id"),
    "citations_according_to_person": ("citations", "according_to_person_id"),
    "citations_according_to_org": ("citations", "according_to_org_id"),
    "trials_court_org": ("trials", "court_org_id"),
    "trial_parties_org": ("trial_parties", "org_id"),
    "trial_parties_name_person": ("trial_parties", "name_person_id"),
    "rulings_court_org": ("rulings", "court_org_id"),
    "rulings_appeal_of": ("rulings", "appeal_of_id"),
    "asylum_authority_org": ("asylum", "authority_org_id"),
    "detentions_authority_org": ("detentions", "authority_org_id"),
    "events_org": ("events", "org_id"),
    "events_trial": ("events", "trial_id"),
    "relations_org": ("relations", "org_id"),
    "relations_other_org": ("relations", "other_org_id"),
}


@migrations()
def m012_sparse_link_indexes(db: Database) -> None:
    """Indexes of links that most rows leave empty (an event's organisation, a
    citation's attribution) hold only the rows that link: a lookup by the link
    uses them as before, and an import builds them in a fraction of the time."""
    for index, (table, column) in _M012_SPARSE_LINKS.items():
        db.conn.execute(f'DROP INDEX IF EXISTS "{index}"')
        db.conn.execute(
            f'CREATE INDEX "{index}" ON "{table}"("{column}") WHERE "{column}" IS NOT NULL'
        )


# What detention-day totals (``stats``) read of each fact of a person: with these
# in the person index, counting looks nothing up in the tables themselves.
_M013_PERSON_INDEXES = {
    "events_person": ("events", "person_id, kind, date_earliest, date_latest"),
    "rulings_person": (
        "rulings",
        "person_id, date_earliest, date_latest, outcome, sentence_kinds",
    ),
    "asylum_person": ("asylum", "person_id, date_earliest, date_latest"),
    "detentions_person": ("detentions", "person_id, start_earliest, start_latest"),
}


@migrations()
def m013_person_indexes_cover_dates(db: Database) -> None:
    """The person indexes of events, rulings, asylum decisions and detentions
    also hold the dates (and a ruling's outcome and sentence kinds): summing
    the detention days of 100,000 people reads only the indexes."""
    for index, (table, columns) in _M013_PERSON_INDEXES.items():
        db.conn.execute(f'DROP INDEX IF EXISTS "{index}"')
        db.conn.execute(f'CREATE INDEX "{index}" ON "{table}"({columns})')


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
