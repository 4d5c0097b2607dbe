"""The one privacy filter every export (and any future report) reads through.

A record marked private, and everything attached to it or revealing it, is
left out unless private records are asked for:

- a private person takes along their aliases, party roles, rulings, asylum
  decisions, detentions, events, relations (either side) and citations;
- a trial goes when it is private or when all of its parties are left out;
  a party role goes with its trial; a ruling goes with its trial;
- a private source takes its citations along; a citation goes with its record;
- a link that would name a left-out record is blanked instead of dropping the
  row that holds it: a trial's judge or lawyer who is a private person (the
  name text too), an appeal of a left-out ruling.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from cases.store import Store

# Optional links blanked (with the text columns that would name the same person).
BLANKED_LINKS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "trials": {
        "judge_person_id": ("people", ("judge",)),
        "lawyer_person_id": ("people", ("lawyer",)),
    },
    "rulings": {"appeal_of_id": ("rulings", ())},
}


class PrivacyFilter:
    """What an export may show; computed once per export, in the database."""

    def __init__(self, store: Store, *, include_private: bool) -> None:
        self.store = store
        self.include_private = include_private
        if not include_private:
            store.mark_hidden_records()

    def rows(
        self,
        table: str,
        columns: Sequence[str],
        links: dict[str, str],
        *,
        defuse: frozenset[str] = frozenset(),
    ) -> Iterator[tuple[Any, ...]]:
        """Rows of TABLE that may leave, links as uids, revealing links blanked.

        Cells of the DEFUSE columns that a spreadsheet would run get their leading quote.
        """
        if self.include_private:
            return self.store.stream_rows(table, columns, links, defuse=defuse)
        return self.store.stream_rows(
            table, columns, links, hide=True, blank=BLANKED_LINKS.get(table, {}), defuse=defuse
        )
