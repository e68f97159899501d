"""Disabling an account or resetting its second factor ends every session at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_disabling_a_user_signs_them_out_on_their_next_request(admin_client, client_for, personas):
    practitioner = personas.nsd_practitioner
    their_browser = client_for(practitioner)
    their_phone = client_for(practitioner)
    assert their_browser.get("/").status_code == 200

    page = admin_client.get(f"/agencies/users/{practitioner.pk}/disable/")
    assert "Disable account" in page.content.decode()
    response = admin_client.post(f"/agencies/users/{practitioner.pk}/disable/")
    assert response.status_code == 302

    for client in (their_browser, their_phone):
        next_request = client.get("/")
        assert next_request.status_code == 302
        assert next_request["Location"].startswith("/sign-in/")
    signed_in = Client().post(
        "/sign-in/", {"username": practitioner.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 400
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "agencies.user_disable" in actions
    assert "auth.sessions_ended" in actions


def test_an_enabled_user_can_sign_in_again(admin_client, personas):
    practitioner = personas.nsd_practitioner
    admin_client.post(f"/agencies/users/{practitioner.pk}/disable/")
    assert "Disabled" in admin_client.get("/agencies/").content.decode()
    assert admin_client.post(f"/agencies/users/{practitioner.pk}/enable/").status_code == 302
    assert User.objects.get(pk=practitioner.pk).is_active
    signed_in = Client().post(
        "/sign-in/", {"username": practitioner.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302


def test_resetting_the_second_factor_removes_every_device_and_ends_sessions(
    admin_client, client_for, personas
):
    practitioner = personas.nsd_practitioner
    backup = StaticDevice.objects.create(user=practitioner, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd1234")
    their_client = client_for(practitioner)

    response = admin_client.post(f"/agencies/users/{practitioner.pk}/reset-second-factor/")
    assert response.status_code == 200
    assert "/sign-in/enrol/" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=practitioner).exists()
    assert not StaticDevice.objects.filter(user=practitioner).exists()
    assert their_client.get("/")["Location"].startswith("/sign-in/")

    fresh = Client()
    signed_in = fresh.post("/sign-in/", {"username": practitioner.username, "password": PASSWORD})
    assert signed_in.status_code == 400  # the old password no longer works
    entry = AuditEntry.objects.get(action="agencies.user_mfa_reset")
    assert (entry.actor_username, entry.object_id) == ("agency.admin", str(practitioner.pk))


def test_the_confirmation_page_changes_nothing_until_confirmed(admin_client, personas):
    practitioner = personas.nsd_practitioner
    page = admin_client.get(f"/agencies/users/{practitioner.pk}/reset-second-factor/")
    assert page.status_code == 200
    assert "Reset second factor" in page.content.decode()
    assert TOTPDevice.objects.filter(user=practitioner).exists()
    assert User.objects.get(pk=practitioner.pk).session_epoch == 0
