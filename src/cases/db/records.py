"""One record with what surrounds it (``cases show T2``), and what one change did
(``cases show C40``)."""

from __future__ import annotations

from cases.db.connection import Row, Store

# How many references a change lists of each kind of row it touched: an import
# of 100,000 people is told by its counts, not by every reference.
LISTED_REFS = 20


def linking_to(store: Store, table: str, column: str, record_id: int) -> list[Row]:
    """The rows of TABLE whose link COLUMN names RECORD_ID, in id order."""
    return store.all(f'SELECT * FROM "{table}" WHERE "{column}" = ? ORDER BY id', [record_id])


def taking_part(store: Store, uid: str) -> list[Row]:
    """The participants of the fact with this uid, in recording order."""
    return store.all("SELECT * FROM participants WHERE fact_uid = ? ORDER BY id", [uid])


def citations_of(store: Store, uid: str) -> list[Row]:
    """The citations of the record with this uid, with their source's reference
    columns (source_ref_id, title, url, private), in source order."""
    return store.all(
        """SELECT citations.*, sources.id AS source_ref_id, sources.title, sources.url,
                  sources.private AS source_private
           FROM citations JOIN sources ON sources.id = citations.source_id
           WHERE citations.record_uid = ? ORDER BY sources.id""",
        [uid],
    )


def change(store: Store, change_id: int) -> Row | None:
    """One change-log entry, or None."""
    return store.one("SELECT * FROM changes WHERE id = ?", [change_id])


def rows_of_change(store: Store, change_id: int) -> list[Row]:
    """What a change did, table by table, in the order it did it: tbl, op
    (insert, update, delete), count (of distinct rows; a bulk insert's range
    counts all its rows) and ranges (a JSON list of [first, last] ids, at most
    LISTED_REFS of them)."""
    return store.all(
        """WITH touched AS (
               SELECT tbl, CASE op WHEN 'insert-range' THEN 'insert' ELSE op END AS op,
                      row_id AS first,
                      max(CASE op WHEN 'insert-range' THEN CAST(before AS INTEGER)
                                  ELSE row_id END) AS last,
                      min(id) AS seen
               FROM change_rows WHERE change_id = ? GROUP BY tbl, op, row_id)
           SELECT tbl, op, sum(last - first + 1) AS count, min(seen) AS seen,
                  (SELECT json_group_array(json_array(first, last)) FROM (
                       SELECT first, last FROM touched t2
                       WHERE t2.tbl = touched.tbl AND t2.op = touched.op
                       ORDER BY t2.seen LIMIT ?) AS listed) AS ranges
           FROM touched GROUP BY tbl, op ORDER BY min(seen)""",
        [change_id, LISTED_REFS],
    )
