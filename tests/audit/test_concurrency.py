"""Many writers at once still make one linear chain with no gaps or forks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from jointcase.audit.models import AuditEntry, ChainHead
from jointcase.audit.services import audit_record
from jointcase.audit.verify import chain_verify

WRITERS = 8
EACH = 25
#: SQLite's busy handler backs off in growing sleeps; fewer appends keep the test quick.
SQLITE_WRITERS = 3
SQLITE_EACH = 10


def _append_concurrently(writers: int, each: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(number: int) -> None:
        try:
            start.wait()
            for count in range(each):
                audit_record(
                    action="test.concurrent", actor_username=f"writer{number}", details={"n": count}
                )
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent connections"
)
@pytest.mark.django_db(transaction=True)
def test_many_threads_appending_at_once_make_one_linear_chain_on_postgresql() -> None:
    errors = _append_concurrently(WRITERS, EACH)
    assert errors == []
    total = WRITERS * EACH
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert ChainHead.objects.get(id=1).seq == total
    result = chain_verify(include_stored=False)
    assert result.ok, result.problem
    assert result.entries == total
    for number in range(WRITERS):
        assert AuditEntry.objects.filter(actor_username=f"writer{number}").count() == EACH


def test_appends_in_one_session_are_linear_and_rolled_back_appends_leave_no_gap(db: None) -> None:
    """SQLite serialises writers with BEGIN IMMEDIATE (settings); here, the serial guarantees."""
    from django.db import transaction

    audit_record(action="test.one", actor_username="a")

    def failing_action() -> None:
        with transaction.atomic():
            audit_record(action="test.rolled_back", actor_username="a")
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError):
        failing_action()
    audit_record(action="test.two", actor_username="a")
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", "action")) == [
        (1, "test.one"),
        (2, "test.two"),
    ]
    assert chain_verify(include_stored=False).ok


CONCURRENT_ON_A_FILE = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "audit", verbosity=0)
from tests.audit.test_concurrency import _append_concurrently, WRITERS, EACH
from jointcase.audit.models import AuditEntry
from jointcase.audit.verify import chain_verify
errors = _append_concurrently(WRITERS, EACH)
result = chain_verify(include_stored=False)
seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
print(json.dumps({"errors": [repr(e) for e in errors], "ok": result.ok, "entries": result.entries, "seqs": seqs}))
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL test above covers it")
def test_many_threads_appending_at_once_make_one_linear_chain_on_a_sqlite_file(
    tmp_path: Path,
) -> None:
    """The same threads on a SQLite file in WAL mode, in a child process.

    The test database is in memory with a shared cache, where SQLite reports "table is
    locked" at once instead of waiting for the lock; a deployment uses a file (settings:
    WAL, busy timeout, BEGIN IMMEDIATE), so this test runs against a file too.
    """
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jointcase.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/concurrent.sqlite3",
        "JOINTCASE_ENV": "test",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH")])
        ),
    }
    checked = subprocess.run(
        [sys.executable, "-c", CONCURRENT_ON_A_FILE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    outcome = json.loads(checked.stdout.strip().splitlines()[-1])
    total = WRITERS * EACH
    assert outcome["errors"] == []
    assert outcome["ok"]
    assert outcome["entries"] == total
    assert outcome["seqs"] == list(range(1, total + 1))


PARALLEL_VERIFY = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "audit", verbosity=0)
from jointcase.audit import verify
from jointcase.audit.models import AuditEntry
from jointcase.audit.protection import audit_maintenance
from jointcase.audit.services import audit_record
verify.PARALLEL_MIN_ENTRIES = 10
for number in range(240):
    audit_record(action="test.parallel", actor_username="someone", details={"n": number})
seen = []
clean = verify.chain_verify(include_stored=False, jobs=3, progress=seen.append)
with audit_maintenance():
    AuditEntry.objects.filter(seq=170).update(reason="edited")
edited = verify.chain_verify(include_stored=False, jobs=3)
print(json.dumps({
    "clean": [clean.ok, clean.entries, sum(seen)],
    "edited": [edited.problem.kind, edited.problem.seq] if edited.problem else None,
}))
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="one database is enough for the split")
def test_a_long_chain_verified_by_several_processes_still_names_the_first_bad_entry(
    tmp_path: Path,
) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jointcase.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/parallel.sqlite3",
        "JOINTCASE_ENV": "test",
    }
    checked = subprocess.run(
        [sys.executable, "-c", PARALLEL_VERIFY],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    outcome = json.loads(checked.stdout.strip().splitlines()[-1])
    assert outcome["clean"] == [True, 240, 240]
    assert outcome["edited"] == ["edited", 170]
