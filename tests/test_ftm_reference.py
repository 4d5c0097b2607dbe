"""FtM's country and language codes, as ``export ftm`` writes them, are generated
from FollowTheMoney's own lists: this file is the generator and its check.

Run ``python tests/test_ftm_reference.py`` to write src/cases/service/ftm/reference.py
again (after a followthemoney upgrade); the test fails while it is out of date.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest

pytest.importorskip("followthemoney", reason="the FtM lists come from followthemoney")

TARGET = Path(__file__).resolve().parent.parent / "src/cases/service/ftm/reference.py"

# Names people type that FtM's list does not give (its names are the official
# ones): each with the code FtM has for the country.
COMMON_NAMES = {
    "ae": ("uae",),
    "by": ("byelorussia",),
    "ci": ("ivory coast",),
    "cn": ("prc",),
    "gb": ("uk", "britain", "england", "great britain"),
    "ir": ("persia",),
    "kg": ("kirghizia",),
    "md": ("moldavia",),
    "mm": ("burma",),
    "nl": ("holland", "the netherlands"),
    "suhh": ("ussr",),
    "tl": ("east timor",),
    "tr": ("turkey",),
    "us": ("america",),
    "va": ("vatican",),
}
# Language codes withdrawn from ISO 639-1 that old tags still use, and the
# language each stood for.
WITHDRAWN = {"in": "id", "iw": "he", "mo": "ro"}


def normal(text: str) -> str:
    """A name as the lookup folds it: lower case, no accents, no punctuation
    (cases.service.ftm.codes folds what a user types the same way)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def generated() -> str:
    """The text of reference.py, from the followthemoney package installed."""
    from followthemoney.types import registry
    from rigour.langs import iso_639_alpha3
    from rigour.territories import get_ftm_countries

    from cases.codes import languages

    countries = []
    for territory in sorted(get_ftm_countries(), key=lambda t: t.code):
        names = [territory.alpha3, territory.name, *COMMON_NAMES.get(territory.code, ())]
        names.append(territory.full_name)
        folded = list(dict.fromkeys(normal(name) for name in names if name))
        countries.append(f"{territory.code}:{'|'.join(sorted(folded))}")
    two_letter = {code for code in languages() if len(code) == 2}
    pairs = {}
    for code in sorted(two_letter | set(WITHDRAWN)):
        ftm = iso_639_alpha3(WITHDRAWN.get(code, code))
        if ftm and registry.language.validate(ftm):
            pairs[code] = ftm
    lines = [
        '"""FtM\'s country and language codes, generated from the followthemoney package',
        "(a test extra) by ``python tests/test_ftm_reference.py``: do not edit by hand.",
        "tests/test_ftm_reference.py fails when FollowTheMoney's lists have moved on.",
        '"""',
        "",
        "# Each country FtM knows (its code, then the names it is known by: its ISO",
        "# alpha-3 code, its name and full name, and names people type), folded as",
        "# cases.service.ftm.codes folds them.",
        "COUNTRIES = (",
        *(f'    "{entry}",' for entry in countries),
        ")",
        "# The two-letter code of each language FtM takes, and FtM's three-letter code.",
        "LANGUAGES = (",
        *(f'    "{code}:{ftm}",' for code, ftm in pairs.items()),
        ")",
    ]
    return "\n".join(lines) + "\n"


def test_the_ftm_codes_are_followthemoney_s() -> None:
    assert TARGET.read_text(encoding="utf-8") == generated(), (
        "FollowTheMoney's lists have changed: run python tests/test_ftm_reference.py"
    )


if __name__ == "__main__":
    TARGET.write_text(generated(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
