"""Retention: every item is kept until a date (given, or the standard period); the originator
agency may change it with a reason; after it the retention job destroys the item's data keys,
and the item then shows as destroyed (title, marking, date), never a 500."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from jointcase.audit.models import AuditEntry, Outcome
from jointcase.material.models import DataKey, MaterialItem
from jointcase.material.services import retention as retention_services
from jointcase.material.tasks import (
    material_retention,
    retention_next_run,
    retention_schedule_next,
)
from tests.material import samples
from tests.material.item_helpers import SECRET_BODY, approved_tearline, secret_report
from tests.support.api import api_client
from tests.support.forms import date_input

pytestmark = pytest.mark.usefixtures("keyring")


def _today() -> dt.date:
    return timezone.localdate()


def _past(world, item: MaterialItem, days: int = 1) -> MaterialItem:
    """Move an item's retention date into the past, as time passing would."""
    MaterialItem.objects.filter(pk=item.pk).update(retain_until=_today() - dt.timedelta(days=days))
    return MaterialItem.objects.get(pk=item.pk)


@override_settings(JOINTCASE_MATERIAL_RETENTION_YEARS=2)
def test_the_retention_date_defaults_to_the_setting_on_every_way_in(material_world, client_for):
    expected = retention_services.retention_default()
    assert (expected.year, expected.month) == (_today().year + 2, _today().month)
    assert secret_report(material_world).retain_until == expected
    page = client_for(material_world.personas.ctnm_officer).post(
        f"/cases/{material_world.case.public_id}/material/new/",
        {"kind": "NOTE", "title": "Page note", "classification": "OFFICIAL", "body": "b"},
    )
    assert page.status_code == 302
    assert MaterialItem.objects.get(title="Page note").retain_until == expected
    created = api_client(material_world.personas.ctnm_officer).post(
        f"/api/v1/cases/{material_world.case.public_id}/material",
        json.dumps(
            {"kind": "NOTE", "title": "API note", "classification": "OFFICIAL", "body": "b"}
        ),
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["retain_until"] == expected.isoformat()


def test_an_author_sets_the_retention_date_on_the_page_and_in_the_api(material_world, client_for):
    chosen = _today() + dt.timedelta(days=400)
    page = client_for(material_world.personas.ctnm_officer).post(
        f"/cases/{material_world.case.public_id}/material/new/",
        {
            "kind": "NOTE",
            "title": "Kept note",
            "classification": "OFFICIAL",
            "body": "b",
            **date_input("retain_until", chosen),
        },
    )
    assert page.status_code == 302
    item = MaterialItem.objects.get(title="Kept note")
    assert item.retain_until == chosen
    entry = AuditEntry.objects.get(action="material.created", object_id=str(item.pk))
    assert entry.details["retain_until"] == chosen.isoformat()
    created = api_client(material_world.personas.ctnm_officer).post(
        f"/api/v1/cases/{material_world.case.public_id}/material",
        json.dumps(
            {
                "kind": "NOTE",
                "title": "API kept",
                "classification": "OFFICIAL",
                "body": "b",
                "retain_until": chosen.isoformat(),
            }
        ),
        content_type="application/json",
    )
    assert created.json()["retain_until"] == chosen.isoformat()


def test_a_retention_date_in_the_past_is_refused_and_nothing_is_stored(material_world, client_for):
    yesterday = (_today() - dt.timedelta(days=1)).isoformat()
    page = client_for(material_world.personas.ctnm_officer).post(
        f"/cases/{material_world.case.public_id}/material/new/",
        {
            "kind": "NOTE",
            "title": "Past",
            "classification": "OFFICIAL",
            "body": "b",
            **date_input("retain_until", dt.date.fromisoformat(yesterday)),
        },
    )
    assert page.status_code == 400
    assert "The retention date must be in the future" in page.content.decode()
    api = api_client(material_world.personas.ctnm_officer).post(
        f"/api/v1/cases/{material_world.case.public_id}/material",
        json.dumps(
            {
                "kind": "NOTE",
                "title": "Past",
                "classification": "OFFICIAL",
                "body": "b",
                "retain_until": yesterday,
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["errors"][0]["field"] == "retain_until"
    assert not MaterialItem.objects.filter(title="Past").exists()


def test_the_originator_changes_the_retention_date_with_a_reason(material_world, client_for):
    item = secret_report(material_world)
    officer = client_for(material_world.personas.ctnm_officer)
    url = f"/material/{item.pk}/retention/"
    assert "Change how long it is kept" in officer.get(f"/material/{item.pk}/").content.decode()
    later = _today() + dt.timedelta(days=3000)
    missing = officer.post(url, {**date_input("retain_until", later), "reason": ""})
    assert missing.status_code == 400
    assert "Enter why the retention date is changing" in missing.content.decode()
    both = officer.post(url, {**date_input("retain_until", "1/1/2001"), "reason": ""})
    assert both.status_code == 400
    assert "Enter why the retention date is changing" in both.content.decode()
    assert "The retention date must be in the future" in both.content.decode()
    response = officer.post(url, {**date_input("retain_until", later), "reason": "Trial pending"})
    assert response.status_code == 302
    assert MaterialItem.objects.get(pk=item.pk).retain_until == later
    entry = AuditEntry.objects.get(action="material.retention_changed")
    assert entry.reason == "Trial pending"
    assert entry.details == {"old": item.retain_until.isoformat(), "new": later.isoformat()}
    sooner = _today() + dt.timedelta(days=10)
    api = api_client(material_world.personas.ct_supervisor).post(
        f"/api/v1/material/{item.pk}/retention",
        json.dumps({"retain_until": sooner.isoformat(), "reason": "Trial over"}),
        content_type="application/json",
    )
    assert api.status_code == 200
    assert api.json()["retain_until"] == sooner.isoformat()


def test_a_reader_who_is_not_the_originator_cannot_change_the_retention_date(
    material_world, client_for
):
    item = secret_report(material_world)
    practitioner = material_world.personas.nsd_practitioner
    page = client_for(practitioner)
    assert "Change how long it is kept" not in page.get(f"/material/{item.pk}/").content.decode()
    later = (_today() + dt.timedelta(days=3000)).isoformat()
    assert page.get(f"/material/{item.pk}/retention/").status_code == 403
    refused = page.post(f"/material/{item.pk}/retention/", {"retain_until": later, "reason": "r"})
    assert refused.status_code == 403
    api = api_client(practitioner).post(
        f"/api/v1/material/{item.pk}/retention",
        json.dumps({"retain_until": later, "reason": "r"}),
        content_type="application/json",
    )
    assert api.status_code == 403
    assert MaterialItem.objects.get(pk=item.pk).retain_until == item.retain_until
    assert (
        AuditEntry.objects.filter(
            actor_id=practitioner.pk, outcome=Outcome.DENY, reason="not_originator"
        ).count()
        == 3
    )


def test_the_retention_run_destroys_only_what_is_past_its_date(material_world):
    expired = _past(
        material_world,
        secret_report(
            material_world, files=[SimpleUploadedFile("plan.pdf", samples.pdf())], title="Old"
        ),
    )
    due_today = secret_report(material_world, title="Today")
    MaterialItem.objects.filter(pk=due_today.pk).update(retain_until=_today())
    kept = secret_report(material_world, title="Kept")

    dry = retention_services.material_retention_run(dry_run=True)
    assert (dry.due, dry.destroyed, dry.item_ids) == (1, 0, (str(expired.pk),))
    assert MaterialItem.objects.get(pk=expired.pk).destroyed_at is None

    result = retention_services.material_retention_run()
    assert (result.due, result.destroyed) == (1, 1)
    gone = MaterialItem.objects.get(pk=expired.pk)
    assert gone.destroyed_at is not None
    assert DataKey.objects.get(pk=gone.data_key_id).is_destroyed
    assert all(f.data_key.is_destroyed for f in gone.files.select_related("data_key"))
    for survivor in (due_today, kept):
        fresh = MaterialItem.objects.select_related("data_key").get(pk=survivor.pk)
        assert fresh.destroyed_at is None
        assert not fresh.data_key.is_destroyed
    entry = AuditEntry.objects.get(action="material.destroyed", object_id=str(expired.pk))
    assert (entry.actor_id, entry.actor_username) == (None, "retention")
    assert entry.reason.startswith("Retention ended")
    assert retention_services.material_retention_run().destroyed == 0  # nothing twice


def test_a_date_extended_before_the_run_is_honoured(material_world):
    item = _past(material_world, secret_report(material_world))
    retention_services.material_retention_change(
        actor=material_world.personas.ctnm_officer,
        item=item,
        retain_until=_today() + dt.timedelta(days=30),
        reason="Appeal lodged",
    )
    assert retention_services.material_retention_run().destroyed == 0
    assert MaterialItem.objects.get(pk=item.pk).destroyed_at is None


def test_a_destroyed_item_shows_its_title_marking_and_date_not_an_error(material_world, client_for):
    item = secret_report(material_world, files=[SimpleUploadedFile("plan.pdf", samples.pdf())])
    approved_tearline(material_world, item)
    file_id = item.files.get().pk
    _past(material_world, item)
    retention_services.material_retention_run()
    officer = client_for(material_world.personas.ctnm_officer)
    page = officer.get(f"/material/{item.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Police intelligence report" in text
    assert "jc-marking--secret" in text
    assert f"content of this item was destroyed on {timezone.localdate():%-d %B %Y}" in text
    assert SECRET_BODY not in text
    assert "plan.pdf" not in text
    assert "Change the label" not in text
    assert officer.get(f"/material/{item.pk}/export/").status_code == 409
    download = officer.get(f"/material/files/{file_id}/")
    assert download.status_code == 409
    assert "destroyed" in download.content.decode()
    assert officer.get(f"/material/{item.pk}/label/").status_code == 403
    assert officer.get(f"/material/{item.pk}/tearlines/new/").status_code == 403
    assert officer.get(f"/cases/{material_world.case.public_id}/material/").status_code == 200
    read = api_client(material_world.personas.ctnm_officer).get(f"/api/v1/material/{item.pk}")
    assert read.status_code == 200
    assert (read.json()["body"], read.json()["withheld"]) == (None, None)
    assert read.json()["destroyed_at"] is not None


def test_the_operator_command_runs_dry_or_for_real_and_schedules_the_daily_job(material_world):
    item = _past(material_world, secret_report(material_world))
    out = io.StringIO()
    call_command("material", "retention", "--dry-run", stdout=out, stderr=io.StringIO())
    assert "1 item(s) past their retention date (dry run: none destroyed)" in out.getvalue()
    assert str(item.pk) in out.getvalue()
    assert MaterialItem.objects.get(pk=item.pk).destroyed_at is None
    out = io.StringIO()
    call_command("material", "retention", stdout=out, stderr=io.StringIO())
    assert "1 item(s) destroyed" in out.getvalue()
    assert MaterialItem.objects.get(pk=item.pk).destroyed_at is not None
    out = io.StringIO()
    call_command("material", "retention", "--schedule", stdout=out)
    assert "Scheduled the daily retention run" in out.getvalue()


def test_the_daily_task_destroys_and_keeps_itself_scheduled(material_world):
    _past(material_world, secret_report(material_world))
    assert material_retention.call() == 1
    before = timezone.make_aware(dt.datetime(2026, 3, 1, 2, 30))
    after = timezone.make_aware(dt.datetime(2026, 3, 1, 3, 0))
    assert timezone.localtime(retention_next_run(before)) == timezone.make_aware(
        dt.datetime(2026, 3, 1, 3, 0)
    )
    assert timezone.localtime(retention_next_run(after)) == timezone.make_aware(
        dt.datetime(2026, 3, 2, 3, 0)
    )
    result = retention_schedule_next()
    assert result.task.run_after is not None
    assert result.task.run_after > timezone.now()
