"""Work ahead in a thread: overlap Python work with SQLite, which releases the GIL."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar, cast

T = TypeVar("T")

_DONE = object()


def ahead(items: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """Yield ITEMS while a worker thread produces the next ones (at most DEPTH waiting).

    An exception raised while producing an item is raised here, in its place.
    ITEMS must not touch the database: a connection belongs to its thread.
    """
    waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: object) -> bool:
        while not stop.is_set():
            try:
                waiting.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put((item,)):
                    return
            put(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            put(error)

    worker = threading.Thread(target=work, name="cases-ahead", daemon=True)
    worker.start()
    try:
        while True:
            entry = waiting.get()
            if entry is _DONE:
                return
            if isinstance(entry, BaseException):
                raise entry
            yield cast("tuple[T]", entry)[0]
    finally:
        stop.set()
        worker.join()
