"""Purpose of consultation on every page that shows case content (DPA 2018 s.62), and on
every API request through its token's declared purpose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.accounts.models import ApiToken, User
from jointcase.accounts.tokens import ApiTokenError, api_token_create
from jointcase.audit.models import AuditEntry
from jointcase.keyring import Keyring, keyring_init
from jointcase.material.services import items as item_services
from jointcase.meetings.models import Meeting, MeetingType
from jointcase.meetings.services.actions import action_create
from jointcase.meetings.services.meetings import meeting_create
from jointcase.risk.services.assessments import assessment_start
from tests.register_fixtures import CaseWorld

ClientFor = Callable[[User], Client]
PURPOSE_PAGE = "/audit/purpose/"


@pytest.fixture
def keyring(tmp_path: Path, settings: SettingsWrapper) -> Keyring:
    path = tmp_path / "keyring"
    created = keyring_init(path)
    settings.KEYRING_PATH = path
    return created


def _declare(client: Client, case_id: int | str, next_url: str, object_type: str = "case") -> str:
    response = client.post(
        PURPOSE_PAGE,
        {
            "object_type": object_type,
            "object_id": str(case_id),
            "next": next_url,
            "purpose": "meeting_preparation",
        },
    )
    assert response.status_code == 302
    return str(response["Location"])


def _asks_first(client: Client, url: str, object_type: str, object_id: object) -> None:
    before = AuditEntry.objects.count()
    response = client.get(url)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(PURPOSE_PAGE)
    assert f"object_type={object_type}" in location
    assert f"object_id={object_id}" in location
    assert AuditEntry.objects.count() == before  # nothing was read yet


def test_the_material_tab_asks_why_before_the_first_read_and_records_it_on_the_read(
    case_world: CaseWorld, undeclared_client_for: ClientFor, keyring: Keyring
) -> None:
    case = case_world.case
    client = undeclared_client_for(case_world.personas.nsd_practitioner)
    url = f"/cases/{case.public_id}/material/"
    _asks_first(client, url, "case", case.pk)
    assert _declare(client, case.pk, url) == url
    assert client.get(url).status_code == 200
    read = AuditEntry.objects.filter(action="material.case_list").latest("seq")
    assert (read.outcome, read.purpose) == ("ALLOW", "meeting_preparation")


def test_an_item_page_asks_why_before_the_first_read_and_records_it_on_the_read(
    case_world: CaseWorld, undeclared_client_for: ClientFor, keyring: Keyring
) -> None:
    people = case_world.personas
    item = item_services.material_add(
        actor=people.ctnm_officer,
        case=case_world.case,
        kind="NOTE",
        title="Contact with associates",
        classification="OFFICIAL-SENSITIVE",
        body="Seen at the community centre.",
    )
    client = undeclared_client_for(people.nsd_practitioner)
    url = f"/material/{item.pk}/"
    _asks_first(client, url, "case", case_world.case.pk)
    _declare(client, case_world.case.pk, url)
    response = client.get(url)
    assert response.status_code == 200
    assert "Seen at the community centre." in response.content.decode()
    read = AuditEntry.objects.filter(action="material.read", object_id=str(item.pk)).latest("seq")
    assert (read.outcome, read.purpose) == ("ALLOW", "meeting_preparation")


def test_a_file_download_asks_why_before_the_first_read(
    case_world: CaseWorld, undeclared_client_for: ClientFor, keyring: Keyring
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.material import samples

    people = case_world.personas
    item = item_services.material_add(
        actor=people.ctnm_officer,
        case=case_world.case,
        kind="DOCUMENT",
        title="Plan",
        classification="OFFICIAL-SENSITIVE",
        files=[SimpleUploadedFile("plan.pdf", samples.pdf())],
    )
    url = f"/material/files/{item.files.get().pk}/"
    client = undeclared_client_for(people.nsd_practitioner)
    _asks_first(client, url, "case", case_world.case.pk)
    _declare(client, case_world.case.pk, url)
    assert client.get(url).status_code == 200
    downloaded = AuditEntry.objects.filter(action="material.downloaded").latest("seq")
    assert downloaded.purpose == "meeting_preparation"


def _meeting_on_the_case(case_world: CaseWorld, invitees: list[User] | None = None) -> Meeting:
    """A MAPPA meeting an hour ago on the world's case, chaired by its practitioner."""
    people = case_world.personas
    return meeting_create(
        actor=people.nsd_practitioner,
        type=MeetingType.MAPPA_L3,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        chair=people.nsd_practitioner,
        cases=[case_world.case],
        agenda="Review",
        invitees=invitees or [],
    )


def test_a_meeting_page_asks_why_for_its_case_before_the_first_read_and_records_it(
    case_world: CaseWorld, undeclared_client_for: ClientFor
) -> None:
    people = case_world.personas
    meeting = _meeting_on_the_case(case_world, invitees=[people.pom])
    client = undeclared_client_for(people.nsd_practitioner)
    url = f"/meetings/{meeting.public_id}/"
    _asks_first(client, url, "case", case_world.case.pk)
    _declare(client, case_world.case.pk, url)
    assert client.get(url).status_code == 200
    read = AuditEntry.objects.filter(action="meeting.read", object_id=str(meeting.pk)).latest("seq")
    assert (read.outcome, read.purpose) == ("ALLOW", "meeting_preparation")


def test_an_invitee_who_sees_none_of_its_cases_is_asked_about_the_meeting_itself(
    case_world: CaseWorld, undeclared_client_for: ClientFor
) -> None:
    people = case_world.personas
    meeting = _meeting_on_the_case(case_world, invitees=[people.officer_not_on_case])
    client = undeclared_client_for(people.officer_not_on_case)
    url = f"/meetings/{meeting.public_id}/"
    _asks_first(client, url, "meeting", meeting.public_id)
    _declare(client, meeting.public_id, url, object_type="meeting")
    assert client.get(url).status_code == 200
    read = AuditEntry.objects.filter(action="meeting.read", object_id=str(meeting.pk)).latest("seq")
    assert read.purpose == "meeting_preparation"


def test_the_risk_plan_asks_why_before_the_first_read(
    case_world: CaseWorld, undeclared_client_for: ClientFor
) -> None:
    client = undeclared_client_for(case_world.personas.nsd_practitioner)
    url = f"/meetings/cases/{case_world.case.public_id}/plan/"
    _asks_first(client, url, "case", case_world.case.pk)
    _declare(client, case_world.case.pk, url)
    assert client.get(url).status_code == 200
    read = AuditEntry.objects.filter(action="meetings.case_read").latest("seq")
    assert read.purpose == "meeting_preparation"


def test_nobody_is_asked_why_for_material_of_a_case_they_may_not_see(
    case_world: CaseWorld, undeclared_client_for: ClientFor, keyring: Keyring
) -> None:
    client = undeclared_client_for(case_world.personas.excluded_officer)
    assert client.get(f"/cases/{case_world.case.public_id}/material/").status_code == 404
    assert client.get(f"/meetings/cases/{case_world.case.public_id}/plan/").status_code == 404


def _action_and_assessment(case_world: CaseWorld) -> tuple[str, str]:
    """An agreed action and a draft assessment on the world's case: their pages' addresses."""
    people = case_world.personas
    action = action_create(
        actor=people.nsd_practitioner,
        case=case_world.case,
        description="Check the licence conditions",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=14),
        source_kind="ASSESSMENT",
    )
    assessment = assessment_start(
        actor=people.nsd_practitioner, case=case_world.case, instrument_code="WHOLE_RISK"
    )
    return f"/meetings/actions/{action.public_id}/", f"/assessments/{assessment.public_id}/"


@pytest.mark.parametrize("page", ["action", "assessment"])
def test_an_action_or_assessment_page_asks_why_for_its_case_before_the_first_read(
    case_world: CaseWorld, undeclared_client_for: ClientFor, keyring: Keyring, page: str
) -> None:
    action_url, assessment_url = _action_and_assessment(case_world)
    url, read_action = {
        "action": (action_url, "action.read"),
        "assessment": (assessment_url, "risk.assessment.read"),
    }[page]
    client = undeclared_client_for(case_world.personas.nsd_practitioner)
    _asks_first(client, url, "case", case_world.case.pk)
    _declare(client, case_world.case.pk, url)
    assert client.get(url).status_code == 200
    read = AuditEntry.objects.filter(action=read_action).latest("seq")
    assert (read.outcome, read.purpose) == ("ALLOW", "meeting_preparation")


def test_nobody_is_asked_why_for_a_meeting_action_or_assessment_they_may_not_see(
    case_world: CaseWorld, undeclared_client_for: ClientFor, keyring: Keyring
) -> None:
    """The excluded officer gets the 404 of a missing page, with its DENY entry, and is never
    sent to the purpose page (which would tell them the record exists)."""
    people = case_world.personas
    meeting = _meeting_on_the_case(case_world)
    action_url, assessment_url = _action_and_assessment(case_world)
    client = undeclared_client_for(people.excluded_officer)
    for url in (f"/meetings/{meeting.public_id}/", action_url, assessment_url):
        before = AuditEntry.objects.filter(outcome="DENY").count()
        assert client.get(url).status_code == 404, url
        assert AuditEntry.objects.filter(outcome="DENY").count() == before + 1, url


# --- The API: the token carries the purpose ---------------------------------------------------


def _bearer(plaintext: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_an_api_read_records_the_token_s_purpose_and_the_api_channel(
    case_world: CaseWorld,
) -> None:
    user = case_world.personas.nsd_practitioner
    _token, plaintext = api_token_create(
        actor=None,
        user=user,
        name="feed",
        days=1,
        purpose="oversight",
        purpose_reason="quarterly assurance",
    )
    response = Client().get(f"/api/v1/cases/{case_world.case.public_id}", **_bearer(plaintext))
    assert response.status_code == 200
    read = AuditEntry.objects.filter(action="case.read", object_id=str(case_world.case.pk)).latest(
        "seq"
    )
    assert read.purpose == "oversight"
    assert read.details["via"] == "api"
    assert read.details["purpose_reason"] == "quarterly assurance"


def test_page_entries_do_not_claim_to_come_through_the_api(
    case_world: CaseWorld, client_for: ClientFor
) -> None:
    client_for(case_world.personas.nsd_practitioner).get(f"/cases/{case_world.case.public_id}/")
    read = AuditEntry.objects.filter(action="case.read").latest("seq")
    assert read.purpose == "case_management"
    assert "via" not in read.details


def test_a_token_created_before_purposes_were_recorded_is_refused_with_a_403(
    case_world: CaseWorld,
) -> None:
    token, plaintext = api_token_create(
        actor=None, user=case_world.personas.nsd_practitioner, name="old", days=1
    )
    ApiToken.objects.filter(pk=token.pk).update(purpose="")
    before = AuditEntry.objects.filter(action="case.read").count()
    response = Client().get(f"/api/v1/cases/{case_world.case.public_id}", **_bearer(plaintext))
    assert response.status_code == 403
    assert "--purpose" in response.json()["detail"]
    assert AuditEntry.objects.filter(action="case.read").count() == before
    refused = AuditEntry.objects.filter(action="auth.api_token_refused").latest("seq")
    assert (refused.outcome, refused.reason, refused.details["via"]) == (
        "DENY",
        "no_purpose_declared",
        "api",
    )


def test_break_glass_is_never_a_token_s_purpose(case_world: CaseWorld) -> None:
    with pytest.raises(ApiTokenError):
        api_token_create(
            actor=None,
            user=case_world.personas.nsd_practitioner,
            name="x",
            purpose="break_glass",
        )
    assert not ApiToken.objects.exists()


def test_the_console_creates_a_token_with_the_purpose_given(case_world: CaseWorld) -> None:
    call_command(
        "token",
        "create",
        case_world.personas.nsd_practitioner.username,
        "--purpose",
        "audit",
        "--reason",
        "inspection",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    token = ApiToken.objects.get()
    assert (token.purpose, token.purpose_reason) == ("audit", "inspection")
