"""Disabling a user revokes their API tokens for good: enabling them again revives none."""

from __future__ import annotations

import pytest

from jointcase.accounts.models import ApiToken
from jointcase.accounts.tokens import api_token_authenticate, api_token_create
from jointcase.audit.models import AuditEntry
from tests.support.admin import admin_form_data

pytestmark = pytest.mark.django_db


def test_a_re_enabled_user_s_old_api_tokens_stay_revoked(admin_client, personas):
    practitioner = personas.nsd_practitioner
    token, plaintext = api_token_create(actor=practitioner, user=practitioner, name="Case sync")
    assert api_token_authenticate(plaintext) == practitioner

    assert admin_client.post(f"/agencies/users/{practitioner.pk}/disable/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert admin_client.post(f"/agencies/users/{practitioner.pk}/enable/").status_code == 302

    assert api_token_authenticate(plaintext) is None
    revoked = AuditEntry.objects.get(action="api_token.revoked", object_id=str(token.pk))
    assert (revoked.actor_username, revoked.reason) == ("agency.admin", "account disabled")


def test_disabling_a_user_in_the_django_admin_revokes_their_api_tokens(personas, client_for):
    officer = personas.ctnm_officer
    _token, plaintext = api_token_create(actor=officer, user=officer, name="Nominal sync")
    client = client_for(personas.system_admin)
    url = f"/admin/accounts/user/{officer.pk}/change/"
    data = admin_form_data(client.get(url))
    data.pop("is_active", None)
    assert client.post(url, data).status_code == 302
    type(officer).objects.filter(pk=officer.pk).update(is_active=True)
    assert api_token_authenticate(plaintext) is None
