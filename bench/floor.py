"""The floor: the least any command built on Typer, Rich and sqlite-utils can cost.

Opens the database, reads one row and prints it as a one-row table. Every
benchmark ratio is against this, measured in the same run.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlite_utils import Database

app = typer.Typer()


@app.command()
def main(path: str) -> None:
    """Print one person as a one-row table."""
    db = Database(path)
    row = next(db.query("SELECT id, name FROM people LIMIT 1"))
    table = Table("id", "name")
    table.add_row(str(row["id"]), row["name"])
    Console().print(table)


if __name__ == "__main__":
    app()
