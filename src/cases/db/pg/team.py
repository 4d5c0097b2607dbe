"""A team's roles on its PostgreSQL database, kept by the server itself.

Three group roles a database (their names carry the database's, since roles
are the whole server's): ``cases_DB_reader`` may read the public views only;
``cases_DB_editor`` reads and writes the records; ``cases_DB_owner`` is an
editor who manages the team (each owner holds every group with its admin
option, so PostgreSQL lets them add and remove members). A member is a
PostgreSQL login in one of the groups: their password is the server's
business (``\\password`` in psql), never ``cases``'s.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from cases.db.pg import BASE, PUBLIC
from cases.db.pg.compatible import COMPATIBLE_SCHEMA
from cases.errors import Conflict, Invalid, NotFound

ROLES = ("owner", "editor", "reader")


class Member(NamedTuple):
    """A login and the team role it holds."""

    user: str
    role: str


def group(database: str, role: str) -> str:
    """The group role of ROLE in DATABASE's team."""
    return f"cases_{database}_{role}"


def _sql() -> Any:
    from psycopg import sql

    return sql


def is_initialised(conn: Any) -> bool:
    """Whether the records schema is in the database."""
    found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [BASE]).fetchone()
    return found is not None


def role_exists(conn: Any, name: str) -> bool:
    """Whether NAME is a role of the server."""
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone() is not None


def create(conn: Any, database: str) -> str:
    """Make DATABASE a team's, inside the caller's transaction: the records schema
    and the readers' views (from the catalogue), the group roles and their
    rights; the connected login becomes its first owner. Return that login."""
    from cases.db.pg import public, schema, search

    user = str(conn.execute("SELECT current_user").fetchone()[0])
    for statement in (*schema.create_statements(), *search.statements(), *public.statements()):
        conn.execute(statement)
    create_groups(conn, database)
    grant_rights(conn, database)
    add(conn, database, user, "owner")
    return user


def create_groups(conn: Any, database: str) -> None:
    """The three group roles of DATABASE's team, where the server has none yet."""
    sql = _sql()
    for role in ROLES:
        name = group(database, role)
        if not role_exists(conn, name):
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))


def grant_rights(conn: Any, database: str) -> None:
    """What each group may do: readers the public views, editors the records,
    owners (editors too) the team; nobody else may connect."""
    sql = _sql()

    def run(text: str, *names: str) -> None:
        conn.execute(sql.SQL(text).format(*(sql.Identifier(n) for n in names)))

    reader, editor, owner = (group(database, role) for role in ("reader", "editor", "owner"))
    run("REVOKE ALL ON DATABASE {} FROM PUBLIC", database)
    for name in (reader, editor, owner):
        run("GRANT CONNECT ON DATABASE {} TO {}", database, name)
    run("REVOKE ALL ON SCHEMA {} FROM PUBLIC", BASE)
    run("REVOKE ALL ON SCHEMA {} FROM PUBLIC", PUBLIC)
    # an export's privacy filter and a purge work in temporary tables
    run("GRANT TEMPORARY ON DATABASE {} TO {}", database, editor)
    run("GRANT USAGE ON SCHEMA {} TO {}", BASE, editor)
    run("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}", BASE, editor)
    run("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}", BASE, editor)
    for name in (reader, editor):
        run("GRANT USAGE ON SCHEMA {} TO {}", PUBLIC, name)
        run("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}", PUBLIC, name)
        run("GRANT USAGE ON SCHEMA {} TO {}", COMPATIBLE_SCHEMA, name)
    run("GRANT {} TO {}", editor, owner)
    # a reader's psql finds the public views by their bare names
    run("ALTER DATABASE {} SET search_path = {}, public", database, PUBLIC)
    # the public views are long queries whose estimated cost makes PostgreSQL
    # compile them to machine code first, which takes far longer than running them
    run("ALTER DATABASE {} SET jit = off", database)


def members(conn: Any, database: str) -> list[Member]:
    """Each login in the team and its role (the highest, if it holds several)."""
    names = {group(database, role): role for role in ROLES}
    rows = conn.execute(
        """SELECT r.rolname, g.rolname FROM pg_auth_members m
           JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
           WHERE g.rolname = ANY(%s) AND NOT (r.rolname = ANY(%s))
           ORDER BY r.rolname""",
        [list(names), list(names)],
    ).fetchall()
    best: dict[str, str] = {}
    for user, held in rows:
        role = names[held]
        if user not in best or ROLES.index(role) < ROLES.index(best[user]):
            best[user] = role
    return [Member(user, role) for user, role in sorted(best.items())]


def add(conn: Any, database: str, user: str, role: str) -> bool:
    """Give USER (a login of the server) ROLE in the team, in place of any other
    it held; create the login first if the connected user may. Return whether
    the login was created (it has no password yet)."""
    sql = _sql()
    created = False
    if user in {group(database, r) for r in ROLES}:
        raise Invalid(f"{user} is one of the team's groups, not a person's login")
    if not role_exists(conn, user):
        may_create = conn.execute(
            "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
        if not may_create:
            raise NotFound(
                f"{user} has no login on this server, and you may not create one: ask the "
                f"server's administrator (createuser {user}), then run team add again"
            )
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(user)))
        created = True
    _leave(conn, database, user)
    admin = sql.SQL(" WITH ADMIN OPTION") if role == "owner" else sql.SQL("")
    held = ROLES if role == "owner" else (role,)
    for name in held:
        conn.execute(
            sql.SQL("GRANT {} TO {}{}").format(
                sql.Identifier(group(database, name)), sql.Identifier(user), admin
            )
        )
    return created


def remove(conn: Any, database: str, user: str) -> str:
    """Take USER out of the team; return the role they held. The last owner stays."""
    held = {member.user: member.role for member in members(conn, database)}
    if user not in held:
        raise NotFound(f"{user} is not in the team of {database}")
    owners = [name for name, role in held.items() if role == "owner"]
    if held[user] == "owner" and owners == [user]:
        raise Conflict(f"{user} is the team's last owner; add another owner first")
    _leave(conn, database, user)
    return held[user]


def _leave(conn: Any, database: str, user: str) -> None:
    sql = _sql()
    for role in ROLES:
        name = group(database, role)
        member = conn.execute(
            """SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
               JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname = %s AND g.rolname = %s""",
            [user, name],
        ).fetchone()
        if member:
            conn.execute(
                sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(name), sql.Identifier(user))
            )
