from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from tests.accounts.soft_authenticator import SoftAuthenticator
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REGISTER_BEGIN = "/webauthn/registration/begin/"
REGISTER_COMPLETE = "/webauthn/registration/complete/"
AUTH_BEGIN = "/webauthn/authentication/begin/"
AUTH_COMPLETE = "/webauthn/authentication/complete/"


def _post_json(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def register_key(client: Client) -> SoftAuthenticator:
    """Register a software key through the real ceremony on a verified session."""
    authenticator = SoftAuthenticator()
    begin = client.post(REGISTER_BEGIN, HTTP_ACCEPT="application/json")
    assert begin.status_code == 200, begin.content
    complete = _post_json(client, REGISTER_COMPLETE, authenticator.create(begin.json()))
    assert complete.status_code == 200, complete.content
    return authenticator


def password_only(user: User) -> Client:
    client = Client()
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_verified_user_registers_a_security_key_and_it_is_audited(personas, client_for):
    user = personas.ctnm_officer
    client = client_for(user)
    register_key(client)
    credential = WebAuthnCredential.objects.get(user=user)
    assert credential.name.startswith("Added ")
    entry = AuditEntry.objects.get(action="mfa.webauthn_registered")
    assert (entry.actor_username, entry.object_id) == (user.username, f"webauthn:{credential.pk}")
    page = client.get("/account/").content.decode()
    assert "Security key or passkey" in page
    assert credential.name in page


def test_the_account_page_loads_the_registration_scripts_with_the_csp_nonce(personas, client_for):
    response = client_for(personas.ctnm_officer).get("/account/")
    body = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'src="/static/django_otp_webauthn/otp_webauthn_register.js" nonce="{nonce}"' in body
    assert '<script id="otp_webauthn_config" type="application/json">' in body
    assert 'id="passkey-registration-placeholder"' in body
    # No inline script other than JSON data.
    for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body):
        assert 'type="application/json"' in script or "nonce=" in script


def test_a_security_key_completes_sign_in_after_the_password(personas, client_for):
    user = personas.ctnm_officer
    authenticator = register_key(client_for(user))
    client = password_only(user)
    page = client.get("/second-factor/?next=/account/")
    assert 'id="passkey-verification-placeholder"' in page.content.decode()
    key_before = client.cookies["jointcase_session"].value

    begin = client.post(AUTH_BEGIN, HTTP_ACCEPT="application/json")
    assert begin.status_code == 200
    assert [c["id"] for c in begin.json()["allowCredentials"]] != []
    complete = _post_json(
        client, AUTH_COMPLETE + "?next=/account/", authenticator.get(begin.json())
    )
    assert complete.status_code == 200, complete.content
    assert complete.json()["redirect_url"] == "/account/"

    assert client.cookies["jointcase_session"].value != key_before
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.filter(action="auth.sign_in").last()
    assert entry.details == {"factor": "webauthn"}
    assert entry.actor_username == user.username


def test_an_offsite_next_is_not_followed_after_a_security_key(personas, client_for):
    user = personas.ctnm_officer
    authenticator = register_key(client_for(user))
    client = password_only(user)
    begin = client.post(AUTH_BEGIN)
    complete = _post_json(
        client, AUTH_COMPLETE + "?next=https://evil.example/", authenticator.get(begin.json())
    )
    assert complete.json()["redirect_url"] == "/"


@pytest.mark.parametrize("path", [AUTH_BEGIN, AUTH_COMPLETE, REGISTER_BEGIN, REGISTER_COMPLETE])
def test_an_anonymous_visitor_cannot_start_or_finish_a_ceremony(personas, path):
    client = Client()
    response = client.post(path, HTTP_ACCEPT="application/json")
    assert response.status_code in (302, 401, 403)
    assert "otp_webauthn_authentication_state" not in client.session
    assert "otp_webauthn_register_state" not in client.session


def test_a_key_alone_never_signs_anybody_in_even_with_passwordless_switched_on(
    personas, client_for, settings
):
    user = personas.ctnm_officer
    authenticator = register_key(client_for(user))
    settings.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = True
    client = Client()
    begin = client.post(AUTH_BEGIN)
    assert begin.status_code == 403
    # Even a correctly signed assertion for a challenge from another session is refused.
    other = password_only(user)
    challenge = other.post(AUTH_BEGIN).json()
    response = _post_json(client, AUTH_COMPLETE, authenticator.get(challenge))
    assert response.status_code == 403
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_password_only_session_cannot_register_a_key(personas):
    user = personas.ctnm_officer
    client = password_only(user)
    response = client.post(REGISTER_BEGIN, content_type="application/json")
    assert response.status_code in (302, 401, 403)
    assert "otp_webauthn_register_state" not in client.session
    assert not WebAuthnCredential.objects.exists()


def test_the_registration_view_itself_refuses_an_unverified_session(personas):
    """Defence in depth: even past the middleware, the view demands a verified session."""
    from django.test import RequestFactory

    from jointcase.accounts.webauthn import RegistrationBeginView
    from tests.factories import UserFactory

    # A user with no second factor yet: the library alone would let them enrol a key on a
    # password-only session (and mark it verified); JointCase does not.
    request = RequestFactory().post(REGISTER_BEGIN)
    request.user = UserFactory(totp=False)  # is_verified() is False outside django-otp
    request.session = {}  # type: ignore[assignment]
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    response = RegistrationBeginView.as_view()(request)
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "second_factor_required"


def test_another_user_s_key_does_not_verify_my_session(personas, client_for):
    thief_key = register_key(client_for(personas.ct_supervisor))
    register_key(client_for(personas.ctnm_officer))
    client = password_only(personas.ctnm_officer)
    begin = client.post(AUTH_BEGIN)
    response = _post_json(client, AUTH_COMPLETE, thief_key.get(begin.json()))
    assert response.status_code == 403
    assert client.get("/").status_code == 302
    failure = AuditEntry.objects.get(action="auth.second_factor_failed")
    assert failure.actor_username == "ctnm.officer"
    assert failure.details["factor"] == "webauthn"


def test_a_challenge_cannot_be_replayed(personas, client_for):
    user = personas.ctnm_officer
    authenticator = register_key(client_for(user))
    first = password_only(user)
    begin = first.post(AUTH_BEGIN).json()
    assertion = authenticator.get(begin)
    assert _post_json(first, AUTH_COMPLETE, assertion).status_code == 200
    second = password_only(user)
    second.post(AUTH_BEGIN)
    replay = _post_json(second, AUTH_COMPLETE, assertion)
    assert replay.status_code in (400, 403, 422)
    assert second.get("/").status_code == 302


def test_malformed_ceremony_data_is_a_400_not_a_500(personas, client_for):
    user = personas.ctnm_officer
    register_key(client_for(user))
    client = password_only(user)
    client.post(AUTH_BEGIN)
    response = client.post(AUTH_COMPLETE, "{not json", content_type="application/json")
    assert response.status_code == 400
    client.post(AUTH_BEGIN)
    response = _post_json(client, AUTH_COMPLETE, {"id": 7, "response": None})
    assert 400 <= response.status_code < 500


def test_the_second_factor_page_offers_a_key_only_to_users_with_one(personas, client_for):
    register_key(client_for(personas.ctnm_officer))
    with_key = password_only(personas.ctnm_officer).get("/second-factor/").content.decode()
    without = password_only(personas.pom).get("/second-factor/").content.decode()
    assert "Use security key or passkey" in with_key
    assert "otp_webauthn_auth.js" in with_key
    assert "Use security key or passkey" not in without
    assert "otp_webauthn" not in without


def test_a_user_removes_a_second_factor_but_never_the_last_one(personas, client_for):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = personas.ctnm_officer
    authenticator = register_key(client_for(user))
    client = password_only(user)  # this session is verified with the key
    begin = client.post(AUTH_BEGIN)
    assert _post_json(client, AUTH_COMPLETE, authenticator.get(begin.json())).status_code == 200
    totp = TOTPDevice.objects.get(user=user)
    key = WebAuthnCredential.objects.get(user=user)
    assert client.post(f"/account/second-factors/totp/{totp.pk}/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(pk=totp.pk).exists()
    client.post(f"/account/second-factors/webauthn/{key.pk}/remove/")
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert "cannot be removed" in client.get("/account/").content.decode()
    actions = list(
        AuditEntry.objects.filter(action__startswith="mfa.device").values_list(
            "action", "object_id"
        )
    )
    assert actions == [
        ("mfa.device_removed", f"totp:{totp.pk}"),
        ("mfa.device_remove_refused", f"webauthn:{key.pk}"),
    ]


def test_nobody_can_remove_another_user_s_security_key(personas, client_for):
    register_key(client_for(personas.ctnm_officer))
    key = WebAuthnCredential.objects.get()
    client_for(personas.pom).post(f"/account/second-factors/webauthn/{key.pk}/remove/")
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
