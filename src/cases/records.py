"""Record kinds, references and vocabularies. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from cases.errors import Invalid


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class TrialStatus(StrEnum):
    INVESTIGATION = "investigation"
    PENDING = "pending"
    ONGOING = "ongoing"
    DECIDED = "decided"
    APPEALED = "appealed"
    CLOSED = "closed"


class Outcome(StrEnum):
    CONVICTED = "convicted"
    ACQUITTED = "acquitted"
    DISMISSED = "dismissed"
    SETTLED = "settled"
    UPHELD = "upheld"
    OVERTURNED = "overturned"
    MODIFIED = "modified"
    UNKNOWN = "unknown"
    OTHER = "other"


class Plea(StrEnum):
    GUILTY = "guilty"
    NOT_GUILTY = "not-guilty"
    PLEA_DEAL = "plea-deal"


class SentenceKind(StrEnum):
    PRISON = "prison"
    LABOR_CAMP = "labor-camp"
    SUSPENDED = "suspended"
    FINE = "fine"
    PROBATION = "probation"
    RESTRICTED_FREEDOM = "restricted-freedom"
    NONE = "none"


class Deportation(StrEnum):
    ORDERED = "ordered"
    REFUSED = "refused"


class Extradition(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class Decision(StrEnum):
    APPLIED = "applied"
    ASYLUM_SEEKER_STATUS = "asylum-seeker-status"
    EXTENDED = "extended"
    GRANTED = "granted"
    REFUGEE_STATUS = "refugee-status"
    DENIED = "denied"
    APPEALED = "appealed"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"


class DetentionKind(StrEnum):
    POLICE_CUSTODY = "police-custody"
    PRETRIAL = "pretrial"
    PRISON = "prison"
    LABOR_CAMP = "labor-camp"
    CAMP = "camp"
    HOUSE_ARREST = "house-arrest"
    ADMINISTRATIVE = "administrative"
    OTHER = "other"


class EventKind(StrEnum):
    BORDER_CROSSING = "border-crossing"
    ARREST = "arrest"
    RELEASE = "release"
    HEARING = "hearing"
    TESTIMONY = "testimony"
    PRESS_CONFERENCE = "press-conference"
    TRAVEL = "travel"
    DOCUMENTS_CONFISCATED = "documents-confiscated"
    DISAPPEARANCE = "disappearance"
    PETITION = "petition"
    STATEMENT = "statement"
    OTHER = "other"


class RelationKind(StrEnum):
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    SPOUSE = "spouse"
    RELATIVE = "relative"
    LAWYER = "lawyer"
    ASSOCIATE = "associate"
    LEADER = "leader"
    MEMBER = "member"
    EMPLOYEE = "employee"
    SPOKESPERSON = "spokesperson"
    FOUNDER = "founder"


class OrgKind(StrEnum):
    NGO = "ngo"
    COURT = "court"
    POLICE = "police"
    PROSECUTOR = "prosecutor"
    SECURITY_SERVICE = "security-service"
    MIGRATION_AUTHORITY = "migration-authority"
    GOVERNMENT = "government"
    UN_BODY = "un-body"
    MEDIA = "media"
    GROUP = "group"
    OTHER = "other"


class ParticipantRole(StrEnum):
    SUBJECT = "subject"
    VICTIM = "victim"
    PERPETRATOR = "perpetrator"
    ORGANIZER = "organizer"
    PARTICIPANT = "participant"
    PETITIONER = "petitioner"
    ADDRESSEE = "addressee"
    SPEAKER = "speaker"
    WITNESS = "witness"
    AUTHORITY = "authority"
    OTHER = "other"


class PartyRole(StrEnum):
    DEFENDANT = "defendant"
    PLAINTIFF = "plaintiff"
    VICTIM = "victim"
    WITNESS = "witness"
    LAWYER = "lawyer"
    JUDGE = "judge"
    PROSECUTOR = "prosecutor"
    OTHER = "other"


@lru_cache(maxsize=64)
def _accepted(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def vocabulary(enum: type[StrEnum], value: str, what: str) -> str:
    """Return VALUE if it belongs to ENUM, else raise naming the accepted values."""
    cleaned = value.strip().lower()
    accepted = _accepted(enum)
    if cleaned not in accepted:
        raise Invalid(f"unknown {what} {value!r}; use one of: {', '.join(accepted)}")
    return cleaned


@dataclass(frozen=True)
class Kind:
    """One kind of record: its table, reference prefix and what it is called."""

    name: str
    table: str
    prefix: str
    label: str
    # date fields stored as FIELD, FIELD_earliest, FIELD_latest
    date_fields: tuple[str, ...] = ()

    @property
    def a_label(self) -> str:
        """The label with its article: "a person", "an event"."""
        return f"{'an' if self.label[0] in 'aeiou' else 'a'} {self.label}"


PERSON = Kind("person", "people", "P", "person", ("born",))
ORGANISATION = Kind("organisation", "organisations", "O", "organisation")
SOURCE = Kind("source", "sources", "S", "source", ("date", "accessed"))
TRIAL = Kind("trial", "trials", "T", "trial", ("opened",))
RULING = Kind("ruling", "rulings", "R", "ruling", ("date",))
ASYLUM = Kind("asylum", "asylum", "A", "asylum decision", ("date", "until"))
DETENTION = Kind("detention", "detentions", "D", "detention", ("start", "end"))
EVENT = Kind("event", "events", "E", "event", ("date",))
RELATION = Kind("relation", "relations", "L", "relation", ("since", "until"))

KINDS: tuple[Kind, ...] = (
    PERSON,
    ORGANISATION,
    SOURCE,
    TRIAL,
    RULING,
    ASYLUM,
    DETENTION,
    EVENT,
    RELATION,
)
KIND_BY_PREFIX = {kind.prefix: kind for kind in KINDS}
KIND_BY_TABLE = {kind.table: kind for kind in KINDS}


@dataclass(frozen=True)
class Ref:
    """A typed reference such as ``P12``."""

    kind: Kind
    id: int

    def __str__(self) -> str:
        return f"{self.kind.prefix}{self.id}"


def parse_ref(text: str) -> Ref | None:
    """Parse ``P12``-style text (any case); None when it is not a reference."""
    text = text.strip()
    if len(text) < 2 or not text[1:].isdigit() or not text[1:].isascii():
        return None
    kind = KIND_BY_PREFIX.get(text[0].upper())
    if kind is None:
        return None
    return Ref(kind, int(text[1:]))


def ref_text(kind: Kind, record_id: int) -> str:
    """The reference text of a record, e.g. ``T3``."""
    return f"{kind.prefix}{record_id}"
