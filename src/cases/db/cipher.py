"""Encrypted database files: SQLCipher, through the optional extra ``cases[encrypt]``.

A plain file is opened with Python's ``sqlite3`` module, as always; a file that
does not begin with SQLite's header may be a SQLCipher file, and is opened here,
with its key. What is particular to SQLCipher lives in this module: where the
key comes from, a connection that raises ``sqlite3``'s own exceptions (so that
the rest of ``db/`` catches one family of errors whichever driver opened the
file), and the whole-database copies that encrypt and decrypt.

The key is given to SQLCipher through its C API (``set_key``), never in SQL
text, and is kept only in memory: by the connection (to open another to the
same file, for a check or a backup) and, once typed, for the rest of the command.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from cases.errors import CasesError, Conflict, Invalid

EXTRA = 'pip install "cases[encrypt]"'
KEY_VARIABLE = "CASES_KEY"
NO_KEY = f"this database is encrypted; set {KEY_VARIABLE} or run on a terminal"
NEW_KEY_MISSING = (
    f"a new encrypted database needs a key; set {KEY_VARIABLE} or run on a terminal "
    "(nothing was changed)"
)
# What SQLite calls a file it cannot read as a database: for SQLCipher, a wrong key.
SQLITE_NOTADB = 26

# Keys typed at a prompt in this process, by database path: one command asks once,
# even when it opens the database more than once (init --encrypt creates, then opens).
_typed: dict[str, str] = {}


class ExtraMissing(CasesError):
    """Encryption was asked for, or an encrypted file met, without the extra installed."""


class KeyMissing(CasesError):
    """An encrypted database, and no key: neither CASES_KEY nor a terminal to ask on."""


class WrongKey(CasesError):
    """The key does not open the file (or the file is not a database at all)."""


def installed() -> bool:
    """True when the SQLCipher driver (the extra ``cases[encrypt]``) can be imported."""
    import importlib.util

    return importlib.util.find_spec("sqlcipher3") is not None


def driver(purpose: str) -> ModuleType:
    """The sqlcipher3 module; without the extra, a user error saying what PURPOSE needs."""
    try:
        import sqlcipher3
    except ImportError:
        raise ExtraMissing(f"{purpose} needs the encryption extra: {EXTRA}") from None
    return cast(ModuleType, sqlcipher3)


# -- the key ---------------------------------------------------------------------------


def key_for(path: Path) -> str:
    """The key of the encrypted database at PATH: CASES_KEY, else asked on a terminal."""
    known = _given_key() or _typed.get(_where(path))
    if known:
        return known
    key = _ask(f"Key for {path}: ")
    _typed[_where(path)] = key
    return key


def new_key(path: Path) -> str:
    """The key for a database about to be encrypted: CASES_KEY, else asked twice."""
    given = _given_key()
    if given:
        return given
    key = _ask(f"New key for {path}: ", missing=NEW_KEY_MISSING)
    if _ask("The same key again: ", missing=NEW_KEY_MISSING) != key:
        raise Invalid("the two keys differ; nothing was changed")
    _typed[_where(path)] = key
    return key


def _given_key() -> str | None:
    return os.environ.get(KEY_VARIABLE) or None


def _where(path: Path) -> str:
    return str(path.expanduser().resolve())


def _ask(prompt: str, *, missing: str = NO_KEY) -> str:
    """Read a key on the terminal, without echo; without a terminal, MISSING."""
    import getpass

    if not (sys.stdin.isatty() and _has_terminal()):
        raise KeyMissing(missing)
    key = getpass.getpass(prompt)
    if not key:
        raise Invalid("the key must not be empty; nothing was changed")
    return key


def _has_terminal() -> bool:
    """True when the process has a terminal to ask on (getpass asks on it, not stdin)."""
    if os.name == "nt":
        return True  # getpass reads the console
    try:
        descriptor = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(descriptor)
    return True


# -- the connection --------------------------------------------------------------------


def connect(
    where: str, *, key: str, uri: bool = False, timeout: float = 5.0, shown: object = None
) -> sqlite3.Connection:
    """A SQLCipher connection to WHERE (a path, or a URI when URI), opened with KEY
    (an empty KEY: a plain file), checked to read, with temporary tables in memory.

    A key that does not open the file is :class:`WrongKey`, naming SHOWN (the path);
    the file is not written.
    """
    module = driver("an encrypted database")
    raw = module.connect(where, isolation_level=None, timeout=timeout, uri=uri)
    try:
        # SQLCipher logs a failed decryption to stderr: the error below says it once.
        raw.execute("PRAGMA cipher_log_level = NONE")
        if key:
            raw.set_key(key)
        # no temporary file (a sort, a temporary table) may hold plain pages
        raw.execute("PRAGMA temp_store = MEMORY")
        raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except module.DatabaseError as error:
        raw.close()
        if getattr(error, "sqlite_errorcode", None) == SQLITE_NOTADB:
            raise WrongKey(
                f"the key does not open {shown or where} (a wrong key, or not a cases "
                "database); it was left untouched"
            ) from None
        raise _translated(error) from None
    except BaseException:
        raw.close()
        raise
    return cast(sqlite3.Connection, CipherConnection(raw, key, (module.Error, module.Warning)))


def reconnect(conn: sqlite3.Connection, where: str, *, timeout: float) -> sqlite3.Connection | None:
    """Another connection to WHERE with the driver and key of CONN, or None when CONN is
    not a SQLCipher connection. A new file at WHERE is encrypted with the same key."""
    if not isinstance(conn, CipherConnection):
        return None
    return connect(where, key=conn._key, timeout=timeout, shown=where)


def is_encrypted(conn: sqlite3.Connection) -> bool:
    """True when CONN reads an encrypted file."""
    return isinstance(conn, CipherConnection) and bool(conn._key)


def _translated(error: BaseException) -> Exception:
    """SQLCipher's exception as the ``sqlite3`` exception of the same name and message."""
    kind = getattr(sqlite3, type(error).__name__, sqlite3.Error)
    if not (isinstance(kind, type) and issubclass(kind, Exception)):
        kind = sqlite3.Error
    translated = kind(*error.args)
    for attribute in ("sqlite_errorcode", "sqlite_errorname"):
        if hasattr(error, attribute):
            setattr(translated, attribute, getattr(error, attribute))
    return translated


class _Translating:
    """Calls that raise ``sqlite3``'s exceptions in place of SQLCipher's."""

    _raw: Any
    _errors: tuple[type[BaseException], ...]

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._raw, method)(*args)
        except self._errors as error:
            raise _translated(error) from None

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._raw, name)
        if not callable(value):
            return value

        def translating(*args: Any, **kwargs: Any) -> Any:
            try:
                return value(*args, **kwargs)
            except self._errors as error:
                raise _translated(error) from None

        return translating


class CipherCursor(_Translating):
    """A SQLCipher cursor whose fetches raise ``sqlite3``'s exceptions."""

    def __init__(self, raw: Any, errors: tuple[type[BaseException], ...]) -> None:
        self._raw = raw
        self._errors = errors

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self._raw
        except self._errors as error:
            raise _translated(error) from None

    def __next__(self) -> Any:
        return self._call("__next__")

    def fetchone(self) -> Any:
        return self._call("fetchone")

    def fetchall(self) -> list[Any]:
        return cast(list[Any], self._call("fetchall"))

    def fetchmany(self, *args: Any) -> list[Any]:
        return cast(list[Any], self._call("fetchmany", *args))

    def execute(self, *args: Any) -> CipherCursor:
        self._call("execute", *args)
        return self

    def executemany(self, *args: Any) -> CipherCursor:
        self._call("executemany", *args)
        return self


class CipherConnection(_Translating):
    """A SQLCipher connection with the API of ``sqlite3.Connection``, raising its exceptions.

    sqlcipher3's exception classes mirror sqlite3's but are not its subclasses;
    this thin proxy translates them, so that code written against ``sqlite3``
    (the rest of db/, sqlite-utils) runs unchanged. It keeps the key, to open
    another connection to the file (a check's writer, a backup).
    """

    def __init__(self, raw: Any, key: str, errors: tuple[type[BaseException], ...]) -> None:
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_errors", errors)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._raw, name, value)  # isolation_level, row_factory...

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def execute(self, *args: Any) -> CipherCursor:
        return CipherCursor(self._call("execute", *args), self._errors)

    def executemany(self, *args: Any) -> CipherCursor:
        return CipherCursor(self._call("executemany", *args), self._errors)

    def executescript(self, *args: Any) -> CipherCursor:
        return CipherCursor(self._call("executescript", *args), self._errors)

    def cursor(self, *args: Any) -> CipherCursor:
        return CipherCursor(self._call("cursor", *args), self._errors)

    def backup(self, target: Any, **options: Any) -> None:
        """SQLite's online backup into TARGET, another connection of this driver."""
        raw_target = target._raw if isinstance(target, CipherConnection) else target
        try:
            self._raw.backup(raw_target, **options)
        except self._errors as error:
            raise _translated(error) from None


# -- whole-database copies -------------------------------------------------------------


@contextmanager
def held_for_copying(path: Path, *, timeout: float) -> Iterator[sqlite3.Connection]:
    """A SQLCipher connection to read the plain database at PATH, which no other
    process may write to until the block ends, even after a copy of it has
    replaced it.

    The write-ahead log is folded into the file first, so that no log is left
    beside it to be read into the file that replaces it; then a second
    connection holds the write lock (others may read, none may write, nor start
    a journal) while the first one copies.
    """
    holder = connect(str(path), key="", timeout=timeout, shown=path)
    try:
        try:
            holder.execute("PRAGMA journal_mode = DELETE")
            holder.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            raise Conflict(
                f"{path} is in use by another process; close it and try again (nothing was changed)"
            ) from None
        reader = connect(str(path), key="", timeout=timeout, shown=path)
        try:
            yield reader
        finally:
            reader.close()
    finally:
        holder.close()


def export(conn: sqlite3.Connection, target: Path, *, key: str) -> None:
    """Copy the database CONN reads, as one snapshot, into the new file TARGET:
    encrypted with KEY, or plain when KEY is empty.

    sqlcipher_export copies the schema and the rows (full-text tables included);
    the two header fields that identify the file are copied after it. Every
    table's row count is compared before the copy is committed.
    """
    conn.execute("ATTACH DATABASE ? AS copy KEY ?", [str(target), key])
    try:
        # a copy that fails is thrown away whole: no journal needed, synced once at the end
        conn.execute("PRAGMA copy.journal_mode = OFF")
        conn.execute("PRAGMA copy.synchronous = OFF")
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT sqlcipher_export('copy')").fetchone()
            for pragma in ("application_id", "user_version"):
                value = int(conn.execute(f"PRAGMA main.{pragma}").fetchone()[0])
                conn.execute(f"PRAGMA copy.{pragma} = {value}")
            _compare_counts(conn)
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    finally:
        conn.execute("DETACH DATABASE copy")


def _compare_counts(conn: sqlite3.Connection) -> None:
    """Refuse a copy whose tables do not hold as many rows as the original's."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND rootpage > 0"
        )
    ]
    for table in tables:
        counts = conn.execute(
            f'SELECT (SELECT count(*) FROM main."{table}"), (SELECT count(*) FROM copy."{table}")'
        ).fetchone()
        if counts[0] != counts[1]:
            raise Conflict(f"the copy of table {table} is incomplete; nothing was changed")
