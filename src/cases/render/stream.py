"""Long answers, streamed: written as they are read, with flat memory.

Three shapes, chosen by where the answer goes:

- ``--json``: one JSON array, written item by item, one item a line;
- a pipe or a file: plain rows, a header line then one tab-separated line per
  record (no table to lay out, no colour, nothing cut mid-way);
- a terminal: a table printed in chunks, its column widths fixed from the first
  chunk so that the first screen never waits for the last row, and sent through
  a pager as git does (``$CASES_PAGER``, else ``$PAGER``, else ``less -FRX``;
  ``--no-pager`` or ``NO_PAGER`` turns it off).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, Any

from cases.dates import display_date
from cases.render.text import plain

# Rows laid out together on a terminal; the first chunk also sets the widths.
CHUNK = 100
DEFAULT_PAGER = "less -FRX"


@dataclass(frozen=True)
class Column:
    """One column of a streamed table: its heading and how a row fills it."""

    heading: str
    key: str
    style: str = ""
    flexible: bool = False  # takes the width the others leave
    max_width: int = 30
    cell: Callable[[dict[str, Any]], str] | None = None

    def text(self, row: dict[str, Any]) -> str:
        """The cell of ROW as plain text (control characters removed)."""
        if self.cell is not None:
            return plain(self.cell(row))
        value = row.get(self.key)
        if self.key.endswith("_display"):
            value = display_date(row.get(self.key[: -len("_display")]))
        elif isinstance(value, list):
            value = ", ".join(plain(v) for v in value)
        text = plain(value)
        if self.key == "ref" and row.get("private"):
            text += " (private)"
        return text


def columns(pairs: Sequence[tuple[str, str]], flexible: str | None = None) -> list[Column]:
    """Columns from (heading, key) pairs; FLEXIBLE names the key that takes the
    spare width (the widest text, by default the last column)."""
    chosen = flexible or pairs[-1][1]
    return [
        Column(heading, key, style="bold cyan" if key == "ref" else "", flexible=key == chosen)
        for heading, key in pairs
    ]


def pager_command(no_pager: bool = False) -> str | None:
    """The pager to send a terminal's long answer through, or None when off or missing."""
    if no_pager or os.environ.get("NO_PAGER"):
        return None
    for variable in ("CASES_PAGER", "PAGER"):
        if variable in os.environ:
            command = os.environ[variable].strip()
            break
    else:
        command = DEFAULT_PAGER
    if not command or command == "cat":
        return None
    program = command.split()[0]
    return command if shutil.which(program) else None


class Answer:
    """Where one long answer goes: a terminal (through the pager or not) or a pipe."""

    def __init__(self, file: IO[str], terminal: bool, width: int | None = None) -> None:
        self.file = file
        self.terminal = terminal
        self._width = width
        self._console: Any = None

    @property
    def width(self) -> int:
        """The terminal's width; plain rows have none (and need no console)."""
        return int(self.console.width) if self.terminal else 10_000

    @property
    def console(self) -> Any:
        """A Rich console writing to this answer (styled only on a terminal)."""
        if self._console is None:
            from cases.render.text import make_console

            if self.terminal and self.file is not sys.stdout:  # the pager's pipe
                self._console = make_console(self.file, self._width, force_terminal=True)
            else:
                self._console = make_console(self.file)
        return self._console

    def json(self, items: Iterable[Any]) -> int:
        """ITEMS as one JSON array, written item by item; the number written."""
        return write_json_array(items, self.file)

    def records(self, shown: Sequence[Column], rows: Iterable[dict[str, Any]], empty: str) -> int:
        """ROWS as a table on a terminal, else as plain rows; the number written."""
        if self.terminal:
            return print_table_stream(self.console, shown, rows, empty)
        return write_plain_rows(self.file, shown, rows, empty)


def write_json_array(items: Iterable[Any], file: IO[str]) -> int:
    """One valid JSON array, one item a line, written as the items come."""
    count = 0
    file.write("[")
    for item in items:
        file.write(("\n" if not count else ",\n") + json.dumps(item, ensure_ascii=False))
        count += 1
    file.write("\n]\n" if count else "]\n")
    return count


def write_plain_rows(
    file: IO[str], shown: Sequence[Column], rows: Iterable[dict[str, Any]], empty: str
) -> int:
    """A header line, then one tab-separated line per row (tabs and line breaks
    inside a value become spaces); EMPTY alone when there are no rows."""
    count = 0
    for row in rows:
        if not count:
            file.write("\t".join(column.heading for column in shown) + "\n")
        # plain() has taken out tabs and other control characters, not line breaks
        line = "\t".join([column.text(row) for column in shown])
        file.write((line.replace("\n", " ") if "\n" in line else line) + "\n")
        count += 1
    if not count:
        file.write(empty + "\n")
    return count


def print_table_stream(
    console: Any, shown: Sequence[Column], rows: Iterable[dict[str, Any]], empty: str
) -> int:
    """ROWS as a table printed a chunk at a time, widths fixed by the first chunk."""
    from rich.text import Text

    iterator = iter(rows)
    chunk = list(itertools.islice(iterator, CHUNK))
    if not chunk:
        console.print(Text(empty, style="dim"))
        return 0
    widths = fit_widths(shown, chunk, console.width)
    count = 0
    header = True
    while chunk:
        console.print(_table_chunk(shown, widths, chunk, header))
        count += len(chunk)
        header = False
        chunk = list(itertools.islice(iterator, CHUNK))
    return count


# Each column is padded by one space either side; the columns are separated by
# the box's vertical line (a space in this box).
_PADDING = 3


def fit_widths(shown: Sequence[Column], sample: Sequence[dict[str, Any]], width: int) -> list[int]:
    """Column widths for WIDTH terminal columns from a SAMPLE of rows: each column
    as wide as its widest cell (up to its maximum), narrowed from the widest
    down when they do not fit, the flexible column taking what is left."""
    natural = []
    for column in shown:
        widest = max((len(column.text(row)) for row in sample), default=0)
        widest = max(widest, len(column.heading))
        natural.append(widest if column.flexible else min(widest, column.max_width))
    available = max(width - _PADDING * len(shown) + 1, len(shown) * 4)
    widths = list(natural)
    floors = [min(max(len(column.heading), 4), natural[i]) for i, column in enumerate(shown)]
    while sum(widths) > available:
        index = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
        if widths[index] <= floors[index]:
            break
        widths[index] -= 1
    spare = available - sum(widths)
    if spare > 0:
        for index, column in enumerate(shown):
            if column.flexible:
                widths[index] += spare
    return widths


def _table_chunk(
    shown: Sequence[Column], widths: Sequence[int], chunk: Sequence[dict[str, Any]], header: bool
) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.SIMPLE_HEAD, show_header=header, show_edge=False, expand=False, pad_edge=False
    )
    for column, width in zip(shown, widths, strict=True):
        table.add_column(column.heading, width=width, overflow="fold", no_wrap=False)
    for row in chunk:
        cells = []
        for column in shown:
            text = column.text(row)
            if column.key == "ref" and text.endswith(" (private)"):
                cell = Text(text[: -len(" (private)")], style=column.style)
                cell.append(" (private)", style="magenta")
            else:
                cell = Text(text, style=column.style)
            cells.append(cell)
        table.add_row(*cells)
    return table


@contextmanager
def answer(no_pager: bool = False) -> Iterator[Answer]:
    """Where a long answer goes: plain to a pipe or file; on a terminal, through
    the pager when there is one (waiting for it to end before returning)."""
    out = sys.stdout
    if not _is_terminal(out):
        yield Answer(out, terminal=False)
        return
    command = pager_command(no_pager)
    if command is None:
        yield Answer(out, terminal=True)
        return
    import subprocess

    width = shutil.get_terminal_size().columns
    environment = dict(os.environ)
    environment.pop("CASES_KEY", None)  # the pager has no business with the key
    # as git does: less quits on one screen, keeps colours and the screen
    environment.setdefault("LESS", "FRX")
    environment.setdefault("LV", "-c")
    out.flush()
    process = subprocess.Popen(
        command,
        shell=True,
        stdin=subprocess.PIPE,
        env=environment,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    assert process.stdin is not None
    try:
        yield Answer(process.stdin, terminal=True, width=width)
    finally:
        with suppress(BrokenPipeError, OSError):
            process.stdin.close()
        process.wait()


def _is_terminal(file: IO[str]) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False
