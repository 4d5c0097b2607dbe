"""Lists of records, the timeline and statistics, as tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cases.dates import display_date
from cases.render.stream import Column
from cases.render.text import plain, private_mark, safe, table

if TYPE_CHECKING:
    from rich.console import Console


def print_records(
    console: Console,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[dict[str, Any]],
    empty: str = "nothing recorded",
) -> None:
    """A list of records as one table: COLUMNS are (heading, key) pairs; EMPTY
    is said when there are none."""
    from rich.text import Text

    if not rows:
        console.print(Text(empty, style="dim"))
        return
    shown = table(*(heading for heading, _ in columns))
    for row in rows:
        cells = []
        for _, key in columns:
            value = row.get(key)
            if key.endswith("_display"):
                value = display_date(row.get(key[: -len("_display")]))
            elif isinstance(value, list):
                value = ", ".join(plain(v) for v in value)
            cell = safe(value, "bold cyan" if key == "ref" else "")
            if key == "ref":
                cell.append_text(private_mark(row))
            cells.append(cell)
        shown.add_row(*cells)
    console.print(shown)


def timeline_columns(width: int) -> list[Column]:
    """The timeline's columns: date, ref, actor, what happened, sources (narrower
    fixed columns below 100 terminal columns)."""
    narrow = width < 100
    return [
        Column("Date", "date", max_width=12 if narrow else 20, cell=_timeline_date),
        Column("Ref", "ref", style="cyan"),
        Column("Who", "actor", max_width=14 if narrow else 24, cell=_timeline_actor),
        Column("What happened", "summary", flexible=True, cell=_timeline_what),
        Column(
            "Src" if narrow else "Sources",
            "sources",
            style="dim",
            max_width=5 if narrow else 12,
            cell=_timeline_sources,
        ),
    ]


def _timeline_date(item: dict[str, Any]) -> str:
    return display_date(item["date"]) or "undated"


def _timeline_actor(item: dict[str, Any]) -> str:
    return f"{item['actor']} {item['actor_ref']}"


def _timeline_sources(item: dict[str, Any]) -> str:
    return " ".join(item["sources"])


def _timeline_what(item: dict[str, Any]) -> str:
    return item["summary"] + (" (private)" if item.get("private") else "")


def print_stats(console: Console, figures: dict[str, Any]) -> None:
    """Counts as a two-column table, grouped counts as 'value: n' lists."""
    shown = table("What", "Count")
    for key, value in figures.items():
        if isinstance(value, dict):
            listed = ", ".join(f"{k}: {v}" for k, v in value.items() if v) or "none"
            shown.add_row(key.replace("_", " "), listed)
        else:
            shown.add_row(key.replace("_", " "), str(value))
    console.print(shown)
