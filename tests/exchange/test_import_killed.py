"""``kill -9`` in the middle of ``jointcase import``, then the same command again: every row
is accounted for exactly once (a real process, a real SIGKILL, on SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.exchange.conftest import SOURCE, csv_bytes, person_row

ROWS = 6000
CHUNK = 40


def _database(tmp_path: Path) -> tuple[str, Callable[[str], list[tuple[Any, ...]]]]:
    """A DATABASE_URL a child process can reach holding this test's (empty, migrated)
    database, and a way to query what the child wrote."""
    params = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        path = tmp_path / "import.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)  # type: ignore[union-attr]
        target.close()

        def query(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(path, timeout=20) as db:
                return list(db.execute(sql).fetchall())

        return f"sqlite:///{path}", query
    url = (
        f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST'] or '127.0.0.1'}"
        f":{params['PORT'] or 5432}/{params['NAME']}"
    )

    def query_pg(sql: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    return url, query_pg


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_way_resumes_and_accounts_for_every_row_once(
    tmp_path: Path,
) -> None:
    rows = [person_row(n) for n in range(1, ROWS + 1)]
    rows[ROWS - 10] = person_row(3, surname="CLASH")
    rows[ROWS - 5] = person_row(ROWS - 4, date_of_birth="2001-02-29")
    extract = tmp_path / "extract.csv"
    extract.write_bytes(csv_bytes(rows))
    url, query = _database(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JOINTCASE_ENV": "test",
        "JOINTCASE_IMPORT_CHUNK_ROWS": str(CHUNK),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    command = [
        sys.executable,
        "-m",
        "django",
        "import",
        "--settings=jointcase.settings",
        "--no-progress",
        "--source",
        SOURCE,
        str(extract),
    ]
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done_at_kill = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and child.poll() is None:
            found = query("SELECT rows_done FROM exchange_importbatch")
            if found and found[0][0] >= CHUNK:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    done_at_kill = query("SELECT rows_done FROM exchange_importbatch")[0][0]
    assert 0 < done_at_kill < ROWS
    assert query("SELECT COUNT(*) FROM exchange_sourcerecord")[0][0] == done_at_kill

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resuming after row {done_at_kill} of {ROWS}" in resumed.stdout

    batches = query(
        "SELECT status, rows_total, rows_done, accepted, updated, unchanged, quarantined "
        "FROM exchange_importbatch"
    )
    assert batches == [("done", ROWS, ROWS, ROWS - 2, 0, 0, 2)]
    ids = query("SELECT source_record_id FROM exchange_sourcerecord")
    assert len(ids) == len({row[0] for row in ids}) == ROWS - 2
    held = query("SELECT line_number FROM exchange_quarantinedrow ORDER BY line_number")
    assert held == [(ROWS - 8,), (ROWS - 3,)]
