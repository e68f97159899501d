"""One rule, two forms, for supervision contacts: on generated worlds the single-object
decisions (seeing a contact, reading its notes, planning on a case, changing a contact) and
their queryset filters agree for every user and object; the notes and change filters never
reach beyond the contact filter; and the page's batch form of the notes rule agrees too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jointcase.access.material import label_fields_of, user_facts_forget
from jointcase.access.supervision import (
    contact_change_decision,
    contact_change_filter,
    contact_decision,
    contact_filter,
    contact_notes_decision,
    contact_notes_filter,
    contact_write_decision,
    contact_write_filter,
    contacts_notes_visible,
)
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, AgencyKind, Vetting, VettingLevel
from jointcase.cases.models import Case
from jointcase.supervision.models import Contact
from tests.support.policy_worlds import FIXED_WORLDS, World, world_build, worlds

pytestmark = pytest.mark.django_db

CLASSIFICATIONS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET")
VETTING = (None, VettingLevel.BPSS, VettingLevel.SC)


def _agreement(world: World, vetting: list[str | None], partner: bool) -> list[str]:
    agency, _ = Agency.objects.get_or_create(
        code="world-agency", defaults={"name": "World agency", "kind": AgencyKind.POLICE}
    )
    other, _ = Agency.objects.get_or_create(
        code="world-partner", defaults={"name": "World partner", "kind": AgencyKind.PARTNER}
    )
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    reasons: list[str] = []
    with transaction.atomic():
        users, cases, _persons = world_build(world, agency, today, now)
        for index, user in enumerate(users):
            level = vetting[index % len(vetting)]
            if level is not None:
                Vetting.objects.create(
                    user=user, level=level, expires_on=today + dt.timedelta(days=365)
                )
        if partner:
            User.objects.filter(pk=users[-1].pk).update(agency=other)
            users[-1].refresh_from_db()
        contacts = [
            Contact.objects.create(
                case=case,
                kind="OFFICE",
                practitioner=users[0],
                agency=agency,
                originator=agency if index % 2 == 0 else other,
                occurred_at=now,
                outcome="ATTENDED",
                classification=classification,
            )
            for case in cases
            for index, classification in enumerate(CLASSIFICATIONS)
        ]
        for contact in contacts[1::3]:
            contact.releasable_to.set([agency])
        for user in users:
            user_facts_forget(user)
            seen = set(
                Contact.objects.filter(contact_filter(user, now=now)).values_list("pk", flat=True)
            )
            notes = set(
                Contact.objects.filter(contact_notes_filter(user, now=now)).values_list(
                    "pk", flat=True
                )
            )
            change = set(
                Contact.objects.filter(contact_change_filter(user, now=now)).values_list(
                    "pk", flat=True
                )
            )
            writable = set(
                Case.objects.filter(contact_write_filter(user, now=now)).values_list(
                    "pk", flat=True
                )
            )
            assert change <= seen, world
            assert change <= notes, world
            labels = {c.pk: label_fields_of(c) for c in contacts}
            assert contacts_notes_visible(user, contacts, labels=labels, now=now) == notes, world
            for case in cases:
                write = contact_write_decision(user, case, now=now)
                assert write.allowed == (case.pk in writable), (write, world)
            for contact in contacts:
                decision = contact_decision(user, contact, now=now)
                assert decision.allowed == (contact.pk in seen), (decision, world)
                read = contact_notes_decision(user, contact, now=now)
                assert read.allowed == (contact.pk in notes), (read, world)
                changed = contact_change_decision(user, contact, now=now)
                assert changed.allowed == (contact.pk in change), (changed, world)
                reasons.append(f"{decision.reason}/{read.reason}/{changed.reason}")
        transaction.set_rollback(True)
    return reasons


@pytest.mark.parametrize("world", FIXED_WORLDS)
def test_fixed_worlds_agree(world: World) -> None:
    reasons = _agreement(world, [VettingLevel.SC, VettingLevel.BPSS], partner=False)
    assert any(r.split("/")[1] == "clearance" for r in reasons)
    assert len({r.split("/")[1] for r in reasons}) >= 2  # notes both read and withheld


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    world=worlds(),
    vetting=st.lists(st.sampled_from(VETTING), min_size=1, max_size=4),
    partner=st.booleans(),
)
def test_the_contact_decisions_and_filters_agree_for_every_user_and_contact(
    world: World, vetting: list[str | None], partner: bool
) -> None:
    for reason in _agreement(world, vetting, partner):
        event(f"contact decision: {reason}")
