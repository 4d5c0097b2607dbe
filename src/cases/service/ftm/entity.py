"""An FtM entity as it is built: each value cleaned as FollowTheMoney would clean
it for its property's type, and a value FtM would refuse written into ``notes``
under a label instead, so that nothing is dropped silently."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

# The FtM type of each property written, and the longest value each type takes.
_NAME = "name"
_TEXT = "text"
_STRING = "string"
_IDENTIFIER = "identifier"
_ADDRESS = "address"
_URL = "url"
_CODE = "code"
_DATE = "date"
_ENTITY = "entity"
_LONGEST = {_NAME: 384, _TEXT: 65000, _STRING: 1024, _IDENTIFIER: 64, _ADDRESS: 250, _URL: 4096}
_PROPERTIES = {
    _NAME: "name alias",
    _TEXT: "notes summary description",
    _STRING: "ethnicity classification court status role relationship title author publisher",
    _IDENTIFIER: "caseNumber",
    _ADDRESS: "address location",
    _URL: "sourceUrl",
    _CODE: "gender citizenship country language",
    _DATE: "birthDate date startDate endDate fileDate publishedAt retrievedAt",
    _ENTITY: "party case involved organizer person relative associate member organization "
    "agent client document entity subject object",
}
_TYPES = {prop: kind for kind, props in _PROPERTIES.items() for prop in props.split()}

# Characters FtM deletes from any text: controls (but tab and line breaks),
# invisible formatting characters and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# Values made here (codes, dates, ids): written as they are.
_MADE_HERE = frozenset((_CODE, _DATE, _ENTITY))
# FtM ids: letters, digits, dots and hyphens, ending in a letter or digit
_SAFE_UID = re.compile(r"[0-9A-Za-z.-]*[0-9A-Za-z]").fullmatch
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def entity_id(uid: str) -> str:
    """The FtM id of the record with this uid: ``cases-UID``, or, for a uid FtM
    would not take as an id (an underscore, a colon), ``cases.sha1-`` and its hash."""
    if _SAFE_UID(uid):
        return f"cases-{uid}"
    return "cases.sha1-" + hashlib.sha1(uid.encode()).hexdigest()


def _clean(text: str, kind: str) -> str:
    """TEXT as FtM keeps it: unsafe characters gone, NFC, trimmed; one line for a
    name or an address."""
    if _UNSAFE.search(text):
        text = _UNSAFE.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if kind in (_NAME, _ADDRESS):
        return " ".join(text.split())
    return text.strip()


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in parts.netloc


# The schemata that are links (FtM's intervals): they have no ``notes``, and what
# would go there goes into ``description``.
_LINKS = {
    "CourtCaseParty",
    "Family",
    "Associate",
    "Membership",
    "Representation",
    "Documentation",
    "UnknownLink",
}


class Entity:
    """One FtM entity being built: values are cleaned for their property's type, and
    a value FtM would refuse goes into ``notes`` under a label instead."""

    __slots__ = ("schema", "id", "properties", "remark", "lines")

    def __init__(self, schema: str, uid: str, suffix: str = "") -> None:
        self.schema = schema
        self.id = entity_id(uid) + suffix
        self.properties: dict[str, list[str]] = {}
        self.remark = ""  # the record's own note
        self.lines: list[str] = []

    def add(self, prop: str, value: Any, label: str = "") -> None:
        """Add VALUE (None: nothing) to PROP; LABEL names it in ``notes`` if it does not fit."""
        if value is None:
            return
        kind = _TYPES[prop]
        held = self.properties.get(prop)
        if kind in _MADE_HERE:
            if held is None:
                self.properties[prop] = [value]
            elif value not in held:
                held.append(value)
            return
        text = _clean(value if isinstance(value, str) else str(value), kind)
        if not text:
            return
        longest = _LONGEST.get(kind, 200)
        if kind == _TEXT:
            values = [text[start : start + longest] for start in range(0, len(text), longest)]
        elif len(text) > longest and kind == _NAME:
            # a name is required: the first of it, and all of it in the notes
            values = [text[: longest - 1].rstrip() + "…"]
            self.note(label or "Name", text)
        elif len(text) > longest or (kind == _URL and not _is_url(text)):
            self.note(label or prop, text)
            return
        else:
            values = [text]
        if held is None:
            self.properties[prop] = values
        else:
            held.extend(one for one in values if one not in held)

    def note(self, label: str, value: Any) -> None:
        """A line ``LABEL: VALUE`` of the notes (None: nothing)."""
        if value is not None and str(value).strip():
            self.lines.append(f"{label}: {value}")

    def line(self) -> str:
        """The entity as one line of JSON: the notes are the record's note, then
        the lines of what has no property."""
        if self.lines:
            lines = "\n".join(self.lines)
            self.remark = f"{self.remark}\n\n{lines}" if self.remark else lines
        if self.remark:
            self.add("description" if self.schema in _LINKS else "notes", self.remark)
        data = {"id": self.id, "schema": self.schema, "properties": self.properties}
        return _ENCODE(data) + "\n"


def date_prefix(earliest: str | None, latest: str | None) -> str | None:
    """The most precise FtM date (a day, a month or a year) true of every day from
    EARLIEST to LATEST, or None when no prefix is (an open end, years apart)."""
    if not earliest or not latest:
        return None
    for length in (10, 7, 4):
        if earliest[:length] == latest[:length]:
            return earliest[:length]
    return None
