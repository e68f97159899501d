"""The seeded material: the classification mix, and the demo story (SECRET police reports with
approved OFFICIAL-SENSITIVE tearlines that the BPSS POM sees instead of the reports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from jointcase.access.material import material_decision, material_visible_to
from jointcase.access.policy import cases_visible_to
from jointcase.accounts.models import User
from jointcase.material.models import MaterialItem
from jointcase.material.selectors import material_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keyring")]


def test_the_seed_adds_the_material_mix_and_the_demo_story(monkeypatch):
    from jointcase.seed import scales, world

    small = replace(scales.SCALES["demo"], cases=12, material_items=200)
    monkeypatch.setitem(scales.SCALES, "demo", small)
    world.world_seed(scale="demo", seed=3, show_progress=False, today=dt.date(2026, 6, 1))
    items = MaterialItem.objects.all()
    total = items.count()
    assert total >= 200
    by_level = {
        level: items.filter(classification=level).count()
        for level in ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET")
    }
    assert (by_level["OFFICIAL"] + by_level["OFFICIAL-SENSITIVE"]) / total > 0.7
    assert 0.08 < by_level["SECRET"] / total < 0.3
    assert items.filter(orcon=True).count() / total > 0.04
    parents_with_tearlines = items.filter(tearlines__isnull=False).distinct().count()
    assert parents_with_tearlines / items.filter(parent__isnull=True).count() > 0.2
    assert not items.filter(classification="TOP SECRET").exists()
    # every item has a retention date, in the future, as the service would give it
    assert not items.filter(retain_until__isnull=True).exists()
    assert not items.filter(retain_until__lte=dt.date.today()).exists()

    officer = User.objects.get(username="ctnm.officer")
    pom = User.objects.get(username="pom.bpss")
    # The demo story: on a case the POM works, the officer's SECRET report has an approved
    # tearline, and the BPSS POM sees the tearline and never the report.
    report = (
        items.filter(author=officer, classification="SECRET", tearlines__tearline_status="APPROVED")
        .filter(case__in=cases_visible_to(pom))
        .first()
    )
    assert report is not None, "the seed gives the POM's cases no SECRET report with a tearline"
    assert material_decision(officer, report).allowed
    assert material_open(user=officer, item=report).text
    tearline = report.tearlines.get()
    assert tearline.approved_by.username == "ct.supervisor"
    visible = material_visible_to(pom)
    assert not visible.filter(classification="SECRET").exists()
    assert not material_decision(pom, report).allowed
    assert material_decision(pom, tearline).allowed
    assert visible.filter(pk=tearline.pk).exists()
