"""Moving data: CSV and JSON export, all-or-nothing import, privacy on every way out."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.catalogue import TABLES
from cases.csv_io import defuse, read_csv, restore, write_csv
from cases.db import Store, rows
from tests.conftest import round_trip, sample_rows

# Each test runs on a file and on a team database (tests/conftest.py: engine),
# but those about the file itself or about no database.
pytestmark = pytest.mark.usefixtures("engine")

HOSTILE = [
    "=1+2",
    "+SUM(A1)",
    "-3",
    "@cmd",
    "\tleading tab",
    "\rcarriage",
    "\nnewline first",
    "'",
    "''quoted",
    'say "hi", then, go',
    "line one\nline two",
    "Сайрагуль Сауытбай",
    "赛拉古丽",
    "ئۇيغۇر",
    "trailing space ",
    " leading space",
    '=HYPERLINK("http://x")',
]


@given(st.text())
@pytest.mark.sqlite_only("the CSV functions alone")
def test_defuse_is_undone_exactly(text: str) -> None:
    assert restore(defuse(text)) == text
    if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n"):
        assert defuse(text).startswith("'")


@given(st.lists(st.lists(st.text(), min_size=3, max_size=3), max_size=5))
@pytest.mark.sqlite_only("the CSV functions alone")
def test_csv_round_trip_of_arbitrary_text(rows: list[list[str]]) -> None:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "t.csv"
    write_csv(path, ["a", "b", "c"], rows)
    read = [
        [cells["a"], cells["b"], cells["c"]] for _, cells in read_csv(path, ["a", "b", "c"], [])
    ]
    assert read == rows


def _hostile_database(database: Path, run) -> None:
    run("init", "--sample")
    store = Store.open(database, write=True)
    with store.transaction():
        for index, text in enumerate(HOSTILE):
            person = rows.insert(
                store,
                "people",
                {
                    "name": f"Hostile {index}",
                    "name_key": f"hostile {index}",
                    "note": text,
                    "origin": text,
                    "private": 0,
                },
            )
            rows.insert(
                store,
                "events",
                {
                    "person_id": person,
                    "kind": "other",
                    "summary": text,
                    "date": "2019",
                    "date_earliest": "2019-01-01",
                    "date_latest": "2019-12-31",
                    "place": text,
                    "private": 0,
                },
            )
            rows.insert(store, "sources", {"title": text or "x", "note": text, "private": 0})
    store.close()


@pytest.mark.sqlite_only("hostile texts written into the file through the store (test_team_writes)")
def test_export_import_export_is_byte_identical(run, database: Path, tmp_path: Path) -> None:
    _hostile_database(database, run)
    first, _, _ = round_trip(run, tmp_path)
    # one file per table, and the manifest
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted([*(f"{table.name}.csv" for table in TABLES), "cases-export.json"])
    text = (first / "events.csv").read_text(encoding="utf-8")
    assert "'=1+2" in text and "'@cmd" in text and "'''quoted" in text
    # what a spreadsheet would see: no cell starts a formula
    with (first / "people.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))


def test_export_files_are_private_and_streamed_to_place(run, tmp_path: Path) -> None:
    run("init", "--sample")
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left
    target = tmp_path / "all.json"
    run("export", "json", "--out", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["format"] == "cases"
    assert len(document["tables"]["people"]) == sample_rows("people")
    assert document["tables"]["people"][0]["private"] is False


def test_export_json_to_stdout(run, sample) -> None:
    document = json.loads(run("export", "json").stdout)
    assert set(document["tables"]) >= {"people", "trials", "citations"}
    assert document["tables"]["rulings"][0]["person_uid"]


@pytest.fixture
def private_world(run) -> dict[str, str]:
    """Public and private records linked every way a leak could happen."""
    run("add", "source", "Public report")
    run("add", "source", "SECRETSOURCE title", "--private")
    run("add", "person", "Open Person")
    run(
        "add",
        "person",
        "Hidden Person",
        "--alias",
        "SECRETALIAS",
        "--private",
        "--note",
        "SECRETNOTE",
    )
    run("add", "person", "Judge Hidden", "--private")
    run("add", "trial", "Hidden Person", "--court", "SECRETCOURT only hers")  # T1: all private
    run(
        "add",
        "trial",
        "Open Person",
        "Hidden Person",
        "--court",
        "Shared court",
        "--judge",
        "Judge Hidden",
    )  # T2: stays, without her party row and judge
    run(
        "add",
        "ruling",
        "Hidden Person",
        "--trial",
        "T2",
        "--date",
        "2019",
        "--outcome",
        "convicted",
        "--sentence",
        "SECRETSENTENCE",
    )
    run("add", "ruling", "Open Person", "--trial", "T2", "--date", "2019", "--outcome", "other")
    run(
        "add",
        "ruling",
        "Open Person",
        "--trial",
        "T1",
        "--date",
        "2019",
        "--outcome",
        "other",
        "--sentence",
        "SECRETRULINGONHIDDENTRIAL",
    ) if False else None
    run(
        "add",
        "asylum",
        "Hidden Person",
        "--date",
        "2019",
        "--decision",
        "granted",
        "--country",
        "SECRETCOUNTRY",
    )
    run("add", "detention", "Hidden Person", "--start", "2019", "--place", "SECRETPLACE")
    run("add", "event", "Hidden Person", "--date", "2019", "--kind", "arrest", "SECRETEVENT")
    run(
        "add",
        "event",
        "Open Person",
        "--date",
        "2019",
        "--kind",
        "other",
        "SECRETOWNEVENT",
        "--private",
    )
    run(
        "add",
        "event",
        "Open Person",
        "--date",
        "2019",
        "--kind",
        "other",
        "public event",
        "--source",
        "S1",
        "--source",
        "S2",
    )
    run(
        "add",
        "relation",
        "Open Person",
        "Hidden Person",
        "--kind",
        "sibling",
        "--note",
        "SECRETRELATION",
    )
    run("add", "person", "Third Person", "--source", "S2")
    return {"secret": "SECRET"}


def _exported_text(folder: Path) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()))


def test_private_records_never_leave(
    run, run_json, tmp_path: Path, private_world, fresh_db: str
) -> None:
    hidden = run_json("show", "Hidden Person")
    hidden_uids = [hidden["person"]["uid"]] + [
        record["uid"]
        for key in ("aliases", "trials", "rulings", "asylum", "detentions", "events", "relations")
        for record in hidden[key]
    ]
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    text = _exported_text(out)
    for secret in ("SECRET", "Hidden Person", "Judge Hidden"):
        assert secret not in text
    for uid in hidden_uids:
        if uid != hidden["trials"][1]["uid"]:  # the shared trial itself stays
            assert uid not in text
    trials = list(csv.DictReader(io.StringIO((out / "trials.csv").read_text())))
    assert [t["court"] for t in trials] == ["Shared court"]
    parties = list(csv.DictReader(io.StringIO((out / "trial_parties.csv").read_text())))
    # the open person's role; the judge named as the hidden person goes
    assert [(p["role"], p["name"], p["name_person_uid"]) for p in parties] == [
        ("defendant", "", "")
    ]
    citations = list(csv.DictReader(io.StringIO((out / "citations.csv").read_text())))
    assert len(citations) == 1  # the public source on the public event
    document = run("export", "json").stdout
    for secret in ("SECRET", "Hidden Person", "Judge Hidden"):
        assert secret not in document
    # and the filtered export is itself a valid import
    copy = fresh_db
    run("--db", str(copy), "import", "csv", str(out))
    assert [p["name"] for p in run_json("--db", str(copy), "list", "people")] == [
        "Open Person",
        "Third Person",
    ]


def test_include_private_writes_everything(run, tmp_path: Path, private_world) -> None:
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out), "--include-private")
    text = _exported_text(out)
    for secret in (
        "SECRETNOTE",
        "SECRETALIAS",
        "SECRETCOURT",
        "SECRETSOURCE",
        "SECRETEVENT",
        "SECRETOWNEVENT",
        "SECRETRELATION",
        "Judge Hidden",
    ):
        assert secret in text


# -- import ------------------------------------------------------------------------


@pytest.fixture
def exported(run, tmp_path: Path) -> Path:
    run("init", "--sample")
    out = tmp_path / "exported"
    run("export", "csv", "--out", str(out))
    return out


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _first_uid(path: Path) -> str:
    return _rows(path)[1][0]


def _edit_csv(path: Path, line: int, column: str, value: str) -> None:
    rows = _rows(path)
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_import_updates_by_uid(run, run_json, exported: Path) -> None:
    _edit_csv(exported / "people.csv", 3, "note", "corrected note")
    report = run_json("import", "csv", str(exported))
    people = [t for t in report["tables"] if t["table"] == "people"][0]
    # only the row whose note changed is updated; the others are left as they were
    assert people == {
        "table": "people",
        "added": 0,
        "updated": 1,
        "unchanged": sample_rows("people") - 1,
        "kept_private": 0,
    }
    assert run_json("show", "Tilek Tabarikuly")["person"]["note"] == "corrected note"


@pytest.mark.sqlite_only("compares the file's bytes")
def test_dry_run_counts_and_changes_nothing(run, run_json, exported: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    run("--db", str(copy), "add", "person", "Someone Else")
    before = (copy).read_bytes()
    report = run_json("--db", str(copy), "import", "csv", str(exported), "--dry-run")
    assert report["dry_run"] is True
    assert {t["table"]: t["added"] for t in report["tables"]}["events"] == sample_rows("events")
    assert copy.read_bytes() == before
    assert (
        "nothing was changed"
        in run("--db", str(copy), "import", "csv", str(exported), "--dry-run").stdout
    )


def test_import_accepts_any_column_order_and_a_bom(
    run, run_json, exported: Path, fresh_db: str
) -> None:
    path = exported / "people.csv"
    rows = _rows(path)
    reordered = [list(reversed(row)) for row in rows]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(reordered)
    copy = fresh_db
    run("--db", str(copy), "import", "csv", str(exported))
    assert len(run_json("--db", str(copy), "list", "people")) == sample_rows("people")


def _break(folder: Path, name: str, content: bytes) -> None:
    (folder / name).write_bytes(content)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: _edit_csv(f / "events.csv", 4, "date", "2019-02-30"), "events.csv, line 4"),
        (lambda f: _edit_csv(f / "events.csv", 2, "kind", "party"), "border-crossing"),
        (
            lambda f: _edit_csv(f / "rulings.csv", 3, "person_uid", "no-such-uid"),
            "rulings.csv, line 3: person_uid no-such-uid",
        ),
        (
            lambda f: _edit_csv(f / "rulings.csv", 2, "appeal_of_uid", "nowhere"),
            "rulings.csv, line 2: appeal_of_uid nowhere",
        ),
        (
            lambda f: _edit_csv(f / "sources.csv", 3, "uid", _first_uid(f / "sources.csv")),
            "sources.csv, line 3: uid",
        ),
        (
            lambda f: (f / "people.csv").write_text((f / "people.csv").read_text() + "x,y\n"),
            f"people.csv, line {sample_rows('people') + 2}: 2 cells",
        ),
        (
            lambda f: _break(f, "people.csv", "uid,name\nu1,Ay\xe1n\n".encode("latin-1")),
            "people.csv: not UTF-8",
        ),
        (lambda f: _break(f, "people.csv", b""), "people.csv: the file is empty"),
        (
            lambda f: _break(f, "rulings.csv", b"uid,person_uid,date\nr1,u1,2019\n"),
            "rulings.csv, line 1: missing column(s) outcome",
        ),
        (
            lambda f: _break(f, "people.csv", b"uid,name,favourite_colour\nu1,A,red\n"),
            "people.csv, line 1: unknown column(s) favourite_colour",
        ),
        (lambda f: _break(f, "peopel.csv", b"uid,name\n"), "peopel.csv: not a cases table"),
        (lambda f: _edit_csv(f / "people.csv", 2, "name", ""), "people.csv, line 2: name"),
        (
            lambda f: _break(f, "trials.csv", b"uid,place,opened\nt1,Town,2019-13\n"),
            "trials.csv, line 2: cannot read date '2019-13'",
        ),
        (lambda f: _edit_csv(f / "sources.csv", 2, "reliability", "9"), "sources.csv, line 2"),
        (
            lambda f: _edit_csv(f / "citations.csv", 5, "record_uid", "ghost"),
            "citations.csv: record_uid ghost",
        ),
        (lambda f: _edit_csv(f / "people.csv", 2, "private", "maybe"), "private must be 0 or 1"),
        (lambda f: _edit_csv(f / "sources.csv", 2, "uid", "=HYPERLINK(1)"), "is not a uid"),
        # a newline inside a quoted uid, which a one-regex-per-chunk check must see
        (lambda f: _edit_csv(f / "sources.csv", 3, "uid", "ab\ncd"), "is not a uid"),
        (
            lambda f: _edit_csv(f / "citations.csv", 3, "source_uid", "ghost-source"),
            "citations.csv, line 3: source_uid ghost-source names no record",
        ),
        (
            lambda f: _edit_csv(f / "events.csv", 2, "trial_uid", "ghost-trial"),
            "events.csv, line 2: trial_uid ghost-trial names no record",
        ),
    ],
)
def test_refused_imports_name_file_and_line_and_change_nothing(
    run, fails_cleanly, exported: Path, change, expected: str
) -> None:
    run("add", "person", "Already Here")
    change(exported)
    line = fails_cleanly("import", "csv", str(exported))
    assert expected in line, line


def test_import_of_a_missing_or_empty_folder(fails_cleanly, run, tmp_path: Path) -> None:
    assert "not a folder" in fails_cleanly("import", "csv", str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    assert "no cases CSV files" in fails_cleanly("import", "csv", str(tmp_path / "empty"))


def test_export_refuses_a_file_as_folder(run, fails_cleanly, tmp_path: Path) -> None:
    run("add", "person", "Ayan Test")
    target = tmp_path / "file.txt"
    target.write_text("keep")
    assert "not a folder" in fails_cleanly("export", "csv", "--out", str(target))
    assert target.read_text() == "keep"


def test_appeal_links_within_one_file_survive(run, run_json, tmp_path: Path, fresh_db: str) -> None:
    run("add", "person", "Ayan Test")
    run("add", "ruling", "P1", "--date", "2019", "--outcome", "convicted")
    run("add", "ruling", "P1", "--date", "2020", "--outcome", "acquitted", "--appeal-of", "R1")
    out = tmp_path / "out"
    run("export", "csv", "--out", str(out))
    copy = fresh_db
    run("--db", str(copy), "import", "csv", str(out))
    assert run_json("--db", str(copy), "list", "rulings")[1]["appeal_of_ref"] == "R1"


def test_a_public_export_imports_back_and_withholds_nothing_it_left_out(
    run, run_json, tmp_path: Path, fresh_db: str
) -> None:
    """Issue 25, failure 4: the links and texts the privacy filter empties are
    kept as they are by an import of that export, and the export imports into
    an empty database (a trial whose private court was withheld)."""
    run("add", "org", "Secret Court", "--kind", "court", "--private")
    run("add", "org", "Hidden Parent", "--private")
    run("add", "org", "Open Branch", "--part-of", "O2")
    run("add", "person", "Ayan Test")
    run("add", "person", "Aigul Secretjudge", "--private")
    run("add", "trial", "P1", "--court", "Secret Court", "--judge", "Aigul Secretjudge")
    run(
        "add", "ruling", "P1", "--date", "2019", "--outcome", "convicted", "--court", "Secret Court"
    )
    run("add", "asylum", "P1", "--date", "2019", "--decision", "applied", "--authority", "O1")
    run("add", "source", "Private notes", "--private", "--url", "https://example.org/notes")
    run(
        "add",
        "source",
        "Relay",
        "--relays",
        "S1",
        "--author",
        "Aigul Secretjudge",
        "--author",
        "An Author",
    )
    before = tmp_path / "before"
    run("export", "csv", "--out", str(before), "--include-private")
    public = tmp_path / "public"
    run("export", "csv", "--out", str(public))
    assert json.loads((public / "cases-export.json").read_text())["public"] is True
    assert "Secret" not in "".join(p.read_text() for p in public.glob("*.csv"))
    report = run_json("import", "csv", str(public))
    assert all(table["updated"] == 0 for table in report["tables"]), report
    after = tmp_path / "after"
    run("export", "csv", "--out", str(after), "--include-private")
    for path in sorted(before.glob("*.csv")):
        assert (after / path.name).read_text() == path.read_text(), path.name
    # and into an empty database, as anyone it is shared with would
    fresh = fresh_db
    run("--db", str(fresh), "import", "csv", str(public))
    again = tmp_path / "again"
    run("--db", str(fresh), "export", "csv", "--out", str(again))
    for path in sorted(public.glob("*.csv")):
        assert (again / path.name).read_text() == path.read_text(), path.name


def test_an_unchanged_reimport_uses_no_reference_and_counts_truthfully(
    run, run_json, sample, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    run("export", "csv", "--out", str(folder))
    report = run_json("import", "csv", str(folder))
    assert all(t["added"] == 0 and t["updated"] == 0 for t in report["tables"])
    citations = next(t for t in report["tables"] if t["table"] == "citations")
    assert citations["unchanged"] == sample_rows("citations")
    added = run_json("add", "person", "Next Person")
    assert added["ref"] == f"P{sample_rows('people') + 1}"
