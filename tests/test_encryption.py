"""Encryption at rest (issue 21): a lost laptop or a copied file reveals nothing.

Most tests need the extra ``cases[encrypt]`` (SQLCipher) and are skipped, with
the reason, where it is not installed; CI installs it with ``.[test]``. What
the tool says without the extra is tested in a process that cannot import it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEY = "correct horse battery staple 21"
NO_KEY = "Error: this database is encrypted; set CASES_KEY or run on a terminal"
EXTRA = 'pip install "cases[encrypt]"'
# Text of the sample cases, and the key: none may be read from an encrypted file.
SECRETS = ("Sauytbay", "Tabarikuly", "Zharkent", KEY)

needs_extra = pytest.mark.skipif(
    importlib.util.find_spec("sqlcipher3") is None,
    reason=f"the encryption extra is not installed ({EXTRA}); CI installs it with .[test]",
)


def cases(database: Path, *args: str, key: str | None = KEY) -> subprocess.Popen:
    """Start the real command line in a process of its own, with CASES_KEY=KEY."""
    env = {k: v for k, v in os.environ.items() if k != "CASES_KEY"}
    if key is not None:
        env["CASES_KEY"] = key
    return subprocess.Popen(
        [sys.executable, "-m", "cases", "--db", str(database), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(database: Path, *args: str, key: str | None = KEY) -> tuple[int, str, str]:
    """Run a command to its end: exit status, stdout, stderr."""
    process = cases(database, *args, key=key)
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


def succeeds(database: Path, *args: str, key: str | None = KEY) -> str:
    status, stdout, stderr = finished(database, *args, key=key)
    assert status == 0, (args, stderr)
    return stdout


def all_bytes(folder: Path) -> dict[str, bytes]:
    """Every file in FOLDER (the database, its WAL, journal and notes, backups, leftovers)."""
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def assert_nothing_readable(folder: Path, *secrets: str) -> None:
    for name, data in all_bytes(folder).items():
        lowered = data.lower()
        for secret in secrets:
            assert secret.lower().encode() not in lowered, (name, secret)


def is_encrypted(path: Path) -> bool:
    return path.read_bytes()[:16] != b"SQLite format 3\x00"


def contents(database: Path, key: str | None = KEY) -> dict:
    """Everything the database holds, as its export says it."""
    return json.loads(succeeds(database, "export", "json", "--include-private", key=key))


@pytest.fixture
def encrypted(run, database: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample cases in an encrypted database; CASES_KEY holds its key."""
    monkeypatch.setenv("CASES_KEY", KEY)
    run("init", "--encrypt", "--sample")
    assert is_encrypted(database)
    return database


# -- nothing readable without the key -----------------------------------------------


@needs_extra
def test_no_record_text_in_the_file_its_wal_or_its_backup(
    run, encrypted: Path, tmp_path: Path
) -> None:
    import sqlcipher3

    # a second connection keeps the write-ahead log from being folded in and removed
    reader = sqlcipher3.connect(str(encrypted))
    reader.set_key(KEY)
    assert reader.execute("SELECT count(*) FROM people").fetchone()[0] > 0
    try:
        run("add", "person", "Qwertyname Zorkova", "--note", "Notetext Plughsecret")
        run("delete", "P1", "--yes")  # the change log keeps the deleted row, encrypted
        assert Path(f"{encrypted}-wal").stat().st_size > 0
        backups = tmp_path / "backups"
        backups.mkdir()
        run("backup", str(backups / "copy.db"))
        assert is_encrypted(backups / "copy.db")
        assert stat.S_IMODE((backups / "copy.db").stat().st_mode) == 0o600
        assert_nothing_readable(tmp_path, *SECRETS, "Qwertyname", "Plughsecret")
        assert_nothing_readable(backups, *SECRETS, "Qwertyname", "Plughsecret")
    finally:
        reader.close()
    shown = json.loads(run("--db", str(backups / "copy.db"), "show", "Zorkova", "--json").stdout)
    assert shown["person"]["note"] == "Notetext Plughsecret"


@pytest.mark.slow
@needs_extra
def test_nothing_readable_in_what_killed_writes_leave(tmp_path: Path) -> None:
    """An encrypted database's journal, WAL and writer's note, left by commands
    killed at random moments, hold no record text and no key."""
    folder = tmp_path / "killed"
    folder.mkdir()
    database = folder / "cases.db"
    shuffled = random.Random(21)
    for attempt in range(6):
        for path in folder.iterdir():
            # a killed copy's watchdog may be removing its part file meanwhile
            path.unlink(missing_ok=True)
        process = cases(database, "init", "--encrypt", "--sample")
        time.sleep(0.3 + shuffled.random() * 0.6)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        assert_nothing_readable(folder, *SECRETS)
        if database.exists() and is_encrypted(database):
            backup = cases(database, "backup", str(folder / f"copy{attempt}.db"))
            time.sleep(shuffled.random() * 0.6)
            backup.send_signal(signal.SIGKILL)
            backup.communicate()
            assert_nothing_readable(folder, *SECRETS)


# -- the same commands, the same answers ----------------------------------------------


UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MOMENT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


def _walk(run, database: Path, folder: Path) -> list[str]:
    """The sample walkthrough, each answer with its uids, times and folder blanked."""
    answers = []

    def ask(*args: str, ok: bool = True) -> str:
        result = run("--db", str(database), *args, ok=ok)
        text = f"{result.exit_code}\n{result.stdout}\n{result.stderr if not ok else ''}"
        text = UID.sub("UID", MOMENT.sub("MOMENT", text.replace(str(folder), "FOLDER")))
        answers.append(text)
        return result.stdout

    added = json.loads(ask("add", "person", "Ayan Testova", "--note", "met in Almaty", "--json"))
    ask("add", "event", added["ref"], "--date", "2019-03", "--kind", "arrest", "In Almaty")
    ask("show", "Sauytbay", "--json")
    ask("show", "Ayan Testova")
    ask("timeline", "Tabarikuly", "--json")
    ask("timeline", "--limit", "50")
    ask("search", "Zharkent", "--json")
    ask("search", "Almaty")
    ask("list", "people", "--json")
    ask("list", "events")
    ask("stats", "--json")
    ask("edit", added["ref"], "--set", "born=1980", "--set", "note=moved to Almaty")
    ask("delete", "E1", "--yes")
    ask("undo")
    ask("delete", "E1", "--yes")
    ask("merge", "Ayan Testova", "--into", "Sauytbay", "--dry-run", "--json")
    ask("merge", "Ayan Testova", "--into", "Sauytbay", "--json")
    ask("export", "json", "--include-private")
    ask("export", "csv", "--out", str(folder / "csv"), "--include-private")
    ask("import", "csv", str(folder / "csv"), "--dry-run")
    ask("import", "csv", str(folder / "csv"))
    ragged = folder / "ragged"
    shutil.copytree(folder / "csv", ragged)
    with (ragged / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("x,y\r\n")
    ask("import", "csv", str(ragged), ok=False)
    ask("check")
    ask("backup", str(folder / "backup.db"))
    ask("--db", str(folder / "backup.db"), "stats", "--json")
    ask("log", "--json")
    ask("log")
    ask("show", "P1", "--json")
    for name in sorted(path.name for path in (folder / "csv").iterdir()):
        answers.append(UID.sub("UID", (folder / "csv" / name).read_text(encoding="utf-8")))
    return answers


@pytest.mark.slow
@needs_extra
def test_the_sample_walkthrough_works_the_same_on_an_encrypted_copy(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, secret = tmp_path / "plain", tmp_path / "secret"
    plain.mkdir()
    secret.mkdir()
    run("--db", str(plain / "cases.db"), "init", "--sample")
    shutil.copy(plain / "cases.db", secret / "cases.db")
    monkeypatch.setenv("CASES_KEY", KEY)
    run("--db", str(secret / "cases.db"), "encrypt")
    assert is_encrypted(secret / "cases.db")
    monkeypatch.delenv("CASES_KEY")
    expected = _walk(run, plain / "cases.db", plain)
    monkeypatch.setenv("CASES_KEY", KEY)
    answers = _walk(run, secret / "cases.db", secret)
    assert len(answers) == len(expected)
    for answer, plain_answer in zip(answers, expected, strict=True):
        assert answer == plain_answer
    assert is_encrypted(secret / "cases.db") and is_encrypted(secret / "backup.db")
    assert_nothing_readable(secret, *SECRETS, "Testova", "Almaty")


# -- keys: missing, wrong, asked ------------------------------------------------------


@needs_extra
@pytest.mark.parametrize(
    "args",
    [
        ["list", "people"],
        ["show", "Sauytbay"],
        ["add", "person", "Ayan Test"],
        ["check"],
        ["backup", "copy.db"],
        ["export", "csv", "--out", "out"],
        ["decrypt", "--out", "plain.db"],
        ["init", "--sample"],
        ["init", "--encrypt"],
    ],
    ids=lambda args: " ".join(args),
)
def test_a_missing_or_wrong_key_is_a_clean_error_and_changes_nothing(
    encrypted: Path, fails_cleanly, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(encrypted.parent)
    before = (encrypted.read_bytes(), encrypted.stat().st_mtime_ns)
    monkeypatch.delenv("CASES_KEY")
    assert fails_cleanly(*args) == NO_KEY
    monkeypatch.setenv("CASES_KEY", "not the key")
    line = fails_cleanly(*args)
    assert "key does not open" in line and "not the key" not in line
    assert (encrypted.read_bytes(), encrypted.stat().st_mtime_ns) == before
    assert sorted(path.name for path in encrypted.parent.iterdir()) == ["cases.db"]


@needs_extra
def test_a_wrong_key_in_a_process_of_its_own_prints_one_line(encrypted: Path) -> None:
    status, stdout, stderr = finished(encrypted, "list", "people", key="not the key")
    assert status == 1 and stdout == ""
    assert stderr.splitlines() == [
        f"Error: the key does not open {encrypted} (a wrong key, or not a cases database); "
        "it was left untouched"
    ]
    status, _, stderr = finished(encrypted, "list", "people", key=None)
    assert (status, stderr) == (1, NO_KEY + "\n")


@needs_extra
def test_another_applications_encrypted_file_is_refused(
    fails_cleanly, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlcipher3

    conn = sqlcipher3.connect(str(database))
    conn.set_key(KEY)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    monkeypatch.setenv("CASES_KEY", KEY)
    assert "another application" in fails_cleanly("add", "person", "Ayan Test")
    assert "another application" in fails_cleanly("list", "people")


@needs_extra
def test_a_writer_kept_waiting_on_an_encrypted_database_is_told_why(encrypted: Path) -> None:
    import sqlcipher3

    holder = sqlcipher3.connect(str(encrypted), isolation_level=None)
    holder.set_key(KEY)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        process = subprocess.run(
            [sys.executable, "-m", "cases", "--db", str(encrypted), "add", "person", "Ayan"],
            env=dict(os.environ, CASES_KEY=KEY, CASES_BUSY_TIMEOUT="0.2"),
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert process.returncode == 1
    assert process.stderr.startswith("Error: the database is busy"), process.stderr


def _in_a_terminal(database: Path, args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run a command on a terminal of its own (no CASES_KEY), typing ANSWERS at its
    prompts; its exit status and everything it wrote to the terminal."""
    import pty
    import select

    env = {k: v for k, v in os.environ.items() if k != "CASES_KEY"}
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command, on the new terminal
        try:
            command = [sys.executable, "-m", "cases", "--db", str(database), *args]
            os.execve(sys.executable, command, env)
        finally:
            os._exit(127)
    shown, pending = b"", list(answers)
    while True:
        if not select.select([terminal], [], [], 60)[0]:
            os.kill(pid, signal.SIGKILL)  # stuck at a prompt nobody answers
            break
        try:
            chunk = os.read(terminal, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
        if pending and shown.rstrip().endswith(b":"):
            os.write(terminal, pending.pop(0).encode() + b"\n")
            shown += b"<typed>\n"
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


@needs_extra
def test_the_key_is_asked_on_a_terminal_twice_when_created(tmp_path: Path) -> None:
    database = tmp_path / "asked.db"
    status, shown = _in_a_terminal(database, ["init", "--encrypt"], [KEY, "another key"])
    assert status == 1 and "the two keys differ" in shown
    assert not database.exists()
    status, shown = _in_a_terminal(database, ["init", "--encrypt", "--sample"], [KEY, KEY])
    assert status == 0, shown
    assert "New key for" in shown and "The same key again" in shown  # asked twice
    assert KEY not in shown  # never echoed
    assert is_encrypted(database)
    status, shown = _in_a_terminal(database, ["show", "Sauytbay"], [KEY])
    assert status == 0 and "Sairagul Sauytbay" in shown and KEY not in shown
    status, shown = _in_a_terminal(database, ["show", "Sauytbay"], ["not the key"])
    assert status == 1 and "key does not open" in shown


@pytest.mark.slow
@needs_extra
def test_the_key_is_never_in_the_process_list_or_in_a_file_the_tool_writes(
    run, tmp_path: Path, big_folder: Path
) -> None:
    database = tmp_path / "cases.db"
    succeeds(database, "init", "--encrypt")
    process = cases(database, "import", "csv", str(big_folder))
    writer = Path(f"{database}-writer")
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if writer.exists() and writer.stat().st_size:
            break  # the note is written: the import is inside its transaction
        time.sleep(0.001)
    process.send_signal(signal.SIGSTOP)
    try:
        listed = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
        assert str(process.pid) in listed and KEY not in listed
        note = writer.read_text(encoding="utf-8")
        assert json.loads(note)["command"] == "import csv" and KEY not in note
    finally:
        process.send_signal(signal.SIGCONT)
        process.communicate()
    assert process.returncode == 0
    succeeds(database, "backup", str(tmp_path / "copy.db"))
    succeeds(database, "export", "csv", "--out", str(tmp_path / "csv"))
    succeeds(database, "decrypt", "--out", str(tmp_path / "plain.db"))
    for folder in (tmp_path, tmp_path / "csv"):
        assert_nothing_readable(folder, KEY)


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    """An export of 2,000 synthetic people (bench/make_db.py), to import."""
    sys.path.insert(0, str(ROOT / "bench"))
    from make_db import generate

    folder = tmp_path_factory.mktemp("big")
    generate(folder, 2000, seed=21)
    return folder


# -- converting both ways --------------------------------------------------------------


@needs_extra
def test_encrypt_then_decrypt_gives_back_the_same_database(
    run, database: Path, tmp_path: Path, fails_cleanly, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("init", "--sample")
    original = contents(database, key=None)
    monkeypatch.setenv("CASES_KEY", KEY)
    kept = tmp_path / "kept-plain.db"
    result = run("encrypt", "--backup", str(kept))
    assert "encrypted" in result.stdout
    assert is_encrypted(database) and not is_encrypted(kept)
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert contents(kept, key=None) == original == contents(database)
    assert "already encrypted" in fails_cleanly("encrypt")
    out = tmp_path / "plain.db"
    run("decrypt", "--out", str(out))
    assert not is_encrypted(out) and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert contents(out, key=None) == original
    assert "--force" in fails_cleanly("decrypt", "--out", str(out))
    assert "database itself" in fails_cleanly("decrypt", "--out", str(database), "--force")
    run("decrypt", "--out", str(out), "--force")
    assert "not encrypted" in fails_cleanly("--db", str(out), "decrypt", "--out", "x.db")
    assert "encrypt" in fails_cleanly("--db", str(out), "init", "--encrypt")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@needs_extra
def test_encrypt_follows_a_symbolic_link_and_names_a_hard_link_it_cannot_reach(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real" / "cases.db"
    run("--db", str(real), "init", "--sample")
    link = tmp_path / "link.db"
    link.symlink_to(real)
    monkeypatch.setenv("CASES_KEY", KEY)
    run("--db", str(link), "encrypt")
    assert link.is_symlink() and is_encrypted(real)
    assert_nothing_readable(real.parent, *SECRETS)
    other = tmp_path / "plain" / "cases.db"
    run("--db", str(other), "init", "--sample")
    twin = tmp_path / "plain" / "twin.db"
    os.link(other, twin)
    result = run("--db", str(other), "encrypt")
    assert f"{other} had another name (a hard link)" in result.stderr
    assert is_encrypted(other) and not is_encrypted(twin)


@needs_extra
def test_encrypt_refuses_a_database_another_process_is_reading(
    run, database: Path, monkeypatch: pytest.MonkeyPatch, fails_cleanly
) -> None:
    run("init", "--sample")
    reading = (
        "import sqlite3, sys; conn = sqlite3.connect(sys.argv[1]); conn.execute('BEGIN'); "
        "conn.execute('SELECT count(*) FROM people').fetchone(); print('reading', flush=True); "
        "sys.stdin.read()"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", reading, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "reading\n"
        monkeypatch.setenv("CASES_KEY", KEY)
        monkeypatch.setenv("CASES_BUSY_TIMEOUT", "0.2")
        assert "in use by another process" in fails_cleanly("encrypt")
    finally:
        reader.communicate("")
    assert not is_encrypted(database)
    run("encrypt")
    assert is_encrypted(database)


def _kill_while_converting(
    database: Path, args: list[str], delays: list[float], sig: int
) -> list[int]:
    statuses = []
    for delay in delays:
        process = cases(database, *args)
        time.sleep(delay)
        process.send_signal(sig)
        process.communicate()
        statuses.append(process.returncode)
    return statuses


@pytest.mark.slow
@needs_extra
def test_a_conversion_killed_at_random_moments_leaves_a_usable_original(
    run, database: Path, big_folder: Path, tmp_path: Path
) -> None:
    run("import", "csv", str(big_folder))
    original = contents(database, key=None)
    shuffled = random.Random(2121)
    trial = tmp_path / "trial" / "cases.db"  # how long one conversion takes here
    trial.parent.mkdir()
    shutil.copy(database, trial)
    started = time.monotonic()
    succeeds(trial, "encrypt")
    took = time.monotonic() - started
    [status] = _kill_while_converting(database, ["encrypt"], [took * 0.5], signal.SIGINT)
    assert status in (0, 130)  # Ctrl-C: quietly, and nothing half-written
    assert contents(database) == original
    assert _left_beside(database) == []
    delays = sorted(shuffled.uniform(0.05, took) for _ in range(6))
    for status in _kill_while_converting(database, ["encrypt"], delays, signal.SIGKILL):
        assert contents(database) == original, status  # plain or encrypted, all there
    if not is_encrypted(database):
        succeeds(database, "encrypt")
    assert is_encrypted(database)
    before = database.read_bytes()
    out = tmp_path / "out.db"
    for status in _kill_while_converting(
        database, ["decrypt", "--out", str(out), "--force"], delays, signal.SIGKILL
    ):
        assert database.read_bytes() == before, status
        if out.exists():
            assert contents(out, key=None) == original
    assert contents(database) == original
    succeeds(database, "decrypt", "--out", str(out), "--force")
    # what killed conversions left beside the files is gone after a finished one
    assert _left_beside(database) == []
    assert contents(out, key=None) == original


def _left_beside(database: Path) -> list[str]:
    return sorted(p.name for p in database.parent.iterdir() if p.name.startswith("."))


# -- without the extra ----------------------------------------------------------------


def _without_the_extra(database: Path, *args: str) -> tuple[int, str]:
    """Run the command line in a process that cannot import sqlcipher3."""
    code = (
        "import sys; sys.modules['sqlcipher3'] = None; sys.argv[0] = 'cases'; "
        "from cases.cli import main; main()"
    )
    env = dict(os.environ, CASES_KEY=KEY)
    result = subprocess.run(
        [sys.executable, "-c", code, "--db", str(database), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return result.returncode, result.stderr


def test_without_the_extra_encryption_is_a_user_error_naming_it(tmp_path: Path) -> None:
    database = tmp_path / "cases.db"
    status, stderr = _without_the_extra(database, "init", "--encrypt")
    assert status == 1 and stderr.startswith("Error: ") and EXTRA in stderr
    assert not database.exists()
    # an encrypted file: whole pages that do not begin with SQLite's header
    database.write_bytes(random.Random(1).randbytes(4096 * 3))
    before = database.read_bytes()
    for args in (["list", "people"], ["add", "person", "Ayan Test"], ["encrypt"]):
        status, stderr = _without_the_extra(database, *args)
        assert status == 1 and stderr.startswith("Error: ") and EXTRA in stderr, stderr
        assert "Traceback" not in stderr
    assert database.read_bytes() == before


@needs_extra
@pytest.mark.parametrize("suffix", ["", "-wal", "-journal", "-shm"])
def test_conversions_never_write_onto_the_database_or_its_journals(
    tmp_path: Path, suffix: str
) -> None:
    """Issue 25, failure 5: decrypt --out and encrypt --backup follow the one rule."""
    plain = tmp_path / "plain.db"
    succeeds(plain, "add", "person", "Ayan Test", key=None)
    before = all_bytes(tmp_path)
    status, _, stderr = finished(plain, "encrypt", "--backup", f"{plain}{suffix}")
    assert status == 1 and "database itself or a file SQLite keeps beside it" in stderr
    assert all_bytes(tmp_path) == before
    encrypted = tmp_path / "secret.db"
    succeeds(encrypted, "init", "--encrypt")
    status, _, stderr = finished(encrypted, "decrypt", "--out", f"{encrypted}{suffix}", "--force")
    assert status == 1 and "database itself or a file SQLite keeps beside it" in stderr, stderr
    assert is_encrypted(encrypted)


def _settled(folder: Path, seconds: float = 10) -> list[str]:
    """The hidden files left in FOLDER, once a watchdog had time to remove them."""
    deadline = time.monotonic() + seconds
    while True:
        left = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@needs_extra
def test_a_killed_decrypt_leaves_no_plain_copy_behind(tmp_path: Path) -> None:
    """Issue 25, failure 10: a decrypt killed at any moment leaves no plaintext
    part file, not even until the next decrypt."""
    encrypted = tmp_path / "secret.db"
    succeeds(encrypted, "init", "--encrypt", "--sample")
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    out = out_folder / "plain.db"
    started = time.monotonic()
    succeeds(encrypted, "decrypt", "--out", str(out))
    took = time.monotonic() - started
    out.unlink()
    seen_parts = 0
    for delay in (took * share for share in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)):
        process = cases(encrypted, "decrypt", "--out", str(out), "--force")
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            seen_parts += any(p.name.endswith(".part") for p in out_folder.iterdir())
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        assert _settled(out_folder) == []
    assert seen_parts, "no kill came while a part file was being written"


@needs_extra
def test_a_writer_waiting_out_an_encrypt_writes_into_the_encrypted_file(
    run, database: Path, big_folder: Path
) -> None:
    """Issue 25, failure 11: a writer kept waiting by an encrypt is told who holds
    the lock and how long it really waited; one that waits long enough writes
    into the encrypted file that replaced the plain one."""
    run("import", "csv", str(big_folder))
    converting = cases(database, "encrypt")
    note = Path(f"{database}-writer")
    deadline = time.monotonic() + 60
    while not (note.exists() and "encrypt" in note.read_text()):
        assert time.monotonic() < deadline and converting.poll() is None
        time.sleep(0.01)
    env = {**os.environ, "CASES_KEY": KEY, "CASES_BUSY_TIMEOUT": "0.3"}
    impatient = subprocess.run(
        [sys.executable, "-m", "cases", "--db", str(database), "add", "person", "Too Soon"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if converting.poll() is None:  # the encrypt was still at work
        assert impatient.returncode == 1
        assert "'encrypt'" in impatient.stderr and "waited 0 s" in impatient.stderr
    patient = cases(database, "add", "person", "Waited Patiently")
    converting.communicate(timeout=120)
    assert converting.returncode == 0
    stdout, stderr = patient.communicate(timeout=120)
    assert patient.returncode == 0, stderr
    assert is_encrypted(database)
    people = contents(database)["tables"]["people"]
    assert any(person["name"] == "Waited Patiently" for person in people)
