"""Names the schema shares with the code that queries it. No imports: cheap to load.

Migrations build the schema from these; the store queries with them. Reading
commands import this, never sqlite-utils (which only migrations need).
"""

# The number of migrations in cases.migrations: a database whose PRAGMA
# user_version equals it is up to date without loading the migrations.
SCHEMA_VERSION = 9

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

# Fields the full-text index holds, as (table, column, SQL for the indexed text).
# A row's index rowid is id * 64 + its position here, so a change to one record
# touches its own index rows by rowid and never scans the index.
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


def indexed_text(slot: int) -> str:
    """SQL for the text search field SLOT indexes, over its table's own columns."""
    return SEARCH_FIELDS[slot][2].replace("NEW.", "")


def search_field_order(rowid: str = "rowid") -> str:
    """SQL ranking a search hit by its field: a person's name, then an alias,
    then any other field, notes last.

    The index keeps no lengths (see migration m008), so among hits that hold
    the searched words equally often, this is what puts a person whose name
    matches before a note that mentions the same name.
    """

    def rank(table: str, field: str) -> int:
        if field == "name":
            return 0 if table == "people" else 1
        return 3 if field == "note" else 2

    whens = " ".join(
        f"WHEN {slot} THEN {rank(table, field)}"
        for slot, (table, field, _) in enumerate(SEARCH_FIELDS)
        if rank(table, field) != 2
    )
    return f"CASE {rowid} % {SEARCH_SLOTS} {whens} ELSE 2 END"


# Text columns that name a person, with the link set when the text is exactly a
# recorded person's name or alias: a purge blanks them, and privacy.py hides them
# when they name a private person.
NAMING_TEXTS: dict[str, dict[str, str]] = {
    "trials": {"judge": "judge_person_id", "lawyer": "lawyer_person_id"},
}

# Tables whose every change the change log records (so that undo can reverse it).
LOGGED_TABLES = (*CITABLE_TABLES, "citations")


# The order every timeline uses: earliest day (an open start by its latest day),
# then latest day; undated last. The sentinel makes undated sort last in an index.
UNDATED = "9999-99-99"
TIMELINE_DATES = (
    ("trials", "opened"),
    ("rulings", "date"),
    ("asylum", "date"),
    ("detentions", "start"),
    ("detentions", "end"),
    ("events", "date"),
)


def timeline_anchor(alias: str, field: str) -> str:
    """SQL for a fact's first sort key (the same text as its index expression)."""
    return f"coalesce({alias}.{field}_earliest, {alias}.{field}_latest, '{UNDATED}')"


def timeline_tail(alias: str, field: str) -> str:
    """SQL for a fact's second sort key."""
    return f"coalesce({alias}.{field}_latest, '{UNDATED}')"
