"""Material on a case: adding, reading, tearlines, labels, share requests and break-glass,
as the people in the issue's story would notice them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from jointcase.access.acting import NotPermitted
from jointcase.access.material import material_decision, material_visible_to
from jointcase.agencies.models import Vetting
from jointcase.audit.models import AuditEntry
from jointcase.material.models import (
    BreakGlass,
    LabelChange,
    MaterialGrant,
    MaterialItem,
    ShareRequest,
)
from jointcase.material.selectors import material_open
from jointcase.material.services import breakglass as breakglass_services
from jointcase.material.services import items as item_services
from jointcase.material.services import labels as label_services
from jointcase.material.services import retention as retention_services
from jointcase.material.services import sharing as sharing_services
from jointcase.material.services import tearlines as tearline_services
from jointcase.notifications.models import Notification
from tests.material.item_helpers import SECRET_BODY, TEARLINE_BODY, approved_tearline, secret_report

pytestmark = pytest.mark.usefixtures("keyring")


def test_a_ctnm_officer_adds_a_secret_report_sealed_with_the_police_as_originator(material_world):
    item = secret_report(material_world)
    assert item.originator == material_world.personas.ctnm_officer.agency
    assert SECRET_BODY.encode() not in bytes(item.body_ciphertext)
    assert material_open(user=material_world.personas.ctnm_officer, item=item).text == SECRET_BODY
    assert AuditEntry.objects.filter(action="material.created", object_id=str(item.pk)).exists()


def test_the_pom_with_bpss_sees_only_the_approved_tearline(material_world):
    parent = secret_report(material_world)
    tearline = tearline_services.tearline_create(
        actor=material_world.personas.ctnm_officer,
        parent=parent,
        title="Tearline",
        body=TEARLINE_BODY,
        classification="OFFICIAL-SENSITIVE",
    )
    pom = material_world.personas.pom
    assert not material_visible_to(pom).filter(pk__in=[parent.pk, tearline.pk]).exists()
    tearline_services.tearline_approve(
        actor=material_world.personas.ct_supervisor, tearline=tearline
    )
    visible = set(material_visible_to(pom).values_list("pk", flat=True))
    assert visible == {tearline.pk}
    assert material_decision(pom, parent).reason == "clearance"


def test_the_author_cannot_approve_their_own_tearline(material_world):
    parent = secret_report(material_world)
    tearline = tearline_services.tearline_create(
        actor=material_world.personas.ctnm_officer,
        parent=parent,
        title="T",
        body="b",
        classification="OFFICIAL",
    )
    with pytest.raises(NotPermitted) as error:
        tearline_services.tearline_approve(
            actor=material_world.personas.ctnm_officer, tearline=tearline
        )
    assert "second person" in error.value.message
    tearline.refresh_from_db()
    assert tearline.tearline_status == "DRAFT"
    assert AuditEntry.objects.filter(
        action="material.tearline_approve", outcome="DENY", reason="own_tearline"
    ).exists()


def test_a_tearline_must_carry_a_lower_label(material_world):
    parent = secret_report(material_world)
    with pytest.raises(ValidationError) as error:
        tearline_services.tearline_create(
            actor=material_world.personas.ctnm_officer,
            parent=parent,
            title="T",
            body="b",
            classification="SECRET",
            caveats=["UK EYES ONLY"],
        )
    assert "lower label" in str(error.value)
    assert not MaterialItem.objects.filter(parent=parent).exists()


def test_only_the_originator_agency_writes_tearlines(material_world):
    parent = secret_report(material_world)
    with pytest.raises(NotPermitted) as error:
        tearline_services.tearline_create(
            actor=material_world.personas.nsd_practitioner,
            parent=parent,
            title="T",
            body="b",
            classification="OFFICIAL",
        )
    assert "the originator" in error.value.message
    assert not MaterialItem.objects.filter(parent=parent).exists()


def test_above_system_high_is_refused_and_only_a_reference_can_record_it(material_world):
    officer = material_world.personas.partner_liaison  # DV, but not on the case
    with pytest.raises(ValidationError) as error:
        secret_report(material_world, classification="TOP SECRET")
    assert "reference to material held elsewhere" in error.value.message_dict["classification"][0]
    assert not MaterialItem.objects.exists()
    reference = item_services.material_add(
        actor=material_world.personas.ctnm_officer,
        case=material_world.case,
        kind="REFERENCE",
        title="Partner holds reporting",
        classification="SECRET",
        held_by="Security partner",
    )
    assert reference.data_key_id is None
    assert officer.pk


def test_unknown_caveats_are_refused_and_nothing_is_stored(material_world):
    with pytest.raises(ValidationError) as error:
        secret_report(material_world, caveats=["NO SUCH CAVEAT"])
    assert "Unknown caveat" in error.value.message_dict["caveats"][0]
    assert not MaterialItem.objects.exists()
    assert AuditEntry.objects.filter(action="material.create", outcome="FAILURE").exists()


def test_anyone_with_access_raises_but_only_the_originator_lowers(material_world):
    item = item_services.material_add(
        actor=material_world.personas.ctnm_officer,
        case=material_world.case,
        kind="NOTE",
        title="Note",
        classification="OFFICIAL-SENSITIVE",
        body="text",
    )
    practitioner = material_world.personas.nsd_practitioner
    label_services.material_label_change(
        actor=practitioner,
        item=item,
        classification="SECRET",
        caveats=[],
        releasable_to=[],
        orcon=False,
        reason="Contains source detail",
    )
    item = MaterialItem.objects.get(pk=item.pk)
    assert item.classification == "SECRET"
    assert material_open(user=practitioner, item=item).text == "text"
    with pytest.raises(NotPermitted) as error:
        label_services.material_label_change(
            actor=practitioner,
            item=item,
            classification="OFFICIAL",
            caveats=[],
            releasable_to=[],
            orcon=False,
            reason="Lower",
        )
    assert "Only CT Policing North East" in error.value.message
    assert MaterialItem.objects.get(pk=item.pk).classification == "SECRET"
    label_services.material_label_change(
        actor=material_world.personas.ctnm_officer,
        item=item,
        classification="OFFICIAL",
        caveats=[],
        releasable_to=[],
        orcon=False,
        reason="Source protected",
    )
    change = LabelChange.objects.filter(item=item).first()
    assert change.old_label["classification"] == "SECRET"
    assert change.new_label["classification"] == "OFFICIAL"
    assert LabelChange.objects.filter(item=item).count() == 2


def test_orcon_items_cannot_be_relabelled_or_reshared_without_the_originator(material_world):
    item = secret_report(material_world, orcon=True)
    practitioner = material_world.personas.nsd_practitioner
    with pytest.raises(NotPermitted) as error:
        label_services.material_label_change(
            actor=practitioner,
            item=item,
            classification="SECRET",
            caveats=["UK EYES ONLY"],
            releasable_to=["nsd-north", "partner"],
            orcon=True,
            reason="Share it",
        )
    assert "originator controlled" in error.value.message
    assert not LabelChange.objects.exists()
    share = sharing_services.share_request_create(
        actor=practitioner,
        item=item,
        kind="ONWARD_SHARE",
        to_agency=material_world.personas.partner_liaison.agency,
        reason="Partner needs it",
    )
    with pytest.raises(NotPermitted):
        sharing_services.share_request_decide(
            actor=practitioner, share_request=share, approve=True, reason="ok"
        )
    sharing_services.share_request_decide(
        actor=material_world.personas.ct_supervisor,
        share_request=share,
        approve=True,
        reason="Agreed",
    )
    item = MaterialItem.objects.get(pk=item.pk)
    assert "partner" in {a.code for a in item.releasable_to.all()}
    assert material_open(user=material_world.personas.ctnm_officer, item=item).text == SECRET_BODY


def test_the_pom_asks_for_a_tearline_at_her_level_and_the_police_refuse_with_a_reason(
    material_world,
):
    parent = secret_report(material_world)
    approved_tearline(material_world, parent)
    pom = material_world.personas.pom
    share = sharing_services.share_request_create(
        actor=pom, item=parent, kind="TEARLINE", reason="Sentence planning"
    )
    sharing_services.share_request_decide(
        actor=material_world.personas.ct_supervisor,
        share_request=share,
        approve=False,
        reason="Source protection",
    )
    share.refresh_from_db()
    assert share.status == "REFUSED"
    assert share.decision_reason == "Source protection"
    assert Notification.objects.filter(recipient=pom).exists()


def test_an_approved_access_request_opens_the_fuller_version_for_a_time(material_world):
    parent = secret_report(material_world, caveats=[], releasable_to=["ctu-north-east"])
    approved_tearline(material_world, parent)
    outsider = material_world.personas.officer_not_on_case  # not on the case: sees no tearline
    with pytest.raises(Http404):
        sharing_services.share_request_create(
            actor=outsider, item=parent, kind="ACCESS", reason="r"
        )
    pom = material_world.personas.pom
    Vetting.objects.filter(user=pom).update(level="SC")
    pom = type(pom).objects.get(pk=pom.pk)
    assert material_decision(pom, parent).reason == "not_releasable"
    share = sharing_services.share_request_create(
        actor=pom, item=parent, kind="ACCESS", reason="Need it"
    )
    sharing_services.share_request_decide(
        actor=material_world.personas.ct_supervisor,
        share_request=share,
        approve=True,
        reason="Agreed",
        days=7,
    )
    grant = MaterialGrant.objects.get(user=pom)
    assert grant.expires_at - grant.starts_at == dt.timedelta(days=7)
    pom = type(pom).objects.get(pk=pom.pk)
    assert material_decision(pom, parent).allowed


def test_an_access_request_that_could_never_be_granted_is_not_made(material_world):
    """The BPSS POM's vetting does not reach the SECRET report: no one could approve her
    access, so the request is refused before it is made (a tearline request is offered)."""
    parent = secret_report(material_world)
    approved_tearline(material_world, parent)
    with pytest.raises(ValidationError) as error:
        sharing_services.share_request_create(
            actor=material_world.personas.pom, item=parent, kind="ACCESS", reason="Need it"
        )
    assert "Your vetting does not reach" in error.value.message_dict["kind"][0]
    assert "tearline at your level" in error.value.message_dict["kind"][0]
    assert not ShareRequest.objects.exists()


def test_break_glass_opens_material_for_a_short_time_and_alerts(material_world):
    outsider = material_world.personas.officer_not_on_case
    item = secret_report(material_world, releasable_to=["ctu-north-west"])
    assert material_decision(outsider, item).reason == "not_on_case"
    glass = breakglass_services.breakglass_open(
        actor=outsider, case=material_world.case, reason="Imminent threat reported overnight"
    )
    outsider = type(outsider).objects.get(pk=outsider.pk)
    assert material_decision(outsider, item).reason == "break_glass"
    assert Notification.objects.filter(recipient=material_world.personas.nsd_practitioner).exists()
    assert AuditEntry.objects.filter(action="breakglass.opened").exists()
    later = timezone.now() + dt.timedelta(minutes=31)
    assert not material_decision(outsider, item, now=later).allowed
    breakglass_services.breakglass_review(
        actor=material_world.personas.ct_supervisor,
        break_glass=glass,
        outcome="JUSTIFIED",
        notes="Fine",
    )
    assert BreakGlass.objects.get(pk=glass.pk).reviewed_by == material_world.personas.ct_supervisor


def test_break_glass_never_beats_an_exclusion(material_world):
    excluded = material_world.personas.excluded_officer
    with pytest.raises(ValidationError):
        breakglass_services.breakglass_open(
            actor=excluded, case=material_world.case, reason="I need to see it now"
        )
    assert not BreakGlass.objects.exists()
    assert AuditEntry.objects.filter(action="breakglass.refused", reason="excluded").exists()


def test_expired_vetting_falls_back_to_official(material_world):
    item = secret_report(material_world, caveats=[])
    officer = material_world.personas.nsd_practitioner
    Vetting.objects.filter(user=officer).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1),
        granted_on=timezone.localdate() - dt.timedelta(days=400),
    )
    officer = type(officer).objects.get(pk=officer.pk)
    assert material_decision(officer, item).reason == "clearance"


def test_lowering_the_system_high_hides_what_is_above_it(material_world):
    item = secret_report(material_world, caveats=[])
    with override_settings(SYSTEM_HIGH="OFFICIAL-SENSITIVE"):
        assert (
            material_decision(material_world.personas.ctnm_officer, item).reason
            == "above_system_high"
        )


def test_destroying_an_item_destroys_its_key(material_world):
    item = secret_report(material_world)
    retention_services.material_destroy(
        actor=material_world.personas.ctnm_officer, item=item, reason="Retention ended"
    )
    item = MaterialItem.objects.select_related("data_key").get(pk=item.pk)
    assert item.data_key.is_destroyed
    opened = material_open(user=material_world.personas.ctnm_officer, item=item)
    assert (opened.text, opened.withheld) == (None, None)  # the page says when it was destroyed
    assert item.destroyed_at is not None


def test_share_requests_are_recorded(material_world):
    parent = secret_report(material_world)
    approved_tearline(material_world, parent)
    sharing_services.share_request_create(
        actor=material_world.personas.pom, item=parent, kind="TEARLINE", reason="r"
    )
    assert ShareRequest.objects.count() == 1


def test_no_one_writes_a_label_beyond_their_own_reach(material_world):
    pom = material_world.personas.pom  # BPSS: OFFICIAL-SENSITIVE, no caveats
    with pytest.raises(ValidationError) as error:
        secret_report(material_world, actor=pom, classification="SECRET", caveats=[])
    assert "You cannot record material above your own clearance" in str(error.value)
    with pytest.raises(ValidationError) as error:
        secret_report(material_world, actor=pom, classification="OFFICIAL-SENSITIVE")
    assert "You can only use caveats you hold: UK EYES ONLY" in str(error.value)
    assert not MaterialItem.objects.exists()


def test_access_is_never_granted_to_someone_who_could_not_read_the_item(material_world):
    item = secret_report(material_world)
    share = ShareRequest.objects.create(
        item=item,
        requester=material_world.personas.pom,
        kind="ACCESS",
        reason="Sentence planning",
        created_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as error:
        sharing_services.share_request_decide(
            actor=material_world.personas.ct_supervisor,
            share_request=share,
            approve=True,
            reason="Needed for the sentence plan",
        )
    assert "is not cleared for this item" in str(error.value)
    assert not MaterialGrant.objects.filter(item=item).exists()
