"""Recording a completion and answering the confidence survey: every bad input is refused
with the GOV.UK error summary (pages) or field errors (API), and nothing is stored."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.workforce.courses import add_months
from jointcase.workforce.models import ConfidenceResponse, TrainingCompletion
from jointcase.workforce.services.training import completion_record
from tests.support.api import api_client
from tests.support.forms import date_input
from tests.workforce.training_fixtures import TrainingWorld

pytestmark = pytest.mark.django_db
RECORD = "workforce:training-record"
API = "/api/v1/workforce/training"


def _form(staff: str, course: str, completed: str | dt.date, note: str = "") -> dict[str, str]:
    return {
        "staff": staff,
        "course": course,
        **date_input("completed_on", completed),
        "evidence_note": note,
    }


def test_the_lead_records_a_completion_with_its_expiry_derived(
    training_world: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    client = client_for(training_world.frankland_lead)
    completed = timezone.localdate() - dt.timedelta(days=10)
    response = client.post(
        reverse(RECORD), _form("pom.bpss", "CHALLENGING_EXTREMIST_VIEWS", completed, "Cert 42")
    )
    assert response.status_code == 302
    done = TrainingCompletion.objects.get()
    assert (done.staff, done.course_code, done.completed_on, done.expires_on) == (
        training_world.frankland_pom,
        "CHALLENGING_EXTREMIST_VIEWS",
        completed,
        add_months(completed, 12),
    )
    assert done.recorded_by == training_world.frankland_lead
    assert done.evidence_note == "Cert 42"
    assert AuditEntry.objects.filter(action="training.record", outcome=Outcome.SUCCESS).count() == 1


@pytest.mark.parametrize(
    ("staff", "course", "completed", "field", "message"),
    [
        ("pom.bpss", "CT_AWARENESS", "tomorrow", "completed_on", "today or in the past"),
        ("pom.bpss", "CT_AWARENESS", "31/2/2026", "completed_on", "must be a real date"),
        ("pom.bpss", "NO_SUCH_COURSE", "yesterday", "course", "Choose a course from the list"),
        (
            "garth.pom",
            "CT_AWARENESS",
            "yesterday",
            "staff",
            "member of staff of your establishment",
        ),
        ("nsd.practitioner", "CT_AWARENESS", "yesterday", "staff", "of your establishment"),
        ("", "CT_AWARENESS", "yesterday", "staff", "Choose the member of staff"),
    ],
)
def test_bad_input_is_refused_on_the_page_and_nothing_is_stored(
    training_world: TrainingWorld,
    client_for: Callable[[User], Client],
    staff: str,
    course: str,
    completed: str,
    field: str,
    message: str,
) -> None:
    today = timezone.localdate()
    day = {"tomorrow": today + dt.timedelta(days=1), "yesterday": today - dt.timedelta(days=1)}
    response = client_for(training_world.frankland_lead).post(
        reverse(RECORD), _form(staff, course, day.get(completed, completed))
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert message in body
    assert f'href="#id_{field}' in body
    assert not TrainingCompletion.objects.exists()


def test_a_course_not_required_there_is_refused(
    training_world: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    # Garth holds no separation centre: its induction is not required of Garth's staff.
    response = client_for(training_world.garth_lead).post(
        reverse(RECORD), _form("garth.pom", "SEPARATION_CENTRE_INDUCTION", timezone.localdate())
    )
    assert response.status_code == 400
    assert "not required of this member of staff" in response.content.decode()
    assert not TrainingCompletion.objects.exists()
    denial = AuditEntry.objects.filter(action="training.record", outcome=Outcome.DENY).get()
    assert denial.details == {"fields": ["course"]}


def test_only_prison_ct_leads_may_record(
    training_world: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    for user in (training_world.frankland_pom, training_world.coordinator):
        response = client_for(user).post(
            reverse(RECORD), _form("pom.bpss", "CT_AWARENESS", timezone.localdate())
        )
        assert response.status_code == 403
    assert not TrainingCompletion.objects.exists()


def test_the_api_records_and_refuses_with_field_errors(training_world: TrainingWorld) -> None:
    client = api_client(training_world.frankland_lead)
    today = timezone.localdate()
    good = {"staff": "pom.bpss", "course": "CT_AWARENESS", "completed_on": str(today)}
    for body, field in (
        ({**good, "completed_on": str(today + dt.timedelta(days=1))}, "completed_on"),
        ({**good, "course": "UNKNOWN"}, "course"),
        ({**good, "staff": "garth.pom"}, "staff"),
        ({**good, "completed_on": "not a date"}, "completed_on"),
    ):
        response = client.post(API, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, body
        assert field in {e["field"].split(".")[-1] for e in response.json()["errors"]}, (
            response.json()
        )
    assert not TrainingCompletion.objects.exists()
    created = client.post(API, json.dumps(good), content_type="application/json")
    assert created.status_code == 201
    assert created.json()["expires_on"] == str(add_months(today, 24))
    refused = api_client(training_world.frankland_pom).post(
        API, json.dumps(good), content_type="application/json"
    )
    assert refused.status_code == 403
    assert TrainingCompletion.objects.count() == 1


def test_the_api_lists_only_the_records_the_caller_may_see(training_world: TrainingWorld) -> None:
    today = timezone.localdate()
    for lead, staff in (
        (training_world.frankland_lead, "pom.bpss"),
        (training_world.frankland_lead, "prison.ctlead"),
        (training_world.garth_lead, "garth.pom"),
    ):
        client = api_client(lead)
        body = {"staff": staff, "course": "CT_AWARENESS", "completed_on": str(today)}
        assert (
            client.post(API, json.dumps(body), content_type="application/json").status_code == 201
        )

    def staff_seen(user: User) -> list[str]:
        response = api_client(user).get(API)
        assert response.status_code == 200
        return sorted(row["staff"] for row in response.json()["results"])

    assert staff_seen(training_world.frankland_lead) == ["pom.bpss", "prison.ctlead"]
    assert staff_seen(training_world.frankland_pom) == ["pom.bpss"]
    assert staff_seen(training_world.garth_lead) == ["garth.pom"]
    assert staff_seen(training_world.coordinator) == []
    assert staff_seen(training_world.case_world.personas.national_lead) == []


@pytest.mark.parametrize("scores", [("0", "3"), ("3", "6"), ("", "2"), ("x", "1")])
def test_a_survey_score_outside_1_to_5_is_refused(
    training_world: TrainingWorld, client_for: Callable[[User], Client], scores: tuple[str, str]
) -> None:
    response = client_for(training_world.frankland_pom).post(
        reverse("workforce:training-mine"), {"recognise": scores[0], "challenge": scores[1]}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "from 1 to 5" in body
    assert not ConfidenceResponse.objects.exists()


def test_staff_answer_the_survey_and_see_quarterly_averages_only(
    training_world: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    for user, scores in (
        (training_world.frankland_pom, ("2", "1")),
        (training_world.frankland_lead, ("4", "4")),
    ):
        response = client_for(user).post(
            reverse("workforce:training-mine"), {"recognise": scores[0], "challenge": scores[1]}
        )
        assert response.status_code == 302
    assert ConfidenceResponse.objects.filter(establishment=training_world.frankland).count() == 2
    page = client_for(training_world.coordinator).get(
        reverse("workforce:training-establishment", args=["hmp-frankland"])
    )
    body = page.content.decode()
    assert ">3.0<" in body
    assert ">2.5<" in body
    refused = client_for(training_world.coordinator).post(
        reverse("workforce:training-mine"), {"recognise": "3", "challenge": "3"}
    )
    assert refused.status_code == 403
    assert ConfidenceResponse.objects.count() == 2


def test_my_training_shows_each_required_course_and_my_records_only(
    training_world: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    today = timezone.localdate()
    completion_record(
        actor=training_world.frankland_lead,
        staff=training_world.frankland_pom,
        course_code="CT_AWARENESS",
        completed_on=today,
        evidence_note="Certificate POM-1",
    )
    completion_record(
        actor=training_world.frankland_lead,
        staff=training_world.frankland_lead,
        course_code="CT_AWARENESS",
        completed_on=today,
        evidence_note="Certificate LEAD-1",
    )
    body = client_for(training_world.frankland_pom).get(reverse("workforce:training-mine"))
    text = body.content.decode()
    assert body.status_code == 200
    assert "Counter-terrorism awareness" in text
    assert "Current" in text
    assert "Not completed" in text  # the three other courses
    assert "Certificate POM-1" in text
    assert "Certificate LEAD-1" not in text
    assert "CT_AWARENESS" not in text
