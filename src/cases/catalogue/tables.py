"""Every table, declared once: its fields, the kind of record it holds, the
rules across its fields, and for a fact when it happened, who it involves
and how it reads. In the order an export writes them (citations last: they
name records of every table)."""

from __future__ import annotations

from cases.catalogue.actors import ACTORS, ALIASES, ORGANISATIONS, PEOPLE, RELATIONS
from cases.catalogue.evidence import CITATIONS, SOURCES
from cases.catalogue.facts import (
    ASYLUM,
    COMMUNICATIONS,
    DETENTIONS,
    EVENTS,
    FACT_TABLES,
    PARTICIPANTS,
    RULINGS,
    TRIAL_PARTIES,
    TRIALS,
    WHEREABOUTS,
)
from cases.catalogue.model import Table

__all__ = ["ACTORS", "FACT_TABLES", "TABLES"]

TABLES: tuple[Table, ...] = (
    PEOPLE,
    ORGANISATIONS,
    ALIASES,
    SOURCES,
    TRIALS,
    TRIAL_PARTIES,
    RULINGS,
    ASYLUM,
    DETENTIONS,
    EVENTS,
    RELATIONS,
    COMMUNICATIONS,
    WHEREABOUTS,
    PARTICIPANTS,
    CITATIONS,
)
