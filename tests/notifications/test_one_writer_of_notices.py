"""Notices have one writer, ``jointcase.notifications.services.notify``: material, meetings and
the escalation of agreed actions all go through it (so all skip inactive and repeated users and
refuse specific text), and the model lives in the ``notifications`` app alone."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

import jointcase.material.models as material_models
from jointcase.accounts.models import User
from jointcase.lib.working_days import add_working_days, is_working_day
from jointcase.meetings.escalation import escalate
from jointcase.meetings.models import MeetingType
from jointcase.meetings.services.actions import action_create
from jointcase.meetings.services.meetings import meeting_create
from jointcase.notifications.models import Notification
from jointcase.notifications.services import SENTENCES
from jointcase.notifications.services import __file__ as writer_file
from tests.register_fixtures import CaseWorld

SOURCE = Path(settings.REPO_DIR) / "src" / "jointcase"
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update"}


def test_the_notification_model_belongs_to_the_notifications_app_and_keeps_its_table() -> None:
    model = apps.get_model("notifications", "Notification")
    assert model is Notification
    assert model._meta.db_table == "material_notification"
    assert not hasattr(material_models, "Notification")
    assert [m for m in apps.get_models() if m.__name__ == "Notification"] == [Notification]


def _writes_notices(path: Path) -> list[str]:
    """Lines of ``path`` that build, save or change ``Notification`` rows."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            text = ast.unparse(node.func)
            builds = text == "Notification"
            changes = text.startswith("Notification.objects") and text.rsplit(".", 1)[-1] in WRITES
            if builds or changes:
                found.append(f"{path.relative_to(SOURCE)}:{node.lineno}: {text}")
    return found


def test_no_module_but_notify_writes_a_notice() -> None:
    """A supplement to the behaviour below: a new writer elsewhere fails here."""
    writers = [
        line
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts and path != Path(writer_file)
        for line in _writes_notices(path)
    ]
    assert writers == []


@pytest.mark.django_db
def test_meeting_and_escalation_notices_follow_the_writers_rules(team_world: CaseWorld) -> None:
    """Each sender, handed the same person twice and a disabled one, tells the active one once
    and the disabled one nothing, in one of the listed sentences."""
    people = team_world.personas
    User.objects.filter(pk=people.pom.pk).update(is_active=False)
    meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.MAPPA_L3,
        starts_at=timezone.now() + dt.timedelta(days=1),
        chair=people.ct_supervisor,
        cases=[team_world.case],
        agenda="Review",
        invitees=[people.nsd_practitioner, people.nsd_practitioner, people.pom],
    )
    assert Notification.objects.filter(recipient=people.nsd_practitioner).count() == 1
    assert not Notification.objects.filter(recipient=people.pom).exists()

    Notification.objects.all().delete()
    today = timezone.localdate()
    while not is_working_day(today):
        today += dt.timedelta(days=1)
    action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description="Check the address (synthetic)",
        owner=people.ctnm_officer,
        due_date=add_working_days(today, 1),
        source_kind="ASSESSMENT",
    )
    Notification.objects.all().delete()
    assert escalate(today=today) == 1
    reminders = list(Notification.objects.all())
    assert [n.recipient_id for n in reminders] == [people.ctnm_officer.pk]
    assert all(n.text in SENTENCES for n in Notification.objects.all())
