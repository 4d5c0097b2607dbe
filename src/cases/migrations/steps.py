"""The set of migrations every step registers in (in the order the steps are defined)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

migrations = Migrations("cases")
