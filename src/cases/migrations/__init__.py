"""Versioned schema changes, applied on open. Append-only: never edit a released step.

The steps live in modules by era, registered in order as they are imported:
:mod:`first` (1 to 5), :mod:`keys` (6 to 10), :mod:`actors` (11 to 13) and
:mod:`declared` (14 on, whose DDL comes from the catalogue's declarations).
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from cases.migrations import actors, declared, first, keys  # noqa: F401  (registers the steps)
from cases.migrations.steps import migrations

__all__ = ["migrations", "sqlite_utils_view"]


def sqlite_utils_view(conn: sqlite3.Connection) -> Database:
    """The sqlite-utils view of a connection, which the migrations run on."""
    return Database(conn)
