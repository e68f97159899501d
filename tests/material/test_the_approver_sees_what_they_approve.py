"""The tearline approval page: the tearline and the original side by side with their labels,
who will be able to read the tearline (decided by ``access``), and a plain-English outcome."""

from __future__ import annotations

import html

import pytest
from django.contrib.messages import get_messages

from jointcase.access import material_acts
from jointcase.access.material import material_decision
from jointcase.agencies.models import CaveatAuthorisation
from jointcase.audit.models import AuditEntry
from jointcase.material.models import MaterialItem
from jointcase.material.services import tearlines as tearline_services
from tests.material.item_helpers import SECRET_BODY, TEARLINE_BODY, secret_report

pytestmark = pytest.mark.usefixtures("keyring")


def _draft(world, parent, **overrides):
    values = {
        "actor": world.personas.ctnm_officer,
        "parent": parent,
        "title": "Tearline: travel",
        "body": TEARLINE_BODY,
        "classification": "OFFICIAL-SENSITIVE",
    }
    values.update(overrides)
    return tearline_services.tearline_create(**values)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_approver_sees_both_texts_their_labels_and_who_will_read_it(material_world, client_for):
    parent = secret_report(material_world)
    draft = _draft(material_world, parent)
    supervisor = material_world.personas.ct_supervisor
    page = client_for(supervisor).get(f"/material/{draft.pk}/approve/")
    text = _text(page)
    assert page.status_code == 200
    assert "The tearline" in text
    assert "The original" in text
    assert TEARLINE_BODY in text
    assert SECRET_BODY in text
    assert "Police intelligence report" in text
    assert "Tearline: travel" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "SECRET, UK EYES ONLY" in text
    assert "every agency on the case" in text
    assert "Who will be able to read the tearline" in text
    pom = material_world.personas.pom
    assert f"{pom} (Prison offender manager)" in text
    assert "HMP Frankland" in text
    # Reading the original for the comparison is a read like any other: decided and audited.
    assert AuditEntry.objects.filter(
        action="material.read", outcome="ALLOW", object_id=str(parent.pk), actor_id=supervisor.pk
    ).exists()


def test_the_audience_is_who_can_read_the_tearline_once_approved(material_world):
    """The audience shown before approval is exactly the people on the case whom the material
    rule lets read the tearline after it: the two cannot disagree."""
    parent = secret_report(material_world)
    draft = _draft(material_world, parent, caveats=["UK EYES ONLY"])
    audience = material_acts.tearline_audience(draft)
    shown = {person for group in audience.groups for person in group.people}
    tearline_services.tearline_approve(actor=material_world.personas.ct_supervisor, tearline=draft)
    approved = MaterialItem.objects.get(pk=draft.pk)
    personas = material_world.personas
    readers = {
        material_acts._person(user)
        for user in personas.all().values()
        if material_decision(type(user).objects.get(pk=user.pk), approved).allowed
    }
    assert shown == readers
    assert not any(str(personas.pom) in person for person in shown)  # no UK EYES ONLY caveat
    assert any(str(personas.nsd_practitioner) in person for person in shown)


def test_an_approver_who_cannot_read_the_original_sees_only_the_tearline(
    material_world, client_for
):
    parent = secret_report(material_world)
    draft = _draft(material_world, parent)
    supervisor = material_world.personas.ct_supervisor
    CaveatAuthorisation.objects.filter(user=supervisor, caveat__code="UK EYES ONLY").delete()
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)
    assert not material_decision(supervisor, parent).allowed
    page = client_for(supervisor).get(f"/material/{draft.pk}/approve/")
    text = _text(page)
    assert page.status_code == 200
    assert TEARLINE_BODY in text
    assert SECRET_BODY not in text
    assert "Police intelligence report" not in text
    assert "The original" not in text
    assert "jc-marking--secret" not in text


def test_approving_says_plainly_what_was_decided_and_who_can_now_read_it(
    material_world, client_for
):
    parent = secret_report(material_world)
    draft = _draft(material_world, parent)
    supervisor = client_for(material_world.personas.ct_supervisor)
    response = supervisor.post(f"/material/{draft.pk}/approve/", {"decision": "approve"})
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("You approved the tearline 'Tearline: travel'. It can now be read by")
    assert str(material_world.personas.pom) in message
    assert "HMP Frankland" in message
    assert "Tearline decided" not in message
    assert MaterialItem.objects.get(pk=draft.pk).tearline_status == "APPROVED"


def test_refusing_says_plainly_that_no_one_else_will_see_it(material_world, client_for):
    parent = secret_report(material_world)
    draft = _draft(material_world, parent)
    supervisor = client_for(material_world.personas.ct_supervisor)
    response = supervisor.post(
        f"/material/{draft.pk}/approve/", {"decision": "refuse", "reason": "Names a source"}
    )
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        "You refused the tearline 'Tearline: travel'. No one outside CT Policing North East "
        "will see it, and its author has been told."
    )
    assert MaterialItem.objects.get(pk=draft.pk).tearline_status == "REFUSED"


def test_refusing_without_a_reason_shows_an_error_summary_and_changes_nothing(
    material_world, client_for
):
    parent = secret_report(material_world)
    draft = _draft(material_world, parent)
    response = client_for(material_world.personas.ct_supervisor).post(
        f"/material/{draft.pk}/approve/", {"decision": "refuse"}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert "Enter why the tearline is refused" in response.content.decode()
    assert MaterialItem.objects.get(pk=draft.pk).tearline_status == "DRAFT"
