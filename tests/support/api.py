"""A client of the REST API as a partner system is: a bearer token, no session."""

from __future__ import annotations

from django.test import Client

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create


def api_client(user: User) -> Client:
    """A client that sends a fresh one-day API token of ``user`` with every request."""
    _token, plaintext = api_token_create(actor=None, user=user, name="tests", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
