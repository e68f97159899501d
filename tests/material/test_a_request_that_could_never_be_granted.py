"""The BPSS POM and the SECRET report: she is told before asking that her vetting does not
reach it, asks for a tearline at her level instead, the originator answers by writing one,
and when it is approved her request is fulfilled and she is told. Her list names each item
by a title she may read, with its state."""

from __future__ import annotations

import html

import pytest
from django.contrib.messages import get_messages

from jointcase.audit.models import AuditEntry
from jointcase.material.models import MaterialItem, ShareRequest
from jointcase.material.services import sharing as sharing_services
from jointcase.notifications.models import Notification
from tests.material.item_helpers import approved_tearline, secret_report

pytestmark = pytest.mark.usefixtures("keyring")


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _pom_sees_a_tearline(world):
    parent = secret_report(world)
    approved_tearline(world, parent)
    return parent


def test_the_bpss_pom_is_told_before_asking_that_her_vetting_does_not_reach_it(
    material_world, client_for
):
    parent = _pom_sees_a_tearline(material_world)
    page = client_for(material_world.personas.pom).get(f"/material/{parent.pk}/request/")
    text = _text(page)
    assert page.status_code == 200
    assert "Your vetting does not reach the classification of the fuller version" in text
    assert "no one could approve a request for it" in text
    assert "Ask for a tearline at my level" in text
    assert "Police intelligence report" not in text  # the fuller version's title stays hidden
    assert "jc-marking--secret" not in text


def test_a_cleared_reader_is_offered_the_fuller_version_as_before(material_world, client_for):
    parent = secret_report(material_world, caveats=[], releasable_to=["ctu-north-east"])
    approved_tearline(material_world, parent)
    practitioner = client_for(material_world.personas.nsd_practitioner)
    text = _text(practitioner.get(f"/material/{parent.pk}/request/"))
    assert "Request the fuller version" in text
    assert "Your vetting does not reach" not in text


def test_the_pom_asks_for_a_tearline_at_her_level(material_world, client_for):
    parent = _pom_sees_a_tearline(material_world)
    pom = client_for(material_world.personas.pom)
    response = pom.post(f"/material/{parent.pk}/request/", {"reason": "Sentence planning"})
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "Request for a tearline at your level sent to CT Policing North East"
    share = ShareRequest.objects.get()
    assert (share.kind, share.status, share.item_id) == ("TEARLINE", "PENDING", parent.pk)
    # The originator's inbox shows it, with the way to answer it.
    inbox = _text(client_for(material_world.personas.ct_supervisor).get("/material/requests/"))
    assert "A tearline at their level" in inbox
    assert f"/material/{parent.pk}/tearlines/new/?request={share.pk}" in inbox
    assert Notification.objects.filter(
        recipient=material_world.personas.ct_supervisor, link=f"/material/requests/{share.pk}/"
    ).exists()


def test_an_empty_reason_shows_an_error_summary_and_stores_nothing(material_world, client_for):
    parent = _pom_sees_a_tearline(material_world)
    response = client_for(material_world.personas.pom).post(
        f"/material/{parent.pk}/request/", {"reason": ""}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not ShareRequest.objects.exists()


def test_the_originator_writes_the_tearline_and_the_request_is_fulfilled(
    material_world, client_for
):
    parent = _pom_sees_a_tearline(material_world)
    personas = material_world.personas
    share = sharing_services.share_request_create(
        actor=personas.pom, item=parent, kind="TEARLINE", reason="Sentence planning"
    )
    officer = client_for(personas.ctnm_officer)
    url = f"/material/{parent.pk}/tearlines/new/?request={share.pk}"
    form = _text(officer.get(url))
    assert f"This tearline answers {personas.pom}'s request" in form
    # A label she could not read is refused, and nothing is written.
    refused = officer.post(
        url, {"title": "Still secret", "body": "b", "classification": "OFFICIAL-SENSITIVE",
              "caveats": ["UK EYES ONLY"]},
    )  # fmt: skip
    assert refused.status_code == 400
    assert f"{personas.pom} could not read a tearline with this label" in _text(refused)
    assert not MaterialItem.objects.filter(title="Still secret").exists()
    written = officer.post(
        url,
        {"title": "Travel: for sentence planning", "body": "Fuller sanitised text (synthetic).",
         "classification": "OFFICIAL-SENSITIVE"},
    )  # fmt: skip
    assert written.status_code == 302
    tearline = MaterialItem.objects.get(title="Travel: for sentence planning")
    share.refresh_from_db()
    assert (share.tearline_id, share.status) == (tearline.pk, "PENDING")
    # The second person approves it: the request is fulfilled and the POM told.
    supervisor = client_for(personas.ct_supervisor)
    assert (
        supervisor.post(f"/material/{tearline.pk}/approve/", {"decision": "approve"}).status_code
        == 302
    )
    share.refresh_from_db()
    assert share.status == "FULFILLED"
    assert share.decided_by_id == personas.ct_supervisor.pk
    notices = Notification.objects.filter(recipient=personas.pom, link=f"/material/{tearline.pk}/")
    assert [n.text for n in notices] == [
        "The tearline you asked for has been written and approved."
    ]
    assert AuditEntry.objects.filter(action="material.share_fulfilled").count() == 1
    pom = client_for(personas.pom)
    assert pom.get(f"/material/{tearline.pk}/").status_code == 200
    mine = _text(pom.get("/material/requests/mine/"))
    assert "Tearline written" in mine
    assert "Read the tearline" in mine


def test_a_tearline_request_cannot_be_approved_only_answered_or_refused(material_world, client_for):
    parent = _pom_sees_a_tearline(material_world)
    share = sharing_services.share_request_create(
        actor=material_world.personas.pom, item=parent, kind="TEARLINE", reason="r"
    )
    supervisor = client_for(material_world.personas.ct_supervisor)
    page = _text(supervisor.get(f"/material/requests/{share.pk}/"))
    assert "Write the tearline" in page
    assert f"/material/{parent.pk}/tearlines/new/?request={share.pk}" in page
    empty = supervisor.post(f"/material/requests/{share.pk}/", {"reason": ""})
    assert empty.status_code == 400
    assert "Enter why you are refusing the request" in empty.content.decode()
    response = supervisor.post(f"/material/requests/{share.pk}/", {"reason": "Source protection"})
    assert response.status_code == 302
    share.refresh_from_db()
    assert (share.status, share.decision_reason) == ("REFUSED", "Source protection")


def test_the_tearline_form_refuses_a_request_it_does_not_answer(material_world, client_for):
    parent = _pom_sees_a_tearline(material_world)
    other = secret_report(material_world, title="Another report")
    share = sharing_services.share_request_create(
        actor=material_world.personas.pom, item=parent, kind="TEARLINE", reason="r"
    )
    officer = client_for(material_world.personas.ctnm_officer)
    assert officer.get(f"/material/{other.pk}/tearlines/new/?request={share.pk}").status_code == 404
    assert officer.get(f"/material/{parent.pk}/tearlines/new/?request=987654").status_code == 404
    assert officer.get(f"/material/{parent.pk}/tearlines/new/?request=x").status_code == 404


def test_her_list_names_each_item_by_a_title_she_may_read_and_its_state(material_world, client_for):
    parent = _pom_sees_a_tearline(material_world)
    personas = material_world.personas
    share = sharing_services.share_request_create(
        actor=personas.pom, item=parent, kind="TEARLINE", reason="Sentence planning"
    )
    pom = client_for(personas.pom)
    mine = _text(pom.get("/material/requests/mine/"))
    assert "Tearline: travel" in mine  # the tearline she reads names the item
    assert "Police intelligence report" not in mine  # never the title she may not read
    assert "A tearline at your level" in mine
    assert "govuk-tag--blue" in mine
    assert "Awaiting decision" in mine
    sharing_services.share_request_decide(
        actor=personas.ct_supervisor, share_request=share, approve=False, reason="Not now"
    )
    mine = _text(pom.get("/material/requests/mine/"))
    assert "govuk-tag--red" in mine
    assert "Refused" in mine
    assert "Not now" in mine
    assert "TEARLINE" not in mine
    assert "PENDING" not in mine
    assert "REFUSED" not in mine


def test_the_originator_is_told_before_deciding_an_access_request_that_cannot_be_granted(
    material_world, client_for
):
    """An access request made before the check (or before the requester's vetting lapsed) says
    on the decision page, before any decision, that it cannot be granted."""
    from django.utils import timezone

    parent = _pom_sees_a_tearline(material_world)
    share = ShareRequest.objects.create(
        item=parent,
        requester=material_world.personas.pom,
        kind="ACCESS",
        reason="Sentence planning",
        created_at=timezone.now(),
    )
    page = _text(
        client_for(material_world.personas.ct_supervisor).get(f"/material/requests/{share.pk}/")
    )
    assert f"{material_world.personas.pom} is not cleared for this item" in page
    assert "write a tearline at their level" in page
