"""The one statement of what private hides; every export reads through it.

A record marked private, and everything attached to it or revealing it, is
left out unless private records are asked for. What is hidden is decided when
the export runs, from the data as it is then:

- a record is left out when it is private, or when it belongs to a record left
  out (a link marked ``owner`` in the catalogue): a private person or
  organisation takes along their aliases, party roles, rulings, asylum
  decisions, detentions, events, relations (either side), participations and
  the citations of all of those; a ruling goes with its trial, a participant
  with its fact, a party role with its trial;
- a trial goes when it is private, or when it has person or organisation
  parties and all of them are left out; a judge, lawyer or prosecutor named
  only as text goes when that text would be blanked (below);
- a citation goes with its record or its source, and when it attributes the
  claim to an actor left out;
- any other link that would name a left-out record is blanked instead of
  dropping the row that holds it (an appeal of a left-out ruling, the source a
  source relays, the organisation another is part of);
- a text that names an actor (a judge's or lawyer's name on a trial, a court,
  an authority) is blanked when it is linked to an actor left out, or when it
  is, by name key, the name or an alias of any actor left out, linked or not.

What makes records private in the first place is decided where they are
written: a source first recorded by ``--source URL`` on a private record is
private; records a merge moves from a private person or organisation stay
private; an import never turns a private record public; deleting a private
person or organisation blanks the texts that name them.
"""

from __future__ import annotations

from typing import Any

from cases.catalogue import NAMING, TABLES, Table
from cases.db import export
from cases.db.connection import Store


def owners(table: Table) -> dict[str, str]:
    """Link column -> target table of the records a row of TABLE belongs to."""
    return {
        field.link_column: field.link
        for field in table.all_fields
        if field.owner and field.link_column and field.link
    }


def blanked(table: Table) -> dict[str, str]:
    """The other links of TABLE: blanked when they point at a left-out record."""
    return {
        field.link_column: field.link
        for field in table.all_fields
        if field.link_column and field.link and not field.owner and field.type != NAMING
    }


def naming(table: Table) -> dict[str, tuple[str, str]]:
    """Text column -> (its link, the table linked) of the texts of TABLE that name an actor."""
    return {
        field.name: (field.link_column or "", field.link or "")
        for field in table.all_fields
        if field.type == NAMING
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
            export.mark_hidden_records(store, [(t.name, owners(t)) for t in TABLES])

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
            blanked_links=blanked(table),
            naming_texts=naming(table),
            defuse=defused,
        )
