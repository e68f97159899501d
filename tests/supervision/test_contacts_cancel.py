"""Cancelling a planned appointment: the holder (or whoever may change the contact) calls it off
with a reason; it stays on the record as cancelled, leaves the planner and the "due" lists, waits
for no outcome and cannot be cancelled twice or after it was recorded. Bad input and stale forms
change nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.access.acting import NotPermitted
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases.models import TimelineEvent, TimelineKind
from jointcase.lib.edits import ConcurrentEdit
from jointcase.supervision.models import Contact, ContactKind, ContactOutcome
from jointcase.supervision.services.contacts import (
    contact_cancel,
    contact_outcome_record,
    contact_plan,
)
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _planned(world: CaseWorld) -> Contact:
    return contact_plan(
        actor=world.personas.nsd_practitioner,
        case=world.case,
        kind=ContactKind.HOME_VISIT,
        planned_for=timezone.now() + dt.timedelta(days=2),
    )


def test_the_holder_cancels_with_a_reason_and_the_record_keeps_it(
    contacts_world: CaseWorld,
) -> None:
    contact = _planned(contacts_world)
    holder = contacts_world.personas.nsd_practitioner
    cancelled = contact_cancel(
        actor=holder, contact=contact, expected_version=1, reason="Person admitted to hospital"
    )
    assert cancelled.cancelled_at is not None
    assert cancelled.cancel_reason == "Person admitted to hospital"
    assert cancelled.cancelled_by == holder
    assert cancelled.version == 2
    assert TimelineEvent.objects.filter(
        case=contacts_world.case, kind=TimelineKind.CONTACT, title="Home visit cancelled"
    ).exists()
    assert AuditEntry.objects.filter(action="contact.cancel", actor_id=holder.pk).exists()
    with pytest.raises(ValidationError) as again:
        contact_cancel(actor=holder, contact=cancelled, expected_version=2, reason="Twice")
    assert "already been cancelled" in str(again.value)
    with pytest.raises(ValidationError):  # and no outcome can follow
        contact_outcome_record(
            actor=holder,
            contact=cancelled,
            expected_version=2,
            occurred_at=timezone.now(),
            outcome=ContactOutcome.ATTENDED,
        )


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Enter why"), ("   ", "Enter why"), ("x" * 1001, "1,000 characters or fewer")],
)
def test_a_cancellation_needs_a_reason(
    contacts_world: CaseWorld, reason: str, message: str
) -> None:
    contact = _planned(contacts_world)
    with pytest.raises(ValidationError) as refused:
        contact_cancel(
            actor=contacts_world.personas.nsd_practitioner,
            contact=contact,
            expected_version=1,
            reason=reason,
        )
    assert message in str(refused.value)
    assert Contact.objects.get(pk=contact.pk).cancelled_at is None


def test_a_stale_cancellation_and_a_recorded_contact_change_nothing(
    contacts_world: CaseWorld,
) -> None:
    holder = contacts_world.personas.nsd_practitioner
    contact = _planned(contacts_world)
    with pytest.raises(ConcurrentEdit):
        contact_cancel(actor=holder, contact=contact, expected_version=7, reason="Ill")
    contact_outcome_record(
        actor=holder,
        contact=contact,
        expected_version=1,
        occurred_at=timezone.now(),
        outcome=ContactOutcome.ATTENDED,
    )
    with pytest.raises(ValidationError) as refused:
        contact_cancel(actor=holder, contact=contact, expected_version=2, reason="Ill")
    assert "can no longer be cancelled" in str(refused.value)
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.cancelled_at, fresh.outcome) == (None, ContactOutcome.ATTENDED)


def test_someone_who_may_not_change_the_contact_is_refused_and_audited(
    contacts_world: CaseWorld,
) -> None:
    contact = _planned(contacts_world)
    outsider = contacts_world.personas.partner_liaison
    with pytest.raises(NotPermitted):
        contact_cancel(actor=outsider, contact=contact, expected_version=1, reason="No")
    assert AuditEntry.objects.filter(
        actor_id=outsider.pk, action="contact.cancel", outcome=Outcome.DENY
    ).exists()
    assert Contact.objects.get(pk=contact.pk).cancelled_at is None
    # A refused plan keeps its DENY entry too (the check runs before the write's transaction).
    with pytest.raises(NotPermitted):
        contact_plan(
            actor=outsider,
            case=contacts_world.case,
            kind=ContactKind.OFFICE,
            planned_for=timezone.now() + dt.timedelta(days=1),
        )
    assert AuditEntry.objects.filter(
        actor_id=outsider.pk, action="contact.plan", outcome=Outcome.DENY
    ).exists()


def test_the_pages_cancel_with_an_error_summary_then_show_it_cancelled(
    contacts_world: CaseWorld, client_for: ClientFor
) -> None:
    contact = _planned(contacts_world)
    client = client_for(contacts_world.personas.nsd_practitioner)
    args = [contacts_world.case.public_id, contact.public_id]
    detail = client.get(reverse("supervision:contact", args=args)).content.decode()
    cancel_url = reverse("supervision:contact-cancel", args=args)
    assert cancel_url in detail
    empty = client.post(cancel_url, {"version": "1", "reason": ""})
    assert empty.status_code == 400
    assert "govuk-error-summary" in empty.content.decode()
    assert "Enter why the appointment is cancelled" in empty.content.decode()
    assert Contact.objects.get(pk=contact.pk).cancelled_at is None
    done = client.post(cancel_url, {"version": "1", "reason": "Moved to approved premises"})
    assert done.status_code == 302
    listing = client.get(
        reverse("supervision:case-contacts", args=[contacts_world.case.public_id])
    ).content.decode()
    assert "Cancelled" in listing
    detail = client.get(reverse("supervision:contact", args=args)).content.decode()
    assert "Moved to approved premises" in detail
    assert cancel_url not in detail
    assert reverse("supervision:contact-outcome", args=args) not in detail


def test_the_api_cancels_and_answers_bad_input_with_field_errors(
    contacts_world: CaseWorld,
) -> None:
    contact = _planned(contacts_world)
    _token, plaintext = api_token_create(
        actor=None, user=contacts_world.personas.nsd_practitioner, name="t", days=1
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    url = f"/api/v1/cases/{contacts_world.case.public_id}/contacts/{contact.public_id}/cancel"
    bad = client.post(url, json.dumps({"version": 1, "reason": ""}), "application/json")
    assert bad.status_code == 400
    assert "reason" in bad.content.decode()
    good = client.post(url, json.dumps({"version": 1, "reason": "Ill"}), "application/json")
    assert good.status_code == 200, good.content
    assert good.json()["cancel_reason"] == "Ill"
    assert good.json()["cancelled_at"] is not None
