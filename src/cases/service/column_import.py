"""The fast import path: a file checked column by column, with the loops in C.

A chunk of rows is turned into columns (``zip``). Then each column is checked
by the rules of add and edit in the cheapest way that is still exact:

- uids: ``map`` of the uid pattern, and a set for duplicates;
- dates, vocabulary words, numbers, flags and names: each distinct value once,
  then one dict lookup per cell through ``map``;
- links: one lookup per cell in the uid -> id map of the target table;
- free text: passed through as written (SQL turns an empty cell into NULL),
  restored in Python only in the rare column where a cell starts with a quote.

Anything this path does not handle or cannot explain (a bad value, a ragged
row, a duplicate) raises :class:`NeedsRowPath`. The caller rolls the file back
and loads it with the row path, which applies the same rules cell by cell and
names the line and problem.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Any

from cases.csv_io import open_table
from cases.errors import CasesError
from cases.service.changing import TextRule
from cases.service.import_rules import UID, Rule, column_rules, is_skipped
from cases.service.importing import Batch
from cases.service.transfer import TableSpec

# Rows per batch. Small, because the worker holds Python's lock for the whole of
# each C call over a chunk (parsing it, transposing it, matching its uids), and
# the main thread, back from each SQLite step, waits for the call at hand to end.
# At 100,000 people, 1,000 rows per chunk imported in 2.61x raw executemany
# against 3.11x at 20,000 (median of 5 alternating runs) and 2.74x at 2,000; 500
# was slower again (per-chunk costs).
CHUNK_ROWS = 1_000
# Distinct values remembered per column between chunks (names barely repeat).
_CACHE_LIMIT = 100_000

Cells = Sequence[str]
# What a step fills: (database column, SQL template of its value, one value per row)
Filled = list[tuple[str, str, Sequence[Any]]]
# A step checks one CSV column of a chunk, given the chunk's uids too
Step = Callable[[Cells, Cells], Filled]


class NeedsRowPath(Exception):
    """This file holds something only the row path handles, or can explain."""


class ColumnLoader:
    """Reads one file in chunks and checks each chunk column by column.

    Its batches may be produced in a worker thread while the previous ones are
    written: it never touches the database (what it needs is handed to it).
    """

    def __init__(
        self,
        spec: TableSpec,
        path: Path,
        expected: list[str],
        id_maps: dict[str, dict[str, int]],
        *,
        keep_uids: bool = True,
    ) -> None:
        """EXPECTED: the columns the file may have; ID_MAPS: uid -> id of each table
        it links to (other than its own). Without KEEP_UIDS the file's uids are
        not kept (nor checked for repeats here): for a file loaded into an empty
        table whose uids nothing else needs, its unique index, built after the
        load, refuses a repeat (a million citations: 0.2 s less work)."""
        self.spec = spec
        self.keep_uids = keep_uids
        self.path = path
        self.uids: set[str] = set()
        self.cited: list[str] = []
        self.deferred: dict[str, list[tuple[str, str]]] = {
            column: [] for column, target in spec.links.items() if target == spec.table
        }
        self.expected = expected
        self.rules = column_rules(spec)
        self.links = {spec.csv_column(c): (c, target) for c, target in spec.links.items()}
        self.id_maps = id_maps

    def batches(self) -> Generator[Batch, None, None]:
        """The file's rows, checked, in batches of at most CHUNK_ROWS."""
        spec = self.spec
        with open_table(self.path, self.expected, ("uid", *spec.required)) as (header, reader):
            uid_index = header.index("uid")
            steps = [
                (index, self._step(name))
                for index, name in enumerate(header)
                if name != "uid" and not is_skipped(name)
            ]
            width = len(header)
            while chunk := list(islice(reader, CHUNK_ROWS)):
                try:
                    cells = list(zip(*chunk, strict=True))
                except ValueError:
                    cells = []
                if len(cells) != width:
                    raise NeedsRowPath("ragged row")  # the row path names its line
                uids = self._uids(cells[uid_index])
                filled: Filled = [("uid", "{}", uids)]
                for index, step in steps:
                    filled.extend(step(cells[index], uids))
                # row after row, as one flat list: what a multi-row VALUES binds
                values = list(chain.from_iterable(zip(*(v for _, _, v in filled), strict=True)))
                yield Batch(
                    [column for column, _, _ in filled],
                    uids,
                    values=values,
                    wrappers=[wrapper for _, wrapper, _ in filled],
                )

    def refused(self, problem: str) -> Exception:
        """The database refused a batch: the row path will say which row and why."""
        return NeedsRowPath(problem)

    def dangling(self, column: str, uid: str, target: str) -> Exception:
        """A same-table link to nothing: the row path will name the line."""
        return NeedsRowPath(column)

    def _uids(self, uids: Cells) -> Cells:
        if not all(map(UID.fullmatch, uids)):
            raise NeedsRowPath("uid")
        if not self.keep_uids:
            return uids
        seen = len(self.uids)
        self.uids.update(uids)
        if len(self.uids) != seen + len(uids):
            raise NeedsRowPath("duplicate uid")
        return uids

    def _record_uids(self, cells: Cells, uids: Cells) -> Filled:
        """A citation's record: any table's uid, matched once all tables are in."""
        if not all(map(UID.fullmatch, cells)):
            raise NeedsRowPath("record_uid")
        self.cited.extend(cells)
        return [("record_uid", "{}", cells)]

    def _step(self, name: str) -> Step:
        """How to check CSV column NAME."""
        spec = self.spec
        required = name in spec.required
        if name in self.links:
            column, target = self.links[name]
            if target == spec.table:
                return _deferred_link(column, self.deferred[column])
            return _link(column, self.id_maps[target], required)
        if name == "record_uid":
            return self._record_uids
        rule = self.rules.get(name)
        if rule is None:
            raise NeedsRowPath(name)  # no rule covers it: the row path decides
        if isinstance(rule, TextRule):
            return _free_text(rule.field, required)
        return _DistinctValues(name, rule, required)


def _link(column: str, id_map: dict[str, int], required: bool) -> Step:
    def step(cells: Cells, uids: Cells) -> Filled:
        ids = list(map(id_map.get, cells))
        # an id is missing only where the cell is empty and the link optional
        if None in ids and (required or ids.count(None) != cells.count("")):
            raise NeedsRowPath(column)
        return [(column, "{}", ids)]

    return step


def _deferred_link(column: str, pairs: list[tuple[str, str]]) -> Step:
    """A link into the same table: NULL now, set once every row is in."""

    def step(cells: Cells, uids: Cells) -> Filled:
        pairs.extend((uid, target) for uid, target in zip(uids, cells, strict=True) if target)
        return [(column, "{}", [None] * len(cells))]

    return step


def _free_text(field: str, required: bool) -> Step:
    """Free text, kept byte for byte; an empty cell becomes NULL in SQL."""

    def step(cells: Cells, uids: Cells) -> Filled:
        if any(map(str.startswith, cells, repeat("'"))):  # undo the export's defusing
            cells = [cell[1:] if cell[:1] == "'" else cell for cell in cells]
        if required and not all(map(str.strip, cells)):
            raise NeedsRowPath(field)
        return [(field, "nullif({}, '')", cells)]

    return step


class _DistinctValues:
    """A rule (date, vocabulary, number, flag, name) run once per distinct value."""

    def __init__(self, name: str, rule: Rule, required: bool) -> None:
        self.name = name
        self.rule = rule
        self.required = required
        self.fields: list[str] | None = None
        self.results: dict[str, tuple[Any, ...]] = {}

    def __call__(self, cells: Cells, uids: Cells) -> Filled:
        try:  # most chunks hold no value the column has not met before
            results = list(map(self.results.__getitem__, cells))
        except KeyError:
            if len(self.results) > _CACHE_LIMIT:
                self.results.clear()
            for value in set(cells).difference(self.results):
                self.results[value] = self._result(value)
            results = list(map(self.results.__getitem__, cells))
        assert self.fields is not None  # set by the first result
        columns = zip(*results, strict=True)
        return [(field, "{}", values) for field, values in zip(self.fields, columns, strict=True)]

    def _result(self, value: str) -> tuple[Any, ...]:
        restored = value[1:] if value[:1] == "'" else value
        if restored == "" and self.required:
            raise NeedsRowPath(self.name)
        try:
            result = self.rule(restored) if restored or self.name != "private" else {"private": 0}
        except CasesError:
            raise NeedsRowPath(self.name) from None
        if self.fields is None:
            self.fields = list(result)
        elif list(result) != self.fields:
            raise NeedsRowPath(self.name)
        return tuple(result.values())
