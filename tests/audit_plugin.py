"""pytest plugin: the audit tables' flush hook, and the ``audit_trail`` fixture.

The audit tables refuse UPDATE, DELETE and TRUNCATE (audit/protection.py). pytest-django's
transactional tests (``transactional_db``, ``live_server``) flush every table after each test;
this plugin wraps Django's flush in the owner-only maintenance mode so that the flush, and
only the flush, may empty them. ``audit_trail`` lets any suite assert that a request left
the audit entry it should. Load it for the whole suite from tests/conftest.py::

    pytest_plugins = ["tests.audit_plugin"]
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.backends.base.operations import BaseDatabaseOperations

_original_execute_sql_flush = BaseDatabaseOperations.execute_sql_flush


def _execute_sql_flush_in_maintenance(self: BaseDatabaseOperations, sql_list: Any) -> None:
    from jointcase.audit.protection import audit_maintenance

    with audit_maintenance(self.connection.alias):
        _original_execute_sql_flush(self, sql_list)


if not getattr(BaseDatabaseOperations.execute_sql_flush, "_jointcase_audit", False):
    _execute_sql_flush_in_maintenance._jointcase_audit = True  # type: ignore[attr-defined]
    BaseDatabaseOperations.execute_sql_flush = _execute_sql_flush_in_maintenance  # type: ignore[method-assign]


# --- "this request left this audit entry" -----------------------------------------------------


class AuditTrail:
    """The entries appended since this trail was started.

    ``trail = audit_trail()``, then do the request, then
    ``trail.assert_left(action="case.viewed", actor=user, object_type="case", object_id=7,
    outcome="ALLOW")`` returns the matching entry or fails listing what was recorded.
    """

    def __init__(self) -> None:
        from jointcase.audit.models import AuditEntry

        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        self.start = last or 0

    def entries(self) -> list[Any]:
        from jointcase.audit.models import AuditEntry

        return list(AuditEntry.objects.filter(seq__gt=self.start).order_by("seq"))

    def assert_left(self, *, actor: Any = None, **expected: Any) -> Any:
        if actor is not None:
            expected["actor_id"] = actor.pk
        if "object_id" in expected:
            expected["object_id"] = str(expected["object_id"])
        entries = self.entries()
        for entry in entries:
            if all(getattr(entry, name) == value for name, value in expected.items()):
                return entry
        recorded = [
            {
                name: getattr(entry, name)
                for name in ("seq", "action", "outcome", "actor_id", "object_type", "object_id")
            }
            for entry in entries
        ]
        raise AssertionError(f"no audit entry with {expected}; recorded since: {recorded}")

    def assert_left_nothing(self, **expected: Any) -> None:
        matching = [
            entry
            for entry in self.entries()
            if all(getattr(entry, name) == value for name, value in expected.items())
        ]
        assert not matching, f"unexpected audit entries: {matching}"


@pytest.fixture
def audit_trail(db: None) -> Any:
    """``audit_trail()`` starts a trail; see ``AuditTrail``."""
    return AuditTrail
