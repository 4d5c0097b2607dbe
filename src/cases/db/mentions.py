"""Where free text may name someone: the words of the full-text tables, with
their places, and the free text no full-text table holds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cases.db.connection import Store, chunks, marks
from cases.db.search import fts


def indexed_columns(store: Store, table: str) -> list[str]:
    """The columns of TABLE's full-text table (none on a team database, whose
    search indexes keep no positions: its texts are read whole)."""
    if store.engine == "postgresql":
        return []
    return [row[1] for row in store.conn.execute(f'PRAGMA table_info("{fts(table)}")')]


def indexed_words(store: Store, table: str, columns: Sequence[str]) -> Iterator[str]:
    """Every distinct word TABLE's full-text table holds in COLUMNS."""
    store.conn.execute(
        f'CREATE VIRTUAL TABLE IF NOT EXISTS temp."{table}_words" '
        f'USING fts5vocab(main, "{fts(table)}", col)'
    )
    for (word,) in store.conn.execute(
        f'SELECT DISTINCT term FROM temp."{table}_words" WHERE col IN ({marks(columns)})',
        list(columns),
    ):
        yield str(word)


def places_of(
    store: Store, table: str, words: Sequence[str], columns: Sequence[str]
) -> Iterator[tuple[str, int, str, int]]:
    """(word, row id, column, position) of each of WORDS in COLUMNS of TABLE's
    full-text table, in rows an export shows (not marked ``hidden``)."""
    store.conn.execute(
        f'CREATE VIRTUAL TABLE IF NOT EXISTS temp."{table}_places" '
        f'USING fts5vocab(main, "{fts(table)}", instance)'
    )
    for chunk in chunks(list(words)):
        yield from store.conn.execute(
            f"""SELECT term, doc, col, "offset" FROM temp."{table}_places"
                WHERE term IN ({marks(chunk)}) AND col IN ({marks(columns)})
                AND doc NOT IN (SELECT id FROM hidden WHERE tbl = ?)""",
            [*chunk, *columns, table],
        )


def shown_texts(store: Store, table: str, column: str) -> Iterator[tuple[int, str]]:
    """(id, text) of COLUMN in every row of TABLE an export shows."""
    yield from store.conn.execute(
        f"""SELECT id, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL
            AND id NOT IN (SELECT id FROM hidden WHERE tbl = ?)""",
        [table],
    )


def hidden_names(store: Store) -> Iterator[tuple[str, int, str]]:
    """(table, id, name) of each name and alias of the actors an export leaves out:
    an alias is given as its actor's ("people", person id, alias)."""
    yield from store.conn.execute(
        """SELECT 'people', id, name FROM people WHERE name IS NOT NULL
               AND id IN (SELECT id FROM hidden WHERE tbl = 'people')
           UNION ALL SELECT 'organisations', id, name FROM organisations
               WHERE id IN (SELECT id FROM hidden WHERE tbl = 'organisations')
           UNION ALL SELECT CASE WHEN person_id IS NOT NULL THEN 'people'
                                 ELSE 'organisations' END,
                            coalesce(person_id, org_id), name FROM aliases
               WHERE id IN (SELECT id FROM hidden WHERE tbl = 'aliases')"""
    )


def record_of_citation(store: Store, citation_id: int) -> tuple[str, int] | None:
    """(table, id) of the record a citation cites."""
    from cases.catalogue import CITABLE

    uid = store.scalar("SELECT record_uid FROM citations WHERE id = ?", [citation_id])
    for table in CITABLE:
        found = store.scalar(f'SELECT id FROM "{table}" WHERE uid = ?', [uid])
        if found is not None:
            return table, int(found)
    return None
