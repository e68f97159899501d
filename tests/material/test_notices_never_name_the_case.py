"""Material notices (break-glass alerts, decided requests, revoked grants) often reach people
who are not on the case: each carries a generic sentence and a link, never the case's
reference, the item's title or its content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.accounts.models import Role
from jointcase.agencies.models import VettingLevel
from jointcase.material.models import MaterialGrant
from jointcase.material.services import breakglass as breakglass_services
from jointcase.material.services import sharing as sharing_services
from jointcase.notifications.models import Notification
from tests.factories import UserFactory
from tests.material.item_helpers import SECRET_BODY, approved_tearline, secret_report

pytestmark = pytest.mark.usefixtures("keyring")


def _assert_generic(notice: Notification, world, *protected: str) -> None:
    assert world.case.reference not in notice.text
    assert str(world.case.pk) not in notice.link
    for text in protected:
        assert text not in notice.text
    assert notice.link.startswith("/material/")


def test_a_break_glass_alert_to_a_line_manager_off_the_case_names_no_case(material_world):
    outsider = material_world.personas.officer_not_on_case
    manager = UserFactory(
        username="nw.supervisor",
        agency=outsider.agency,
        roles=[Role.CT_SUPERVISOR],
        vetting=VettingLevel.SC,
    )
    type(outsider).objects.filter(pk=outsider.pk).update(line_manager=manager)
    outsider = type(outsider).objects.get(pk=outsider.pk)
    breakglass_services.breakglass_open(
        actor=outsider, case=material_world.case, reason="Overnight threat (synthetic)"
    )
    alert = Notification.objects.get(recipient=manager)
    assert "break-glass" in alert.text
    _assert_generic(alert, material_world, "Overnight threat")
    lead_alert = Notification.objects.get(recipient=material_world.personas.nsd_practitioner)
    _assert_generic(lead_alert, material_world)


def test_a_decided_request_and_a_revoked_grant_name_no_case(material_world):
    personas = material_world.personas
    parent = secret_report(material_world, releasable_to=["ctu-north-east"])
    approved_tearline(material_world, parent)
    share = sharing_services.share_request_create(
        actor=personas.nsd_practitioner, item=parent, kind="ACCESS", reason="Need it (synthetic)"
    )
    sharing_services.share_request_decide(
        actor=personas.ct_supervisor, share_request=share, approve=True, reason="Agreed"
    )
    decided = Notification.objects.get(
        recipient=personas.nsd_practitioner, link__startswith="/material/requests/"
    )
    assert "approved" in decided.text
    _assert_generic(decided, material_world, parent.title, SECRET_BODY)

    now = timezone.now()
    grant = MaterialGrant.objects.create(
        item=parent,
        user=personas.officer_not_on_case,
        starts_at=now,
        expires_at=now + dt.timedelta(days=3),
        granted_by=personas.ct_supervisor,
    )
    sharing_services.grant_revoke(actor=personas.ctnm_officer, grant=grant, reason="Closed")
    revoked = Notification.objects.get(recipient=personas.officer_not_on_case)
    assert "revoked" in revoked.text
    _assert_generic(revoked, material_world, parent.title, SECRET_BODY)
