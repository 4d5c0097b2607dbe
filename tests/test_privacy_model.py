"""Privacy under random changes: every export agrees with an independent model of the rules.

A Hypothesis state machine records people (some private, with aliases and notes),
sources, trials (whose judge and lawyer texts may name anyone, recorded before or
after the trial), rulings, asylum decisions, detentions, events, relations and
citations (some by a new URL), then changes them at random: privacy marks, renames,
new aliases, merges, deletes, purges, undo, and the re-import of an older full
export. It drives the tool only through its command line (``cases --db PATH ...``),
so the code underneath can be reshaped freely.

Beside the database it keeps a small MODEL: each record's privacy mark, its own
texts and its links, nothing else. From the model alone it decides what an export
may show (CLI.md, "Moving data"; README.md, "Privacy and safety"):

- a private person, and everything attached to them (aliases, party roles,
  rulings, asylum decisions, detentions, events, relations on either side, and
  the citations of all of these), leave no trace, not even their uid;
- a private record is left out with its citations; a private source takes its
  citations along; a trial goes when it is private or when all its parties are
  left out, and its parties and rulings go with it;
- a judge or lawyer text that is the name or an alias of someone hidden (or is
  linked to them) is blank, whether they were recorded before or after the trial,
  renamed or aliased later; and it stays blank once they are deleted or purged
  while hidden; a merge keeps a private person's names hidden as aliases;
- a source first recorded by ``--source URL`` on a private record is private;
  what a merge moves from a private person stays private, the merged name too;
- an import never lifts a private mark; undo restores the earlier state exactly;
- conversely, every record the model shows is exported (no over-hiding).

After every step it checks that ``export json --include-private`` holds exactly
the model's records and links (so that a failure is the tool's, not a slip of the
model); that ``export json`` and, every fourth step, ``export csv --force`` show
what the model shows and nothing else, with no link to a record left out and no
trace of anything hidden (every free text carries a unique marker word, ``Zq1023``,
names ``Nm1023``, and no hidden marker nor uid may appear anywhere in the text);
that every eighth step the CSV export imports into an empty database; and that
every record carries the private mark the model gives it.

Where the contract leaves a choice open the model accepts either (or learns the
database's choice): the mark of a source first given by URL on a record hidden
only by its people; whether a merged person's citations go to the survivor or to
the alias their name becomes; whether deleting a person blanks the texts naming
them in the database too; a judge or lawyer text naming someone deleted while
hidden, written after the deletion or brought back by an import; a name an import
takes away from a hidden person. It skips an import that would bring back as
public someone deleted while private, and issues no undo across a purge or an
import.
"""

from __future__ import annotations

import atexit
import copy
import csv
import functools
import io
import itertools
import json
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from typer.testing import CliRunner

from cases.cli import app

# typer's CliRunner.invoke rebuilds the whole command tree each time (40 to 80 ms,
# several times a step): build it once and run it in the runner's isolation.
COMMAND = typer.main.get_command(app)
RUNNER = CliRunner()


def run_cases(*args: str) -> tuple[int, str, str]:
    """``cases ARGS`` as typer's CliRunner runs it: exit code, stdout, stderr."""
    with RUNNER.isolation() as (stdout, stderr, _):
        try:
            COMMAND.main(args=list(args), prog_name="cases")
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
        sys.stdout.flush()
        sys.stderr.flush()
        return code, stdout.getvalue().decode(), stderr.getvalue().decode()


# Tables whose records have a reference (P3, T2, ...) and a privacy mark of their own.
RECORD_TABLES = (
    "people",
    "sources",
    "trials",
    "rulings",
    "asylum",
    "detentions",
    "events",
    "relations",
    "communications",
)
# The links each record carries, as the export's column and the model's attribute.
LINKS = {
    "people": {"name": "name"},
    "sources": {"url": "url", "relays_uid": "relays"},
    "trials": {
        "judge": "judge",
        "lawyer": "lawyer",
        "judge_person_uid": "judge_person",
        "lawyer_person_uid": "lawyer_person",
    },
    "rulings": {"person_uid": "person", "trial_uid": "trial"},
    "asylum": {"person_uid": "person"},
    "detentions": {"person_uid": "person"},
    "events": {"person_uid": "person"},
    "relations": {"person_uid": "person", "other_uid": "other"},
    "communications": {"person_uid": "person"},
}
WHY = "added --private"
TABLE_OF = {
    "ruling": "rulings",
    "asylum": "asylum",
    "detention": "detentions",
    "event": "events",
    "relation": "relations",
    "communication": "communications",
}
GIVEN_NAMES = ("Ayan", "Berik", "Dana", "Erlan", "Gulnar", "Marat")


def _markers(prefix: str) -> list[str]:
    """Unique marker words that name folding keeps apart (no doubled digit: "0011" folds to "01")."""
    numbers = (f"{n:04d}" for n in range(1000, 10000))
    return [prefix + n for n in numbers if all(a != b for a, b in itertools.pairwise(n))]


TEXT_MARKERS = _markers("Zq")
TEXT_MARKER_SET = frozenset(TEXT_MARKERS)
NAME_MARKERS = _markers("Nm")


def person_name(index: int) -> str:
    """The INDEXth name of the pool that people, aliases, judges and lawyers draw from."""
    return f"{GIVEN_NAMES[index % len(GIVEN_NAMES)]} {NAME_MARKERS[index]}"


def marker(text: str) -> str:
    """The marker word of a generated name or text (its last word)."""
    return text.rsplit(" ", 1)[-1].rsplit("/", 1)[-1]


# -- the model -----------------------------------------------------------------

ROW_KEYS = itertools.count(1)


@dataclass
class Record:
    """A record with a reference: its privacy mark, its own marked texts, its links."""

    table: str
    ref: str
    private: bool | None  # None: the contract leaves it open; learned from the database
    texts: tuple[str, ...] = ()  # markers of its own free text (note, court, summary, title)
    name: str | None = None  # a person's name
    url: str | None = None  # a source's URL
    relays: str | None = None  # uid of the source a source relays
    person: str | None = None  # uid of the person a fact is about (a relation's first side)
    other: str | None = None  # uid of a relation's other side
    trial: str | None = None  # uid of a ruling's trial
    judge: str | None = None  # a trial's judge and lawyer, as written
    lawyer: str | None = None
    judge_person: str | None = None  # uid of the person each was linked to when written
    lawyer_person: str | None = None
    must_blank: tuple[str, ...] = ()  # "judge"/"lawyer" that named someone deleted while hidden
    may_blank: tuple[str, ...] = ()  # ... that the database may have blanked on a delete
    why: str = ""  # what made it private, for the failure messages


@dataclass
class Alias:
    """Another name of a person. Its own mark is set only by a merge from a private
    person: the aliases ``add person --alias`` and a rename make follow their person."""

    person: str
    name: str
    private: bool = False


@dataclass
class Party:
    """A person's role in a trial (here always defendant). Its own mark is set only by
    a merge from a private person: the parties of a trial added --private follow it."""

    trial: str
    person: str
    private: bool = False


@dataclass
class Citation:
    record: str  # the record's uid, or "alias:NAME" (alias uids are not printed by add)
    source: str
    private: bool = False  # set by a merge from a private person (the model's own)
    # the database's mark: set when the actor the claim is attributed to is
    # deleted or merged away while private
    flagged: bool = False
    # a merge moves a person's citations to the survivor or to the alias the merged
    # name becomes (the contract allows either): the aliases it may sit on, "alias:NAME"
    aliases: tuple[str, ...] = ()
    quote: str | None = None  # the marker of its quote
    according_to: str | None = None  # uid of the person the claim is attributed to
    said_by: str | None = None  # that person's name as the citation wrote it


@dataclass
class Model:
    """What the database holds, reduced to what privacy depends on."""

    records: dict[str, Record] = field(default_factory=dict)
    aliases: dict[int, Alias] = field(default_factory=dict)
    parties: dict[int, Party] = field(default_factory=dict)
    citations: dict[int, Citation] = field(default_factory=dict)
    # markers of the names and notes a delete, purge or merge took from a hidden
    # person, and whose they were: never published (notes), and texts that named them
    # stay blank (Record.must_blank); a text written later may show the name or not
    tombstones: dict[str, str] = field(default_factory=dict)
    # names whose blanking the contract leaves open (an import took them from a hidden
    # person; someone public has the same name as someone deleted while private)
    uncertain: set[str] = field(default_factory=set)

    @staticmethod
    def new_id() -> int:
        """A key for an alias, party or citation: never reused, also across undo."""
        return next(ROW_KEYS)

    def uids(self, table: str) -> list[str]:
        return [uid for uid, record in self.records.items() if record.table == table]

    def names_of(self, person: str) -> list[str]:
        name = self.records[person].name
        assert name is not None
        return [name] + [a.name for a in self.aliases.values() if a.person == person]

    def person_named(self, text: str | None) -> str | None:
        """The one person whose name or alias TEXT is, if exactly one (a trial links them)."""
        found = {uid for uid in self.uids("people") if text in self.names_of(uid)}
        return found.pop() if len(found) == 1 else None

    def trials_of(self, person: str) -> list[str]:
        return sorted({p.trial for p in self.parties.values() if p.person == person})

    # -- what an export shows ----------------------------------------------

    def shown(self, uid: str | None) -> bool:
        """Whether the record UID leaves through an export without --include-private."""
        record = self.records.get(uid) if uid else None
        if record is None or record.private:
            return False
        if record.table == "trials":
            parties = [p for p in self.parties.values() if p.trial == uid]
            return not parties or any(self._party_own(p) for p in parties)
        if record.table == "rulings":
            return self.shown(record.person) and (record.trial is None or self.shown(record.trial))
        if record.table == "relations":
            return self.shown(record.person) and self.shown(record.other)
        if record.person is not None:
            return self.shown(record.person)
        return True

    def _party_own(self, party: Party) -> bool:
        return not party.private and self.shown(party.person)

    def party_shown(self, party: Party) -> bool:
        return self._party_own(party) and self.shown(party.trial)

    def alias_shown(self, alias: Alias) -> bool:
        return not alias.private and self.shown(alias.person)

    def key_shown(self, key: str) -> bool:
        if key.startswith("alias:"):
            name = key.removeprefix("alias:")
            return any(self.alias_shown(a) for a in self.aliases.values() if a.name == name)
        return self.shown(key)

    def citation_shown(self, citation: Citation) -> bool:
        attributed = citation.according_to
        return (
            not citation.private
            and not citation.flagged
            and self.shown(citation.source)
            and self.key_shown(citation.record)
            and (attributed is None or self.shown(attributed))
            and (citation.said_by is None or marker(citation.said_by) not in self.hidden_names())
        )

    def _markers_of(self, uid: str) -> set[str]:
        record = self.records[uid]
        found = set(record.texts)
        if record.name:
            found.add(marker(record.name))
        return found

    def visible_markers(self) -> set[str]:
        found: set[str] = set()
        for uid in self.records:
            if self.shown(uid):
                found |= self._markers_of(uid)
        found |= {marker(a.name) for a in self.aliases.values() if self.alias_shown(a)}
        found |= {c.quote for c in self.citations.values() if c.quote and self.citation_shown(c)}
        return found

    def secret_markers(self) -> set[str]:
        """Markers no export may contain: texts and names of hidden records, hidden
        aliases, notes a merge took from a private person."""
        hidden = {m for m in self.tombstones if m in TEXT_MARKER_SET}
        for uid in self.records:
            if not self.shown(uid):
                hidden |= self._markers_of(uid)
        hidden |= {marker(a.name) for a in self.aliases.values() if not self.alias_shown(a)}
        hidden |= {
            c.quote for c in self.citations.values() if c.quote and not self.citation_shown(c)
        }
        return hidden - self.visible_markers() - self.uncertain

    def hidden_names(self) -> set[str]:
        """Markers of names a judge or lawyer text must not show: every name and alias
        of a hidden person, every hidden alias (even when someone public has the same
        name too)."""
        names: set[str] = set()
        for uid in self.uids("people"):
            if not self.shown(uid):
                names |= {marker(n) for n in self.names_of(uid)}
        names |= {marker(a.name) for a in self.aliases.values() if not self.alias_shown(a)}
        return names - self.uncertain

    # -- changes -----------------------------------------------------------

    def delete(self, uid: str, *, purge: bool = False) -> None:
        """Delete a record with what is only its own (as ``cases delete`` does)."""
        doomed = {uid}
        if self.records[uid].table == "people":
            self.forget_names(uid, purge=purge)
            doomed |= {
                trial
                for trial in self.trials_of(uid)
                if all(p.person == uid for p in self.parties.values() if p.trial == trial)
            }
            doomed |= {u for u, r in self.records.items() if uid in (r.person, r.other)}
        gone_keys = set(doomed)
        for key, alias in list(self.aliases.items()):
            if alias.person in doomed:
                gone_keys.add(f"alias:{alias.name}")
                del self.aliases[key]
        for key, party in list(self.parties.items()):
            if party.trial in doomed or party.person in doomed:
                del self.parties[key]
        for key, citation in list(self.citations.items()):
            if citation.record in gone_keys or citation.source in doomed:
                del self.citations[key]
            elif citation.according_to in doomed:
                # a claim of someone purged goes; of someone deleted while hidden,
                # it stays hidden with them
                if purge:
                    del self.citations[key]
                    continue
                citation.flagged = citation.flagged or not self.shown(citation.according_to)
                citation.according_to = None
        for gone in doomed:
            del self.records[gone]
        for record in self.records.values():
            if record.trial in doomed:
                record.trial = None  # a ruling outlives its trial
            if record.relays in doomed:
                record.relays = None
            if record.judge_person in doomed:
                record.judge_person = None
            if record.lawyer_person in doomed:
                record.lawyer_person = None

    def forget_names(self, person: str, *, purge: bool) -> None:
        """Before PERSON is deleted: the judge and lawyer texts that named them while
        hidden stay blank; the database may blank them (when it deletes someone hidden
        or purges anyone), then the model learns it."""
        ref, hidden_person = self.records[person].ref, not self.shown(person)
        names = {marker(n) for n in self.names_of(person)}
        hidden, visible = names & self.hidden_names(), self.visible_markers()
        self.tombstones |= {m: f"a name of {ref}, deleted while private" for m in hidden - visible}
        for trial in self.uids("trials"):
            record = self.records[trial]
            for column in ("judge", "lawyer"):
                text = getattr(record, column)
                if text is None:
                    continue
                linked = getattr(record, f"{column}_person") == person
                if marker(text) in hidden or (linked and hidden_person):
                    if marker(text) in visible:  # someone public has that name too
                        self.uncertain.add(marker(text))
                    else:
                        record.must_blank += (column,)
                if (purge or hidden_person) and (linked or marker(text) in names):
                    record.may_blank += (column,)

    def merge(self, merged: str, into: str) -> None:
        """Move every record of MERGED to INTO; what a private person had stays private."""
        gone = self.records[merged]
        hide = bool(gone.private)
        if hide:
            whose = f"of private {gone.ref}, merged into {self.records[into].ref}"
            self.tombstones |= {marker(n): f"a name {whose}" for n in self.names_of(merged)}
            self.tombstones |= {m: f"the note {whose}" for m in gone.texts}
        for alias in self.aliases.values():
            if alias.person == merged:
                alias.person, alias.private = into, alias.private or hide
        for key, party in list(self.parties.items()):
            if party.person != merged:
                continue
            if any(p.trial == party.trial and p.person == into for p in self.parties.values()):
                del self.parties[key]  # the survivor already has this role
            else:
                party.person, party.private = into, party.private or hide
        for uid, record in list(self.records.items()):
            if record.table == "relations" and {record.person, record.other} == {merged, into}:
                self.delete(uid)  # it would relate the survivor to themselves
        for record in self.records.values():
            if merged in (record.person, record.other):
                if hide and not record.private:
                    record.private, record.why = True, f"moved from private {gone.ref} by merge"
                record.person = into if record.person == merged else record.person
                record.other = into if record.other == merged else record.other
        for record in self.records.values():
            if record.judge_person == merged:
                record.judge_person = into
            if record.lawyer_person == merged:
                record.lawyer_person = into
        for citation in self.citations.values():
            if citation.record == merged:  # (one the survivor already has may be dropped)
                citation.record, citation.private = into, citation.private or hide
                citation.aliases += (f"alias:{gone.name}",)
            if citation.according_to == merged:
                citation.according_to, citation.flagged = into, citation.flagged or hide
        assert gone.name is not None
        self.aliases[self.new_id()] = Alias(into, gone.name, private=hide)
        if not hide:
            survivor = self.records[into]
            survivor.texts = survivor.texts + gone.texts  # the notes are joined
        del self.records[merged]

    def imported(self, snapshot: Model) -> Model:
        """This state after ``import csv`` of SNAPSHOT's full export: every row back as
        it was then (by uid), except that a private mark is never lifted."""
        result = copy.deepcopy(self)
        for uid, then in snapshot.records.items():
            now = result.records.get(uid)
            record = copy.deepcopy(then)
            if now and now.private and not then.private:
                record.private, record.why = True, f"{now.why}; kept private by import"
            record.ref = now.ref if now else ""
            if now and now.name and now.name != then.name and not self.shown(uid):
                result.uncertain.add(marker(now.name))
            result.records[uid] = record
        rows: list[tuple[dict[int, Any], dict[int, Any]]] = [
            (result.aliases, snapshot.aliases),
            (result.parties, snapshot.parties),
        ]
        for current, earlier in rows:
            for key, then in earlier.items():
                now = current.get(key)
                row = copy.deepcopy(then)
                row.private = then.private or bool(now and now.private)
                current[key] = row
        for key, then in snapshot.citations.items():
            now = result.citations.get(key)
            row = copy.deepcopy(then)
            row.private = then.private or bool(now and now.private)
            row.flagged = then.flagged or bool(now and now.flagged)
            result.citations[key] = row
        return result


# -- the machine -----------------------------------------------------------------


@functools.cache
def empty_database() -> Path:
    """A database made by ``cases init``, copied for each run (init takes 100 ms)."""
    folder = Path(tempfile.mkdtemp(prefix="cases-privacy-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    code, _, error = run_cases("--db", str(folder / "cases.db"), "init")
    assert code == 0, error
    return folder / "cases.db"


def as_modelled(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The export's tables in the model's terms, whichever way the export lays out a
    trial's judge and lawyer: as trial columns (``judge``, ``judge_person_uid``), or
    as ``trial_parties`` rows with that role, a ``name`` and a ``name_person_uid``.
    Trial parties are then the rows of recorded people."""
    if not tables["trials"] or "judge" in tables["trials"][0]:
        return tables
    named = {
        (row["trial_uid"], row["role"]): row
        for row in tables["trial_parties"]
        if row.get("role") in ("judge", "lawyer")
    }
    trials = []
    for trial in tables["trials"]:
        trial = dict(trial)
        for role in ("judge", "lawyer"):
            row = named.get((trial["uid"], role), {})
            trial[role], trial[f"{role}_person_uid"] = row.get("name"), row.get("name_person_uid")
        trials.append(trial)
    parties = [row for row in tables["trial_parties"] if row.get("person_uid")]
    return {**tables, "trials": trials, "trial_parties": parties}


def read_csv_export(folder: Path) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """The tables of a CSV export (empty cells as None) and all of its text."""
    tables: dict[str, list[dict[str, Any]]] = {}
    text = []
    for path in sorted(folder.glob("*.csv")):
        content = path.read_text(encoding="utf-8")
        text.append(content)
        rows = csv.DictReader(io.StringIO(content, newline=""))
        tables[path.stem] = [{k: (v if v != "" else None) for k, v in r.items()} for r in rows]
    return tables, "\n".join(text)


class PrivacyMachine(RuleBasedStateMachine):
    """Records and changes at random; after each step compares every export with the model."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="cases-privacy-"))
        self.db = self.folder / "cases.db"
        self.model = Model()
        self.history: list[Model] = []  # the model before each change that undo may reverse
        self.snapshot: tuple[Path, Model] | None = None  # an older full export and its model
        self.texts = iter(TEXT_MARKERS)
        self.names = 0  # names of the pool handed out so far
        self.checks = 0  # invariant runs so far
        self.exports = 0  # full exports so far
        shutil.copy(empty_database(), self.db)

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- running the command line --------------------------------------------

    def cases(self, *args: str, db: Path | None = None) -> str:
        """Run ``cases --db DB ARGS``; it must succeed. Returns its stdout."""
        code, stdout, stderr = run_cases("--db", str(db or self.db), *args)
        assert code == 0, f"cases {' '.join(args)} exited {code}: {stderr.strip()}"
        return stdout

    def add(self, *args: str) -> dict[str, Any]:
        """Run ``cases add ARGS --json``; returns the new record."""
        return json.loads(self.cases("add", *args, "--json"))

    def text(self, label: str) -> str:
        return f"{label} {next(self.texts)}"

    def new_name(self) -> str:
        self.names += 1
        return person_name(self.names - 1)

    def changing(self) -> None:
        """Remember the model as it was, for undo (call only for a change that will happen)."""
        self.history.append(copy.deepcopy(self.model))

    def refresh_refs(self) -> None:
        """After an import re-added records under new references: learn them by uid."""
        for table in RECORD_TABLES:
            for item in json.loads(self.cases("list", table, "--json")):
                if item["uid"] in self.model.records:
                    self.model.records[item["uid"]].ref = item["ref"]

    # -- drawing ---------------------------------------------------------------

    def people(self) -> list[str]:
        return sorted(self.model.uids("people"))

    def draw_person(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(self.people()))

    def draw_record(self, data: st.DataObject) -> str:
        """Any record; first its kind, so that people are not outnumbered by their facts."""
        table = data.draw(st.sampled_from(sorted({r.table for r in self.model.records.values()})))
        return data.draw(st.sampled_from(sorted(self.model.uids(table))))

    def draw_name_text(self, data: st.DataObject) -> str | None:
        """A judge or lawyer text: none, a name of the pool (recorded, renamed, aliased,
        deleted, or given to someone only later), or a name of someone hidden now."""
        model = self.model
        hidden = sorted(n for p in self.people() if not model.shown(p) for n in model.names_of(p))
        choice = data.draw(
            st.sampled_from(["none", "pool", "hidden"] if hidden else ["none", "pool"])
        )
        if choice == "none":
            return None
        if choice == "hidden":
            return data.draw(st.sampled_from(hidden))
        return person_name(data.draw(st.integers(0, self.names + 1)))

    def draw_sources(self, data: st.DataObject) -> tuple[list[str], str | None]:
        """``--source`` options: none, a recorded source by reference or URL, or a new URL.

        Returns the options and the source cited: a uid, or the new URL.
        """
        sources = sorted(self.model.uids("sources"))
        choice = data.draw(
            st.sampled_from(["none", "new", "ref", "url"] if sources else ["none", "new"])
        )
        if choice == "none":
            return [], None
        if choice == "new":
            url = f"https://example.org/{next(self.texts)}"
            return ["--source", url], url
        uid = data.draw(st.sampled_from(sources))
        record = self.model.records[uid]
        assert record.url is not None
        return ["--source", record.ref if choice == "ref" else record.url], uid

    def cite(
        self, key: str, cited: str | None, *, private: bool, hidden: bool, key_label: str = ""
    ) -> None:
        """Model the citation an add made. A new URL becomes a source, private when
        first given on a private record (on one hidden only by its people: learned)."""
        if cited is None:
            return
        if cited.startswith("https://"):
            cited = self.new_source(cited, private=private, hidden=hidden, key_label=key_label)
        self.model.citations[self.model.new_id()] = Citation(key, cited)

    def new_source(self, url: str, *, private: bool, hidden: bool, key_label: str) -> str:
        """Model the source a new URL became (given to --source or --relays): private
        when first given by a private record (by one hidden only by its people:
        learned). Returns its uid."""
        found = [s for s in json.loads(self.cases("list", "sources", "--json")) if s["url"] == url]
        assert len(found) == 1, f"{url} was not recorded once as a source: {found}"
        uid = str(found[0]["uid"])
        mark: bool | None = True if private else (None if hidden else False)
        why = f"first recorded by a URL on {key_label or 'an alias'}, private then"
        self.model.records[uid] = Record(
            "sources", found[0]["ref"], mark, texts=(marker(url),), url=url, why=why
        )
        return uid

    # -- recording -------------------------------------------------------------

    def record_person(self, data: st.DataObject, private: bool, aliases: int, note: bool) -> None:
        name = self.new_name()
        alias_names = [self.new_name() for _ in range(aliases)]
        notes = [self.text("note")] if note else []
        sources, cited = self.draw_sources(data)
        args = [name, *itertools.chain(*(("--alias", a) for a in alias_names))]
        args += [*itertools.chain(*(("--note", n) for n in notes)), *sources]
        self.changing()
        added = self.add("person", *args, *(["--private"] if private else []))
        self.model.records[added["uid"]] = Record(
            "people", added["ref"], private, texts=tuple(map(marker, notes)), name=name, why=WHY
        )
        for alias in alias_names:
            self.model.aliases[self.model.new_id()] = Alias(added["uid"], alias)
        self.cite(added["uid"], cited, private=private, hidden=False, key_label=added["ref"])

    @initialize(data=st.data(), privacy=st.lists(st.booleans(), min_size=2, max_size=3))
    def some_people(self, data: st.DataObject, privacy: list[bool]) -> None:
        """Start with two or three people, public or private, and a public trial, so that
        every change has something to work on from the first step; and a full export."""
        for private in privacy:
            self.record_person(
                data, private, data.draw(st.integers(0, 1)), data.draw(st.booleans())
            )
        self.record_trial(data, private=False, note=False)
        self.export_everything()  # to re-import later, once records have changed

    @rule(data=st.data(), private=st.booleans(), aliases=st.integers(0, 2), note=st.booleans())
    def add_person(self, data: st.DataObject, private: bool, aliases: int, note: bool) -> None:
        """A person, perhaps private, with aliases and a note, perhaps citing a source.
        Its names may be ones that trials already give as judge or lawyer."""
        self.record_person(data, private, aliases, note)

    @precondition(lambda self: self.people())
    @rule(data=st.data())
    def add_alias(self, data: st.DataObject) -> None:
        """Another name of a person (also one a trial already gives as judge or lawyer)."""
        person = self.draw_person(data)
        name = self.new_name()
        sources, cited = self.draw_sources(data)
        self.changing()
        self.add("alias", self.model.records[person].ref, name, *sources)
        self.model.aliases[self.model.new_id()] = Alias(person, name)
        hidden = not self.model.shown(person)
        self.cite(f"alias:{name}", cited, private=False, hidden=hidden)

    @rule(data=st.data(), private=st.booleans())
    def add_source(self, data: st.DataObject, private: bool) -> None:
        """A source with a title and a URL of its own, perhaps private (perhaps citing
        another source, as every add may), perhaps relaying another source: a
        recorded one, or a new URL, which is then private with it."""
        title, url = self.text("Report"), f"https://example.org/{next(self.texts)}"
        sources, cited = self.draw_sources(data)
        relays, relayed = self.draw_sources(data)
        relaying = ["--relays", relays[1]] if relays else []
        self.changing()
        added = self.add(
            "source",
            title,
            "--url",
            url,
            *sources,
            *relaying,
            *(["--private"] if private else []),
        )
        if relayed is not None and relayed.startswith("https://"):
            relayed = self.new_source(relayed, private=private, hidden=False, key_label=title)
        self.model.records[added["uid"]] = Record(
            "sources",
            added["ref"],
            private,
            texts=(marker(title), marker(url)),
            url=url,
            relays=relayed,
            why=WHY,
        )
        self.cite(added["uid"], cited, private=private, hidden=False, key_label=added["ref"])

    @precondition(lambda self: self.people() and self.model.uids("sources"))
    @rule(data=st.data(), quote=st.booleans())
    def attribute(self, data: st.DataObject, quote: bool) -> None:
        """``cite REF --source S --according-to PERSON [--quote ...]``: a follow-up
        report supports a record, the claim made by someone (perhaps private)."""
        facts = sorted(u for u, r in self.model.records.items() if r.table != "sources")
        uid = data.draw(st.sampled_from(facts))
        source = data.draw(st.sampled_from(sorted(self.model.uids("sources"))))
        said_by = self.draw_person(data)
        words = self.text("quote") if quote else None
        args = ["cite", self.model.records[uid].ref, "--source", self.model.records[source].ref]
        args += ["--according-to", self.model.records[said_by].ref]
        args += ["--quote", words] if words else []
        self.changing()
        self.cases(*args)
        existing = [
            c for c in self.model.citations.values() if (c.record, c.source) == (uid, source)
        ]
        citation = existing[0] if existing else Citation(uid, source)
        if not existing:
            self.model.citations[self.model.new_id()] = citation
        citation.according_to, citation.said_by = said_by, self.model.records[said_by].name
        if words:
            citation.quote = marker(words)

    @precondition(lambda self: self.people())
    @rule(data=st.data(), private=st.booleans(), note=st.booleans())
    def add_trial(self, data: st.DataObject, private: bool, note: bool) -> None:
        """A trial of one or two people; its judge and lawyer texts may name anyone:
        a public or private person, an alias, an old name, or someone recorded later."""
        self.record_trial(data, private, note)

    def record_trial(self, data: st.DataObject, private: bool, note: bool) -> None:
        people = data.draw(
            st.lists(st.sampled_from(self.people()), min_size=1, max_size=2, unique=True)
        )
        court = self.text("Court")
        judge, lawyer = self.draw_name_text(data), self.draw_name_text(data)
        notes = [self.text("note")] if note else []
        sources, cited = self.draw_sources(data)
        args = [self.model.records[p].ref for p in people] + ["--court", court]
        args += [*(["--judge", judge] if judge else []), *(["--lawyer", lawyer] if lawyer else [])]
        args += [*(["--note", *notes] if notes else []), *sources]
        self.changing()
        added = self.add("trial", *args, *(["--private"] if private else []))
        uid = added["uid"]
        self.model.records[uid] = Record(
            "trials",
            added["ref"],
            private,
            texts=(marker(court), *map(marker, notes)),
            judge=judge,
            lawyer=lawyer,
            judge_person=self.model.person_named(judge),
            lawyer_person=self.model.person_named(lawyer),
            why=WHY,
        )
        for person in people:
            self.model.parties[self.model.new_id()] = Party(uid, person)
        self.cite(
            uid, cited, private=private, hidden=not self.model.shown(uid), key_label=added["ref"]
        )

    @precondition(lambda self: self.people())
    @rule(
        data=st.data(),
        kind=st.sampled_from(
            ["ruling", "asylum", "detention", "event", "relation", "communication"]
        ),
        private=st.booleans(),
    )
    def add_fact(self, data: st.DataObject, kind: str, private: bool) -> None:
        """A fact about a person: a ruling (on one of their trials, named or the only
        one, or on none), an asylum decision, a detention, an event, a relation, or a
        communication they sent to someone else (who takes part in it: a hidden
        addressee's uid must not leave with it)."""
        person = self.draw_person(data)
        ref = self.model.records[person].ref
        note = self.text(kind)
        record = Record(TABLE_OF[kind], "", private, texts=(marker(note),), person=person, why=WHY)
        if kind == "ruling":
            args = [ref, "--date", "2019-05", "--outcome", "convicted", "--note", note]
            trials = self.model.trials_of(person)
            if trials:
                record.trial = data.draw(st.sampled_from(trials))
                if len(trials) > 1 or data.draw(st.booleans()):  # else the only one
                    args += ["--trial", self.model.records[record.trial].ref]
        elif kind == "asylum":
            args = [ref, "--date", "2019-01", "--decision", "applied", "--note", note]
        elif kind == "detention":
            args = [ref, "--start", "2018-10", "--note", note]
        elif kind == "event":
            args = [ref, note, "--date", "2018-05", "--kind", "arrest"]
        elif kind == "communication":
            others = [p for p in self.people() if p != person]
            if not others:
                return
            to = self.model.records[data.draw(st.sampled_from(others))].ref
            args = [ref, note, "--date", "2019-02", "--kind", "petition", "--to", to]
        else:
            others = [p for p in self.people() if p != person]
            if not others:
                return
            record.other = data.draw(st.sampled_from(others))
            other = self.model.records[record.other].ref
            args = [ref, other, "--kind", "associate", "--note", note]
        sources, cited = self.draw_sources(data)
        self.changing()
        added = self.add(kind, *args, *sources, *(["--private"] if private else []))
        record.ref = added["ref"]
        self.model.records[added["uid"]] = record
        hidden = not self.model.shown(added["uid"])
        self.cite(added["uid"], cited, private=private, hidden=hidden, key_label=added["ref"])

    # -- changing --------------------------------------------------------------

    @precondition(lambda self: self.model.records)
    @rule(data=st.data())
    def toggle_private(self, data: st.DataObject) -> None:
        """``edit REF --set private=yes|no``: the opposite of the record's mark."""
        uid = self.draw_record(data)
        record = self.model.records[uid]
        value = not record.private
        self.changing()
        self.cases("edit", record.ref, "--set", f"private={'yes' if value else 'no'}")
        record.private, record.why = value, "edit --set private=yes"

    @precondition(lambda self: self.people())
    @rule(data=st.data())
    def rename(self, data: st.DataObject) -> None:
        """``edit P --set name=...``: the old name stays as an alias (CLI.md, Changing)."""
        person = self.draw_person(data)
        record = self.model.records[person]
        name = self.new_name()
        self.changing()
        self.cases("edit", record.ref, "--set", f"name={name}")
        assert record.name is not None
        self.model.aliases[self.model.new_id()] = Alias(person, record.name)
        record.name = name

    @precondition(lambda self: len(self.people()) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        """``merge P --into P``, any mix of private and public."""
        merged, into = data.draw(
            st.lists(st.sampled_from(self.people()), min_size=2, max_size=2, unique=True)
        )
        kinds = ["private" if self.model.records[p].private else "public" for p in (merged, into)]
        event(f"merge {kinds[0]} into {kinds[1]}")
        if any(c.according_to == merged for c in self.model.citations.values()):
            event(f"merge a {kinds[0]} person a claim is attributed to")
        self.changing()
        self.cases("merge", self.model.records[merged].ref, "--into", self.model.records[into].ref)
        self.model.merge(merged, into)

    @precondition(lambda self: self.model.records)
    @rule(data=st.data(), purge=st.booleans())
    def delete(self, data: st.DataObject, purge: bool) -> None:
        """``delete REF --yes [--purge]``; deleting a person takes what is only theirs."""
        uid = self.draw_record(data)
        if self.model.records[uid].table == "people" and not self.model.shown(uid):
            event(f"delete{' --purge' if purge else ''} a private person")
        if any(c.according_to == uid for c in self.model.citations.values()):
            hidden = "private" if not self.model.shown(uid) else "public"
            event(f"delete{' --purge' if purge else ''} a {hidden} person a claim is attributed to")
        self.changing()
        self.cases("delete", self.model.records[uid].ref, "--yes", *(["--purge"] if purge else []))
        self.model.delete(uid, purge=purge)
        if purge:
            self.history.clear()

    @precondition(lambda self: self.history)
    @rule()
    def undo(self) -> None:
        """``undo`` restores the state before the latest change exactly. (The model's
        history is cleared by a purge or an import: no undo until the next change.)"""
        self.cases("undo")
        self.model = self.history.pop()

    # -- moving data -------------------------------------------------------------

    @rule()
    def export_everything(self) -> None:
        """``export csv --include-private`` to a new folder: the export a later import re-reads."""
        self.exports += 1
        folder = self.folder / f"full-{self.exports}"
        self.cases("export", "csv", "--include-private", "--out", str(folder))
        self.snapshot = (folder, copy.deepcopy(self.model))

    @precondition(lambda self: self.snapshot is not None)
    @rule()
    def import_older_export(self) -> None:
        """``import csv`` of that older export: rows come back as they were, except that
        a record private now stays private. (Skipped where the rules collide: an import
        re-adding as public a person whose deletion hid their name for good.)"""
        assert self.snapshot is not None
        folder, snapshot = self.snapshot
        after = self.model.imported(snapshot)
        if after.visible_markers() & after.tombstones.keys():
            event("import skipped: it would publish a name deleted while private")
            return
        kept = [
            u
            for u, r in after.records.items()
            if r.private and not snapshot.records.get(u, r).private
        ]
        event(f"import keeps private what the older export had public: {bool(kept)}")
        self.cases("import", "csv", str(folder))
        self.model = after
        self.refresh_refs()
        self.history.clear()  # undo of an import is not modelled

    @rule()
    def import_own_public_export(self) -> None:
        """``export csv`` (public) then ``import csv`` of it into the same database:
        nothing changes, not even what the privacy filter left empty."""
        folder = self.folder / "public"
        self.cases("export", "csv", "--out", str(folder), "--force")
        report = json.loads(self.cases("import", "csv", str(folder), "--json"))
        changed = {t["table"]: t["updated"] for t in report["tables"] if t["updated"]}
        assert not changed, f"importing a public export changed records: {changed}"
        self.history.clear()  # undo of an import is not modelled

    # -- the checks ----------------------------------------------------------------

    @invariant()
    def exports_agree_with_the_model(self) -> None:
        """After every step: the full export is the model; every export obeys privacy."""
        self.checks += 1
        full = as_modelled(json.loads(self.cases("export", "json", "--include-private"))["tables"])
        self.check_database(full)
        text = self.cases("export", "json")
        self.check_export(json.loads(text)["tables"], text, "export json")
        self.check_marks(full)
        if self.checks % 4 == 0:  # CSV is slower: every fourth step, over the last one
            folder = self.folder / "shared"
            self.cases("export", "csv", "--out", str(folder), "--force")
            tables, csv_text = read_csv_export(folder)
            self.check_export(tables, csv_text, "export csv")
            if self.checks % 8 == 0:
                # what was shared can be read back by anyone: into a new, empty database
                self.cases("import", "csv", str(folder), db=self.folder / f"fresh-{self.checks}.db")
            self.check_other_outputs()

    def check_other_outputs(self) -> None:
        """FollowTheMoney, a published site and a chart leave nothing hidden either:
        no text or name of a hidden record, no hidden uid, in any byte they write."""
        model = self.model
        site, chart = self.folder / "site", self.folder / "chart.svg"
        self.cases("publish", str(site), "--force")
        self.cases("chart", "--out", str(chart), "--force", "--limit", "500")
        outputs = {
            "export ftm": self.cases("export", "ftm"),
            "publish": b"".join(path.read_bytes() for path in sorted(site.iterdir())).decode(
                "utf-8", "replace"
            ),
            "chart": chart.read_text(encoding="utf-8"),
        }
        for line in json.loads(self.cases("uncited", "--json")):
            if line["uid"] in model.records:
                assert line["private"] == (not model.shown(line["uid"])), (
                    f"uncited marks {self.describe(line['uid'])} private={line['private']}"
                )
        for label, text in outputs.items():
            folded = text.lower()  # a full-text index keeps its words lower-cased
            found = sorted(m for m in model.secret_markers() if m.lower() in folded)
            assert not found, f"{label}: hidden text left a trace: {[self.whose(m) for m in found]}"
            hidden = [self.describe(u) for u in model.records if not model.shown(u) and u in text]
            assert not hidden, f"{label}: uids of hidden records appear: {hidden}"

    def describe(self, uid: str) -> str:
        """A record as a failure message names it: reference, privacy and whose it is."""
        record = self.model.records.get(uid)
        if record is None:
            return uid
        text = record.ref + (f" (private: {record.why})" if record.private else "")
        for side in (record.person, record.other):
            if side in self.model.records:
                text += f" of {self.describe(side)}"
        return text

    def whose(self, mark: str) -> str:
        """What a marker word belongs to, for failure messages."""
        model = self.model
        for uid, record in model.records.items():
            if record.name and marker(record.name) == mark:
                return f"{mark} (the name of {self.describe(uid)})"
            if mark in record.texts:
                return f"{mark} (a text of {self.describe(uid)})"
        for alias in model.aliases.values():
            if marker(alias.name) == mark:
                private = " (private)" if alias.private else ""
                return f"{mark} (alias{private} of {self.describe(alias.person)})"
        return f"{mark} ({model.tombstones.get(mark, 'unknown')})"

    def label(self, row: tuple[str, ...]) -> tuple[str, ...]:
        """A row key with its uids replaced by references, for failure messages."""
        return tuple(self.model.records[v].ref if v in self.model.records else v for v in row)

    def labels(self, rows: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
        return sorted(self.label(row) for row in rows)

    def citations_in(self, tables: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str]]:
        """The export's citations as (record, source uid), as the model keys them."""
        names = {row["uid"]: row["name"] for row in tables["aliases"]}
        moved = {
            (alias, c.source): c.record
            for c in self.model.citations.values()
            for alias in c.aliases
        }
        found = []
        for row in tables["citations"]:
            uid, source = row["record_uid"], row["source_uid"]
            key = f"alias:{names[uid]}" if uid in names else uid
            found.append((moved.get((key, source), key), source))
        return found

    def check_database(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        """``export json --include-private`` holds exactly the model: its records, marks and
        links. (Where the contract leaves a mark open, the model learns it here.)"""
        model = self.model
        for table in RECORD_TABLES:
            rows = {row["uid"]: row for row in tables[table]}
            expected = set(model.uids(table))
            assert set(rows) == expected, (
                f"{table}: the database has {sorted(set(rows) - expected)} the model has not, "
                f"and lacks {[self.describe(u) for u in sorted(expected - set(rows))]}"
            )
            for uid, row in rows.items():
                record = model.records[uid]
                if record.private is None:
                    record.private = bool(int(row["private"]))
                for column, attribute in LINKS[table].items():
                    value = getattr(record, attribute)
                    if row[column] is None and value and column in record.may_blank:
                        setattr(record, attribute, value := None)  # blanked on delete,
                        if row[f"{column}_person_uid"] is None:  # perhaps with its link
                            setattr(record, f"{attribute}_person", None)
                    assert row[column] == value, (
                        f"{self.describe(uid)}: {column} is {row[column]!r}, "
                        f"the model says {value!r}"
                    )
        rows_of = {
            "aliases": (
                {(row["person_uid"], row["name"]) for row in tables["aliases"]},
                {(a.person, a.name) for a in model.aliases.values()},
            ),
            "trial parties": (
                {(row["trial_uid"], row["person_uid"]) for row in tables["trial_parties"]},
                {(p.trial, p.person) for p in model.parties.values()},
            ),
            "citations": (
                set(self.citations_in(tables)),
                {(c.record, c.source) for c in model.citations.values()},
            ),
        }
        for what, (found, wanted) in rows_of.items():
            assert found == wanted, (
                f"{what}: the database has {self.labels(found - wanted)} the model has not, "
                f"and lacks {self.labels(wanted - found)}"
            )
        # each citation's attribution and mark, as the model has them
        found_rows = sorted(
            (record, source, str(row["according_to_person_uid"]), bool(row["private"]))
            for (record, source), row in zip(
                self.citations_in(tables), tables["citations"], strict=True
            )
        )
        wanted_rows = sorted(
            (c.record, c.source, str(c.according_to), c.flagged) for c in model.citations.values()
        )
        assert found_rows == wanted_rows, (
            f"citations (record, source, attributed to, private): the database has "
            f"{self.labels(r[:3] for r in found_rows)} {[r[3] for r in found_rows]}, the model "
            f"{self.labels(r[:3] for r in wanted_rows)} {[r[3] for r in wanted_rows]}"
        )

    def check_marks(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        """Every record carries the private mark the model gives it: the rules make some
        marks themselves (a new URL on a private record, a merge, an import), and a
        mark that is wrong now leaks when something else changes later."""
        for table in RECORD_TABLES:
            for row in tables[table]:
                record = self.model.records[row["uid"]]
                assert bool(int(row["private"])) == record.private, (
                    f"{self.describe(row['uid'])} should be marked private={record.private}: {row}"
                )

    def check_export(self, tables: dict[str, list[dict[str, Any]]], text: str, label: str) -> None:
        """A public export shows every record the model shows and nothing else: no
        hidden record, no link to one, no judge or lawyer naming someone hidden, and
        no marker or uid of anything hidden anywhere in its text."""
        model = self.model
        uids = {row["uid"] for rows in tables.values() for row in rows}
        dangling = [
            f"{table}.{column}={value}"
            for table, rows in tables.items()
            for row in rows
            for column, value in row.items()
            if column.endswith("_uid") and value and value not in uids
        ]
        assert not dangling, f"{label}: links to records not in the export: {dangling}"
        tables = as_modelled(tables)
        for table in RECORD_TABLES:
            got = {row["uid"] for row in tables[table]}
            shown = {uid for uid in model.uids(table) if model.shown(uid)}
            leaked = sorted(got - shown)
            assert not leaked, (
                f"{label}: hidden {table} exported: {[self.describe(u) for u in leaked]}"
            )
            missing = sorted(shown - got)
            assert not missing, (
                f"{label}: public {table} left out (over-hiding): {[self.describe(u) for u in missing]}"
            )
        got_aliases = {(row["person_uid"], row["name"]) for row in tables["aliases"]}
        shown_aliases = {(a.person, a.name) for a in model.aliases.values() if model.alias_shown(a)}
        assert got_aliases <= shown_aliases, (
            f"{label}: hidden aliases exported: {self.labels(got_aliases - shown_aliases)}"
        )
        assert shown_aliases <= got_aliases, (
            f"{label}: public aliases left out (over-hiding): {self.labels(shown_aliases - got_aliases)}"
        )
        got_parties = {(row["trial_uid"], row["person_uid"]) for row in tables["trial_parties"]}
        shown_parties = {
            (p.trial, p.person) for p in model.parties.values() if model.party_shown(p)
        }
        assert got_parties <= shown_parties, (
            f"{label}: hidden trial parties exported: {self.labels(got_parties - shown_parties)}"
        )
        assert shown_parties <= got_parties, (
            f"{label}: public trial parties left out: {self.labels(shown_parties - got_parties)}"
        )
        got_citations = set(self.citations_in(tables))
        shown_citations = {
            (c.record, c.source) for c in model.citations.values() if model.citation_shown(c)
        }
        assert got_citations <= shown_citations, (
            f"{label}: hidden citations exported: {self.labels(got_citations - shown_citations)}"
        )
        assert shown_citations <= got_citations, (
            f"{label}: public citations left out: {self.labels(shown_citations - got_citations)}"
        )
        hidden_names = model.hidden_names()
        for row in tables["trials"]:
            record = model.records[row["uid"]]
            for column in ("judge", "lawyer"):
                written = getattr(record, column)
                if written is None:
                    continue
                linked = getattr(record, f"{column}_person")
                if (
                    column in record.must_blank
                    or marker(written) in hidden_names
                    or (linked is not None and not model.shown(linked))
                ):
                    event("a judge or lawyer text must be blank")
                    link = f", linked to {self.describe(linked)}" if linked else ""
                    assert row[column] is None, (
                        f"{label}: {record.ref} {column} {row[column]!r} names someone hidden: "
                        f"{self.whose(marker(written))}{link}"
                    )
                elif marker(written) not in model.uncertain | model.tombstones.keys():
                    assert row[column] == written, (
                        f"{label}: {record.ref} {column} is {row[column]!r}, not {written!r}, "
                        "though it names no one hidden (over-hiding)"
                    )
        found = sorted(m for m in model.secret_markers() if m in text)
        assert not found, f"{label}: hidden text left a trace: {[self.whose(m) for m in found]}"
        hidden_uids = [self.describe(u) for u in model.records if not model.shown(u) and u in text]
        assert not hidden_uids, f"{label}: uids of hidden records appear: {hidden_uids}"


# A fixed seed; no deadline (each step runs the command line several times). One
# failure at a time, shrunk (report_multiple_bugs=False), and no "explain" phase:
# on a failure that keeps the run to about a minute instead of five.
PrivacyMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    report_multiple_bugs=False,
    phases=[phase for phase in Phase if phase is not Phase.explain],
)
TestPrivacyModel = PrivacyMachine.TestCase
TestPrivacyModel = pytest.mark.slow(TestPrivacyModel)
