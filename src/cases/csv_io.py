"""CSV files: formula defusing, atomic private writes and checked streaming reads. No Rich."""

from __future__ import annotations

import csv
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

from cases.errors import ImportRefused, Invalid

# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def defuse(value: Any) -> str:
    """Cell text a spreadsheet shows as text; :func:`restore` undoes it exactly."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_STARTS) or text.startswith("'"):
        return "'" + text
    return text


def restore(cell: str) -> str:
    """Undo :func:`defuse`: drop the one leading quote it added."""
    return cell[1:] if cell.startswith("'") else cell


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, defused: bool = False
) -> int:
    """Write a CSV (UTF-8, mode 0600) through a temporary file renamed into place.

    Rows are streamed; a killed write leaves any earlier file intact. Cells are
    defused here unless DEFUSED says the rows come defused already (the export
    does it in SQL). Returns the number of rows written.
    """
    count = 0
    with atomic_text_file(path) as handle:
        # CRLF rows (RFC 4180): a lone CR or LF inside a cell is then always quoted
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        if defused:
            # zip with a counter and take the row back: counting stays in C
            counter = itertools.count()
            writer.writerows(map(itemgetter(0), zip(rows, counter, strict=False)))
            count = next(counter)
        else:
            for row in rows:
                writer.writerow([defuse(value) for value in row])
                count += 1
    return count


@contextmanager
def open_table(
    path: Path, expected: Sequence[str], required: Sequence[str]
) -> Iterator[tuple[list[str], Any]]:
    """Open a CSV written by :func:`write_csv`: its checked header and a reader of its rows.

    Any column order is accepted; unknown columns, missing required columns,
    bad encoding, malformed quoting and empty files are refused naming the file
    (and the line), also when they turn up while the rows are being read.
    """
    name = path.name
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ImportRefused(f"{name}: cannot read ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise ImportRefused(f"{name}: the file is empty (no header row)")
            unknown = [column for column in header if column not in expected]
            if unknown:
                raise ImportRefused(f"{name}, line 1: unknown column(s) {', '.join(unknown)}")
            missing = [column for column in required if column not in header]
            if missing:
                raise ImportRefused(f"{name}, line 1: missing column(s) {', '.join(missing)}")
            yield header, reader
        except UnicodeDecodeError:
            raise ImportRefused(
                f"{name}: not UTF-8 text (save it as UTF-8 and try again)"
            ) from None
        except csv.Error as error:
            raise ImportRefused(f"{name}, line {reader.line_num}: {error}") from None


def read_csv(
    path: Path, expected: Sequence[str], required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a CSV written by :func:`write_csv`, cells restored.

    Refuses what :func:`open_table` refuses, and ragged rows, naming file and line.
    """
    with open_table(path, expected, required) as (header, reader):
        for cells in reader:
            line = reader.line_num
            if len(cells) != len(header):
                raise ImportRefused(
                    f"{path.name}, line {line}: {len(cells)} cells where the header has "
                    f"{len(header)}"
                )
            # restore() inlined: this runs once per cell of every import
            yield (
                line,
                {
                    column: cell[1:] if cell[:1] == "'" else cell
                    for column, cell in zip(header, cells, strict=True)
                },
            )


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file (mode 0600) that appears at PATH only when fully written."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise Invalid(f"cannot write {path}: {error.strerror}") from None
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
