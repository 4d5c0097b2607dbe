"""Teams: a shared database on PostgreSQL, its roles kept by the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cases.db import pg
from cases.db.pg import team
from cases.errors import CasesError, Conflict, Invalid

ROLES = team.ROLES
Member = team.Member


def require_server(location: str) -> str:
    """LOCATION, when it names a PostgreSQL database; else the user error saying how."""
    if not pg.is_server(location):
        raise Invalid(
            f"{location} is a database file; a team works on a PostgreSQL database: "
            "--db postgresql://USER@HOST/DBNAME (or CASES_DB)"
        )
    return location


@contextmanager
def connected(url: str) -> Iterator[Any]:
    """A connection to the team's database at URL, whose server errors read as
    one line naming the server; what was not committed is rolled back."""
    conn = pg.connect(url)
    try:
        yield conn
    except CasesError:
        raise
    except Exception as error:
        import psycopg

        if isinstance(error, psycopg.Error):
            raise pg.failed(url, error) from None
        raise
    finally:
        conn.close()


def init(url: str) -> str:
    """Make the database at URL a team's: the records schema, the readers'
    views, the three group roles and their rights; the connected login becomes
    its first owner. Return that login."""
    require_server(url)
    with connected(url) as conn:
        import psycopg  # there: connected() says which extra to install if it is not

        if team.is_initialised(conn):
            raise Conflict(
                f"{pg.where(url)} is already a team database; add members with cases team add"
            )
        try:
            with conn.transaction():
                return team.create(conn, pg.database_name(url))
        except psycopg.errors.InsufficientPrivilege:
            raise CasesError(
                f"{pg.where(url)}: making a team database needs the database's owner, with "
                "CREATEROLE (sudo -u postgres createuser --createrole YOU; "
                "sudo -u postgres createdb -O YOU DBNAME)"
            ) from None


def add(url: str, user: str, role: str) -> bool:
    """Give USER ROLE in the team at URL; return whether their login was created."""
    require_server(url)
    if role not in ROLES:
        raise Invalid(f"--role {role!r} is not a team role; use one of: {', '.join(ROLES)}")
    with connected(url) as conn:
        _require_team(url, conn)
        with conn.transaction():
            return team.add(conn, pg.database_name(url), user, role)


def members(url: str) -> list[Member]:
    """Each member of the team at URL and their role."""
    require_server(url)
    with connected(url) as conn:
        _require_team(url, conn)
        return team.members(conn, pg.database_name(url))


def remove(url: str, user: str) -> str:
    """Take USER out of the team at URL; return the role they held."""
    require_server(url)
    with connected(url) as conn:
        _require_team(url, conn)
        with conn.transaction():
            return team.remove(conn, pg.database_name(url), user)


def _require_team(url: str, conn: Any) -> None:
    if not team.is_initialised(conn):
        raise Conflict(f"{pg.where(url)} is not a team database yet; run cases team init first")
