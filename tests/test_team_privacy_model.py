"""The privacy model (tests/test_privacy_model.py) on a team's database.

- Its changes made on a file, and what a reader of a team's database reads:
  at every check of the other outputs, the file is copied to a new team
  database on PostgreSQL and read whole through a reader's own login. The
  server's views must hide what the model hides: no record the model hides,
  no text or uid of one.
- Its changes made on a team database itself (adds, edits, deletes, purges,
  merges, undos, imports, all through ``cases --db postgresql://...``), and
  every export and publication from it checked against the model, as on a file.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings

from tests.test_privacy_model import RECORD_TABLES, PrivacyMachine, run_cases


class ServerPrivacyMachine(PrivacyMachine):
    """The privacy model's changes, checked also through a reader's login."""

    cluster: Any = None

    def check_other_outputs(self) -> None:
        super().check_other_outputs()
        import psycopg

        from cases.catalogue import TABLES
        from tests.postgres import PASSWORD

        cluster = self.cluster
        _, url = cluster.new_team_database()
        for args in (("--db", url, "team", "init"), ("copy", "--from", str(self.db), "--to", url)):
            code, _, stderr = run_cases(*args)
            assert code == 0, stderr
        reader = cluster.new_login("reader")
        assert run_cases("--db", url, "team", "add", reader, "--role", "reader")[0] == 0
        model = self.model
        with psycopg.connect(
            host="127.0.0.1",
            port=cluster.port,
            user=reader,
            password=PASSWORD,
            dbname=url.rsplit("/", 1)[1],
        ) as conn:
            text = ""
            for table in TABLES:
                rows = conn.execute(f'SELECT * FROM "{table.name}"').fetchall()
                text += "\n".join(repr(row) for row in rows)
                if table.name in RECORD_TABLES:
                    got = {str(row[1]) for row in rows}
                    shown = {uid for uid in model.uids(table.name) if model.shown(uid)}
                    assert got == shown, (
                        f"reader's {table.name}: hidden {sorted(got - shown)}, "
                        f"missing {sorted(shown - got)}"
                    )
        folded = text.lower()
        found = sorted(m for m in model.secret_markers() if m.lower() in folded)
        assert not found, f"a reader read hidden text: {[self.whose(m) for m in found]}"
        hidden = [self.describe(u) for u in model.records if not model.shown(u) and u in text]
        assert not hidden, f"a reader read uids of hidden records: {hidden}"


# the privacy model's settings, with fewer examples: each check copies to a new
# team database
ServerPrivacyMachine.TestCase.settings = settings(PrivacyMachine.TestCase.settings, max_examples=6)


class ServerDrivenPrivacyMachine(PrivacyMachine):
    """The privacy model's changes made on a new team database."""

    cluster: Any = None

    def __init__(self) -> None:
        super().__init__()
        _, url = self.cluster.new_team_database()
        code, _, stderr = run_cases("--db", url, "team", "init")
        assert code == 0, stderr
        self.db = url  # type: ignore[assignment]


ServerDrivenPrivacyMachine.TestCase.settings = settings(
    PrivacyMachine.TestCase.settings, max_examples=8
)


@pytest.fixture(autouse=True)
def _team_server(pg_cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.postgres import PASSWORD

    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    ServerPrivacyMachine.cluster = pg_cluster
    ServerDrivenPrivacyMachine.cluster = pg_cluster


TestServerPrivacyModel = pytest.mark.slow(pytest.mark.postgres(ServerPrivacyMachine.TestCase))
TestServerDrivenPrivacyModel = pytest.mark.slow(
    pytest.mark.postgres(ServerDrivenPrivacyMachine.TestCase)
)
