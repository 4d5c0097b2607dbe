"""Publishing: a database for reading with Datasette, written through the privacy filter.

``publish`` writes ``DIR/cases.db`` and ``DIR/metadata.json``. The database
holds what an export would write and nothing else (no change log, no name
keys, no search internals of the cases file): each catalogue table streamed
through :class:`~cases.privacy.PrivacyFilter` inside one read snapshot, with
readable ids and foreign keys, a ``label`` where a record has no name of its
own, full-text search and a ``timeline`` view. The metadata describes every
table and column (from the catalogue), and says how links read, what to facet
by and what to search. ``serve`` runs Datasette on that, on 127.0.0.1 only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cases import __version__
from cases.catalogue import (
    FACTS,
    TABLE,
    TABLES,
)
from cases.csv_io import replacing_files, text_file
from cases.db.connection import Store
from cases.db.publish import Publication
from cases.errors import Invalid
from cases.outputs import refuse_folder
from cases.privacy import PrivacyFilter
from cases.service.publish_layout import WITH_ALIASES, Layout, timeline_facts
from cases.service.transfer import refuse_overwrite

DATABASE = "cases.db"
METADATA = "metadata.json"
# Datasette names a database after its file.
DATABASE_NAME = "cases"

# Tables whose records are found by full-text search: every kind of record with
# a searchable field.
SEARCHED = tuple(table.name for table in TABLES if table.kind is not None and table.search_fields)

TIMELINE_DESCRIPTION = (
    "Every fact in date order (by day, then latest day): "
    + ", ".join(t.counted(2).partition(" ")[2] for t in FACTS if t.fact and t.fact.in_timeline)
    + ", one row for each person or organisation involved. Open a fact from its table "
    "(fact, fact_id) to see its sources."
)
TIMELINE_COLUMN_DESCRIPTIONS = {
    "day": "The day it is placed by: the earliest day its date can be, or for an open "
    "start (before ...) the latest; undated when it has no date.",
    "date": "When: a day, month or year, approximate (~), uncertain (?), open-ended "
    "(before, after) or a range (/).",
    "kind": "What happened: "
    + ", ".join(k for t in FACTS if t.fact and t.fact.in_timeline for k in t.fact.kinds)
    + ", or the kind of event.",
    "actor": "The person or organisation involved.",
    "role": "Their part in it: subject, or their role in the trial or the event.",
    "what": "The fact in words.",
    "place": "Where (for an asylum decision, the country).",
    "fact": "The table the fact is in.",
    "fact_id": "Its id in that table.",
    "person_id": "The id of the person involved, in people.",
    "org_id": "The id of the organisation involved, in organisations.",
    "earliest": "The earliest day the date can be (ISO; empty when open-ended).",
    "latest": "The latest day the date can be (ISO; empty when open-ended).",
}


# Datasette lists the description of every column above a table, one a line,
# which hides the table below the fold: two a line, smaller. A data: URL keeps
# the publication two files.
STYLE = (
    "dl.column-descriptions{display:grid;grid-template-columns:max-content 1fr max-content 1fr;"
    "gap:.1em 1em;font-size:.85em;line-height:1.3}"
    "dl.column-descriptions dd{margin:0;padding:0;white-space:normal}"
    "@media (max-width:800px){dl.column-descriptions{grid-template-columns:max-content 1fr}}"
    # a uid is for copying, not reading; dates stay on one line
    "td.col-uid{font-size:.75em;white-space:nowrap;color:#666}"
    'td[class*="_earliest"],td[class*="_latest"],td.col-earliest,td.col-latest'
    "{white-space:nowrap}"
    # a citation's source and words, not its mostly empty links, take the width
    "body.table-citations td.col-source_id,body.table-citations td.col-quote{min-width:16em}"
)


# -- the layout of each published table -----------------------------------------


# -- labels: how a record reads where another links to it -------------------------


# -- publish ---------------------------------------------------------------------


def publish(
    store: Store,
    folder: Path,
    *,
    include_private: bool = False,
    title: str | None = None,
    force: bool = False,
) -> dict[str, int]:
    """Write FOLDER/cases.db and FOLDER/metadata.json from one snapshot of the
    database, through the privacy filter; both appear together, only when
    complete (mode 0600). Returns the number of rows of each table."""
    refuse_folder(folder, store.path)
    targets = [folder / DATABASE, folder / METADATA]
    refuse_overwrite(store, targets, force)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise Invalid(f"cannot create {folder}: {error.strerror}") from None
    layouts = [Layout(table, include_private) for table in TABLES]
    with store.snapshot(), replacing_files(targets) as (database, metadata):
        visible = PrivacyFilter(store, include_private=include_private)
        publication = Publication(database)
        try:
            counts = _write(publication, visible, layouts)
            publication.finish()
        except BaseException:
            publication.abandon()
            raise
        document = _metadata(layouts, counts, include_private=include_private, title=title)
        with text_file(metadata) as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        visible.note_public_mentions()
    return counts


def _write(
    publication: Publication, visible: PrivacyFilter, layouts: Sequence[Layout]
) -> dict[str, int]:
    counts = {}
    for layout in layouts:
        table = layout.table.name
        counts[table] = publication.add_table(
            table,
            layout.columns,
            layout.rows(visible.rows(layout.table)),
        )
        publication.index(table, [*layout.links, *([layout.sort] if layout.sort else [])])
        if table == "aliases":
            for owner, link in WITH_ALIASES.items():
                publication.collect_names(owner, "aliases", "aliases", link)
    for layout in layouts:
        if layout.table.name in SEARCHED:
            publication.enable_search(layout.table.name, layout.searched())
    publication.create_timeline(timeline_facts())
    return counts


def _metadata(
    layouts: Sequence[Layout],
    counts: dict[str, int],
    *,
    include_private: bool,
    title: str | None,
) -> dict[str, Any]:
    today = dt.date.today().isoformat()

    listed = [
        table.counted(counts.get(table.name, 0))
        for table in TABLES
        if table.kind is not None
        and table.name != "sources"
        and (table.fact is None or table.fact.in_timeline)
    ]
    summary = (
        f"Published {today} with cases: {', '.join(listed)}, from "
        f"{TABLE['sources'].counted(counts.get('sources', 0))}. Every record links to its "
        "sources: open a record, then its citations."
    )
    if include_private:
        summary += " This publication INCLUDES PRIVATE RECORDS: do not share it."
    else:
        summary += " Records marked private, and whatever would reveal them, are left out."
    tables: dict[str, Any] = {}
    for layout in layouts:
        name = layout.table.name
        entry: dict[str, Any] = {
            "description": layout.table.description,
            "label_column": layout.label_column,
            "columns": layout.described(),
            "sortable_columns": layout.sortable(),
        }
        facets = layout.facets()
        if facets:
            entry["facets"] = facets
        if layout.sort:
            entry["sort"] = layout.sort
        if name in SEARCHED:
            entry.update({"fts_table": f"{name}_fts", "fts_pk": "id", "searchmode": "escaped"})
        tables[name] = entry
    tables["timeline"] = {
        "description": TIMELINE_DESCRIPTION,
        "columns": TIMELINE_COLUMN_DESCRIPTIONS,
        "facets": ["kind", "role"],
    }
    tables["timeline_entries"] = {
        "description": "The rows of the timeline view, written in its order: read the view.",
        "columns": TIMELINE_COLUMN_DESCRIPTIONS,
        "hidden": True,
    }
    shown_title = title or ("Cases (with private records)" if include_private else "Cases")
    return {
        "title": shown_title,
        "description": summary,
        "source": f"cases {__version__}",
        "extra_css_urls": ["data:text/css," + quote(STYLE)],
        "databases": {
            DATABASE_NAME: {"title": shown_title, "description": summary, "tables": tables}
        },
    }


# -- serve -----------------------------------------------------------------------
