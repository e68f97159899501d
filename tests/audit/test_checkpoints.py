"""Signed checkpoints: made by command and by the worker, posted to a witness, verifiable."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from jointcase.audit.checkpoints import (
    CheckpointInvalid,
    checkpoint_create,
    checkpoint_parse,
    signed_bytes,
)
from jointcase.audit.models import AuditCheckpoint, AuditEntry, ChainHead
from jointcase.audit.services import audit_record
from jointcase.audit.verify import chain_verify
from jointcase.keyring import Keyring


def test_a_checkpoint_signs_the_chain_head_and_its_signature_verifies(
    db: None, keyring: Keyring
) -> None:
    audit_record(action="test.one", actor_username="someone")
    head = ChainHead.objects.get(id=1)
    checkpoint = checkpoint_create()
    assert (checkpoint.seq, checkpoint.entry_hash) == (head.seq, head.entry_hash)
    parsed = checkpoint_parse(json.loads(checkpoint.json), keyring.audit_public_keys())
    assert parsed.seq == head.seq
    assert AuditCheckpoint.objects.get().seq == head.seq
    assert AuditEntry.objects.filter(action="audit.checkpoint_created").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("seq", 99), ("entry_hash", "1" * 64), ("checkpoint_time", "2000-01-01T00:00:00.000000Z")],
)
def test_a_checkpoint_altered_after_signing_is_refused(
    db: None, keyring: Keyring, field: str, value: Any
) -> None:
    document = dict(checkpoint_create().document)
    document[field] = value
    with pytest.raises(CheckpointInvalid, match="signature"):
        checkpoint_parse(document, keyring.audit_public_keys())


def test_a_checkpoint_signed_with_another_key_is_refused_even_if_it_carries_that_key(
    db: None, keyring: Keyring
) -> None:
    document = dict(checkpoint_create().document)
    forger = Ed25519PrivateKey.generate()
    document["signature"] = base64.b64encode(forger.sign(signed_bytes(document))).decode()
    from jointcase.keyring import public_key_b64

    document["public_key"] = public_key_b64(forger.public_key())
    with pytest.raises(CheckpointInvalid, match="not valid"):
        checkpoint_parse(document, keyring.audit_public_keys())


@pytest.mark.parametrize(
    "document", [None, [], {"format": "x"}, {"format": "jointcase-audit-checkpoint/1"}]
)
def test_malformed_checkpoints_are_refused_not_crashed_on(
    db: None, keyring: Keyring, document: Any
) -> None:
    with pytest.raises(CheckpointInvalid):
        checkpoint_parse(document, keyring.audit_public_keys())


def test_verify_reports_a_forged_checkpoint_file(db: None, keyring: Keyring) -> None:
    document = dict(checkpoint_create().document)
    document["seq"] = 1
    result = chain_verify(checkpoint_documents=[("witness.json", document)])
    assert not result.ok
    assert result.problem is None
    assert "witness.json" in result.checkpoint_errors[0]


def test_checkpoints_made_with_an_older_signing_key_still_verify_after_rotation(
    db: None, keyring: Keyring
) -> None:
    old = checkpoint_create()
    assert keyring.audit_signing_add_version() == 2
    new = checkpoint_create()
    assert (old.key_version, new.key_version) == (1, 2)
    assert chain_verify(checkpoint_documents=[("old", old.document)]).ok


def test_the_checkpoint_command_writes_the_signed_document(
    db: None, keyring: Keyring, tmp_path: Path
) -> None:
    output = tmp_path / "checkpoint.json"
    call_command("audit", "checkpoint", "--output", str(output))
    document = json.loads(output.read_text())
    assert document["format"] == "jointcase-audit-checkpoint/1"
    checkpoint_parse(document, keyring.audit_public_keys())


class _Witness(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def witness() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Witness)
    _Witness.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/checkpoints"
    server.shutdown()
    server.server_close()


def test_the_checkpoint_is_posted_to_the_witness(
    db: None, keyring: Keyring, witness: str, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit", "checkpoint", "--post", witness)
    assert len(_Witness.received) == 1
    checkpoint_parse(_Witness.received[0], keyring.audit_public_keys())
    posted = AuditEntry.objects.get(action="audit.checkpoint_posted")
    assert (posted.outcome, posted.recipient) == ("SUCCESS", witness)


def test_an_unreachable_witness_is_reported_not_fatal(
    db: None, keyring: Keyring, capsys: pytest.CaptureFixture[str]
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Witness)
    port = server.server_address[1]
    server.server_close()  # nothing listens there now
    call_command("audit", "checkpoint", "--post", f"http://127.0.0.1:{port}/")
    assert "Not posted to the witness" in capsys.readouterr().err
    assert AuditCheckpoint.objects.count() == 1
    assert AuditEntry.objects.get(action="audit.checkpoint_posted").outcome == "FAILURE"


def test_the_worker_task_makes_a_checkpoint_and_schedules_exactly_one_next(
    db: None, keyring: Keyring, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from jointcase.audit.tasks import audit_checkpoint_periodic

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    audit_checkpoint_periodic.call()
    audit_checkpoint_periodic.call()
    assert AuditCheckpoint.objects.count() == 2
    waiting = DBTaskResult.objects.filter(
        task_path=audit_checkpoint_periodic.module_path, status="READY"
    )
    assert waiting.count() == 1
    call_command("audit", "scheduler")
    assert waiting.count() == 1


def test_verify_exits_2_when_only_a_witness_checkpoint_is_forged(
    db: None, keyring: Keyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = dict(checkpoint_create().document)
    document["checkpoint_time"] = "2030-01-01T00:00:00.000000Z"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", "--no-progress", "--json", "--checkpoint", str(forged))
    assert exit_info.value.code == 2
    report = json.loads(capsys.readouterr().out)
    assert report["problem"] is None
    assert "forged.json" in report["checkpoint_errors"][0]
