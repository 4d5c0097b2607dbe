"""Statistics (``cases stats``): people, trials, outcomes, decisions, and detention
days (the sum of the lengths ``show`` gives)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases.catalogue import TABLE
from cases.db import queries, rows
from cases.db.connection import Store


def stats(store: Store, today: dt.date | None = None) -> dict[str, Any]:
    """Counts of people, organisations, trials, outcomes, decisions and detention
    days (exact, and the fewest and most the dates allow)."""

    def words(table: str, *names: str) -> dict[str, list[str]]:
        return {name: list(TABLE[table].field(name).choices) for name in names}

    rulings = queries.count_values(
        store, "rulings", words("rulings", "outcome", "deportation", "extradition")
    )
    asylum = queries.count_values(store, "asylum", words("asylum", "decision"))
    days = _detention_days(store, today)
    return {
        "people": rows.count(store, "people"),
        "organisations": rows.count(store, "organisations"),
        "sources": rows.count(store, "sources"),
        "trials": rows.count(store, "trials"),
        "rulings": rulings["outcome"],
        "deportation": rulings["deportation"],
        "extradition": rulings["extradition"],
        "asylum": asylum["decision"],
        "detentions": rows.count(store, "detentions"),
        "open_detentions": queries.count_open_detentions(store),
        **days,
        "events": rows.count(store, "events"),
        "relations": rows.count(store, "relations"),
    }


def _detention_days(store: Store, today: dt.date | None) -> dict[str, int]:
    """Detention days summed: the exact lengths, and the ranges (a detention that
    nothing ends counted to today), by the rules ``show`` uses."""
    return queries.detention_day_totals(store, (today or dt.date.today()).isoformat())
