"""The only module that imports Rich: tables, panels, the timeline and errors.

Every value from the database is wrapped in :class:`rich.text.Text` after
control characters are stripped, so markup in a name (``[/bold]``) is shown
as typed and an escape sequence in a note never reaches the terminal.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cases.dates import display_date


def make_console(file: TextIO | None = None, width: int | None = None) -> Console:
    """A console that follows the terminal (width, colour, NO_COLOR); WIDTH for tests."""
    return Console(file=file, width=width, highlight=False, soft_wrap=False)


def plain(value: Any) -> str:
    """Text safe for a terminal: control characters (escapes, CR...) removed."""
    if value is None:
        return ""
    text = str(value)
    return "".join(ch for ch in text if ch == "\n" or not unicodedata.category(ch).startswith("C"))


def safe(value: Any, style: str = "") -> Text:
    """A database value as Rich Text: never parsed as markup."""
    return Text(plain(value), style=style)


def emit_json(document: Any, file: TextIO | None = None) -> None:
    """Print JSON only (UTF-8, no colour) to stdout."""
    out = file or sys.stdout
    out.write(json.dumps(document, ensure_ascii=False, indent=2))
    out.write("\n")


def print_error(message: str, hints: Sequence[str] = ()) -> None:
    """``Error: ...`` on one line of stderr, hints after it; control characters stripped."""
    lines = [f"Error: {plain(message).replace(chr(10), ' ')}", *(plain(h) for h in hints)]
    sys.stderr.write("\n".join(lines) + "\n")


def print_notice(message: str) -> None:
    """A one-line remark on stderr (does not disturb JSON on stdout)."""
    sys.stderr.write(plain(message) + "\n")


def _markers(numbers: Iterable[Any]) -> Text:
    return Text("".join(f"[{n}]" for n in numbers), style="dim")


def _private_mark(record: dict[str, Any]) -> Text:
    return Text(" (private)", style="magenta") if record.get("private") else Text("")


def print_added(console: Console, ref: str, summary: str) -> None:
    """The line an ``add`` prints: reference and one-line summary."""
    line = Text.assemble((ref, "bold cyan"), " ", safe(summary))
    console.print(line)


def _table(*columns: str, title: str | None = None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def print_records(
    console: Console, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]
) -> None:
    """A list of records as one table: COLUMNS are (heading, key) pairs."""
    if not rows:
        console.print(Text("nothing recorded", style="dim"))
        return
    table = _table(*(heading for heading, _ in columns))
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
                cell.append_text(_private_mark(row))
            cells.append(cell)
        table.add_row(*cells)
    console.print(table)


def _identity(summary: dict[str, Any]) -> Panel:
    person = summary["person"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    fields = [
        (
            "Aliases",
            "; ".join(
                plain(a["name"]) + (" (private)" if a["private"] else "")
                for a in summary["aliases"]
            ),
        ),
        ("Sex", person.get("sex")),
        ("Born", display_date(person.get("born"))),
        ("Ethnicity", person.get("ethnicity")),
        ("Citizenship", person.get("citizenship")),
        ("Origin", person.get("origin")),
        ("Note", person.get("note")),
    ]
    status = summary["status"]
    grid.add_row(
        "Status", safe(status["text"], "bold yellow" if status["kind"] == "detained" else "bold")
    )
    for label, value in fields:
        if value:
            grid.add_row(label, safe(value))
    title = Text.assemble((person["ref"], "bold cyan"), " ", safe(person["name"], "bold"))
    title.append_text(_private_mark(person))
    title.append(" ")
    title.append_text(_markers(person["sources"]))
    return Panel(grid, title=title, title_align="left", box=box.ROUNDED)


def _section(title: str, rows: list[tuple[Any, ...]], columns: Sequence[str]) -> Table | None:
    if not rows:
        return None
    table = _table(*columns, title=title)
    table.expand = True
    table.columns[0].no_wrap = True
    table.columns[0].min_width = 11
    table.columns[1].no_wrap = True
    table.columns[-1].ratio = 1
    for row in rows:
        table.add_row(*row)
    return table


def _fact_cells(record: dict[str, Any], date_key: str, text: str) -> tuple[Text, Text, Text]:
    what = safe(text)
    what.append_text(_private_mark(record))
    if record.get("note"):
        what.append("\n")
        what.append_text(safe(record["note"], "dim italic"))
    return (
        safe(display_date(record.get(date_key))),
        Text.assemble((record["ref"], "cyan"), " ", _markers(record["sources"])),
        what,
    )


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    """The per-person summary: identity and status, then each kind of record, then sources."""
    parts: list[Any] = [_identity(summary)]
    trial_rows = []
    rulings_by_ref = {r["ref"]: r for r in summary["rulings"]}
    for trial in summary["trials"]:
        place = f", {trial['place']}" if trial.get("place") else ""
        lines = [f"{trial['court']}{place}"]
        if trial.get("charge"):
            lines.append(f"charge: {trial['charge']}")
        others = [
            f"{p['name']} ({p['role']}{', private' if p.get('private') else ''})"
            for p in trial["parties"]
        ]
        lines.append("parties: " + "; ".join(others))
        for label in ("judge", "lawyer", "case_number", "status"):
            if trial.get(label):
                lines.append(f"{label.replace('_', ' ')}: {trial[label]}")
        for ruling_ref in trial["rulings"]:
            ruling = rulings_by_ref[ruling_ref]
            lines.append(f"→ {ruling_ref} {display_date(ruling['date'])}: {ruling['summary']}")
        trial_rows.append(_fact_cells(trial, "opened", "\n".join(lines)))
    in_trials = {ref for trial in summary["trials"] for ref in trial["rulings"]}
    ruling_rows = [
        _fact_cells(r, "date", r["summary"])
        for r in summary["rulings"]
        if r["ref"] not in in_trials
    ]
    asylum_rows = [
        _fact_cells(
            a, "date", f"{a['summary']}" + (f" — {a['authority']}" if a.get("authority") else "")
        )
        for a in summary["asylum"]
    ]
    detention_rows = []
    for detention in summary["detentions"]:
        kind = detention.get("kind") or "detention"
        where = f" in {detention['place']}" if detention.get("place") else ""
        if detention.get("end"):
            span = f"until {display_date(detention['end'])}"
            length = (
                f"{detention['days']} days"
                if detention["days"] is not None
                else "length approximate"
            )
        else:
            span, length = "still held", f"since {display_date(detention['start'])}"
        detention_rows.append(_fact_cells(detention, "start", f"{kind}{where}, {span} ({length})"))
    event_rows = []
    for event in summary["events"]:
        text = event["kind"]
        if event.get("summary"):
            text += f": {event['summary']}"
        if event.get("place"):
            text += f" ({event['place']})"
        event_rows.append(_fact_cells(event, "date", text))
    relation_rows = [
        (
            Text(""),
            Text.assemble((r["ref"], "cyan"), " ", _markers(r["sources"])),
            Text.assemble(safe(f"{r['description']} ({r['other_ref']})"), _private_mark(r)),
        )
        for r in summary["relations"]
    ]
    columns = ("Date", "Ref", "What")
    for title, rows in (
        ("Trials", trial_rows),
        ("Rulings", ruling_rows),
        ("Asylum", asylum_rows),
        ("Detentions", detention_rows),
        ("Events", event_rows),
        ("Relations", relation_rows),
    ):
        section = _section(title, rows, columns)
        if section is not None:
            parts.append(section)
    if summary["sources"]:
        sources = _table("#", "Source", title="Sources")
        for source in summary["sources"]:
            text = safe(source["title"], "bold")
            details = [
                plain(v) for v in (source.get("publisher"), display_date(source.get("date"))) if v
            ]
            if details:
                text.append("\n" + ", ".join(details))
            if source.get("url"):
                text.append("\n" + plain(source["url"]), style="dim")
            text.append_text(_private_mark(source))
            sources.add_row(Text(f"[{source['number']}] {source['ref']}"), text)
        parts.append(sources)
    console.print(Group(*parts))


def print_timeline(console: Console, items: Sequence[dict[str, Any]]) -> None:
    """One chronological table: date, ref, person, what happened, sources."""
    if not items:
        console.print(Text("no facts match", style="dim"))
        return
    table = _table("Date", "Ref", "Person", "What happened", "Sources")
    table.expand = True
    date_column, ref_column, person_column, what_column, sources_column = table.columns
    # Fixed narrow columns leave the rest to "What happened", even at 80 columns.
    date_column.min_width = 11
    date_column.max_width = 12 if console.width < 100 else 20
    ref_column.no_wrap = True
    person_column.width = 14 if console.width < 100 else 24
    what_column.ratio = 1
    sources_column.max_width = 5 if console.width < 100 else 12
    if console.width < 100:
        sources_column.header = "Src"
    for item in items:
        what = safe(item["summary"])
        what.append_text(_private_mark(item))
        table.add_row(
            safe(display_date(item["date"]) or "undated", "" if item["date"] else "dim"),
            safe(item["ref"], "cyan"),
            Text.assemble(safe(item["person"]), " ", (item["person_ref"], "dim")),
            what,
            safe(" ".join(item["sources"]), "dim"),
        )
    console.print(table)


def print_stats(console: Console, figures: dict[str, Any]) -> None:
    """Counts as a two-column table, grouped counts as 'value: n' lists."""
    table = _table("What", "Count")
    for key, value in figures.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items() if v) or "none"
            table.add_row(key.replace("_", " "), shown)
        else:
            table.add_row(key.replace("_", " "), str(value))
    console.print(table)
