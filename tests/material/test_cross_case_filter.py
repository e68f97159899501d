"""The cross-case form of the material filter ("the latest material on my cases"): the user's
need-to-know cases are bound as one parameter (``IdIn``), and the answer is the one the
single-object decision gives (the property tests in test_policy_agrees.py prove that on
generated worlds; these pin the parts they cannot see)."""

from __future__ import annotations

import pytest
from django.db import connection
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


def test_a_page_of_the_newest_items_is_the_newest_of_those_each_decision_allows(material_world):
    personas = material_world.personas
    secret_report(material_world, caveats=[], title="No caveats")
    secret_report(material_world, title="UK eyes only")
    secret_report(material_world, caveats=[], releasable_to=["nsd-north"], title="To NSD")
    secret_report(material_world, caveats=[], classification="OFFICIAL", title="Official")
    newest_first = list(MaterialItem.objects.order_by("-created_at", "id"))
    for user in (personas.ctnm_officer, personas.nsd_practitioner, personas.pom):
        allowed = [item for item in newest_first if material_decision(user, item).allowed]
        assert allowed, user.username
        for size in (1, 2, len(newest_first)):
            page = material_visible_to(user, newest_page=True).order_by("-created_at", "id")
            assert list(page[:size]) == allowed[:size], (user.username, size)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_on_sqlite_a_newest_page_walks_the_newest_first_index_and_a_count_does_not(
    material_world,
):
    """A user on every case pages the newest items by walking the index kept in that order,
    stopping at the page, instead of reading every item of every case and sorting them; a
    count over the same filter still looks up each case's items."""
    officer = material_world.personas.ctnm_officer
    secret_report(material_world, caveats=[])
    visible = material_visible_to(officer, newest_page=True)

    def plan(queryset):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "SCAN material_materialitem USING INDEX material_created_case" in plan(
        visible.order_by("-created_at", "id")[:50]
    )
    assert "material_created_case" not in plan(visible.order_by())
