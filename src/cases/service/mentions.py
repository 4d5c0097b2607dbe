"""Public texts that name a private person: what the privacy rules cannot hide.

A person marked private is often named in the free text of public records (a
summary, a note, a source's title, a quote). No rule can tell such a mention
from another person of the same name, so nothing is blanked: an export, a
publication or a chart without ``--include-private`` says how many public
texts name someone private, and ``check`` lists them, so that the researcher
can decide.

A text names an actor when the words of one of their names or aliases come
one after another in it, in any order, as name keys compare words (any script
or spelling). The full-text tables are read word by word (each word's places,
for the words that can belong to such a name); the free text no full-text
table holds (a quote, a page) is read whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cases.catalogue import SEARCHABLE, TABLES, TEXT
from cases.db import mentions
from cases.db.connection import Store
from cases.names import name_words
from cases.records import KIND_BY_TABLE

# Texts that are not prose: a URL, a case number.
_NOT_PROSE = {("trials", "case_number")}


@dataclass(frozen=True)
class Mention:
    """A public text naming someone an export leaves out."""

    where: str  # the record, as a reader finds it: "E19", "a quote citing E8"
    field: str
    actor: str  # the reference of who it names: "P4"

    def text(self) -> str:
        """The text, in words: "the summary of E19", "a quote citing E8"."""
        if self.where.startswith("a quote") and self.field == "quote":
            return self.where
        return f"the {self.field.replace('_', ' ')} of {self.where}"


class _Names:
    """The hidden actors' names, by their words (sorted), for windows of text."""

    def __init__(self, store: Store) -> None:
        self.by_words: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for table, actor_id, name in mentions.hidden_names(store):
            words = name_words(str(name))
            if words:
                self.by_words[tuple(sorted(words))].add(f"{KIND_BY_TABLE[table].prefix}{actor_id}")
        self.words = {word for words in self.by_words for word in words}
        self.lengths = sorted({len(words) for words in self.by_words})

    def named_in(self, words: Sequence[str | None]) -> set[str]:
        """The actors whose name's words come one after another in WORDS (None: a
        place that holds no word of any name)."""
        found: set[str] = set()
        for length in self.lengths:
            for start in range(len(words) - length + 1):
                window = words[start : start + length]
                if None in window:
                    continue
                key = tuple(sorted(word for word in window if word is not None))
                found |= self.by_words.get(key, set())
        return found


def public_mentions(store: Store) -> list[Mention]:
    """Every public text naming someone an export leaves out, in table order.

    Call it where an export's privacy filter has marked what it hides (inside
    its snapshot, after :class:`~cases.privacy.PrivacyFilter`).
    """
    names = _Names(store)
    if not names.by_words:
        return []
    found: list[Mention] = []
    for table in TABLES:
        prose = [
            field.name
            for field in table.all_fields
            if field.type == TEXT and not field.names and (table.name, field.name) not in _NOT_PROSE
        ]
        indexed = (
            set(mentions.indexed_columns(store, table.name)) if table.name in SEARCHABLE else set()
        )
        if indexed:
            found += _in_indexed(store, table.name, [f for f in prose if f in indexed], names)
        for column in prose:
            if column not in indexed:
                found += _in_texts(store, table.name, column, names)
    return found


def _in_indexed(store: Store, table: str, prose: Sequence[str], names: _Names) -> list[Mention]:
    """Mentions in TABLE's full-text table, word by word: only the names all of
    whose words are in its prose are looked for, each word where it is."""
    folded: dict[str, str] = {}
    for word in mentions.indexed_words(store, table, prose):
        parts = name_words(word)
        if len(parts) == 1 and parts[0] in names.words:
            folded[word] = parts[0]
    present = set(folded.values())
    wanted = {word for words in names.by_words if present.issuperset(words) for word in words}
    looked_for = sorted(word for word, fold in folded.items() if fold in wanted)
    places: dict[tuple[int, str], dict[int, str]] = defaultdict(dict)
    for word, row_id, column, position in mentions.places_of(store, table, looked_for, prose):
        places[(int(row_id), str(column))][int(position)] = folded[word]
    found = []
    for (row_id, column), at in sorted(places.items()):
        first, last = min(at), max(at)
        for actor in sorted(names.named_in([at.get(p) for p in range(first, last + 1)])):
            found.append(Mention(_where(store, table, row_id), column, actor))
    return found


def _in_texts(store: Store, table: str, column: str, names: _Names) -> list[Mention]:
    """Mentions in a column no full-text table holds, read whole."""
    found = []
    for row_id, text in mentions.shown_texts(store, table, column):
        words: list[str | None] = list(name_words(str(text)))
        if names.words.isdisjoint(words):
            continue
        for actor in sorted(names.named_in(words)):
            found.append(Mention(_where(store, table, int(row_id)), column, actor))
    return found


def _where(store: Store, table: str, row_id: int) -> str:
    """How a reader finds the record: its reference, or what it belongs to."""
    kind = KIND_BY_TABLE.get(table)
    if kind is not None:
        return f"{kind.prefix}{row_id}"
    if table == "citations":
        record = mentions.record_of_citation(store, row_id)
        if record is not None and record[0] in KIND_BY_TABLE:
            return f"a quote citing {KIND_BY_TABLE[record[0]].prefix}{record[1]}"
        return "a quote"
    return f"a row of {table.replace('_', ' ')}"


def warning(found: Iterable[Mention]) -> str | None:
    """The line an export prints about them, or None."""
    places = list(dict.fromkeys(mention.where for mention in found))
    if not places:
        return None
    if len(places) > 3:
        listed = f"{', '.join(places[:3])} and {len(places) - 3} more"
    elif len(places) > 1:
        listed = f"{', '.join(places[:-1])} and {places[-1]}"
    else:
        listed = places[0]
    texts = "text names" if len(places) == 1 else "texts name"
    return f"warning: {len(places)} public {texts} a private person: {listed}; see cases check"
