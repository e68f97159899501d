"""Completing a check: only its responsible role, with an outcome and dates, evidence the
completer may see; every refusal is clear, stores nothing and is audited. Due dates move only
with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jointcase.access.acting import NotPermitted
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.keyring import Keyring
from jointcase.material.services.items import material_add
from jointcase.risk.models import CheckEvent, CheckStatus, RequiredCheck
from jointcase.risk.services.checks_acts import check_complete, check_due_move
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _da_check(world: CaseWorld) -> RequiredCheck:
    return RequiredCheck.objects.get(case=world.case, rule_code="DA_AT_ALLOCATION")


def _denials(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, outcome=Outcome.DENY))


def _complete(world: CaseWorld, actor: object, **overrides: object) -> RequiredCheck:
    today = timezone.localdate()
    values: dict[str, object] = {
        "actor": actor,
        "check": _da_check(world),
        "outcome": "NO_TRACE",
        "requested_on": today - dt.timedelta(days=3),
        "received_on": today,
        "sent_to": "CT Policing North East (synthetic)",
    }
    values.update(overrides)
    return check_complete(**values)  # type: ignore[arg-type]


def test_the_lead_practitioner_completes_the_check_with_a_police_reply(
    checks_world: CaseWorld, keyring: Keyring
) -> None:
    people = checks_world.personas
    reply = material_add(
        actor=people.ctnm_officer,
        case=checks_world.case,
        kind="NOTE",
        title="Police reply: domestic abuse call-outs",
        classification="OFFICIAL-SENSITIVE",
        body="No call-outs recorded at the address (synthetic).",
    )
    check = _complete(
        checks_world, people.nsd_practitioner, outcome="DISCLOSED", material_ids=[str(reply.pk)]
    )
    check.refresh_from_db()
    assert check.status == CheckStatus.COMPLETED
    assert check.completed_by == people.nsd_practitioner
    assert list(check.material.all()) == [reply]
    assert AuditEntry.objects.filter(action="check.complete", outcome=Outcome.SUCCESS).exists()


def test_completing_without_an_outcome_is_refused_stores_nothing_and_is_audited(
    checks_world: CaseWorld,
) -> None:
    with pytest.raises(ValidationError) as raised:
        _complete(checks_world, checks_world.personas.nsd_practitioner, outcome="")
    assert "outcome" in raised.value.message_dict
    assert _da_check(checks_world).status == CheckStatus.OPEN
    assert [e.details["fields"] for e in _denials("check.complete")] == [["outcome"]]


def test_someone_on_the_case_outside_the_responsible_role_is_refused(
    checks_world: CaseWorld,
) -> None:
    with pytest.raises(NotPermitted) as raised:
        _complete(checks_world, checks_world.personas.ctnm_officer)
    assert not raised.value.hidden
    assert "lead nsd practitioner" in raised.value.message.lower()
    assert _da_check(checks_world).status == CheckStatus.OPEN
    assert [e.reason for e in _denials("check.complete")] == ["not_responsible"]


@pytest.mark.parametrize("who", ["officer_not_on_case", "excluded_officer", "national_lead"])
def test_someone_who_may_not_see_the_case_is_answered_as_for_a_missing_check(
    checks_world: CaseWorld, who: str
) -> None:
    with pytest.raises(NotPermitted) as raised:
        _complete(checks_world, getattr(checks_world.personas, who))
    assert raised.value.hidden
    assert _da_check(checks_world).status == CheckStatus.OPEN
    assert len(_denials("check.complete")) == 1


def test_evidence_the_completer_may_not_see_is_refused_as_missing(
    checks_world: CaseWorld, keyring: Keyring
) -> None:
    people = checks_world.personas
    secret = material_add(
        actor=people.ctnm_officer,
        case=checks_world.case,
        kind="INTELLIGENCE_REPORT",
        title="Police intelligence report",
        classification="SECRET",
        caveats=["NIGHTJAR"],
        body="Covert reporting (synthetic).",
    )
    with pytest.raises(ValidationError) as raised:
        _complete(checks_world, people.nsd_practitioner, material_ids=[str(secret.pk)])
    assert raised.value.message_dict == {
        "material": ["Choose material items of this case that you can see"]
    }
    assert _da_check(checks_world).status == CheckStatus.OPEN
    assert _denials("check.link_material")


def test_a_completed_check_cannot_be_completed_again(checks_world: CaseWorld) -> None:
    _complete(checks_world, checks_world.personas.nsd_practitioner)
    with pytest.raises(NotPermitted):
        _complete(checks_world, checks_world.personas.nsd_practitioner, outcome="REFUSED")
    assert _da_check(checks_world).outcome == "NO_TRACE"


def test_a_reply_before_the_request_is_refused(checks_world: CaseWorld) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as raised:
        _complete(
            checks_world,
            checks_world.personas.nsd_practitioner,
            requested_on=today,
            received_on=today - dt.timedelta(days=1),
        )
    assert "received_on" in raised.value.message_dict


def test_the_due_date_moves_only_with_a_reason(checks_world: CaseWorld) -> None:
    check = _da_check(checks_world)
    later = check.due_on + dt.timedelta(days=7)
    with pytest.raises(ValidationError) as raised:
        check_due_move(
            actor=checks_world.personas.nsd_practitioner, check=check, due_on=later, reason=" "
        )
    assert "reason" in raised.value.message_dict
    assert _da_check(checks_world).due_on == check.due_on
    check_due_move(
        actor=checks_world.personas.nsd_lead,
        check=check,
        due_on=later,
        reason="Police records system outage (synthetic)",
    )
    moved = _da_check(checks_world)
    assert moved.due_on == later
    assert moved.original_due_on != later
    event = CheckEvent.objects.get(check_obj=moved, kind="DUE_MOVED")
    assert event.reason == "Police records system outage (synthetic)"


def test_the_pom_may_not_move_a_practitioners_check(checks_world: CaseWorld) -> None:
    check = _da_check(checks_world)
    with pytest.raises(NotPermitted) as raised:
        check_due_move(
            actor=checks_world.personas.pom,
            check=check,
            due_on=check.due_on + dt.timedelta(days=7),
            reason="Busy (synthetic)",
        )
    assert not raised.value.hidden
    assert _da_check(checks_world).due_on == check.due_on
