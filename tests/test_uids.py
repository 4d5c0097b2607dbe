"""Record uids are time-ordered UUID7s: unique, and ascending in creation order."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from cases import uids
from cases.db import Store, rows


def test_layout_matches_the_rfc_9562_example() -> None:
    text = uids.uuid7(0x017F22E279B0, 0xCC3, 0x18C4DC0C0C07398F)
    assert text == "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"


def test_new_uids_are_version_7_unique_and_ascending() -> None:
    made = [uids.new_uid() for _ in range(20_000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    parsed = uuid.UUID(made[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122


def test_new_uids_keep_ascending_when_the_clock_goes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([2_000_000_000_000_000_000, 1_000_000_000_000_000_000, 1_000_000_000_000_000_000])
    monkeypatch.setattr(uids.time, "time_ns", lambda: next(clock))
    first, second, third = uids.new_uid(), uids.new_uid(), uids.new_uid()
    assert first < second < third


def test_records_added_one_after_another_get_ascending_uids(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "cases.db", write=True)
    with store.transaction("test"):
        for n in range(50):
            rows.insert(store, "sources", {"title": f"Report {n}"})
    made = [uid for (uid,) in store.conn.execute("SELECT uid FROM sources ORDER BY id")]
    store.close()
    assert len(made) == 50
    assert made == sorted(made)
