"""Helpers for the register pages' tests: a signed-in client that has already declared its
purpose of consultation for the cases it opens (``jointcase.audit.purpose``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.test import Client

from jointcase.accounts.models import User
from tests.conftest import verified_session


def declare_purposes(
    client: Client, case_ids: Iterable[int], purpose: str = "case_management"
) -> Client:
    from jointcase.audit.purpose import SESSION_KEY

    session = client.session
    declarations = dict(session.get(SESSION_KEY, {}))
    for case_id in case_ids:
        declarations[f"case:{case_id}"] = {"purpose": purpose, "reason": ""}
    session[SESSION_KEY] = declarations
    session.save()
    return client


def reader(user: User, *case_ids: int) -> Client:
    """A verified session for ``user`` with a purpose declared for each of ``case_ids``."""
    return declare_purposes(verified_session(Client(), user), case_ids)
