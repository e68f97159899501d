"""``audited_read``'s ``on_allowed`` hook (the purpose-of-consultation gate of the case page):
called only for an object the user may see, before its entry is written; when it raises,
nothing is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from jointcase.access.policy import Decision
from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.audit.reads import audited_read, int_key
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


class Stop(Exception):
    pass


def _read(user: User, raw_id: Any, allowed: bool, on_allowed: Any) -> User:
    return audited_read(
        user=user,
        raw_id=raw_id,
        key=int_key,
        load=lambda pk: User.objects.filter(pk=pk).first(),
        decide=lambda _found: Decision(allowed, "test_reason"),
        action="test.read",
        object_type="user",
        not_found="Not found",
        on_allowed=on_allowed,
    )


def test_it_runs_for_an_allowed_object_before_the_entry_and_a_raise_records_nothing(
    personas: Personas,
) -> None:
    seen: list[User] = []
    target = personas.pom
    before = AuditEntry.objects.count()

    def stop(found: User) -> None:
        seen.append(found)
        raise Stop

    with pytest.raises(Stop):
        _read(personas.nsd_lead, target.pk, True, stop)
    assert seen == [target]
    assert AuditEntry.objects.count() == before

    assert _read(personas.nsd_lead, target.pk, True, seen.append) == target
    assert seen == [target, target]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.outcome, entry.object_id) == ("test.read", "ALLOW", str(target.pk))


@pytest.mark.parametrize("case", ["forbidden", "missing", "malformed"])
def test_it_never_runs_for_a_forbidden_missing_or_malformed_id(
    personas: Personas, case: str
) -> None:
    raw_id = {"forbidden": personas.pom.pk, "missing": 10**9, "malformed": "x"}[case]
    called: list[User] = []
    before = AuditEntry.objects.count()
    with pytest.raises(Http404):
        _read(personas.nsd_lead, raw_id, case != "forbidden", called.append)
    assert called == []
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None
    assert entry.outcome == "DENY"
