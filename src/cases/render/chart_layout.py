"""A chart's geometry and its text: the scale from days to pixels, the lanes a
row's bars and markers take, the axis and its ticks, the colours of the
groups, and text made safe for SVG."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from cases.service.chart_rows import Bar, ChartRow, Marker


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


def colour_of(group: str) -> str:
    return GROUP_COLOURS.get(group, OTHER_COLOUR)


def clean(value: Any) -> str:
    """Text XML can hold: control and other unassigned characters removed."""
    text = "" if value is None else str(value)
    return "".join(
        " " if ch in "\n\t\r" else ch
        for ch in text
        if ch in "\n\t\r" or not unicodedata.category(ch).startswith("C")
    )


def escaped(value: Any) -> str:
    return escape(clean(value))


def attribute(value: Any) -> str:
    return quoteattr(clean(value))


def day_number(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def text_width(text: str, size: float = 13) -> float:
    """About how wide TEXT is at SIZE pixels (wide characters count double)."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return (len(text) + wide) * CHAR * size / 13


def shortened(text: str, room: float, size: float = 13) -> str:
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass
class Scale:
    first: int
    last: int
    left: float
    right: float

    def x(self, day: str) -> float:
        span = max(1, self.last - self.first)
        return self.left + (day_number(day) - self.first) / span * (self.right - self.left)

    def clamp(self, x: float) -> float:
        return min(self.right, max(self.left, x))


@dataclass
class Placed:
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


def extent(bar: Bar, scale: Scale) -> tuple[float, float]:
    left = right = None
    for piece in bar.pieces:
        start = scale.x(str(piece.last)) - FADE_IN if piece.first is None else scale.x(piece.first)
        end = scale.right if piece.last is None else scale.x(piece.last)
        left = start if left is None else min(left, start)
        right = end if right is None else max(right, end)
    return scale.clamp(left or scale.left), scale.clamp(right or scale.left)


def lanes_for(spans: list[tuple[float, float]], gap: float, most: int | None = None) -> list[int]:
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


def place_row(row: ChartRow, scale: Scale) -> Placed:
    placed = Placed()
    for kind in ("detention", "asylum"):
        bars = sorted((b for b in row.bars if b.kind == kind), key=lambda b: extent(b, scale))
        lanes = lanes_for([extent(b, scale) for b in bars], 2)
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
    lanes = lanes_for(
        [(min(lo, at - 6), max(hi, at + 6)) for _, at, lo, hi in extents], 2, most=MARKER_LANES
    )
    for (marker, at, lo, hi), lane in zip(extents, lanes, strict=True):
        placed.markers.append((marker, lane, at, lo, hi))
    placed.marker_lanes = max(lanes) + 1 if lanes else 1
    return placed


# The first and last days a date can be (1 Jan 1, 31 Dec 9999), as ordinals.
FIRST_DAY = dt.date.min.toordinal()


LAST_DAY = dt.date.max.toordinal()


def ticks_for(first: int, last: int, pixels: float) -> tuple[int, list[dt.date]]:
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


def tick_label(day: dt.date, step: int, first: bool) -> tuple[str, str]:
    """The two lines of a tick's label: ("2019", "") or ("Apr", "2019")."""
    if step >= 12:
        return str(day.year), ""
    month = day.strftime("%b")
    return month, str(day.year) if day.month == 1 or first else ""


def draw_axis(scale: Scale, top: float, bottom: float, *, below: bool = False) -> list[str]:
    """The axis line at TOP with its labels above (BELOW: under it), and grid lines
    from TOP to BOTTOM."""
    step, ticks = ticks_for(scale.first, scale.last, scale.right - scale.left)
    parts = ['<g class="axis" font-size="12" fill="#333">']
    parts.append(
        f'<line x1="{num(scale.left)}" y1="{num(top)}" x2="{num(scale.right)}" y2="{num(top)}" '
        'stroke="#888" stroke-width="1"/>'
    )
    for index, day in enumerate(ticks):
        x = scale.x(day.isoformat())
        strong = day.month == 1
        if not below:
            parts.append(
                f'<line class="grid" x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(bottom)}" '
                f'stroke="{"#c8c8c8" if strong else "#e4e4e4"}" stroke-width="1"/>'
            )
        line1, line2 = tick_label(day, step, index == 0)
        y = top + 16 if below else top - (20 if step < 12 else 6)
        parts.append(
            f'<text class="tick-label" x="{num(x)}" y="{num(y)}" text-anchor="middle">'
            f"{escape(line1)}</text>"
        )
        if line2:
            parts.append(
                f'<text class="tick-label year" x="{num(x)}" y="{num(y + 14)}" '
                f'text-anchor="middle" font-weight="bold">{escape(line2)}</text>'
            )
    parts.append("</g>")
    return parts
