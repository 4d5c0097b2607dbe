"""Finding actors however their names are written: search, duplicates and merge."""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

from cases.db import actors, changelog, identity, queries, rows
from cases.db import search as full_text
from cases.db.connection import Row, Store
from cases.errors import Invalid
from cases.names import name_key, name_words
from cases.privacy import left_out
from cases.records import KIND_BY_TABLE, ORGANISATION, PERSON
from cases.service.common import public
from cases.service.resolving import actor_name, resolve_actor

SEARCH_LIMIT = 50

# The spellings one folded letter stands for (names.py folds each of these to it).
_SPELLINGS = {
    "j": ("j", "zh", "dj"),
    "k": ("k", "q"),
    "h": ("h", "kh"),
    "g": ("g", "gh"),
    "u": ("u", "w"),
    "i": ("i", "y"),
    "e": ("e", "ie"),
}
# A word with more spellings than this is looked for as typed and folded only.
_MOST_SPELLINGS = 64


def spellings(word: str) -> set[str]:
    """The spellings of WORD that fold to the same name word (Atajurt: Atazhurt,
    Atadjurt...): what to look for in text that is not folded, such as a summary."""
    found = {word.lower()}
    for folded in name_words(word):
        choices = [_SPELLINGS.get(letter, (letter,)) for letter in folded]
        count = 1
        for choice in choices:
            count *= len(choice)
        if count > _MOST_SPELLINGS:
            found.add(folded)
            continue
        found.update("".join(parts) for parts in itertools.product(*choices))
    return found


def fts_query(text: str) -> str:
    """Every word must match. A number matches whole (300 never finds 30 or 3000);
    any other word matches as the start of a word, in any of its spellings."""
    words = text.split()
    if not words:
        raise Invalid("give some text to search for")
    clauses = []
    for word in words:
        quoted = word.replace('"', '""')
        if word.isdigit():
            clauses.append(f'"{quoted}"')
            continue
        forms = {quoted, *spellings(word)}
        alternatives = " OR ".join(f'"{form}"*' for form in sorted(forms) if form)
        clauses.append(f"({alternatives})")
    return " AND ".join(clauses)


def _owner(table: str, row: Row, first_party: dict[int, int]) -> tuple[str, int] | None:
    """The actor a hit belongs to: (actor table, id)."""
    if table in actors.OWNER:
        return table, int(row["id"])
    if table == "trials":
        person = first_party.get(int(row["id"]))
        return ("people", person) if person is not None else None
    for actor_table, column in actors.OWNER.items():
        if row.get(column) is not None:
            return actor_table, int(row[column])
    return None


def search(store: Store, text: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Full-text hits (best first) with the record and actor each belongs to."""
    hits = full_text.search(store, fts_query(text), limit)
    by_table: dict[str, set[int]] = {}
    for table, _, record_id, _ in hits:
        by_table.setdefault(table, set()).add(record_id)
    records = {
        (table, int(row["id"])): row
        for table, ids in by_table.items()
        for row in rows.by_ids(store, table, sorted(ids))
    }
    first_party = queries.first_party_of(store, sorted(by_table.get("trials", set())))
    owners = {
        (table, record_id): _owner(table, row, first_party)
        for (table, record_id), row in records.items()
    }
    found_actors = {
        actor_table: actors.by_ids(
            store, actor_table, [o[1] for o in owners.values() if o and o[0] == actor_table]
        )
        for actor_table in actors.OWNER
    }
    # a hit is private where an export would leave its record out
    hidden = left_out(store)
    private = {table: hidden.among(table, sorted(ids)) for table, ids in by_table.items()}
    results = []
    for table, field, record_id, text_hit in hits:
        row = records.get((table, record_id))
        if row is None:
            continue
        owner = owners[(table, record_id)]
        actor = found_actors[owner[0]].get(owner[1]) if owner else None
        kind = KIND_BY_TABLE[owner[0]] if owner else None
        if table in ("aliases", "participants", "trial_parties") and owner:
            ref = f"{KIND_BY_TABLE[owner[0]].prefix}{owner[1]}"
            kind_name = {"aliases": "alias"}.get(table, table.rstrip("s").replace("_", " "))
        else:
            ref = f"{KIND_BY_TABLE[table].prefix}{record_id}" if table in KIND_BY_TABLE else ""
            kind_name = KIND_BY_TABLE[table].name if table in KIND_BY_TABLE else table
        if field == "name" and row.get("name"):
            text_hit = row["name"]  # the index also holds the folded key
        named = actor_name(kind, actor) if actor is not None and kind is not None else None
        is_person = owner is not None and owner[0] == "people"
        results.append(
            {
                "ref": ref,
                "uid": row["uid"],
                "kind": kind_name,
                "field": field,
                "text": text_hit,
                "person": named if is_person else None,
                "person_ref": f"P{owner[1]}" if owner and is_person else None,
                "actor": named,
                "actor_ref": f"{kind.prefix}{owner[1]}" if owner and kind else None,
                "private": record_id in private.get(table, set()),
            }
        )
    return results


DUPES_MIN_SCORE = 80.0
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


def _ranked(store: Store, limit: int | None, min_score: float) -> Iterator[dict[str, Any]]:
    names = _SimilarNames(limit, min_score)
    for index, kind in enumerate(_KINDS):
        keys, owners = _names(store, kind.table)
        names.add_same_keys(index, owners)
        names.add_blocks(index, keys, owners, _blocks(keys))
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

    def add_same_keys(self, kind: int, owners: list[list[int]]) -> None:
        """Actors sharing a name key are alike at 100."""
        for having in owners:
            if len(having) > 1:
                ordered = sorted(set(having))
                for position, one in enumerate(ordered):
                    for other in ordered[position + 1 :]:
                        self.best[_pair_code(kind, one, other)] = 100.0
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


# Fields a survivor's blank takes from the merged actor.
_FILLABLE = {
    "people": (
        "description",
        "sex",
        "born",
        "born_earliest",
        "born_latest",
        "ethnicity",
        "citizenship",
        "origin",
    ),
    "organisations": ("kind", "country", "size", "part_of_id"),
}


def merge(store: Store, actor: str, into: str, *, dry_run: bool = False) -> dict[str, Any]:
    """Move every record of ACTOR to INTO (both people, or both organisations),
    keep ACTOR's name as an alias, delete ACTOR.

    Fields INTO leaves blank (sex, born, ...) are filled from ACTOR. One
    transaction; with DRY_RUN nothing changes and the counts say what would move.

    What moves from a private actor stays private, whatever the survivor's
    mark (it may be made public later): each moved record is marked private, the alias the merged name becomes is private and
    carries the merged actor's note and the fields that would otherwise have
    filled the survivor's blanks. The citations of the merged actor go to that
    alias (the name they cited).
    """
    with store.transaction("merge", dry_run=dry_run):
        kind, merged = resolve_actor(store, actor)
        into_kind, survivor = resolve_actor(store, into, (kind,))
        ref = f"{kind.prefix}{merged['id']}"
        if merged["id"] == survivor["id"]:
            raise Invalid(f"{ref} cannot be merged into itself")
        table = kind.table
        stays_private = bool(merged["private"])
        moves = identity.record_counts(store, table, int(merged["id"]))
        fills = {f: merged[f] for f in _FILLABLE[table] if merged.get(f) and not survivor.get(f)}
        result = {
            "merged": public(kind, merged),
            "into": public(kind, survivor),
            "moves": moves,
            "fills": [] if stays_private else _shown_fields(fills),
            "kept_private": stays_private,
            "dry_run": dry_run,
        }
        if dry_run:
            return result
        identity.move_records(
            store, table, int(merged["id"]), int(survivor["id"]), mark_private=stays_private
        )
        alias_note = None
        if stays_private:
            kept = [f"{field}: {fills[field]}" for field in _shown_fields(fills)]
            alias_note = (
                "\n".join(part for part in ("; ".join(kept), merged.get("note") or "") if part)
                or None
            )
            fills = {}
        alias_id = _alias_of_merged_name(store, table, merged, survivor, alias_note, stays_private)
        if alias_id is not None:
            identity.move_citations(store, str(merged["uid"]), "aliases", alias_id)
        else:
            identity.move_citations(store, str(merged["uid"]), table, int(survivor["id"]))
        if fills:
            rows.update(store, table, int(survivor["id"]), fills)
        if merged.get("note") and not stays_private:
            note = "\n".join(n for n in (survivor.get("note"), merged["note"]) if n)
            rows.update(store, table, int(survivor["id"]), {"note": note})
        rows.delete(store, table, int(merged["id"]))
        changelog.set_fate(store, table, int(merged["id"]), "merged", int(survivor["id"]))
        store.change_summary = f"merged {ref} into {kind.prefix}{survivor['id']}"
        if stays_private:
            store.notices.append(
                f"{ref} was private: what moved to {kind.prefix}{survivor['id']} stays private"
            )
    assert into_kind == kind
    return result


def _alias_of_merged_name(
    store: Store,
    table: str,
    merged: Row,
    survivor: Row,
    note: str | None,
    stays_private: bool,
) -> int | None:
    """The alias the merged name becomes (its id), unless the survivor has that
    name already, as its name or a public alias, and nothing private must be
    kept with it. (A private alias of the same text does not count: the merged
    name was public, and would be hidden with it.)"""
    if not merged.get("name"):
        return None  # an unnamed person has no name to keep
    owner = actors.OWNER[table]
    known = {str(survivor.get("name") or "").casefold()} | {
        alias["name"].casefold()
        for alias in actors.aliases_of(store, table, survivor["id"])
        if not alias.get("private")
    }
    if merged["name"].casefold() in known and not stays_private:
        return None
    return rows.insert(
        store,
        "aliases",
        {
            owner: survivor["id"],
            "name": merged["name"],
            "name_key": merged["name_key"],
            "note": note,
            "private": merged["private"],
        },
    )


def _shown_fields(fills: dict[str, Any]) -> list[str]:
    return sorted(field for field in fills if not field.endswith(("_earliest", "_latest")))


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
        reasons = ["same name key" if best == 100 else f"names {best:.0f}% alike"]
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
