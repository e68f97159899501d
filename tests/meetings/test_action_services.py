"""Agreed actions: creation, completion, reassignment and their refusals (nothing stored)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jointcase.audit.models import AuditEntry
from jointcase.meetings.models import ActionEventKind, ActionStatus, AgreedAction
from jointcase.meetings.services.actions import (
    action_complete,
    action_create,
    action_reassign,
    action_update_status,
)
from jointcase.notifications.models import Notification
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _create(world: CaseWorld, **overrides: object) -> AgreedAction:
    people = world.personas
    values: dict[str, object] = {
        "actor": people.ct_supervisor,
        "case": world.case,
        "description": "Arrange a home visit with police",
        "owner": people.nsd_practitioner,
        "due_date": timezone.localdate() + dt.timedelta(days=10),
        "source_kind": "ASSESSMENT",
    }
    values.update(overrides)
    return action_create(**values)  # type: ignore[arg-type]


def test_an_action_is_agreed_with_an_owner_their_agency_and_a_history(
    team_world: CaseWorld,
) -> None:
    action = _create(team_world)
    assert action.owner_agency == team_world.personas.nsd_practitioner.agency
    assert action.status == ActionStatus.OPEN
    assert [e.kind for e in action.events.all()] == [ActionEventKind.CREATED]
    assert AuditEntry.objects.filter(action="action.create", object_id=str(action.pk)).exists()
    notice = Notification.objects.get(recipient=team_world.personas.nsd_practitioner)
    assert notice.text == "An agreed action has been assigned to you"
    assert "home visit" not in notice.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"owner": None}, "owner"),
        ({"due_date": None}, "due_date"),
        ({"due_date": dt.date(2000, 1, 1)}, "due_date"),
        ({"description": "  "}, "description"),
    ],
)
def test_an_action_without_owner_or_date_or_with_a_past_date_is_refused_and_nothing_stored(
    team_world: CaseWorld, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        _create(team_world, **overrides)
    assert field in error.value.message_dict
    assert not AgreedAction.objects.exists()


def test_an_owner_who_cannot_see_the_case_is_refused_with_a_clear_message(
    team_world: CaseWorld,
) -> None:
    with pytest.raises(ValidationError) as error:
        _create(team_world, owner=team_world.personas.officer_not_on_case)
    assert error.value.message_dict["owner"] == ["This person cannot own actions on this case"]
    with pytest.raises(ValidationError):
        _create(team_world, owner=team_world.personas.excluded_officer)
    assert not AgreedAction.objects.exists()


def test_completion_needs_evidence_and_is_recorded(team_world: CaseWorld) -> None:
    action = _create(team_world)
    practitioner = team_world.personas.nsd_practitioner
    with pytest.raises(ValidationError) as error:
        action_complete(actor=practitioner, action=action, evidence=" ")
    assert "evidence" in error.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    done = action_complete(
        actor=practitioner,
        action=action,
        evidence="Visit made on Tuesday",
        expected_version=action.version,
    )
    assert done.status == ActionStatus.DONE
    assert done.completed_at is not None
    assert done.events.filter(kind=ActionEventKind.COMPLETED).exists()
    with pytest.raises(ValidationError):
        action_complete(actor=practitioner, action=done, evidence="again")


def test_completion_refuses_material_from_another_case_or_unknown(team_world: CaseWorld) -> None:
    action = _create(team_world)
    with pytest.raises(ValidationError) as error:
        action_complete(
            actor=team_world.personas.nsd_practitioner,
            action=action,
            evidence="See item",
            evidence_item_id="6f1c1f9e-0000-4000-8000-000000000000",
        )
    assert "evidence_item_id" in error.value.message_dict


def test_reassignment_needs_a_reason_and_an_owner_on_the_case(team_world: CaseWorld) -> None:
    people = team_world.personas
    action = _create(team_world)
    with pytest.raises(ValidationError) as error:
        action_reassign(
            actor=people.ct_supervisor, action=action, owner=people.ctnm_officer, reason=""
        )
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        action_reassign(
            actor=people.ct_supervisor,
            action=action,
            owner=people.officer_not_on_case,
            reason="Leave",
        )
    assert error.value.message_dict["owner"] == ["This person cannot own actions on this case"]
    moved = action_reassign(
        actor=people.ct_supervisor,
        action=action,
        owner=people.ctnm_officer,
        reason="Practitioner on leave",
    )
    assert moved.owner == people.ctnm_officer
    assert moved.owner_agency == people.ctnm_officer.agency
    event = moved.events.get(kind=ActionEventKind.REASSIGNED)
    assert (event.from_value, event.to_value, event.reason) == (
        "nsd.practitioner",
        "ctnm.officer",
        "Practitioner on leave",
    )


def test_a_stale_version_is_refused(team_world: CaseWorld) -> None:
    action = _create(team_world)
    action_update_status(
        actor=team_world.personas.nsd_practitioner, action=action, status=ActionStatus.IN_PROGRESS
    )
    from jointcase.lib.edits import ConcurrentEdit

    with pytest.raises(ConcurrentEdit):
        action_complete(
            actor=team_world.personas.nsd_practitioner,
            action=action,
            evidence="x",
            expected_version=1,
        )


def test_cancelling_needs_a_reason(team_world: CaseWorld) -> None:
    action = _create(team_world)
    with pytest.raises(ValidationError) as error:
        action_update_status(
            actor=team_world.personas.nsd_practitioner, action=action, status=ActionStatus.CANCELLED
        )
    assert "reason" in error.value.message_dict


def test_overdue_is_derived_from_the_date(team_world: CaseWorld) -> None:
    action = _create(team_world)
    assert not action.is_overdue
    assert action.is_overdue_on(action.due_date + dt.timedelta(days=1))
    action.status = ActionStatus.DONE
    assert not action.is_overdue_on(action.due_date + dt.timedelta(days=1))
