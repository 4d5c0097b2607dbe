"""`cases dupes`: pairs from blocks of names, best first, --limit and --min-score."""

from __future__ import annotations

import csv
import json
import os
import pty
import random
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

# Spellings of the sample's people and organisations that a report could use.
SAMPLE_VARIANTS = [
    ("person", "Сайрагүл Сауытбай", "--sex", "female"),
    ("person", "Kaisha Akan", "--origin", "Xinjiang, China"),
    ("person", "Serikjan Bilash"),
    ("org", "Atajurt Volunteers", "--kind", "ngo"),
    ("person", "Sayragul Sauytbayeva"),
]


def pairs_of(found: list[dict]) -> list[tuple[str, str]]:
    return [(p["ref"], p["other_ref"]) for p in found]


def listed_order(pair: dict[str, Any]) -> tuple[Any, ...]:
    """How dupes orders pairs: best score first, then organisations before
    people, then by the numbers of their references."""
    return (-pair["score"], pair["ref"][0], int(pair["ref"][1:]), int(pair["other_ref"][1:]))


def names_score(pair: dict) -> int:
    """How alike the names of a pair are, from its first reason."""
    first = pair["reasons"][0]
    return 100 if first == "same name key" else int(first.split()[1].rstrip("%"))


def import_people(run, folder: Path, people: list[dict[str, str]]) -> None:
    """Add PEOPLE ({name, born, origin}) in one `cases import csv`."""
    folder.mkdir()
    with (folder / "people.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["uid", "name", "born", "origin"])
        writer.writeheader()
        for person in people:
            writer.writerow({"uid": str(uuid.uuid4()), **person})
    run("import", "csv", str(folder))


def given_names(count: int, seed: int = 5) -> list[str]:
    """COUNT different made-up given names, none of them Sairagul."""
    rng = random.Random(seed)
    syllables = ["ai", "ge", "rim", "nur", "lan", "da", "mi", "ra", "bek", "sul", "tan", "ar"]
    names: set[str] = set()
    while len(names) < count:
        name = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()
        if not name.startswith("Sa"):
            names.add(name)
    return sorted(names)


def test_the_sample_has_no_pair_and_its_spelling_variants_come_first(run, run_json, sample) -> None:
    assert run_json("dupes") == []
    for variant in SAMPLE_VARIANTS:
        run("add", *variant)
    found = run_json("dupes")
    # the same names in other spellings or scripts first, the closest, with its reasons
    assert pairs_of(found) == [
        ("P3", "P19"),  # Qaisha Aqan, Kaisha Akan: same name key, same origin
        ("O3", "O16"),  # Atazhurt Volunteers, Atajurt Volunteers
        ("P6", "P18"),  # Sairagul Sauytbay, Сайрагүл Сауытбай
        ("P8", "P20"),  # Serikzhan Bilash, Serikjan Bilash
        ("P6", "P21"),  # Sauytbayeva is compared: a word starting alike (sauit...)
        ("P18", "P21"),  # (equal scores in the order of their references' numbers)
    ]
    assert found[0]["reasons"] == ["same name key", "same origin"]
    assert found[0]["score"] == 103
    assert (found[0]["name"], found[0]["other_name"]) == ("Qaisha Aqan", "Kaisha Akan")
    # a female surname form (-eva) is folded to its root before names are compared
    assert found[-1]["reasons"] == ["names 97% alike"]
    assert set(found[0]) == {
        "ref",
        "uid",
        "name",
        "other_ref",
        "other_uid",
        "other_name",
        "score",
        "reasons",
    }
    assert run_json("dupes", "--limit", "2") == found[:2]
    assert "Serikjan Bilash" in run("dupes").stdout


def test_limit_and_min_score(run, run_json, tmp_path: Path) -> None:
    people = [{"name": f"{given} Sauytbay", "born": "1970"} for given in given_names(40)]
    import_people(run, tmp_path / "in", people)
    everything = run_json("dupes")
    assert len(everything) > 30
    scores = [p["score"] for p in everything]
    assert scores == sorted(scores, reverse=True)
    for count in (1, 7, 30):
        assert run_json("dupes", "--limit", str(count)) == everything[:count]
    close = run_json("dupes", "--min-score", "95")
    assert close and len(close) < len(everything)
    assert all(p["score"] >= 95 for p in close)
    assert all(p in everything for p in close)
    # the names' score counts, not the bonuses: 93% alike + the same birth year is out
    assert all(names_score(p) >= 95 for p in close)
    loose = run_json("dupes", "--min-score", "60.5")
    assert len(loose) > len(everything) and all(p["score"] >= 60.5 for p in loose)
    assert run_json("dupes", "--min-score", "60.5", "--limit", "3") == loose[:3]


def test_bonuses_may_lift_a_pair_above_closer_names(
    run, run_json, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(8)
    people = [
        {
            "name": f"{given} Sauytbay",
            "born": str(rng.randint(1970, 1972)),
            "origin": rng.choice(["Xinjiang", "Almaty", ""]),
        }
        for given in given_names(60)
    ]
    import_people(run, tmp_path / "in", people)
    everything = run_json("dupes")
    assert everything == sorted(everything, key=listed_order)
    alike = [names_score(p) for p in everything]
    assert alike != sorted(alike, reverse=True)  # the bonuses changed the order
    # bonuses read two pairs at a time: the same pairs, in the same order
    monkeypatch.setattr("cases.service.dupes.DUPES_BATCH", 2)
    assert run_json("dupes") == everything
    for count in (1, 4, 25):
        assert run_json("dupes", "--limit", str(count)) == everything[:count]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--limit", "0"), ("--limit 0", "1 or more")),
        (("--limit", "-3"), ("--limit -3", "1 or more")),
        (("--limit", "many"), ("--limit", "whole number", "'many'")),
        (("--min-score", "101"), ("--min-score 101", "between 0 and 100")),
        (("--min-score", "-0.5"), ("--min-score -0.5", "between 0 and 100")),
        (("--min-score", "high"), ("--min-score", "0 to 100", "'high'")),
    ],
)
def test_bad_limits_are_user_errors(run, fails_cleanly, args, words) -> None:
    run("add", "person", "Qaisha Aqan")
    run("add", "person", "Kaisha Akan")
    message = fails_cleanly("dupes", *args)
    assert all(word in message for word in words), message


def test_organisations_are_proposed_and_unnamed_people_never(run, run_json) -> None:
    run("add", "org", "Atazhurt Volunteers", "--kind", "ngo")
    run("add", "org", "Atajurt Volunteers", "--kind", "ngo")
    run("add", "org", "court in Zharkent", "--kind", "court")
    run("add", "org", "court in Almaty", "--kind", "court")
    run("add", "person", "--unnamed", "Qaisha Aqan's mother")
    run("add", "person", "--unnamed", "Qaisha Aqan's mother")
    run("add", "person", "Qaisha Aqan")
    found = run_json("dupes")
    assert pairs_of(found) == [("O1", "O2")]
    assert found[0]["reasons"] == ["same name key"]


def test_a_common_surname_still_gives_the_right_best_pair(run, run_json, tmp_path: Path) -> None:
    # 300 people share a surname (one block), born in many years, origin unknown
    rng = random.Random(3)
    people = [
        {"name": f"{given} Sauytbay", "born": str(rng.randint(1950, 2000))}
        for given in given_names(300)
    ]
    people[150:150] = [{"name": "Sairagul Sauytbay", "born": "1976", "origin": "Xinjiang"}]
    people.append({"name": "Сайрагуль Сауытбай", "born": "1976-05", "origin": "Xinjiang"})
    import_people(run, tmp_path / "in", people)
    everything = run_json("dupes")
    assert len(everything) > 100  # a common surname makes many similar names
    best = everything[0]
    assert (best["name"], best["other_name"]) == ("Sairagul Sauytbay", "Сайрагуль Сауытбай")
    assert best["reasons"] == ["same name key", "same birth year", "same origin"]
    assert best["score"] == 108
    assert best["score"] > everything[1]["score"]
    assert run_json("dupes", "--limit", "1") == [best]
    assert run_json("dupes", "--limit", "40") == everything[:40]


def test_a_block_too_large_is_split_and_the_pair_still_found(
    run, run_json, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # blocks of at most 20 names: "sauit..." (a prefix) is split down to the
    # whole word, then by the first letters of the other words
    monkeypatch.setattr("cases.service.dupes.DUPES_BLOCK_LIMIT", 20)
    people = [{"name": f"{given} Sauytbay"} for given in given_names(60)]
    people += [
        {"name": "Sairagul Sauytbay", "born": "1976"},
        {"name": "Sayragul Sauytbay", "born": "1976"},
        # other words alike only in their first letters: found in the split
        {"name": "Baurzhan Sauytbay"},
        {"name": "Bauyrzhan Sauytbay"},
        # one word: compared with the whole block
        {"name": "Sauytbay"},
        {"name": "A. Sauytbay"},
        # a word beginning alike (another block)
        {"name": "Sauytbayeva Dinara"},
        {"name": "Sauytbayev Dinara"},
    ]
    import_people(run, tmp_path / "in", people)
    found = run_json("dupes")
    names = [{p["name"], p["other_name"]} for p in found]
    assert names[0] == {"Sairagul Sauytbay", "Sayragul Sauytbay"}
    for pair in (
        {"Baurzhan Sauytbay", "Bauyrzhan Sauytbay"},
        {"Sauytbay", "A. Sauytbay"},
        {"Sauytbayeva Dinara", "Sauytbayev Dinara"},
    ):
        assert pair in names
    assert run_json("dupes", "--limit", "3") == found[:3]


def test_at_most_50_pairs_on_a_terminal_unless_told(run, database: Path, tmp_path: Path) -> None:
    # 12 people of the same name: 66 pairs
    import_people(
        run, tmp_path / "in", [{"name": "Qaisha Aqan"}] * 6 + [{"name": "Kaisha Akan"}] * 6
    )
    assert len(json.loads(run("dupes", "--json").stdout)) == 66  # not a terminal: all

    def on_a_terminal(*args: str) -> list[dict]:
        main, terminal = pty.openpty()
        env = {**os.environ, "NO_PAGER": "1", "CASES_PAGER": "cat", "COLUMNS": "100"}
        # the test's database, a file or a team database, from CASES_DB
        command = [sys.executable, "-m", "cases", "dupes", "--json"]
        with subprocess.Popen([*command, *args], stdout=terminal, env=env) as process:
            os.close(terminal)
            output = b""
            while True:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the terminal closed
                    break
                if not chunk:
                    break
                output += chunk
        os.close(main)
        assert process.returncode == 0
        return json.loads(output.decode())

    assert len(on_a_terminal()) == 50
    assert len(on_a_terminal("--limit", "60")) == 60
    assert "50 on a terminal" in " ".join(run("dupes", "--help").stdout.split())


KAZAKH_AND_RUSSIAN_FORMS = [
    ("Malik Bashagar", "Bagashar Malikuly"),  # another order, "son of Malik"
    ("Bagashar Malikuly", "Маликов Багашар"),  # the Russian surname form, in Cyrillic
    ("Gulnar Omirbekova", "Gulnar Omirbekqyzy"),  # "daughter of Omirbek"
    ("Qaster Musakhanuly", "Kaster Musakanuly"),  # a close spelling
]


@pytest.mark.parametrize("recorded, added", KAZAKH_AND_RUSSIAN_FORMS)
def test_kazakh_and_russian_name_forms_are_warned_of_and_paired(
    run, run_json, sample, recorded: str, added: str
) -> None:
    first = run_json("add", "person", recorded)["ref"]
    result = run("add", "person", added)
    second = result.stdout.split()[0]
    # the new name is recorded, and the user is told who it may be
    assert second.startswith("P") and first in result.stderr.splitlines()[0]
    again = run_json("add", "person", added)["possible_duplicates"]
    assert again[0] == second and first in again  # the same key first, then names alike
    pairs = {(p["ref"], p["other_ref"]) for p in run_json("dupes")}  # the default floor
    assert (first, second) in pairs


def test_different_names_are_not_warned_of(run, sample) -> None:
    result = run("add", "person", "Totally Different")
    assert result.stderr == ""


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_first_pairs_of_common_names_are_the_first_of_all_pairs(
    run, run_json, tmp_path: Path, seed: int
) -> None:
    """Names as common as real ones: many people under one name key or form,
    some sharing a birth year, an origin, a trial or a source. However the
    first LIMIT pairs are found, they are the first LIMIT of all pairs."""
    rng = random.Random(seed)
    given = ["Nurlan", "Aigul", "Serik", "Asel", "Marat"]
    fathers = ["Nurlan", "Serik", "Malik", "Askar"]
    people = []
    for _ in range(60):
        father = rng.choice(fathers)
        surname = rng.choice([f"{father}uly", f"{father}ov", f"{father}bayev"])
        first = rng.choice(given)
        people.append(
            {
                "name": rng.choice([f"{first} {surname}", f"{surname} {first}"]),
                "born": rng.choice(["1980", "1981", "1982", ""]),
                "origin": rng.choice(["Almaty", "Zaisan", ""]),
            }
        )
    import_people(run, tmp_path / "in", people)
    run("add", "source", "A report")
    for _ in range(8):
        one, other = rng.sample(range(1, 61), 2)
        run("add", "trial", f"P{one}", f"P{other}", "--court", "Zaisan court")
        run("cite", f"P{rng.randint(1, 60)}", "--source", "S1")
    everything = run_json("dupes")
    assert everything == sorted(everything, key=listed_order)
    assert len(everything) > 60
    for count in (1, 7, 30, 60):
        assert run_json("dupes", "--limit", str(count)) == everything[:count], count


_GIVEN = ["Nurlan", "Aigul", "Serik", "Qaisha", "Kaisha", "Серик"]
_FATHERS = ["Nurlan", "Serik", "Malik", "Malikbay"]


@settings(max_examples=12, deadline=None)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from(_GIVEN),
            st.sampled_from(_FATHERS),
            st.sampled_from(["uly", "ov", "ova", "kyzy", ""]),
            st.booleans(),  # surname first
            st.sampled_from(["", "1980", "1981"]),
            st.sampled_from(["", "Almaty", "almaty", "Zaisan"]),
            st.booleans(),  # an alias in another spelling
        ),
        min_size=2,
        max_size=25,
    ),
    orgs=st.lists(st.sampled_from(["Atazhurt", "Atajurt", "Nagyz Atazhurt"]), max_size=4),
    trials=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), max_size=6),
    cited=st.lists(st.integers(0, 24), max_size=8),
    floor=st.sampled_from([0.0, 60.0, 80.0, 99.5]),
)
def test_the_first_pairs_are_the_first_of_all_pairs_whatever_the_names(
    people, orgs, trials, cited, floor
) -> None:
    """Hypothesis: with any names (shared keys and forms, names alike, aliases,
    organisations), birth years, origins, trials and sources, `dupes --limit N`
    gives the first N of what `dupes` gives, whatever the floor."""
    import tempfile

    from cases.db import Store
    from cases.service.dupes import dupes
    from cases.service.importing import import_folder

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        person_uids = [str(uuid.uuid4()) for _ in people]
        with (root / "people.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["uid", "name", "born", "origin"])
            for uid, (first, father, ending, flipped, born, origin, _) in zip(
                person_uids, people, strict=True
            ):
                surname = father + ending
                name = f"{surname} {first}" if flipped else f"{first} {surname}"
                writer.writerow([uid, name, born, origin])
        with (root / "aliases.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["uid", "person_uid", "name"])
            for uid, (first, father, _, _, _, _, alias) in zip(person_uids, people, strict=True):
                if alias:
                    writer.writerow(
                        [str(uuid.uuid4()), uid, f"{first.replace('q', 'k')} {father}ov"]
                    )
        with (root / "organisations.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["uid", "name", "kind"])
            for name in orgs:
                writer.writerow([str(uuid.uuid4()), name, "ngo"])
        trial_uids = [str(uuid.uuid4()) for _ in trials]
        with (root / "trials.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["uid", "court"])
            for uid in trial_uids:
                writer.writerow([uid, "Zaisan court"])
        with (root / "trial_parties.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["uid", "trial_uid", "person_uid", "role"])
            for uid, pair in zip(trial_uids, trials, strict=True):
                for index in sorted({i % len(people) for i in pair}):
                    writer.writerow([str(uuid.uuid4()), uid, person_uids[index], "defendant"])
        source = str(uuid.uuid4())
        with (root / "sources.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["uid", "title"], [source, "A report"]])
        with (root / "citations.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["uid", "record_uid", "source_uid"])
            for index in sorted({i % len(people) for i in cited}):
                writer.writerow([str(uuid.uuid4()), person_uids[index], source])
        store = Store.open(root / "cases.db", write=True)
        try:
            import_folder(store, root)
            everything = list(dupes(store, min_score=floor))
            assert everything == sorted(everything, key=listed_order)
            for count in {1, 3, 10, len(everything) or 1}:
                assert list(dupes(store, limit=count, min_score=floor)) == everything[:count]
        finally:
            store.close()
