"""The cross-case form of the material filter ("the latest material on my cases"): the user's
need-to-know cases are bound as one parameter (``IdIn``), and the answer is the one the
single-object decision gives (the property tests in test_policy_agrees.py prove that on
generated worlds; these pin the parts they cannot see)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from jointcase.access.material import IdIn, material_decision, material_visible_to
from jointcase.material.models import MaterialItem
from tests.material.item_helpers import secret_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keyring")]

#: Case ids no case has, so the list is long (as a team member's is) and only one matches.
ABSENT = list(range(10_000_000, 10_000_600))


def test_id_in_selects_what_in_selects_and_binds_one_parameter(material_world):
    item = secret_report(material_world, caveats=[])
    ids = [*ABSENT, item.case_id]
    bound = MaterialItem.objects.filter(IdIn("case_id", ids))
    assert set(bound) == set(MaterialItem.objects.filter(case_id__in=ids)) == {item}
    assert not MaterialItem.objects.filter(IdIn("case_id", ABSENT)).exists()
    assert set(MaterialItem.objects.filter(~Q(IdIn("case_id", ABSENT)))) == set(
        MaterialItem.objects.all()
    )
    _sql, params = bound.query.sql_with_params()
    assert len(params) == 1  # not one placeholder per case


def test_the_cross_case_list_is_what_each_item_decision_allows(material_world):
    personas = material_world.personas
    plain = secret_report(material_world, caveats=[], title="No caveats")
    caveated = secret_report(material_world, title="UK eyes only")
    listed = secret_report(material_world, caveats=[], releasable_to=["nsd-north"])
    items = [plain, caveated, listed]
    for user in (personas.ctnm_officer, personas.ct_supervisor, personas.nsd_practitioner):
        visible = set(material_visible_to(user).filter(pk__in=[i.pk for i in items]))
        allowed = {item for item in items if material_decision(user, item).allowed}
        assert visible == allowed, user.username
    assert plain in set(material_visible_to(personas.ctnm_officer))
