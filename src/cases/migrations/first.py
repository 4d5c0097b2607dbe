"""Steps 1 to 5: the first schema, name keys and search, the change log, the
timeline's order, bulk loading."""

from __future__ import annotations

from sqlite_utils import Database

from cases.migrations.steps import migrations

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


def _index_existing_records(db: Database) -> None:
    """Put every record's searchable text into the (empty) search index."""
    for slot, (table, _, _) in enumerate(SEARCH_FIELDS):
        text = indexed_text(slot)
        db.execute(
            f"INSERT INTO search_index (rowid, text) SELECT id * {SEARCH_SLOTS} + {slot}, {text} "
            f"FROM {table} WHERE {text} IS NOT NULL"
        )
