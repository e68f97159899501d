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


from tests.register_fixtures import CaseWorld, case_world  # noqa: E402

__all__ = ["case_world"]


@pytest.fixture
def material_world(case_world: CaseWorld) -> CaseWorld:
    """The register's case with the CT supervisor on its team too (the four-eyes approver)."""
    import datetime as dt

    from django.utils import timezone

    from jointcase.cases import services as case_services
    from jointcase.cases.models import CaseRole

    case_services.team_member_add(
        actor=case_world.personas.nsd_practitioner,
        case=case_world.case,
        role=CaseRole.CT_SUPERVISOR,
        user=case_world.personas.ct_supervisor,
        start=timezone.localdate() - dt.timedelta(days=30),
    )
    return case_world
