"""Finding people however their names are written: keys, resolution, search, dupes, merge."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.names import name_key, similarity
from cases.service.resolving import FUZZY_ACCEPT

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

FAMILIES = [
    [
        "Sairagul Sauytbay",
        "Sayragul Sauytbay",
        "Сайрагуль Сауытбай",
        "sairagul sauytbay",
        "SAYRAGUL SAUYTBAI",
        "Sauytbay Sairagul",
        "Сайрагүл Сауытбай",
        "Sáyragul Sauytbay",
    ],
    ["Qaisha Aqan", "Kaisha Akan", "Қайша Ақан", "Qaysha Aqan"],
    ["Serikzhan Bilash", "Serikjan Bilash", "Серікжан Біләш", "Serikzhan Bilash"],
    ["Tilek Tabarikuly", "Tilek Tabarikuli", "Тілек Табарикұлы", "Tilek Tabarykuly"],
    ["Qaster Musakhanuly", "Kaster Musahanuly", "Қастер Мұсаханұлы"],
    ["Murager Alimuly", "Мұрагер Әлімұлы", "Murager Alimulı"],
    ["Dinara Quiqabaeva", "Dinara Kuikabaeva", "Dinara Quiqabayeva"],
    ["Guljan Tokhtasyn", "Gulzhan Tokhtasyn", "Ghuljan Tokhtasin", "Gulzhan Tokhtassyn"],
    ["Nurgul Wali", "Nurgul Uali"],
    ["Yerlan Abenov", "Erlan Abenov", "Ерлан Абенов"],
]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f[0])
def test_each_spelling_family_shares_one_key(family: list[str]) -> None:
    keys = {name_key(spelling) for spelling in family}
    assert len(keys) == 1, {spelling: name_key(spelling) for spelling in family}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Murager Alimuly", "Qaster Musakhanuly"),
        ("Tilek Tabarikuly", "Tilek Tabarov"),
        ("Aigul Bekova", "Aigerim Bekova"),
        ("Murager Alimuly", "Murager Alimov"),
    ],
)
def test_different_people_stay_below_the_fuzzy_threshold(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)
    assert similarity(name_key(one), name_key(other)) < FUZZY_ACCEPT


@pytest.mark.parametrize(
    ("recorded", "typed"),
    [
        ("Sairagul Sauytbay", "Sayragul Sautbay"),
        ("Serikzhan Bilash", "Serikjan Bilas"),
        ("Abzal Kuspanov", "Abzal Kuspanova"),
        ("Dinara Quiqabaeva", "Dinara Kuikabayeva"),
    ],
)
def test_slips_and_endings_score_above_the_threshold(recorded: str, typed: str) -> None:
    assert similarity(name_key(recorded), name_key(typed)) >= FUZZY_ACCEPT


def test_chinese_characters_are_keyed_by_transliteration() -> None:
    assert name_key("赛拉古丽") == name_key("Sailaguli")
    assert name_key("赛拉古丽") != ""


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES[:6], ids=lambda f: f[0])
def test_every_spelling_finds_the_person_both_ways(run, tmp_path: Path, family: list[str]) -> None:
    for index, recorded in enumerate(family):
        db = str(tmp_path / f"family{index}.db")
        run("--db", db, "add", "person", recorded)
        for typed in family:
            result = run("--db", db, "show", typed, "--json")
            assert '"ref": "P1"' in result.stdout
            if typed.casefold() != recorded.casefold():
                assert "matched" in result.stderr


def test_chinese_alias_resolves(run, run_json) -> None:
    run("add", "person", "Sairagul Sauytbay", "--alias", "赛拉古丽·沙吾提拜")
    assert run_json("show", "赛拉古丽·沙吾提拜")["person"]["ref"] == "P1"
    assert run_json("show", "Sailaguli Shawutibai")["person"]["ref"] == "P1"


def test_unique_given_name_or_surname(run, run_json, fails_cleanly) -> None:
    run("add", "person", "Tilek Tabarikuly")
    run("add", "person", "Tilek Sample")
    assert run_json("show", "Tabarikuly")["person"]["ref"] == "P1"
    assert run_json("show", "Табарикұлы")["person"]["ref"] == "P1"
    line = fails_cleanly("show", "Tilek")
    assert "P1" in line and "P2" in line


def test_fuzzy_winner_is_announced(run) -> None:
    run("add", "person", "Serikzhan Bilash")
    result = run("show", "Serikjan Bilas", "--json")
    assert '"ref": "P1"' in result.stdout
    assert "matched 'Serikzhan Bilash' (P1" in result.stderr


def test_close_names_are_ambiguous(run, fails_cleanly) -> None:
    run("add", "person", "Nurlan Sadykov")
    run("add", "person", "Nurlan Sadyrov")
    # q/k is a spelling variant, so this is Sadykov's own key, not a guess
    assert '"ref": "P1"' in run("show", "Nurlan Sadyqov", "--json").stdout
    line = fails_cleanly("show", "Nurlan Sadymov")
    assert "P1" in line and "P2" in line


def test_no_match_offers_the_closest_names(run, fails_cleanly) -> None:
    run("add", "person", "Qaisha Aqan")
    line = fails_cleanly("show", "Qaisha Aqanova")
    assert "closest: P1 Qaisha Aqan" in line
    assert "no person named 'Zzyzx'" in fails_cleanly("show", "Zzyzx")


def test_exact_spelling_beats_a_shared_key(run, run_json) -> None:
    run("add", "person", "Qaisha Aqan")
    run("add", "person", "Kaisha Akan")
    assert run_json("show", "Kaisha Akan")["person"]["ref"] == "P2"


@pytest.mark.sqlite_only("SQLite's query plans")
def test_resolution_uses_the_indexes(database: Path, run) -> None:
    run("add", "person", "Ayan Test")
    conn = sqlite3.connect(database)
    plan = " ".join(
        str(row[3])
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM people WHERE id IN ("
            "SELECT id FROM people WHERE name_key = ? UNION "
            "SELECT person_id FROM aliases WHERE name_key = ?)",
            ["a", "a"],
        )
    )
    conn.close()
    assert "people_name_key" in plan and "aliases_name_key" in plan


names = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Zs", "Pd"]), min_size=1, max_size=30
).filter(lambda text: name_key(text) != "")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=names)
def test_any_name_resolves_back_to_its_person(tmp_path: Path, name: str) -> None:
    from cases.db import Store
    from cases.service.recording import add_person
    from cases.service.resolving import resolve_person

    store = Store.open(tmp_path / f"prop{time.monotonic_ns()}.db", write=True)
    try:
        add_person(store, "Zed Other")
        recorded = add_person(store, name)
        assert resolve_person(store, name)["id"] == recorded.row["id"]
        assert resolve_person(store, f"P{recorded.row['id']}")["id"] == recorded.row["id"]
    finally:
        store.close()


# -- search --------------------------------------------------------------------


def test_search_finds_every_kind_of_text(run, run_json) -> None:
    run("add", "source", "Fictional Gazette report on Borderville")
    run(
        "add",
        "person",
        "Ayan Test",
        "--alias",
        "Аян Тест",
        "--note",
        "teaches music",
        "--origin",
        "Highland",
    )
    run(
        "add",
        "trial",
        "P1",
        "--court",
        "Riverside court",
        "--place",
        "Lakeside",
        "--charge",
        "illegal border crossing",
    )
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest", "Detained at the checkpoint")
    hits = {(h["kind"], h["field"]) for h in run_json("search", "riverside")}
    assert hits == {("trial", "court")}
    assert run_json("search", "checkpoint")[0]["ref"] == "E1"
    assert run_json("search", "music")[0]["field"] == "note"
    assert run_json("search", "Borderville")[0]["person_ref"] is None
    assert run_json("search", "Тест")[0]["kind"] in ("alias", "person")
    assert {h["kind"] for h in run_json("search", "aian")} == {"person", "alias"}  # folded
    assert run_json("search", "border", "crossing")[0]["field"] == "charge"
    assert run_json("search", "border", "zebra") == []  # every word must match
    hit = run_json("search", "lakeside")[0]
    assert set(hit) >= {"ref", "kind", "field", "text", "person", "person_ref"}
    assert hit["person"] == "Ayan Test"


def test_search_follows_edits_and_deletes(run, run_json) -> None:
    run("add", "person", "Ayan Test", "--note", "violinist")
    run("edit", "P1", "--set", "note=cellist")
    assert run_json("search", "violinist") == []
    assert run_json("search", "cellist")[0]["ref"] == "P1"
    run("delete", "P1", "--yes")
    assert run_json("search", "cellist") == []


def test_search_text_with_fts_syntax_is_safe(run, run_json) -> None:
    run("add", "person", 'Ayan "Quote" Test')
    for text in ['"', "AND", "NEAR(", "*", "a:b", "(", "-x"]:
        result = run("search", "--", text, ok=False)
        assert result.exit_code in (0, 1)
        assert "Traceback" not in result.stderr


def test_search_of_the_sample(run, run_json, sample) -> None:
    assert {h["person"] for h in run_json("search", "Zharkent")} >= {
        "Tilek Tabarikuly",
        "Qaisha Aqan",
    }
    assert run_json("search", "Sayragul")[0]["person"] == "Sairagul Sauytbay"
    assert run_json("search", "Сауытбай")[0]["person"] == "Sairagul Sauytbay"


def test_search_needs_text(fails_cleanly, run) -> None:
    run("add", "person", "Ayan Test")
    assert run("search", ok=False).exit_code == 2
    assert "text" in fails_cleanly("search", " ")


@pytest.mark.sqlite_only("SQLite's migrations")
def test_migration_from_the_first_schema_rekeys_and_indexes(database: Path, run, run_json) -> None:
    from sqlite_utils import Database

    from cases.db.files import APPLICATION_ID
    from cases.migrations import migrations

    conn = sqlite3.connect(database)
    db = Database(conn)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.apply(db, stop_before="m002_name_keys_and_search")
    conn.execute(
        "INSERT INTO people (uid, name, name_key, private) VALUES ('u1', 'Сайрагуль Сауытбай', "
        "'сайрагуль сауытбай', 0)"
    )
    conn.commit()
    conn.close()
    assert run_json("show", "Sairagul Sauytbay")["person"]["uid"] == "u1"
    assert run_json("search", "Сауытбай")[0]["ref"] == "P1"


# -- dupes and merge -------------------------------------------------------------


def test_dupes_ranks_likely_pairs_with_reasons(run, run_json) -> None:
    run("add", "person", "Sairagul Sauytbay", "--born", "1976", "--origin", "Xinjiang")
    run("add", "person", "Сайрагуль Сауытбай", "--born", "1976-05")
    run("add", "person", "Sairagul Sautbay")
    run("add", "person", "Tilek Tabarikuly")
    run("add", "person", "Tilek Sample")
    pairs = run_json("dupes")
    assert [(p["ref"], p["other_ref"]) for p in pairs][:1] == [("P1", "P2")]
    assert "same birth year" in pairs[0]["reasons"]
    assert {(p["ref"], p["other_ref"]) for p in pairs} == {("P1", "P2"), ("P1", "P3"), ("P2", "P3")}
    assert "Sairagul" in run("dupes").stdout


def test_dupes_counts_shared_trials(run, run_json) -> None:
    run("add", "person", "Qaisha Aqan")
    run("add", "person", "Kaisha Akan")
    run("add", "trial", "P1", "P2", "--court", "C")
    [pair] = run_json("dupes")
    assert "1 shared trial(s)" in pair["reasons"]


def test_merge_moves_everything(run, run_json, fails_cleanly) -> None:
    run("add", "source", "Report one")
    run("add", "source", "Report two")
    run("add", "person", "Qaisha Aqan", "--source", "S1")
    run(
        "add",
        "person",
        "Kaisha Akan",
        "--alias",
        "Қайша Ақан",
        "--born",
        "1982",
        "--source",
        "S1",
        "--source",
        "S2",
        "--note",
        "from another list",
    )
    run("add", "person", "Berik Sample")
    run("add", "trial", "P1", "P2", "--court", "Shared court")  # both defendants
    run("add", "trial", "P2", "--court", "Own court")
    run("add", "ruling", "P2", "--date", "2019", "--outcome", "convicted")
    run("add", "asylum", "P2", "--date", "2018-11-11", "--decision", "asylum-seeker-status")
    run("add", "detention", "P2", "--start", "2018")
    run("add", "event", "P2", "--date", "2018-05", "--kind", "border-crossing")
    run("add", "relation", "P3", "P2", "--kind", "sibling")
    run("add", "relation", "P1", "P2", "--kind", "relative")
    before = run_json("show", "P2")
    preview = run_json("merge", "P2", "--into", "P1", "--dry-run")
    assert preview["moves"]["trial_parties"] == 2 and preview["moves"]["rulings"] == 1
    assert run_json("show", "P2") == before  # dry run changed nothing
    run("merge", "Kaisha Akan", "--into", "P1")
    assert "P2 was merged into P1" in fails_cleanly("show", "P2")
    shown = run_json("show", "P1")
    assert {a["name"] for a in shown["aliases"]} == {"Қайша Ақан", "Kaisha Akan"}
    assert shown["person"]["born"] == "1982"  # a blank filled in
    assert "from another list" in shown["person"]["note"]
    assert [t["court"] for t in shown["trials"]] == ["Shared court", "Own court"]
    assert shown["trials"][0]["parties"] == [
        {"person_ref": "P1", "name": "Qaisha Aqan", "role": "defendant", "private": False}
    ]
    assert len(shown["rulings"]) == len(shown["asylum"]) == len(shown["detentions"]) == 1
    assert len(shown["events"]) == 1
    assert [r["description"] for r in shown["relations"]] == ["sibling of Berik Sample"]
    assert [s["ref"] for s in shown["sources"]] == ["S1", "S2"]
    assert run_json("show", "Kaisha Akan")["person"]["ref"] == "P1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["merge", "P1", "--into", "P1"], "into itself"),
        (["merge", "P9", "--into", "P1"], "no person P9"),
        (["merge", "P1", "--into", "Nobody Known"], "no person named"),
    ],
)
def test_merge_refusals(run, fails_cleanly, args, message) -> None:
    run("add", "person", "Ayan Test")
    assert message in fails_cleanly(*args)


@given(text=st.text() | st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_shortcut_keys_names_as_transliteration_would(text: str) -> None:
    from cases.names import name_words

    # a trailing no-break space (a separator once normalised) sends the same name
    # down the path every non-ASCII name takes: NFKC, then transliteration
    assert name_words(text) == name_words(text + "\u00a0")
