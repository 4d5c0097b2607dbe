"""A chart's marks: the bars (solid, hatched where uncertain, fading where open),
the markers (a shape per kind of fact, hollow where the actor took part in
someone else's fact, a whisker where the date is a range) and the legend."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from cases.render.chart_layout import (
    ASYLUM_HEIGHT,
    BAR_COLOURS,
    BAR_NAMES,
    DETENTION_HEIGHT,
    FADE_IN,
    PRIVATE_COLOUR,
    Scale,
    colour_of,
    day_number,
    escaped,
    extent,
    num,
    text_width,
)

if TYPE_CHECKING:
    from cases.service.chart import Chart
    from cases.service.chart_rows import Bar, Marker


def defs() -> list[str]:
    parts = ["<defs>"]
    for kind, colour in BAR_COLOURS.items():
        parts.append(
            f'<pattern id="hatch-{kind}" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{colour}" '
            f'fill-opacity="0.18"/><line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" '
            'stroke-width="3"/></pattern>'
        )
        for name, (x1, x2) in (("out", ("0", "1")), ("in", ("1", "0"))):
            parts.append(
                f'<linearGradient id="fade-{name}-{kind}" x1="{x1}" y1="0" x2="{x2}" y2="0">'
                f'<stop offset="0" stop-color="{colour}" stop-opacity="0.85"/>'
                f'<stop offset="1" stop-color="{colour}" stop-opacity="0"/></linearGradient>'
            )
    parts.append("</defs>")
    return parts


def draw_bar(bar: Bar, scale: Scale, y: float, height: float) -> list[str]:
    colour = BAR_COLOURS[bar.kind]
    kind = bar.kind + (" private" if bar.private else "")
    parts = [f'<g class="bar {kind}"><title>{escaped(bar.title)}</title>']
    drawn = [p for p in bar.pieces if not (p.first and p.last and p.first == p.last)]
    for piece in drawn or bar.pieces:
        if piece.first is None:
            right = scale.x(str(piece.last))
            left, fill = right - FADE_IN, f"url(#fade-in-{bar.kind})"
        elif piece.last is None:
            left, right, fill = scale.x(piece.first), scale.right, f"url(#fade-out-{bar.kind})"
        else:
            left, right = scale.x(piece.first), scale.x(piece.last)
            fill = colour if piece.style == "solid" else f"url(#hatch-{bar.kind})"
        left, right = scale.clamp(left), scale.clamp(right)
        if right - left < 2:
            left, right = left - 1, left + 1
        parts.append(
            f'<rect class="piece {piece.style}" x="{num(left)}" y="{num(y)}" '
            f'width="{num(right - left)}" height="{height}" fill="{fill}"/>'
        )
    if bar.private:
        left, right = extent(bar, scale)
        parts.append(
            f'<rect class="private-outline" x="{num(left - 1.5)}" y="{num(y - 1.5)}" '
            f'width="{num(right - left + 3)}" height="{height + 3}" fill="none" '
            f'stroke="{PRIVATE_COLOUR}" stroke-width="1.5" stroke-dasharray="4 2"/>'
        )
    solid = [p for p in bar.pieces if p.style == "solid" and p.first and p.last]
    if bar.label and solid:
        longest = max(solid, key=lambda p: day_number(str(p.last)) - day_number(str(p.first)))
        left = scale.clamp(scale.x(str(longest.first)))
        right = scale.clamp(scale.x(str(longest.last)))
        if right - left >= text_width(bar.label, 9) + 8:
            parts.append(
                f'<text x="{num((left + right) / 2)}" y="{num(y + height - 2.5)}" font-size="9" '
                f'fill="#fff" text-anchor="middle">{escaped(bar.label)}</text>'
            )
    parts.append("</g>")
    return parts


def shape(kind: str, x: float, y: float, fill: str, stroke: str, width: float) -> str:
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"'
    if kind == "ruling":
        s = 6.0
        return (
            f'<path d="M{num(x)} {num(y - s)}L{num(x + s)} {num(y)}L{num(x)} {num(y + s)}'
            f'L{num(x - s)} {num(y)}Z" {paint}/>'
        )
    if kind == "asylum":
        s = 5.5
        return (
            f'<path d="M{num(x)} {num(y - s)}L{num(x + s)} {num(y + s * 0.8)}'
            f'L{num(x - s)} {num(y + s * 0.8)}Z" {paint}/>'
        )
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="4.6" {paint}/>'


def draw_marker(
    marker: Marker, scale: Scale, y: float, at: float, lo: float, hi: float
) -> list[str]:
    colour = colour_of(marker.family)
    kind = f"marker {marker.kind} {marker.family}" + (" taking-part" if marker.role else "")
    parts = [f'<g class="{kind}"><title>{escaped(marker.title)}</title>']
    if hi - lo >= 3:
        dash = "" if marker.earliest and marker.latest else ' stroke-dasharray="3 2"'
        lo_c, hi_c = scale.clamp(lo), scale.clamp(hi)
        parts.append(
            f'<line class="range" x1="{num(lo_c)}" y1="{num(y)}" x2="{num(hi_c)}" y2="{num(y)}" '
            f'stroke="{colour}" stroke-opacity="0.45" stroke-width="1.4"{dash}/>'
        )
        for end, known in ((lo, marker.earliest), (hi, marker.latest)):
            if known and scale.left <= end <= scale.right:
                parts.append(
                    f'<line x1="{num(end)}" y1="{num(y - 3.5)}" x2="{num(end)}" y2="{num(y + 3.5)}" '
                    f'stroke="{colour}" stroke-opacity="0.45" stroke-width="1.4"/>'
                )
    if not scale.left - 0.5 <= at <= scale.right + 0.5:
        # the middle of its range is outside the window: only the whisker shows
        pass
    elif marker.role:
        parts.append(shape(marker.kind, at, y, "#fff", colour, 1.8))
    else:
        outline = PRIVATE_COLOUR if marker.private else "#fff"
        parts.append(shape(marker.kind, at, y, colour, outline, 1.8 if marker.private else 1))
    parts.append("</g>")
    return parts


def legend_items(chart: Chart) -> list[tuple[str, str]]:
    """(swatch SVG drawn at 0,0 within 24x14, label) for what the chart uses."""
    bars = {bar.kind for row in chart.rows for bar in row.bars}
    styles = {p.style for row in chart.rows for bar in row.bars for p in bar.pieces}
    open_start = any(p.first is None for row in chart.rows for b in row.bars for p in b.pieces)
    used = {(m.kind, m.family) for row in chart.rows for m in row.markers}
    items = []
    for kind in ("detention", "asylum"):
        if kind in bars:
            height = DETENTION_HEIGHT if kind == "detention" else ASYLUM_HEIGHT
            items.append(
                (
                    f'<rect y="{num(7 - height / 2)}" width="24" height="{height}" '
                    f'fill="{BAR_COLOURS[kind]}"/>',
                    BAR_NAMES[kind],
                )
            )
    kind = "detention" if "detention" in bars else "asylum"
    if "uncertain" in styles:
        items.append(
            (
                f'<rect y="1" width="24" height="12" fill="url(#hatch-{kind})"/>',
                "hatched: date uncertain (it falls somewhere in it)",
            )
        )
    if "open" in styles:
        words = "fading: no end recorded" + (", or start unknown" if open_start else "")
        items.append((f'<rect y="1" width="24" height="12" fill="url(#fade-out-{kind})"/>', words))
    for kind, group, meaning in chart.legend:
        if (kind, group) in used:
            items.append((shape(kind, 12, 7, colour_of(group), "#fff", 1), meaning))
    if any(m.role for row in chart.rows for m in row.markers):
        items.append(
            (shape("event", 12, 7, "#fff", "#555", 1.8), "hollow: took part (not the subject)")
        )
    private = any(b.private for row in chart.rows for b in row.bars)
    private = private or any(m.private for row in chart.rows for m in row.markers)
    if private:
        items.append(
            (
                f'<rect x="1" y="2" width="22" height="10" fill="none" stroke="{PRIVATE_COLOUR}" '
                'stroke-width="1.5" stroke-dasharray="4 2"/>',
                "dashed pink outline: a private record",
            )
        )
    if any((m.earliest != m.latest) for row in chart.rows for m in row.markers):
        items.append(
            (
                '<line x1="1" y1="7" x2="23" y2="7" stroke="#555" stroke-width="1.6"/>'
                '<line x1="1" y1="3.5" x2="1" y2="10.5" stroke="#555" stroke-width="1.6"/>'
                '<line x1="23" y1="3.5" x2="23" y2="10.5" stroke="#555" stroke-width="1.6"/>'
                + shape("event", 12, 7, "#555", "#fff", 1),
                "whisker: date known only within a range",
            )
        )
    return items


def draw_legend(chart: Chart, x0: float, y0: float, room: float) -> tuple[list[str], float]:
    items = legend_items(chart)
    parts = ['<g class="legend" font-size="12" fill="#333">']
    column = max((text_width(label, 12) for _, label in items), default=0) + 40
    columns = max(1, int(room // column))
    column = room / columns if columns > 1 else column
    for index, (swatch, label) in enumerate(items):
        x = x0 + (index % columns) * column
        y = y0 + (index // columns) * 20
        parts.append(
            f'<g class="legend-item" transform="translate({num(x)},{num(y)})">{swatch}'
            f'<text x="32" y="11">{escape(label)}</text></g>'
        )
    parts.append("</g>")
    rows = -(-len(items) // columns) if items else 0
    return parts, rows * 20
