"""The one statement of what private hides; every export reads through it.

A record marked private, and everything attached to it or revealing it, is
left out unless private records are asked for. What is hidden is decided when
the export runs, from the data as it is then:

- a private person takes along their aliases, party roles, rulings, asylum
  decisions, detentions, events, relations (either side) and citations;
- a trial goes when it is private or when all of its parties are left out;
  a party role goes with its trial; a ruling goes with its trial;
- a private source takes its citations along; a citation goes with its record;
- a link that would name a left-out record is blanked instead of dropping the
  row that holds it: a trial's judge or lawyer who is a private person, an
  appeal of a left-out ruling;
- a text that names a person (a trial's judge or lawyer) is blanked when it is
  linked to a private person or when it is, by name key, the name or an alias
  of a private person or a private alias, linked or not.

What makes records private in the first place is decided where they are
written: a source first recorded by ``--source URL`` on a private record is
private; records a merge moves from a private person into a public one stay
private; an import never turns a private record public; deleting a private
person blanks the texts that name them.
"""

from __future__ import annotations

from typing import Any

from cases.catalogue import Table, naming_texts
from cases.db import export
from cases.db.connection import Store

# Optional links blanked when they point at a left-out record: {table: {column: target}}.
BLANKED_LINKS: dict[str, dict[str, str]] = {
    "trials": {"judge_person_id": "people", "lawyer_person_id": "people"},
    "rulings": {"appeal_of_id": "rulings"},
}


class PrivacyFilter:
    """What an export may show; computed once per export, in the database.

    Make it inside the export's read snapshot (:meth:`Store.snapshot`), so that
    what is hidden and what is read are the same state of the database.
    """

    def __init__(self, store: Store, *, include_private: bool) -> None:
        self.store = store
        self.include_private = include_private
        if not include_private:
            export.mark_hidden_records(store)

    def rows(self, table: Table, *, defuse: bool = False) -> Any:
        """An iterator of TABLE's rows that may leave, in its exported columns, links
        as uids, revealing links and texts blanked; with DEFUSE, free-text cells a
        spreadsheet would run get their leading quote."""
        columns = table.exported_columns
        defused = table.defused if defuse else frozenset()
        if self.include_private:
            return export.stream_rows(self.store, table.name, columns, table.links, defuse=defused)
        return export.stream_rows(
            self.store,
            table.name,
            columns,
            table.links,
            hide=True,
            blanked_links=BLANKED_LINKS.get(table.name, {}),
            naming_texts=naming_texts(table.name),
            defuse=defused,
        )
