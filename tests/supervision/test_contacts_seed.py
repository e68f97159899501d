"""The seed step: 24 months of contacts with realistic gaps. Some cases are below their
standard now, failed appointments carry warnings, there is a breach, and each persona who leads
a case has a case below standard and an appointment coming up on "Contacts due"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.cases.models import Case, Phase
from jointcase.seed.world import world_seed
from jointcase.supervision.models import Contact, ContactOutcome, Enforcement
from jointcase.supervision.selectors.contacts import contacts_due_for
from jointcase.supervision.standing import standings_bulk

TODAY = dt.date(2026, 3, 10)


@pytest.mark.django_db
def test_the_demo_world_has_two_years_of_contacts_with_gaps(keyring: object) -> None:
    world_seed(scale="demo", seed=1, show_progress=False, today=TODAY)
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))
    contacts = Contact.objects.all()
    assert contacts.count() > 500
    assert contacts.filter(occurred_at__lt=now - dt.timedelta(days=600)).exists()
    assert (
        contacts.filter(outcome=ContactOutcome.FAILED_TO_ATTEND, enforcement=Enforcement.WARNING)
        .exclude(enforcement_reason="")
        .exists()
    )
    assert contacts.filter(enforcement=Enforcement.BREACH).exists()
    assert not contacts.filter(occurred_at__gt=now + dt.timedelta(days=1)).exists()
    open_ids = list(Case.objects.exclude(phase=Phase.CLOSED).values_list("pk", flat=True))
    standings = standings_bulk(open_ids, today=TODAY, now=now)
    below = sum(1 for s in standings.values() if s.below)
    assert 0 < below < len(standings) / 2, (below, len(standings))
    practitioner = User.objects.get(username="nsd.practitioner")
    due = contacts_due_for(practitioner, now=now)
    assert due.below
    assert due.upcoming
