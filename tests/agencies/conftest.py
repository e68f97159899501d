"""Fixtures for agency administration: the NSD North administrator, signed in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import Personas


@pytest.fixture
def admin_client(personas: Personas, client_for: Callable[..., Client]) -> Client:
    """NSD North's agency administrator (SC, UK EYES ONLY), signed in with MFA."""
    return client_for(personas.agency_admin)
