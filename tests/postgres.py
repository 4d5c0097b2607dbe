"""A throwaway PostgreSQL cluster for the team tests, started from the server
binaries of Debian's ``postgresql`` package (on the PATH, or under
/usr/lib/postgresql/*/bin): initdb into a temporary folder, listening on
127.0.0.1 and a socket in that folder, stopped and deleted at the end.

Debian's server is the one a team installs (the README's three commands);
a pip-installed server would test a build nobody runs. Where no server can
be had, the tests that need one are skipped with the reason printed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

PASSWORD = "team-test-password"


def server_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    candidates = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster: its folder, port and the numbers it gave out."""

    folder: Path
    binaries: Path
    port: int
    as_postgres: list[str]
    numbers: count = field(default_factory=lambda: count(1))

    @classmethod
    def start(cls) -> Cluster:
        """Start a new cluster (the one in_the_database_files looks into)."""
        global RUNNING
        RUNNING = cls._start()
        return RUNNING

    @classmethod
    def _start(cls) -> Cluster:
        """Start a new cluster, or raise RuntimeError saying why none can be had."""
        binaries = server_binaries()
        if binaries is None:
            raise RuntimeError(
                "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on the PATH or in "
                "/usr/lib/postgresql/*/bin: apt-get install postgresql"
            )
        as_postgres: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            if shutil.which("runuser") is None:
                raise RuntimeError("running as root without runuser to start PostgreSQL")
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no postgres user") from None
            as_postgres = ["runuser", "-u", "postgres", "--"]
        folder = Path(tempfile.mkdtemp(prefix="cases-pg-"))
        if as_postgres:
            shutil.chown(folder, "postgres", "postgres")
        cluster = cls(folder, binaries, _free_port(), as_postgres)
        data = folder / "data"
        cluster._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        )
        options = (
            f"-k {folder} -p {cluster.port} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        cluster._run(
            "pg_ctl", "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "start"
        )
        cluster.superuser(f"ALTER ROLE postgres PASSWORD '{PASSWORD}'")
        return cluster

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [*self.as_postgres, str(self.binaries / program), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stderr.strip()[-500:]}")

    def superuser(self, *statements: str, database: str = "postgres") -> None:
        """Run STATEMENTS as the cluster's superuser (through its socket)."""
        for statement in statements:
            self.superuser_rows(statement, [], database, rows=False)

    def superuser_rows(
        self, query: str, params: list[object], database: str = "postgres", *, rows: bool = True
    ) -> list:
        """The rows QUERY gives, run as the cluster's superuser (through its socket)."""
        import psycopg

        with psycopg.connect(
            host=str(self.folder),
            port=self.port,
            user="postgres",
            dbname=database,
            autocommit=True,
        ) as conn:
            cursor = conn.execute(query, params or None)
            return cursor.fetchall() if rows else []

    def restart(self) -> None:
        """Restart the server (fast: open connections are cut off)."""
        # its log as at the start: the server must not hold this process's pipes
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "log"),
            "-m",
            "fast",
            "-w",
            "restart",
        )

    def url(self, user: str, database: str) -> str:
        """The URL of DATABASE for USER, over TCP with a password (PGPASSWORD)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def new_team_database(self) -> tuple[str, str]:
        """A new empty database owned by a new login that may create roles:
        (that login, the database's URL for it)."""
        number = next(self.numbers)
        owner, database = f"owner{number}", f"team{number}"
        self.superuser(
            f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{PASSWORD}'",
            f"CREATE DATABASE {database} OWNER {owner}",
        )
        return owner, self.url(owner, database)

    def new_login(self, prefix: str) -> str:
        """A new login (password PASSWORD) with no rights of its own."""
        name = f"{prefix}{next(self.numbers)}"
        self.superuser(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
        return name

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


# The cluster the tests' team databases are in (started by Cluster.start).
RUNNING: Cluster | None = None


def in_the_database_files(url: str, text: str) -> bool:
    """Whether TEXT is in any byte of the files of the tables and indexes of the
    database at URL (its folder under the cluster's base/; the server's
    write-ahead log, which its administrator recycles, is not looked into)."""
    assert RUNNING is not None, "no cluster is running"
    database = url.rsplit("/", 1)[1]
    ((oid,),) = RUNNING.superuser_rows("SELECT oid FROM pg_database WHERE datname = %s", [database])
    RUNNING.superuser("CHECKPOINT")  # what the server holds in memory, written out
    needle = text.encode()
    folder = RUNNING.folder / "data" / "base" / str(oid)
    return any(needle in path.read_bytes() for path in folder.iterdir() if path.is_file())


def database_file_bytes(url: str) -> bytes:
    """Every byte of the files of the tables and indexes of the database at URL."""
    assert RUNNING is not None, "no cluster is running"
    database = url.rsplit("/", 1)[1]
    ((oid,),) = RUNNING.superuser_rows("SELECT oid FROM pg_database WHERE datname = %s", [database])
    RUNNING.superuser("CHECKPOINT")  # what the server holds in memory, written out
    folder = RUNNING.folder / "data" / "base" / str(oid)
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())
