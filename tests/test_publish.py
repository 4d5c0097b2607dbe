"""``cases publish`` and ``cases serve``: a database for reading with Datasette.

The site is checked with Datasette's own test client (every page answers 200,
search, facets, labels, a record's sources one click away) and one real
``cases serve`` on a loopback port; privacy by looking for a private person's
name in every byte of the publication.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from cases.catalogue import TABLES
from tests.conftest import folder_bytes

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

datasette_app = pytest.importorskip("datasette.app", reason='needs pip install "cases[serve]"')

# every kind of record (a table with references) is found by the site's search
SEARCHED = tuple(table.name for table in TABLES if table.prefix)


def _pages(folder: Path, paths: list[str]) -> dict[str, Any]:
    """GET each path from Datasette serving the publication in FOLDER, as
    ``datasette FOLDER/cases.db -m FOLDER/metadata.json`` would: path -> response."""
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))

    async def fetch() -> dict[str, Any]:
        site = datasette_app.Datasette([str(folder / "cases.db")], metadata=metadata)
        return {path: await site.client.get(path) for path in paths}

    return asyncio.run(fetch())


def _rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text[:500]
    return list(response.json()["rows"])


def _published_tables(path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
            )
        ]
        return {
            name: [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')] for name in names
        }
    finally:
        conn.close()


@pytest.fixture
def site(run, sample, tmp_path: Path) -> Path:
    """The sample, published."""
    folder = tmp_path / "site"
    result = run("publish", str(folder))
    assert "cases serve" in result.stdout
    return folder


def test_every_page_of_the_sample_answers(site: Path) -> None:
    conn = sqlite3.connect(site / "cases.db")
    try:
        ids = {
            table.name: [row[0] for row in conn.execute(f'SELECT id FROM "{table.name}"')]
            for table in TABLES
        }
    finally:
        conn.close()
    assert all(ids.values())  # the sample has rows in every table
    paths = ["/", "/cases", "/cases/timeline", "/cases/timeline.json"]
    for table, numbers in ids.items():
        paths += [f"/cases/{table}", f"/cases/{table}.json"]
        paths += [f"/cases/{table}/{number}" for number in numbers]
    responses = _pages(site, paths)
    failed = {path: r.status_code for path, r in responses.items() if r.status_code != 200}
    assert not failed
    assert "Cases" in responses["/"].text


def test_the_site_reads_as_names_with_facets_search_and_sources(site: Path) -> None:
    aqan = "/cases/people.json?_search=Aqan&_shape=objects"
    spelled = "/cases/people.json?_search=qaisha+aqan&_shape=objects"
    alias = "/cases/people.json?_search=Sayragul&_shape=objects"
    events = "/cases/events.json?_labels=on&_shape=objects&_size=max"
    rulings = "/cases/rulings.json"
    timeline = "/cases/timeline.json?_shape=objects&_size=max"
    responses = _pages(site, [aqan, spelled, alias, events, rulings, timeline])

    # full-text search, as Datasette runs it (sqlite-utils' TABLE_fts convention)
    assert [p["name"] for p in _rows(responses[aqan])][:1] == ["Qaisha Aqan"]
    assert "Qaisha Aqan" in [p["name"] for p in _rows(responses[spelled])]
    # an alias finds the person it names
    assert [p["name"] for p in _rows(responses[alias])] == ["Sairagul Sauytbay"]

    # links read as names
    labelled = [e["person_id"] for e in _rows(responses[events]) if e["person_id"]]
    assert {"value": 3, "label": "Qaisha Aqan"} in labelled
    assert all(isinstance(link, dict) and link["label"] for link in labelled)

    # facets from the metadata: outcomes, courts...
    facets = responses[rulings].json()["facet_results"]
    assert {"outcome", "court"} <= set(facets)
    assert any(value["value"] == "convicted" for value in facets["outcome"]["results"])

    # the timeline: every fact in date order, with names
    entries = _rows(responses[timeline])
    days = [entry["day"] for entry in entries]
    assert days == sorted(days)
    assert {"trial", "ruling", "asylum", "detention"} <= {e["kind"] for e in entries}
    assert any(e["actor"] == "Qaisha Aqan" and e["kind"] == "ruling" for e in entries)


def test_a_records_sources_are_one_click_away(site: Path) -> None:
    row = "/cases/people/3"
    page = _pages(site, [row])[row]
    assert page.status_code == 200 and "Qaisha Aqan" in page.text
    link = re.search(r'href="(/cases/citations\?record_person_id=3)"', page.text)
    assert link is not None, "the person's page links to her citations"
    cited = link.group(1)
    listing = cited.replace("/cases/citations?", "/cases/citations.json?_labels=on&_shape=objects&")
    responses = _pages(site, [cited, listing])
    assert responses[cited].status_code == 200
    sources = [c["source_id"]["label"] for c in _rows(responses[listing])]
    assert sources and all(sources)  # each citation names its source


def test_metadata_describes_every_table_and_column(site: Path) -> None:
    metadata = json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] and metadata["source"].startswith("cases")
    tables = metadata["databases"]["cases"]["tables"]
    published = _published_tables(site / "cases.db")
    for table in TABLES:
        entry = tables[table.name]
        assert entry["description"]
        assert set(entry["columns"]) == set(published[table.name])
        assert all(entry["columns"].values())
        assert entry["label_column"] in published[table.name]
    assert set(tables["timeline"]["columns"]) == set(published["timeline"])
    assert tables["timeline_entries"]["hidden"]
    for name in SEARCHED:
        assert tables[name]["fts_table"] == f"{name}_fts"
    assert {"kind"} <= set(tables["events"]["facets"])
    assert {"decision", "country"} <= set(tables["asylum"]["facets"])


def test_the_publication_holds_no_internals(site: Path) -> None:
    published = _published_tables(site / "cases.db")
    catalogue = {table.name for table in TABLES}
    # besides SQLite's own statistics (for the query planner), only the full-text
    # tables of the searched tables and their shadow tables
    internals = set(published) - catalogue - {"timeline", "timeline_entries", "sqlite_stat1"}
    assert all(name.split("_fts")[0] in SEARCHED and "_fts" in name for name in internals)
    assert not any("name_key" in columns for columns in published.values())
    assert not any("private" in published[name] for name in catalogue)
    conn = sqlite3.connect(site / "cases.db")
    try:
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master"))
        assert kinds["timeline"] == "view"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_sqlite_utils_finds_the_search_tables(site: Path) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(site / "cases.db")
    try:
        for name in SEARCHED:
            assert db[name].detect_fts() == f"{name}_fts"
        found = [row["label"] for row in db["people"].search("Tabarikuly")]
        petitions = [row["kind"] for row in db["communications"].search("Working Group")]
    finally:
        db.close()
    # him, and his parents, described by his name
    assert found[0] == "Tilek Tabarikuly" and len(found) == 3
    assert petitions == ["petition"]  # Freedom Now's, to the UN Working Group


@pytest.fixture
def with_a_private_person(run, run_json, sample) -> dict[str, str]:
    """The sample, and a private person with an alias, events, a detention and a
    relation to a public person: nothing of her may be published."""
    run("add", "person", "Zhanar Secretova", "--alias", "Janar Hiddenova", "--private")
    run("add", "event", "Zhanar Secretova", "--date", "2019-03", "--kind", "arrest", "Taken away")
    run("add", "detention", "Zhanar Secretova", "--start", "2019-03", "--place", "Quietplace")
    run("add", "relation", "Qaisha Aqan", "Zhanar Secretova", "--kind", "sibling")
    run("add", "event", "Qaisha Aqan", "--date", "2019-04", "--kind", "statement", "Spoke out")
    person = run_json("show", "Zhanar Secretova")["person"]
    return {"uid": person["uid"]}


def test_private_records_are_not_published(run, tmp_path: Path, with_a_private_person) -> None:
    public, everything = tmp_path / "public", tmp_path / "everything"
    run("publish", str(public))
    run("publish", str(everything), "--include-private")
    hidden = (
        "Zhanar",
        "Secretova",
        "Hiddenova",
        "Quietplace",
        with_a_private_person["uid"],
    )
    published = folder_bytes(public)
    for word in hidden:
        # the text, and the lower-case words a full-text index keeps
        assert word.encode() not in published, word
        assert word.lower().encode() not in published, word
    assert b"Spoke out" in published  # the public event of the public person stays
    full = folder_bytes(everything)
    for word in hidden:
        assert word.encode() in full, word
    metadata = json.loads((everything / "metadata.json").read_text(encoding="utf-8"))
    assert "PRIVATE" in metadata["description"]


@pytest.mark.sqlite_only("refuses the folder of the database file")
def test_files_are_private_complete_and_never_overwritten(
    run, sample, tmp_path: Path, fails_cleanly
) -> None:
    folder = tmp_path / "new" / "site"
    run("publish", str(folder), "--title", "Kazakh cases")
    for name in ("cases.db", "metadata.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert sorted(path.name for path in folder.iterdir()) == ["cases.db", "metadata.json"]
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] == "Kazakh cases"
    before = (folder / "cases.db").read_bytes()
    error = fails_cleanly("publish", str(folder))
    assert "exists; add --force" in error
    assert (folder / "cases.db").read_bytes() == before
    run("publish", str(folder), "--force")
    assert json.loads((folder / "metadata.json").read_text(encoding="utf-8"))["title"] == "Cases"
    # the folder of the database itself: its cases.db would be the database
    error = fails_cleanly("publish", str(tmp_path))
    assert "is the database itself" in error
    (tmp_path / "a-file").write_text("x")
    assert "not a folder" in fails_cleanly("publish", str(tmp_path / "a-file"))


def test_serve_without_datasette_names_the_extra(
    run, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "datasette", None)  # as if not installed
    result = run("serve", str(site), ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        'Error: cases serve needs Datasette; install it with: pip install "cases[serve]"'
    )


def test_serve_needs_a_publication(run, tmp_path: Path) -> None:
    result = run("serve", str(tmp_path), ok=False)
    assert result.exit_code == 1
    assert f"cases publish {tmp_path}" in result.stderr
    result = run("serve", str(tmp_path), "--port", "70000", ok=False)
    assert result.exit_code == 1 and "--port" in result.stderr


def test_serve_refuses_a_port_in_use(run, site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", str(site), "--port", str(port), ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: port {port} on 127.0.0.1 is in use")
    result = run("serve", str(site), "--port", "eighty", ok=False)
    assert result.exit_code == 1 and "whole number" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_runs_the_site_on_loopback(site: Path, database: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cases", "serve", str(site), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CASES_DB": str(database), "CASES_KEY": "a key for the database"},
        start_new_session=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/cases/people.json?_search=Aqan", timeout=5
                ) as response:
                    assert response.status == 200
                    body = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.3)
        assert body is not None and "Qaisha Aqan" in body, process.poll()
        # the server (this very process, which became Datasette) never holds the key
        environment = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
        assert not any(variable.startswith(b"CASES_KEY=") for variable in environment)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C on a terminal
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stderr = process.stderr.read().decode() if process.stderr else ""
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
    assert f"running on http://127.0.0.1:{port}" in stderr.lower()
