"""Long answers stream: valid JSON arrays item by item, plain rows to a pipe, a
table through the pager on a terminal (as git does), quiet when the reader stops."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from cases.render.stream import write_json_array
from tests.conftest import cases_process

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

LONG_ANSWERS = [
    ("timeline",),
    ("list", "people"),
    ("list", "events"),
    ("search", "court"),
    ("log",),
    ("uncited",),
]


def on_terminal(*args: str, env: dict[str, str], columns: int = 90) -> tuple[str, int]:
    """``cases ARGS`` with its output on a pseudo-terminal COLUMNS wide: what the
    terminal showed, and the exit status."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environment = {**os.environ, "COLUMNS": str(columns), "LINES": "40", **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "cases", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environment,
        close_fds=True,
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        shown += data
    os.close(master)
    return shown.decode("utf-8", "replace"), process.wait(timeout=60)


@pytest.fixture
def pager(tmp_path: Path) -> tuple[str, Path]:
    """A fake pager: a command that writes what it is given into a file."""
    paged = tmp_path / "paged.txt"
    return f"cat > {paged}", paged


# -- JSON, item by item -------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 3, 250])
def test_a_json_array_written_item_by_item_is_valid(count: int, tmp_path: Path) -> None:
    items = [{"ref": f"E{n}", "summary": f'say "{n}"\n', "sources": []} for n in range(count)]
    out = tmp_path / "out.json"
    with out.open("w", encoding="utf-8") as handle:
        assert write_json_array(iter(items), handle) == count
    assert json.loads(out.read_text(encoding="utf-8")) == items


def test_every_long_answer_is_valid_json_when_empty_one_or_many(run, run_json) -> None:
    run("init")
    for args in (("timeline",), ("list", "people"), ("list", "orgs"), ("uncited",)):
        assert run_json(*args) == []
    run("add", "person", "Ayan Test")
    run("add", "event", "P1", "--date", "2019-05", "--kind", "arrest", "Detained at home")
    assert [item["ref"] for item in run_json("timeline")] == ["E1"]
    assert [item["ref"] for item in run_json("list", "people")] == ["P1"]
    for number in range(2, 40):
        run("add", "person", f"Person Number{number}")
    people = run_json("list", "people")
    assert [item["ref"] for item in people] == [f"P{n}" for n in range(1, 40)]
    assert all(item["uid"] for item in people)
    assert len(run_json("log", "--limit", "100")) == 40


def test_the_sample_answers_are_valid_json_arrays(run_json, sample) -> None:
    timeline = run_json("timeline")
    assert len(timeline) > 50
    assert {"date", "earliest", "latest", "ref", "kind", "person", "person_ref"} <= set(timeline[0])
    assert run_json("timeline", "--kind", "ruling", "--limit", "1")[0]["kind"] == "ruling"


# -- plain rows on a pipe ---------------------------------------------------------


def test_a_pipe_gets_plain_rows_without_colour_or_borders(run, sample) -> None:
    run("add", "event", "P1", "--date", "2020", "--kind", "other", "Not yet cited")
    for args in LONG_ANSWERS:
        out = cases_process(*args, env={"CASES_PAGER": "false"}).stdout
        assert "\x1b" not in out, args
        assert not set("─│┃━┏└") & set(out), args
        lines = out.splitlines()
        header = lines[0].split("\t")
        assert len(header) >= 3, args
        for line in lines[1:]:
            assert len(line.split("\t")) == len(header), (args, line)


def test_plain_rows_keep_each_record_on_one_line(run) -> None:
    run("init")
    run("add", "person", "Ayan Test", "--note", "first line\nsecond\tline")
    run("add", "event", "P1", "--date", "2019", "--kind", "arrest", "Taken\naway\tat night")
    lines = cases_process("timeline").stdout.splitlines()
    assert len(lines) == 2
    assert lines[1].split("\t")[3] == "arrest: Taken away at night"


def test_nothing_to_list_says_so(run) -> None:
    run("init")
    assert cases_process("timeline").stdout == "no facts match\n"


# -- the pager --------------------------------------------------------------------


def test_a_terminal_answer_goes_through_the_pager(sample, pager) -> None:
    command, paged = pager
    shown, status = on_terminal("timeline", env={"CASES_PAGER": command})
    assert status == 0
    text = paged.read_text(encoding="utf-8")
    assert "Tabarikuly" in text and "What happened" in text
    assert "Tabarikuly" not in shown  # the terminal saw only what the pager showed
    for line in text.splitlines():
        assert len(_visible(line)) <= 90


def test_pager_variables_in_order(sample, pager, tmp_path: Path) -> None:
    command, paged = pager
    other = tmp_path / "other.txt"
    # $PAGER when CASES_PAGER is not set
    env = {"PAGER": command}
    os.environ.pop("CASES_PAGER", None)
    on_terminal("list", "people", env=env)
    assert "Sauytbay" in paged.read_text(encoding="utf-8")
    # CASES_PAGER first
    on_terminal("list", "people", env={"PAGER": command, "CASES_PAGER": f"cat > {other}"})
    assert "Sauytbay" in other.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "how",
    [("--no-pager", {}), ("NO_PAGER", {"NO_PAGER": "1"}), ("root option", {})],
)
def test_the_pager_can_be_turned_off(sample, pager, how) -> None:
    command, paged = pager
    label, env = how
    args = ["timeline"]
    if label == "--no-pager":
        args.append("--no-pager")
    if label == "root option":
        args.insert(0, "--no-pager")
    shown, status = on_terminal(*args, env={"CASES_PAGER": command, **env})
    assert status == 0
    assert not paged.exists()
    assert "Tabarikuly" in shown


def test_no_pager_on_a_pipe(sample, pager) -> None:
    command, paged = pager
    result = cases_process("timeline", env={"CASES_PAGER": command})
    assert result.returncode == 0
    assert "Tabarikuly" in result.stdout
    assert not paged.exists()


def test_the_table_on_a_terminal_fits_it(sample) -> None:
    for columns in (80, 120):
        shown, status = on_terminal("timeline", env={"NO_PAGER": "1"}, columns=columns)
        assert status == 0
        for line in shown.splitlines():
            assert len(_visible(line)) <= columns, line


# -- a reader that stops --------------------------------------------------------------


@pytest.mark.slow
def test_a_reader_that_stops_is_no_error(run) -> None:
    run("init")
    for number in range(300):
        run("add", "person", f"Person Number{number}")
    process = subprocess.Popen(
        [sys.executable, "-m", "cases", "list", "people"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 0
    assert errors == ""


def test_quitting_the_pager_early_is_no_error(sample) -> None:
    shown, status = on_terminal("timeline", env={"CASES_PAGER": "head -c 10 > /dev/null"})
    assert status == 0
    assert "Error" not in shown and "Traceback" not in shown


def _visible(line: str) -> str:
    """LINE without ANSI escape sequences and the terminal's carriage returns."""
    import re

    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line).rstrip("\r")


def test_the_pager_never_sees_the_key(sample, tmp_path: Path) -> None:
    seen = tmp_path / "pager-env.txt"
    on_terminal(
        "list", "people", env={"CASES_PAGER": f"env > {seen}; cat > /dev/null", "CASES_KEY": "k"}
    )
    assert "PATH=" in seen.read_text()
    assert "CASES_KEY" not in seen.read_text()


def test_lists_people_and_sources(run, run_json) -> None:
    run("add", "person", "Ayan Test")
    run("add", "person", "Berik Sample", "--private")
    people = run_json("list", "people")
    assert [(p["ref"], p["name"], p["private"]) for p in people] == [
        ("P1", "Ayan Test", False),
        ("P2", "Berik Sample", True),
    ]
    table = run("list", "people").stdout
    assert "Ayan Test" in table and "(private)" in table
