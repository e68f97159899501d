"""An API token's clearance ceiling: a request with the token is cleared to the lower of its
user's clearance and the ceiling set when it was issued (never above the issuer's), for
reading and for writing, in lists and single reads alike."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from jointcase.accounts.models import ApiToken
from jointcase.accounts.tokens import ApiTokenError, api_token_create
from jointcase.material.models import MaterialItem
from tests.material.item_helpers import secret_report

pytestmark = pytest.mark.usefixtures("keyring")


def _client(user, **options) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="feed", days=1, **options)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_a_token_capped_at_official_sensitive_cannot_read_or_write_secret(material_world):
    officer = material_world.personas.ctnm_officer  # SC: cleared to SECRET
    secret = secret_report(material_world)
    case_url = f"/api/v1/cases/{material_world.case.public_id}/material"
    capped = _client(officer, ceiling="OFFICIAL-SENSITIVE", scopes=["read", "write:material"])
    own = _client(officer)

    assert own.get(f"/api/v1/material/{secret.pk}").status_code == 200
    assert own.get(case_url).json()["count"] == 1
    # The same user through the capped token: the SECRET item is not there at all.
    assert capped.get(f"/api/v1/material/{secret.pk}").status_code == 404
    assert capped.get(case_url).json()["count"] == 0
    response = capped.post(
        case_url,
        json.dumps({"kind": "NOTE", "title": "Above", "classification": "SECRET", "body": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["classification"]
    assert MaterialItem.objects.count() == 1
    within = capped.post(
        case_url,
        json.dumps(
            {"kind": "NOTE", "title": "Within", "classification": "OFFICIAL-SENSITIVE", "body": "x"}
        ),
        content_type="application/json",
    )
    assert within.status_code == 201, within.content.decode()


def test_the_ceiling_is_never_above_the_issuer_s_clearance(personas):
    admin, partner = personas.system_admin, personas.partner_liaison  # the admin holds SC
    with pytest.raises(ApiTokenError, match="above your own clearance"):
        api_token_create(actor=admin, user=partner, name="feed", ceiling="TOP SECRET")
    with pytest.raises(ApiTokenError, match="Choose the ceiling"):
        api_token_create(actor=admin, user=partner, name="feed", ceiling="RESTRICTED")
    # A token issued for another account is capped at the issuer's clearance by default.
    token, _ = api_token_create(actor=admin, user=partner, name="feed")
    assert token.ceiling == "SECRET"
    lower, _ = api_token_create(actor=admin, user=partner, name="feed", ceiling="OFFICIAL")
    assert lower.ceiling == "OFFICIAL"
    # One's own token needs none; the console may set any.
    mine, _ = api_token_create(actor=admin, user=admin, name="mine")
    assert mine.ceiling == ""
    call_command(
        "token", "create", partner.username, "--ceiling", "OFFICIAL-SENSITIVE", stdout=None
    )
    assert ApiToken.objects.filter(user=partner).latest("created_at").ceiling == (
        "OFFICIAL-SENSITIVE"
    )
