"""PostgreSQL: a team's shared database (extra ``cases[postgres]``, psycopg 3).

The records live in the schema ``cases`` (the tables the catalogue declares,
as on SQLite) and what a public export holds in ``cases_public`` (views
generated from privacy.py's rules): a reader is granted the second only, so
the server itself keeps private records from them, by any SQL.

``cases`` never holds a password: psycopg asks libpq, which reads the URL,
``PGPASSWORD``, ``~/.pgpass`` or a service file.
"""

from __future__ import annotations

import logging
from typing import Any

from cases.errors import CasesError

# The schema of the records and the schema of what readers see.
BASE = "cases"
PUBLIC = "cases_public"
SCHEMES = ("postgresql://", "postgres://")


class ServerError(CasesError):
    """The server could not be reached, refused the login, or failed mid-way."""


def is_server(location: str | None) -> bool:
    """Whether LOCATION (a --db value) names a PostgreSQL database, not a file."""
    return location is not None and location.startswith(SCHEMES)


def where(url: str) -> str:
    """The server and database URL names, for messages: never its password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # a malformed URL: say so without repeating it
        return "the PostgreSQL server (a malformed URL)"
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    database = parts.get("dbname") or parts.get("user") or "?"
    return f"the PostgreSQL server at {host}:{port} (database {database})"


def database_name(url: str) -> str:
    """The name of the database URL names (the user's name when none is given)."""
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(url)
    return str(parts.get("dbname") or parts.get("user") or "postgres")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise CasesError(
            "a PostgreSQL database needs the extra: pip install 'cases[postgres]'"
        ) from None
    return psycopg


def connect(url: str) -> Any:
    """An open psycopg connection to URL, its search path on the records; a
    refused login, an unknown database or a server that is down is a
    :class:`ServerError` naming the server (never the password)."""
    psycopg = _psycopg()
    # psycopg logs what it gives up on when a connection breaks (a COPY it cannot
    # end): the user reads one Error: line instead, and no log prints a record
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    logging.getLogger("psycopg").propagate = False
    try:
        conn = psycopg.connect(url, connect_timeout=10, autocommit=True)
    except psycopg.Error as error:
        raise ServerError(f"cannot connect to {where(url)}: {reason(error)}") from None
    conn.execute(f"SET search_path TO {BASE}, public")
    return conn


def reason(error: BaseException) -> str:
    """What the server said, in one line: its FATAL or ERROR message alone."""
    text = str(error).strip()
    for marker in ("FATAL:", "ERROR:"):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def failed(url: str, error: BaseException, *, reading: bool = False) -> ServerError:
    """A :class:`ServerError` for ERROR raised while talking to the server at URL:
    the transaction is gone, so nothing of the change was written (READING: a
    query, which changed nothing)."""
    psycopg = _psycopg()
    if isinstance(error, psycopg.OperationalError):
        outcome = "" if reading else "; nothing was written"
        return ServerError(f"lost the connection to {where(url)} ({reason(error)}){outcome}")
    what = "the query" if reading else "the change"
    return ServerError(f"{where(url)} refused {what}: {reason(error)}")
