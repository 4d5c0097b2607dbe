"""Standard codes a value is checked against: the ISO 639 languages that have a
two-letter code (and their three-letter codes) and the ISO 4217 currencies,
read from pycountry's copies of the ISO lists.

pycountry loads a list when it is first asked: a command pays for it (about
70 ms) only when it checks a language or a currency, once.
"""

from __future__ import annotations

import functools
import re


@functools.cache
def languages() -> frozenset[str]:
    """Every two-letter ISO 639-1 code, and the three-letter code of each."""
    import pycountry

    return frozenset(
        code
        for language in pycountry.languages
        if hasattr(language, "alpha_2")
        for code in (language.alpha_2, language.alpha_3)
    )


@functools.cache
def currencies() -> frozenset[str]:
    """Every ISO 4217 currency code."""
    import pycountry

    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


# A BCP 47 tag as sources need it: a language, then optional script, region and
# variant subtags (zh-Hant, kk-Cyrl-KZ, en-GB).
_TAG = re.compile(r"([a-z]{2,3})((?:-[A-Za-z0-9]{2,8})*)")


def language_tag(text: str) -> str | None:
    """TEXT as a language tag (its language subtag lower case), or None if it is not one."""
    match = _TAG.fullmatch(text.strip().replace("_", "-").lower())
    if match is None or match.group(1) not in languages():
        return None
    subtags = [part for part in match.group(2).split("-") if part]
    shaped = [
        part.title()
        if len(part) == 4 and part.isalpha()
        else part.upper()
        if len(part) == 2
        else part
        for part in subtags
    ]
    return "-".join([match.group(1), *shaped])


def currency(text: str) -> str | None:
    """TEXT as an ISO 4217 currency code (upper case), or None if it is not one."""
    code = text.strip().upper()
    return code if code in currencies() else None
