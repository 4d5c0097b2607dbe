"""Reading import files ahead: one worker thread checks the next files by the
column path while the main thread writes the previous ones."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from cases.background import ahead
from cases.schema import CITABLE_TABLES
from cases.service.importing import Batch, ImportContext, Loader, unresolved_citations
from cases.service.transfer import TableSpec, csv_header
from cases.store import Store

# Chunks the worker may read ahead of the writes: enough to keep it busy while
# indexes and the search index are built: 640,000 rows, as 32 chunks of 20,000
# were before. Chunks of 2,500 rows read 64 deep rather than 256 made the import
# 15% slower (median of 4 alternating runs).
_READ_AHEAD = 640


class FilesAhead:
    """The column path of several files, read in load order by one worker thread.

    The worker starts a file as soon as the tables it links to are in (their
    uid -> id maps are published), so while the main thread writes one file
    and builds its indexes, the worker checks the next ones. It never touches
    the database: headers and id maps are handed to it.
    """

    def __init__(
        self, files: list[tuple[TableSpec, Path]], store: Store, context: ImportContext
    ) -> None:
        loading = {spec.table for spec, _ in files}
        self._linked = {
            target for spec, _ in files for target in spec.links.values() if target != spec.table
        }
        self._maps = {target: context.id_map(target) for target in self._linked - loading}
        self._ready = threading.Condition()
        self._closed = False
        headers = {spec.table: [*csv_header(store, spec), "id", "ref"] for spec, _ in files}
        # uids the dangling-citation check, same-table links or an update need
        # (see ColumnLoader)
        keep_uids = {
            spec.table
            for spec, _ in files
            if spec.table in CITABLE_TABLES
            or spec.table in spec.links.values()
            or store.max_id(spec.table) > 0
        }
        self._items = ahead(self._read(files, headers, keep_uids), depth=_READ_AHEAD)

    def publish(self, table: str, context: ImportContext) -> None:
        """TABLE's rows are in: files that link to it may be read now."""
        if table in self._linked:
            id_map = context.id_map(table)
            with self._ready:
                self._maps[table] = id_map
                self._ready.notify_all()

    def next_file(self, spec: TableSpec) -> tuple[Loader, Generator[Batch, None, None]]:
        """The loader and batches of the next file, which is SPEC's."""
        kind, loader = next(self._items)
        assert kind == "file" and loader.spec is spec, "files are read in load order"

        def batches() -> Generator[Batch, None, None]:
            while (item := next(self._items))[0] == "batch":
                yield item[1]

        return loader, batches()

    def unresolved_citations(self) -> set[str]:
        """After the last file: :func:`unresolved_citations` of every file read."""
        kind, unresolved = next(self._items)
        assert kind == "unresolved", "every file has been read"
        return set(unresolved)

    def close(self) -> None:
        """Stop the worker, even if it waits for a table."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
        self._items.close()

    def _can_read(self, targets: set[str]) -> bool:
        return self._closed or targets <= self._maps.keys()

    def _read(
        self,
        files: list[tuple[TableSpec, Path]],
        headers: dict[str, list[str]],
        keep_uids: set[str],
    ) -> Iterator[tuple[str, Any]]:
        from cases.service.column_import import ColumnLoader

        loaders: list[Loader] = []
        for spec, path in files:
            targets = {target for target in spec.links.values() if target != spec.table}
            with self._ready:
                self._ready.wait_for(partial(self._can_read, targets))
                if self._closed:
                    return
                maps = {target: self._maps[target] for target in targets}
            loader = ColumnLoader(
                spec, path, headers[spec.table], maps, keep_uids=spec.table in keep_uids
            )
            loaders.append(loader)
            yield "file", loader
            for batch in loader.batches():
                yield "batch", batch
            yield "end", None
        yield "unresolved", unresolved_citations(loaders)
