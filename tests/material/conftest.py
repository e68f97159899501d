"""Fixtures for encryption at rest: a real keyring in a temporary directory.

``keyring`` is the one the service uses (``settings.KEYRING_PATH`` points at it, 0700/0600);
``shared_keyring`` is one keyring for the whole session, for property tests that pass it to
``seal``/``open_sealed`` directly and never touch the database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.keyring import Keyring, keyring_init
from jointcase.material.crypto import Label


@pytest.fixture
def keyring(tmp_path: Path, settings: SettingsWrapper) -> Keyring:
    path = tmp_path / "keyring"
    created = keyring_init(path)
    settings.KEYRING_PATH = path
    return created


@pytest.fixture(scope="session")
def shared_keyring(tmp_path_factory: pytest.TempPathFactory) -> Keyring:
    return keyring_init(tmp_path_factory.mktemp("material") / "keyring")


@pytest.fixture
def secret_label() -> Label:
    return Label(
        classification="SECRET",
        originator="ctu-north-east",
        caveats=("UK EYES ONLY",),
        releasable_to=("nsd-north", "hmp-frankland"),
        orcon=True,
    )
