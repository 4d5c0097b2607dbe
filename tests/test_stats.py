"""``cases stats``: counts, and detention days that are the sum of the lengths
``show`` gives (ranges where dates are not days)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

# -- the status rules, one by one (service functions) -------------------------------


def test_stats_sums_ranges_of_inexact_dates(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "detention", "P1", "--start", "2019-03", "--end", "2019-08")
    figures = run_json("stats")
    assert (
        figures["detention_days"],
        figures["detention_days_min"],
        figures["detention_days_max"],
    ) == (0, 123, 183)
    assert "123" in run("stats").stdout


@pytest.mark.parametrize("seed", [11, 12])
def test_stats_totals_are_the_sum_of_every_persons_lengths(tmp_path: Path, seed: int) -> None:
    """``stats`` sums detention days in SQL; ``show`` works each length out in
    Python. On generated people (open detentions ended by a release or a ruling,
    open ones nothing ends, closed ones; dates of a day, a month, a year or
    "before") the totals are the sums of what ``show`` says, detention by
    detention. (Seed 11 once found a ruling dated "before" counted as a day.)"""
    import sys

    from cases.db import Store, rows
    from cases.service.importing import import_folder
    from cases.service.reading import org_summary, person_summary
    from cases.service.stats import stats

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from make_db import generate

    today = dt.date(2026, 11, 30)
    generate(tmp_path, 400, seed=seed)
    store = Store.open(tmp_path / "derived.db", write=True)
    import_folder(store, tmp_path)
    exact = fewest = most = 0
    summaries = [
        *(person_summary(store, person, today) for person in rows.all_rows(store, "people")),
        *(org_summary(store, org, today) for org in rows.all_rows(store, "organisations")),
    ]  # groups are held too
    for summary in summaries:
        for held in summary["detentions"]:
            fewest += held["days_min"] or 0
            most += held["days_max"] or 0
            exact += held["days"] or 0
    figures = stats(store, today)
    assert figures["open_detentions"] > 10
    assert (
        figures["detention_days"],
        figures["detention_days_min"],
        figures["detention_days_max"],
    ) == (exact, fewest, most)
