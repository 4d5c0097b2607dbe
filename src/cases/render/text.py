"""Text: the console, safe values, JSON, errors and one-line reports."""

from __future__ import annotations

import functools
import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def make_console(file: IO[str] | None = None, width: int | None = None, **options: Any) -> Console:
    """A console that follows the terminal (width, colour, NO_COLOR); WIDTH for tests."""
    return _console_class()(file=file, width=width, highlight=False, soft_wrap=False, **options)


@functools.cache
def _console_class() -> Any:
    from rich.console import Console

    class QuietConsole(Console):
        """Rich exits with status 1 when the reader of its pipe goes away; a reader
        that stops (head, a pager quit early) is no error: the command's guard
        ends quietly on the BrokenPipeError."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return QuietConsole


def plain(value: Any) -> str:
    """Text safe for a terminal: control characters (escapes, CR...) removed, a
    tab made a space."""
    if value is None:
        return ""
    text = str(value)
    if text.isprintable():  # the usual case, checked in C
        return text
    return "".join(
        " " if ch == "\t" else ch
        for ch in text
        if ch in "\n\t" or not unicodedata.category(ch).startswith("C")
    )


def safe(value: Any, style: str = "") -> Text:
    """A database value as Rich Text: never parsed as markup."""
    from rich.text import Text

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


def markers(numbers: Iterable[Any]) -> Text:
    from rich.text import Text

    return Text("".join(f"[{n}]" for n in numbers), style="dim")


def private_mark(record: dict[str, Any]) -> Text:
    from rich.text import Text

    return Text(" (private)", style="magenta") if record.get("private") else Text("")


def print_added(console: Console, ref: str, summary: str) -> None:
    """The line an ``add`` prints: reference and one-line summary."""
    from rich.text import Text

    line = Text.assemble((ref, "bold cyan"), " ", safe(summary))
    console.print(line)


def table(*columns: str, title: str | None = None) -> Any:
    """A table in the house style: a simple header rule, folding cells."""
    from rich import box
    from rich.table import Table

    made = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", expand=False)
    for column in columns:
        made.add_column(column, overflow="fold")
    return made
