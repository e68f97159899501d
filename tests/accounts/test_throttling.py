from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import SignInAttempt
from jointcase.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

THROTTLED = "There have been too many attempts to sign in"


def _sign_in(username: str, password: str, address: str = "198.51.100.7") -> tuple[int, str]:
    response = Client(REMOTE_ADDR=address).post(
        "/sign-in/", {"username": username, "password": password}
    )
    return response.status_code, response.content.decode()


def _age_all_attempts(seconds: int) -> None:
    SignInAttempt.objects.update(occurred_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_the_sixth_try_on_one_account_is_refused_even_with_the_right_password(personas):
    for _ in range(5):
        status, body = _sign_in("nsd.practitioner", "wrong password")
        assert status == 400
        assert "Enter a correct username and password" in body
    status, body = _sign_in("nsd.practitioner", PASSWORD)
    assert status == 400
    assert THROTTLED in body
    assert AuditEntry.objects.filter(action="auth.sign_in_throttled").count() == 1


def test_the_account_throttle_holds_from_any_address(personas):
    for number in range(5):
        _sign_in("nsd.practitioner", "wrong password", address=f"198.51.100.{number}")
    _, body = _sign_in("nsd.practitioner", PASSWORD, address="203.0.113.50")
    assert THROTTLED in body


def test_sign_in_works_again_once_the_window_has_passed(personas, settings):
    for _ in range(5):
        _sign_in("nsd.practitioner", "wrong password")
    window = settings.SIGN_IN_THROTTLE["WINDOW_SECONDS"]
    _age_all_attempts(window - 30)
    assert THROTTLED in _sign_in("nsd.practitioner", PASSWORD)[1]
    _age_all_attempts(window + 1)
    status, _ = _sign_in("nsd.practitioner", PASSWORD)
    assert status == 302


def test_an_attacker_knocking_on_cannot_keep_the_user_locked_out(personas, settings):
    window = settings.SIGN_IN_THROTTLE["WINDOW_SECONDS"]
    for _ in range(5):
        _sign_in("nsd.practitioner", "wrong password", address="192.0.2.66")
    _age_all_attempts(window - 60)
    # The attacker keeps trying while locked out: refused, audited, but not counted.
    for _ in range(10):
        assert THROTTLED in _sign_in("nsd.practitioner", "guess", address="192.0.2.66")[1]
    assert AuditEntry.objects.filter(action="auth.sign_in_throttled").count() == 10
    _age_all_attempts(window + 1)
    status, _ = _sign_in("nsd.practitioner", PASSWORD, address="203.0.113.9")
    assert status == 302


def test_one_address_trying_many_accounts_is_throttled(personas, settings):
    settings.SIGN_IN_THROTTLE = {**settings.SIGN_IN_THROTTLE, "ADDRESS_LIMIT": 4}
    for username in ("nsd.lead", "pom.bpss", "auditor", "nobody.here"):
        _sign_in(username, "wrong password", address="192.0.2.1")
    status, body = _sign_in("nsd.practitioner", PASSWORD, address="192.0.2.1")
    assert status == 400
    assert THROTTLED in body
    # The same user from another address is not affected by that address's failures.
    status, _ = _sign_in("nsd.practitioner", PASSWORD, address="192.0.2.2")
    assert status == 302
    _age_all_attempts(settings.SIGN_IN_THROTTLE["WINDOW_SECONDS"] + 1)
    status, _ = _sign_in("nsd.practitioner", PASSWORD, address="192.0.2.1")
    assert status == 302


def test_the_throttle_message_does_not_reveal_whether_the_account_exists(personas):
    for _ in range(5):
        _sign_in("nsd.practitioner", "wrong password")
        _sign_in("nobody.here", "wrong password", address="198.51.100.8")
    assert THROTTLED in _sign_in("nsd.practitioner", "x")[1]
    assert THROTTLED in _sign_in("nobody.here", "x", address="198.51.100.8")[1]
