from __future__ import annotations

import pytest

from jointcase.accounts.models import Role, User
from jointcase.agencies.models import Vetting
from jointcase.audit.models import AuditEntry
from tests.agencies.helpers import actions, date_fields, in_days
from tests.factories import PASSWORD
from tests.support.users import new_user_data

pytestmark = pytest.mark.django_db


def test_the_users_list_shows_only_the_administrators_own_agency(admin_client, personas):
    response = admin_client.get("/agencies/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "nsd.practitioner" in body
    assert "nsd.lead" in body
    assert "ctnm.officer" not in body
    assert "sysadmin" not in body
    assert "Security Check (SC), expires" in body  # the vetting level in words


def test_the_users_list_sorts_on_the_server_and_ignores_an_unknown_order(admin_client, personas):
    def order(sort: str) -> list[str]:
        response = admin_client.get("/agencies/", {"sort": sort})
        assert response.status_code == 200
        body = response.content.decode()
        return sorted(
            [
                '<td class="govuk-table__cell">nsd.lead<',
                '<td class="govuk-table__cell">nsd.practitioner<',
            ],
            key=body.index,
        )

    by_username = order("username")
    assert order("-username") == by_username[::-1]
    assert order("-username'--") == order("name")  # unknown: the default order


def test_the_users_list_filters_by_name(admin_client, personas):
    practitioner = personas.nsd_practitioner
    response = admin_client.get("/agencies/", {"name": practitioner.last_name})
    body = response.content.decode()
    assert "nsd.practitioner" in body
    assert response.status_code == 200
    nobody = admin_client.get("/agencies/", {"name": "zzzz-nobody"}).content.decode()
    assert "No users match" in nobody
    assert "nsd.practitioner" not in nobody


def test_an_administrator_adds_a_user_and_is_shown_their_enrolment_link_once(
    admin_client, personas
):
    response = admin_client.post("/agencies/users/new/", new_user_data())
    user = User.objects.get(username="imogen.fairweather")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "http://testserver/sign-in/enrol/" in response.content.decode()
    assert user.agency == personas.agency_admin.agency
    assert user.role_codes == {Role.NSD_PRACTITIONER}
    assert user.vetting.level == "SC"
    assert user.vetting.expires_on == in_days(700)
    assert "agencies.user_create" in actions()
    assert not user.has_usable_password()


def test_extra_fields_in_the_create_form_are_ignored(admin_client, personas):
    data = new_user_data(
        is_staff="1", is_superuser="1", agency=personas.ctnm_officer.agency_id, session_epoch="9"
    )
    assert admin_client.post("/agencies/users/new/", data).status_code == 200
    user = User.objects.get(username="imogen.fairweather")
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert user.agency_id == personas.agency_admin.agency_id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "Enter a first name"),
        ({"username": ""}, "Enter a username"),
        ({"username": "nsd.practitioner"}, "That username is already in use"),
        ({"username": "NSD.Practitioner"}, "That username is already in use"),
        ({"username": "bad name!"}, "Username must only include"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"expires_on-day": "31", "expires_on-month": "2"}, "must be a real date"),
        ({"expires_on-year": ""}, "must include a year"),
        (date_fields("expires_on", in_days(-1)), "must be in the future"),
        (date_fields("expires_on", in_days(366 * 11)), "must be within 10 years"),
        (
            {"level": "SC", "expires_on-day": "", "expires_on-month": "", "expires_on-year": ""},
            "Enter the date the vetting expires",
        ),
    ],
)
def test_bad_input_shows_the_error_summary_and_creates_nobody(
    admin_client, personas, overrides, message
):
    users_before = User.objects.count()
    response = admin_client.post("/agencies/users/new/", new_user_data(**overrides))
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert message in body
    assert User.objects.count() == users_before
    assert "agencies.user_create" not in actions()


def test_details_change_keeps_the_line_manager_in_the_same_agency(admin_client, personas):
    practitioner = personas.nsd_practitioner
    url = f"/agencies/users/{practitioner.pk}/details/"
    data = {
        "first_name": "Rowan",
        "last_name": practitioner.last_name,
        "email": "rowan@jointcase.example",
        "job_title": "Senior probation officer",
        "line_manager": personas.nsd_lead.pk,
    }
    assert admin_client.post(url, data).status_code == 302
    practitioner.refresh_from_db()
    assert (practitioner.first_name, practitioner.job_title) == (
        "Rowan",
        "Senior probation officer",
    )

    response = admin_client.post(
        url, {**data, "first_name": "Other", "line_manager": personas.ct_supervisor.pk}
    )
    assert response.status_code == 400
    assert "Select someone from the list" in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.first_name == "Rowan"
    assert practitioner.line_manager == personas.nsd_lead


def test_roles_change_is_audited_with_before_and_after(admin_client, personas):
    practitioner = personas.nsd_practitioner
    response = admin_client.post(
        f"/agencies/users/{practitioner.pk}/roles/",
        {"roles": [Role.NSD_PRACTITIONER, Role.NSD_SENIOR_LEAD]},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=practitioner.pk).role_codes == {
        Role.NSD_PRACTITIONER,
        Role.NSD_SENIOR_LEAD,
    }
    entry = AuditEntry.objects.get(action="agencies.user_roles_set")
    assert entry.details == {
        "before": [Role.NSD_PRACTITIONER],
        "after": [Role.NSD_PRACTITIONER, Role.NSD_SENIOR_LEAD],
    }
    assert entry.object_id == str(practitioner.pk)


def test_vetting_change_within_the_ceiling_is_saved(admin_client, personas):
    practitioner = personas.nsd_practitioner
    response = admin_client.post(
        f"/agencies/users/{practitioner.pk}/vetting/",
        {"level": "CTC", **date_fields("expires_on", in_days(90))},
    )
    assert response.status_code == 302
    vetting = Vetting.objects.get(user=practitioner)
    assert (vetting.level, vetting.expires_on) == ("CTC", in_days(90))
    assert "agencies.user_vetting_set" in actions()


def test_the_user_page_shows_second_factors_but_never_their_secrets(admin_client, personas):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    practitioner = personas.nsd_practitioner
    device = TOTPDevice.objects.get(user=practitioner)
    body = admin_client.get(f"/agencies/users/{practitioner.pk}/").content.decode()
    assert "Authenticator app" in body
    assert device.key not in body
    assert "otpauth" not in body
    assert PASSWORD not in body


def test_extra_fields_in_the_details_form_are_ignored(admin_client, personas):
    practitioner = personas.nsd_practitioner
    data = {
        "first_name": "Rowan",
        "last_name": "Ash",
        "email": "rowan@jointcase.example",
        "username": "taken.over",
        "is_staff": "1",
        "is_superuser": "1",
        "is_active": "0",
        "agency": personas.ctnm_officer.agency_id,
        "roles": [Role.SYSTEM_ADMIN],
    }
    assert admin_client.post(f"/agencies/users/{practitioner.pk}/details/", data).status_code == 302
    fresh = User.objects.get(pk=practitioner.pk)
    assert fresh.first_name == "Rowan"
    assert (fresh.username, fresh.is_staff, fresh.is_superuser, fresh.is_active) == (
        "nsd.practitioner",
        False,
        False,
        True,
    )
    assert fresh.agency_id == personas.agency_admin.agency_id
    assert fresh.role_codes == {Role.NSD_PRACTITIONER}


def test_a_user_with_no_vetting_record_is_listed_as_none(admin_client, personas):
    Vetting.objects.filter(user=personas.nsd_practitioner).delete()
    assert admin_client.get("/agencies/").status_code == 200
    base = f"/agencies/users/{personas.nsd_practitioner.pk}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base + "vetting/").status_code == 200
