"""Facts in words: one line for each kind of fact, from its row alone. Pure.

Every place a fact is read (the timeline, a summary, a worklist, a published
label, a chart's tooltip, an FtM name) reads it through these, by way of the
fact's declaration (``Fact.phrase``); values read as their field's type says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from cases.catalogue.vocabularies import DECISION, OUTCOME, SENTENCE_KIND

Row = Mapping[str, Any]


def _money(row: Row) -> str:
    from cases.catalogue.model import Field
    from cases.catalogue.types import MONEY

    return MONEY.show(Field("fine", MONEY), row)


def sentence_kinds(row: Row) -> list[str]:
    """A ruling's sentence kinds, in the order given."""
    text = row.get("sentence_kinds") or ""
    return [kind for kind in text.split(",") if kind]


def is_custodial(row: Row) -> bool:
    """True for a ruling that sends the person to prison or a labor camp."""
    return any(SENTENCE_KIND.group(kind) == "custodial" for kind in sentence_kinds(row))


def sentence_phrase(row: Row) -> str:
    """A ruling's sentence: as reported, else its months and kinds; and a fine."""
    parts = []
    fined = row.get("fine_amount") is not None
    if row.get("sentence"):
        parts.append(str(row["sentence"]))
        if fined:
            parts.append(f"fine {_money(row)}")
    elif sentence_kinds(row):
        months = f"{row['months']} months " if row.get("months") is not None else ""
        kinds = [
            f"fine {_money(row)}" if kind == "fine" and fined else SENTENCE_KIND.reads(kind)
            for kind in sentence_kinds(row)
        ]
        parts.append(months + ", ".join(kinds))
    elif fined:
        parts.append(f"fine {_money(row)}")
    if row.get("pretrial_credit"):
        parts.append(f"each pretrial day counted as {row['pretrial_credit']}")
    return ", ".join(parts)


def ruling_phrase(row: Row) -> str:
    """One line for a ruling: outcome, sentence, plea, deportation and extradition."""
    parts = [OUTCOME.reads(row["outcome"]) if row["outcome"] == "unknown" else str(row["outcome"])]
    sentence = sentence_phrase(row)
    if sentence:
        parts.append(sentence)
    if row.get("plea"):
        parts.append(f"plea: {str(row['plea']).replace('-', ' ')}")
    if row.get("deportation"):
        parts.append(f"deportation {row['deportation']}")
    if row.get("extradition"):
        parts.append(f"extradition {row['extradition']}")
    if row.get("grounds"):
        parts.append(f"grounds: {row['grounds']}")
    return "; ".join(parts)


def asylum_phrase(row: Row, today: dt.date | None = None) -> str:
    """One line for an asylum decision: "asylum-seeker status until 25 Apr 2019"."""
    from cases.dates import display_date

    text = DECISION.reads(row["decision"])
    if row.get("country"):
        text += f" ({row['country']})"
    if row.get("until"):
        text += f" until {display_date(row['until'])}"
        if (
            today is not None
            and row.get("until_latest")
            and row["until_latest"] < today.isoformat()
        ):
            text += " (expired)"
    if row.get("grounds"):
        text += f"; grounds: {row['grounds']}"
    return text


def trial(kind: str, row: Row) -> str:
    text = f"trial at {row.get('court') or 'a court not named'}"
    if row.get("charge"):
        text += f": {row['charge']}"
    return text


def ruling(kind: str, row: Row) -> str:
    return "ruling: " + ruling_phrase(row)


def asylum(kind: str, row: Row) -> str:
    return asylum_phrase(row)


def detention(kind: str, row: Row) -> str:
    what = f"{row['kind']} detention" if row.get("kind") else "detention"
    if row.get("duration"):
        what += f" of {row['duration']}"
    where = f" in {row['place']}" if row.get("place") else ""
    if kind == "detention-end":
        return f"{what} ends{where}"
    # known only by how long it lasted (or when it ended): no day it began
    return f"{what} begins{where}" if row.get("start") else f"{what}{where}"


def event(kind: str, row: Row) -> str:
    text = kind.replace("-", " ")
    if row.get("summary"):
        text = row["summary"] if kind == "other" else f"{text}: {row['summary']}"
    if row.get("place"):
        text += f" ({row['place']})"
    return text


def relation(kind: str, row: Row) -> str:
    return str(row.get("kind") or "relation")


def communication(kind: str, row: Row) -> str:
    """A communication as sent ("petition: ..."), or as answered ("reply to the
    petition (opinion): ...")."""
    from cases.catalogue.vocabularies import COMMUNICATION_KIND, RESPONSE

    sent = COMMUNICATION_KIND.reads(row.get("kind"))
    if kind == "reply":
        text = f"reply to the {sent}"
        if row.get("response"):
            text += f" ({RESPONSE.reads(row['response'])})"
        return f"{text}: {row['reply']}" if row.get("reply") else text
    text = f"{sent}: {row['summary']}" if row.get("summary") else sent
    if row.get("response") and not row.get("reply_date"):
        text += f" ({RESPONSE.reads(row['response'])})"
    return text


def whereabouts(kind: str, row: Row) -> str:
    """Where someone is or was: "in Sweden until Mar 2021", "in Xinjiang, as of
    23 Dec 2019" (the day a report said so)."""
    from cases.dates import display_date

    text = f"in {row['place']}"
    if kind == "whereabouts-reported" or not (row.get("since") or row.get("until")):
        return f"{text}, as of {display_date(row['as_of'])}" if row.get("as_of") else text
    if row.get("since"):
        text += f" since {display_date(row['since'])}"
    if row.get("until"):
        text += f" until {display_date(row['until'])}"
    return text
