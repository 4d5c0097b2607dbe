"""The search index keeps no text: every change must remove exactly the words it indexed."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import assert_search_index_matches_records
from tests.test_transfer import _edit_csv


def test_every_kind_of_change_keeps_the_index_exact(
    run, run_json, database: Path, tmp_path: Path
) -> None:
    run("init", "--sample")
    assert_search_index_matches_records(database)

    run(
        "add",
        "person",
        "Fictional Qairat",
        "--note",
        "crossed near Fictionville",
        "--origin",
        "Ili",
    )
    run("add", "person", "Fictional Kairat", "--alias", "Қайрат Фикшн")
    run(
        "add",
        "event",
        "Fictional Qairat",
        "--kind",
        "arrest",
        "--date",
        "2019-03",
        "held at the border post",
    )
    assert_search_index_matches_records(database)

    first = run_json("show", "Fictional Qairat")["person"]["ref"]
    run("edit", first, "--set", "note=moved to Almaty", "--set", "name=Fictional Qairat Two")
    run("edit", first, "--set", "origin=")
    assert_search_index_matches_records(database)
    assert [hit["field"] for hit in run_json("search", "moved Almaty")] == ["note"]
    assert not run_json("search", "Fictionville")

    second = run_json("show", "Fictional Kairat")["person"]["ref"]
    run("merge", second, "--into", first)
    assert_search_index_matches_records(database)

    run("undo")  # the merge
    run("undo")  # the second edit
    assert_search_index_matches_records(database)

    # a bulk import that updates rows (the search triggers stand still meanwhile)
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder), "--include-private")
    _edit_csv(folder / "events.csv", 3, "summary", "rewritten summary of the hearing")
    _edit_csv(folder / "people.csv", 2, "note", "")
    run("import", "csv", str(folder))
    assert_search_index_matches_records(database)
    assert [hit["field"] for hit in run_json("search", "rewritten")] == ["summary"]
    run("undo")  # the import
    assert_search_index_matches_records(database)

    run("delete", first, "--yes")
    assert_search_index_matches_records(database)
    run("delete", second, "--yes", "--purge")
    assert_search_index_matches_records(database)
    assert not run_json("search", "Қайрат")


def test_names_come_before_other_fields_and_notes_last(run, run_json) -> None:
    run("init")
    run("add", "person", "Fictional Witness", "--note", "spoke with Zhanbolat at the border")
    run("add", "person", "Zhanbolat Fictional")
    run("add", "source", "Interview in Zhanbolat village", "--date", "2020-01-02")
    hits = run_json("search", "Zhanbolat")
    assert [(hit["kind"], hit["field"]) for hit in hits] == [
        ("person", "name"),
        ("source", "title"),
        ("person", "note"),
    ]
    # a word found more often ranks higher, whatever the field (a name also
    # matches through its folded key, "janbolat")
    run("add", "person", "Fictional Other", "--note", "Zhanbolat, Zhanbolat and Zhanbolat again")
    hits = run_json("search", "Zhanbolat")
    assert [(hit["ref"], hit["field"]) for hit in hits] == [
        ("P2", "name"),
        ("P3", "note"),
        ("S1", "title"),
        ("P1", "note"),
    ]


def test_a_persons_name_comes_before_an_equal_alias(run, run_json) -> None:
    run("init")
    run("add", "person", "Fictional Third", "--alias", "Qairat Fictionov")
    run("add", "person", "Qairat Fictionov")
    hits = run_json("search", "Fictionov")
    assert [(hit["kind"], hit["ref"]) for hit in hits] == [("person", "P2"), ("alias", "P1")]


def test_search_numbers_whole_and_spellings_in_any_text(run, run_json) -> None:
    run("add", "person", "Ayan Test", "--note", "Aged 30 at the time; seen at 14:30")
    run("add", "event", "P1", "--date", "2019", "--kind", "other", "Met Atazhurt volunteers")
    run("add", "event", "P1", "--date", "2019", "--kind", "other", "Fined 300 dollars")
    assert [h["ref"] for h in run_json("search", "300")] == ["E2"]
    assert [h["ref"] for h in run_json("search", "30")] == ["P1"]
    assert [h["ref"] for h in run_json("search", "Atajurt")] == ["E1"]
