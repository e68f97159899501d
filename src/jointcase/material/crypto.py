"""Envelope encryption of item bodies and files (docs/design.md "Encryption at rest").

Every sealed object gets its own random 256-bit data key (DEK). The body is encrypted with
AES-256-GCM under the DEK; the DEK is stored only wrapped (AES-256-GCM again) under the
key-encryption key (KEK) of the label's classification, held in the keyring outside the
database (``jointcase.keyring``).

Associated data binds the ciphertext to where it belongs:

- the body's AAD carries the format version, the object id and the SHA-256 of the label's
  canonical JSON. Moving a ciphertext to another row, or changing any label field in the
  database without the service, makes decryption fail with ``IntegrityFailure``: the service
  then withholds the item and reports it (``IntegrityFailure.user_message``);
- the wrapped key's AAD carries the data key id, the KEK's classification and version, so a
  wrapped key copied onto another data key row, or relabelled, does not unwrap either.

Because the label digest is part of the AAD, changing a label through the service means
re-sealing (``reseal``): open under the old label, seal under the new one with a new data key,
then destroy the old key.

Ciphertext format (``FORMAT_VERSION`` 1)::

    version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)

stored beside a foreign key to the ``DataKey``. ``seal`` writes it with one allocation and no
intermediate copy (``AESGCM.encrypt_into``), and ``open_sealed`` decrypts straight from a
``memoryview`` of the stored value, so the path costs little more than a bare AES-GCM call.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils import timezone

from jointcase.access.labels import Classification
from jointcase.keyring import keyring_load
from jointcase.lib.canonical_json import canonical_json
from jointcase.material.models import DataKey, MaterialItem

if TYPE_CHECKING:
    from jointcase.keyring import Keyring

FORMAT_VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = 1 + NONCE_BYTES
KEY_BYTES = 32

_WRAP_PURPOSE = b"jointcase-data-key\x00"
_SEAL_PURPOSE = b"jointcase-sealed\x00" + bytes([FORMAT_VERSION])


# --- Errors ---------------------------------------------------------------------------------


class SealError(Exception):
    """Base class: the object cannot be decrypted. Callers withhold it (fail closed)."""

    user_message = "This item cannot be shown at the moment."


class IntegrityFailure(SealError):
    """The ciphertext, its label, its object id or its wrapped key was altered outside the
    service. Report ``user_message`` to the reader and audit the failure."""

    user_message = "This item has been altered outside JointCase and is withheld."


class KeyDestroyed(SealError):
    """The data key was destroyed (item deleted or retention ended): nothing can decrypt it."""

    user_message = "This item's content has been destroyed under the retention policy."


class KeyUnavailable(SealError):
    """The keyring has no key-encryption key for this classification and version."""

    user_message = "This item cannot be shown at the moment: its key is unavailable."


# --- Labels ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Label:
    """The security label as it is bound into the associated data.

    Normalised on creation (caveats and releasable agencies sorted and de-duplicated), so two
    labels that mean the same give the same digest. Agencies are given by their codes.
    """

    classification: str
    originator: str
    caveats: tuple[str, ...] = ()
    releasable_to: tuple[str, ...] = ()
    orcon: bool = False
    #: ``label_digest`` of this label, computed once.
    digest: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.caveats, str) or isinstance(self.releasable_to, str):
            raise TypeError("caveats and releasable_to are collections of codes, not one string")
        object.__setattr__(self, "classification", str(self.classification))
        object.__setattr__(self, "originator", str(self.originator))
        if self.classification not in Classification.values:
            raise ValueError(f"unknown classification {self.classification!r}")
        if not self.originator:
            raise ValueError("a label needs an originator agency")
        object.__setattr__(self, "caveats", tuple(sorted({str(c) for c in self.caveats})))
        object.__setattr__(
            self, "releasable_to", tuple(sorted({str(a) for a in self.releasable_to}))
        )
        object.__setattr__(self, "orcon", bool(self.orcon))
        document = {
            "classification": self.classification,
            "caveats": list(self.caveats),
            "releasable_to": list(self.releasable_to),
            "originator": self.originator,
            "orcon": self.orcon,
        }
        object.__setattr__(self, "digest", hashlib.sha256(canonical_json(document)).digest())


@runtime_checkable
class HasSecurityLabel(Protocol):
    """Anything that can state its label (a material item's is ``item_label``)."""

    def security_label(self) -> Label: ...


LabelLike = Label | HasSecurityLabel | MaterialItem


def item_label(item: MaterialItem) -> Label:
    """A material item's security label (its body and files are sealed under it). It lives
    here, not on the model, so that models never import crypto (crypto imports models)."""
    return label_from(
        classification=item.classification,
        originator=item.originator.code,
        caveats=[c.code for c in item.caveats.all()],
        releasable_to=[a.code for a in item.releasable_to.all()],
        orcon=item.orcon,
    )


def label_of(value: LabelLike) -> Label:
    if isinstance(value, Label):
        return value
    if isinstance(value, MaterialItem):
        return item_label(value)
    return value.security_label()


def label_digest(label: LabelLike) -> bytes:
    """SHA-256 (32 bytes) of the canonical JSON of ``{"classification", "caveats" (sorted),
    "releasable_to" (sorted agency codes), "originator" (agency code), "orcon"}``."""
    return label_of(label).digest


# --- The keyring ----------------------------------------------------------------------------


class KekSource(Protocol):
    """What sealing needs from ``jointcase.keyring.Keyring``."""

    def kek(self, classification: str, version: int | None = None) -> tuple[int, bytes]: ...


def keyring_current() -> Keyring:
    """The keyring at ``settings.KEYRING_PATH``.

    ``keyring_load`` caches it until the file changes, and re-checks its permissions then: a
    keyring whose mode was loosened raises ``KeyringInsecure`` with the operator's message.
    ``KeyringError`` propagates from every function here: the caller fails closed.
    """
    return keyring_load()


def _kek(keyring: KekSource, classification: str, version: int | None) -> tuple[int, bytes]:
    try:
        found_version, key = keyring.kek(classification, version)
    except (KeyError, LookupError) as error:
        raise KeyUnavailable(
            f"the keyring has no key for {classification} version {version}"
        ) from error
    if len(key) != KEY_BYTES:
        raise KeyUnavailable(f"the {classification} key is not {KEY_BYTES} bytes")
    return found_version, key


# --- Data keys ------------------------------------------------------------------------------


def _wrap_aad(data_key_id: uuid.UUID, classification: str, version: int) -> bytes:
    """``"jointcase-data-key" NUL || key id (16) || KEK version (4, big-endian) ||
    classification (UTF-8, last so the layout needs no length)``."""
    return (
        _WRAP_PURPOSE
        + data_key_id.bytes
        + version.to_bytes(4, "big")
        + classification.encode("utf-8")
    )


_kek_aeads: dict[bytes, AESGCM] = {}


def _kek_aead(kek: bytes) -> AESGCM:
    """The AES-GCM context for a KEK, kept per process (the keyring is in memory anyway)."""
    aead = _kek_aeads.get(kek)
    if aead is None:
        if len(_kek_aeads) >= 64:
            _kek_aeads.clear()
        aead = _kek_aeads[kek] = AESGCM(kek)
    return aead


def _wrap(
    dek: bytes,
    *,
    data_key_id: uuid.UUID,
    classification: str,
    version: int,
    kek: bytes,
    nonce: bytes | None = None,
) -> bytes:
    nonce = nonce if nonce is not None else os.urandom(NONCE_BYTES)
    aad = _wrap_aad(data_key_id, classification, version)
    return nonce + _kek_aead(kek).encrypt(nonce, dek, aad)


#: ``DataKey`` rows are built positionally on the sealing path (Django's keyword path costs
#: more than the rest of the key handling); a test checks the field order still matches.
DATA_KEY_FIELD_ORDER = (
    "id",
    "wrapped_key",
    "kek_classification",
    "kek_version",
    "created_at",
    "rewrapped_at",
    "destroyed_at",
)


def data_key_new(*, classification: str, keyring: KekSource | None = None) -> tuple[DataKey, bytes]:
    """A fresh data key (unsaved row, plaintext key) wrapped under the newest KEK version."""
    source = keyring if keyring is not None else keyring_current()
    version, kek = _kek(source, classification, None)
    randomness = os.urandom(16 + NONCE_BYTES + KEY_BYTES)
    data_key_id = uuid.UUID(bytes=randomness[:16], version=4)
    nonce = randomness[16 : 16 + NONCE_BYTES]
    dek = randomness[16 + NONCE_BYTES :]
    wrapped = _wrap(
        dek,
        data_key_id=data_key_id,
        classification=classification,
        version=version,
        kek=kek,
        nonce=nonce,
    )
    data_key = DataKey(data_key_id, wrapped, classification, version, timezone.now(), None, None)
    return data_key, dek


def data_key_unwrap(data_key: DataKey, *, keyring: KekSource | None = None) -> bytes:
    """The plaintext data key; ``KeyDestroyed`` or ``IntegrityFailure`` when it cannot be."""
    wrapped = bytes(data_key.wrapped_key or b"")
    if data_key.destroyed_at is not None or not wrapped:
        raise KeyDestroyed(f"data key {data_key.id} was destroyed")
    if len(wrapped) != NONCE_BYTES + KEY_BYTES + TAG_BYTES:
        raise IntegrityFailure(f"data key {data_key.id} has a malformed wrapped key")
    source = keyring if keyring is not None else keyring_current()
    _, kek = _kek(source, data_key.kek_classification, data_key.kek_version)
    aad = _wrap_aad(data_key.id, data_key.kek_classification, data_key.kek_version)
    try:
        return _kek_aead(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
    except InvalidTag as error:
        raise IntegrityFailure(f"data key {data_key.id} does not unwrap") from error


def data_key_rewrap(data_key: DataKey, *, version: int, keyring: KekSource) -> None:
    """Re-wrap ``data_key`` in place under KEK ``version`` of its classification (unsaved).

    Only the 60-byte wrapped key changes; the bodies it protects are never re-encrypted.
    """
    dek = data_key_unwrap(data_key, keyring=keyring)
    new_version, kek = _kek(keyring, data_key.kek_classification, version)
    data_key.wrapped_key = _wrap(
        dek,
        data_key_id=data_key.id,
        classification=data_key.kek_classification,
        version=new_version,
        kek=kek,
    )
    data_key.kek_version = new_version
    data_key.rewrapped_at = timezone.now()


# --- Sealing --------------------------------------------------------------------------------

Bytes = bytes | bytearray | memoryview


@dataclass(frozen=True)
class Sealed:
    """A sealed body: the ciphertext (format above) and the data key that opens it.

    ``seal`` returns the data key unsaved: save it in the same transaction as the row that
    stores ``ciphertext`` and its foreign key to ``data_key``.
    """

    data_key: DataKey
    ciphertext: Bytes = field(repr=False)


def _make_unfilled_buffer() -> Callable[[int], bytearray]:
    """``bytearray(size)`` zero-fills: a 16 MB body would pay a 16 MB memset (a third of the
    AES-GCM time) for bytes that are overwritten at once. CPython's
    ``PyByteArray_FromStringAndSize(NULL, size)`` allocates without filling; elsewhere fall
    back to ``bytearray``.

    Why this is sound (reviewed for CPython 3.11 to 3.13):

    - it creates a *new* ``bytearray``, mutable and owned only by the caller: nothing is ever
      written into an existing (possibly interned or shared) immutable ``bytes`` object;
    - a NULL source is the documented way to ask for an uninitialised buffer (the function
      copies only ``if (bytes != NULL)``) and it NUL-terminates the allocation itself;
    - ``restype = py_object`` takes over the new reference: ctypes drops the extra reference
      its getter adds, so the buffer is freed like any other (a test checks no leak);
    - the buffer's old heap contents are never exposed: ``seal`` writes the header, and
      ``AESGCM.encrypt_into`` requires a buffer of exactly ``len(plaintext) + 16`` bytes and
      writes all of it, or raises, in which case the buffer is dropped unreturned (a test
      checks every byte equals a bare AES-GCM call).

    Plaintext data keys are ``bytes`` and are not zeroed: Python gives no sound way to wipe an
    immutable object (overwriting one in place through ctypes could corrupt a shared or cached
    object), and OpenSSL keeps its own copy of the key schedule, which it clears on free."""
    try:
        import ctypes  # noqa: PLC0415 - ctypes is optional on some Python builds

        allocate = ctypes.pythonapi.PyByteArray_FromStringAndSize
        allocate.restype = ctypes.py_object
        allocate.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t)
        if not isinstance(allocate(None, 1), bytearray):
            raise TypeError("unexpected result")
    except (ImportError, AttributeError, TypeError, ValueError):
        return bytearray

    def unfilled(size: int) -> bytearray:
        buffer: bytearray = allocate(None, size)
        return buffer

    return unfilled


_unfilled_buffer = _make_unfilled_buffer()


def _seal_aad(object_id: str | int, label: Label) -> bytes:
    """``"jointcase-sealed" NUL || format (1) || label digest (32) || object id (UTF-8, last so
    the layout needs no length)``."""
    return _SEAL_PURPOSE + label.digest + str(object_id).encode("utf-8")


def seal(
    *,
    plaintext: Bytes,
    object_id: str | int,
    label: LabelLike,
    keyring: KekSource | None = None,
) -> Sealed:
    """Encrypt ``plaintext`` for the object ``object_id`` carrying ``label``.

    A new data key is made for every call and wrapped under the KEK of the label's
    classification. The object id must be known before sealing (use the item's UUID, or save
    the row first), since it is bound into the associated data.
    """
    normal = label_of(label)
    data_key, dek = data_key_new(classification=normal.classification, keyring=keyring)
    nonce = os.urandom(NONCE_BYTES)
    view = memoryview(plaintext)
    out = _unfilled_buffer(HEADER_BYTES + view.nbytes + TAG_BYTES)
    out[0] = FORMAT_VERSION
    out[1:HEADER_BYTES] = nonce
    # encrypt_into insists on a buffer of exactly len(plaintext) + 16 bytes and fills it all
    # (or raises, and ``out`` is dropped), so no byte of ``out`` is left unwritten.
    AESGCM(dek).encrypt_into(
        nonce, view, _seal_aad(object_id, normal), memoryview(out)[HEADER_BYTES:]
    )
    return Sealed(data_key=data_key, ciphertext=out)


def open_sealed(
    *,
    sealed: Sealed,
    object_id: str | int,
    label: LabelLike,
    keyring: KekSource | None = None,
) -> bytes:
    """Decrypt ``sealed`` for ``object_id`` under ``label``.

    Raises ``IntegrityFailure`` when the ciphertext, label, object id or wrapped key was
    altered, ``KeyDestroyed`` when the data key was destroyed, and ``KeyUnavailable`` when the
    keyring lacks the KEK version (all ``SealError``: withhold the item and audit).
    """
    normal = label_of(label)
    data_key = sealed.data_key
    if data_key.destroyed_at is None and data_key.kek_classification != normal.classification:
        raise IntegrityFailure(
            f"data key {data_key.id} is for {data_key.kek_classification}, "
            f"the label says {normal.classification}"
        )
    dek = data_key_unwrap(data_key, keyring=keyring)
    blob = memoryview(sealed.ciphertext)
    if blob.nbytes < HEADER_BYTES + TAG_BYTES or blob[0] != FORMAT_VERSION:
        raise IntegrityFailure(f"object {object_id} has a malformed ciphertext")
    try:
        return AESGCM(dek).decrypt(
            blob[1:HEADER_BYTES], blob[HEADER_BYTES:], _seal_aad(object_id, normal)
        )
    except InvalidTag as error:
        raise IntegrityFailure(f"object {object_id} does not decrypt under its label") from error


def reseal(
    *,
    sealed: Sealed,
    object_id: str | int,
    old_label: LabelLike,
    new_label: LabelLike,
    keyring: KekSource | None = None,
) -> Sealed:
    """Re-encrypt for a label changed through the service (new data key, new AAD).

    The caller stores the result and destroys the old data key (``data_key_destroy``) in the
    same transaction as the label change.
    """
    plaintext = open_sealed(sealed=sealed, object_id=object_id, label=old_label, keyring=keyring)
    return seal(plaintext=plaintext, object_id=object_id, label=new_label, keyring=keyring)


def label_from(
    *,
    classification: str,
    originator: str,
    caveats: Iterable[str] = (),
    releasable_to: Iterable[str] = (),
    orcon: bool = False,
) -> Label:
    """Build a ``Label`` from any iterables (querysets' value lists, sets)."""
    return Label(
        classification=classification,
        originator=originator,
        caveats=tuple(caveats),
        releasable_to=tuple(releasable_to),
        orcon=orcon,
    )
