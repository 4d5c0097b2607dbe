"""The summary of one person, organisation or source (``cases show``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cases.dates import display_date
from cases.render.text import markers, plain, private_mark, safe, table


def _identity(record: dict[str, Any], fields: Sequence[tuple[str, Any]], status: Any) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    if status:
        held = status["custody"] and status["custody"]["kind"] in ("detained", "serving")
        grid.add_row("Status", safe(status["text"], "bold yellow" if held else "bold"))
    for label, value in fields:
        if value:
            grid.add_row(label, safe(value))
    name = record.get("name")
    title = Text.assemble((record["ref"], "bold cyan"), " ")
    if name:
        title.append_text(safe(name, "bold"))
    else:  # an unnamed person: the description, marked as one
        title.append_text(safe(f"[unnamed] {record.get('description') or ''}", "bold italic"))
    title.append_text(private_mark(record))
    title.append(" ")
    title.append_text(markers(record["sources"]))
    return Panel(grid, title=title, title_align="left", box=box.ROUNDED)


def _aliases(summary: dict[str, Any]) -> str:
    return "; ".join(
        plain(a["name"]) + (" (private)" if a["private"] else "") for a in summary["aliases"]
    )


def _section(title: str, rows: list[tuple[Any, ...]]) -> Table | None:
    if not rows:
        return None
    shown = table("Date", "Ref", "What", title=title)
    shown.expand = True
    shown.columns[0].no_wrap = True
    shown.columns[0].min_width = 11
    shown.columns[1].no_wrap = True
    shown.columns[-1].ratio = 1
    for row in rows:
        shown.add_row(*row)
    return shown


def _fact_cells(record: dict[str, Any], date_key: str, text: str) -> tuple[Text, Text, Text]:
    what = safe(text)
    what.append_text(private_mark(record))
    if record.get("note"):
        what.append("\n")
        what.append_text(safe(record["note"], "dim italic"))
    return (
        safe(display_date(record.get(date_key))),
        Text.assemble((record["ref"], "cyan"), " ", markers(record["sources"])),
        what,
    )


def _trial_text(trial: dict[str, Any], rulings: dict[str, dict[str, Any]]) -> str:
    place = f", {trial['place']}" if trial.get("place") else ""
    lines = [f"{trial.get('court') or 'a court not named'}{place}"]
    if trial.get("charge"):
        lines.append(f"charge: {trial['charge']}")
    for role in (
        "defendant",
        "plaintiff",
        "victim",
        "witness",
        "judge",
        "lawyer",
        "prosecutor",
        "other",
    ):
        names = [
            f"{p['name']}{' (private)' if p.get('private') else ''}"
            for p in trial["parties"]
            if p["role"] == role
        ]
        names += [named["name"] for named in trial.get(f"{role}s", ())]
        if names:
            label = role if len(names) == 1 else f"{role}s"
            lines.append(f"{label}: " + "; ".join(names))
    for label in ("case_number", "status"):
        if trial.get(label):
            lines.append(f"{label.replace('_', ' ')}: {trial[label]}")
    for ruling_ref in trial["rulings"]:
        ruling = rulings[ruling_ref]
        lines.append(f"→ {ruling_ref} {_ruling_text(ruling, dated=True)}")
        if ruling.get("note"):
            lines.append(f"  {ruling['note']}")
    return "\n".join(lines)


def _ruling_text(ruling: dict[str, Any], *, dated: bool = False) -> str:
    """A ruling's line: "appeal of R1: upheld", its sentence, plea, fine, court."""
    text = ruling["summary"]
    if ruling.get("court"):
        text += f" — {ruling['court']}"
    when = f" ({display_date(ruling['date'])})" if dated and ruling.get("date") else ""
    if ruling.get("appeal_of_ref"):
        return f"appeal of {ruling['appeal_of_ref']}: {text}{when}"
    return f"{display_date(ruling['date'])}: {text}" if dated and ruling.get("date") else text


def _relation_rows(relations: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            Text(""),
            Text.assemble((r["ref"], "cyan"), " ", markers(r["sources"])),
            Text.assemble(safe(f"{r['description']} ({r['other_ref']})"), private_mark(r)),
        )
        for r in relations
    ]


def _appearance_rows(appearances: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [_fact_cells(item, "date", item["description"]) for item in appearances]


def _event_rows(events: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    rows = []
    for event in events:
        text = str(event["kind"])
        if event.get("summary"):
            text += f": {event['summary']}"
        if event.get("place"):
            text += f" ({event['place']})"
        rows.append(_fact_cells(event, "date", text))
    return rows


def _sources(sources: Sequence[dict[str, Any]]) -> Table:
    shown = table("#", "Source", title="Sources")
    for source in sources:
        text = safe(source["title"], "bold")
        authors = "; ".join(source.get("authors") or [])
        details = [
            plain(v)
            for v in (authors, source.get("publisher"), display_date(source.get("date")))
            if v
        ]
        if details:
            text.append("\n" + ", ".join(details))
        if source.get("url"):
            text.append("\n" + plain(source["url"]), style="dim")
        text.append_text(private_mark(source))
        for cited in source.get("cited_for", []):
            text.append(f"\n  {cited['ref']}: {citation_words(cited)}", style="italic")
        shown.add_row(Text(f"[{source['number']}] {source['ref']}"), text)
    return shown


def citation_words(citation: dict[str, Any]) -> str:
    """What a citation says: “the quote”, p. PAGE, according to WHO."""
    said = []
    if citation.get("quote"):
        said.append(f"“{plain(citation['quote'])}”")
    if citation.get("page"):
        said.append(f"p. {plain(citation['page'])}")
    if citation.get("according_to"):
        said.append(f"according to {plain(citation['according_to'])}")
    return ", ".join(said)


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    """A person's or organisation's summary: identity (and a person's status),
    each kind of record, where they appear in others' records, then sources."""
    parts = _org_parts(summary) if "organisation" in summary else _person_parts(summary)
    if summary["sources"]:
        parts.append(_sources(summary["sources"]))
    console.print(Group(*parts))


def _person_parts(summary: dict[str, Any]) -> list[Any]:
    person = summary["person"]
    fields = [
        ("Described as", person.get("description") if person.get("name") else None),
        ("Aliases", _aliases(summary)),
        ("Sex", person.get("sex")),
        ("Born", display_date(person.get("born"))),
        ("Ethnicity", person.get("ethnicity")),
        ("Citizenship", person.get("citizenship")),
        ("Origin", person.get("origin")),
        ("Whereabouts", summary.get("last_whereabouts")),
        ("Note", person.get("note")),
    ]
    parts: list[Any] = [_identity(person, fields, summary["status"])]
    rulings = {r["ref"]: r for r in summary["rulings"]}
    in_trials = {ref for trial in summary["trials"] for ref in trial["rulings"]}
    sections = (
        ("Trials", [_fact_cells(t, "opened", _trial_text(t, rulings)) for t in summary["trials"]]),
        (
            "Rulings",
            [
                _fact_cells(r, "date", _ruling_text(r))
                for r in summary["rulings"]
                if r["ref"] not in in_trials
            ],
        ),
        (
            "Asylum",
            [
                _fact_cells(
                    a, "date", a["summary"] + (f" — {a['authority']}" if a.get("authority") else "")
                )
                for a in summary["asylum"]
            ],
        ),
        ("Detentions", [_detention_cells(d) for d in summary["detentions"]]),
        ("Events", _event_rows(summary["events"])),
        *_other_sections(summary),
        ("Relations", _relation_rows(summary["relations"])),
        ("Appears in", _appearance_rows(summary["appearances"])),
    )
    for title, rows in sections:
        section = _section(title, rows)
        if section is not None:
            parts.append(section)
    return parts


def _other_sections(summary: dict[str, Any]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """A section for the facts of each kind a summary lists by their line (those
    with no section of their own above), under the name the kind is listed by."""
    from cases.catalogue import FACTS

    found = []
    for declared in FACTS:
        kind, fact = declared.kind, declared.fact
        if kind is None or fact is None or not fact.in_timeline or kind.plural not in summary:
            continue
        if kind.plural in ("trials", "rulings", "asylum", "detentions", "events"):
            continue
        cells = [_fact_cells(item, fact.date, item["line"]) for item in summary[kind.plural]]
        found.append((kind.plural.capitalize(), cells))
    return found


def _detention_cells(detention: dict[str, Any]) -> tuple[Text, Text, Text]:
    kind = detention.get("kind") or "detention"
    where = f" in {detention['place']}" if detention.get("place") else ""
    by = f" ({detention['authority']})" if detention.get("authority") else ""
    if detention.get("end"):
        span = f", until {display_date(detention['end'])}"
    else:
        span = "" if detention.get("duration") else ", no end recorded"
    text = f"{kind}{where}{by}{span}: {detention['length']}"
    return _fact_cells(detention, "start", text)


def _org_parts(summary: dict[str, Any]) -> list[Any]:
    org = summary["organisation"]
    size = org.get("size")
    fields = [
        ("Aliases", _aliases(summary)),
        ("Kind", org.get("kind")),
        ("Country", org.get("country")),
        ("Size", f"about {size[1:]}" if size and size.startswith("~") else size),
        ("Part of", f"{org['part_of']} ({org['part_of_ref']})" if org.get("part_of") else None),
        ("Note", org.get("note")),
    ]
    parts: list[Any] = [_identity(org, fields, summary.get("status"))]
    for title, rows in (
        ("People and organisations", _relation_rows(summary["relations"])),
        ("Events", _event_rows(summary["events"])),
        ("Detentions", [_detention_cells(d) for d in summary.get("detentions", [])]),
        *_other_sections(summary),
        ("Takes part in", _appearance_rows(summary["appearances"])),
    ):
        section = _section(title, rows)
        if section is not None:
            parts.append(section)
    return parts


def print_source(console: Console, summary: dict[str, Any]) -> None:
    """A source: its details, what it relays and who relays it, then every
    record it supports with the words, page and attribution of each citation."""
    source = summary["source"]
    fields = [
        ("Authors", "; ".join(source.get("authors") or [])),
        ("Publisher", source.get("publisher")),
        ("Date", display_date(source.get("date"))),
        ("URL", source.get("url")),
        ("Language", source.get("language")),
        ("Accessed", display_date(source.get("accessed"))),
        ("Reliability", source.get("reliability")),
        (
            "Relays",
            f"{source['relays']} ({source['relays_ref']})" if source.get("relays") else None,
        ),
        ("Relayed by", "; ".join(f"{r['title']} ({r['ref']})" for r in summary["relayed_by"])),
        ("Note", source.get("note")),
    ]
    parts: list[Any] = [_identity({**source, "name": source["title"], "sources": []}, fields, None)]
    says = any(
        line.get(k) for line in summary["supports"] for k in ("quote", "page", "according_to")
    )
    shown = table("Ref", "About", "What", *(("Says",) if says else ()), title="Supports")
    for line in summary["supports"]:
        ref = safe(line["ref"], "cyan")
        ref.append_text(private_mark(line))
        what = safe(line["summary"])
        if line.get("date"):
            what = Text.assemble(safe(display_date(line["date"]), "dim"), " ", what)
        cells = [ref, safe(line.get("actor") or ""), what]
        shown.add_row(*cells, *((Text(citation_words(line), "italic"),) if says else ()))
    if summary["supports"]:
        parts.append(shown)
    else:
        parts.append(Text("supports no record yet", style="dim"))
    console.print(Group(*parts))
