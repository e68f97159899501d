"""Revoking access granted on request: the originator agency (or the grant's approver) sees
the live grants on an item and ends one with a reason; it takes effect on the grantee's very
next request, on the pages and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.access.acting import NotPermitted
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.material.models import MaterialGrant, MaterialItem
from jointcase.material.services import sharing as sharing_services
from jointcase.notifications.models import Notification
from tests.material.item_helpers import SECRET_BODY, secret_report
from tests.support.api import api_client

pytestmark = pytest.mark.usefixtures("keyring")


def _report(world) -> MaterialItem:
    """A SECRET report released to the NSD (on the case) and to the North West force."""
    return secret_report(world, releasable_to=["nsd-north", "ctu-north-west"])


def _granted(world, item: MaterialItem) -> MaterialGrant:
    """A live grant (as an approved access request makes) for a cleared officer of another
    force who is not on the case."""
    now = timezone.now()
    return MaterialGrant.objects.create(
        item=item,
        user=world.personas.officer_not_on_case,
        starts_at=now,
        expires_at=now + dt.timedelta(days=30),
        granted_by=world.personas.ct_supervisor,
    )


def test_the_originator_revokes_a_grant_and_it_ends_on_the_next_request(material_world, client_for):
    personas = material_world.personas
    item = _report(material_world)
    grant = _granted(material_world, item)
    grantee_page = client_for(personas.officer_not_on_case)
    grantee_api = api_client(personas.officer_not_on_case)
    assert grantee_page.get(f"/material/{item.pk}/").status_code == 200
    assert grantee_api.get(f"/api/v1/material/{item.pk}").json()["body"] == SECRET_BODY

    officer = client_for(personas.ctnm_officer)
    page = officer.get(f"/material/{item.pk}/").content.decode()
    assert "Who else can see it" in page
    assert f"/material/grants/{grant.pk}/revoke/" in page
    response = officer.post(
        f"/material/grants/{grant.pk}/revoke/", {"reason": "Operation closed (synthetic)"}
    )
    assert response.status_code == 302

    assert grantee_page.get(f"/material/{item.pk}/").status_code == 404
    assert grantee_api.get(f"/api/v1/material/{item.pk}").status_code == 404
    assert AuditEntry.objects.filter(
        actor_id=personas.officer_not_on_case.pk, outcome=Outcome.DENY, object_id=str(item.pk)
    ).exists()
    revoked = AuditEntry.objects.get(action="material.grant_revoked")
    assert (revoked.actor_id, revoked.reason, revoked.recipient) == (
        personas.ctnm_officer.pk,
        "Operation closed (synthetic)",
        personas.officer_not_on_case.get_username(),
    )
    told = Notification.objects.get(recipient=personas.officer_not_on_case)
    assert "has been revoked" in told.text
    assert material_world.case.reference not in told.text
    assert item.title not in told.text
    assert SECRET_BODY not in told.text
    assert "Who else can see it" not in officer.get(f"/material/{item.pk}/").content.decode()


def test_only_the_originator_and_the_approver_see_and_revoke_grants(material_world, client_for):
    personas = material_world.personas
    item = _report(material_world)
    grant = _granted(material_world, item)
    url = f"/material/grants/{grant.pk}/revoke/"
    practitioner = client_for(personas.nsd_practitioner)  # sees the item, not its grants
    assert practitioner.get(f"/material/{item.pk}/").status_code == 200
    assert "Who else can see it" not in practitioner.get(f"/material/{item.pk}/").content.decode()
    assert practitioner.get(url).status_code == 404
    assert client_for(personas.pom).post(url, {"reason": "x"}).status_code == 404
    grantee = client_for(personas.officer_not_on_case)  # knows of their own grant
    refused = grantee.post(url, {"reason": "I am done"})
    assert refused.status_code == 403
    assert "may revoke it" in refused.content.decode()
    assert AuditEntry.objects.filter(
        actor_id=personas.officer_not_on_case.pk, outcome=Outcome.DENY, reason="not_originator"
    ).exists()
    approver = client_for(personas.ct_supervisor)
    assert approver.get(url).status_code == 200
    assert MaterialGrant.objects.get(pk=grant.pk).expires_at == grant.expires_at


def test_a_revocation_needs_a_reason_and_happens_once(material_world, client_for):
    personas = material_world.personas
    item = _report(material_world)
    grant = _granted(material_world, item)
    officer = client_for(personas.ctnm_officer)
    url = f"/material/grants/{grant.pk}/revoke/"
    missing = officer.post(url, {"reason": " "})
    assert missing.status_code == 400
    assert "Enter why the access is revoked" in missing.content.decode()
    assert MaterialGrant.objects.get(pk=grant.pk).expires_at == grant.expires_at
    sharing_services.grant_revoke(actor=personas.ct_supervisor, grant=grant, reason="Ended")
    again = officer.get(url)
    assert again.status_code == 403
    assert "already ended" in again.content.decode()
    with pytest.raises(NotPermitted):
        sharing_services.grant_revoke(actor=personas.ctnm_officer, grant=grant, reason="Again")
    assert AuditEntry.objects.filter(action="material.grant_revoked").count() == 1
