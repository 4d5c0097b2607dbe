"""Name keys: the form of a name that matching compares. Pure."""

from __future__ import annotations

import unicodedata


def clean_name(text: str) -> str:
    """A name as stored: Unicode-normalised (NFC), single spaces, no control characters."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(text.split())


def name_key(text: str) -> str:
    """The key two spellings share when they are the same name, ignoring case and spacing."""
    return clean_name(text).casefold()
