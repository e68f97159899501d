"""Every change an agency administrator makes is in the audit chain, in order, with who did it."""

from __future__ import annotations

import pytest

from jointcase.accounts.models import Role
from jointcase.agencies.models import Caveat, Team, TeamMembership
from jointcase.audit.models import AuditEntry
from tests.agencies.helpers import date_fields, in_days, nsd_colleague
from tests.support.users import new_user_data

pytestmark = pytest.mark.django_db


def test_every_change_is_recorded_against_the_administrator(admin_client, personas):
    lead = personas.nsd_lead
    ukeo = Caveat.objects.get(code="UK EYES ONLY")
    team = Team.objects.get(name="NSD North team 1")
    base = f"/agencies/users/{lead.pk}/"
    steps = [
        (
            base + "details/",
            {"first_name": "Ash", "last_name": "Vale", "email": "ash@jointcase.example"},
        ),
        (base + "roles/", {"roles": [Role.NSD_SENIOR_LEAD, Role.NSD_PRACTITIONER]}),
        (base + "vetting/", {"level": "CTC", **date_fields("expires_on", in_days(200))}),
        (
            base + "caveats/",
            {"caveats": [str(ukeo.pk)], **date_fields(f"expires_{ukeo.pk}", in_days(20))},
        ),
        (base + "disable/", {}),
        (base + "enable/", {}),
        (base + "reset-second-factor/", {}),
        ("/agencies/teams/new/", {"name": "Pre-release planning"}),
        (
            f"/agencies/teams/{team.pk}/members/add/",
            {"user": nsd_colleague(personas.agency_admin).pk},
        ),
    ]
    for url, data in steps:
        expected = 200 if url.endswith("reset-second-factor/") else 302  # the link page
        assert admin_client.post(url, data).status_code == expected, url
    membership = TeamMembership.objects.get(team=team, user=lead)
    assert (
        admin_client.post(f"/agencies/teams/{team.pk}/members/{membership.pk}/end/").status_code
        == 302
    )

    ours = AuditEntry.objects.filter(action__startswith="agencies.").order_by("seq")
    assert [entry.action for entry in ours] == [
        "agencies.user_update",
        "agencies.user_roles_set",
        "agencies.user_vetting_set",
        "agencies.user_caveats_set",
        "agencies.user_disable",
        "agencies.user_enable",
        "agencies.user_mfa_reset",
        "agencies.team_create",
        "agencies.team_member_add",
        "agencies.team_member_end",
    ]
    assert {(entry.actor_username, entry.actor_agency, entry.outcome) for entry in ours} == {
        ("agency.admin", "nsd-north", "SUCCESS")
    }
    vetting = ours.get(action="agencies.user_vetting_set")
    assert vetting.details["after"] == {"level": "CTC", "expires_on": in_days(200).isoformat()}
    caveats = ours.get(action="agencies.user_caveats_set")
    assert caveats.details == {
        "granted": [{"caveat": "UK EYES ONLY", "expires_on": in_days(20).isoformat()}],
        "withdrawn": [],
    }


def test_no_enrolment_link_secret_is_ever_written_to_the_audit_chain(admin_client, personas):
    import re

    response = admin_client.post("/agencies/users/new/", new_user_data())
    secret = re.search(r"/sign-in/enrol/([^/\"]+)/", response.content.decode())
    assert secret is not None
    issued = AuditEntry.objects.get(action="accounts.enrolment_link_issued")
    assert issued.details["reason"] == "NEW_USER"
    for entry in AuditEntry.objects.all():
        assert secret.group(1) not in str(entry.details)
        assert secret.group(1) not in entry.reason


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("roles/", {"roles": ["NOT_A_ROLE"]}, "Select roles from the list"),
        ("vetting/", {"level": "TOP"}, "Select a vetting level"),
        ("caveats/", {"caveats": ["999999"]}, "Select caveats from the list"),
    ],
)
def test_values_outside_the_vocabulary_are_bad_input_not_alerts(
    admin_client, personas, path, data, message
):
    response = admin_client.post(f"/agencies/users/{personas.nsd_practitioner.pk}/{path}", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="agencies.").exists()
