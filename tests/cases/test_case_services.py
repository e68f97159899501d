"""Changing a case: impossible dates are refused field by field, stale edits are refused,
and every change is on the timeline and in the history."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.utils import timezone

from jointcase.agencies.models import Agency
from jointcase.cases import services
from jointcase.cases.conditions import catalogue_parse
from jointcase.cases.models import (
    Case,
    CaseRole,
    MappaCategory,
    Phase,
    RecallType,
    SentenceType,
    TimelineKind,
)
from jointcase.cases.selectors import case_history_for, case_overview, case_timeline_for
from jointcase.cases.signals import case_phase_changed
from jointcase.lib.edits import ConcurrentEdit
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def field_errors(call: Any, **kwargs: Any) -> set[str]:
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return set(error.value.message_dict)


def test_the_case_world_is_in_custody_with_notification_requirements(case_world: CaseWorld) -> None:
    assert case_world.case.phase == Phase.CUSTODY
    requirement = case_world.sentence.notification_requirement
    assert requirement.applies
    assert requirement.period_years == 15
    assert requirement.initial_due_on is None  # not released yet
    overview = case_overview(case_world.case)
    assert overview.placement is not None
    assert overview.placement.in_separation_centre
    assert overview.mappa is not None
    assert overview.mappa.level == 3
    assert {member.role for member in overview.team} == {
        CaseRole.LEAD_NSD_PRACTITIONER,
        CaseRole.CTNM_OFFICER,
        CaseRole.POM,
    }
    assert [d.code for d in overview.key_dates] == ["crd", "led", "sed"]


def test_impossible_sentence_dates_get_field_errors(case_world: CaseWorld) -> None:
    actor, case = case_world.personas.nsd_practitioner, case_world.case
    base = {
        "actor": actor,
        "case": case,
        "type": SentenceType.SDS,
        "length_days": 800,
        "conviction_date": dt.date(2024, 3, 1),
        "sentence_date": dt.date(2024, 4, 1),
    }
    assert field_errors(
        services.sentence_add, **{**base, "sentence_date": dt.date(2024, 2, 1)}
    ) == {"sentence_date"}
    assert "released_on" in field_errors(
        services.sentence_add, **base, released_on=dt.date(2024, 3, 15)
    )
    assert "led" in field_errors(
        services.sentence_add, **base, crd=dt.date(2025, 1, 1), led=dt.date(2024, 12, 1)
    )
    assert "type" in field_errors(services.sentence_add, **{**base, "type": "WHIPPING"})
    assert "length_days" in field_errors(
        services.sentence_add, **{**base, "type": SentenceType.SERIOUS_TERRORISM}
    )
    assert case.sentences.count() == 1


def test_a_licence_cannot_expire_before_release(case_world: CaseWorld) -> None:
    errors = field_errors(
        services.licence_add,
        actor=case_world.personas.nsd_practitioner,
        case=case_world.case,
        starts_on=dt.date(2026, 5, 1),
        expires_on=dt.date(2026, 4, 1),
    )
    assert errors == {"expires_on"}


def test_release_moves_the_case_to_licence_with_a_signal_timeline_and_notification_dates(
    case_world: CaseWorld,
) -> None:
    received: list[tuple[str, str]] = []

    def on_change(sender: object, case: Case, old: str, new: str, **kwargs: object) -> None:
        received.append((old, new))

    case_phase_changed.connect(on_change)
    try:
        actor, case = case_world.personas.nsd_practitioner, case_world.case
        released = timezone.localdate() - dt.timedelta(days=1)
        services.sentence_update(
            actor=actor,
            sentence=case_world.sentence,
            expected_version=case.version,
            released_on=released,
        )
        services.licence_add(
            actor=actor,
            case=case,
            sentence=case_world.sentence,
            starts_on=released,
            expires_on=released + dt.timedelta(days=700),
        )
    finally:
        case_phase_changed.disconnect(on_change)
    case.refresh_from_db()
    assert case.phase == Phase.LICENCE
    assert received == [(Phase.CUSTODY, Phase.LICENCE)]
    phase_event = case_timeline_for(
        user=case_world.personas.nsd_practitioner, case=case, kind=TimelineKind.PHASE
    ).first()
    assert phase_event is not None
    assert "from Custody to Licence" in phase_event.title
    requirement = case_world.sentence.notification_requirement
    requirement.refresh_from_db()
    assert requirement.initial_due_on == released + dt.timedelta(days=3)
    history = case_history_for(case=case)
    assert history.filter(action="case.phase_change").first().details["changes"] == {
        "phase": ["CUSTODY", "LICENCE"]
    }
    assert history.filter(action="case.sentence_update").get().details["changes"][
        "released_on"
    ] == [None, released.isoformat()]


def test_a_terrorist_offender_can_only_have_a_standard_recall(case_world: CaseWorld) -> None:
    actor, case = case_world.personas.nsd_practitioner, case_world.case
    released = timezone.localdate() - dt.timedelta(days=30)
    services.sentence_update(
        actor=actor,
        sentence=case_world.sentence,
        expected_version=case.version,
        released_on=released,
    )
    assert "type" in field_errors(
        services.recall_record,
        actor=actor,
        case=case,
        recalled_on=timezone.localdate(),
        reason="Breach",
        type=RecallType.FIXED_TERM,
    )
    assert "recalled_on" in field_errors(
        services.recall_record,
        actor=actor,
        case=case,
        recalled_on=released - dt.timedelta(days=1),
        reason="Breach",
    )
    services.recall_record(
        actor=actor, case=case, recalled_on=timezone.localdate(), reason="Breach of licence"
    )
    case.refresh_from_db()
    assert case.phase == Phase.RECALLED


def test_a_stale_case_edit_is_refused(case_world: CaseWorld) -> None:
    actor, case = case_world.personas.nsd_practitioner, case_world.case
    version = case.version
    services.case_update(actor=actor, case=case, expected_version=version, ideology="MIXED_UNCLEAR")
    with pytest.raises(ConcurrentEdit):
        services.case_update(
            actor=case_world.personas.ctnm_officer,
            case=case,
            expected_version=version,
            ideology="OTHER",
        )
    case.refresh_from_db()
    assert case.ideology == "MIXED_UNCLEAR"
    with pytest.raises(ConcurrentEdit):
        services.sentence_update(
            actor=actor, sentence=case_world.sentence, expected_version=version, remand_days=10
        )


def test_unknown_enumerations_are_field_errors(case_world: CaseWorld) -> None:
    actor, case = case_world.personas.nsd_practitioner, case_world.case
    assert field_errors(
        services.case_update, actor=actor, case=case, expected_version=case.version, cohort="NOPE"
    ) == {"cohort"}
    assert field_errors(
        services.mappa_register,
        actor=actor,
        case=case,
        category="M9",
        level=2,
        review_date=timezone.localdate(),
    ) == {"category"}
    assert field_errors(
        services.mappa_register,
        actor=actor,
        case=case,
        category=MappaCategory.M4,
        level=4,
        review_date=timezone.localdate(),
    ) == {"level"}
    assert field_errors(
        services.team_member_add,
        actor=actor,
        case=case,
        role="BOSS",
        user=case_world.personas.nsd_lead,
    ) == {"role"}


def test_licence_conditions_come_from_the_catalogue_with_their_parameters(
    case_world: CaseWorld,
) -> None:
    actor, case = case_world.personas.nsd_practitioner, case_world.case
    licence = services.licence_add(
        actor=actor, case=case, starts_on=dt.date(2030, 1, 1), expires_on=dt.date(2032, 1, 1)
    )
    curfew = services.licence_condition_add(
        actor=actor,
        licence=licence,
        code="CURFEW",
        parameters={"from_time": "19:00", "to_time": "07:00", "tagged": "yes"},
    )
    assert curfew.parameters == {"from_time": "19:00", "to_time": "07:00", "tagged": True}
    assert curfew.review_frequency == "WEEKLY"
    assert str(curfew) == "Curfew"
    assert field_errors(
        services.licence_condition_add,
        actor=actor,
        licence=licence,
        code="CURFEW",
        parameters={"from_time": "25:00"},
    ) == {"parameters.from_time", "parameters.to_time", "parameters.tagged"}
    assert field_errors(
        services.licence_condition_add, actor=actor, licence=licence, code="NO_SUCH"
    ) == {"code"}


def test_a_malformed_catalogue_names_the_bad_entry() -> None:
    with pytest.raises(ImproperlyConfigured, match="duplicate condition code CURFEW"):
        catalogue_parse(
            {"conditions": [{"code": "CURFEW", "title": "a"}, {"code": "CURFEW", "title": "b"}]}
        )
    with pytest.raises(ImproperlyConfigured, match="unknown review_frequency"):
        catalogue_parse(
            {"conditions": [{"code": "X_Y", "title": "a", "review_frequency": "HOURLY"}]}
        )


def test_the_daily_task_moves_a_case_into_pre_release_when_the_window_opens(
    case_world: CaseWorld, settings: Any
) -> None:
    case = case_world.case
    crd = case_world.sentence.crd
    assert crd is not None
    events = case_timeline_for(
        user=case_world.personas.nsd_practitioner, case=case, kind=TimelineKind.PHASE
    ).count()
    settings.JOINTCASE_PRE_RELEASE_MONTHS = 60
    call_command("phases", stdout=io.StringIO())
    case.refresh_from_db()
    assert case.phase == Phase.PRE_RELEASE
    assert (
        case_timeline_for(
            user=case_world.personas.nsd_practitioner, case=case, kind=TimelineKind.PHASE
        ).count()
        == events + 1
    )


def test_an_exit_hands_the_case_over_with_the_onward_plan(case_world: CaseWorld) -> None:
    police = Agency.objects.get(code="ctu-north-east")
    actor, case = case_world.personas.nsd_practitioner, case_world.case
    assert "onward_plan" in field_errors(
        services.exit_record,
        actor=actor,
        case=case,
        exited_on=timezone.localdate(),
        to_agency=police,
        onward_plan="",
    )
    services.exit_record(
        actor=actor,
        case=case,
        exited_on=timezone.localdate(),
        to_agency=police,
        onward_plan="CTNM manage notification requirements",
    )
    case.refresh_from_db()
    assert case.lead_agency == police
    assert case_timeline_for(user=actor, case=case, kind=TimelineKind.EXIT).exists()


def test_an_excluded_user_cannot_be_added_to_the_team(case_world: CaseWorld) -> None:
    assert field_errors(
        services.team_member_add,
        actor=case_world.personas.nsd_practitioner,
        case=case_world.case,
        role=CaseRole.CTNM_OFFICER,
        user=case_world.personas.excluded_officer,
    ) == {"user"}
