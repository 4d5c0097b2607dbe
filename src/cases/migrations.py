"""Versioned schema changes, applied on open. Append-only: never edit a released step."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

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


# Tables whose rows can be cited: deleting a row (directly or by cascade) drops
# its citations, so no citation ever points at nothing.
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


LATEST = "m001_initial"
