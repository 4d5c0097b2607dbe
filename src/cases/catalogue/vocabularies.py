"""The vocabularies: the words a field accepts, how each reads, and the group a
chart draws it with. Declared once; the help text, shell completion, the
checks of add, edit and import, and the chart's legend read them from here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One word of a vocabulary: the value stored, how it reads in a sentence
    (default: the value with spaces), and its group (a chart's colour and shape)."""

    value: str
    phrase: str = ""
    group: str = ""

    @property
    def reads(self) -> str:
        return self.phrase or self.value.replace("-", " ")


class Vocabulary:
    """The words a field accepts, in the order they are listed."""

    def __init__(self, what: str, *words: Word | str) -> None:
        self.what = what
        self.words = tuple(word if isinstance(word, Word) else Word(word) for word in words)
        self._by_value = {word.value: word for word in self.words}

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __contains__(self, value: object) -> bool:
        return value in self._by_value

    def __repr__(self) -> str:
        return f"Vocabulary({self.what!r})"

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self._by_value)

    def match(self, text: str) -> str | None:
        """The word TEXT means, ignoring case, with a space or ``_`` taken as ``-``
        ("documents confiscated", "Asylum_seeker status"); None if none."""
        cleaned = "-".join(text.strip().lower().replace("_", " ").split())
        return cleaned if cleaned in self._by_value else None

    def reads(self, value: str | None) -> str:
        """How VALUE reads in a sentence ("" for none)."""
        if not value:
            return ""
        word = self._by_value.get(value)
        return word.reads if word else value.replace("-", " ")

    def group(self, value: str | None, default: str = "other") -> str:
        """The group VALUE is drawn with."""
        word = self._by_value.get(value or "")
        return word.group if word and word.group else default

    def groups(self) -> dict[str, tuple[str, ...]]:
        """Each group and its words, in the order first listed."""
        found: dict[str, list[str]] = {}
        for word in self.words:
            found.setdefault(word.group or "other", []).append(word.value)
        return {group: tuple(values) for group, values in found.items()}


SEX = Vocabulary("sex", "female", "male", "other")

TRIAL_STATUS = Vocabulary(
    "trial status", "investigation", "pending", "ongoing", "decided", "appealed", "closed"
)

OUTCOME = Vocabulary(
    "outcome",
    Word("convicted", group="convicted"),
    Word("acquitted", group="cleared"),
    Word("dismissed", group="cleared"),
    Word("settled"),
    Word("upheld", group="convicted"),
    Word("overturned", group="cleared"),
    Word("modified"),
    Word("unknown", phrase="outcome unknown"),
    Word("other"),
)

PLEA = Vocabulary("plea", "guilty", "not-guilty", "plea-deal")

SENTENCE_KIND = Vocabulary(
    "sentence kind",
    Word("prison", group="custodial"),
    Word("labor-camp", group="custodial"),
    "suspended",
    "fine",
    "probation",
    "restricted-freedom",
    "none",
)

DEPORTATION = Vocabulary("deportation decision", "ordered", "refused")
EXTRADITION = Vocabulary("extradition decision", "granted", "refused")

DECISION = Vocabulary(
    "asylum decision",
    Word("applied", phrase="applied for asylum", group="pending"),
    Word("asylum-seeker-status", phrase="asylum-seeker status", group="protected"),
    Word("extended", phrase="asylum-seeker status extended", group="protected"),
    Word("granted", phrase="granted asylum", group="protected"),
    Word("refugee-status", phrase="refugee status", group="protected"),
    Word("denied", phrase="asylum denied", group="refused"),
    Word("appealed", phrase="appealing an asylum decision", group="pending"),
    Word("revoked", phrase="asylum revoked", group="refused"),
    Word("withdrawn", phrase="asylum application withdrawn", group="refused"),
)

DETENTION_KIND = Vocabulary(
    "detention kind",
    "police-custody",
    "pretrial",
    "prison",
    "labor-camp",
    "camp",
    "house-arrest",
    "administrative",
    "other",
)

EVENT_KIND = Vocabulary(
    "event kind",
    Word("border-crossing", group="movement"),
    Word("arrest", group="custody"),
    Word("release", group="release"),
    Word("hearing", group="voice"),
    Word("testimony", group="voice"),
    Word("press-conference", group="voice"),
    Word("travel", group="movement"),
    Word("emigration", group="movement"),
    Word("documents-confiscated", group="custody"),
    Word("disappearance", group="custody"),
    Word("threat", group="custody"),
    Word("interrogation", group="custody"),
    Word("warrant", group="custody"),
    Word("extradition-request", group="custody"),
    Word("deportation", group="movement"),
    Word("petition", group="voice"),
    Word("statement", group="voice"),
    Word("other"),
)

RELATION_KIND = Vocabulary(
    "relation kind",
    "parent",
    "child",
    "sibling",
    "spouse",
    "relative",
    "lawyer",
    "associate",
    "leader",
    "member",
    "employee",
    "spokesperson",
    "founder",
)

ORG_KIND = Vocabulary(
    "organisation kind",
    "ngo",
    "court",
    "police",
    "prosecutor",
    "security-service",
    "migration-authority",
    "government",
    "un-body",
    "media",
    "group",
    "other",
)

PARTICIPANT_ROLE = Vocabulary(
    "participant role",
    "subject",
    "victim",
    "perpetrator",
    "organizer",
    "participant",
    "petitioner",
    "addressee",
    "speaker",
    "witness",
    "authority",
    "other",
)

PARTY_ROLE = Vocabulary(
    "party role",
    "defendant",
    "plaintiff",
    "victim",
    "witness",
    "lawyer",
    "judge",
    "prosecutor",
    "other",
)

COMMUNICATION_KIND = Vocabulary(
    "communication kind",
    Word("petition", group="voice"),
    Word("urgent-appeal", group="voice"),
    Word("complaint", group="voice"),
    Word("letter", group="voice"),
    Word("submission", group="voice"),
    Word("other", group="voice"),
)

RESPONSE = Vocabulary(
    "response",
    Word("pending", phrase="no response yet"),
    "acknowledged",
    "answered",
    "opinion",
    "rejected",
    Word("no-reply", phrase="no reply"),
)
