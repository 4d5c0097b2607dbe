"""The only package that imports Rich: text, tables, summaries, the timeline, errors.

Every value from the database is wrapped in :class:`rich.text.Text` after
control characters are stripped, so markup in a name (``[/bold]``) is shown
as typed and an escape sequence in a note never reaches the terminal.

Names are loaded from their modules when first used, so that a command pays
for Rich's tables and panels only when it prints one.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "print_change": "record",
    "print_record": "record",
    "print_source": "summary",
    "print_summary": "summary",
    "print_records": "tables",
    "print_stats": "tables",
    "timeline_columns": "tables",
    "emit_json": "text",
    "make_console": "text",
    "plain": "text",
    "print_added": "text",
    "print_error": "text",
    "print_notice": "text",
    "safe": "text",
    "answer": "stream",
    "columns": "stream",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"cases.render.{_HOMES[name]}"), name)
