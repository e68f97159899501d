"""Approving a request for the fuller version gives the requester alone a time-limited grant;
the item's label never changes, nobody else of the requester's agency gains anything, and a
revocation ends the grantee's access on their very next page or API request. Approving an
onward share of an item released to "every agency on the case" makes the list explicit from
the agencies on the case *now*, never from members who have left."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jointcase.access.material import material_decision
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases.models import CaseRole, CaseTeamMember
from jointcase.material.models import LabelChange, MaterialGrant, MaterialItem
from jointcase.material.services import sharing as sharing_services
from tests.material.item_helpers import SECRET_BODY, approved_tearline, secret_report
from tests.support.api import api_client

pytestmark = pytest.mark.usefixtures("keyring")


def _lead_on_case(world) -> None:
    """nsd.lead, of the requester's agency, on the case team (as in the demo)."""
    CaseTeamMember.objects.create(
        case=world.case,
        user=world.personas.nsd_lead,
        agency=world.personas.nsd_lead.agency,
        role=CaseRole.SENIOR_OPERATIONAL_LEAD,
        start=timezone.localdate() - dt.timedelta(days=5),
    )


def test_approving_a_request_grants_the_requester_alone_and_revoking_ends_it(
    material_world, client_for
):
    personas = material_world.personas
    _lead_on_case(material_world)
    parent = secret_report(material_world, releasable_to=["ctu-north-east"])
    approved_tearline(material_world, parent)
    practitioner, lead = personas.nsd_practitioner, personas.nsd_lead
    assert material_decision(practitioner, parent).reason == "not_releasable"

    share = sharing_services.share_request_create(
        actor=practitioner, item=parent, kind="ACCESS", reason="Risk plan review (synthetic)"
    )
    sharing_services.share_request_decide(
        actor=personas.ct_supervisor, share_request=share, approve=True, reason="Agreed"
    )

    fresh = MaterialItem.objects.get(pk=parent.pk)
    assert {a.code for a in fresh.releasable_to.all()} == {"ctu-north-east"}
    assert fresh.version == parent.version
    assert not LabelChange.objects.filter(item=parent).exists()
    grant = MaterialGrant.objects.get(item=parent)
    assert grant.user_id == practitioner.pk
    assert grant.expires_at > timezone.now()

    requester_page, requester_api = client_for(practitioner), api_client(practitioner)
    assert requester_page.get(f"/material/{parent.pk}/").status_code == 200
    assert requester_api.get(f"/api/v1/material/{parent.pk}").json()["body"] == SECRET_BODY
    # The requester's colleague on the case never asked: nothing changed for them.
    assert client_for(lead).get(f"/material/{parent.pk}/").status_code == 404
    assert api_client(lead).get(f"/api/v1/material/{parent.pk}").status_code == 404

    sharing_services.grant_revoke(
        actor=personas.ct_supervisor, grant=grant, reason="Operation closed"
    )

    assert requester_page.get(f"/material/{parent.pk}/").status_code == 404
    assert requester_api.get(f"/api/v1/material/{parent.pk}").status_code == 404
    assert client_for(lead).get(f"/material/{parent.pk}/").status_code == 404
    assert AuditEntry.objects.filter(
        actor_id=practitioner.pk,
        outcome=Outcome.DENY,
        object_id=str(parent.pk),
        reason="not_releasable",
    ).exists()


def test_a_grant_never_extends_clearance_caveats_or_an_exclusion(material_world):
    """The grant satisfies releasability and need-to-know for its holder, nothing else."""
    personas = material_world.personas
    parent = secret_report(material_world, releasable_to=["ctu-north-east"])
    now = timezone.now()
    for user in (personas.pom, personas.excluded_officer, personas.officer_not_on_case):
        MaterialGrant.objects.create(
            item=parent,
            user=user,
            starts_at=now,
            expires_at=now + dt.timedelta(days=1),
            granted_by=personas.ct_supervisor,
        )
    assert material_decision(personas.pom, parent).reason == "clearance"  # BPSS
    assert material_decision(personas.excluded_officer, parent).reason == "excluded"
    assert material_decision(personas.officer_not_on_case, parent).allowed  # another force


def test_an_onward_share_of_an_item_for_every_agency_on_the_case_names_only_current_ones(
    material_world,
):
    """A prison member who left the case yesterday does not take their agency onto the list."""
    personas = material_world.personas
    CaseTeamMember.objects.filter(case=material_world.case, user=personas.pom).update(
        end=timezone.localdate() - dt.timedelta(days=1)
    )
    item = secret_report(material_world)  # released to every agency on the case
    share = sharing_services.share_request_create(
        actor=personas.nsd_practitioner,
        item=item,
        kind="ONWARD_SHARE",
        to_agency=personas.partner_liaison.agency,
        reason="The partner needs it (synthetic)",
    )
    sharing_services.share_request_decide(
        actor=personas.ct_supervisor, share_request=share, approve=True, reason="Agreed"
    )
    fresh = MaterialItem.objects.get(pk=item.pk)
    assert {a.code for a in fresh.releasable_to.all()} == {
        "ctu-north-east",
        "nsd-north",
        "partner",
    }


def test_an_onward_share_to_an_agency_already_on_the_case_is_refused_as_already_released(
    material_world,
):
    """ "Every agency on the case" already releases to each agency on the team: asking to share
    with one of them is told so (the release is decided by access, not by the list alone)."""
    personas = material_world.personas
    item = secret_report(material_world)  # released to every agency on the case
    with pytest.raises(ValidationError) as refused:
        sharing_services.share_request_create(
            actor=personas.nsd_practitioner,
            item=item,
            kind="ONWARD_SHARE",
            to_agency=personas.nsd_practitioner.agency,
            reason="Colleagues need it (synthetic)",
        )
    assert "already released" in str(refused.value)
    assert not item.share_requests.exists()
