"""An establishment's training compliance: current required course-completions over required
ones, on the day asked. ``expires_on`` is the first day a completion no longer counts, so
training lapses, and compliance falls, on its expiry day itself (no nightly job)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.workforce.courses import add_months
from jointcase.workforce.selectors.training import MISSING, compliance_counted, compliance_on
from jointcase.workforce.services.training import completion_record
from tests.workforce.training_fixtures import TrainingWorld

pytestmark = pytest.mark.django_db


def _figures(world: TrainingWorld, day: dt.date, *, gaps: bool = False):  # type: ignore[no-untyped-def]
    place = world.frankland
    return compliance_on([place], day, with_gaps=frozenset({place.pk}) if gaps else frozenset())[
        place.pk
    ]


def _course(figures, code: str):  # type: ignore[no-untyped-def]
    return next(course for course in figures.courses if course.code == code)


def test_training_that_lapses_changes_compliance_on_its_expiry_day(
    training_world: TrainingWorld,
) -> None:
    today = timezone.localdate()
    completed = add_months(today, -24) + dt.timedelta(days=3)
    done = completion_record(
        actor=training_world.frankland_lead,
        staff=training_world.frankland_pom,
        course_code="CT_AWARENESS",
        completed_on=completed,
    )
    assert done.expires_on == add_months(completed, 24) == today + dt.timedelta(days=3)

    day_before = _figures(training_world, done.expires_on - dt.timedelta(days=1), gaps=True)
    on_expiry = _figures(training_world, done.expires_on, gaps=True)

    assert (_course(day_before, "CT_AWARENESS").current, day_before.current) == (1, 1)
    assert (_course(on_expiry, "CT_AWARENESS").current, on_expiry.current) == (0, 0)
    assert day_before.required == on_expiry.required == 8  # 2 staff x 4 courses (SC held)
    assert day_before.percent == 12
    assert on_expiry.percent == 0
    lapsed = [
        g for g in on_expiry.gaps if g.course_code == "CT_AWARENESS" and g.status == "expired"
    ]
    assert [(g.staff_id, g.expired_on) for g in lapsed] == [
        (training_world.frankland_pom.pk, done.expires_on)
    ]


def test_a_renewal_before_expiry_keeps_the_course_current(training_world: TrainingWorld) -> None:
    today = timezone.localdate()
    for completed in (add_months(today, -24) + dt.timedelta(days=1), today):
        completion_record(
            actor=training_world.frankland_lead,
            staff=training_world.frankland_pom,
            course_code="CT_AWARENESS",
            completed_on=completed,
        )
    later = _figures(training_world, today + dt.timedelta(days=30))
    assert _course(later, "CT_AWARENESS").current == 1


def test_the_separation_centre_induction_is_required_only_where_one_is_held(
    training_world: TrainingWorld,
) -> None:
    day = timezone.localdate()
    figures = compliance_on([training_world.frankland, training_world.garth], day)
    frankland = {c.code for c in figures[training_world.frankland.pk].courses}
    garth = {c.code for c in figures[training_world.garth.pk].courses}
    assert "SEPARATION_CENTRE_INDUCTION" in frankland
    assert "SEPARATION_CENTRE_INDUCTION" not in garth
    assert figures[training_world.garth.pk].required == 6  # 2 staff x 3 courses
    missing = _figures(training_world, day, gaps=True).gaps
    assert {g.status for g in missing} == {MISSING}
    assert len(missing) == 8


def _page(client_for: Callable[[User], Client], user: User, code: str) -> str:
    response = client_for(user).get(reverse("workforce:training-establishment", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_establishments_lead_sees_who_lacks_training(
    training_world: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    pom_name = training_world.frankland_pom.get_full_name()
    lead_page = _page(client_for, training_world.frankland_lead, "hmp-frankland")
    coordinator_page = _page(client_for, training_world.coordinator, "hmp-frankland")
    national_page = _page(
        client_for, training_world.case_world.personas.national_lead, "hmp-frankland"
    )
    assert "training-gaps" in lead_page
    assert pom_name in lead_page
    assert "Not completed" in lead_page
    for page in (coordinator_page, national_page):
        assert "0% of required courses current" in page
        assert "training-gaps" not in page
        assert pom_name not in page
    assert "SEPARATION_CENTRE_INDUCTION" not in lead_page  # labels, never codes
    assert "Separation centre induction" in lead_page


def test_the_overview_lists_the_establishments_each_viewer_oversees(
    training_world: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    url = reverse("workforce:training-overview")
    seen = {}
    for user in (
        training_world.coordinator,
        training_world.south_coordinator,
        training_world.garth_lead,
        training_world.case_world.personas.national_lead,
    ):
        body = client_for(user).get(url).content.decode()
        seen[user.username] = {
            n for n in ("HMP Frankland", "HMP Garth", "HMP Bristol") if n in body
        }
    assert seen == {
        "prison.ctc": {"HMP Frankland", "HMP Garth"},
        "south.ctc": {"HMP Bristol"},
        "garth.ctlead": {"HMP Garth"},
        "national.lead": {"HMP Frankland", "HMP Garth", "HMP Bristol"},
    }
    assert "HMPPS Prison Counter Terrorism Unit" not in body  # a headquarters, not a prison


def test_prison_staff_are_taken_to_their_own_training_and_others_are_refused(
    training_world: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    url = reverse("workforce:training-overview")
    staff = client_for(training_world.frankland_pom).get(url)
    assert staff.status_code == 302
    assert staff["Location"] == reverse("workforce:training-mine")
    assert (
        client_for(training_world.case_world.personas.nsd_practitioner).get(url).status_code == 403
    )
    hidden = client_for(training_world.garth_lead).get(
        reverse("workforce:training-establishment", args=["hmp-frankland"])
    )
    assert hidden.status_code == 404


def test_the_counted_figures_agree_with_the_per_person_ones(
    training_world: TrainingWorld,
) -> None:
    today = timezone.localdate()
    for staff, lead, code, completed in (
        (training_world.frankland_pom, training_world.frankland_lead, "CT_AWARENESS", today),
        (
            training_world.frankland_lead,
            training_world.frankland_lead,
            "SEPARATION_CENTRE_INDUCTION",
            add_months(today, -12),  # lapses today
        ),
        (training_world.garth_pom, training_world.garth_lead, "EXTREMISM_RISK_GUIDANCE", today),
    ):
        completion_record(actor=lead, staff=staff, course_code=code, completed_on=completed)
    places = [training_world.frankland, training_world.garth, training_world.bristol]
    for day in (today - dt.timedelta(days=1), today, today + dt.timedelta(days=400)):
        slow = compliance_on(places, day)
        fast = compliance_counted(places, day)
        for place in places:
            assert fast[place.pk].staff == slow[place.pk].staff
            assert fast[place.pk].courses == slow[place.pk].courses, (place.code, day)
    assert compliance_counted(places, today)[training_world.frankland.pk].current == 1
