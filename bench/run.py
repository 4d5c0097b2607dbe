"""Time cases commands as whole processes against the floor, and check the targets.

    python bench/run.py PATH [--runs N] [--db postgresql://...]

PATH is a database built by bench/make_db.py. Each command runs N times,
interleaved with the floor (bench/floor.py); the median wall time of each is
printed with its ratio to the floor's median and PASS or FAIL against its
target. Then export and import are timed against a plain csv.writer dump and a
raw executemany of the same rows, and export's peak memory is compared with
an export of a 10-person database. With --db, the same commands run on a team
database instead, each against its own figure on PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cases.catalogue import LOGGED as LOGGED_TABLES

BENCH = Path(__file__).resolve().parent
CASES = [sys.executable, "-m", "cases"]
FLOOR = [sys.executable, str(BENCH / "floor.py")]
TABLES = list(LOGGED_TABLES)

DUMP = """
import csv, sqlite3, sys
from pathlib import Path
conn = sqlite3.connect(sys.argv[1]); out = Path(sys.argv[2]); out.mkdir()
for table in sys.argv[3:]:
    cursor = conn.execute(f"SELECT * FROM {table}")
    with open(out / f"{table}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c[0] for c in cursor.description])
        writer.writerows(cursor)
"""

RAW_LOAD = """
import csv, sqlite3, sys
from pathlib import Path
folder = Path(sys.argv[2]); conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN")
for table in sys.argv[3:]:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        conn.execute(f"CREATE TABLE {table} ({', '.join(header)})")
        marks = ", ".join("?" for _ in header)
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", reader)
conn.execute("COMMIT")
"""


COUNT_JSON = """
import json, sys
with open(sys.argv[1], encoding="utf-8") as handle:
    print(len(json.load(handle)))
"""


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak memory (KiB) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[:300]}")
    return elapsed, int(usage.ru_maxrss)


def median_against_floor(command: list[str], floor: list[str], runs: int) -> tuple[float, float]:
    """Median wall time of COMMAND and of the floor, run alternately."""
    ours, base = [], []
    for _ in range(runs):
        base.append(timed(floor)[0])
        ours.append(timed(command)[0])
    return statistics.median(ours), statistics.median(base)


def report(label: str, ours: float, base: float, target: float, unit: str = "floor") -> bool:
    ratio = ours / base
    verdict = "PASS" if ratio <= target else "FAIL"
    print(
        f"{label:<38} {ours * 1000:8.0f} ms  {ratio:5.2f}x {unit:<12} (target <= {target}x)  "
        f"{verdict}"
    )
    return ratio <= target


def timed_to_file(command: list[str], out: Path) -> tuple[float, int]:
    """Wall seconds and peak memory (KiB) of one process writing its stdout to OUT."""
    with out.open("wb") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[:300]}")
    return elapsed, int(usage.ru_maxrss)


def first_screen(command: list[str]) -> float:
    """Seconds until COMMAND, on a terminal, has handed its first screen to the
    pager: the pager takes one byte and quits, and the command then ends."""
    import pty

    master, slave = pty.openpty()
    environment = {**os.environ, "CASES_PAGER": "head -c 1 > /dev/null", "COLUMNS": "120"}
    environment.pop("NO_PAGER", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=environment, close_fds=True
    )
    os.close(slave)
    while True:
        try:
            if not os.read(master, 65536):
                break
        except OSError:
            break
    process.wait()
    elapsed = time.perf_counter() - started
    os.close(master)
    return elapsed


def report_size(label: str, seconds: float, kib: int, most_seconds: float, most_mib: int) -> bool:
    """Print one whole-answer measurement against its targets."""
    met = seconds <= most_seconds and kib / 1024 <= most_mib
    print(
        f"{label:<38} {seconds:8.1f} s   {kib / 1024:6.0f} MiB  "
        f"(target <= {most_seconds:g} s, <= {most_mib} MiB)  {'PASS' if met else 'FAIL'}"
    )
    return met


def long_answers(db: str, work: Path, floor: list[str], runs: int) -> list[bool]:
    """Every fact and every person to a file, as tables and as JSON; dupes; the
    first screen of the whole timeline on a terminal."""
    results = []
    cases = [*CASES, "--db", db]
    for label, arguments, seconds, mib in [
        ("timeline > file", ["timeline"], 30, 150),
        ("timeline --json > file", ["timeline", "--json"], 30, 150),
        ("list people > file", ["list", "people"], 5, 100),
        ("list people --json > file", ["list", "people", "--json"], 5, 100),
        ("dupes --limit 50", ["dupes", "--limit", "50"], 15, 300),
    ]:
        out = work / "answer.txt"
        elapsed, memory = timed_to_file([*cases, *arguments], out)
        met = report_size(label, elapsed, memory, seconds, mib)
        if "--json" in arguments:
            # parsed in a process of its own: a child forked from this one would
            # report this one's peak memory as its own
            items = subprocess.run(
                [sys.executable, "-c", COUNT_JSON, str(out)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            print(f"{'':<38} {int(items):,} items, valid JSON")
        else:
            with out.open(encoding="utf-8") as handle:
                print(f"{'':<38} {sum(1 for _ in handle):,} lines")
        results.append(met)
        out.unlink()
    firsts, bases = [], []
    for _ in range(runs):
        bases.append(timed(floor)[0])
        firsts.append(first_screen([*cases, "timeline"]))
    results.append(
        report(
            "timeline, first screen on a terminal",
            statistics.median(firsts),
            statistics.median(bases),
            1.5,
        )
    )
    return results


RAW_COPY = """
import csv, sys, psycopg
from pathlib import Path
folder = Path(sys.argv[2])
with psycopg.connect(sys.argv[1]) as conn:
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        columns = ", ".join(f'"{column}" text' for column in header)
        conn.execute(f"CREATE TEMP TABLE raw_{path.stem} ({columns})")
        copying = f"COPY raw_{path.stem} FROM STDIN (FORMAT csv, HEADER true)"
        with conn.cursor() as cursor, cursor.copy(copying) as copy, path.open("rb") as data:
            while chunk := data.read(1 << 20):
                copy.write(chunk)
"""


def on_the_server(path: Path, url: str, work: Path, runs: int) -> list[bool]:
    """The same commands on the team database at URL as on the file at PATH:
    an import of the file's export into it (when it holds no records yet)
    against PostgreSQL's own COPY of the same rows (target 3x), then each
    reading command against its figure on the file (target 2x)."""
    results = []
    file_db, server = [*CASES, "--db", str(path)], [*CASES, "--db", url]
    listed = subprocess.run(
        [*server, "list", "people", "--json"], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        raise SystemExit(f"{url}: {listed.stderr.strip()}")
    if listed.stdout.strip() in ("", "[]"):
        exported = work / "export"
        subprocess.run(
            [*file_db, "export", "csv", "--out", str(exported), "--include-private"],
            check=True,
            capture_output=True,
        )
        importing, memory = timed([*server, "import", "csv", str(exported)])
        copying = statistics.median(
            timed([sys.executable, "-c", RAW_COPY, url, str(exported)])[0] for _ in range(3)
        )
        print(f"import csv into the team database: {importing:.1f} s, {memory / 1024:.0f} MiB")
        results.append(
            report("import csv (whole dataset)", importing, copying, 3.0, "PostgreSQL COPY")
        )
    examples = pick_examples(path)
    for label, arguments in [
        (f"show {examples['name']!r}", ["show", examples["name"]]),
        (f"timeline {examples['ref']}", ["timeline", examples["ref"]]),
        ("timeline --limit 50", ["timeline", "--limit", "50"]),
        (f"search {examples['word']!r}", ["search", examples["word"]]),
        ("stats", ["stats"]),
        ("list people", ["list", "people"]),
        ("uncited", ["uncited"]),
        ("dupes --limit 50", ["dupes", "--limit", "50"]),
    ]:
        ours, base = median_against_floor([*server, *arguments], [*file_db, *arguments], runs)
        results.append(report(label, ours, base, 2.0, "file"))
    for label, arguments in [
        ("timeline > file", ["timeline"]),
        ("export csv (public)", ["export", "csv", "--out", str(work / "public"), "--force"]),
    ]:
        out = work / "answer.txt"
        on_server = timed_to_file([*server, *arguments], out)[0]
        on_file = timed_to_file([*file_db, *arguments], out)[0]
        results.append(report(label, on_server, on_file, 2.0, "file"))
    return results


def pick_examples(path: Path) -> dict[str, str]:
    """A person whose name is theirs alone (names as common as real ones are
    often shared), their reference, and a rare word of their name."""
    conn = sqlite3.connect(path)
    middle = conn.execute("SELECT max(id) / 2 FROM people").fetchone()[0]
    try:
        for person_id, name, key in conn.execute(
            "SELECT id, name, name_key FROM people WHERE id >= ? AND private = 0 ORDER BY id",
            [middle],
        ):
            namesakes = conn.execute(
                "SELECT (SELECT count(*) FROM people WHERE name_key = ?) "
                "+ (SELECT count(*) FROM aliases WHERE name_key = ?)",
                [key, key],
            ).fetchone()[0]
            word = min(name.split(), key=len)
            sharing = conn.execute(
                "SELECT count(*) FROM people WHERE name LIKE ?", [f"%{word}%"]
            ).fetchone()[0]
            if namesakes == 1 and sharing < 100:
                return {"name": name, "ref": f"P{person_id}", "word": word}
    finally:
        conn.close()
    raise SystemExit(f"{path}: no person of the second half has a name of their own")


def compile_cases() -> None:
    """Write the bytecode of the cases package, as ``pip install`` does.

    An editable install run with PYTHONDONTWRITEBYTECODE set (as some machines
    and containers are) would otherwise compile every module of the project on
    each run, about 50 ms a command, while the floor's libraries, installed by
    pip, load theirs from the cache.
    """
    import compileall

    import cases

    compileall.compile_dir(str(Path(cases.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--only",
        choices=["reads", "long", "transfer"],
        action="append",
        help="Run only these groups (repeatable; default all).",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="A team database (postgresql://...; cases team init done): time the same "
        "commands there against the file (filling it by import csv when it is empty).",
    )
    options = parser.parse_args()
    groups = set(options.only or ["reads", "long", "transfer"])
    db = str(options.path)
    compile_cases()
    if options.db:
        work = Path(tempfile.mkdtemp(prefix="cases-run-"))
        try:
            return _verdict(on_the_server(options.path, options.db, work, options.runs))
        finally:
            shutil.rmtree(work)
    floor = [*FLOOR, db]
    examples = pick_examples(options.path)
    results = []
    floor_alone = statistics.median(timed(floor)[0] for _ in range(options.runs))
    print(f"floor (Typer + Rich + sqlite-utils, one row): {floor_alone * 1000:.0f} ms median\n")
    reads = [
        (f"show {examples['name']!r}", ["show", examples["name"]], 0.8),
        (f"timeline {examples['ref']}", ["timeline", examples["ref"]], 0.8),
        ("timeline --limit 50", ["timeline", "--limit", "50"], 0.8),
        (f"search {examples['word']!r}", ["search", examples["word"]], 0.8),
        ("stats", ["stats"], 2.0),
    ]
    for label, arguments, target in reads if "reads" in groups else []:
        ours, base = median_against_floor([*CASES, "--db", db, *arguments], floor, options.runs)
        results.append(report(label, ours, base, target))

    work = Path(tempfile.mkdtemp(prefix="cases-run-"))
    try:
        if "long" in groups:
            print()
            results.extend(long_answers(db, work, floor, options.runs))
        if "transfer" not in groups:
            return _verdict(results)
        print()
        exported = work / "export"
        export_times, dump_times, export_memory = [], [], 0
        for _attempt in range(3):  # median of three, alternating
            shutil.rmtree(work / "dump", ignore_errors=True)
            dump_times.append(
                timed([sys.executable, "-c", DUMP, db, str(work / "dump"), *TABLES])[0]
            )
            elapsed, export_memory = timed(
                [
                    *CASES,
                    "--db",
                    db,
                    "export",
                    "csv",
                    "--out",
                    str(exported),
                    "--include-private",
                    "--force",
                ]
            )
            export_times.append(elapsed)
        export_time, dump_time = statistics.median(export_times), statistics.median(dump_times)
        results.append(report("export csv", export_time, dump_time, 1.5, "csv.writer"))

        small = work / "small.db"
        subprocess.run(
            [sys.executable, str(BENCH / "make_db.py"), str(small), "--people", "10"],
            check=True,
            capture_output=True,
        )
        _, small_memory = timed(
            [
                *CASES,
                "--db",
                str(small),
                "export",
                "csv",
                "--out",
                str(work / "small"),
                "--include-private",
            ]
        )
        memory_ratio = export_memory / small_memory
        verdict = "PASS" if memory_ratio <= 1.5 else "FAIL"
        print(
            f"{'export csv peak memory':<38} {export_memory / 1024:8.0f} MiB {memory_ratio:5.2f}x "
            f"10 people   (target <= 1.5x)  {verdict}"
        )
        results.append(memory_ratio <= 1.5)

        import_times, raw_times = [], []
        importing = [*CASES, "--db", str(work / "imported.db"), "import", "csv", str(exported)]
        raw_load = [sys.executable, "-c", RAW_LOAD, str(work / "raw.db"), str(exported), *TABLES]
        for _attempt in range(3):  # median of three, alternating, each into a new file
            for name in ("imported.db", "raw.db"):
                (work / name).unlink(missing_ok=True)
            import_times.append(timed(importing)[0])
            raw_times.append(timed(raw_load)[0])
        import_time, raw_time = statistics.median(import_times), statistics.median(raw_times)
        results.append(
            report("import csv (whole dataset)", import_time, raw_time, 3.0, "executemany")
        )
        rows = sum(
            sqlite3.connect(work / "raw.db").execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in TABLES
        )
        print(
            f"\n{rows:,} rows: import {rows / import_time:,.0f} rows/s, "
            f"raw executemany {rows / raw_time:,.0f} rows/s, export {rows / export_time:,.0f} "
            f"rows/s, csv.writer {rows / dump_time:,.0f} rows/s"
        )
    finally:
        shutil.rmtree(work)
    _verdict(results)


def _verdict(results: list[bool]) -> None:
    print(f"\n{sum(results)} of {len(results)} targets met")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
