"""One record whole (``cases show T2``) and what one change did (``cases show C40``)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cases.render.summary import citation_words
from cases.render.text import private_mark, safe, table


def print_record(console: Console, view: dict[str, Any]) -> None:
    """A record: its fields in a panel headed by its line, the actors it involves,
    the records it is linked to, and its citations with their words."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, text in view["fields"]:
        grid.add_row(safe(label.capitalize()), safe(text))
    title = Text.assemble((view["ref"], "bold cyan"), " ")
    title.append_text(safe(view["line"] or view["record"], "bold"))
    title.append_text(private_mark(view))
    parts: list[Any] = [Panel(grid, title=title, title_align="left", box=box.ROUNDED)]
    if view["actors"]:
        shown = table("Role", "Ref", "Actor", title="Actors")
        for actor in view["actors"]:
            name = safe(actor["name"])
            name.append_text(private_mark(actor))
            shown.add_row(safe(actor["role"]), safe(actor["ref"] or "", "cyan"), name)
        parts.append(shown)
    if view["linked"]:
        shown = table("How", "Ref", "What", title="Linked")
        for linked in view["linked"]:
            shown.add_row(safe(linked["how"]), safe(linked["ref"], "cyan"), safe(linked["line"]))
        parts.append(shown)
    if view["citations"]:
        shown = table("Ref", "Source", "Says", title="Sources")
        for citation in view["citations"]:
            ref = safe(citation["source_ref"], "cyan")
            ref.append_text(private_mark(citation))
            source = safe(citation["title"])
            if citation.get("url") and citation["url"] != citation["title"]:
                source.append_text(safe(f"\n{citation['url']}", "dim"))
            shown.add_row(ref, source, Text(citation_words(citation), "italic"))
        parts.append(shown)
    else:
        parts.append(Text("no source cited yet", style="dim"))
    console.print(Group(*parts))


def print_change(console: Console, view: dict[str, Any]) -> None:
    """A change: when, by whom and through which command, then what it did."""
    state = " (purged)" if view["purged"] else " (undone)" if view["undone"] else ""
    title = Text.assemble((view["ref"], "bold cyan"), " ", safe(view["summary"]), (state, "dim"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, key in (("At (UTC)", "at"), ("User", "user"), ("Command", "command")):
        grid.add_row(label, safe(view[key]))
    for did in view["did"]:
        refs = ", ".join(did["refs"])
        more = did["count"] - len(did["refs"])
        if refs and more > 0:
            refs += f" and {more} more"
        line = f"{did['count']} {did['what']}" + (f": {refs}" if refs else "")
        grid.add_row(did["op"].capitalize(), safe(line))
    console.print(Panel(grid, title=title, title_align="left", box=box.ROUNDED))
