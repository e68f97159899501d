from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from jointcase.accounts.services import MfaResetRefused, mfa_reset
from jointcase.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_mfa_reset_removes_every_factor_and_ends_every_session(personas, client_for):
    user = personas.nsd_practitioner
    session = client_for(user)
    session.post("/account/backup-codes/")
    assert session.get("/").status_code == 200

    mfa_reset(actor=personas.agency_admin, user=user)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert session.get("/").status_code == 302
    entry = AuditEntry.objects.get(action="mfa.reset")
    assert entry.actor_username == "agency.admin"
    assert entry.details["removed"] == {"totp": 1, "webauthn": 0, "backup_codes": 1}
    assert AuditEntry.objects.filter(action="auth.sessions_ended", object_id=str(user.pk)).exists()


def test_after_a_reset_the_old_password_lets_nobody_in(personas):
    user = personas.nsd_practitioner
    secret = mfa_reset(actor=personas.system_admin, user=user)
    assert secret
    client = Client()
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "Enter a correct username and password" in response.content.decode()
    assert client.get("/second-factor/authenticator-app/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("agency_admin", "ctnm_officer"),  # another agency
        ("agency_admin", "system_admin"),  # upwards
        ("agency_admin", "agency_admin"),  # oneself
        ("nsd_lead", "nsd_practitioner"),  # not an administrator
    ],
)
def test_an_mfa_reset_is_refused_outside_the_actor_s_authority(personas, actor, target):
    user = getattr(personas, target)
    with pytest.raises(MfaResetRefused):
        mfa_reset(actor=getattr(personas, actor), user=user)
    assert TOTPDevice.objects.filter(user=user).exists()
    refusal = AuditEntry.objects.get(action="mfa.reset")
    assert refusal.outcome == "DENY"
