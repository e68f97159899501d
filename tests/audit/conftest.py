"""Fixtures for the audit suite: a private keyring, and the tampering door."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings

from jointcase.keyring import Keyring, keyring_init, keyring_load
from tests.audit_plugin import audit_trail  # noqa: F401 - the flush hook, and the helper fixture


@pytest.fixture
def keyring(tmp_path: Path, settings: LazySettings) -> Keyring:
    """A fresh keyring in a private directory, used by the service for this test."""
    path = tmp_path / "keyring"
    keyring_init(path)
    settings.KEYRING_PATH = path
    return keyring_load(path)
