"""Every command's ``--help`` ends with an example, and every example runs.

The examples are read from the help itself (as a user would copy them), and
each example block runs, line after line, against a fresh copy of the sample
database in an empty folder, as Typer's own tests run its documented examples.
"""

from __future__ import annotations

import importlib.util
import shlex
import shutil
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from cases.cli import build_app


def _commands() -> list[list[str]]:
    """Every command path of the app: [], ["add"], ["add", "person"], ..."""
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(get_command(build_app()), [])
    return found


def _examples(help_text: str) -> list[str]:
    """The command lines of the Example block of a help text."""
    if "Example:" not in help_text:
        return []
    block = help_text.split("Example:", 1)[1]
    lines = []
    for line in block.splitlines():
        stripped = line.strip().strip("│").strip()
        if stripped.startswith("cases "):
            lines.append(stripped)
        elif lines and stripped == "":
            continue
        elif lines:
            break
    return lines


COMMANDS = _commands()


@pytest.fixture(scope="module")
def sample_database(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    database = folder / "cases.db"
    result = CliRunner().invoke(build_app(), ["--db", str(database), "init", "--sample"])
    assert result.exit_code == 0, result.output
    return database


def test_the_commands_are_found() -> None:
    names = {" ".join(path) for path in COMMANDS}
    assert {"add person", "show", "timeline", "export csv", "import csv", "undo"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "cases")
def test_every_example_runs(
    command: list[str],
    sample_database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    runner = CliRunner()
    app: typer.Typer = build_app()
    help_text = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"}).stdout
    assert "Usage:" in help_text
    examples = _examples(help_text)
    assert examples, f"cases {' '.join(command)} --help has no example"
    database = tmp_path / "cases.db"
    shutil.copy(sample_database, database)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CASES_DB", str(database))
    # the encryption examples take their key from CASES_KEY, never from an argument
    monkeypatch.setenv("CASES_KEY", "an example key")
    if command[:1] in (["encrypt"], ["decrypt"]) and importlib.util.find_spec("sqlcipher3") is None:
        pytest.skip('the encryption extra is not installed (pip install "cases[encrypt]")')
    if command[:1] == ["serve"]:
        if importlib.util.find_spec("datasette") is None:
            pytest.skip('the serve extra is not installed (pip install "cases[serve]")')
        # what the serve example serves: the sample published in site/; and
        # Datasette is not started (it would serve until stopped)
        runner.invoke(app, ["publish", "site"])
        monkeypatch.setattr("cases.service.serve.run_datasette", lambda arguments, port: None)
    # the team examples run on a new database of the test cluster (tests/postgres.py),
    # which the examples name postgresql://alice@localhost/cases
    server = None
    if command[:1] in (["team"], ["copy"]):
        server = request.getfixturevalue("team_url")
        monkeypatch.setenv("CASES_DB", server)
        if command not in (["team"], ["team", "init"]):
            runner.invoke(app, ["team", "init"])
        if command == ["team", "remove"]:
            runner.invoke(app, ["team", "add", "bob", "--role", "reader"])
        if command == ["copy"]:
            monkeypatch.setenv("CASES_DB", str(database))
    if any(" import " in f" {line} " for line in examples):
        # what the import examples read: an export of the sample in shared/
        runner.invoke(app, ["export", "csv", "--out", "shared", "--include-private"])
    for line in examples:
        words = [
            str(Path(word).expanduser()) if word.startswith("~") else word
            for word in shlex.split(line)
        ]
        assert words[0] == "cases"
        if server is not None:
            words = [server if w.startswith("postgresql://") else w for w in words]
        result = runner.invoke(build_app(), words[1:])
        assert result.exit_code == 0, (line, result.stdout, result.stderr)
