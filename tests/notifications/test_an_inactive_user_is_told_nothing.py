"""A user who is no longer active is sent no notice, whichever app sends it: material notices
(break-glass alerts, decided requests, revoked grants) went through a writer of their own that
told disabled users too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.accounts.models import Role, User
from jointcase.agencies.models import VettingLevel
from jointcase.material.models import MaterialGrant
from jointcase.material.services import breakglass as breakglass_services
from jointcase.material.services import sharing as sharing_services
from jointcase.notifications.models import Notification
from tests.factories import UserFactory
from tests.material.item_helpers import approved_tearline, secret_report
from tests.register_fixtures import CaseWorld

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keyring")]


def _disable(user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)


def test_a_disabled_line_manager_gets_no_break_glass_alert_and_an_active_lead_does(
    material_world: CaseWorld,
) -> None:
    outsider = material_world.personas.officer_not_on_case
    manager = UserFactory(
        username="nw.supervisor",
        agency=outsider.agency,
        roles=[Role.CT_SUPERVISOR],
        vetting=VettingLevel.SC,
    )
    User.objects.filter(pk=outsider.pk).update(line_manager=manager)
    outsider = User.objects.select_related("line_manager").get(pk=outsider.pk)
    _disable(manager)  # the object the service reads still says "active": the database decides

    breakglass_services.breakglass_open(
        actor=outsider, case=material_world.case, reason="Overnight threat (synthetic)"
    )

    assert not Notification.objects.filter(recipient=manager).exists()
    assert Notification.objects.filter(recipient=material_world.personas.nsd_practitioner).exists()


def test_a_disabled_requester_is_not_told_of_the_decision(material_world: CaseWorld) -> None:
    personas = material_world.personas
    parent = secret_report(material_world, releasable_to=["ctu-north-east"])
    approved_tearline(material_world, parent)
    share = sharing_services.share_request_create(
        actor=personas.nsd_practitioner, item=parent, kind="ACCESS", reason="Need it (synthetic)"
    )
    _disable(personas.nsd_practitioner)

    sharing_services.share_request_decide(
        actor=personas.ct_supervisor, share_request=share, approve=False, reason="Not now"
    )

    assert not Notification.objects.filter(
        recipient=personas.nsd_practitioner, link__startswith="/material/requests/"
    ).exists()


def test_a_disabled_grantee_is_not_told_of_the_revocation(material_world: CaseWorld) -> None:
    personas = material_world.personas
    parent = secret_report(material_world, releasable_to=["ctu-north-east"])
    now = timezone.now()
    grant = MaterialGrant.objects.create(
        item=parent,
        user=personas.officer_not_on_case,
        starts_at=now,
        expires_at=now + dt.timedelta(days=3),
        granted_by=personas.ct_supervisor,
    )
    _disable(personas.officer_not_on_case)

    sharing_services.grant_revoke(actor=personas.ctnm_officer, grant=grant, reason="Closed")

    assert not Notification.objects.filter(recipient=personas.officer_not_on_case).exists()
