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


_KINDS = (PERSON, ORGANISATION)


def dupes(
    store: Store, *, limit: int | None = None, min_score: float = DUPES_MIN_SCORE
) -> Iterator[dict[str, Any]]:
    """Pairs of people (and of organisations) who may be the same, most likely
    first, with the reasons: at most LIMIT of them, whose names are at least
    MIN_SCORE alike (0-100; the score shown adds the bonuses, so it is never
    lower). Unnamed people are never proposed.

    The pairs come from the actors sharing a name key or form, and from
    blocks of names sharing a word's first letters, scored by rapidfuzz one
    row of a block at a time. With a LIMIT only the pairs that can still be
    among the first are looked at (_first); without one, every pair's bonuses
    (birth year, origin, shared trials and sources) are read, in batches, and
    pairs are given as soon as no pair still to come can score more.
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
    if limit is not None:
        yield from _first(store, limit, min_score)
        return
    names = _SimilarNames(min_score)
    for index, kind in enumerate(_KINDS):
        keys, owners = _names(store, kind.table)
        names.add_same_keys(index, owners)
        # compared in their forms: Kazakh and Russian name endings folded
        forms, form_owners = _forms(keys, owners)
        names.add_same_keys(index, form_owners, SAME_FORM)
        names.add_alike(index, forms, form_owners)
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


def _first(store: Store, limit: int, min_score: float) -> Iterator[dict[str, Any]]:
    """The LIMIT most likely pairs, found without scoring every pair alike.

    Names as common as real ones put thousands of people under one name (and
    millions of pairs under the commonest names), so the pairs are taken by
    groups: the actors sharing a name key (100), sharing a name form (99), then
    the pairs of forms rapidfuzz finds alike, best first. In a group only the
    pairs that can still be among the first LIMIT are looked at, by what they
    share (the same birth year, origin, trial or source: see _Traits.pairs);
    and once LIMIT pairs are known, forms are compared only down to the score
    that could still reach them.
    """
    top = _TopPairs(limit)
    for index, kind in enumerate(_KINDS):
        keys, owners = _names(store, kind.table)
        forms, form_owners = _forms(keys, owners)
        traits = _Traits(store, kind.table)
        groups = [
            (score, sorted(set(having)))
            for score, found in ((100.0, owners), (SAME_FORM, form_owners))
            if score >= min_score
            for having in found
            if len(set(having)) > 1
        ]
        # first what the groups' pairs that share a birth year or a trial score,
        # so that the pairs sharing less are looked at only where they can count
        for score, members in groups:
            top.add(index, score, members, members, traits, _FIRST_PASS_LEAST)
        for score, members in groups:
            top.add(index, score, members, members, traits, top.least_bonus(score))
        cutoff = max(min_score, top.worst_total() - _MOST_BONUS)
        alike = _alike_forms(forms, cutoff)
        for score, first, second in sorted(alike, reverse=True):
            if score < cutoff or score + _MOST_BONUS < top.worst_total():
                break
            one, other = sorted(set(form_owners[first])), sorted(set(form_owners[second]))
            top.add(index, score, one, other, traits, top.least_bonus(score))
    chosen = [(score, _pair_code(kind, a, b)) for kind, a, b, score in top.pairs()]
    scored = sorted(_with_bonuses(store, chosen))
    yield from _shown(store, scored)


def _alike_forms(forms: list[str], cutoff: float) -> list[tuple[float, int, int]]:
    """(score, index, index) of the pairs of FORMS (distinct) at least CUTOFF
    alike, compared by rapidfuzz within blocks (_blocks), one row of a block
    at a time."""
    from rapidfuzz import fuzz, process

    found: dict[tuple[int, int], float] = {}
    for block, leading in _blocks(forms):
        if leading == len(block) - 1 and cutoff > 0:
            # Two keys differ by at least their difference in length, so the
            # shorter one is compared only with keys at most `stretch` times as
            # long: the ratio can reach the cutoff.
            block = sorted(block, key=lambda i: len(forms[i]))
            lengths = [len(forms[i]) for i in block]
            stretch = (200 - cutoff) / cutoff
            ends = [bisect.bisect_right(lengths, length * stretch + 1e-9) for length in lengths]
        else:
            ends = [len(block)] * len(block)
        texts = [forms[i] for i in block]
        for row in range(leading):
            if ends[row] <= row + 1:
                continue
            # forms are sorted folded words, so ratio is their token-sort ratio
            for _, score, column in process.extract(
                texts[row],
                texts[row + 1 : ends[row]],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                limit=None,
            ):
                one, other = block[row], block[row + 1 + column]
                pair = (one, other) if one < other else (other, one)
                if found.get(pair, -1.0) < score:
                    found[pair] = score
    return [(score, first, second) for (first, second), score in found.items()]


# The least a pair must add to its names' score to be looked at in the first
# pass: more than an origin and a source give (3 + 2), so only the pairs sharing
# a birth year or a trial.
_FIRST_PASS_LEAST = 6


class _Traits:
    """What the bonuses weigh of every actor of a table: birth year, origin (its
    key), the trials they are a party to and the sources cited for them."""

    def __init__(self, store: Store, table: str) -> None:
        self.year, self.origin = identity.birth_years_and_origins(store, table)
        self.origin = {actor: name_key(place) for actor, place in self.origin.items()}
        self.trials = identity.all_trials(store, table)
        self.sources = identity.all_sources(store, table)

    def bonus(self, one: int, other: int) -> int:
        year = self.year.get(one)
        origin = self.origin.get(one)
        trials = self.trials.get(one)
        sources = self.sources.get(one)
        return _bonus(
            year is not None and year == self.year.get(other),
            bool(origin) and origin == self.origin.get(other),
            bool(trials and not trials.isdisjoint(self.trials.get(other, ()))),
            bool(sources and not sources.isdisjoint(self.sources.get(other, ()))),
        )

    def pairs(self, one: list[int], other: list[int], least: int) -> Iterator[tuple[int, int]]:
        """Pairs of an actor of ONE and one of OTHER (the same list: within it)
        that may add at least LEAST (above 0): those sharing a birth year or a
        trial and, where LEAST is low enough, an origin or a source."""
        within = one is other
        shares: list[dict[int, Any]] = [self.year, self.trials]
        if least <= 5:  # an origin and a source: 3 + 2
            shares += [self.origin, self.sources]
        for share in shares:
            left = _buckets(one, share)
            right = left if within else _buckets(other, share)
            for value, having in left.items():
                others = right.get(value)
                if not others:
                    continue
                if within:
                    for position, first in enumerate(having):
                        for second in having[position + 1 :]:
                            yield first, second
                else:
                    for first in having:
                        for second in others:
                            yield first, second


def _buckets(actors: list[int], share: dict[int, Any]) -> dict[Any, list[int]]:
    """ACTORS by each value of SHARE they have (a year; each of their trials)."""
    found: dict[Any, list[int]] = {}
    for actor in actors:
        value = share.get(actor)
        if not value:
            continue
        for item in value if isinstance(value, frozenset) else (value,):
            found.setdefault(item, []).append(actor)
    return found


class _TopPairs:
    """The LIMIT best pairs seen so far: by total score, then organisations
    before people, then by ids (as ``dupes`` lists them)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # min-heap whose top is the worst kept: (total, -rank, -first, -second)
        self.heap: list[tuple[float, int, int, int]] = []
        self.kept: dict[tuple[int, int, int], float] = {}  # (kind, first, second): names' score

    def worst_total(self) -> float:
        """The total a pair must reach to be kept (-1 until LIMIT are known)."""
        return self.heap[0][0] if len(self.heap) >= self.limit else -1.0

    def least_bonus(self, score: float) -> int:
        """The least a pair of names' SCORE must add to be kept (ties count)."""
        worst = self.worst_total()
        return -1 if worst < 0 else int(-(-(worst - score) // 1))

    def add(
        self,
        kind: int,
        score: float,
        one: list[int],
        other: list[int],
        traits: _Traits,
        least: int,
    ) -> None:
        """Keep the pairs of ONE and OTHER (alike at SCORE) that are among the best."""
        if least > _MOST_BONUS:
            return
        for first, second in traits.pairs(one, other, max(least, 1)):
            self._consider(kind, score, first, second, traits)
        if least > 0:
            return
        # pairs that share nothing count too: in the order of their ids, so that
        # within a group the first one not kept ends the walk (the rest rank lower)
        within = one is other
        for position, first in enumerate(one):
            for second in one[position + 1 :] if within else other:
                if traits.bonus(first, second) == 0:
                    kept = self._consider(kind, score, first, second, traits)
                    if within and not kept:
                        return

    def _consider(self, kind: int, score: float, first: int, second: int, traits: _Traits) -> bool:
        """Keep the pair if it is among the best; False if it is not."""
        if first == second:
            return True
        if first > second:
            first, second = second, first
        if self.kept.get((kind, first, second), -1.0) >= score:
            return True
        total = round(score + traits.bonus(first, second), 1)
        entry = (total, -_KIND_RANK[kind], -first, -second)
        if len(self.heap) >= self.limit and entry <= self.heap[0]:
            return False
        self._keep(kind, score, entry)
        return True

    def _keep(self, kind: int, score: float, entry: tuple[float, int, int, int]) -> None:
        key = (kind, -entry[2], -entry[3])
        if key in self.kept:  # kept already at a lower names' score: replaced
            self.heap = [e for e in self.heap if (e[2], e[3]) != (entry[2], entry[3])]
            heapq.heapify(self.heap)
        self.kept[key] = score
        heapq.heappush(self.heap, entry)
        if len(self.heap) > self.limit:
            dropped = heapq.heappop(self.heap)
            kind_of_dropped = 1 + dropped[1]  # rank 1 (people) is kind 0, rank 0 kind 1
            self.kept.pop((kind_of_dropped, -dropped[2], -dropped[3]), None)

    def pairs(self) -> list[tuple[int, int, int, float]]:
        """(kind, first, second, names' score) of the pairs kept."""
        return [(kind, first, second, score) for (kind, first, second), score in self.kept.items()]


class _SimilarNames:
    """The best names' score of each pair of actors of a kind, from blocks."""

    def __init__(self, min_score: float) -> None:
        self.cutoff = min_score
        self.best: dict[int, float] = {}  # by _pair_code

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

    def add_alike(self, kind: int, forms: list[str], owners: list[list[int]]) -> None:
        """Score the pairs of actors whose FORMS are alike (see _alike_forms)."""
        best = self.best
        for score, first, second in _alike_forms(forms, self.cutoff):
            for one in owners[first]:
                for other in owners[second]:
                    if one == other:
                        continue
                    pair = (
                        _pair_code(kind, one, other)
                        if one < other
                        else _pair_code(kind, other, one)
                    )
                    if best.get(pair, -1.0) < score:
                        best[pair] = score

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


# A pair with its score: (-score, rank of its kind, first id, second id, kind,
# names' score, same birth year, same origin, shared trials, shared sources).
# Pairs of equal score come organisations first, then by their ids.
_Scored = tuple[float, int, int, int, int, float, bool, bool, int, int]

# Organisations before people among pairs of equal score (O before P).
_KIND_RANK = {0: 1, 1: 0}


def _bonus(same_year: bool, same_origin: bool, shared_trials: int, shared_sources: int) -> int:
    """What the birth year, origin, shared trials and sources add to the names' score."""
    return 5 * same_year + 3 * same_origin + 5 * bool(shared_trials) + 2 * bool(shared_sources)


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
            score = best + _bonus(same_year, same_origin, shared_trials, shared_sources)
            yield (
                -round(score, 1),
                _KIND_RANK[index],
                first,
                second,
                index,
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
            store, kind.table, [a for p in settled if p[4] == index for a in (p[2], p[3])]
        )
        for index, kind in enumerate(_KINDS)
    }
    for score, _, first, second, kind, best, year, origin, trials, sources in settled:
        one, other = found_actors[kind][first], found_actors[kind][second]
        prefix = _KINDS[kind].prefix
        ref, other_ref = f"{prefix}{first}", f"{prefix}{second}"
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
