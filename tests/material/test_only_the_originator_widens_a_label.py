"""Anyone on the case who sees an item may only narrow its label; any change that could let
someone read who could not before is the originator's alone (403 for anyone else, with a DENY
audit entry, on the pages and in the API, and nothing changes).

"Every agency on the case" (an empty releasable-to list) means the agencies with a current
member on the case team, so turning it into a list that names another agency widens it.
"""

from __future__ import annotations

import json

import pytest

from jointcase.access.acting import NotPermitted
from jointcase.access.material import material_decision
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.material.models import BreakGlass, LabelChange, MaterialItem
from jointcase.material.services import breakglass as breakglass_services
from jointcase.material.services import labels as label_services
from tests.material.item_helpers import secret_report
from tests.support.api import api_client

pytestmark = pytest.mark.usefixtures("keyring")

WIDER = ["ctu-north-west", "partner", "nsd-north"]


def _denials(user) -> int:
    return AuditEntry.objects.filter(
        actor_id=user.pk, outcome=Outcome.DENY, reason="lowering_not_originator"
    ).count()


def test_a_reader_cannot_turn_every_agency_on_the_case_into_a_wider_list(
    material_world, client_for
):
    personas = material_world.personas
    item = secret_report(material_world)  # released to every agency on the case
    practitioner = personas.nsd_practitioner
    assert material_decision(practitioner, item).allowed

    response = api_client(practitioner).post(
        f"/api/v1/material/{item.pk}/label",
        json.dumps(
            {
                "classification": "SECRET",
                "caveats": ["UK EYES ONLY"],
                "releasable_to": WIDER,
                "orcon": False,
                "reason": "Share it wider (synthetic)",
                "version": item.version,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 403
    page = client_for(practitioner).post(
        f"/material/{item.pk}/label/",
        {
            "classification": "SECRET",
            "caveats": ["UK EYES ONLY"],
            "releasable_to": WIDER,
            "reason": "Share it wider (synthetic)",
            "version": str(item.version),
        },
    )
    assert page.status_code == 403
    assert "widen who it is released to" in page.content.decode()
    assert _denials(practitioner) == 2

    fresh = MaterialItem.objects.get(pk=item.pk)
    assert list(fresh.releasable_to.all()) == []
    assert fresh.version == item.version
    assert not LabelChange.objects.filter(item=item).exists()
    # The North West officer under break-glass still cannot read it.
    outsider = personas.officer_not_on_case
    breakglass_services.breakglass_open(
        actor=outsider, case=material_world.case, reason="Overnight threat (synthetic)"
    )
    assert BreakGlass.objects.filter(user=outsider).exists()
    assert material_decision(type(outsider).objects.get(pk=outsider.pk), item).reason == (
        "not_releasable"
    )


def test_a_reader_may_narrow_every_agency_on_the_case_to_agencies_on_it(material_world):
    """The list names only agencies with someone on the case: that narrows (no 403)."""
    personas = material_world.personas
    item = secret_report(material_world)
    label_services.material_label_change(
        actor=personas.nsd_practitioner,
        item=item,
        classification="SECRET",
        caveats=["UK EYES ONLY"],
        releasable_to=["nsd-north"],
        orcon=True,
        reason="Keep it within the case's core agencies (synthetic)",
    )
    fresh = MaterialItem.objects.get(pk=item.pk)
    assert {a.code for a in fresh.releasable_to.all()} == {"nsd-north", "ctu-north-east"}
    assert fresh.orcon


def test_the_originator_may_widen_its_own_label(material_world):
    personas = material_world.personas
    item = secret_report(material_world)
    label_services.material_label_change(
        actor=personas.ctnm_officer,
        item=item,
        classification="SECRET",
        caveats=["UK EYES ONLY"],
        releasable_to=WIDER,
        orcon=False,
        reason="Released to the North West force (synthetic)",
    )
    fresh = MaterialItem.objects.get(pk=item.pk)
    assert {a.code for a in fresh.releasable_to.all()} == {*WIDER, "ctu-north-east"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"releasable_to": ["nsd-north"]}, {"releasable_to": []}),  # a list made "every agency"
        ({"releasable_to": ["nsd-north"]}, {"releasable_to": ["nsd-north", "hmp-frankland"]}),
        ({"caveats": ["UK EYES ONLY"]}, {"caveats": []}),
        ({"classification": "SECRET"}, {"classification": "OFFICIAL-SENSITIVE"}),
    ],
    ids=["list-to-every-agency", "another-agency", "caveat-dropped", "lower-classification"],
)
def test_every_kind_of_widening_by_a_reader_is_refused(material_world, old, new):
    personas = material_world.personas
    item = secret_report(material_world, **old)
    label = {
        "classification": item.classification,
        "caveats": item.caveat_codes(),
        "releasable_to": sorted(a.code for a in item.releasable_to.all()),
        "orcon": False,
        **new,
    }
    with pytest.raises(NotPermitted):
        label_services.material_label_change(
            actor=personas.nsd_practitioner, item=item, reason="Widen (synthetic)", **label
        )
    assert MaterialItem.objects.get(pk=item.pk).version == item.version
