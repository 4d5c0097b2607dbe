"""Name keys: the form of a name that matching compares. Pure.

A key transliterates any script to Latin (anyascii), folds case, accents,
punctuation and spacing, then folds the romanisation variants that split one
Kazakh, Uyghur or Russian name into several spellings (q/k, zh/j, kh/h, gh/g,
w/u, y/i, doubled letters), and sorts the words so that "Sauytbay Sairagul"
(surname first, as in Russian documents) meets "Sairagul Sauytbay".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from operator import itemgetter

# Applied in order to each lower-case ASCII word. "dzh" and "dj" go to "j"
# after zh -> j; kh goes first so that "kh" never becomes "kh" -> "k" + "h".
_FOLDS: tuple[tuple[str, str], ...] = (
    ("kh", "h"),
    ("zh", "j"),
    ("dj", "j"),
    ("gh", "g"),
    ("q", "k"),
    ("w", "u"),
    ("y", "i"),
    # Russian е after a vowel or at the start is often written "ye" (Yerlan/Erlan)
    ("ie", "e"),
)
_DOUBLED = re.compile(r"(.)\1+")
_FIRST_GROUP = itemgetter(1)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def clean_name(text: str) -> str:
    """A name as stored: Unicode-normalised (NFC), single spaces, no control characters."""
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():  # only then can it hold a control or format character
        text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(text.split())


def name_words(text: str) -> tuple[str, ...]:
    """The folded words of a name, in written order."""
    if text.isascii():  # NFKC and transliteration leave ASCII as it is
        latin = text.lower()
    else:
        latin = unicodedata.normalize("NFKC", text).translate(_ASCII).lower()
    # The folds are letter pairs, so folding the whole name at once is folding
    # each word: a separator never takes part in a pair (and is split off below).
    for variant, canonical in _FOLDS:
        latin = latin.replace(variant, canonical)
    # the letter itself, taken from the match in C: a template ("\\1") is
    # expanded by Python code for each match
    latin = _DOUBLED.sub(_FIRST_GROUP, latin)
    return tuple(filter(None, _NOT_ALNUM.split(latin)))


class _AsciiTable(dict[int, str]):
    """anyascii as a str.translate table, filled one character at a time.

    anyascii transliterates each character on its own, in a Python loop: about
    3 us for a Cyrillic name. Through this table each character is looked up
    once, and every later name is translated in C (under 1 us).
    """

    def __missing__(self, codepoint: int) -> str:
        from anyascii import anyascii  # loaded only once a name needs it

        self[codepoint] = latin = anyascii(chr(codepoint))
        return latin


_ASCII = _AsciiTable()


def name_key(text: str) -> str:
    """The key two spellings share when they are the same name (sorted folded words)."""
    return " ".join(sorted(name_words(text)))


# Kazakh and Russian patronymic and surname endings, as name_words spells them
# (y -> i, q -> k): -uly/-ulı/-ұлы "son of", -kyzy/-qyzy/-қызы "daughter of",
# -ovich/-evich/-ovna/-evna, -ov/-ev/-ova/-eva/-in/-ina. Longest first.
_ENDINGS = ("ovich", "evich", "ovna", "evna", "kizi", "uli", "ova", "eva", "ina", "ov", "ev", "in")
# A word keeps at least this many letters once its ending is folded ("Ilin" stays).
_SHORTEST_ROOT = 3


def name_form(key: str) -> str:
    """KEY (a name key) with each word's patronymic or surname ending folded to its
    root, words sorted again: "Bagashar Malikuly", "Malikov Bagashar" and
    "Bagashar Malik" share one form. For finding likely duplicates, not a key."""
    words = []
    for word in key.split():
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= _SHORTEST_ROOT:
                word = word[: -len(ending)]
                break
        words.append(word)
    return " ".join(sorted(words))


def similarity(first_key: str, second_key: str) -> float:
    """How alike two keys are, 0-100 (rapidfuzz token-sort ratio on folded words)."""
    from rapidfuzz import fuzz

    return float(fuzz.token_sort_ratio(first_key, second_key))


def best_matches(
    key: str, candidates: Sequence[tuple[int, str, str]], *, limit: int, cutoff: float
) -> list[tuple[int, str, float]]:
    """The best-scoring (person id, name, score) per person, best first.

    CANDIDATES are (person id, name, key) rows: every name and alias.
    """
    from rapidfuzz import fuzz, process

    keys = [candidate[2] for candidate in candidates]
    scored = process.extract(
        key, keys, scorer=fuzz.token_sort_ratio, limit=limit * 4, score_cutoff=cutoff
    )
    best: dict[int, tuple[int, str, float]] = {}
    for _, score, index in scored:
        person_id, name, _ = candidates[index]
        if person_id not in best or best[person_id][2] < score:
            best[person_id] = (person_id, name, float(score))
    return sorted(best.values(), key=lambda match: (-match[2], match[0]))[:limit]
