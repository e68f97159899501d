"""Meetings as the tests set them up: a second case to discuss, and the meeting's edit form."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.cases import services as case_services
from jointcase.cases.models import Case, CaseRole, Cohort, Ideology
from jointcase.meetings.models import Meeting
from jointcase.people import services as people_services

if TYPE_CHECKING:
    from tests.meetings.conftest import MeetingWorld


def second_case(mw: MeetingWorld, member: User) -> Case:
    """Another case, with ``member`` (and the CT supervisor) on its team."""
    people = mw.world.personas
    person = people_services.person_create(
        actor=people.ct_supervisor,
        given_names="Aaron",
        family_name="Whitlock",
        date_of_birth=dt.date(1994, 2, 3),
    )
    case = case_services.case_open(
        actor=people.ct_supervisor,
        person=person,
        cohort=Cohort.TACT,
        ideology=Ideology.EXTREME_RIGHT_WING,
        lead_agency=people.ct_supervisor.agency,
        opened_at=timezone.localdate() - dt.timedelta(days=10),
        reference="JC-900002",
    )
    start = timezone.localdate() - dt.timedelta(days=10)
    for user, role in (
        (people.ct_supervisor, CaseRole.CT_SUPERVISOR),
        (member, CaseRole.CTNM_OFFICER),
    ):
        case_services.team_member_add(
            actor=people.ct_supervisor, case=case, role=role, user=user, start=start
        )
    return case


def meeting_form_fields(meeting: Meeting, **overrides: object) -> dict[str, object]:
    """The meeting's edit form as it is rendered (its current values and version);
    ``overrides`` change fields."""
    local = timezone.localtime(meeting.starts_at)
    values: dict[str, object] = {
        "version": meeting.version,
        "type": meeting.type,
        "day-day": local.day,
        "day-month": local.month,
        "day-year": local.year,
        "time": local.strftime("%H:%M"),
        "chair": meeting.chair_id,
        "cases": list(meeting.cases.values_list("pk", flat=True)),
        "agenda": meeting.agenda,
    }
    values.update(overrides)
    return values
