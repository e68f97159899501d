"""The migrations that give meetings, invitations and actions their opaque identifiers give
every existing row its own fresh UUID, and an action agreed at a meeting then names the meeting
by its UUID in ``source_id`` (never the integer key the API would otherwise reveal)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jointcase.meetings.models import AgreedAction, Invitation, Meeting
from jointcase.meetings.services.actions import action_create
from tests.meetings.conftest import MeetingWorld

BEFORE = [("meetings", "0003_section_other_agency_attendees")]


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "meetings"]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_distinct_uuids_and_meeting_sources_name_the_uuid(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    for day in (3, 4):
        action_create(
            actor=people.ct_supervisor,
            case=meeting_world.world.case,
            description="Arrange a joint home visit",
            owner=people.nsd_practitioner,
            due_date=timezone.localdate() + dt.timedelta(days=day),
            meeting=meeting_world.meeting,
        )
    latest = _latest()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("meetings", "AgreedAction")
        old.objects.update(source_id=str(meeting_world.meeting.pk))  # as agreed before
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    for model in (Meeting, Invitation, AgreedAction):
        ids = list(model.objects.values_list("public_id", flat=True))
        assert ids, model
        assert None not in ids, model
        assert len(set(ids)) == len(ids), model
    meeting = Meeting.objects.get(pk=meeting_world.meeting.pk)
    assert meeting.public_id != meeting_world.meeting.public_id  # given afresh by the migration
    sources = set(AgreedAction.objects.values_list("source_id", flat=True))
    assert sources == {str(meeting.public_id)}
