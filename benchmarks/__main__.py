"""``python -m benchmarks``: run every benchmarks/bench_*.py module and print one table.

Databases: SQLite always (a fresh file under var/bench/, removed afterwards), and PostgreSQL
when ``BENCH_DATABASE_URL`` or ``DATABASE_URL`` is set (a scratch database named
``jointcase_bench``, or ``BENCH_SCRATCH_DB``, on that server, dropped and re-created). Each database runs in its own
child process, because Django binds its database at start-up; the parent collects their rows
and prints a single markdown table:

    benchmark | database | value | unit | baseline | ratio | target | ok

A module that raises becomes an ``error`` row and the others still run.

Options: ``--only NAME`` (substring of the module name, repeatable), ``--database sqlite`` or
``--database postgres`` (one database only).

Environment: ``JOINTCASE_BENCH_SCALE=demo|national|stress`` (the seeded world's size; stress
is 100,000 cases, 1,000,000 material items and 1,000,000 actions), ``JOINTCASE_BENCH_REQUESTS``
(samples per figure) and ``JOINTCASE_BENCH_KEEPDB=1``: keep the seeded test database
(PostgreSQL: ``test_<scratch>``; SQLite: ``var/bench/kept-<scale>.sqlite3``) so the next
module and the next run reuse the world instead of seeding it again (the material module
seeds the register and material, the meetings module adds meetings and actions to it). At
stress scale on a 2-core machine the seed takes about 5 minutes on PostgreSQL. Delete the
kept database when done (``DROP DATABASE test_<scratch>``, or the file).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
#: The PostgreSQL scratch database (dropped and re-created on every run).
SCRATCH_NAME = os.environ.get("BENCH_SCRATCH_DB", "jointcase_bench")
_ROWS_MARKER = "JOINTCASE-BENCH-ROWS:"


@dataclass
class Row:
    benchmark: str
    database: str
    value: float | str
    unit: str
    target: str = ""
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0) or not isinstance(self.value, int | float):
            return None
        return float(self.value) / float(self.baseline)  # type: ignore[arg-type]

    @property
    def ok(self) -> str:
        if self.unit == "error":
            return "ERROR"
        match = re.fullmatch(r"\s*(<=|>=|<|>|==)\s*([-0-9.eE]+)(.*)", self.target or "")
        if not match or not isinstance(self.value, int | float):
            return ""
        operator, limit = match.group(1), float(match.group(2))
        value = float(self.value)
        if match.group(3).strip().startswith("x"):
            # A target such as ">= 0.8 x audit off" is about the ratio to the baseline.
            if self.ratio is None:
                return ""
            value = self.ratio
        passed = {
            "<=": value <= limit,
            ">=": value >= limit,
            "<": value < limit,
            ">": value > limit,
            "==": value == limit,
        }[operator]
        return "yes" if passed else "NO"


def discover(only: list[str] | None = None) -> list[str]:
    names = sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))
    if only:
        names = [name for name in names if any(part in name for part in only)]
    return names


# --- child: one database ----------------------------------------------------------------------


def _postgres_scratch_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + SCRATCH_NAME))


def _prepare_postgres(url: str) -> None:
    """Drop and re-create the scratch database (connecting to the server's ``postgres`` db)."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {SCRATCH_NAME} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {SCRATCH_NAME}")


def _prepare_sqlite() -> str:
    directory = ROOT / "var" / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    # One file per run, so two runs on one machine never share a database.
    path = directory / f"bench-{os.getpid()}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _teardown_test_environment() -> None:
    """Undo a module's ``setup_test_environment()`` so the next module may call it again."""
    from django.test import utils

    if getattr(utils._TestState, "saved_data", None) is not None:
        utils.teardown_test_environment()


def run_child(database: str, modules: list[str]) -> list[Row]:
    if database == "postgres":
        source = os.environ.get("BENCH_DATABASE_URL") or os.environ["DATABASE_URL"]
        _prepare_postgres(source)
        os.environ["DATABASE_URL"] = _postgres_scratch_url(source)
    else:
        os.environ["DATABASE_URL"] = _prepare_sqlite()
    os.environ["JOINTCASE_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jointcase.settings"
    sys.path.insert(0, str(ROOT))
    try:
        return _run_modules(database, modules)
    finally:
        if database == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///") + suffix).unlink(
                    missing_ok=True
                )


def _run_modules(database: str, modules: list[str]) -> list[Row]:

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    rows: list[Row] = []
    for name in modules:

        def report(
            benchmark: str,
            value: float,
            unit: str,
            target: str = "",
            baseline: float | None = None,
            _module: str = name,
        ) -> None:
            rows.append(Row(benchmark, database, value, unit, target, baseline))
            print(f"  {benchmark}: {value} {unit}", file=sys.stderr, flush=True)

        print(f"[{database}] {name}", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            module.run(report)
        except Exception as error:  # noqa: BLE001 - a failing module is a row, not the end
            traceback.print_exc(file=sys.stderr)
            message = f"{type(error).__name__}: {error}".replace("|", "/").splitlines()[0]
            rows.append(Row(f"{name} (failed)", database, message[:120], "error"))
        finally:
            _teardown_test_environment()
            from django.db import connections

            connections.close_all()
    return rows


# --- parent: every database, one table -----------------------------------------------------


def _format(value: float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def table(rows: list[Row]) -> str:
    header = ["benchmark", "database", "value", "unit", "baseline", "ratio", "target", "ok"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        ratio = row.ratio
        cells = [
            row.benchmark,
            row.database,
            _format(row.value),
            row.unit,
            _format(row.baseline),
            f"{ratio:.2f}" if ratio is not None else "",
            row.target,
            row.ok,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _databases(choice: str | None) -> list[str]:
    if choice:
        return [choice]
    has_postgres = bool(os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL"))
    return ["sqlite", "postgres"] if has_postgres else ["sqlite"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", action="append", help="run modules whose name contains this")
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    modules = discover(args.only)

    if args.child:
        rows = run_child(args.database or "sqlite", modules)
        print(_ROWS_MARKER + json.dumps([asdict(row) for row in rows]))
        return 0

    all_rows: list[Row] = []
    for database in _databases(args.database):
        command = [sys.executable, "-m", "benchmarks", "--child", "--database", database]
        for part in args.only or []:
            command += ["--only", part]
        result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
        marker = [line for line in result.stdout.splitlines() if line.startswith(_ROWS_MARKER)]
        if marker:
            all_rows += [Row(**row) for row in json.loads(marker[-1][len(_ROWS_MARKER) :])]
        else:
            all_rows.append(
                Row("benchmark run (failed)", database, f"exit {result.returncode}", "error")
            )
    print()
    print(table(all_rows))
    return 1 if any(row.unit == "error" for row in all_rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
