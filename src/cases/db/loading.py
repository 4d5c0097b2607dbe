"""A checked CSV file written into its table: new rows inserted with one
``INSERT ... SELECT`` in file order, existing rows (by uid) updated with one
``UPDATE ... FROM`` only where something differs and never from private to
public, links within the table resolved after, the search index kept."""

from __future__ import annotations

import sqlite3
from typing import Any

from cases.catalogue import FLAG
from cases.db import search
from cases.db.connection import Row
from cases.db.rows import integrity_error
from cases.db.staged_checks import CheckedFile
from cases.db.staging import RESTORED, StagedColumn, outputs_of

# A mapped column with at most this many distinct values is written with a CASE.
FEW_VALUES = 8


def _names_kept(current: str | None, given: str | None) -> str | None:
    """A text of names (one a line) from a public export, which drops the names of
    private actors: the current text when the given one is those names less some."""
    if current is None or given is None:
        return given if given is not None else current
    kept = current.split("\n")
    return current if set(given.split("\n")) <= set(kept) else given


class FileLoad(CheckedFile):
    """One CSV file on its way into its table: staged, checked, then written."""

    # -- writing -------------------------------------------------------------------

    def _select(self, *, for_update: bool) -> tuple[list[str], list[str], list[str], Row]:
        """(stored columns, their SQL from the staged row ``s``, the joins needed,
        the named parameters the SQL takes)."""
        stored: list[str] = []
        values: list[str] = []
        joins: list[str] = []
        params: Row = {}
        for column in self.columns:
            cell = f"s.{column.staged}"
            field = column.field
            if field is None:  # the uid, or a column read past
                continue
            if column.role == "link":
                assert column.link_column is not None
                if column.target == self.table.name and not for_update:
                    continue  # set once every row is in: see link_within()
                stored.append(column.link_column)
                if not self._has_cells(column):
                    values.append("NULL")  # a link no row of the file gives
                    continue
                # a cell naming nothing gets id -1: the foreign-key check refuses it
                values.append(
                    f'(SELECT id FROM "{column.target}" WHERE uid = {cell})'
                    if column.target == self.table.name
                    else f"coalesce(l_{column.staged}.id, CASE WHEN {cell} = '' THEN NULL "
                    "ELSE -1 END)"
                )
                if column.target != self.table.name:
                    joins.append(
                        f'LEFT JOIN "{column.target}" l_{column.staged} '
                        f"ON l_{column.staged}.uid = {cell}"
                    )
            elif column.role == "text":
                stored.append(field.name)
                values.append(f"nullif({RESTORED.format(cell)}, '')")
            elif column.role == "record":
                stored.append(field.name)
                values.append(cell)
            elif column.role == "parsed":
                for index, output in enumerate(outputs_of(column)):
                    stored.append(output)
                    values.append(f"{cell}_o{index}")
            else:
                outputs = outputs_of(column)
                default = "0" if field.type == FLAG else "NULL"
                few = self._few_values(column)
                if few is not None:
                    # a handful of distinct values (a flag, a kind): a CASE reads
                    # faster than a join per row
                    staged = column.staged
                    for number, mapped in enumerate(few):
                        params[f"{staged}_{number}"] = mapped[0]
                        for index, value in enumerate(mapped[1:]):
                            params[f"{staged}_{number}_{index}"] = value
                    for index, output in enumerate(outputs):
                        stored.append(output)
                        whens = " ".join(
                            f"WHEN :{staged}_{number} THEN :{staged}_{number}_{index}"
                            for number in range(len(few))
                        )
                        values.append(
                            f"coalesce(CASE {cell} {whens} END, {default})" if few else default
                        )
                    continue
                joins.append(
                    f"LEFT JOIN temp.map_{column.staged} m_{column.staged} "
                    f"ON m_{column.staged}.value = {cell}"
                )
                for index, output in enumerate(outputs):
                    stored.append(output)
                    values.append(f"coalesce(m_{column.staged}.o{index}, {default})")
        return stored, values, joins, params

    def _few_values(self, column: StagedColumn) -> list[tuple[Any, ...]] | None:
        """The rows of COLUMN's map (value, then its stored columns) when there are
        at most FEW_VALUES of them, else None."""
        found = self.store.conn.execute(
            f"SELECT * FROM temp.map_{column.staged} LIMIT {FEW_VALUES + 1}"
        ).fetchall()
        return found if len(found) <= FEW_VALUES else None

    def insert_new(self, *, into_empty: bool) -> int:
        """Insert the rows whose uid is not there yet, in file order; return how many."""
        stored, values, joins, params = self._select(for_update=False)
        uid = self._uid_column()
        new_only = (
            ""
            if into_empty
            else f'WHERE NOT EXISTS (SELECT 1 FROM "{self.table.name}" x WHERE x.uid = s.{uid})'
        )
        names = ", ".join(f'"{c}"' for c in ("uid", *stored))
        try:
            cursor = self.store.conn.execute(
                f'INSERT INTO "{self.table.name}" ({names}) '
                f"SELECT s.{uid}, {', '.join(values)} FROM temp.stage s {' '.join(joins)} "
                f"{new_only} ORDER BY s.rowid",
                params,
            )
        except sqlite3.IntegrityError as error:
            raise self.explain(str(integrity_error(self.table.name, error))) from None
        return int(cursor.rowcount)

    def kept_private(self) -> int:
        """Existing private records the file would make public (it will not)."""
        private = self._column_named("private")
        if private is None:
            return 0
        uid = self._uid_column()
        return int(
            self.store.scalar(
                f"""SELECT count(*) FROM temp.stage s
                    JOIN "{self.table.name}" t ON t.uid = s.{uid}
                    JOIN temp.map_{private.staged} m ON m.value = s.{private.staged}
                    WHERE t.private = 1 AND m.o0 = 0"""
            )
        )

    def update_existing(self) -> int:
        """Update the existing rows where something differs (never making a private
        record public); return how many changed."""
        stored, values, joins, params = self._select(for_update=True)
        if not stored:
            return 0
        if self._kept_lines:
            self.store.conn.create_function("cases_names_kept", 2, _names_kept, deterministic=True)
        uid = self._uid_column()
        table = self.table.name
        targets = [self._updated(c) for c in stored]
        names = ", ".join(f'"{c}"' for c in stored)
        current = ", ".join(f't."{c}"' for c in stored)
        selected = ", ".join(f'{value} AS "{c}"' for c, value in zip(stored, values, strict=True))
        try:
            cursor = self.store.conn.execute(
                f"""UPDATE "{table}" AS t SET ({names}) = ({", ".join(targets)})
                    FROM (SELECT x.id AS target_id, {selected} FROM temp.stage s
                          JOIN "{table}" x ON x.uid = s.{uid} {" ".join(joins)}) AS n
                    WHERE t.id = n.target_id AND ({current}) IS NOT ({", ".join(targets)})""",
                params,
            )
        except sqlite3.IntegrityError as error:
            raise self.explain(str(integrity_error(table, error))) from None
        return int(cursor.rowcount)

    def _updated(self, column: str) -> str:
        """SQL for the value an update gives COLUMN (``t`` the record, ``n`` the file):
        never from private to public; a withheld value kept (see keep_when_withheld)."""
        if column == "private":
            return f'max(t."{column}", n."{column}")'
        if column in self._kept_lines:
            return f'cases_names_kept(t."{column}", n."{column}")'
        if column in self._kept_when_empty:
            return f'coalesce(n."{column}", t."{column}")'
        return f'n."{column}"'

    def link_within(self) -> None:
        """Set the links of new rows to rows of the same table (an appeal of a
        ruling in the same file), once every row is in."""
        uid = self._uid_column()
        table = self.table.name
        for column in self.columns:
            if column.role != "link" or column.target != table or column.link_column is None:
                continue
            self.store.conn.execute(
                f"""UPDATE "{table}" AS t SET "{column.link_column}" = n.target_id
                    FROM (SELECT s.{uid} AS uid, x.id AS target_id FROM temp.stage s
                          JOIN "{table}" x ON x.uid = s.{column.staged}) AS n
                    WHERE t.uid = n.uid AND t."{column.link_column}" IS NOT n.target_id"""
            )

    def index_new(self, after_id: int) -> None:
        """Index the rows this file added in the table's full-text table."""
        search.index_new_rows(self.store, self.table.name, after_id)

    def drop(self) -> None:
        """Drop the staging and map tables."""
        conn = self.store.conn
        for (name,) in conn.execute(
            "SELECT name FROM temp.sqlite_master WHERE type = 'table' "
            "AND (name = 'stage' OR name LIKE 'map\\_%' ESCAPE '\\')"
        ).fetchall():
            conn.execute(f'DROP TABLE temp."{name}"')
