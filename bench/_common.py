"""What the benchmark scripts share.

The scripts import the project's packages as installed (``pip install -e .``) and this module
from their own folder (``python bench/<script>.py`` puts ``bench/`` first on ``sys.path``).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portfolio.db import normalise_url


@contextmanager
def temporary_database(postgres: str | None, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards.

    SQLite in a temporary folder; or, given the URL of a PostgreSQL server (``postgres``), a
    database named ``<prefix>_<random>`` created on that server.
    """
    if postgres is None:
        with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    admin_url = normalise_url(postgres)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def processes_cpu(pids: set[int]) -> float:
    """CPU seconds used so far by these local processes (a database server's, say); 0 where
    unreadable."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")
