"""Serving a publication: Datasette, run in this process's place on 127.0.0.1."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cases.errors import Conflict, Invalid, NotFound
from cases.service.publish import DATABASE, METADATA

EXTRA = 'pip install "cases[serve]"'


HOST = "127.0.0.1"


DEFAULT_PORT = 8001


def datasette_command(folder: Path, port: int) -> list[str]:
    """The command that serves the publication in FOLDER on 127.0.0.1:PORT."""
    import importlib.util

    if importlib.util.find_spec("datasette") is None:
        raise Conflict(f"cases serve needs Datasette; install it with: {EXTRA}")
    if not 1 <= port <= 65535:
        raise Invalid(f"--port {port} is not a port; use 1 to 65535")
    database, metadata = folder / DATABASE, folder / METADATA
    if not database.is_file() or not metadata.is_file():
        raise NotFound(f"{folder} holds no publication; make one with: cases publish {folder}")
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(database),
        "--metadata",
        str(metadata),
        "--host",
        HOST,
        "--port",
        str(port),
    ]


def _check_port_free(port: int) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            raise Conflict(f"port {port} on {HOST} is in use; choose another with --port") from None


def run_datasette(arguments: list[str], port: int) -> None:
    """Become Datasette, serving on PORT: this process runs ARGUMENTS in its
    place, so that Ctrl-C and any signal reach the server itself, and nothing
    is left running behind it."""
    _check_port_free(port)
    sys.stdout.flush()
    sys.stderr.flush()
    # a long-running server has no use for the database's key: it serves a
    # publication, which is never encrypted
    environment = {name: value for name, value in os.environ.items() if name != "CASES_KEY"}
    os.execve(arguments[0], arguments, environment)
