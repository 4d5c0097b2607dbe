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
- a citation goes with its record or its source, when it is private (it was
  attributed to a private actor since deleted or merged away), and when it
  attributes the claim to an actor left out: by its link, or by the name it
  gives (by name key);
- any other link that would name a left-out record is blanked instead of
  dropping the row that holds it (an appeal of a left-out ruling, the source a
  source relays, the organisation another is part of);
- a text that names an actor (a judge's or lawyer's name on a trial, a court,
  an authority, a source's publisher, each of its authors) is blanked when it
  is linked to an actor left out, or when it is, by name key, the name or an
  alias of any actor left out, linked or not.

What makes records private in the first place is decided where they are
written: a source first recorded by ``--source URL`` on a private record is
private (and so is the source it relays, given by URL); records a merge moves
from a private person or organisation stay private, and so do the citations
attributed to them; an import never turns a private record public; deleting a
private person or organisation blanks the texts that name them and makes the
citations attributed to them private.
"""

from __future__ import annotations

from typing import Any

from cases.catalogue import NAMING, RECORD, TABLES, ActorText, Table, actor_texts
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
    texts = {link for text in actor_texts(table.name) for link, _ in text.links}
    return {
        field.link_column: field.link
        for field in table.all_fields
        if field.link_column
        and field.link
        and not field.owner
        and field.type != NAMING
        and field.link_column not in texts
    }


def named_by(table: Table) -> tuple[ActorText, ...]:
    """The texts of TABLE that name an actor and are blanked (not the row hidden)
    where they name a left-out one."""
    return tuple(text for text in actor_texts(table.name) if not text.owner)


def withheld(table: Table) -> tuple[set[str], set[str]]:
    """The stored columns of TABLE a public export may leave empty where the data
    has a value (links and texts that would reveal a left-out record), and those
    of them that may lose some of their lines (authors)."""
    columns = set(blanked(table))
    lines = set()
    for text in named_by(table):
        columns.add(text.column)
        columns.update(link for link, _ in text.links)
        if text.lines:
            lines.add(text.column)
    return columns, lines


def belongings() -> list[export.Belonging]:
    """What each table's rows belong to, in table order (a row after what it
    belongs to)."""
    return [
        export.Belonging(
            t.name,
            owners(t),
            tuple(x for x in actor_texts(t.name) if x.owner),
            tuple(f.name for f in t.all_fields if f.owner and f.type == RECORD),
        )
        for t in TABLES
    ]


def left_out(store: Store) -> export.HiddenRows:
    """Which records an export would leave out, asked a few at a time (a search
    hit, a line of a worklist, marked private where the local user sees it)."""
    return export.HiddenRows(store, belongings())


class PrivacyFilter:
    """What an export may show; computed once per export, in the database.

    Make it inside the export's read snapshot (:meth:`Store.snapshot`), so that
    what is hidden and what is read are the same state of the database.
    """

    def __init__(self, store: Store, *, include_private: bool) -> None:
        self.store = store
        self.include_private = include_private
        if not include_private:
            export.mark_hidden_records(store, belongings())

    def note_public_mentions(self) -> None:
        """Tell the user (a notice on stderr) how many public texts name someone
        this export leaves out: what no rule can hide (see service/mentions.py)."""
        if self.include_private:
            return
        from cases.service.mentions import public_mentions, warning

        line = warning(public_mentions(self.store))
        if line:
            self.store.notices.append(line)

    def hidden_ids(self, table: Table) -> set[int]:
        """The ids of TABLE's records this export leaves out."""
        if self.include_private:
            return set()
        return export.hidden_ids(self.store, table.name)

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
            actor_texts=named_by(table),
            defuse=defused,
        )
