"""The label summary columns (``has_caveats``, ``releasability_restricted``): kept equal to the
label's sets by the ``m2m_changed`` receivers and the seed, checked and repaired by
``jointcase.material.integrity``, and used by the access filter instead of a join probe."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from jointcase.access.material import material_decision, material_visible_to, user_facts
from jointcase.agencies.models import Agency, Caveat
from jointcase.material.integrity import label_summary_check, label_summary_mismatches
from jointcase.material.models import MaterialItem
from jointcase.material.services import labels as label_services
from tests.material.item_helpers import secret_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keyring")]


def _stored(item: MaterialItem) -> tuple[bool, bool]:
    return tuple(  # type: ignore[return-value]
        MaterialItem.objects.filter(pk=item.pk)
        .values_list("has_caveats", "releasability_restricted")
        .get()
    )


def test_adding_material_sets_the_columns_from_its_label(material_world):
    plain = secret_report(material_world, caveats=[], title="No caveats")
    assert _stored(plain) == (False, False)
    marked = secret_report(material_world, releasable_to=["nsd-north"])
    assert _stored(marked) == (True, True)
    assert (marked.has_caveats, marked.releasability_restricted) == (True, True)
    assert label_summary_check().ok


def test_a_label_change_keeps_the_columns_equal_to_the_sets(material_world):
    officer = material_world.personas.ctnm_officer
    item = secret_report(material_world, releasable_to=["nsd-north"])
    changed = label_services.material_label_change(
        actor=officer,
        item=item,
        classification="SECRET",
        caveats=[],
        releasable_to=[],
        orcon=False,
        reason="The originator lifts the caveat and the release list",
    )
    assert _stored(item) == (False, False)
    assert (changed.has_caveats, changed.releasability_restricted) == (False, False)
    label_services.material_label_change(
        actor=officer,
        item=changed,
        classification="SECRET",
        caveats=["UK EYES ONLY"],
        releasable_to=["nsd-north"],
        orcon=False,
        reason="Caveat restored",
    )
    assert _stored(item) == (True, True)
    assert label_summary_check().ok


def test_every_manager_operation_from_either_side_keeps_the_columns(material_world):
    item = secret_report(material_world, caveats=[])
    caveat = Caveat.objects.get(code="UK EYES ONLY")
    agency = Agency.objects.get(code="nsd-north")
    item.caveats.add(caveat)
    item.releasable_to.add(agency)
    assert _stored(item) == (True, True)
    # A later full save of the same instance keeps what the receivers stored.
    item.title = "Renamed"
    item.save()
    assert _stored(item) == (True, True)
    item.caveats.remove(caveat)
    item.releasable_to.clear()
    assert _stored(item) == (False, False)
    assert (item.has_caveats, item.releasability_restricted) == (False, False)
    # From the caveat's side (its reverse manager is hidden, related_name "+"): what Django
    # sends for a reverse add, with the items as ``pk_set``.
    field = MaterialItem._meta.get_field("caveats")
    through = field.remote_field.through
    from django.db.models.signals import m2m_changed

    through.objects.create(materialitem_id=item.pk, caveat_id=caveat.pk)
    m2m_changed.send(
        sender=through,
        instance=caveat,
        action="post_add",
        reverse=True,
        model=MaterialItem,
        pk_set={item.pk},
        using="default",
    )
    assert _stored(item) == (True, False)
    # A reverse clear: the items linked before it are re-derived after it.
    m2m_changed.send(
        sender=through,
        instance=caveat,
        action="pre_clear",
        reverse=True,
        model=MaterialItem,
        pk_set=None,
        using="default",
    )
    through.objects.filter(caveat_id=caveat.pk).delete()
    m2m_changed.send(
        sender=through,
        instance=caveat,
        action="post_clear",
        reverse=True,
        model=MaterialItem,
        pk_set=None,
        using="default",
    )
    assert _stored(item) == (False, False)
    assert label_summary_check().ok


def test_the_check_finds_and_repairs_rows_changed_outside_the_service(material_world):
    with_caveat = secret_report(material_world)
    without = secret_report(material_world, caveats=[], releasable_to=["nsd-north"])
    MaterialItem.objects.filter(pk=with_caveat.pk).update(has_caveats=False)
    MaterialItem.objects.filter(pk=without.pk).update(releasability_restricted=False)
    assert list(label_summary_mismatches("caveats").values_list("pk", flat=True)) == [
        with_caveat.pk
    ]
    report = label_summary_check()
    assert not report.ok
    assert report.mismatched == {"has_caveats": 1, "releasability_restricted": 1}
    assert report.sample["has_caveats"] == [with_caveat.pk]
    assert any(str(with_caveat.pk) in line for line in report.lines())
    repaired = label_summary_check(repair=True)
    assert repaired.repaired
    assert repaired.mismatched["has_caveats"] == 1
    assert _stored(with_caveat) == (True, False)
    assert _stored(without) == (False, True)
    assert label_summary_check().ok
    assert "agree" in label_summary_check().lines()[0]


def test_the_filter_tests_the_columns_and_agrees_with_the_decision(material_world):
    """A reader holding no caveat: the caveat clause is a column test (no join probe), and
    the list still equals the decision item by item."""
    officer = material_world.personas.ctnm_officer
    pom = material_world.personas.pom
    secret_report(material_world, classification="OFFICIAL-SENSITIVE", caveats=[])
    secret_report(material_world, classification="OFFICIAL-SENSITIVE")
    secret_report(
        material_world, classification="OFFICIAL-SENSITIVE", caveats=[], releasable_to=["partner"]
    )
    holding = {user.username: bool(user_facts(user).caveat_ids) for user in (officer, pom)}
    assert holding == {officer.username: True, pom.username: False}
    for user in (officer, pom):
        sql = str(material_visible_to(user).query)
        assert '"has_caveats"' in sql
        assert '"releasability_restricted"' in sql
        # Only a reader holding caveats needs the join, and only for items that have some.
        assert ("material_materialitem_caveats" in sql) == holding[user.username], sql
        visible = set(material_visible_to(user).values_list("pk", flat=True))
        for item in MaterialItem.objects.all():
            assert material_decision(user, item).allowed == (item.pk in visible)


def test_the_seeded_world_has_columns_equal_to_the_sets(monkeypatch):
    from jointcase.seed import scales, world

    small = replace(scales.SCALES["demo"], cases=12, material_items=300, actions=50)
    monkeypatch.setitem(scales.SCALES, "demo", small)
    world.world_seed(scale="demo", seed=5, show_progress=False, today=dt.date(2026, 6, 1))
    assert MaterialItem.objects.filter(has_caveats=True).exists()
    assert MaterialItem.objects.filter(releasability_restricted=True).exists()
    assert MaterialItem.objects.filter(has_caveats=False, releasability_restricted=False).exists()
    assert label_summary_check().ok
    # The join tables' ids the seed allocated leave room for the next row (sequences reset).
    item = MaterialItem.objects.filter(has_caveats=False, releasable_to__isnull=True).first()
    assert item is not None
    item.caveats.add(Caveat.objects.get(code="PERSONAL"))
    item.releasable_to.add(Agency.objects.get(code="nsd-north"))
    assert _stored(item) == (True, True)


def test_the_operator_command_reports_fails_and_repairs(material_world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from jointcase.audit.models import AuditEntry

    item = secret_report(material_world)
    out = StringIO()
    call_command("material", "labels", stdout=out)
    assert "agree" in out.getvalue()
    MaterialItem.objects.filter(pk=item.pk).update(has_caveats=False)
    with pytest.raises(CommandError, match="--repair"):
        call_command("material", "labels", stdout=StringIO())
    out = StringIO()
    call_command("material", "labels", "--repair", stdout=out)
    assert str(item.pk) in out.getvalue()
    assert _stored(item)[0] is True
    assert AuditEntry.objects.filter(action="material.label_summary_repaired").count() == 1
