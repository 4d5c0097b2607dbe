"""Rules across fields of a row (a detention does not end before it starts), and
across rows (an actor takes part in a fact once): checked in Python by add and
edit, and in SQL by import and check, from one statement of each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cases.errors import Invalid


class Rule(ABC):
    """A rule across several fields of a row, checked in Python (add, edit) and
    in SQL (import, check) alike."""

    @abstractmethod
    def problem(self, row: Mapping[str, Any]) -> str | None:
        """What is wrong with ROW (stored columns), or None."""

    @abstractmethod
    def broken_sql(self, alias: str) -> str:
        """SQL true for a row (named ALIAS) that breaks the rule."""

    def check(self, row: Mapping[str, Any]) -> None:
        """Raise Invalid if ROW breaks the rule."""
        problem = self.problem(row)
        if problem is not None:
            raise Invalid(problem)

    @abstractmethod
    def described(self) -> str:
        """The rule broken, in words (for a row whose values are not at hand)."""


@dataclass(frozen=True)
class EndsAfterStarts(Rule):
    """Two DATE fields of a row: the end is not before the start."""

    start: str
    end: str
    what: str
    # what the refusal says, where "ends before it starts" would not do, with
    # {start} and {end} for the two dates
    says: str = ""

    def problem(self, row: Mapping[str, Any]) -> str | None:
        start, end = row.get(f"{self.start}_earliest"), row.get(f"{self.end}_latest")
        if start and end and end < start:
            says = self.says or f"the {self.what} ends ({{end}}) before it starts ({{start}})"
            return says.format(start=row.get(self.start), end=row.get(self.end))
        return None

    def broken_sql(self, alias: str) -> str:
        return f'{alias}."{self.end}_latest" < {alias}."{self.start}_earliest"'

    def described(self) -> str:
        says = self.says or f"the {self.what} ends ({{end}}) before it starts ({{start}})"
        return says.format(start=self.start, end=self.end)


def _how_many_given(alias: str, columns: tuple[str, ...]) -> str:
    """SQL counting the COLUMNS of row ALIAS that are set (portable: PostgreSQL
    does not add truth values)."""
    return " + ".join(
        f'(CASE WHEN {alias}."{column}" IS NULL THEN 0 ELSE 1 END)' for column in columns
    )


@dataclass(frozen=True)
class OneOf(Rule):
    """Of these columns, exactly one is set (or at least one, with AT_LEAST)."""

    columns: tuple[str, ...]
    what: str
    at_least: bool = False

    def problem(self, row: Mapping[str, Any]) -> str | None:
        given = sum(row.get(column) is not None for column in self.columns)
        if given == 0 or (given > 1 and not self.at_least):
            return self.what
        return None

    def broken_sql(self, alias: str) -> str:
        given = _how_many_given(alias, self.columns)
        return f"({given}) = 0" if self.at_least else f"({given}) != 1"

    def described(self) -> str:
        return self.what


@dataclass(frozen=True)
class AtMostOne(Rule):
    """Of these columns, at most one is set."""

    columns: tuple[str, ...]
    what: str

    def problem(self, row: Mapping[str, Any]) -> str | None:
        given = sum(row.get(column) is not None for column in self.columns)
        return self.what if given > 1 else None

    def broken_sql(self, alias: str) -> str:
        given = _how_many_given(alias, self.columns)
        return f"({given}) > 1"

    def described(self) -> str:
        return self.what


@dataclass(frozen=True)
class Different(Rule):
    """Two columns that, when both are set, hold different values (a relation
    between two actors, not one actor and itself)."""

    first: str
    second: str
    what: str

    def problem(self, row: Mapping[str, Any]) -> str | None:
        one, other = row.get(self.first), row.get(self.second)
        return self.what if one is not None and one == other else None

    def broken_sql(self, alias: str) -> str:
        return f'{alias}."{self.first}" = {alias}."{self.second}"'

    def described(self) -> str:
        return self.what


@dataclass(frozen=True)
class AcrossRows(Rule):
    """A rule a row breaks only with other rows (an actor taking part in one fact
    twice): OFFENDING is SQL for the ids of the rows that break it. ``add``
    refuses it before writing; import and ``check`` find it in SQL."""

    offending: str
    what: str

    def problem(self, row: Mapping[str, Any]) -> str | None:
        return None  # one row alone cannot break it

    def broken_sql(self, alias: str) -> str:
        return f"{alias}.id IN ({self.offending})"

    def described(self) -> str:
        return self.what
