"""The keyring: key-encryption keys and the audit signing key, held outside the database.

A directory (``settings.KEYRING_PATH``, env ``JOINTCASE_KEYRING``) holding one JSON file,
``keyring.json``. The directory is mode 0700 and the file 0600; loading refuses anything
group- or other-accessible, so a copied or carelessly restored keyring is noticed before it
is used. Every key is versioned; the highest version is current, older versions stay to
unwrap (KEKs) or verify (signing keys) what they protected. Writes are atomic (temporary
file in the same directory, then ``os.replace``), so a crash never leaves half a keyring.

File format (``"format": "jointcase-keyring/1"``)::

    {"format": "jointcase-keyring/1", "created_at": "...Z",
     "kek": {"OFFICIAL": [{"version": 1, "created_at": "...Z", "key_b64": "<32 bytes>"}], ...},
     "audit_signing": [{"version": 1, "created_at": "...Z",
                        "private_key_b64": "<32-byte Ed25519 seed>",
                        "public_key_b64": "<32-byte Ed25519 public key>"}]}
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.conf import settings

KEYRING_FILE = "keyring.json"
LOCK_FILE = ".keyring.lock"
FORMAT = "jointcase-keyring/1"
CLASSIFICATIONS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
KEK_BYTES = 32


class KeyringError(Exception):
    """Base class: every message is written for the operator who has to fix it."""


class KeyringMissing(KeyringError):
    pass


class KeyringInsecure(KeyringError):
    pass


class KeyringExists(KeyringError):
    pass


class KeyringCorrupt(KeyringError):
    pass


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _default_path() -> Path:

    return Path(settings.KEYRING_PATH)


def _new_signing_version(version: int) -> dict[str, Any]:
    private = Ed25519PrivateKey.generate()

    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "version": version,
        "created_at": _now(),
        "private_key_b64": _b64(seed),
        "public_key_b64": _b64(public),
    }


def _new_kek_version(version: int) -> dict[str, Any]:
    key = secrets.token_bytes(KEK_BYTES)
    return {"version": version, "created_at": _now(), "key_b64": _b64(key)}


def _check_permissions(directory: Path, file: Path) -> None:
    """Refuse a keyring that anyone but its owner can reach."""
    for target, wanted in ((directory, "700"), (file, "600")):
        mode = target.stat().st_mode
        if stat.S_IMODE(mode) & 0o077:
            raise KeyringInsecure(
                f"The keyring at {target} is readable or writable by other users "
                f"(mode {stat.S_IMODE(mode):04o}). JointCase will not use it. "
                f"Run: chmod {wanted} '{target}'"
            )


def _write_atomically(directory: Path, data: dict[str, Any]) -> None:
    payload = json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    temporary = directory / f".{KEYRING_FILE}.{secrets.token_hex(6)}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, directory / KEYRING_FILE)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    directory_descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_descriptor)
    finally:
        os.close(directory_descriptor)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock across processes for read-modify-write of the keyring."""
    descriptor = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def _read(directory: Path) -> dict[str, Any]:
    file = directory / KEYRING_FILE
    if not directory.is_dir() or not file.is_file():
        raise KeyringMissing(
            f"No keyring at {file}. Create one with: jointcase keys init "
            f"(set JOINTCASE_KEYRING to choose the directory)."
        )
    _check_permissions(directory, file)
    try:
        data = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise KeyringCorrupt(f"The keyring at {file} cannot be read: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise KeyringCorrupt(f"The keyring at {file} is not a {FORMAT} file.")
    return data


@dataclass
class Keyring:
    """The loaded keyring. Obtain it with ``keyring_load``; never construct keys elsewhere."""

    path: Path
    data: dict[str, Any]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- key-encryption keys --------------------------------------------------------------
    def kek_versions(self, classification: str) -> list[int]:
        return sorted(int(item["version"]) for item in self._kek_list(classification))

    def _kek_list(self, classification: str) -> list[dict[str, Any]]:
        if classification not in CLASSIFICATIONS:
            raise KeyError(f"no key-encryption keys for classification {classification!r}")
        versions: list[dict[str, Any]] = self.data.get("kek", {}).get(classification, [])
        if not versions:
            raise KeyringCorrupt(f"The keyring at {self.path} has no {classification} key.")
        return versions

    def kek(self, classification: str, version: int | None = None) -> tuple[int, bytes]:
        """``(version, key)``: the current key-encryption key, or the given version."""
        versions = self._kek_list(classification)
        if version is None:
            item = max(versions, key=lambda entry: int(entry["version"]))
        else:
            matching = [entry for entry in versions if int(entry["version"]) == version]
            if not matching:
                raise KeyError(f"no {classification} key-encryption key version {version}")
            item = matching[0]
        return int(item["version"]), _unb64(item["key_b64"])

    def kek_add_version(self, classification: str) -> int:
        """Add a new current KEK for ``classification``; returns its version."""
        self._kek_list(classification)
        with self._lock, _locked(self.path):
            data = _read(self.path)  # the file may have moved on since this instance loaded it
            versions = data["kek"][classification]
            version = max(int(entry["version"]) for entry in versions) + 1
            versions.append(_new_kek_version(version))
            _write_atomically(self.path, data)
            self.data = data
        return version

    # --- audit signing keys ---------------------------------------------------------------
    def _signing_list(self) -> list[dict[str, Any]]:
        versions: list[dict[str, Any]] = self.data.get("audit_signing", [])
        if not versions:
            raise KeyringCorrupt(f"The keyring at {self.path} has no audit signing key.")
        return versions

    def audit_signing_version(self) -> int:
        return max(int(entry["version"]) for entry in self._signing_list())

    def audit_signing_key(self) -> Ed25519PrivateKey:
        """The current Ed25519 signing key (version ``audit_signing_version()``)."""
        current = max(self._signing_list(), key=lambda entry: int(entry["version"]))
        return Ed25519PrivateKey.from_private_bytes(_unb64(current["private_key_b64"]))

    def audit_public_keys(self) -> dict[int, Ed25519PublicKey]:
        """Every signing key's public half, by version (old ones verify old checkpoints)."""
        return {
            int(entry["version"]): Ed25519PublicKey.from_public_bytes(
                _unb64(entry["public_key_b64"])
            )
            for entry in self._signing_list()
        }

    def audit_signing_add_version(self) -> int:
        with self._lock, _locked(self.path):
            data = _read(self.path)
            versions = data["audit_signing"]
            version = max(int(entry["version"]) for entry in versions) + 1
            versions.append(_new_signing_version(version))
            _write_atomically(self.path, data)
            self.data = data
        return version

    def public_summary(self) -> dict[str, Any]:
        """What ``jointcase keys show`` prints: versions and public keys, never a secret."""
        return {
            "path": str(self.path / KEYRING_FILE),
            "kek": {
                classification: [
                    {"version": int(item["version"]), "created_at": item["created_at"]}
                    for item in self.data.get("kek", {}).get(classification, [])
                ]
                for classification in CLASSIFICATIONS
            },
            "audit_signing": [
                {
                    "version": int(item["version"]),
                    "created_at": item["created_at"],
                    "public_key_b64": item["public_key_b64"],
                }
                for item in self.data.get("audit_signing", [])
            ],
        }


def public_key_b64(key: Ed25519PublicKey) -> str:
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


_cache: dict[Path, tuple[tuple[int, int, int], Keyring]] = {}
_cache_lock = threading.Lock()


def keyring_init(path: Path | str, *, if_missing: bool = False) -> Keyring:
    """Create a keyring with version 1 of every key; refuses to overwrite an existing one."""
    directory = Path(path)
    file = directory / KEYRING_FILE
    if file.exists():
        if if_missing:
            return keyring_load(directory)
        raise KeyringExists(
            f"A keyring already exists at {file}; refusing to overwrite it "
            "(use `jointcase keys init --if-missing` to accept an existing keyring)."
        )
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    data = {
        "format": FORMAT,
        "created_at": _now(),
        "kek": {classification: [_new_kek_version(1)] for classification in CLASSIFICATIONS},
        "audit_signing": [_new_signing_version(1)],
    }
    with _locked(directory):
        if file.exists():  # another process won the race
            if if_missing:
                return keyring_load(directory)
            raise KeyringExists(f"A keyring already exists at {file}.")
        _write_atomically(directory, data)
    return keyring_load(directory)


def keyring_load(path: Path | str | None = None) -> Keyring:
    """The keyring at ``path`` (default ``settings.KEYRING_PATH``), cached until it changes."""
    directory = Path(path) if path is not None else _default_path()
    file = directory / KEYRING_FILE
    try:
        info = file.stat()
        directory_info = directory.stat()
    except FileNotFoundError:
        _read(directory)  # raises KeyringMissing with the operator message
        raise
    # Mode bits are part of the key so that a chmod to something unsafe is noticed at once.
    stamp = (
        info.st_mtime_ns,
        info.st_size,
        stat.S_IMODE(info.st_mode) | stat.S_IMODE(directory_info.st_mode) << 12,
    )
    with _cache_lock:
        cached = _cache.get(directory)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    keyring = Keyring(path=directory, data=_read(directory))
    with _cache_lock:
        _cache[directory] = (stamp, keyring)
    return keyring
