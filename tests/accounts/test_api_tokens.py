from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.utils import timezone
from ninja import Router
from ninja.testing import TestClient

from jointcase.accounts.api_auth import ApiTokenAuth
from jointcase.accounts.models import ApiToken
from jointcase.accounts.tokens import (
    ApiTokenError,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from jointcase.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _router() -> Router:
    """A tiny API used only here: it answers with who the caller is, as selectors would see."""
    router = Router(auth=ApiTokenAuth(write_scope="write:register"))

    @router.get("/whoami")
    def whoami(request):  # type: ignore[no-untyped-def]
        return {"username": request.user.username, "verified": request.user.is_verified()}

    return router


@pytest.fixture
def api() -> TestClient:
    return TestClient(_router())


def _bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(personas):
    token, plaintext = api_token_create(
        actor=personas.ctnm_officer, user=personas.ctnm_officer, name="Case sync"
    )
    assert plaintext.startswith("jc_")
    assert len(plaintext) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.prefix == plaintext[:8]
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(list(ApiToken.objects.values()))
    entry = AuditEntry.objects.get(action="api_token.created")
    assert plaintext not in str(entry.details)
    assert entry.details["prefix"] == plaintext[:8]


def test_a_token_expires_after_90_days_by_default(personas):
    token, _ = api_token_create(actor=personas.pom, user=personas.pom, name="x")
    assert token.expires_at - token.created_at == dt.timedelta(days=90)


def test_the_default_lifetime_is_a_setting(personas, settings):
    settings.JOINTCASE_API_TOKEN_DAYS = 7
    token, _ = api_token_create(actor=personas.pom, user=personas.pom, name="x")
    assert token.expires_at - token.created_at == dt.timedelta(days=7)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_lifetime_outside_the_allowed_range_is_refused(personas, days):
    with pytest.raises(ApiTokenError):
        api_token_create(actor=personas.pom, user=personas.pom, name="x", days=days)
    assert not ApiToken.objects.exists()


def test_an_agency_admin_cannot_mint_a_token_for_another_user(personas):
    with pytest.raises(ApiTokenError):
        api_token_create(actor=personas.agency_admin, user=personas.nsd_practitioner, name="x")
    assert not ApiToken.objects.exists()


def test_a_system_admin_can_mint_a_token_for_a_partner_system_user(personas):
    token, _ = api_token_create(
        actor=personas.system_admin, user=personas.partner_liaison, name="Partner feed"
    )
    assert token.user == personas.partner_liaison


def test_a_valid_token_reaches_the_api_as_its_user(personas, api):
    _, plaintext = api_token_create(actor=personas.pom, user=personas.pom, name="x")
    response = api.get("/whoami", headers=_bearer(plaintext))
    assert response.status_code == 200
    # The user is on request.user for the selectors, but is never an MFA-verified session.
    assert response.json() == {"username": "pom.bpss", "verified": False}


def test_no_token_or_a_wrong_token_gets_401(personas, api):
    _, plaintext = api_token_create(actor=personas.pom, user=personas.pom, name="x")
    assert api.get("/whoami").status_code == 401
    assert api.get("/whoami", headers=_bearer(plaintext + "x")).status_code == 401
    assert api.get("/whoami", headers=_bearer("not-a-token")).status_code == 401
    assert api.get("/whoami", headers={"Authorization": f"Basic {plaintext}"}).status_code == 401
    refusals = AuditEntry.objects.filter(action="auth.api_token_refused")
    assert set(refusals.values_list("reason", flat=True)) == {"unknown token", "malformed token"}


def test_a_revoked_token_fails_on_the_very_next_request(personas, api):
    token, plaintext = api_token_create(actor=personas.pom, user=personas.pom, name="x")
    assert api.get("/whoami", headers=_bearer(plaintext)).status_code == 200
    api_token_revoke(actor=personas.pom, token=token)
    assert api.get("/whoami", headers=_bearer(plaintext)).status_code == 401
    refusal = AuditEntry.objects.get(action="auth.api_token_refused")
    assert (refusal.reason, refusal.actor_username) == ("token revoked", "pom.bpss")


def test_a_disabled_user_s_token_fails_on_the_very_next_request(personas, api):
    user = personas.partner_liaison
    _, plaintext = api_token_create(actor=user, user=user, name="x")
    assert api.get("/whoami", headers=_bearer(plaintext)).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api.get("/whoami", headers=_bearer(plaintext)).status_code == 401
    assert AuditEntry.objects.get(action="auth.api_token_refused").reason == "user disabled"


def test_an_expired_token_is_refused(personas, api):
    token, plaintext = api_token_create(actor=personas.pom, user=personas.pom, name="x", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/whoami", headers=_bearer(plaintext)).status_code == 401
    assert AuditEntry.objects.get(action="auth.api_token_refused").reason == "token expired"


def test_last_used_is_recorded_at_most_once_a_minute(personas):
    token, plaintext = api_token_create(actor=personas.pom, user=personas.pom, name="x")
    assert api_token_authenticate(plaintext) == personas.pom
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    api_token_authenticate(plaintext)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api_token_authenticate(plaintext)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - dt.timedelta(minutes=2)


def test_the_auth_class_puts_the_user_on_the_request(personas):
    _, plaintext = api_token_create(actor=personas.pom, user=personas.pom, name="x")
    request = RequestFactory().get("/api/v1/anything", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert ApiTokenAuth(write_scope="write:register")(request) == personas.pom
    assert request.user == personas.pom


def test_the_token_command_creates_lists_and_revokes(personas, api):
    out, err = StringIO(), StringIO()
    call_command(
        "token",
        "create",
        "partner.liaison",
        "--name",
        "Feed",
        "--days",
        "30",
        stdout=out,
        stderr=err,
    )
    plaintext = out.getvalue().strip()
    assert plaintext.startswith("jc_")
    assert "shown once" in err.getvalue()
    assert "may: read)" in err.getvalue()  # read only unless --scope says otherwise
    assert api.get("/whoami", headers=_bearer(plaintext)).status_code == 200

    out = StringIO()
    call_command("token", "list", "partner.liaison", stdout=out)
    listing = out.getvalue()
    assert plaintext[:8] in listing
    assert "Feed" in listing
    assert plaintext not in listing

    call_command("token", "revoke", plaintext[:8], stdout=StringIO())
    assert api.get("/whoami", headers=_bearer(plaintext)).status_code == 401
    entry = AuditEntry.objects.get(action="api_token.revoked")
    assert entry.actor_username == "console"


def test_the_token_command_refuses_an_unknown_user_or_prefix(personas):
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody.here", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError):
        call_command("token", "revoke", "jc_nope0", stdout=StringIO())


def test_a_user_creates_sees_and_revokes_their_own_token_on_the_account_page(personas, client_for):
    client: Client = client_for(personas.ctnm_officer)
    response = client.post(
        "/account/api-tokens/new/",
        {
            "name": "Nightly sync",
            "days": "30",
            "scopes": ["read", "write:supervision"],
            "ceiling": "OFFICIAL-SENSITIVE",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=personas.ctnm_officer)
    assert token.scope_list == ("read", "write:supervision")
    body = response.content.decode()
    assert "You will not be able to see it again" in body
    assert token.prefix in body

    page = client.get("/account/").content.decode()
    assert "Nightly sync" in page
    assert "May: read, change contacts; reads and writes up to OFFICIAL-SENSITIVE" in page
    assert token.ceiling == "OFFICIAL-SENSITIVE"
    assert token.prefix in page
    assert f"/account/api-tokens/{token.pk}/revoke/" in page

    assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert "Revoked" in client.get("/account/").content.decode()


def test_a_bad_token_form_shows_the_error_summary(personas, client_for):
    client = client_for(personas.ctnm_officer)
    response = client.post("/account/api-tokens/new/", {"name": "", "days": "9999"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a name for the token" in body
    assert "between 1 and 365" in body
    above = client.post(
        "/account/api-tokens/new/",
        {"name": "x", "days": "9", "scopes": ["read"], "ceiling": "TOP SECRET"},
    )
    assert above.status_code == 400
    assert "cannot be above your own clearance" in above.content.decode()
    assert not ApiToken.objects.exists()


def test_the_token_form_offers_read_only_by_default_and_needs_a_scope(personas, client_for):
    client = client_for(personas.ctnm_officer)
    form = client.get("/account/api-tokens/new/").content.decode()
    assert "What the token may do" in form
    assert 'value="read" checked' in form
    assert 'value="import" checked' not in form
    none = client.post("/account/api-tokens/new/", {"name": "Sync", "days": "30"})
    assert none.status_code == 400
    assert "Choose at least one thing the token may do" in none.content.decode()
    bad = client.post(
        "/account/api-tokens/new/", {"name": "Sync", "days": "30", "scopes": ["admin"]}
    )
    assert bad.status_code == 400
    assert not ApiToken.objects.exists()


def test_nobody_can_revoke_or_see_another_user_s_token(personas, client_for):
    token, _ = api_token_create(actor=personas.pom, user=personas.pom, name="Mine")
    client = client_for(personas.agency_admin)
    assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert token.prefix not in client.get("/account/").content.decode()


def test_the_account_page_asks_the_token_s_purpose_of_consultation(personas, client_for):
    client: Client = client_for(personas.ctnm_officer)
    assert "Purpose of consultation" in client.get("/account/api-tokens/new/").content.decode()
    response = client.post(
        "/account/api-tokens/new/",
        {"name": "Assurance", "days": "7", "purpose": "oversight", "scopes": ["read"]},
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(user=personas.ctnm_officer).purpose == "oversight"
    refused = client.post(
        "/account/api-tokens/new/",
        {"name": "Urgent", "days": "7", "purpose": "break_glass", "scopes": ["read"]},
    )
    assert refused.status_code == 400
    assert ApiToken.objects.filter(user=personas.ctnm_officer).count() == 1
