"""How a delivery is signed (docs/exchange.md "Verifying a delivery"). Pure: no Django.

The signature is HMAC-SHA256, keyed with the subscription's secret, over
``"{timestamp}.{body}"`` where ``timestamp`` is the Unix time of the attempt (seconds) and
``body`` the exact bytes posted. It travels as ``JointCase-Signature: t=<timestamp>,v1=<hex>``.
A receiver recomputes it, compares in constant time and refuses a timestamp outside its replay
window (``REPLAY_WINDOW_SECONDS``): a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "JointCase-Signature"
REPLAY_WINDOW_SECONDS = 300


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: bytes, body: bytes, *, now: float | None = None) -> str:
    timestamp = int(time.time() if now is None else now)
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def signature_verify(secret: bytes, header: str, body: bytes, *, now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within the replay window."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))
