"""Steps 11 to 13: the widened model (actors, evidence, rulings), sparse link
indexes, person indexes that hold the dates."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from cases.migrations.keys import FULL_TEXT_COLUMNS, full_text_table
from cases.migrations.steps import migrations

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
