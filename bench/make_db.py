"""Build a realistic synthetic cases database through the project's own import path.

    python bench/make_db.py PATH --people N [--seed S] [--keep-csv DIR]

Names come in several scripts and spellings; trials have one to three
defendants; people have rulings, asylum histories, open and closed detentions,
events, relations, sources and citations; about 2% of people are private.
About ten records per person, plus their citations. Uids are time-ordered
UUID7s, as cases makes them, in the order the records are generated.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cases.catalogue import TABLES  # noqa: E402
from cases.csv_io import write_csv  # noqa: E402
from cases.dates import date_columns  # noqa: E402
from cases.db import Store  # noqa: E402
from cases.service.importing import import_folder  # noqa: E402
from cases.uids import uuid7  # noqa: E402

LATIN = [
    "sa",
    "ra",
    "gul",
    "ai",
    "bek",
    "nur",
    "zhan",
    "kair",
    "tal",
    "er",
    "lan",
    "mu",
    "qa",
    "sim",
    "den",
    "ot",
    "khan",
    "bol",
    "at",
    "ul",
    "ly",
    "ser",
    "ik",
    "as",
]
CYRILLIC = [
    "са",
    "ра",
    "гүл",
    "ай",
    "бек",
    "нұр",
    "жан",
    "қайыр",
    "тал",
    "ер",
    "лан",
    "мұ",
    "қа",
    "сым",
    "ден",
    "от",
    "хан",
    "бол",
    "ат",
    "ұл",
    "лы",
    "сер",
    "ік",
    "ас",
]
# the records are made as if from 2024-01-01 on, in the order they are generated
CREATED_FROM_MS = 1_704_067_200_000
PLACES = ["Almaty", "Zharkent", "Zaisan", "Astana", "Urumqi", "Ghulja", "Tacheng", "Altay"]
WORDS = [
    "border",
    "camp",
    "testimony",
    "hearing",
    "court",
    "family",
    "documents",
    "release",
    "petition",
    "statement",
    "asylum",
    "appeal",
    "police",
    "migration",
    "custody",
]


def _word(rng: random.Random, syllables: list[str]) -> str:
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()


def _name(rng: random.Random) -> str:
    syllables = CYRILLIC if rng.random() < 0.2 else LATIN
    return f"{_word(rng, syllables)} {_word(rng, syllables)}"


def _variant(name: str) -> str:
    return name.replace("q", "k").replace("zh", "j").replace("y", "i").replace("kh", "h") + "a"


def _date(rng: random.Random, precision: float = 0.7) -> str:
    year = rng.randint(2015, 2023)
    month = rng.randint(1, 12)
    roll = rng.random()
    if roll < precision:
        return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"
    if roll < precision + 0.15:
        return f"{year}-{month:02d}"
    if roll < precision + 0.2:
        return f"{year}-{month:02d}~"
    if roll < precision + 0.25:
        return f"../{year}-{month:02d}"
    return str(year)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def generate(folder: Path, people: int, seed: int) -> dict[str, int]:
    """Write TABLE.csv files for PEOPLE people into FOLDER; return row counts."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, object]]] = {table.name: [] for table in TABLES}

    made = itertools.count(CREATED_FROM_MS << 12)

    def uid() -> str:
        # as cases makes them (time-ordered UUID7), but from the seed: one step apart
        stamp = next(made)
        return uuid7(stamp >> 12, stamp, rng.getrandbits(62))

    def add(table: str, **values: object) -> str:
        values.setdefault("uid", uid())
        values.setdefault("private", 0)
        for field in [k for k, v in values.items() if k.endswith("_date_text")]:
            values.update(date_columns(field.removesuffix("_date_text"), str(values.pop(field))))
        rows[table].append(values)
        return str(values["uid"])

    def cite(record_uid: str) -> None:
        for source_uid in rng.sample(sources, rng.randint(1, 2)):
            add("citations", record_uid=record_uid, source_uid=source_uid)

    sources = [
        add(
            "sources",
            title=f"Report {i}: {_text(rng, 4)}",
            publisher=rng.choice(["RFE/RL", "The Times of Central Asia", "Witness testimony"]),
            date_date_text=_date(rng),
            reliability=rng.randint(0, 4),
        )
        for i in range(max(people // 10, 2))
    ]
    person_uids = []
    for _ in range(people):
        name = _name(rng)
        private = 1 if rng.random() < 0.02 else 0
        person = add(
            "people",
            name=name,
            sex=rng.choice(["female", "male"]),
            born_date_text=str(rng.randint(1950, 2000)),
            ethnicity="Kazakh",
            origin=rng.choice(PLACES),
            note=_text(rng, 6),
            private=private,
        )
        person_uids.append(person)
        cite(person)
        if rng.random() < 0.5:
            add("aliases", person_uid=person, name=_variant(name), private=private)
        if rng.random() < 0.5:
            add(
                "asylum",
                person_uid=person,
                date_date_text=_date(rng),
                decision=rng.choice(
                    ["applied", "asylum-seeker-status", "extended", "granted", "denied"]
                ),
                country=rng.choice(["Kazakhstan", "Sweden", "Turkey"]),
                private=private,
            )
        start = _date(rng, 0.9)
        end = None if rng.random() < 0.3 else _date(rng, 0.9)
        if end is not None and date_columns("e", end)["e_latest"] < (
            date_columns("s", start)["s_earliest"] or ""
        ):
            start, end = end, start
        detention = add(
            "detentions",
            person_uid=person,
            start_date_text=start,
            **({"end_date_text": end} if end else {}),
            kind=rng.choice(["pretrial", "police-custody", "camp", "prison"]),
            place=rng.choice(PLACES),
            private=private,
        )
        cite(detention)
        for _ in range(3):
            event = add(
                "events",
                person_uid=person,
                date_date_text=_date(rng),
                kind=rng.choice(
                    ["border-crossing", "arrest", "release", "hearing", "testimony", "statement"]
                ),
                place=rng.choice(PLACES),
                summary=_text(rng, 8),
                private=private,
            )
            cite(event)
    for index in range(0, people - 3, 2):
        defendants = person_uids[index : index + rng.randint(1, 3)]
        trial = add(
            "trials",
            court=f"{rng.choice(PLACES)} court",
            place=rng.choice(PLACES),
            charge="illegal border crossing",
            opened_date_text=_date(rng),
            status=rng.choice(["ongoing", "decided"]),
        )
        cite(trial)
        for defendant in defendants:
            add("trial_parties", trial_uid=trial, person_uid=defendant, role="defendant")
            ruling = add(
                "rulings",
                person_uid=defendant,
                trial_uid=trial,
                date_date_text=_date(rng),
                outcome=rng.choice(["convicted", "acquitted", "dismissed"]),
                sentence_kinds=rng.choice(["prison", "suspended", "fine", "fine,probation"]),
                months=rng.randint(0, 60),
                deportation=rng.choice(["ordered", "refused", None]),
            )
            cite(ruling)
    for _ in range(people // 5):
        first, second = rng.sample(person_uids, 2)
        add(
            "relations",
            person_uid=first,
            other_uid=second,
            kind=rng.choice(["parent", "sibling", "spouse", "lawyer"]),
        )
    counts = {}
    for table in TABLES:
        header = table.csv_columns
        counts[table.name] = write_csv(
            folder / f"{table.name}.csv",
            header,
            ([row.get(column) for column in header] for row in rows[table.name]),
        )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-csv", type=Path, help="also keep the generated CSV folder here")
    options = parser.parse_args()
    if options.path.exists():
        parser.error(f"{options.path} exists; choose a new path")
    folder = Path(tempfile.mkdtemp(prefix="cases-bench-"))
    try:
        started = time.perf_counter()
        counts = generate(folder, options.people, options.seed)
        generated = time.perf_counter() - started
        store = Store.open(options.path, write=True)
        started = time.perf_counter()
        import_folder(store, folder)
        imported = time.perf_counter() - started
        store.close()
        total = sum(counts.values())
        print(
            f"{options.path}: {options.people} people, {total} rows "
            f"(generated in {generated:.1f} s, imported in {imported:.1f} s, "
            f"{total / imported:,.0f} rows/s)"
        )
        if options.keep_csv:
            shutil.copytree(folder, options.keep_csv)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    csv.field_size_limit(1 << 24)
    main()
