"""Team commands: ``team init|add|list|remove`` on a PostgreSQL database, and
``copy`` of a whole database between engines."""

from __future__ import annotations

from typing import Annotated

import typer

from cases.cli._common import JsonOption, OneValueEach, console, db_location, guarded

team_app = typer.Typer(
    help="Share one database on PostgreSQL with a team: readers, editors and owners, "
    "each with their own login; the server keeps private records from readers.\n\n"
    "Example:\n\n    cases --db postgresql://alice@localhost/cases team init\n"
    "    cases --db postgresql://alice@localhost/cases team add bob --role reader",
    no_args_is_help=True,
)

RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        metavar="ROLE",
        help="owner (manages the team), editor (reads and writes everything) or reader "
        "(reads only what a public export holds).",
        autocompletion=lambda: ["owner", "editor", "reader"],
    ),
]


@team_app.command("init", cls=OneValueEach)
@guarded
def init(ctx: typer.Context) -> None:
    """Make the PostgreSQL database --db names a team's database, with you its owner.

    It creates the records' tables (schema cases), the views readers see
    (schema cases_public) and the team's three roles. The database must exist
    and be yours (createdb -O YOU DBNAME); making roles needs CREATEROLE.

    Example:

        cases --db postgresql://alice@localhost/cases team init
    """
    from cases.render import print_added
    from cases.service.team import init as init_team

    user = init_team(db_location(ctx))
    print_added(console(), "ok", f"team database ready; {user} is its owner")


@team_app.command("add", cls=OneValueEach)
@guarded
def add(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(metavar="USER", help="A PostgreSQL login name.")],
    role: RoleOption,
) -> None:
    """Give USER a role in the team (in place of any role they had).

    A login the server does not have yet is created if you may create logins;
    set its password in psql (\\password USER): cases never holds one.

    Example:

        cases team add bob --role reader
    """
    from cases.render import print_added
    from cases.service.team import add as add_member

    created = add_member(db_location(ctx), user, role)
    said = f"{user} is a team {role}"
    if created:
        said += f"; their login is new: set its password in psql with \\password {user}"
    print_added(console(), "ok", said)


@team_app.command("list", cls=OneValueEach)
@guarded
def list_members(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the team's members and their roles.

    Example:

        cases team list --json
    """
    from cases.render import emit_json, print_records
    from cases.service.team import members

    rows = [{"user": m.user, "role": m.role} for m in members(db_location(ctx))]
    if as_json:
        emit_json(rows)
        return
    print_records(console(), [("User", "user"), ("Role", "role")], rows, empty="no members")


@team_app.command("remove", cls=OneValueEach)
@guarded
def remove(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(metavar="USER", help="A member's login name.")],
) -> None:
    """Take USER out of the team (their login stays on the server, with no access).

    Example:

        cases team remove bob
    """
    from cases.render import print_added
    from cases.service.team import remove as remove_member

    role = remove_member(db_location(ctx), user)
    print_added(console(), "ok", f"{user} is no longer a team {role}")


@guarded
def copy(
    source: Annotated[
        str,
        typer.Option(
            "--from", metavar="DB", help="The database to copy: a file or postgresql://..."
        ),
    ],
    target: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="DB",
            help="Where to: a new file, or a team database with no records yet.",
        ),
    ],
    public_only: Annotated[
        bool,
        typer.Option("--public-only", help="Copy only what a public export holds."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Copy a whole database to another, between SQLite and PostgreSQL either way.

    The same records, uids, links and citations, in one transaction; the
    target must hold no records yet.

    Example:

        cases copy --from cases.db --to postgresql://alice@localhost/cases
    """
    from cases.render import emit_json, print_records
    from cases.service.copying import copy_database

    counts = copy_database(source, target, public_only=public_only)
    rows = [{"table": name, "copied": count} for name, count in counts.items()]
    if as_json:
        emit_json({"tables": rows})
        return
    print_records(console(), [("Table", "table"), ("Copied", "copied")], rows)
