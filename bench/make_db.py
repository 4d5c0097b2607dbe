"""Build a realistic synthetic cases database through the project's own import path.

    python bench/make_db.py PATH --people N [--seed S] [--keep-csv DIR]

Names are as common as real ones: Zipf-ranked Kazakh given names, patronymic
surnames (Malikuly, Malikov, Malikbayev) from the same names, now and then the
surname first or in Cyrillic, and aliases in another spelling, form or order.
Trials have one to three defendants, a court (mostly a recorded one) and often a
judge and a prosecutor named from a few hundred; people have rulings, asylum
histories, open and closed detentions, events with others taking part,
relations, sources and citations; there are courts, police, NGOs and groups
(some of them held); about 2% of people are private.
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

# Given names as common as they are among Kazakhs (a few shared by thousands
# of people, then a long tail), drawn by rank with Zipf's law; surnames are
# patronymic forms of a father's name (Malikuly, Malikov, Malikbayev), so that
# the same few words recur across names the way they do in real reports.
MALE = [
    "Nurlan",
    "Serik",
    "Askar",
    "Bolat",
    "Yerlan",
    "Marat",
    "Daniyar",
    "Aibek",
    "Arman",
    "Azamat",
    "Baurzhan",
    "Dauren",
    "Erzhan",
    "Galym",
    "Kairat",
    "Madi",
    "Murat",
    "Nurzhan",
    "Olzhas",
    "Rustam",
    "Saken",
    "Talgat",
    "Timur",
    "Yerbol",
    "Zhandos",
    "Almas",
    "Askhat",
    "Berik",
    "Dias",
    "Ermek",
    "Kanat",
    "Meirzhan",
    "Ruslan",
    "Sanzhar",
    "Samat",
    "Tilek",
    "Qaster",
    "Murager",
    "Serikzhan",
    "Bagashar",
    "Malik",
    "Kaisar",
    "Zharkyn",
    "Aidos",
    "Bakhyt",
    "Dulat",
    "Gani",
    "Islam",
    "Amanzhol",
    "Oralbek",
    "Qabylbek",
    "Quanysh",
    "Zhenis",
    "Qairat",
    "Ersin",
    "Beibit",
    "Daulet",
    "Asylbek",
    "Abzal",
    "Kuanysh",
    "Nurbol",
    "Adil",
    "Alibek",
]
FEMALE = [
    "Aigul",
    "Ainur",
    "Aizhan",
    "Akmaral",
    "Aliya",
    "Asel",
    "Aruzhan",
    "Dana",
    "Dinara",
    "Gulnara",
    "Gulmira",
    "Zhanar",
    "Kamila",
    "Karlygash",
    "Madina",
    "Saule",
    "Sairagul",
    "Qaisha",
    "Raushan",
    "Symbat",
    "Togzhan",
    "Zhuldyz",
    "Zarina",
    "Laura",
    "Meruyert",
    "Nazira",
    "Botagoz",
    "Aigerim",
    "Ayana",
    "Dariga",
    "Gulbahar",
    "Anar",
    "Bibigul",
    "Gaukhar",
    "Zhibek",
    "Saltanat",
    "Ardak",
    "Kulpash",
    "Aliman",
    "Nurgul",
]
SYLLABLES = [
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
    "ser",
    "ik",
    "as",
]
# Latin letters as Kazakh Cyrillic writes them, longest first (a name in either
# script folds to one key)
CYRILLIC = (
    ("zh", "ж"), ("kh", "х"), ("sh", "ш"), ("ch", "ч"), ("yu", "ю"), ("ya", "я"),
    ("a", "а"), ("b", "б"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"),
    ("h", "һ"), ("i", "и"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("q", "қ"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("v", "в"), ("y", "ы"), ("z", "з"),
)  # fmt: skip


def _zipf(names: list[str], tail: int, rng: random.Random) -> tuple[list[str], list[float]]:
    """NAMES by rank, then TAIL rarer made-up ones, with Zipf weights (1/rank)."""
    made = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            for _ in range(tail)}  # fmt: skip
    ranked = names + sorted(made - set(names))
    return ranked, list(itertools.accumulate(1 / rank for rank in range(1, len(ranked) + 1)))


def _cyrillic(name: str) -> str:
    text = name.lower()
    for latin, letter in CYRILLIC:
        text = text.replace(latin, letter)
    return " ".join(word.capitalize() for word in text.split())


def _surname(father: str, sex: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return father + ("uly" if sex == "male" else "kyzy")
    soviet = "ev" if father[-1] in "aeiouy" else "ov"
    if roll < 0.8:
        return father + soviet + ("" if sex == "male" else "a")
    if roll < 0.9:
        return father + "bayev" + ("" if sex == "male" else "a")
    return father


class Names:
    """People's names as reports write them: Zipf-common given names, a
    patronymic surname, now and then the surname first or in Cyrillic; and the
    other ways another report writes the same person (an alias)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.male, self.male_weights = _zipf(MALE, 600, rng)
        self.female, self.female_weights = _zipf(FEMALE, 400, rng)

    def given(self, sex: str) -> str:
        names, weights = (
            (self.male, self.male_weights) if sex == "male" else (self.female, self.female_weights)
        )
        return self.rng.choices(names, cum_weights=weights)[0]

    def person(self, sex: str) -> tuple[str, str]:
        """(given name, surname)."""
        return self.given(sex), _surname(self.given("male"), sex, self.rng)

    def written(self, given: str, surname: str) -> str:
        roll = self.rng.random()
        name = f"{surname} {given}" if roll < 0.1 else f"{given} {surname}"
        return _cyrillic(name) if self.rng.random() < 0.15 else name

    def alias(self, given: str, surname: str) -> str:
        """Another report's spelling: letters as another transliteration has
        them, the surname's other form, or the surname first."""
        roll = self.rng.random()
        if roll < 0.4:
            swapped = given.replace("q", "k").replace("Q", "K").replace("zh", "j")
            return f"{swapped} {surname.replace('kh', 'h').replace('y', 'i')}"
        if roll < 0.7:
            for ending in ("uly", "kyzy", "ova", "eva", "ov", "ev"):
                if surname.endswith(ending):
                    stem = surname.removesuffix(ending)
                    other = {"uly": "ov", "kyzy": "ova", "ova": "kyzy", "eva": "kyzy"}
                    return f"{given} {stem}{other.get(ending, 'uly')}"
        return f"{surname} {given}"


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
    names = Names(rng)
    # organisations: courts and police of each place, NGOs, UN bodies, and groups
    # of people a report counts but does not name (one per 50 people)
    courts = {
        place: add("organisations", name=f"{place} District Court", kind="court")
        for place in PLACES
    }
    orgs = list(courts.values())
    orgs += [add("organisations", name=f"{place} police", kind="police") for place in PLACES]
    orgs += [
        add("organisations", name=name, kind=kind)
        for name, kind in (
            ("Atazhurt Volunteers", "ngo"),
            ("Nagyz Atazhurt", "ngo"),
            ("Freedom Now", "ngo"),
            ("Kazakhstan International Bureau for Human Rights", "ngo"),
            ("UN Working Group on Arbitrary Detention", "un-body"),
            ("Migration Service", "migration-authority"),
        )
    ]
    for number in range(people // 50):
        place = rng.choice(PLACES)
        orgs.append(
            add(
                "organisations",
                name=f"Kazakhs from {place} county, group {number + 1}",
                kind="group",
                size=f"~{rng.randint(3, 60)}",
            )
        )
    groups = orgs[len(PLACES) * 2 + 6 :]
    # judges and prosecutors: a few hundred names, named in many trials
    judges = [names.written(*names.person(rng.choice(["female", "male"]))) for _ in range(300)]
    person_uids = []
    for _ in range(people):
        sex = rng.choice(["female", "male"])
        given, surname = names.person(sex)
        name = names.written(given, surname)
        private = 1 if rng.random() < 0.02 else 0
        person = add(
            "people",
            name=name,
            sex=sex,
            born_date_text=str(rng.randint(1950, 2000)),
            ethnicity="Kazakh",
            origin=rng.choice(PLACES),
            note=_text(rng, 6),
            private=private,
        )
        person_uids.append(person)
        cite(person)
        if rng.random() < 0.5:
            add("aliases", person_uid=person, name=names.alias(given, surname), private=private)
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
            if rng.random() < 0.3:  # someone else taking part: a witness, an NGO
                if len(person_uids) > 1 and rng.random() < 0.6:
                    other = {"person_uid": person_uids[rng.randrange(len(person_uids) - 1)]}
                else:
                    other = {"org_uid": rng.choice(orgs)}
                role = rng.choice(["witness", "organizer", "victim", "authority"])
                add("participants", fact_uid=event, role=role, private=private, **other)
        if rng.random() < 0.03:  # a group held
            add(
                "detentions",
                org_uid=rng.choice(groups),
                kind="camp",
                place=rng.choice(PLACES),
                # known by its length, by its start and length, or open since its start
                **rng.choice(
                    [
                        {"duration": "several years"},
                        {"duration": "2-3 years", "start_date_text": _date(rng, 0.2)},
                        {"start_date_text": _date(rng, 0.5)},
                    ]
                ),
            )
    for index in range(0, people - 3, 2):
        defendants = person_uids[index : index + rng.randint(1, 3)]
        place = rng.choice(PLACES)
        court = (
            {"court": f"{place} District Court", "court_org_uid": courts[place]}
            if rng.random() < 0.7
            else {"court": f"{place} court"}
        )
        trial = add(
            "trials",
            **court,
            place=place,
            charge="illegal border crossing",
            opened_date_text=_date(rng),
            status=rng.choice(["ongoing", "decided"]),
        )
        cite(trial)
        for role in ("judge", "prosecutor") if rng.random() < 0.6 else ():
            add("trial_parties", trial_uid=trial, name=rng.choice(judges), role=role)
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
