"""The keyring outside the database: refused when exposed, written atomically, never shown."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jointcase.keyring import (
    CLASSIFICATIONS,
    KeyringExists,
    KeyringInsecure,
    KeyringMissing,
    keyring_init,
    keyring_load,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "keyring"


def test_a_new_keyring_is_private_to_its_owner(path: Path) -> None:
    keyring = keyring_init(path)
    assert os.stat(path).st_mode & 0o777 == 0o700
    assert os.stat(path / "keyring.json").st_mode & 0o777 == 0o600
    for classification in CLASSIFICATIONS:
        version, key = keyring.kek(classification)
        assert (version, len(key)) == (1, 32)
    assert keyring.audit_signing_version() == 1
    assert set(keyring.audit_public_keys()) == {1}


def test_a_missing_keyring_says_how_to_create_one(path: Path) -> None:
    with pytest.raises(KeyringMissing, match="jointcase keys init"):
        keyring_load(path)


@pytest.mark.parametrize(
    ("target", "mode", "fix"),
    [("dir", 0o755, "chmod 700"), ("file", 0o644, "chmod 600"), ("file", 0o660, "chmod 600")],
)
def test_a_keyring_others_can_read_is_refused_with_the_fix(
    path: Path, target: str, mode: int, fix: str
) -> None:
    keyring_init(path)
    exposed = path if target == "dir" else path / "keyring.json"
    os.chmod(exposed, mode)
    with pytest.raises(KeyringInsecure) as error:
        keyring_load(path)
    assert str(exposed) in str(error.value)
    assert fix in str(error.value)


def test_init_refuses_to_overwrite_and_if_missing_keeps_the_keys(path: Path) -> None:
    first = keyring_init(path)
    with pytest.raises(KeyringExists):
        keyring_init(path)
    again = keyring_init(path, if_missing=True)
    assert again.kek("SECRET") == first.kek("SECRET")


def test_adding_a_kek_version_keeps_the_old_one_and_the_file_private(path: Path) -> None:
    keyring = keyring_init(path)
    old = keyring.kek("SECRET")
    assert keyring.kek_add_version("SECRET") == 2
    reloaded = keyring_load(path)
    assert reloaded.kek("SECRET")[0] == 2
    assert reloaded.kek("SECRET", 1) == old
    assert reloaded.kek("OFFICIAL")[0] == 1
    assert os.stat(path / "keyring.json").st_mode & 0o777 == 0o600
    assert sorted(os.listdir(path)) == [".keyring.lock", "keyring.json"]


def test_a_crash_while_writing_leaves_the_old_keyring_whole(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = keyring_init(path)
    before = (path / "keyring.json").read_bytes()

    def crash(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        keyring.kek_add_version("OFFICIAL")
    assert (path / "keyring.json").read_bytes() == before
    assert sorted(os.listdir(path)) == [".keyring.lock", "keyring.json"]


def test_the_loaded_keyring_is_cached_until_the_file_changes(path: Path) -> None:
    keyring_init(path)
    first = keyring_load(path)
    assert keyring_load(path) is first
    first.kek_add_version("TOP SECRET")
    assert keyring_load(path).kek("TOP SECRET")[0] == 2


def test_keys_init_and_show_commands_never_print_a_secret(
    path: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.KEYRING_PATH = path
    call_command("keys", "init")
    call_command("keys", "init", "--if-missing")
    with pytest.raises(CommandError, match="already exists"):
        call_command("keys", "init")
    call_command("keys", "show")
    call_command("keys", "show", "--json")
    out = capsys.readouterr().out
    keyring = keyring_load(path)
    assert keyring.public_summary()["audit_signing"][0]["public_key_b64"] in out
    secrets = [item["key_b64"] for versions in keyring.data["kek"].values() for item in versions]
    secrets += [item["private_key_b64"] for item in keyring.data["audit_signing"]]
    assert not any(secret in out for secret in secrets)


def test_keys_show_refuses_an_exposed_keyring(path: Path, settings: Any) -> None:
    settings.KEYRING_PATH = path
    keyring_init(path)
    os.chmod(path / "keyring.json", 0o644)
    with pytest.raises(CommandError, match="chmod 600"):
        call_command("keys", "show")


def test_keys_rotate_explains_when_rotation_is_not_installed(
    settings: Any, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installation without the material app: importing its key module fails.
    monkeypatch.setitem(sys.modules, "jointcase.material.keys", None)
    settings.KEYRING_PATH = path
    with pytest.raises(CommandError, match="not available"):
        call_command("keys", "rotate")


def test_keys_rotate_delegates_to_the_material_rotation_when_installed(
    db: None, settings: Any, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.KEYRING_PATH = path
    keyring_init(path)
    call_command("keys", "rotate", "--no-progress")
    assert "rewrapped: 0" in capsys.readouterr().out
    assert keyring_load(path).kek("SECRET")[0] == 2
