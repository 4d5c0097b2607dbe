"""Evidence queries: what a source supports, which facts cite nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cases.catalogue import CITABLE, FACTS
from cases.db.connection import Row, Store, chunks, marks
from cases.db.queries import UNDATED

# The facts a fact-checker's worklist covers (not actors, aliases or sources),
# each with the date field it is ordered by.
FACT_DATES = {table.name: table.fact.date for table in FACTS if table.fact is not None}


def uncited(store: Store) -> Iterator[Row]:
    """Every fact no citation points at, oldest first (undated last), as read:
    ``tbl``, ``id`` and the date's text, earliest and latest day."""
    parts = [
        f"""SELECT '{table}' AS tbl, id, {field} AS date, {field}_earliest AS earliest,
                   {field}_latest AS latest
            FROM "{table}" AS fact
            WHERE NOT EXISTS (SELECT 1 FROM citations WHERE record_uid = fact.uid)"""
        for table, field in FACT_DATES.items()
    ]
    sql = (
        "SELECT * FROM ("
        + " UNION ALL ".join(parts)
        + (
            f") AS facts ORDER BY coalesce(earliest, latest, '{UNDATED}'),"
            f" coalesce(latest, '{UNDATED}'),"
            " tbl, id"
        )
    )
    cursor = store.stream(sql)
    names = [column[0] for column in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def citations_of_source(store: Store, source_id: int) -> list[Row]:
    """The citations a source makes, in recording order."""
    return store.all("SELECT * FROM citations WHERE source_id = ? ORDER BY id", [source_id])


def records_by_uid(store: Store, uids: Sequence[str]) -> dict[str, tuple[str, Row]]:
    """The records with these uids, whatever their table: uid -> (table, row)."""
    found: dict[str, tuple[str, Row]] = {}
    for table in CITABLE:
        for chunk in chunks(sorted(set(uids) - set(found))):
            for row in store.all(f'SELECT * FROM "{table}" WHERE uid IN ({marks(chunk)})', chunk):
                found[row["uid"]] = (table, row)
    return found


def relaying(store: Store, source_id: int) -> list[Row]:
    """The sources that relay (republish) this one."""
    return store.all("SELECT * FROM sources WHERE relays_id = ? ORDER BY id", [source_id])
