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

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from cases.dates import display_date

if TYPE_CHECKING:
    from cases.service.chart import Bar, Chart, ChartRow, Marker

WIDTH = 1280
MARGIN = 16
FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
CHAR = 7.4  # the width of an average character of 13px text, for layout
ROW_GAP = 4
MARKER_LANE = 15
DETENTION_HEIGHT = 12
ASYLUM_HEIGHT = 7
LANE_GAP = 3
FADE_IN = 36  # pixels of fading in before a start known only as "before X"
LABEL_LIMIT = 300
MARKER_LANES = 4  # at most; more markers at once overlap
OPEN_WHISKER = 18  # pixels of dashed whisker on the open side of "before X", "after X"

PRIVATE_COLOUR = "#c51b7d"
BAR_COLOURS = {"detention": "#b2182b", "asylum": "#2166ac"}
BAR_NAMES = {"detention": "detention", "asylum": "asylum-seeker period"}
# A marker's colour, by the group its word belongs to (vocabularies declare the
# groups); a group this does not know is drawn grey.
GROUP_COLOURS = {
    "convicted": "#1a1a1a",
    "cleared": "#1b9e77",
    "protected": "#2166ac",
    "refused": "#e08214",
    "pending": "#6baed6",
    "custody": "#b2182b",
    "release": "#1b9e77",
    "movement": "#e69f00",
    "voice": "#7b3294",
}
OTHER_COLOUR = "#8c8c8c"


def _colour(group: str) -> str:
    return GROUP_COLOURS.get(group, OTHER_COLOUR)


def _clean(value: Any) -> str:
    """Text XML can hold: control and other unassigned characters removed."""
    text = "" if value is None else str(value)
    return "".join(
        " " if ch in "\n\t\r" else ch
        for ch in text
        if ch in "\n\t\r" or not unicodedata.category(ch).startswith("C")
    )


def _text(value: Any) -> str:
    return escape(_clean(value))


def _attr(value: Any) -> str:
    return quoteattr(_clean(value))


def _day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def _width(text: str, size: float = 13) -> float:
    """About how wide TEXT is at SIZE pixels (wide characters count double)."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return (len(text) + wide) * CHAR * size / 13


def _shorten(text: str, room: float, size: float = 13) -> str:
    if _width(text, size) <= room:
        return text
    while text and _width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass
class _Scale:
    first: int
    last: int
    left: float
    right: float

    def x(self, day: str) -> float:
        span = max(1, self.last - self.first)
        return self.left + (_day(day) - self.first) / span * (self.right - self.left)

    def clamp(self, x: float) -> float:
        return min(self.right, max(self.left, x))


@dataclass
class _Placed:
    """A row laid out: its height, and where each bar and marker goes."""

    bars: list[tuple[Bar, int]] = field(default_factory=list)  # (bar, lane)
    markers: list[tuple[Marker, int, float, float, float]] = field(default_factory=list)
    marker_lanes: int = 1
    detention_lanes: int = 0
    asylum_lanes: int = 0

    @property
    def height(self) -> float:
        bars = self.detention_lanes * (DETENTION_HEIGHT + LANE_GAP)
        bars += self.asylum_lanes * (ASYLUM_HEIGHT + LANE_GAP)
        return max(30.0, 6 + self.marker_lanes * MARKER_LANE + bars + 4)


def _extent(bar: Bar, scale: _Scale) -> tuple[float, float]:
    left = right = None
    for piece in bar.pieces:
        start = scale.x(str(piece.last)) - FADE_IN if piece.first is None else scale.x(piece.first)
        end = scale.right if piece.last is None else scale.x(piece.last)
        left = start if left is None else min(left, start)
        right = end if right is None else max(right, end)
    return scale.clamp(left or scale.left), scale.clamp(right or scale.left)


def _lanes(spans: list[tuple[float, float]], gap: float, most: int | None = None) -> list[int]:
    """Greedy lanes: each span goes in the first lane it does not overlap."""
    ends: list[float] = []
    lanes = []
    for start, end in spans:
        for index, lane_end in enumerate(ends):
            if start >= lane_end + gap:
                ends[index] = end
                lanes.append(index)
                break
        else:
            if most is not None and len(ends) >= most:
                index = min(range(len(ends)), key=lambda i: ends[i])
                ends[index] = max(ends[index], end)
                lanes.append(index)
            else:
                ends.append(end)
                lanes.append(len(ends) - 1)
    return lanes


def _place(row: ChartRow, scale: _Scale) -> _Placed:
    placed = _Placed()
    for kind in ("detention", "asylum"):
        bars = sorted((b for b in row.bars if b.kind == kind), key=lambda b: _extent(b, scale))
        lanes = _lanes([_extent(b, scale) for b in bars], 2)
        placed.bars += list(zip(bars, lanes, strict=True))
        count = max(lanes) + 1 if lanes else 0
        if kind == "detention":
            placed.detention_lanes = count
        else:
            placed.asylum_lanes = count
    spans = []
    for marker in row.markers:
        lo = scale.x(marker.earliest) if marker.earliest else None
        hi = scale.x(marker.latest) if marker.latest else None
        middle = (
            (lo + hi) / 2 if lo is not None and hi is not None else lo if lo is not None else hi
        )
        assert middle is not None
        spans.append((marker, middle, lo, hi))
    # a marker takes the room of its whisker: ranges that overlap go one above another
    extents = []
    for marker, at, lo, hi in spans:
        lo = lo if lo is not None else at - OPEN_WHISKER
        hi = hi if hi is not None else at + OPEN_WHISKER
        extents.append((marker, at, lo, hi))
    extents.sort(key=lambda item: (min(item[2], item[1] - 6), item[1]))
    lanes = _lanes(
        [(min(lo, at - 6), max(hi, at + 6)) for _, at, lo, hi in extents], 2, most=MARKER_LANES
    )
    for (marker, at, lo, hi), lane in zip(extents, lanes, strict=True):
        placed.markers.append((marker, lane, at, lo, hi))
    placed.marker_lanes = max(lanes) + 1 if lanes else 1
    return placed


# -- the axis ----------------------------------------------------------------------


# The first and last days a date can be (1 Jan 1, 31 Dec 9999), as ordinals.
FIRST_DAY = dt.date.min.toordinal()
LAST_DAY = dt.date.max.toordinal()


def _ticks(first: int, last: int, pixels: float) -> tuple[int, list[dt.date]]:
    """A step in months whose labels do not crowd, and the first day of each step."""
    span = max(1, last - first)
    step = 120_000
    # months, then years up to millennia (a date may be any day of years 1 to 9999)
    for months in (1, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12_000, 24_000):
        if months * 30.4 / span * pixels >= (52 if months < 12 else 44):
            step = months
            break
    first, last = max(first, FIRST_DAY), min(last, LAST_DAY)
    start = dt.date.fromordinal(first)
    month = start.year * 12 + start.month - 1
    month += -month % step if step < 12 else -month % 12
    if step >= 12:
        year = month // 12
        year += -year % (step // 12)
        month = year * 12
    ticks = []
    while dt.MINYEAR <= month // 12 <= dt.MAXYEAR:
        day = dt.date(month // 12, month % 12 + 1, 1)
        if day.toordinal() > last:
            break
        if day.toordinal() >= first:
            ticks.append(day)
        month += step
    return step, ticks


def _tick_label(day: dt.date, step: int, first: bool) -> tuple[str, str]:
    """The two lines of a tick's label: ("2019", "") or ("Apr", "2019")."""
    if step >= 12:
        return str(day.year), ""
    month = day.strftime("%b")
    return month, str(day.year) if day.month == 1 or first else ""


def _axis(scale: _Scale, top: float, bottom: float, *, below: bool = False) -> list[str]:
    """The axis line at TOP with its labels above (BELOW: under it), and grid lines
    from TOP to BOTTOM."""
    step, ticks = _ticks(scale.first, scale.last, scale.right - scale.left)
    parts = ['<g class="axis" font-size="12" fill="#333">']
    parts.append(
        f'<line x1="{_n(scale.left)}" y1="{_n(top)}" x2="{_n(scale.right)}" y2="{_n(top)}" '
        'stroke="#888" stroke-width="1"/>'
    )
    for index, day in enumerate(ticks):
        x = scale.x(day.isoformat())
        strong = day.month == 1
        if not below:
            parts.append(
                f'<line class="grid" x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" '
                f'stroke="{"#c8c8c8" if strong else "#e4e4e4"}" stroke-width="1"/>'
            )
        line1, line2 = _tick_label(day, step, index == 0)
        y = top + 16 if below else top - (20 if step < 12 else 6)
        parts.append(
            f'<text class="tick-label" x="{_n(x)}" y="{_n(y)}" text-anchor="middle">'
            f"{escape(line1)}</text>"
        )
        if line2:
            parts.append(
                f'<text class="tick-label year" x="{_n(x)}" y="{_n(y + 14)}" '
                f'text-anchor="middle" font-weight="bold">{escape(line2)}</text>'
            )
    parts.append("</g>")
    return parts


# -- bars and markers --------------------------------------------------------------


def _defs() -> list[str]:
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


def _bar(bar: Bar, scale: _Scale, y: float, height: float) -> list[str]:
    colour = BAR_COLOURS[bar.kind]
    kind = bar.kind + (" private" if bar.private else "")
    parts = [f'<g class="bar {kind}"><title>{_text(bar.title)}</title>']
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
            f'<rect class="piece {piece.style}" x="{_n(left)}" y="{_n(y)}" '
            f'width="{_n(right - left)}" height="{height}" fill="{fill}"/>'
        )
    if bar.private:
        left, right = _extent(bar, scale)
        parts.append(
            f'<rect class="private-outline" x="{_n(left - 1.5)}" y="{_n(y - 1.5)}" '
            f'width="{_n(right - left + 3)}" height="{height + 3}" fill="none" '
            f'stroke="{PRIVATE_COLOUR}" stroke-width="1.5" stroke-dasharray="4 2"/>'
        )
    solid = [p for p in bar.pieces if p.style == "solid" and p.first and p.last]
    if bar.label and solid:
        longest = max(solid, key=lambda p: _day(str(p.last)) - _day(str(p.first)))
        left = scale.clamp(scale.x(str(longest.first)))
        right = scale.clamp(scale.x(str(longest.last)))
        if right - left >= _width(bar.label, 9) + 8:
            parts.append(
                f'<text x="{_n((left + right) / 2)}" y="{_n(y + height - 2.5)}" font-size="9" '
                f'fill="#fff" text-anchor="middle">{_text(bar.label)}</text>'
            )
    parts.append("</g>")
    return parts


def _shape(kind: str, x: float, y: float, fill: str, stroke: str, width: float) -> str:
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"'
    if kind == "ruling":
        s = 6.0
        return (
            f'<path d="M{_n(x)} {_n(y - s)}L{_n(x + s)} {_n(y)}L{_n(x)} {_n(y + s)}'
            f'L{_n(x - s)} {_n(y)}Z" {paint}/>'
        )
    if kind == "asylum":
        s = 5.5
        return (
            f'<path d="M{_n(x)} {_n(y - s)}L{_n(x + s)} {_n(y + s * 0.8)}'
            f'L{_n(x - s)} {_n(y + s * 0.8)}Z" {paint}/>'
        )
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.6" {paint}/>'


def _marker(marker: Marker, scale: _Scale, y: float, at: float, lo: float, hi: float) -> list[str]:
    colour = _colour(marker.family)
    kind = f"marker {marker.kind} {marker.family}" + (" taking-part" if marker.role else "")
    parts = [f'<g class="{kind}"><title>{_text(marker.title)}</title>']
    if hi - lo >= 3:
        dash = "" if marker.earliest and marker.latest else ' stroke-dasharray="3 2"'
        lo_c, hi_c = scale.clamp(lo), scale.clamp(hi)
        parts.append(
            f'<line class="range" x1="{_n(lo_c)}" y1="{_n(y)}" x2="{_n(hi_c)}" y2="{_n(y)}" '
            f'stroke="{colour}" stroke-opacity="0.45" stroke-width="1.4"{dash}/>'
        )
        for end, known in ((lo, marker.earliest), (hi, marker.latest)):
            if known and scale.left <= end <= scale.right:
                parts.append(
                    f'<line x1="{_n(end)}" y1="{_n(y - 3.5)}" x2="{_n(end)}" y2="{_n(y + 3.5)}" '
                    f'stroke="{colour}" stroke-opacity="0.45" stroke-width="1.4"/>'
                )
    if not scale.left - 0.5 <= at <= scale.right + 0.5:
        # the middle of its range is outside the window: only the whisker shows
        pass
    elif marker.role:
        parts.append(_shape(marker.kind, at, y, "#fff", colour, 1.8))
    else:
        outline = PRIVATE_COLOUR if marker.private else "#fff"
        parts.append(_shape(marker.kind, at, y, colour, outline, 1.8 if marker.private else 1))
    parts.append("</g>")
    return parts


# -- the legend -----------------------------------------------------------------------


def _legend_items(chart: Chart) -> list[tuple[str, str]]:
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
                    f'<rect y="{_n(7 - height / 2)}" width="24" height="{height}" '
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
            items.append((_shape(kind, 12, 7, _colour(group), "#fff", 1), meaning))
    if any(m.role for row in chart.rows for m in row.markers):
        items.append(
            (_shape("event", 12, 7, "#fff", "#555", 1.8), "hollow: took part (not the subject)")
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
                + _shape("event", 12, 7, "#555", "#fff", 1),
                "whisker: date known only within a range",
            )
        )
    return items


def _legend(chart: Chart, x0: float, y0: float, room: float) -> tuple[list[str], float]:
    items = _legend_items(chart)
    parts = ['<g class="legend" font-size="12" fill="#333">']
    column = max((_width(label, 12) for _, label in items), default=0) + 40
    columns = max(1, int(room // column))
    column = room / columns if columns > 1 else column
    for index, (swatch, label) in enumerate(items):
        x = x0 + (index % columns) * column
        y = y0 + (index // columns) * 20
        parts.append(
            f'<g class="legend-item" transform="translate({_n(x)},{_n(y)})">{swatch}'
            f'<text x="32" y="11">{escape(label)}</text></g>'
        )
    parts.append("</g>")
    rows = -(-len(items) // columns) if items else 0
    return parts, rows * 20


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
        (_width(row.name + (" (private)" if row.private else "")) for row in rows), default=80
    )
    label_width = min(LABEL_LIMIT, max(120.0, longest + 8))
    left = MARGIN + label_width + 12
    right = WIDTH - MARGIN
    first, last = _day(chart.first), _day(chart.last)
    span = max(30, last - first)
    pad = max(4, round(span * 0.02))
    lead = 0 if chart.explicit_first else pad
    open_end = any(bar.open_end for row in rows for bar in row.bars)
    trail = 0 if chart.explicit_last else (max(pad * 3, 20) if open_end else pad)
    if last - first < 30 and not (chart.explicit_first and chart.explicit_last):
        extra = 30 - (last - first)
        lead, trail = lead + extra // 2, trail + extra - extra // 2
    # padding stops at the first and last days a date can be
    scale = _Scale(max(FIRST_DAY, first - lead), min(LAST_DAY, last + trail), left, right)

    title, subtitle = _heading(chart)
    body: list[str] = []
    y: float = MARGIN + 18
    body.append(
        f'<text class="title" x="{MARGIN}" y="{_n(y)}" font-size="19" font-weight="bold" '
        f'fill="#111">{escape(title)}</text>'
    )
    y += 20
    body.append(
        f'<text class="subtitle" x="{MARGIN}" y="{_n(y)}" font-size="12.5" fill="#555">'
        f"{escape(subtitle)}</text>"
    )
    y += 18
    if chart.include_private:
        body.append(
            f'<text class="warning" x="{MARGIN}" y="{_n(y)}" font-size="13" font-weight="bold" '
            f'fill="{PRIVATE_COLOUR}">Includes private records: keep this file to yourself.</text>'
        )
    else:
        body.append(
            f'<text class="privacy" x="{MARGIN}" y="{_n(y)}" font-size="12.5" fill="#555">'
            "Private records are left out. Point at a bar or marker for what it is.</text>"
        )
    y += 14
    legend, legend_height = _legend(chart, MARGIN, y, WIDTH - 2 * MARGIN)
    body += legend
    y += legend_height + 44

    axis_top = y
    placed = [_place(row, scale) for row in rows]
    rows_svg: list[str] = ['<g class="rows">']
    row_y: float = axis_top + 6
    for index, (row, layout) in enumerate(zip(rows, placed, strict=True)):
        height = layout.height
        classes = f"row {row.kind}" + (" private" if row.private else "")
        rows_svg.append(f'<g class="{classes}">')
        if index % 2 == 1:
            rows_svg.append(
                f'<rect class="band" x="{MARGIN}" y="{_n(row_y)}" width="{WIDTH - 2 * MARGIN}" '
                f'height="{_n(height)}" fill="#000" fill-opacity="0.045"/>'
            )
        name = row.name + (" (private)" if row.private else "")
        shown = _shorten(name, label_width)
        full = f"<title>{_text(name)}</title>" if shown != name else ""
        rows_svg.append(
            f'<text class="row-label" x="{MARGIN + 4}" y="{_n(row_y + height / 2 + 4.5)}" '
            f'font-size="13" fill="{PRIVATE_COLOUR if row.private else "#111"}">{full}{_text(shown)}</text>'
        )
        bar_top = row_y + 6 + layout.marker_lanes * MARKER_LANE
        for bar, lane in layout.bars:
            if bar.kind == "detention":
                bar_y = bar_top + lane * (DETENTION_HEIGHT + LANE_GAP)
                rows_svg += _bar(bar, scale, bar_y, DETENTION_HEIGHT)
            else:
                bar_y = bar_top + layout.detention_lanes * (DETENTION_HEIGHT + LANE_GAP)
                bar_y += lane * (ASYLUM_HEIGHT + LANE_GAP)
                rows_svg += _bar(bar, scale, bar_y, ASYLUM_HEIGHT)
        for marker, lane, at, lo, hi in layout.markers:
            marker_y = row_y + 4 + MARKER_LANE / 2 + lane * MARKER_LANE
            rows_svg += _marker(marker, scale, marker_y, at, lo, hi)
        rows_svg.append("</g>")
        row_y += height + ROW_GAP
    rows_svg.append("</g>")
    bottom = row_y + 2
    body += _axis(scale, axis_top, bottom)
    body += rows_svg
    if len(rows) > 12:
        # a long chart repeats its axis at the foot
        body += _axis(scale, bottom, bottom, below=True)
        bottom += 36
    if not rows:
        body.append(
            f'<text x="{_n(left)}" y="{_n(axis_top + 30)}" font-size="13" fill="#555">'
            "Nothing to draw: no dated fact in this window.</text>"
        )
        bottom += 40
    height = bottom + MARGIN
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{_n(height)}" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" role="img" font-family={_attr(FONT)}>'
        f"<title>{escape(title)}</title><desc>{escape(subtitle)}</desc>\n"
        + "\n".join([*_defs(), f'<rect width="{WIDTH}" height="{_n(height)}" fill="#fff"/>', *body])
        + "\n</svg>\n"
    )


def html(chart: Chart) -> str:
    """One self-contained HTML page: the SVG inline and the facts drawn as a list.
    It loads nothing (its content security policy forbids it) and runs no script."""
    title, subtitle = _heading(chart)
    facts = []
    for row in chart.rows:
        items = [bar.title for bar in row.bars] + [marker.title for marker in row.markers]
        listed = "".join(f"<li>{_text(item)}</li>" for item in items)
        name = row.name + (" (private)" if row.private else "")
        facts.append(f"<h3>{_text(name)}</h3><ul>{listed}</ul>")
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
