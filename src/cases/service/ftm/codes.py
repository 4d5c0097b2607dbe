"""The codes FtM takes for a country and a language, from the names and codes a
user types (``Kazakhstan``, ``USA``, ``kk-Cyrl``). The lists themselves are
generated from FollowTheMoney's (see :mod:`cases.service.ftm.reference`)."""

from __future__ import annotations

import functools
import re
import unicodedata

from cases.service.ftm.reference import COUNTRIES, LANGUAGES


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def country_code(text: str | None) -> str | None:
    """TEXT (a country's name or ISO code, any case or accents) as FtM's country
    code, or None when it is not one FtM knows."""
    return _country_codes().get(_normal(text)) if text else None


def language_code(tag: str | None) -> str | None:
    """A language tag's language as FtM's three-letter code, or None if FtM has none."""
    return _language_codes().get(tag.split("-")[0].lower()) if tag else None


@functools.cache
def _country_codes() -> dict[str, str]:
    """Each name and code of a country (as :func:`_normal` makes them) -> its FtM code."""
    table = {}
    for entry in COUNTRIES:
        code, _, names = entry.partition(":")
        table.update(dict.fromkeys(names.split("|"), code))
        table[_normal(code)] = code
    return table


@functools.cache
def _language_codes() -> dict[str, str]:
    """Each two- or three-letter code of a language FtM takes -> FtM's code."""
    table = dict(pair.split(":") for pair in LANGUAGES)
    return table | {code: code for code in (*table.values(), "cnr", "fil", "mul")}
