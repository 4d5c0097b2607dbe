"""What an imported cell must be: the same rules as ``add`` and ``edit``, per CSV column."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cases.errors import Invalid
from cases.records import KIND_BY_TABLE, PartyRole, vocabulary
from cases.service.changing import EDITABLE, TextRule
from cases.service.transfer import TableSpec

Rule = Callable[[str], dict[str, Any]]

# What a uid may look like: it is never defused on export, so it must not be
# able to start a spreadsheet formula.
UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


def private_flag(value: str) -> dict[str, Any]:
    """The private column as exported: 0, 1 or empty (not private)."""
    if value in ("", "0"):
        return {"private": 0}
    if value == "1":
        return {"private": 1}
    raise Invalid(f"private must be 0 or 1, not {value!r}")


def column_rules(spec: TableSpec) -> dict[str, Rule]:
    """Validation per CSV column of SPEC's table (link and uid columns aside)."""
    rules: dict[str, Rule] = {"private": private_flag, "note": TextRule("note")}
    kind = KIND_BY_TABLE.get(spec.table)
    if kind is not None:
        rules.update(EDITABLE[kind.name])
    if spec.table == "aliases":
        rules["name"] = EDITABLE["person"]["name"]
    if spec.table == "trial_parties":
        rules["role"] = lambda value: {"role": vocabulary(PartyRole, value, "role")}
    if spec.table == "citations":
        rules["quote"] = TextRule("quote")
        rules["page"] = TextRule("page")
    return rules


def is_skipped(column: str) -> bool:
    """CSV columns an import reads past: earliest/latest derive from the date
    text, and id and ref are there for people to read."""
    return column in ("id", "ref") or column.endswith(("_earliest", "_latest"))
