"""Data keys in the database: tampering, destruction (crypto-shredding) and the keyring that
guards them, using the service's own keyring (``settings.KEYRING_PATH``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.audit.models import AuditEntry
from jointcase.keyring import KEYRING_FILE, Keyring, KeyringInsecure, KeyringMissing
from jointcase.material.crypto import (
    IntegrityFailure,
    KeyDestroyed,
    Label,
    Sealed,
    open_sealed,
    seal,
)
from jointcase.material.keys import data_key_destroy
from jointcase.material.models import DataKey
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _stored(sealed: Sealed) -> Sealed:
    """What the service will read back: the data key row as the database now holds it."""
    return Sealed(data_key=DataKey.objects.get(pk=sealed.data_key.pk), ciphertext=sealed.ciphertext)


def _sealed_and_saved(label: Label, body: bytes = b"intelligence report body") -> Sealed:
    sealed = seal(plaintext=body, object_id="item-1", label=label)
    sealed.data_key.save(force_insert=True)
    return sealed


def test_a_body_sealed_with_the_service_keyring_opens_from_the_stored_key(
    keyring: Keyring, secret_label: Label
) -> None:
    sealed = _sealed_and_saved(secret_label)

    stored = _stored(sealed)

    assert stored.data_key.kek_version == 1
    assert len(bytes(stored.data_key.wrapped_key)) == 60
    assert (
        open_sealed(sealed=stored, object_id="item-1", label=secret_label)
        == b"intelligence report body"
    )


def test_a_wrapped_key_altered_in_the_database_withholds_the_item(
    keyring: Keyring, secret_label: Label
) -> None:
    sealed = _sealed_and_saved(secret_label)
    altered = bytearray(bytes(sealed.data_key.wrapped_key))
    altered[20] ^= 0x01
    DataKey.objects.filter(pk=sealed.data_key.pk).update(wrapped_key=bytes(altered))

    with pytest.raises(IntegrityFailure):
        open_sealed(sealed=_stored(sealed), object_id="item-1", label=secret_label)


def test_a_data_key_moved_to_a_lower_classification_in_the_database_withholds_the_item(
    keyring: Keyring, secret_label: Label
) -> None:
    sealed = _sealed_and_saved(secret_label)
    DataKey.objects.filter(pk=sealed.data_key.pk).update(kek_classification="OFFICIAL")
    lowered = Label(
        classification="OFFICIAL",
        originator=secret_label.originator,
        caveats=secret_label.caveats,
        releasable_to=secret_label.releasable_to,
        orcon=secret_label.orcon,
    )

    with pytest.raises(IntegrityFailure):
        open_sealed(sealed=_stored(sealed), object_id="item-1", label=lowered)


def test_a_destroyed_data_key_can_never_decrypt_its_item_again(
    keyring: Keyring, secret_label: Label, personas: Personas
) -> None:
    sealed = _sealed_and_saved(secret_label)

    destroyed = data_key_destroy(
        actor=personas.nsd_lead, data_key=sealed.data_key, reason="Retention period ended"
    )

    stored = _stored(sealed)
    assert destroyed is True
    assert bytes(stored.data_key.wrapped_key) == b""
    assert stored.data_key.destroyed_at is not None
    with pytest.raises(KeyDestroyed) as failure:
        open_sealed(sealed=stored, object_id="item-1", label=secret_label)
    assert "destroyed" in failure.value.user_message
    with pytest.raises(KeyDestroyed):
        open_sealed(sealed=sealed, object_id="item-1", label=secret_label)


def test_destroying_a_data_key_is_audited_with_who_and_why(
    keyring: Keyring, secret_label: Label, personas: Personas
) -> None:
    sealed = _sealed_and_saved(secret_label)

    data_key_destroy(actor=personas.nsd_lead, data_key=sealed.data_key, reason="Item deleted")

    entry = AuditEntry.objects.get(action="keys.data_key_destroyed")
    assert entry.actor_username == "nsd.lead"
    assert entry.object_id == str(sealed.data_key.pk)
    assert entry.reason == "Item deleted"
    assert entry.details == {"classification": "SECRET"}


def test_the_retention_job_destroys_keys_without_a_user_and_only_once(
    keyring: Keyring, secret_label: Label
) -> None:
    sealed = _sealed_and_saved(secret_label)

    first = data_key_destroy(actor=None, data_key=sealed.data_key, reason="Retention period ended")
    second = data_key_destroy(actor=None, data_key=sealed.data_key, reason="Retention period ended")

    assert (first, second) == (True, False)
    entries = AuditEntry.objects.filter(action="keys.data_key_destroyed")
    assert [entry.actor_username for entry in entries] == ["retention"]


def test_destroying_a_data_key_needs_a_reason(keyring: Keyring, secret_label: Label) -> None:
    sealed = _sealed_and_saved(secret_label)

    with pytest.raises(ValueError, match="reason"):
        data_key_destroy(actor=None, data_key=sealed.data_key, reason="  ")

    assert _stored(sealed).data_key.destroyed_at is None


def test_a_keyring_file_readable_by_others_stops_sealing_with_the_operator_message(
    keyring: Keyring, secret_label: Label
) -> None:
    os.chmod(keyring.path / KEYRING_FILE, 0o644)

    with pytest.raises(KeyringInsecure, match=r"readable or writable by other users.*chmod 600"):
        seal(plaintext=b"body", object_id="item-1", label=secret_label)


def test_a_keyring_loosened_after_use_stops_opening_items(
    keyring: Keyring, secret_label: Label
) -> None:
    sealed = _sealed_and_saved(secret_label)
    assert open_sealed(sealed=_stored(sealed), object_id="item-1", label=secret_label)
    os.chmod(keyring.path, 0o755)  # noqa: S103 - the mistake under test

    with pytest.raises(KeyringInsecure, match="chmod 700"):
        open_sealed(sealed=_stored(sealed), object_id="item-1", label=secret_label)


def test_without_a_keyring_sealing_tells_the_operator_to_create_one(
    secret_label: Label, settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.KEYRING_PATH = tmp_path / "nowhere"

    with pytest.raises(KeyringMissing, match="jointcase keys init"):
        seal(plaintext=b"body", object_id="item-1", label=secret_label)
