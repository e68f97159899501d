"""The people a step waits for are told, with a generic sentence and a link: a draft tearline
its approvers (a second person of the originating agency working the case), a decided tearline
its author, an approved tearline the people on the case it was written for (cleared for it but
not for the original: the POM), and a share request the originator's deciders. No one else is
told, and no notice names the item."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.material.services import sharing as sharing_services
from jointcase.material.services import tearlines as tearline_services
from jointcase.notifications.models import Notification
from tests.material.item_helpers import TEARLINE_BODY, secret_report

pytestmark = pytest.mark.django_db


def _told(text: str) -> set[str]:
    return set(Notification.objects.filter(text=text).values_list("recipient__username", flat=True))


def test_a_draft_tearline_waits_for_its_approvers_then_reaches_those_it_was_written_for(
    material_world: Any, keyring: Any
) -> None:
    personas = material_world.personas
    parent = secret_report(material_world)
    tearline = tearline_services.tearline_create(
        actor=personas.ctnm_officer,
        parent=parent,
        title="Tearline: travel",
        body=TEARLINE_BODY,
        classification="OFFICIAL-SENSITIVE",
    )
    # The CT supervisor (police, on the case) may approve; not the author, not other agencies.
    assert _told("A tearline is waiting for your approval.") == {personas.ct_supervisor.username}
    notice = Notification.objects.get(recipient=personas.ct_supervisor)
    assert notice.link == reverse("material:tearline-approve", args=[tearline.pk])
    assert "travel" not in notice.text.lower()

    tearline_services.tearline_approve(actor=personas.ct_supervisor, tearline=tearline)
    assert _told("A tearline you wrote was approved.") == {personas.ctnm_officer.username}
    # The BPSS POM on the case reads the tearline, not the SECRET original: she is told. The
    # SC-cleared practitioner and supervisors could read the original already: they are not.
    readers = _told("A sanitised version of an item of material is now available to you.")
    assert readers == {personas.pom.username}
    assert Notification.objects.get(recipient=personas.pom).link == reverse(
        "material:item", args=[tearline.pk]
    )


def test_a_refused_tearline_tells_its_author_and_nobody_else(
    material_world: Any, keyring: Any
) -> None:
    personas = material_world.personas
    tearline = tearline_services.tearline_create(
        actor=personas.ctnm_officer,
        parent=secret_report(material_world),
        title="Tearline: travel",
        body=TEARLINE_BODY,
        classification="OFFICIAL-SENSITIVE",
    )
    tearline_services.tearline_approve(
        actor=personas.ct_supervisor, tearline=tearline, approve=False, reason="Too specific"
    )
    assert _told("A tearline you wrote was refused.") == {personas.ctnm_officer.username}
    assert not _told("A sanitised version of an item of material is now available to you.")


def test_a_share_request_waits_for_the_originators_deciders(
    material_world: Any, keyring: Any
) -> None:
    personas = material_world.personas
    item = secret_report(material_world)
    share = sharing_services.share_request_create(
        actor=personas.nsd_practitioner,
        item=item,
        kind="ONWARD_SHARE",
        to_agency=personas.partner_liaison.agency,
        reason="The partner needs it (synthetic)",
    )
    told = _told("A request about an item of material is waiting for your decision.")
    police = {
        user.username
        for user in User.objects.filter(agency=personas.ctnm_officer.agency)
        if user.pk != personas.nsd_practitioner.pk
    }
    assert told
    assert told <= police
    assert personas.excluded_officer.username not in told
    assert personas.nsd_practitioner.username not in told
    link = Notification.objects.filter(recipient__username__in=told).first()
    assert link is not None
    assert link.link == reverse("material:share-decide", args=[share.pk])
