from __future__ import annotations

import re

import pytest
from django.test import Client

from jointcase.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CODE = re.compile(r'<code class="jc-code">([a-z2-7]{4}-[a-z2-7]{4})</code>')


def _generate(client: Client) -> list[str]:
    response = client.post("/account/backup-codes/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return CODE.findall(response.content.decode())


def _sign_in_with(user_name: str, code: str) -> Client:
    client = Client()
    client.post("/sign-in/", {"username": user_name, "password": PASSWORD})
    client.post("/second-factor/", {"code": code})
    return client


def test_ten_backup_codes_are_shown_once_and_audited(personas, client_for):
    client = client_for(personas.pom)
    codes = _generate(client)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    page = client.get("/account/backup-codes/").content.decode()
    assert not CODE.findall(page)
    assert "You have 10 unused backup codes" in page
    entry = AuditEntry.objects.get(action="mfa.backup_codes_generated")
    assert entry.details == {"count": 10}
    assert not any(code.replace("-", "") in str(entry.details) for code in codes)


def test_a_backup_code_signs_in_once_only(personas, client_for):
    codes = _generate(client_for(personas.pom))
    first = _sign_in_with("pom.bpss", codes[0])
    assert first.get("/").status_code == 200
    second = _sign_in_with("pom.bpss", codes[0])
    assert second.get("/").status_code == 302
    used = AuditEntry.objects.get(action="mfa.backup_code_used")
    assert used.details == {"remaining": 9}
    sign_in = AuditEntry.objects.filter(action="auth.sign_in").last()
    assert sign_in.details == {"factor": "backup_code"}
    assert AuditEntry.objects.filter(action="auth.second_factor_failed").count() == 1


def test_a_backup_code_is_accepted_without_its_dash_and_in_capitals(personas, client_for):
    codes = _generate(client_for(personas.pom))
    client = _sign_in_with("pom.bpss", codes[3].replace("-", "").upper())
    assert client.get("/").status_code == 200


def test_regenerating_replaces_the_old_codes(personas, client_for, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # a failed code otherwise delays the next try
    client = client_for(personas.pom)
    old = _generate(client)
    new = _generate(client)
    assert not set(old) & set(new)
    assert _sign_in_with("pom.bpss", old[0]).get("/").status_code == 302
    assert _sign_in_with("pom.bpss", new[0]).get("/").status_code == 200
    assert AuditEntry.objects.filter(action="mfa.backup_codes_generated").count() == 2


def test_the_account_page_offers_backup_codes(personas, client_for):
    page = client_for(personas.pom).get("/account/").content.decode()
    assert "You have no backup codes" in page
    assert 'href="/account/backup-codes/"' in page


def test_a_password_only_session_cannot_generate_backup_codes(personas):
    client = Client()
    client.post("/sign-in/", {"username": "pom.bpss", "password": PASSWORD})
    response = client.post("/account/backup-codes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/second-factor/")
    assert not AuditEntry.objects.filter(action="mfa.backup_codes_generated").exists()
