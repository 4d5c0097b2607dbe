"""Facts in words: one line for a ruling, an asylum decision, a timeline item,
and a detention's length. Pure: rows in, text and numbers out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cases.dates import display_date

Row = dict[str, Any]

# Sentence kinds that hold a person in custody.
CUSTODIAL = ("prison", "labor-camp")

_ASYLUM_WORDS = {
    "applied": "applied for asylum",
    "asylum-seeker-status": "asylum-seeker status",
    "extended": "asylum-seeker status extended",
    "granted": "granted asylum",
    "refugee-status": "refugee status",
    "denied": "asylum denied",
    "appealed": "appealing an asylum decision",
    "revoked": "asylum revoked",
    "withdrawn": "asylum application withdrawn",
}


def sentence_kinds(row: Row) -> list[str]:
    """A ruling's sentence kinds, in the order given."""
    text = row.get("sentence_kinds") or ""
    return [kind for kind in text.split(",") if kind]


def is_custodial(row: Row) -> bool:
    """True for a ruling that sends the person to prison or a labor camp."""
    return any(kind in CUSTODIAL for kind in sentence_kinds(row))


def asylum_phrase(row: Row, today: dt.date | None = None) -> str:
    """One line for an asylum decision: "asylum-seeker status until 25 Apr 2019"."""
    text: str = _ASYLUM_WORDS.get(row["decision"], str(row["decision"]))
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
    return text


def _money(row: Row) -> str:
    amount = row.get("fine_amount")
    shown = f"{amount:,}" if isinstance(amount, int) else f"{amount:,.2f}"
    return f"fine {shown} {row.get('fine_currency') or ''}".rstrip()


def sentence_phrase(row: Row) -> str:
    """A ruling's sentence: as reported, else its months and kinds; and a fine."""
    parts = []
    fined = row.get("fine_amount") is not None
    if row.get("sentence"):
        parts.append(str(row["sentence"]))
        if fined:
            parts.append(_money(row))
    elif sentence_kinds(row):
        months = f"{row['months']} months " if row.get("months") is not None else ""
        kinds = [
            _money(row) if kind == "fine" and fined else kind.replace("-", " ")
            for kind in sentence_kinds(row)
        ]
        parts.append(months + ", ".join(kinds))
    elif fined:
        parts.append(_money(row))
    if row.get("pretrial_credit"):
        parts.append(f"each pretrial day counted as {row['pretrial_credit']}")
    return ", ".join(parts)


def ruling_phrase(row: Row) -> str:
    """One line for a ruling: outcome, sentence, plea, deportation and extradition."""
    parts = ["outcome unknown" if row["outcome"] == "unknown" else str(row["outcome"])]
    sentence = sentence_phrase(row)
    if sentence:
        parts.append(sentence)
    if row.get("plea"):
        parts.append(f"plea: {str(row['plea']).replace('-', ' ')}")
    if row.get("deportation"):
        parts.append(f"deportation {row['deportation']}")
    if row.get("extradition"):
        parts.append(f"extradition {row['extradition']}")
    return "; ".join(parts)


def fact_summary(kind: str, row: Row, detail: str | None, role: str | None = None) -> str:
    """One line for a timeline item of KIND (ROLE: the actor's part in it)."""
    if kind == "trial":
        text = f"trial at {row.get('court') or 'a court not named'}"
        if row.get("charge"):
            text += f": {row['charge']}"
    elif kind == "ruling":
        text = "ruling: " + ruling_phrase(row)
    elif kind == "asylum":
        text = asylum_phrase(row)
    elif kind in ("detention", "detention-end"):
        what = f"{row['kind']} detention" if row.get("kind") else "detention"
        where = f" in {row['place']}" if row.get("place") else ""
        text = f"{what} begins{where}" if kind == "detention" else f"{what} ends{where}"
    else:
        text = kind.replace("-", " ")
        if row.get("summary"):
            text = row["summary"] if kind == "other" else f"{text}: {row['summary']}"
        if row.get("place"):
            text += f" ({row['place']})"
    if role and role not in ("subject", "defendant"):
        text += f" [{role}]"
    return text


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def length(
    start_earliest: str | None,
    start_latest: str | None,
    end_earliest: str | None,
    end_latest: str | None,
) -> tuple[int | None, int | None]:
    """The fewest and most whole days from a start to an end their dates allow
    (None where a date is open: "before X" has no earliest day)."""
    first, last = _day(start_latest), _day(end_earliest)
    fewest = max(0, (last - first).days) if first and last else None
    first, last = _day(start_earliest), _day(end_latest)
    most = max(0, (last - first).days) if first and last else None
    return fewest, most


def days_phrase(days_min: int | None, days_max: int | None, open_ended: bool) -> str:
    """ "159 days", "123 to 183 days" or "at least 80 days"."""
    if days_min is None and days_max is None:
        return "length unknown"
    if open_ended or days_max is None:
        return f"at least {days_min or 0} days"
    if days_min == days_max:
        return f"{days_min} days"
    if days_min is None:
        return f"at most {days_max} days"
    return f"{days_min} to {days_max} days"


def latest(records: Sequence[Row], field: str) -> Row | None:
    """The record of RECORDS latest by FIELD (its earliest day, then latest day,
    then when it was recorded); undated records count as earliest."""

    def key(row: Row) -> tuple[Any, ...]:
        anchor = row.get(f"{field}_earliest") or row.get(f"{field}_latest") or ""
        return (anchor, row.get(f"{field}_latest") or "", row["id"])

    return max(records, key=key) if records else None


def sort_key(row: Row, field: str) -> tuple[Any, ...]:
    """Timeline order of a record by FIELD: earliest day, latest day, undated last."""
    earliest, latest_day = row.get(f"{field}_earliest"), row.get(f"{field}_latest")
    anchor = earliest or latest_day
    return (anchor is None, anchor or "", latest_day is None, latest_day or "", row["id"])
