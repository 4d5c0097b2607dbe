"""The cost of encryption: each command on a plain database and on its encrypted copy.

    python bench/encryption.py PLAIN ENCRYPTED [--runs N]

PLAIN is a database built by bench/make_db.py; ENCRYPTED an encrypted copy of
it (cp PLAIN ENCRYPTED; CASES_KEY=... cases --db ENCRYPTED encrypt), whose key
is in CASES_KEY. Each command runs N times on each, alternating, as a whole
process; the medians and their ratio are printed. Then export csv, and import
csv of that export into a new database of each kind.
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

CASES = [sys.executable, "-m", "cases"]


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one process (which must succeed)."""
    started = time.perf_counter()
    result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()[:300]}")
    return elapsed


def compare(
    label: str,
    plain: list[str],
    encrypted: list[str],
    runs: int,
    env: dict[str, str],
    before: list[str] | None = None,
) -> None:
    """Median wall time of PLAIN and ENCRYPTED (alternating), and their ratio."""
    times: dict[str, list[float]] = {"plain": [], "encrypted": []}
    for _ in range(runs):
        for kind, command in (("plain", plain), ("encrypted", encrypted)):
            if before is not None:
                subprocess.run([*before, kind], check=True)
            times[kind].append(timed(command, env))
    ours, base = statistics.median(times["encrypted"]), statistics.median(times["plain"])
    print(
        f"{label:<32} plain {base * 1000:8.0f} ms   encrypted {ours * 1000:8.0f} ms   "
        f"{ours / base:5.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plain", type=Path)
    parser.add_argument("encrypted", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    if not os.environ.get("CASES_KEY"):
        raise SystemExit("set CASES_KEY to the encrypted copy's key")
    env = dict(os.environ)
    conn = sqlite3.connect(options.plain)
    middle = conn.execute("SELECT max(id) / 2 FROM people").fetchone()[0]
    person_id, name = conn.execute(
        "SELECT id, name FROM people WHERE id >= ? AND private = 0 ORDER BY id LIMIT 1", [middle]
    ).fetchone()
    conn.close()
    reads = [
        (f"show {name!r}", ["show", name]),
        (f"timeline P{person_id}", ["timeline", f"P{person_id}"]),
        ("timeline --limit 50", ["timeline", "--limit", "50"]),
        (f"search {name.split()[0]!r}", ["search", name.split()[0]]),
        ("stats", ["stats"]),
        ("add person (a write)", ["add", "person", "Bench Person"]),
    ]
    for label, arguments in reads:
        compare(
            label,
            [*CASES, "--db", str(options.plain), *arguments],
            [*CASES, "--db", str(options.encrypted), *arguments],
            options.runs,
            env,
        )
    work = Path(tempfile.mkdtemp(prefix="cases-encryption-"))
    try:
        out = {kind: work / f"export-{kind}" for kind in ("plain", "encrypted")}
        compare(
            "export csv",
            [
                *CASES,
                "--db",
                str(options.plain),
                "export",
                "csv",
                "--out",
                str(out["plain"]),
                "--include-private",
                "--force",
            ],
            [
                *CASES,
                "--db",
                str(options.encrypted),
                "export",
                "csv",
                "--out",
                str(out["encrypted"]),
                "--include-private",
                "--force",
            ],
            options.runs,
            env,
        )
        # each import into a new, empty database of its kind
        prepare = [sys.executable, "-c", PREPARE, str(work), *CASES]
        compare(
            "import csv (into a new database)",
            [*CASES, "--db", str(work / "plain.db"), "import", "csv", str(out["plain"])],
            [*CASES, "--db", str(work / "encrypted.db"), "import", "csv", str(out["plain"])],
            options.runs,
            env,
            before=prepare,
        )
    finally:
        shutil.rmtree(work)


PREPARE = """
import os, subprocess, sys
from pathlib import Path
work, cases, kind = Path(sys.argv[1]), sys.argv[2:-1], sys.argv[-1]
for suffix in ("", "-wal", "-shm"):
    Path(f"{work / kind}.db{suffix}").unlink(missing_ok=True)
command = [*cases, "--db", f"{work / kind}.db", "init"]
subprocess.run(command + (["--encrypt"] if kind == "encrypted" else []), check=True,
               stdout=subprocess.DEVNULL)
"""


if __name__ == "__main__":
    main()
