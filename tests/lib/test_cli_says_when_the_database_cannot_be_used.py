"""An operator whose ``DATABASE_URL`` points nowhere gets one line saying what to check, not a
Python traceback; ``--traceback`` still gives the detail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _jointcase(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/no-such-directory/db.sqlite3")
    return subprocess.run(
        [sys.executable, "-m", "jointcase.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_database_that_cannot_be_opened_is_one_clear_line(tmp_path: Path) -> None:
    result = _jointcase("migrate", "--verbosity", "0", tmp_path=tmp_path)

    assert result.returncode == 2
    assert "jointcase: the database could not be used: unable to open database file" in (
        result.stderr
    )
    assert "Check DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_traceback_asks_for_the_detail(tmp_path: Path) -> None:
    result = _jointcase("migrate", "--verbosity", "0", "--traceback", tmp_path=tmp_path)

    assert result.returncode != 0
    assert "Traceback" in result.stderr
