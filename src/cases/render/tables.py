"""Lists of records, the timeline and statistics, as tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from cases.dates import display_date
from cases.render.text import plain, private_mark, safe, table


def print_records(
    console: Console,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[dict[str, Any]],
    empty: str = "nothing recorded",
) -> None:
    """A list of records as one table: COLUMNS are (heading, key) pairs; EMPTY
    is said when there are none."""
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


def print_timeline(console: Console, items: Sequence[dict[str, Any]]) -> None:
    """One chronological table: date, ref, actor, what happened, sources."""
    if not items:
        console.print(Text("no facts match", style="dim"))
        return
    shown = table("Date", "Ref", "Who", "What happened", "Sources")
    shown.expand = True
    date_column, ref_column, who_column, what_column, sources_column = shown.columns
    # Fixed narrow columns leave the rest to "What happened", even at 80 columns.
    date_column.min_width = 11
    date_column.max_width = 12 if console.width < 100 else 20
    ref_column.no_wrap = True
    who_column.width = 14 if console.width < 100 else 24
    what_column.ratio = 1
    sources_column.max_width = 5 if console.width < 100 else 12
    if console.width < 100:
        sources_column.header = "Src"
    for item in items:
        what = safe(item["summary"])
        what.append_text(private_mark(item))
        shown.add_row(
            safe(display_date(item["date"]) or "undated", "" if item["date"] else "dim"),
            safe(item["ref"], "cyan"),
            Text.assemble(safe(item["actor"]), " ", (item["actor_ref"], "dim")),
            what,
            safe(" ".join(item["sources"]), "dim"),
        )
    console.print(shown)


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
