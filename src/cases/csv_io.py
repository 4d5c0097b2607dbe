"""CSV files: formula defusing, atomic private writes and checked streaming reads. No Rich."""

from __future__ import annotations

import csv
import itertools
import os
import re
import shlex
import subprocess
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
    """Write a CSV (UTF-8) to PATH, a file made by :func:`replacing_files`.

    Rows are streamed. Cells are
    defused here unless DEFUSED says the rows come defused already (the export
    does it in SQL). Returns the number of rows written.
    """
    count = 0
    with text_file(path) as handle:
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

    Any column order is accepted; unknown columns (unless EXPECTED is empty),
    repeated columns, missing required columns,
    bad encoding, malformed quoting and empty files are refused naming the file
    (and the line), also when they turn up while the rows are being read.
    """
    name = path.name
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ImportRefused(f"{name}: cannot read ({error.strerror})") from None
    # a field as long as any the export writes (a note merged from two notes can
    # pass the csv module's default of 128 KiB)
    csv.field_size_limit(2**31 - 1)
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise ImportRefused(f"{name}: the file is empty (no header row)")
            repeated = sorted({column for column in header if header.count(column) > 1})
            if repeated:
                raise ImportRefused(f"{name}, line 1: column(s) {', '.join(repeated)} appear twice")
            unknown = [column for column in header if expected and column not in expected]
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


def line_of(path: Path, record: int) -> int:
    """The line (as the csv module counts them) on which data record RECORD
    (1-based, after the header) of PATH ends."""
    with open_table(path, (), ()) as (_, reader):
        for index, _ in enumerate(reader, start=1):
            if index == record:
                return int(reader.line_num)
    return 0


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
            yield line, {column: restore(cell) for column, cell in zip(header, cells, strict=True)}


# A file being written: .NAME.PID.RANDOM.part beside its target, mode 0600.
_PART = re.compile(r"^\..+\.(\d+)\.[^.]+\.part$")


def _remove_stale_parts(directory: Path) -> None:
    """Remove the temporary files a killed export left in DIRECTORY (their process
    is gone), so that no later run keeps what they hold."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _PART.match(entry.name)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid != os.getpid():
            try:
                os.kill(pid, 0)
                continue  # still writing
            except ProcessLookupError:
                pass
            except OSError:
                continue
        entry.unlink(missing_ok=True)


# What SQLite keeps beside a temporary file that is a database (a decrypted copy).
_SIDECARS = ("-journal", "-wal", "-shm")


@contextmanager
def removed_if_killed(paths: Sequence[Path], folder: Path | None = None) -> Iterator[None]:
    """A watchdog removes PATHS (and the files SQLite keeps beside them), then
    FOLDER if it is left empty, once this process ends, however it ends: a
    ``kill -9`` cannot run this process's own clean-up, and a plain copy of the
    records must not stay behind it.

    The watchdog is a shell waiting for the end of a pipe only this process
    holds (it reads end-of-file when this process exits or is killed); it runs
    in a session of its own, so that a signal to this process's group does
    not take it too. Where it cannot start, the block runs without it (the
    next run in that folder removes what a killed one left).
    """
    names = [str(path) + suffix for path in paths for suffix in ("", *_SIDECARS)]
    script = 'cat >/dev/null; rm -f -- "$@"'
    if folder is not None:
        script += f"; rmdir -- {shlex.quote(str(folder))} 2>/dev/null"
    try:
        watchdog = subprocess.Popen(
            ["/bin/sh", "-c", script, "cases-cleanup", *names],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        yield
        return
    try:
        yield
    finally:
        assert watchdog.stdin is not None
        watchdog.stdin.close()
        watchdog.wait()


@contextmanager
def replacing_files(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary files (mode 0600) for TARGETS, renamed over them only when the
    block completes, all together; removed on any failure or Ctrl-C, and by a
    watchdog if the process is killed.

    Temporary files that a killed run left beside the targets are removed first.
    """
    for directory in {target.parent if str(target.parent) else Path(".") for target in targets}:
        _remove_stale_parts(directory)
    temporaries: list[Path] = []
    try:
        for target in targets:
            directory = target.parent if str(target.parent) else Path(".")
            try:
                descriptor, name = tempfile.mkstemp(
                    prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=directory
                )
            except OSError as error:
                raise Invalid(f"cannot write {target}: {error.strerror}") from None
            os.fchmod(descriptor, 0o600)
            os.close(descriptor)
            temporaries.append(Path(name))
        with removed_if_killed(temporaries):
            yield temporaries
            for temporary, target in zip(temporaries, targets, strict=True):
                os.replace(temporary, target)
    except BaseException:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        raise


@contextmanager
def text_file(path: Path) -> Iterator[TextIO]:
    """PATH (made by :func:`replacing_files`) open for UTF-8 text, synced when closed."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file (mode 0600) that appears at PATH only when fully written."""
    with replacing_files([path]) as (temporary,), text_file(temporary) as handle:
        yield handle
