"""Sealing bodies: round trips, and every way of tampering is caught (docs/design.md
"Encryption at rest"). These run without the database: ``seal`` returns the data key unsaved."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointcase.keyring import Keyring
from jointcase.lib.canonical_json import canonical_json
from jointcase.material.crypto import (
    DATA_KEY_FIELD_ORDER,
    FORMAT_VERSION,
    HEADER_BYTES,
    TAG_BYTES,
    IntegrityFailure,
    KeyUnavailable,
    Label,
    Sealed,
    _unfilled_buffer,
    data_key_unwrap,
    label_digest,
    open_sealed,
    reseal,
    seal,
)
from jointcase.material.models import DataKey

CLASSIFICATIONS = ["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"]
CAVEATS = ["UK EYES ONLY", "PERSONAL", "NIGHTJAR", "KESTREL"]
AGENCIES = ["nsd-north", "ctu-north-east", "ctu-north-west", "hmp-frankland", "partner"]

labels = st.builds(
    Label,
    classification=st.sampled_from(CLASSIFICATIONS),
    originator=st.sampled_from(AGENCIES),
    caveats=st.lists(st.sampled_from(CAVEATS), max_size=4).map(tuple),
    releasable_to=st.lists(st.sampled_from(AGENCIES), max_size=5).map(tuple),
    orcon=st.booleans(),
)
object_ids = st.one_of(
    st.uuids().map(str), st.integers(min_value=1, max_value=2**63), st.text(min_size=1, max_size=40)
)
property_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _copy_with(sealed: Sealed, ciphertext: bytes) -> Sealed:
    return dataclasses.replace(sealed, ciphertext=ciphertext)


@property_settings
@given(plaintext=st.binary(max_size=4096), object_id=object_ids, label=labels)
def test_any_body_sealed_for_an_item_opens_to_the_same_bytes(
    shared_keyring: Keyring, plaintext: bytes, object_id: str | int, label: Label
) -> None:
    sealed = seal(plaintext=plaintext, object_id=object_id, label=label, keyring=shared_keyring)

    assert bytes(sealed.ciphertext[:1]) == bytes([FORMAT_VERSION])
    assert len(sealed.ciphertext) == HEADER_BYTES + len(plaintext) + TAG_BYTES
    assert len(plaintext) < 16 or plaintext not in bytes(sealed.ciphertext)
    assert sealed.data_key.kek_classification == label.classification
    assert (
        open_sealed(sealed=sealed, object_id=object_id, label=label, keyring=shared_keyring)
        == plaintext
    )


@property_settings
@given(label=labels, other=labels)
def test_any_change_to_the_label_makes_the_body_undecryptable(
    shared_keyring: Keyring, label: Label, other: Label
) -> None:
    sealed = seal(plaintext=b"report body", object_id="item-1", label=label, keyring=shared_keyring)

    if other == label:
        assert open_sealed(sealed=sealed, object_id="item-1", label=other, keyring=shared_keyring)
    else:
        with pytest.raises(IntegrityFailure):
            open_sealed(sealed=sealed, object_id="item-1", label=other, keyring=shared_keyring)


@pytest.mark.parametrize(
    "change",
    [
        {"classification": "OFFICIAL-SENSITIVE"},
        {"caveats": ("UK EYES ONLY", "PERSONAL")},
        {"caveats": ()},
        {"releasable_to": ("nsd-north", "hmp-frankland", "partner")},
        {"releasable_to": ("nsd-north",)},
        {"originator": "nsd-north"},
        {"orcon": False},
    ],
    ids=lambda change: next(iter(change)),
)
def test_changing_any_one_label_field_withholds_the_item_with_the_altered_message(
    shared_keyring: Keyring, secret_label: Label, change: dict[str, object]
) -> None:
    sealed = seal(plaintext=b"body", object_id="item-7", label=secret_label, keyring=shared_keyring)
    altered = dataclasses.replace(secret_label, **change)  # type: ignore[arg-type]

    with pytest.raises(IntegrityFailure) as failure:
        open_sealed(sealed=sealed, object_id="item-7", label=altered, keyring=shared_keyring)

    assert (
        failure.value.user_message
        == "This item has been altered outside JointCase and is withheld."
    )


@property_settings
@given(data=st.data())
def test_flipping_any_bit_of_the_ciphertext_is_detected(
    shared_keyring: Keyring, data: st.DataObject
) -> None:
    label = Label(classification="SECRET", originator="ctu-north-east")
    sealed = seal(plaintext=b"x" * 300, object_id="item-2", label=label, keyring=shared_keyring)
    position = data.draw(st.integers(min_value=0, max_value=len(sealed.ciphertext) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    tampered = bytearray(sealed.ciphertext)
    tampered[position] ^= 1 << bit

    with pytest.raises(IntegrityFailure):
        open_sealed(
            sealed=_copy_with(sealed, bytes(tampered)),
            object_id="item-2",
            label=label,
            keyring=shared_keyring,
        )


@pytest.mark.parametrize(
    "ciphertext",
    [b"", b"\x01", b"\x01" + b"\x00" * 28, b"\x02" + b"\x00" * 60],
    ids=["empty", "version only", "header and tag only", "unknown version"],
)
def test_a_truncated_or_unknown_format_ciphertext_is_an_integrity_failure(
    shared_keyring: Keyring, secret_label: Label, ciphertext: bytes
) -> None:
    sealed = seal(plaintext=b"body", object_id="item-3", label=secret_label, keyring=shared_keyring)

    with pytest.raises(IntegrityFailure):
        open_sealed(
            sealed=_copy_with(sealed, ciphertext),
            object_id="item-3",
            label=secret_label,
            keyring=shared_keyring,
        )


def test_a_ciphertext_moved_to_another_item_does_not_open(
    shared_keyring: Keyring, secret_label: Label
) -> None:
    sealed = seal(plaintext=b"body", object_id="item-4", label=secret_label, keyring=shared_keyring)

    with pytest.raises(IntegrityFailure):
        open_sealed(sealed=sealed, object_id="item-5", label=secret_label, keyring=shared_keyring)


def test_a_wrapped_key_copied_from_another_data_key_does_not_unwrap(
    shared_keyring: Keyring, secret_label: Label
) -> None:
    first = seal(plaintext=b"first", object_id="a", label=secret_label, keyring=shared_keyring)
    second = seal(plaintext=b"second", object_id="a", label=secret_label, keyring=shared_keyring)
    first.data_key.wrapped_key = second.data_key.wrapped_key

    with pytest.raises(IntegrityFailure):
        open_sealed(sealed=first, object_id="a", label=secret_label, keyring=shared_keyring)


def test_a_data_key_relabelled_to_another_classification_does_not_unwrap(
    shared_keyring: Keyring,
) -> None:
    label = Label(classification="SECRET", originator="ctu-north-east")
    lowered = dataclasses.replace(label, classification="OFFICIAL")
    sealed = seal(plaintext=b"body", object_id="a", label=label, keyring=shared_keyring)
    sealed.data_key.kek_classification = "OFFICIAL"

    with pytest.raises(IntegrityFailure):
        open_sealed(sealed=sealed, object_id="a", label=lowered, keyring=shared_keyring)


def test_a_data_key_naming_a_kek_version_the_keyring_lacks_fails_closed(
    shared_keyring: Keyring, secret_label: Label
) -> None:
    sealed = seal(plaintext=b"body", object_id="a", label=secret_label, keyring=shared_keyring)
    sealed.data_key.kek_version = 99

    with pytest.raises(KeyUnavailable):
        open_sealed(sealed=sealed, object_id="a", label=secret_label, keyring=shared_keyring)


def test_every_seal_uses_a_new_data_key_and_nonce(
    shared_keyring: Keyring, secret_label: Label
) -> None:
    one = seal(plaintext=b"same", object_id="a", label=secret_label, keyring=shared_keyring)
    two = seal(plaintext=b"same", object_id="a", label=secret_label, keyring=shared_keyring)

    assert one.data_key.id != two.data_key.id
    assert bytes(one.data_key.wrapped_key) != bytes(two.data_key.wrapped_key)
    assert bytes(one.ciphertext) != bytes(two.ciphertext)


def test_the_label_digest_is_the_sha256_of_the_documented_canonical_json() -> None:
    label = Label(
        classification="SECRET",
        originator="ctu-north-east",
        caveats=("UK EYES ONLY", "NIGHTJAR", "NIGHTJAR"),
        releasable_to=("nsd-north", "hmp-frankland"),
        orcon=True,
    )
    expected = hashlib.sha256(
        b'{"caveats":["NIGHTJAR","UK EYES ONLY"],"classification":"SECRET","orcon":true,'
        b'"originator":"ctu-north-east","releasable_to":["hmp-frankland","nsd-north"]}'
    ).digest()

    assert label_digest(label) == expected
    assert (
        canonical_json({"caveats": list(label.caveats)})
        == b'{"caveats":["NIGHTJAR","UK EYES ONLY"]}'
    )


def test_the_order_of_caveats_and_agencies_does_not_change_the_label() -> None:
    one = Label(
        classification="SECRET", originator="x", caveats=("B", "A"), releasable_to=("z", "y")
    )
    two = Label(
        classification="SECRET", originator="x", caveats=("A", "B"), releasable_to=("y", "z")
    )

    assert one == two
    assert label_digest(one) == label_digest(two)


@pytest.mark.parametrize(
    "fields",
    [
        {"classification": "RESTRICTED", "originator": "x"},
        {"classification": "SECRET", "originator": ""},
    ],
    ids=["unknown classification", "no originator"],
)
def test_a_label_without_a_known_classification_or_an_originator_is_refused(
    fields: dict[str, str],
) -> None:
    with pytest.raises(ValueError, match=r"classification|originator"):
        Label(**fields)


def test_a_single_caveat_given_as_a_string_is_refused_rather_than_split_into_letters() -> None:
    with pytest.raises(TypeError):
        Label(classification="SECRET", originator="x", caveats="UK EYES ONLY")  # type: ignore[arg-type]


def test_classification_choices_and_plain_strings_make_the_same_label() -> None:
    from jointcase.access.labels import Classification

    assert Label(classification=Classification.SECRET, originator="x").digest == (
        Label(classification="SECRET", originator="x").digest
    )


def test_an_object_that_states_its_label_can_be_sealed_directly(
    shared_keyring: Keyring, secret_label: Label
) -> None:
    class Item:
        def security_label(self) -> Label:
            return secret_label

    sealed = seal(plaintext=b"body", object_id="a", label=Item(), keyring=shared_keyring)

    assert (
        open_sealed(sealed=sealed, object_id="a", label=secret_label, keyring=shared_keyring)
        == b"body"
    )


def test_a_label_raised_through_the_service_is_resealed_under_a_new_key(
    shared_keyring: Keyring,
) -> None:
    old = Label(classification="OFFICIAL-SENSITIVE", originator="ctu-north-east")
    new = dataclasses.replace(old, classification="SECRET")
    sealed = seal(plaintext=b"body", object_id="a", label=old, keyring=shared_keyring)

    raised = reseal(
        sealed=sealed, object_id="a", old_label=old, new_label=new, keyring=shared_keyring
    )

    assert raised.data_key.kek_classification == "SECRET"
    assert open_sealed(sealed=raised, object_id="a", label=new, keyring=shared_keyring) == b"body"
    with pytest.raises(IntegrityFailure):
        open_sealed(sealed=raised, object_id="a", label=old, keyring=shared_keyring)


def test_data_keys_are_built_in_the_models_field_order() -> None:
    assert tuple(field.attname for field in DataKey._meta.concrete_fields) == DATA_KEY_FIELD_ORDER


@pytest.mark.parametrize(
    "wrap", [bytes, bytearray, memoryview], ids=["bytes", "bytearray", "memoryview"]
)
def test_bodies_given_as_any_bytes_like_object_seal_and_open(
    shared_keyring: Keyring, secret_label: Label, wrap: type
) -> None:
    body = bytes(range(256)) * 64

    sealed = seal(plaintext=wrap(body), object_id="a", label=secret_label, keyring=shared_keyring)
    stored = _copy_with(sealed, memoryview(bytes(sealed.ciphertext)))  # as PostgreSQL returns it

    assert (
        open_sealed(sealed=stored, object_id="a", label=secret_label, keyring=shared_keyring)
        == body
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=4096))
def test_seal_writes_every_byte_of_its_unfilled_buffer_as_a_bare_aes_gcm_call_would(
    shared_keyring: Keyring, secret_label: Label, body: bytes
) -> None:
    """The buffer ``seal`` fills comes uninitialised from the heap: if any byte were left
    unwritten, old memory (another request's plaintext) would be stored. Every byte must
    equal the format header plus a bare ``AESGCM.encrypt`` of the body."""
    sealed = seal(plaintext=body, object_id="item-1", label=secret_label, keyring=shared_keyring)
    dek = data_key_unwrap(sealed.data_key, keyring=shared_keyring)
    blob = bytes(sealed.ciphertext)
    nonce = blob[1:HEADER_BYTES]
    aad = b"jointcase-sealed\x00\x01" + secret_label.digest + b"item-1"

    assert blob[0] == FORMAT_VERSION
    assert blob[HEADER_BYTES:] == AESGCM(dek).encrypt(nonce, body, aad)


def test_the_unfilled_buffer_is_a_new_mutable_object_that_is_freed() -> None:
    """No write lands in a shared object, and ctypes' reference handling does not leak."""
    import sys
    import tracemalloc

    first, second = _unfilled_buffer(64), _unfilled_buffer(64)
    assert type(first) is bytearray
    assert len(first) == 64
    assert first is not second
    first[:] = b"\x01" * 64
    second[:] = b"\x02" * 64
    assert first == b"\x01" * 64
    assert sys.getrefcount(first) == 2  # the name and getrefcount's argument: nothing leaked
    tracemalloc.start()
    try:
        for _ in range(200):
            _unfilled_buffer(1 << 16)
        current, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current < 1 << 16  # 200 x 64 KB would be 12.8 MB if the buffers were kept
