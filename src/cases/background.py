"""Work ahead in a thread: overlap Python work with SQLite, which releases the GIL."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar, cast

T = TypeVar("T")

_DONE = object()


class ReadAhead(Generic[T]):
    """An iterator over ITEMS that a worker thread produces ahead, from the moment
    it is made (at most DEPTH items waiting).

    An exception raised while producing an item is raised by ``next``, in its
    place. ITEMS must not touch the database: a connection belongs to its
    thread. :meth:`close` stops the worker; iterating to the end does too.
    """

    def __init__(self, items: Iterator[T], depth: int = 2) -> None:
        self._waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._items = items
        self._worker = threading.Thread(target=self._work, name="cases-ahead", daemon=True)
        self._worker.start()

    def __iter__(self) -> ReadAhead[T]:
        return self

    def __next__(self) -> T:
        if self._stop.is_set():
            raise StopIteration
        entry = self._waiting.get()
        if entry is _DONE:
            self.close()
            raise StopIteration
        if isinstance(entry, BaseException):
            self.close()
            raise entry
        return cast("tuple[T]", entry)[0]

    def close(self) -> None:
        """Stop the worker (it finishes the item at hand) and wait for it."""
        self._stop.set()
        self._worker.join()

    def _put(self, entry: object) -> bool:
        while not self._stop.is_set():
            try:
                self._waiting.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        try:
            for item in self._items:
                if not self._put((item,)):
                    return
            self._put(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            self._put(error)
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()  # a generator's open file is closed now, not when collected


def ahead(items: Iterator[T], depth: int = 2) -> ReadAhead[T]:
    """Start producing ITEMS in a worker thread; see :class:`ReadAhead`."""
    return ReadAhead(items, depth)
