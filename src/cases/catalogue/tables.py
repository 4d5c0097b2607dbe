"""Every table, declared once: its fields, the kind of record it holds, the
rules across its fields, and for a fact when it happened, who it involves
and how it reads. In the order an export writes them (citations last: they
name records of every table)."""

from __future__ import annotations

from cases.catalogue.actors import ACTORS, ALIASES, ORGANISATIONS, PEOPLE
from cases.catalogue.evidence import CITATIONS, SOURCES
from cases.catalogue.facts import (
    FACT_TABLES,
    PARTICIPANTS,
    TRIAL_PARTIES,
    TRIALS,
)
from cases.catalogue.model import Table

__all__ = ["ACTORS", "FACT_TABLES", "TABLES"]

# The facts in their own order (facts.FACT_TABLES), a trial's parties right
# after the trials they belong to: a new kind of fact is listed once, there.
TABLES: tuple[Table, ...] = (
    PEOPLE,
    ORGANISATIONS,
    ALIASES,
    SOURCES,
    TRIALS,
    TRIAL_PARTIES,
    *(table for table in FACT_TABLES if table is not TRIALS),
    PARTICIPANTS,
    CITATIONS,
)
