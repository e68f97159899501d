"""An agency administrator's refusal is the one refusal every app uses
(``jointcase.access.acting.NotPermitted``, decided in ``jointcase.access.agencies``): the
service raises it after a DENY alert, the page answers 403 and shows the message on the form
(GOV.UK error summary, on the field it concerns), and nothing is written."""

from __future__ import annotations

import pytest

from jointcase.access.acting import NotPermitted
from jointcase.access.agencies import agency_roles_refusal, agency_user_refusal
from jointcase.accounts.models import Role
from jointcase.agencies import services
from tests.agencies.helpers import denials

pytestmark = pytest.mark.django_db


def test_a_role_beyond_the_ceiling_is_refused_with_not_permitted_and_an_alert(personas):
    practitioner = personas.nsd_practitioner
    with pytest.raises(NotPermitted) as refused:
        services.agency_user_roles_set(
            actor=personas.agency_admin, user=practitioner, roles=[Role.SYSTEM_ADMIN]
        )
    assert refused.value.message == "You cannot grant this role: System administrator"
    assert refused.value.hidden is False
    assert practitioner.role_codes == {Role.NSD_PRACTITIONER}
    [alert] = denials("agencies.user_roles_set")
    assert alert.reason == "role beyond the administrator's ceiling: SYSTEM_ADMIN"
    assert alert.details == {"alert": "vertical_escalation"}
    assert alert.object_id == str(practitioner.pk)


def test_the_refusal_is_a_403_page_with_the_message_on_the_field(admin_client, personas):
    url = f"/agencies/users/{personas.nsd_practitioner.pk}/roles/"
    response = admin_client.post(url, {"roles": [Role.SYSTEM_ADMIN]})
    body = response.content.decode()
    assert response.status_code == 403
    assert "govuk-error-summary" in body
    assert "You cannot grant this role: System administrator" in body
    assert "govuk-error-message" in body  # on the roles field, not only in the summary


def test_access_decides_who_an_administrator_may_manage(personas):
    admin = personas.agency_admin
    assert agency_user_refusal(admin, personas.nsd_practitioner) is None
    assert agency_user_refusal(admin, admin).reason == "self-escalation attempt"
    assert agency_user_refusal(admin, admin, self_allowed=True) is None
    assert agency_user_refusal(admin, personas.ctnm_officer).reason == "user of another agency"
    assert agency_user_refusal(personas.nsd_practitioner, personas.nsd_lead).reason == (
        "actor is not an agency administrator"
    )
    assert agency_roles_refusal(admin, [Role.NSD_SENIOR_LEAD]) is None
    assert agency_roles_refusal(admin, [Role.SYSTEM_ADMIN]).field == "roles"
