"""Random sequences of changes keep the database consistent, and undo always restores."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cases.catalogue import LOGGED as LOGGED_TABLES
from cases.db import Store
from cases.errors import CasesError
from cases.service import admin, changing, identity, recording, trials

NAMES = st.sampled_from(
    ["Ayan Test", "Аян Тест", "Berik Sample", "Qaisha Aqan", "Kaisha Akan", "Cora New", "赛拉古丽"]
)


def dump(store: Store) -> dict[str, list[tuple]]:
    return {
        table: [tuple(row) for row in store.conn.execute(f"SELECT * FROM {table} ORDER BY id")]
        for table in LOGGED_TABLES
    }


class CasesMachine(RuleBasedStateMachine):
    """Adds, edits, deletes, merges and undoes at random."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.store = Store.open(self.folder / "cases.db", write=True)
        self.history: list[dict[str, list[tuple]]] = []  # dump before each logged change

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def people(self) -> list[int]:
        return [row[0] for row in self.store.conn.execute("SELECT id FROM people ORDER BY id")]

    def _change(self, action) -> None:
        before = dump(self.store)
        try:
            action()
        except CasesError:
            assert dump(self.store) == before  # a refused change changes nothing
            return
        if dump(self.store) != before:
            self.history.append(before)

    @rule(name=NAMES, private=st.booleans())
    def add_person(self, name: str, private: bool) -> None:
        common = recording.Common(private=private)
        self._change(lambda: recording.add_person(self.store, name, common=common))

    @precondition(lambda self: self.people())
    @rule(data=st.data(), kind=st.sampled_from(["arrest", "release", "hearing"]))
    def add_event(self, data, kind: str) -> None:
        person = data.draw(st.sampled_from(self.people()))
        self._change(
            lambda: recording.add_fact(
                self.store, "events", f"P{person}", date="2019-05", kind=kind, summary="an event"
            )
        )

    @precondition(lambda self: self.people())
    @rule(data=st.data())
    def add_trial(self, data) -> None:
        people = data.draw(
            st.lists(st.sampled_from(self.people()), min_size=1, max_size=2, unique=True)
        )
        self._change(lambda: trials.add_trial(self.store, [f"P{p}" for p in people], court="Court"))

    @precondition(lambda self: self.people())
    @rule(data=st.data(), note=st.text(max_size=10))
    def edit_person(self, data, note: str) -> None:
        person = data.draw(st.sampled_from(self.people()))
        self._change(lambda: changing.edit(self.store, f"P{person}", [f"note={note}"]))

    @precondition(lambda self: self.people())
    @rule(data=st.data())
    def delete_person(self, data) -> None:
        person = data.draw(st.sampled_from(self.people()))
        self._change(lambda: changing.delete(self.store, f"P{person}"))

    @precondition(lambda self: len(self.people()) >= 2)
    @rule(data=st.data())
    def merge(self, data) -> None:
        first, second = data.draw(
            st.lists(st.sampled_from(self.people()), min_size=2, max_size=2, unique=True)
        )
        self._change(lambda: identity.merge(self.store, f"P{first}", into=f"P{second}"))

    @precondition(lambda self: self.history)
    @rule()
    def undo(self) -> None:
        admin.undo(self.store)
        assert dump(self.store) == self.history.pop()

    @invariant()
    def consistent(self) -> None:
        assert admin.check(self.store) == []
        conn = self.store.conn
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


CasesMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=12, deadline=None)
TestCasesMachine = CasesMachine.TestCase
TestCasesMachine = pytest.mark.slow(TestCasesMachine)


def test_sqlite_is_new_enough() -> None:
    assert sqlite3.sqlite_version_info >= (3, 35)
