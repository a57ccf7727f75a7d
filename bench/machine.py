"""What the database-backed benchmarks share: their own database, Django on it, and the facts
about the machine a report names (CPU, load, database server)."""

from __future__ import annotations

import contextlib
import os
import platform
import time
from pathlib import Path


def database_url(explicit_variable: str, name: str, sqlite_file: Path | None) -> str | None:
    """``explicit_variable`` if set; else database ``name`` on the PostgreSQL server that
    DATABASE_URL names; else the SQLite file (None: no fallback)."""
    explicit = os.environ.get(explicit_variable)
    if explicit:
        return explicit
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return configured.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{sqlite_file}" if sqlite_file else None


def recreate(url: str) -> None:
    """An empty database at ``url`` (PostgreSQL: dropped and created; SQLite: file removed)."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def exists(url: str) -> bool:
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).exists()
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def setup_django(url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["EGOV_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "egov.settings.dev"
    os.environ.setdefault("EGOV_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def analyze() -> None:
    """Planner statistics, and on PostgreSQL the visibility map that index-only scans need:
    autovacuum keeps both in production, and a bulk load is ahead of it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


def cpu_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def database_server() -> str:
    """'PostgreSQL 15.x on the same machine' or 'SQLite x (file)'."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]} on the same machine"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (file)"


def run_line(script: str, quick: bool, facts: dict[str, str]) -> str:
    """The sentence that opens a report: how it was run, on what, and how busy the machine was
    (``facts``: cpu, database, load_start, load_end)."""
    cores = os.cpu_count() or 1
    command = f"python {script}" + (" --quick" if quick else "")
    if "PostgreSQL" in facts["database"]:
        command = "DATABASE_URL=postgres://…/any " + command  # it makes its own database there
    return (
        f"`{command}` (`make bench` runs it too), one run, {time.strftime('%Y-%m-%d')}: "
        f"Python {platform.python_version()}, {platform.machine()}, {cores} cores "
        f"({facts['cpu']}), {facts['database']}. The machine was shared with other work "
        f"(load average over 1 / 5 min: {facts['load_start']} at the start, {facts['load_end']} "
        f"at the end, on {cores} cores): compare rows within a table, not across runs."
    )
