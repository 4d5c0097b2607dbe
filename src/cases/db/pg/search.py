"""Full-text search on a team's database: PostgreSQL's own, over the same
fields as SQLite's full-text tables, with the same folding of spellings.

Each searchable field has a GIN index of its columns' words (``to_tsvector``
with ``cases_sql.folded``: PostgreSQL's word parser, lower case and accents
removed by ``unaccent``, as FTS5's ``unicode61 remove_diacritics 2`` folds
them), so a search reads the index, never the table. A name's field holds
its name key too, so any spelling of the name finds it, as on SQLite. The
query is the same: every word must match within one field, each word as
the start of a word in any of its spellings (a number whole).

Ranking is PostgreSQL's ``ts_rank`` (SQLite's is FTS5's bm25): within one
field hits rank alike, but equally good hits of two tables may come in
another order than on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cases.catalogue import SEARCHABLE, Field, table
from cases.db.connection import Store
from cases.db.pg import BASE
from cases.db.pg.compatible import COMPATIBLE_SCHEMA

FOLDED = f"{COMPATIBLE_SCHEMA}.folded"
_WORD = re.compile(r"\w+")

# One word of a query: its forms, each (text, whether it matches as a prefix).
Alternatives = Sequence[tuple[str, bool]]


def document(field: Field) -> str:
    """SQL for the words of FIELD's columns (as its index holds them)."""
    columns = [c for c in field.columns if not c.endswith("_id")]
    text = " || ' ' || ".join(f"coalesce(\"{column}\", '')" for column in columns)
    return f"to_tsvector('{FOLDED}'::regconfig, {text})"


def statements() -> list[str]:
    """The folding configuration and each searchable field's index."""
    found = [
        f"CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA {COMPATIBLE_SCHEMA}",
        f"CREATE TEXT SEARCH CONFIGURATION {FOLDED} (COPY = pg_catalog.simple)",
        f"ALTER TEXT SEARCH CONFIGURATION {FOLDED} ALTER MAPPING FOR "
        "hword, hword_part, word, asciiword, asciihword, hword_asciipart "
        f"WITH {COMPATIBLE_SCHEMA}.unaccent, simple",
    ]
    for name in SEARCHABLE:
        for field in table(name).search_fields:
            found.append(
                f'CREATE INDEX "{name}_{field.name}_words" ON {BASE}."{name}" '
                f"USING gin ({document(field)})"
            )
    return found


def ts_query(words: Sequence[Alternatives]) -> str:
    """The tsquery of WORDS: each word in one of its forms, every word."""
    clauses = []
    for alternatives in words:
        forms = []
        for text, prefix in alternatives:
            parts = _WORD.findall(text)
            if not parts:
                continue
            # a form of several words (O'Brien) needs each, the last as a prefix
            lexemes = [f"'{part}'" for part in parts]
            if prefix:
                lexemes[-1] += ":*"
            forms.append(" & ".join(lexemes) if len(lexemes) == 1 else f"({' & '.join(lexemes)})")
        if forms:
            clauses.append(f"({' | '.join(forms)})")
    return " & ".join(clauses) if clauses else "''"


def search(
    store: Store, words: Sequence[Alternatives], limit: int
) -> list[tuple[float, str, int, int, Field]]:
    """(rank, table, record id, field's place, field) of the best hits of each
    searchable field (a lower rank is better, as SQLite's bm25)."""
    query = ts_query(words)
    fields = [
        (table_name, position, field)
        for table_name in SEARCHABLE
        for position, field in enumerate(table(table_name).search_fields)
    ]
    # one query for every field (one round trip to the server), each part
    # reading its own index
    parts = [
        f"(SELECT {number} AS part, id, -ts_rank({document(field)}, q) AS rank "
        f'FROM {BASE}."{table_name}", query WHERE {document(field)} @@ q ORDER BY 3, id LIMIT ?)'
        for number, (table_name, _, field) in enumerate(fields)
    ]
    sql = f"WITH query AS (SELECT to_tsquery('{FOLDED}'::regconfig, ?) AS q) " + " UNION ALL ".join(
        parts
    )
    conn = store.conn
    found: list[tuple[float, str, int, int, Field]] = []
    for number, row_id, rank in conn.execute(sql, [query, *([limit] * len(parts))]):
        table_name, position, field = fields[number]
        found.append((float(rank), table_name, int(row_id), position, field))
    return found
