"""The chart as a picture: an SVG document (no scripts), or one self-contained HTML
page holding it. Standard library only; every text from the database is escaped
and stripped of characters XML cannot hold.

One row per actor: detentions and asylum-seeker periods are bars (hatched where
a date is uncertain, fading where it is open), rulings, asylum decisions and
events are markers (a diamond, a triangle, a circle; hollow where the actor
took part in someone else's fact; a whisker where the date is a range). Every
bar and marker carries a <title>, which viewers show as a tooltip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from cases.dates import display_date
from cases.render.chart_layout import (
    ASYLUM_HEIGHT,
    DETENTION_HEIGHT,
    FIRST_DAY,
    FONT,
    LABEL_LIMIT,
    LANE_GAP,
    LAST_DAY,
    MARGIN,
    MARKER_LANE,
    PRIVATE_COLOUR,
    ROW_GAP,
    WIDTH,
    Scale,
    attribute,
    day_number,
    draw_axis,
    escaped,
    num,
    place_row,
    shortened,
    text_width,
)
from cases.render.chart_marks import (
    defs,
    draw_bar,
    draw_legend,
    draw_marker,
)

if TYPE_CHECKING:
    from cases.service.chart import Chart


# -- the axis ----------------------------------------------------------------------


# -- bars and markers --------------------------------------------------------------


# -- the legend -----------------------------------------------------------------------


# -- the whole picture -------------------------------------------------------------------


def _heading(chart: Chart) -> tuple[str, str]:
    people = sum(1 for row in chart.rows if row.kind == "person")
    orgs = len(chart.rows) - people
    counted = [
        f"{people} {'person' if people == 1 else 'people'}" if people else "",
        f"{orgs} organisation{'s' if orgs != 1 else ''}" if orgs else "",
    ]
    who = " and ".join(c for c in counted if c) or "nobody"
    title = f"Facts in time: {who}"
    span = f"{display_date(chart.first)} – {display_date(chart.last)}"
    found = (
        f" · the first {len(chart.rows)} of {chart.actors_found:,} by their first fact"
        if chart.actors_found
        else ""
    )
    return title, f"{span}{found} · drawn {display_date(chart.today)}"


def svg(chart: Chart, *, standalone: bool = True) -> str:
    """The chart as an SVG document (STANDALONE: with its XML declaration)."""
    rows = chart.rows
    longest = max(
        (text_width(row.name + (" (private)" if row.private else "")) for row in rows), default=80
    )
    label_width = min(LABEL_LIMIT, max(120.0, longest + 8))
    left = MARGIN + label_width + 12
    right = WIDTH - MARGIN
    first, last = day_number(chart.first), day_number(chart.last)
    span = max(30, last - first)
    pad = max(4, round(span * 0.02))
    lead = 0 if chart.explicit_first else pad
    open_end = any(bar.open_end for row in rows for bar in row.bars)
    trail = 0 if chart.explicit_last else (max(pad * 3, 20) if open_end else pad)
    if last - first < 30 and not (chart.explicit_first and chart.explicit_last):
        extra = 30 - (last - first)
        lead, trail = lead + extra // 2, trail + extra - extra // 2
    # padding stops at the first and last days a date can be
    scale = Scale(max(FIRST_DAY, first - lead), min(LAST_DAY, last + trail), left, right)

    title, subtitle = _heading(chart)
    body: list[str] = []
    y: float = MARGIN + 18
    body.append(
        f'<text class="title" x="{MARGIN}" y="{num(y)}" font-size="19" font-weight="bold" '
        f'fill="#111">{escape(title)}</text>'
    )
    y += 20
    body.append(
        f'<text class="subtitle" x="{MARGIN}" y="{num(y)}" font-size="12.5" fill="#555">'
        f"{escape(subtitle)}</text>"
    )
    y += 18
    if chart.include_private:
        body.append(
            f'<text class="warning" x="{MARGIN}" y="{num(y)}" font-size="13" font-weight="bold" '
            f'fill="{PRIVATE_COLOUR}">Includes private records: keep this file to yourself.</text>'
        )
    else:
        body.append(
            f'<text class="privacy" x="{MARGIN}" y="{num(y)}" font-size="12.5" fill="#555">'
            "Private records are left out. Point at a bar or marker for what it is.</text>"
        )
    y += 14
    legend, legend_height = draw_legend(chart, MARGIN, y, WIDTH - 2 * MARGIN)
    body += legend
    y += legend_height + 44

    axis_top = y
    placed = [place_row(row, scale) for row in rows]
    rows_svg: list[str] = ['<g class="rows">']
    row_y: float = axis_top + 6
    for index, (row, layout) in enumerate(zip(rows, placed, strict=True)):
        height = layout.height
        classes = f"row {row.kind}" + (" private" if row.private else "")
        rows_svg.append(f'<g class="{classes}">')
        if index % 2 == 1:
            rows_svg.append(
                f'<rect class="band" x="{MARGIN}" y="{num(row_y)}" width="{WIDTH - 2 * MARGIN}" '
                f'height="{num(height)}" fill="#000" fill-opacity="0.045"/>'
            )
        name = row.name + (" (private)" if row.private else "")
        shown = shortened(name, label_width)
        full = f"<title>{escaped(name)}</title>" if shown != name else ""
        rows_svg.append(
            f'<text class="row-label" x="{MARGIN + 4}" y="{num(row_y + height / 2 + 4.5)}" '
            f'font-size="13" fill="{PRIVATE_COLOUR if row.private else "#111"}">{full}{escaped(shown)}</text>'
        )
        bar_top = row_y + 6 + layout.marker_lanes * MARKER_LANE
        for bar, lane in layout.bars:
            if bar.kind == "detention":
                bar_y = bar_top + lane * (DETENTION_HEIGHT + LANE_GAP)
                rows_svg += draw_bar(bar, scale, bar_y, DETENTION_HEIGHT)
            else:
                bar_y = bar_top + layout.detention_lanes * (DETENTION_HEIGHT + LANE_GAP)
                bar_y += lane * (ASYLUM_HEIGHT + LANE_GAP)
                rows_svg += draw_bar(bar, scale, bar_y, ASYLUM_HEIGHT)
        for marker, lane, at, lo, hi in layout.markers:
            marker_y = row_y + 4 + MARKER_LANE / 2 + lane * MARKER_LANE
            rows_svg += draw_marker(marker, scale, marker_y, at, lo, hi)
        rows_svg.append("</g>")
        row_y += height + ROW_GAP
    rows_svg.append("</g>")
    bottom = row_y + 2
    body += draw_axis(scale, axis_top, bottom)
    body += rows_svg
    if len(rows) > 12:
        # a long chart repeats its axis at the foot
        body += draw_axis(scale, bottom, bottom, below=True)
        bottom += 36
    if not rows:
        body.append(
            f'<text x="{num(left)}" y="{num(axis_top + 30)}" font-size="13" fill="#555">'
            "Nothing to draw: no dated fact in this window.</text>"
        )
        bottom += 40
    height = bottom + MARGIN
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{num(height)}" '
        f'viewBox="0 0 {WIDTH} {num(height)}" role="img" font-family={attribute(FONT)}>'
        f"<title>{escape(title)}</title><desc>{escape(subtitle)}</desc>\n"
        + "\n".join([*defs(), f'<rect width="{WIDTH}" height="{num(height)}" fill="#fff"/>', *body])
        + "\n</svg>\n"
    )


def html(chart: Chart) -> str:
    """One self-contained HTML page: the SVG inline and the facts drawn as a list.
    It loads nothing (its content security policy forbids it) and runs no script."""
    title, subtitle = _heading(chart)
    facts = []
    for row in chart.rows:
        items = [bar.title for bar in row.bars] + [marker.title for marker in row.markers]
        listed = "".join(f"<li>{escaped(item)}</li>" for item in items)
        name = row.name + (" (private)" if row.private else "")
        facts.append(f"<h3>{escaped(name)}</h3><ul>{listed}</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>body{font-family:" + FONT + ";margin:16px;color:#111}"
        "svg{max-width:100%;height:auto}h3{font-size:15px;margin:14px 0 4px}"
        "ul{margin:0;padding-left:20px;font-size:13px}summary{cursor:pointer;font-size:14px}"
        "</style></head><body>\n"
        + svg(chart, standalone=False)
        + f"<details><summary>The facts drawn ({escape(subtitle)})</summary>\n"
        + "\n".join(facts)
        + "\n</details>\n</body></html>\n"
    )
