"""Every kind of tampering is found, and the verifier names the first bad entry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jointcase.audit.checkpoints import checkpoint_create
from jointcase.audit.verify import chain_verify
from jointcase.keyring import Keyring
from tests.audit import tamper

pytestmark = pytest.mark.audit_tampering

EDITS: list[tuple[str, Any]] = [
    ("occurred_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
    ("action", "case.edited"),
    ("outcome", "DENY"),
    ("actor_id", 999),
    ("actor_username", "someone.else"),
    ("actor_agency", "other-agency"),
    ("object_type", "person"),
    ("object_id", "999"),
    ("reason", "a better story"),
    ("purpose", "audit"),
    ("recipient", "nobody"),
    ("source_address", "10.0.0.1"),
    ("details", {"n": 0}),
    ("prev_hash", "f" * 64),
    ("entry_hash", "e" * 64),
]


def test_a_clean_chain_verifies(db: None, keyring: Keyring) -> None:
    tamper.build_chain(6)
    checkpoint_create()
    tamper.build_chain(3)
    result = chain_verify()
    assert result.ok, result.problem
    assert result.entries == 10
    assert result.checkpoints_checked == 1


@pytest.mark.parametrize(("field", "value"), EDITS, ids=[field for field, _ in EDITS])
def test_editing_any_field_is_found_at_that_entry(
    db: None, keyring: Keyring, field: str, value: Any
) -> None:
    tamper.build_chain(8)
    tamper.update(4, **{field: value})
    problem = chain_verify().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("edited", 4)


def test_editing_the_sequence_number_is_found_at_that_entry(db: None, keyring: Keyring) -> None:
    tamper.build_chain(8)
    tamper.renumber(4, 100)
    problem = chain_verify().problem
    assert problem is not None
    assert problem.seq == 4


def test_a_deleted_entry_is_found_as_a_gap(db: None, keyring: Keyring) -> None:
    tamper.build_chain(8)
    tamper.delete(4, 5)
    problem = chain_verify().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("deleted", 4)
    assert "entries 4 to 5 missing" in problem.message


def test_deleting_the_first_entry_is_found(db: None, keyring: Keyring) -> None:
    tamper.build_chain(3)
    tamper.delete(1)
    problem = chain_verify().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("deleted", 1)


def test_a_forged_entry_inserted_in_the_middle_is_named(db: None, keyring: Keyring) -> None:
    entries = tamper.build_chain(8)
    for seq in range(8, 3, -1):  # make room at 4, as an attacker renumbering the tail would
        tamper.renumber(seq, seq + 1)
    tamper.forge(4, entries[2].entry_hash, actor_username="alibi", reason="forged")
    problem = chain_verify().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("inserted", 4)


def test_a_forged_entry_linked_to_nothing_is_named(db: None, keyring: Keyring) -> None:
    tamper.build_chain(5)
    tamper.forge(6, "a" * 64, reason="forged")
    problem = chain_verify().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("inserted", 6)


def test_reordered_entries_are_found_at_the_first_moved_one(db: None, keyring: Keyring) -> None:
    tamper.build_chain(8)
    tamper.renumber(3, 1000)
    tamper.renumber(6, 3)
    tamper.renumber(1000, 6)
    problem = chain_verify().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("reordered", 3)
    assert "position 6" in problem.message


def test_a_truncated_tail_is_caught_by_the_signed_checkpoint(db: None, keyring: Keyring) -> None:
    tamper.build_chain(8)
    checkpoint_create()  # signs entry 8, then records itself as entry 9
    tamper.delete(6, 7, 8, 9)
    tamper.set_head(5)
    problem = chain_verify().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("truncated", 6)


def test_a_truncated_tail_is_caught_by_the_chain_head_without_checkpoints(
    db: None, keyring: Keyring
) -> None:
    tamper.build_chain(8)
    tamper.delete(7, 8)
    problem = chain_verify().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("truncated", 7)


def _witness_copy(tmp_path: Path) -> tuple[str, dict[str, Any]]:
    checkpoint = checkpoint_create()
    path = tmp_path / f"checkpoint-{checkpoint.seq}.json"
    path.write_text(checkpoint.json)
    return str(path), json.loads(path.read_text())


def test_restoring_an_older_copy_of_the_database_is_caught_by_a_witness_checkpoint(
    db: None, keyring: Keyring, tmp_path: Path
) -> None:
    tamper.build_chain(5)
    checkpoint_create()
    older = tamper.snapshot()  # entries 1-6
    tamper.build_chain(3)
    witness = _witness_copy(tmp_path)  # kept by the partner, outside this database
    tamper.restore(older)
    assert chain_verify().ok  # the database alone looks consistent...
    problem = chain_verify(checkpoint_documents=[witness]).problem  # ...the witness does not
    assert problem is not None
    assert (problem.kind, problem.seq) == ("truncated", 7)


def test_a_restored_copy_that_was_appended_to_diverges_from_the_witness(
    db: None, keyring: Keyring, tmp_path: Path
) -> None:
    tamper.build_chain(5)
    checkpoint_create()  # signs 5; entry 6 records it
    older = tamper.snapshot()
    tamper.build_chain(3)
    witness = _witness_copy(tmp_path)  # signs 9
    tamper.restore(older)
    tamper.build_chain(6)  # life goes on after the restore: entries 7-12
    problem = chain_verify(checkpoint_documents=[witness]).problem
    assert problem is not None
    assert problem.kind == "restored"
    assert problem.seq == 6  # the last agreeing checkpoint signed entry 5
    assert "between 6 and 9" in problem.message


def test_the_verify_command_exits_non_zero_naming_the_first_bad_entry(
    db: None, keyring: Keyring, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper.build_chain(5)
    tamper.update(3, reason="changed")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", "--no-progress")
    assert exit_info.value.code == 1
    assert "FIRST BAD ENTRY: 3 (edited)" in capsys.readouterr().err


def test_the_verify_command_checks_witness_files(
    db: None, keyring: Keyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper.build_chain(4)
    path, _ = _witness_copy(tmp_path)
    call_command("audit", "verify", "--no-progress", "--checkpoint", path)
    out = capsys.readouterr().out
    assert "Checked 5 entries and 2 checkpoints" in out
    assert "The chain verifies" in out
    tamper.delete(4, 5)  # the witness signed entry 4
    tamper.set_head(3)
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", "--no-progress", "--checkpoint", path)
    assert exit_info.value.code == 1
    assert "FIRST BAD ENTRY: 4 (truncated)" in capsys.readouterr().err
