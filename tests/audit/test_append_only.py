"""The database itself refuses to change or remove audit entries."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from jointcase.audit.models import AuditEntry
from jointcase.audit.protection import audit_maintenance, protection_installed
from jointcase.audit.services import audit_record


@pytest.fixture
def entry(db: None) -> AuditEntry:
    recorded = audit_record(action="test.recorded", actor_username="someone")
    assert recorded is not None
    return recorded


def test_the_append_only_triggers_are_installed_by_migrate(db: None) -> None:
    assert protection_installed()


def test_updating_an_audit_entry_is_refused_by_the_database(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=entry.seq).update(reason="nothing happened")
    assert AuditEntry.objects.get(seq=entry.seq).reason == ""


def test_deleting_an_audit_entry_is_refused_by_the_database(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=entry.seq).delete()
    assert AuditEntry.objects.filter(seq=entry.seq).exists()


def test_raw_sql_delete_of_the_whole_log_is_refused(entry: AuditEntry) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncating_the_log_is_refused_on_postgresql(entry: AuditEntry) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 1


def test_the_switch_is_off_again_after_maintenance(entry: AuditEntry) -> None:
    with audit_maintenance(), transaction.atomic():
        pass
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=entry.seq).update(reason="edited")


@pytest.mark.audit_tampering
def test_the_owner_can_change_the_log_only_in_maintenance_mode(entry: AuditEntry) -> None:
    with audit_maintenance():
        AuditEntry.objects.filter(seq=entry.seq).update(reason="edited")
    assert AuditEntry.objects.get(seq=entry.seq).reason == "edited"


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_empty_the_log_between_tests() -> None:
    """The flush after this test runs through tests/audit_plugin.py's maintenance wrapper."""
    audit_record(action="test.recorded", actor_username="someone")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_previous_transactional_test_left_an_empty_log() -> None:
    assert AuditEntry.objects.count() == 0
