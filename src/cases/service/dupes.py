"""Likely duplicates: pairs of people (or of organisations) whose names are
alike however they are written, scored, with what else they share, best first.
Names are compared within blocks (a shared beginning of their key), so that
100,000 people take seconds, not the square of them."""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Iterator
from typing import Any

from cases.db import identity
from cases.db.connection import Store
from cases.errors import Invalid
from cases.names import name_form, name_key
from cases.records import ORGANISATION, PERSON

DUPES_MIN_SCORE = 80.0

# Two names that differ only in their Kazakh or Russian endings ("Bagashar
# Malikuly", "Malikov Bagashar"): alike, but not the same key.
SAME_FORM = 99.0

# How much lower two names' keys may score than their forms (endings folded):
# "Bagashar Malikuly" and "Malik Bashagar" are 77 alike, their forms 86.
_ENDING_ALLOWANCE = 20.0


# Names are compared only within blocks: the keys (names and aliases) having a
# word that starts with the same DUPES_PREFIX letters ("sauit" holds Sauytbay,
# Sauytbayeva and Sauitbai). A block larger than DUPES_BLOCK_LIMIT (a very common
# word) is split by a letter more of the word, down to the whole word, and then
# by the first _SPLIT_LETTERS letters of the keys' other words.
DUPES_PREFIX = 5


DUPES_BLOCK_LIMIT = 2000


_SPLIT_LETTERS = 2


# What the birth year, origin, trials and sources can add to the names' score.
_MOST_BONUS = 5.0 + 3.0 + 5.0 + 2.0


# Pairs whose bonuses are read at once.
DUPES_BATCH = 500


# With a limit, pairs that cannot be among the first are dropped once more than
# this many (or 20 times the limit) are known.
DUPES_PRUNE_FROM = 2_000


_KINDS = (PERSON, ORGANISATION)


def dupes(
    store: Store, *, limit: int | None = None, min_score: float = DUPES_MIN_SCORE
) -> Iterator[dict[str, Any]]:
    """Pairs of people (and of organisations) who may be the same, most likely
    first, with the reasons: at most LIMIT of them, whose names are at least
    MIN_SCORE alike (0-100; the score shown adds the bonuses, so it is never
    lower). Unnamed people are never proposed.

    The pairs come from blocks of names sharing a word's first letters, scored
    by rapidfuzz one row of a block at a time; only the pairs that can still
    be among the first LIMIT have their bonuses (birth year, origin, shared
    trials and sources) read, in batches.
    """
    if limit is not None and limit < 1:
        raise Invalid(f"--limit {limit} must be 1 or more")
    if not 0 <= min_score <= 100:
        raise Invalid(f"--min-score {min_score:g} must be between 0 and 100")
    return _ranked(store, limit, min_score)


def alike_names(
    store: Store, table: str, key: str, min_score: float = DUPES_MIN_SCORE
) -> list[int]:
    """The actors of TABLE whose name or an alias is alike the name keyed KEY,
    as ``dupes`` scores names (their forms, at least MIN_SCORE), best first."""
    from rapidfuzz import fuzz, process

    form = name_form(key)
    keys, owners = _names(store, table)
    found: dict[int, float] = {}
    # the keys themselves first, in C and leniently (an ending adds a few
    # letters), then the forms of those few
    for other, _, index in process.extract(
        key, keys, scorer=fuzz.ratio, score_cutoff=min_score - _ENDING_ALLOWANCE, limit=None
    ):
        score = fuzz.ratio(form, name_form(other))
        if score >= min_score:
            for actor in owners[index]:
                found[actor] = max(found.get(actor, 0.0), score)
    return sorted(found, key=lambda actor: (-found[actor], actor))


def _ranked(store: Store, limit: int | None, min_score: float) -> Iterator[dict[str, Any]]:
    names = _SimilarNames(limit, min_score)
    for index, kind in enumerate(_KINDS):
        keys, owners = _names(store, kind.table)
        names.add_same_keys(index, owners)
        # compared in their forms: Kazakh and Russian name endings folded
        forms, form_owners = _forms(keys, owners)
        names.add_same_keys(index, form_owners, SAME_FORM)
        names.add_blocks(index, forms, form_owners, _blocks(forms))
    candidates = names.best_last()
    # Pairs in order of their names' score; each with its bonuses waits until no
    # pair still to come can score more (names' score + _MOST_BONUS at most).
    waiting: list[_Scored] = []
    given = 0
    while candidates:
        batch = [candidates.pop() for _ in range(min(DUPES_BATCH, len(candidates)))]
        for scored in _with_bonuses(store, batch):
            heapq.heappush(waiting, scored)
        bound = round(candidates[-1][0] + _MOST_BONUS, 1) if candidates else -1.0
        settled: list[_Scored] = []
        while waiting and -waiting[0][0] > bound and given + len(settled) != limit:
            settled.append(heapq.heappop(waiting))
        for start in range(0, len(settled), DUPES_BATCH):
            yield from _shown(store, settled[start : start + DUPES_BATCH])
        given += len(settled)
        if given == limit:
            return


class _SimilarNames:
    """The best names' score of each pair of actors of a kind, from blocks.

    With a LIMIT, once more than enough pairs are known, a pair whose names
    score so low that even every bonus would not lift it to the LIMIT-th best
    names' score is dropped, and later blocks are scored with that cutoff.
    """

    def __init__(self, limit: int | None, min_score: float) -> None:
        self.limit = limit
        self.cutoff = min_score
        self.best: dict[int, float] = {}  # by _pair_code
        self.prune_at = max(20 * limit, DUPES_PRUNE_FROM) if limit else 0

    def add_same_keys(self, kind: int, owners: list[list[int]], score: float = 100.0) -> None:
        """Actors sharing a name key are alike at SCORE (100 for the key itself)."""
        best = self.best
        for having in owners:
            if len(having) > 1:
                ordered = sorted(set(having))
                for position, one in enumerate(ordered):
                    for other in ordered[position + 1 :]:
                        pair = _pair_code(kind, one, other)
                        if best.get(pair, -1.0) < score:
                            best[pair] = score
                    self._check_size()

    def add_blocks(
        self,
        kind: int,
        keys: list[str],
        owners: list[list[int]],
        blocks: Iterator[tuple[list[int], int]],
    ) -> None:
        """Score the pairs of keys in each block: (indexes of KEYS, how many of
        the first are compared with every one after them)."""
        from rapidfuzz import fuzz, process

        for block, leading in blocks:
            if leading == len(block) - 1 and self.cutoff > 0:
                # Two keys differ by at least their difference in length, so
                # the shorter one is compared only with keys at most `stretch`
                # times as long: the ratio can reach the cutoff.
                block = sorted(block, key=lambda i: len(keys[i]))
                lengths = [len(keys[i]) for i in block]
                stretch = (200 - self.cutoff) / self.cutoff
                ends = [bisect.bisect_right(lengths, length * stretch + 1e-9) for length in lengths]
            else:
                ends = [len(block)] * len(block)
            texts = [keys[i] for i in block]
            best = self.best
            for row in range(leading):
                if ends[row] <= row + 1:
                    continue
                # keys are sorted folded words, so ratio is their token-sort ratio
                for _, score, column in process.extract(
                    texts[row],
                    texts[row + 1 : ends[row]],
                    scorer=fuzz.ratio,
                    score_cutoff=self.cutoff,
                    limit=None,
                ):
                    for one in owners[block[row]]:
                        for other in owners[block[row + 1 + column]]:
                            if one == other:
                                continue
                            pair = (
                                _pair_code(kind, one, other)
                                if one < other
                                else _pair_code(kind, other, one)
                            )
                            if best.get(pair, -1.0) < score:
                                best[pair] = score
            self._check_size()

    def _check_size(self) -> None:
        if self.prune_at and len(self.best) > self.prune_at:
            self._prune()

    def _prune(self) -> None:
        """Drop the pairs that cannot be among the first LIMIT."""
        assert self.limit
        enough = heapq.nlargest(self.limit, self.best.values())[-1]
        self.cutoff = max(self.cutoff, enough - _MOST_BONUS)
        self.best = {pair: score for pair, score in self.best.items() if score >= self.cutoff}
        self.prune_at = max(self.prune_at, 2 * len(self.best))

    def best_last(self) -> list[tuple[float, int]]:
        """(names' score, _pair_code) of every pair found, the best last."""
        found = [(score, code) for code, score in self.best.items() if score >= self.cutoff]
        self.best = {}
        found.sort()
        return found


def _pair_code(kind: int, first: int, second: int) -> int:
    """A pair as one int (smaller in memory than a tuple): ids are below 2**64."""
    return (first << 65) | (second << 1) | kind


def _pair_of(code: int) -> tuple[int, int, int]:
    """(kind, first, second) of a _pair_code."""
    return code & 1, code >> 65, (code >> 1) & (2**64 - 1)


def _names(store: Store, table: str) -> tuple[list[str], list[list[int]]]:
    """TABLE's distinct name keys (names and aliases), and the actors having each."""
    keys: list[str] = []
    owners: list[list[int]] = []
    index_of: dict[str, int] = {}
    for actor_id, key in identity.name_words(store, table):
        index = index_of.setdefault(key, len(keys))
        if index == len(keys):
            keys.append(key)
            owners.append([actor_id])
        else:
            owners[index].append(actor_id)
    return keys, owners


def _forms(keys: list[str], owners: list[list[int]]) -> tuple[list[str], list[list[int]]]:
    """The distinct name forms of KEYS (names.name_form) and the actors having each."""
    forms: list[str] = []
    form_owners: list[list[int]] = []
    index_of: dict[str, int] = {}
    for key, having in zip(keys, owners, strict=True):
        form = name_form(key)
        index = index_of.setdefault(form, len(forms))
        if index == len(forms):
            forms.append(form)
            form_owners.append(list(having))
        else:
            form_owners[index].extend(having)
    return forms, form_owners


def _blocks(keys: list[str]) -> Iterator[tuple[list[int], int]]:
    """Each block of KEYS worth comparing: (indexes, how many of the first are
    compared with every one after them)."""
    members: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        for part in {word[:DUPES_PREFIX] for word in key.split()}:
            members.setdefault(part, []).append(index)
    for part, block in members.items():
        whole = len(block) > DUPES_BLOCK_LIMIT and all(part in keys[i].split() for i in block)
        yield from _split(keys, block, part, whole=whole)


def _split(
    keys: list[str], block: list[int], part: str, *, whole: bool
) -> Iterator[tuple[list[int], int]]:
    """BLOCK (indexes of KEYS having a word that starts with PART, or with WHOLE
    is PART) in blocks of at most DUPES_BLOCK_LIMIT where it can be split:
    (indexes, how many of the first are compared with every one after them).

    A larger block is split by a letter more of the word (a word that is PART
    itself is a block of its own), down to whole words; a larger block of one
    word, by the first letters of the keys' other words (a key with no other
    word is compared with the whole block)."""
    if len(block) < 2:
        return
    if len(block) <= DUPES_BLOCK_LIMIT:
        yield block, len(block) - 1
        return
    size = len(part) + 1
    if not whole:
        longer: dict[str, list[int]] = {}
        for i in block:
            for sub in {w[:size] for w in keys[i].split() if w.startswith(part)}:
                longer.setdefault(sub, []).append(i)
        for sub, members in longer.items():
            yield from _split(keys, members, sub, whole=len(sub) < size)
        return
    by_other: dict[str, list[int]] = {}
    alone: list[int] = []
    for i in block:
        others = {w[:_SPLIT_LETTERS] for w in keys[i].split() if w != part}
        for other in others:
            by_other.setdefault(other, []).append(i)
        if not others:
            alone.append(i)
    for members in by_other.values():
        if len(members) > 1:
            yield members, len(members) - 1
    if alone:
        lone = set(alone)
        yield alone + [i for i in block if i not in lone], len(alone)


# A pair with its score: (-score, ref, other ref, kind, first id, second id,
# names' score, same birth year, same origin, shared trials, shared sources).
_Scored = tuple[float, str, str, int, int, int, float, bool, bool, int, int]


def _with_bonuses(store: Store, batch: list[tuple[float, int]]) -> Iterator[_Scored]:
    """The pairs of BATCH ((names' score, _pair_code)) with the birth year,
    origin, shared trials and shared sources added to their score."""
    pairs = [(score, *_pair_of(code)) for score, code in batch]
    for index, kind in enumerate(_KINDS):
        ids = sorted({a for _, k, one, other in pairs if k == index for a in (one, other)})
        if not ids:
            continue
        found_actors = identity.facts_of(store, kind.table, ids)
        trials = identity.trials_of(store, kind.table, ids)
        sources = identity.sources_of(store, kind.table, ids)
        no_trials: Counter[int] = Counter()
        for best, _, first, second in (pair for pair in pairs if pair[1] == index):
            one, other = found_actors[first], found_actors[second]
            born_one, born_other = one.get("born_earliest"), other.get("born_earliest")
            same_year = bool(born_one and born_other and born_one[:4] == born_other[:4])
            same_origin = bool(one.get("origin")) and name_key(one["origin"]) == name_key(
                other.get("origin") or ""
            )
            # as many as the two have parties in common trials, role by role
            trials_one, trials_other = trials.get(first, no_trials), trials.get(second, no_trials)
            shared_trials = sum(n * trials_other[t] for t, n in trials_one.items())
            shared_sources = len(sources.get(first, set()) & sources.get(second, set()))
            score = (
                best
                + 5 * same_year
                + 3 * same_origin
                + 5 * bool(shared_trials)
                + 2 * bool(shared_sources)
            )
            yield (
                -round(score, 1),
                f"{kind.prefix}{first}",
                f"{kind.prefix}{second}",
                index,
                first,
                second,
                best,
                same_year,
                same_origin,
                shared_trials,
                shared_sources,
            )


def _shown(store: Store, settled: list[_Scored]) -> Iterator[dict[str, Any]]:
    """Pairs as shown, with their names and reasons."""
    found_actors = {
        index: identity.facts_of(
            store, kind.table, [a for p in settled if p[3] == index for a in (p[4], p[5])]
        )
        for index, kind in enumerate(_KINDS)
    }
    for score, ref, other_ref, kind, first, second, best, year, origin, trials, sources in settled:
        one, other = found_actors[kind][first], found_actors[kind][second]
        if best == 100:
            reasons = ["same name key"]
        elif best == SAME_FORM:
            reasons = ["same name once endings are folded"]
        else:
            reasons = [f"names {best:.0f}% alike"]
        if year:
            reasons.append("same birth year")
        if origin:
            reasons.append("same origin")
        if trials:
            reasons.append(f"{trials} shared trial(s)")
        if sources:
            reasons.append(f"{sources} shared source(s)")
        yield {
            "ref": ref,
            "uid": one["uid"],
            "name": one["name"],
            "other_ref": other_ref,
            "other_uid": other["uid"],
            "other_name": other["name"],
            "score": -score,
            "reasons": reasons,
        }
