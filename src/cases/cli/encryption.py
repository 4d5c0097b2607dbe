"""Encryption at rest: ``encrypt`` and ``decrypt`` (extra ``cases[encrypt]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cases.cli._common import console, db_path, guarded


@guarded
def encrypt(
    ctx: typer.Context,
    backup: Annotated[
        Path | None,
        typer.Option(
            "--backup", metavar="PATH", help="First keep a plain copy of the database at PATH."
        ),
    ] = None,
) -> None:
    """Encrypt the database in place, with a new key (SQLCipher).

    The key comes from CASES_KEY, else it is asked twice on the terminal; it is
    never given on the command line. The encrypted copy is written beside the
    database, checked, then renamed over it: an interruption leaves the
    database as it was. Every command then asks for the key (or reads
    CASES_KEY). Needs the extra: pip install "cases\\[encrypt]".

    Example:

        cases encrypt --backup plain-copy.db
    """
    from cases.render import print_added, print_notice
    from cases.service.encryption import encrypt as convert

    path = db_path(ctx)
    remarks = convert(path, backup=backup)
    print_added(console(), "ok", f"{path} is encrypted; keep its key safe: it cannot be recovered")
    for remark in remarks:
        print_notice(remark)


@guarded
def decrypt(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", metavar="PATH", help="Where to write the plain copy.")
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a plain (unencrypted) copy of an encrypted database (mode 0600).

    The encrypted database is left as it is. The copy can be read by anyone
    who can read the file: keep it where the encrypted one would be safe.

    Example:

        cases encrypt
        cases decrypt --out plain-copy.db
    """
    from cases.render import print_added
    from cases.service.encryption import decrypt as convert

    written = convert(db_path(ctx), out, force=force)
    print_added(console(), "ok", f"plain copy written to {written}; it is not encrypted")
