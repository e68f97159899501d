"""docs/audit.md's worked example is what the code produces, and its verifier works."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jointcase.audit.chain import GENESIS_HASH, entry_canonical_bytes, entry_fields, entry_hash
from jointcase.audit.checkpoints import checkpoint_parse, signed_bytes

DOC = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text(encoding="utf-8")


def _examples() -> tuple[SimpleNamespace, SimpleNamespace]:
    first = SimpleNamespace(
        seq=1,
        occurred_at=dt.datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=dt.UTC),
        action="case.viewed",
        outcome="ALLOW",
        actor_id=42,
        actor_username="ctnm.officer",
        actor_agency="ctu-north-east",
        object_type="case",
        object_id="1207",
        reason="",
        purpose="case_management",
        recipient="",
        source_address="10.0.0.7",
        details={"via": "page", "fields": ["summary", "risk"]},
        prev_hash=GENESIS_HASH,
    )
    second = SimpleNamespace(
        seq=2,
        occurred_at=dt.datetime(2026, 11, 27, 9, 31, 5, tzinfo=dt.UTC),
        action="case.viewed",
        outcome="DENY",
        actor_id=57,
        actor_username="officer.notoncase",
        actor_agency="ctu-north-west",
        object_type="case",
        object_id="1207",
        reason='not on the case team\n{"outcome":"ALLOW"}',
        purpose="",
        recipient="",
        source_address="10.0.0.9",
        details={},
        prev_hash=entry_hash(first),
    )
    return first, second


def test_the_documented_bytes_and_hashes_are_what_the_code_computes() -> None:
    for entry in _examples():
        encoded = entry_canonical_bytes(entry)
        assert encoded.decode("utf-8") in DOC
        assert f"{len(encoded)} bytes" in DOC
        assert entry_hash(entry) in DOC


def test_the_documented_checkpoint_signature_verifies() -> None:
    _, second = _examples()
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    document: dict[str, Any] = {
        "format": "jointcase-audit-checkpoint/1",
        "service": "jointcase",
        "seq": 2,
        "entry_hash": entry_hash(second),
        "checkpoint_time": "2026-11-27T09:45:00.000000Z",
        "key_version": 1,
    }
    assert signed_bytes(document).decode() in DOC
    signature = base64.b64encode(key.sign(signed_bytes(document))).decode()
    assert signature in DOC
    document["signature"] = signature
    checkpoint_parse(document, {1: key.public_key()})


def test_the_documented_minimal_verifier_agrees_with_jointcase() -> None:
    code = re.search(r"### A minimal verifier.*?```python\n(.*?)```", DOC, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own documentation
    rows = []
    for entry in _examples():
        row = entry_fields(entry)
        row["entry_hash"] = entry_hash(entry)
        rows.append(row)
    assert namespace["first_bad_entry"](rows) is None
    rows[1]["reason"] = "nothing to see"
    assert namespace["first_bad_entry"](rows) == 2
