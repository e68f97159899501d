"""Break-glass is emergency *read* access: every write on the case's material by someone whose
access comes from break-glass alone is a 403 with a DENY audit entry (the forms' GET too), on
the pages and in the API, and nothing changes. Even an officer of the originating agency gets
no further than reading."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jointcase.access.acting import NotPermitted
from jointcase.access.material import material_decision
from jointcase.accounts.models import Role
from jointcase.agencies.models import VettingLevel
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.material.models import (
    MaterialFile,
    MaterialGrant,
    MaterialItem,
    ShareRequest,
    TearlineStatus,
)
from jointcase.material.services import breakglass as breakglass_services
from jointcase.material.services import items as item_services
from jointcase.material.services import labels as label_services
from jointcase.material.services import retention as retention_services
from jointcase.material.services import sharing as sharing_services
from jointcase.material.services import tearlines as tearline_services
from tests.factories import UserFactory
from tests.material import samples
from tests.material.item_helpers import secret_report
from tests.support.api import api_client

pytestmark = pytest.mark.usefixtures("keyring")


@pytest.fixture
def glass_world(material_world):
    """A SECRET report of CT Policing North East with a draft tearline, a pending onward-share
    request and a live grant, and an officer of that same force who is not on the case and
    opens break-glass on it."""
    personas = material_world.personas
    item = secret_report(material_world)
    draft = tearline_services.tearline_create(
        actor=personas.ctnm_officer,
        parent=item,
        title="Draft tearline",
        body="Sanitised (synthetic)",
        classification="OFFICIAL-SENSITIVE",
    )
    share = sharing_services.share_request_create(
        actor=personas.nsd_practitioner,
        item=item,
        kind="ONWARD_SHARE",
        to_agency=personas.partner_liaison.agency,
        reason="The partner needs it (synthetic)",
    )
    now = timezone.now()
    grant = MaterialGrant.objects.create(
        item=item,
        user=personas.officer_not_on_case,
        starts_at=now,
        expires_at=now + dt.timedelta(days=30),
        granted_by=personas.ct_supervisor,
    )
    officer = UserFactory(
        username="ctnm.reserve",
        agency=personas.ctnm_officer.agency,
        roles=[Role.CTNM_OFFICER],
        vetting=VettingLevel.SC,
        caveats=["UK EYES ONLY"],
    )
    breakglass_services.breakglass_open(
        actor=officer, case=material_world.case, reason="Overnight threat (synthetic)"
    )
    return material_world, officer, item, draft, share, grant


def _denials(user) -> int:
    return AuditEntry.objects.filter(
        actor_id=user.pk, outcome=Outcome.DENY, reason="break_glass_read_only"
    ).count()


def test_break_glass_reads_but_every_material_page_that_writes_is_403(glass_world, client_for):
    from jointcase.access.material import material_write_access

    world, officer, item, draft, share, grant = glass_world
    assert material_decision(officer, item).reason == "break_glass"
    assert material_write_access(officer, world.case).reason == "break_glass_read_only"
    client = client_for(officer)
    tab = client.get(f"/cases/{world.case.public_id}/material/")
    assert tab.status_code == 200
    assert "Add material" not in tab.content.decode()
    page = client.get(f"/material/{item.pk}/").content.decode()
    assert "Change the label" not in page
    assert "Write a tearline" not in page
    assert "Destroy the content" not in page

    forms = {
        f"/cases/{world.case.public_id}/material/new/": {
            "kind": "NOTE",
            "title": "Written under break-glass",
            "classification": "OFFICIAL",
            "body": "b",
        },
        f"/material/{item.pk}/label/": {
            "classification": "SECRET",
            "caveats": ["UK EYES ONLY", "NIGHTJAR"],
            "reason": "Raise it",
            "version": "1",
        },
        f"/material/{item.pk}/tearlines/new/": {
            "title": "t",
            "body": "b",
            "classification": "OFFICIAL",
        },
        f"/material/{draft.pk}/approve/": {"decision": "approve", "reason": ""},
        f"/material/{item.pk}/share/": {"to_agency": "ctu-north-west", "reason": "r"},
        f"/material/{item.pk}/retention/": {"retain_until": "2040-01-01", "reason": "r"},
        f"/material/{item.pk}/destroy/": {"reason": "r"},
        f"/material/grants/{grant.pk}/revoke/": {"reason": "r"},
        f"/material/requests/{share.pk}/": {"decision": "approve", "reason": "r"},
    }
    for url, data in forms.items():
        for method in ("get", "post"):
            before = _denials(officer)
            response = client.get(url) if method == "get" else client.post(url, data)
            assert response.status_code == 403, f"{method} {url}: {response.status_code}"
            assert "Break-glass access is read-only" in response.content.decode(), url
            assert _denials(officer) == before + 1, f"{method} {url}: no DENY entry"

    _nothing_changed(world, item, draft, share, grant)


def test_break_glass_cannot_write_through_the_api(glass_world):
    world, officer, item, draft, share, grant = glass_world
    api = api_client(officer)
    assert api.get(f"/api/v1/material/{item.pk}").status_code == 200
    writes = {
        f"/api/v1/cases/{world.case.public_id}/material": {
            "kind": "NOTE",
            "title": "Written under break-glass",
            "classification": "OFFICIAL",
            "body": "b",
        },
        f"/api/v1/material/{item.pk}/label": {
            "classification": "SECRET",
            "caveats": ["UK EYES ONLY", "NIGHTJAR"],
            "orcon": False,
            "reason": "Raise it",
            "version": 1,
        },
        f"/api/v1/material/{item.pk}/tearlines": {
            "title": "t",
            "body": "b",
            "classification": "OFFICIAL",
        },
        f"/api/v1/material/{item.pk}/retention": {"retain_until": "2040-01-01", "reason": "r"},
    }
    for url, payload in writes.items():
        before = _denials(officer)
        response = api.post(url, json.dumps(payload), content_type="application/json")
        assert response.status_code == 403, f"{url}: {response.status_code} {response.content!r}"
        assert "read-only" in response.json()["detail"]
        assert _denials(officer) == before + 1, url
    upload = api.post(
        f"/api/v1/material/{draft.pk}/files",
        {"file": SimpleUploadedFile("plan.png", samples.png())},
    )
    assert upload.status_code == 403
    assert not MaterialFile.objects.exists()
    _nothing_changed(world, item, draft, share, grant)


def test_every_material_service_refuses_a_writer_under_break_glass_alone(glass_world):
    world, officer, item, draft, share, grant = glass_world
    attempts = [
        lambda: item_services.material_add(
            actor=officer, case=world.case, kind="NOTE", title="t", classification="OFFICIAL",
            body="b",
        ),
        lambda: label_services.material_label_change(
            actor=officer, item=item, classification="SECRET", caveats=["UK EYES ONLY"],
            releasable_to=["ctu-north-east"], orcon=True, reason="r",
        ),
        lambda: tearline_services.tearline_create(
            actor=officer, parent=item, title="t", body="b", classification="OFFICIAL"
        ),
        lambda: tearline_services.tearline_approve(actor=officer, tearline=draft),
        lambda: item_services.material_file_add(actor=officer, item=draft, upload=samples.png()),
        lambda: sharing_services.share_request_create(
            actor=officer, item=item, kind="ONWARD_SHARE",
            to_agency=world.personas.partner_liaison.agency, reason="r",
        ),
        lambda: sharing_services.share_request_decide(
            actor=officer, share_request=share, approve=True, reason="r"
        ),
        lambda: sharing_services.grant_revoke(actor=officer, grant=grant, reason="r"),
        lambda: retention_services.material_retention_change(
            actor=officer, item=item, retain_until=dt.date(2040, 1, 1), reason="r"
        ),
        lambda: retention_services.material_destroy(actor=officer, item=item, reason="r"),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(NotPermitted) as refused:
            attempt()
        assert refused.value.refusal.reason == "break_glass_read_only"
    _nothing_changed(world, item, draft, share, grant)


def _nothing_changed(world, item, draft, share, grant) -> None:
    assert MaterialItem.objects.count() == 2
    fresh = MaterialItem.objects.get(pk=item.pk)
    assert (fresh.version, fresh.classification, fresh.destroyed_at) == (1, "SECRET", None)
    assert fresh.retain_until == item.retain_until
    assert MaterialItem.objects.get(pk=draft.pk).tearline_status == TearlineStatus.DRAFT
    assert ShareRequest.objects.get(pk=share.pk).status == "PENDING"
    assert ShareRequest.objects.count() == 1
    assert MaterialGrant.objects.get(pk=grant.pk).expires_at == grant.expires_at
