"""``jointcase keys rotate``: every live data key is re-wrapped under the newest KEK version,
resumably, without touching a single body."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command

from jointcase.audit.models import AuditEntry, Outcome
from jointcase.keyring import Keyring, keyring_load
from jointcase.material import keys
from jointcase.material.crypto import Label, Sealed, open_sealed, seal
from jointcase.material.keys import data_key_destroy, keys_rotate
from jointcase.material.models import DataKey, KeyRotation

pytestmark = pytest.mark.django_db


class Killed(Exception):
    """The operator's Ctrl-C, as the command would see it."""


LABELS = {
    "OFFICIAL": Label(classification="OFFICIAL", originator="nsd-north"),
    "SECRET": Label(
        classification="SECRET", originator="ctu-north-east", caveats=("UK EYES ONLY",)
    ),
}


@pytest.fixture
def items(keyring: Keyring) -> list[tuple[str, Label, bytes, Sealed]]:
    """Seven sealed bodies (four OFFICIAL, three SECRET) with their data keys saved."""
    made = []
    for number in range(7):
        label = LABELS["OFFICIAL" if number % 2 == 0 else "SECRET"]
        body = f"body of item {number}".encode()
        sealed = seal(plaintext=body, object_id=f"item-{number}", label=label)
        sealed.data_key.save(force_insert=True)
        made.append((f"item-{number}", label, body, sealed))
    return made


def _opens(items: list[tuple[str, Label, bytes, Sealed]]) -> bool:
    """Every item opens from its data key as now stored, with its untouched ciphertext."""
    for object_id, label, body, sealed in items:
        stored = Sealed(
            data_key=DataKey.objects.get(pk=sealed.data_key.pk), ciphertext=sealed.ciphertext
        )
        if open_sealed(sealed=stored, object_id=object_id, label=label) != body:
            return False
    return True


def _versions() -> set[tuple[str, int]]:
    return set(
        DataKey.objects.filter(destroyed_at__isnull=True).values_list(
            "kek_classification", "kek_version"
        )
    )


def test_rotation_rewraps_every_data_key_under_a_new_kek_version_and_items_still_open(
    keyring: Keyring, items: list[tuple[str, Label, bytes, Sealed]]
) -> None:
    wrapped_before = {key.pk: bytes(key.wrapped_key) for key in DataKey.objects.all()}

    result = keys_rotate(batch_size=3, progress=False)

    assert result.rewrapped == 7
    assert result.batches == 3
    assert result.resumed is False
    assert result.target_versions["OFFICIAL"] == 2
    assert result.target_versions["SECRET"] == 2
    assert keyring_load().kek_versions("SECRET") == [1, 2]
    assert _versions() == {("OFFICIAL", 2), ("SECRET", 2)}
    assert all(bytes(key.wrapped_key) != wrapped_before[key.pk] for key in DataKey.objects.all())
    assert _opens(items)


def test_rotation_is_audited_with_its_counts(
    keyring: Keyring, items: list[tuple[str, Label, bytes, Sealed]]
) -> None:
    result = keys_rotate(batch_size=500, progress=False)

    started = AuditEntry.objects.get(action="keys.rotation_started")
    finished = AuditEntry.objects.get(action="keys.rotated")
    assert started.actor_username == finished.actor_username == "console"
    assert started.details["added_versions"]["SECRET"] == 2
    assert finished.outcome == Outcome.SUCCESS
    assert finished.object_id == str(result.rotation_id)
    assert finished.details["rewrapped"] == 7
    assert finished.details["already_current"] == 0
    assert finished.details["target_versions"]["OFFICIAL"] == 2


def test_an_interrupted_rotation_resumes_where_it_stopped_without_another_key_version(
    keyring: Keyring,
    items: list[tuple[str, Label, bytes, Sealed]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_rewrap: Callable[..., None] = keys.data_key_rewrap
    calls = {"count": 0}

    def killed_during_the_second_batch(*args: object, **kwargs: object) -> None:
        calls["count"] += 1
        if calls["count"] == 3:
            raise Killed
        real_rewrap(*args, **kwargs)

    monkeypatch.setattr(keys, "data_key_rewrap", killed_during_the_second_batch)
    with pytest.raises(Killed):
        keys_rotate(batch_size=2, progress=False)
    monkeypatch.undo()

    assert DataKey.objects.filter(kek_version=2).count() == 2  # the first batch committed
    assert DataKey.objects.filter(kek_version=1).count() == 5  # the second rolled back
    assert _opens(items)  # a half-rotated store is fully readable

    result = keys_rotate(batch_size=2, progress=False)

    assert result.resumed is True
    assert result.rewrapped == 5
    assert result.added_versions == {}
    assert keyring_load().kek_versions("OFFICIAL") == [1, 2]
    assert _versions() == {("OFFICIAL", 2), ("SECRET", 2)}
    assert KeyRotation.objects.get().finished_at is not None
    assert KeyRotation.objects.get().rewrapped == 7
    assert _opens(items)


def test_running_rotation_again_with_no_new_version_finds_nothing_to_do(
    keyring: Keyring, items: list[tuple[str, Label, bytes, Sealed]]
) -> None:
    keys_rotate(progress=False)

    again = keys_rotate(new_version=False, progress=False)

    assert again.rewrapped == 0
    assert again.already_current == 7
    assert keyring_load().kek_versions("SECRET") == [1, 2]


def test_a_second_rotation_moves_every_key_on_to_the_third_version(
    keyring: Keyring, items: list[tuple[str, Label, bytes, Sealed]]
) -> None:
    keys_rotate(progress=False)

    second = keys_rotate(progress=False)

    assert second.rewrapped == 7
    assert _versions() == {("OFFICIAL", 3), ("SECRET", 3)}
    assert _opens(items)


def test_items_sealed_after_a_rotation_use_the_new_version_and_older_ones_still_open(
    keyring: Keyring, items: list[tuple[str, Label, bytes, Sealed]]
) -> None:
    keys_rotate(progress=False)

    later = seal(plaintext=b"later", object_id="item-later", label=LABELS["SECRET"])

    assert later.data_key.kek_version == 2
    assert _opens(items)


def test_destroyed_keys_are_left_destroyed_by_rotation(
    keyring: Keyring, items: list[tuple[str, Label, bytes, Sealed]]
) -> None:
    _, _, _, first = items[0]
    data_key_destroy(actor=None, data_key=first.data_key, reason="Retention period ended")

    result = keys_rotate(progress=False)

    destroyed = DataKey.objects.get(pk=first.data_key.pk)
    assert result.rewrapped == 6
    assert bytes(destroyed.wrapped_key) == b""
    assert destroyed.kek_version == 1


def test_a_key_altered_in_the_database_is_reported_and_the_rotation_left_unfinished(
    keyring: Keyring, items: list[tuple[str, Label, bytes, Sealed]]
) -> None:
    _, _, _, first = items[0]
    DataKey.objects.filter(pk=first.data_key.pk).update(wrapped_key=b"\x00" * 60)

    result = keys_rotate(progress=False)

    assert result.rewrapped == 6
    assert result.failed == [str(first.data_key.pk)]
    assert KeyRotation.objects.get().finished_at is None
    entry = AuditEntry.objects.get(action="keys.rotated")
    assert entry.outcome == Outcome.FAILURE
    assert "altered outside JointCase" in entry.reason


def test_rotation_shows_a_progress_bar(
    keyring: Keyring,
    items: list[tuple[str, Label, bytes, Sealed]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys_rotate(batch_size=3)

    assert "Re-wrapping data keys" in capsys.readouterr().err


def test_the_keys_rotate_command_rewraps_every_key_and_says_so(
    keyring: Keyring, items: list[tuple[str, Label, bytes, Sealed]]
) -> None:
    output = StringIO()

    call_command("keys", "rotate", "--no-progress", stdout=output)

    assert "rewrapped: 7" in output.getvalue()
    assert _versions() == {("OFFICIAL", 2), ("SECRET", 2)}
    assert _opens(items)
