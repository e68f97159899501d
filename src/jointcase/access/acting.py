"""Who may *act*: the one refusal shape every app uses (docs/design.md "The security model":
``access`` decides who may see and who may act).

A ``*_refusal(user, obj)`` function answers whether ``user`` (who may already see ``obj``:
check that first) may do one thing to it: ``None`` when they may, else a ``Refusal`` with the
reason recorded in the audit chain and the message shown to them. Services call
``permission_require`` before writing, so no service can be called unchecked; it writes the
DENY entry (in its own transaction, so the denial survives the refused action) and raises
``NotPermitted``, which pages and the API answer with 403, or with the same 404 as a missing
object when ``Refusal.hidden`` says the actor may not know the object exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record

if TYPE_CHECKING:
    from django.http import HttpRequest

    from jointcase.accounts.models import User


@dataclass(frozen=True)
class Refusal:
    """Why the actor may not do this: ``reason`` for the audit entry, ``message`` for them.

    ``hidden``: the actor may not even see the object, so they are answered exactly as for a
    missing one (404), never told it exists."""

    reason: str
    message: str
    hidden: bool = False


class NotPermitted(PermissionDenied):
    """The actor may not do this: 403 with ``message`` (404 when the refusal is hidden).

    Raised only after the DENY audit entry is written (``permission_require``)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal
        self.message = refusal.message

    @property
    def hidden(self) -> bool:
        return self.refusal.hidden


def audited_denial(
    *,
    actor: User | None,
    action: str,
    reason: str,
    object_type: str,
    object_id: str | int,
    request: HttpRequest | None = None,
    details: dict[str, object] | None = None,
) -> None:
    """Record one DENY entry in its own transaction (it outlives the refused action)."""
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            outcome=Outcome.DENY,
            object_type=object_type,
            object_id=object_id,
            reason=reason,
            details=details,
            request=request,
        )


def permission_require(
    *,
    actor: User | None,
    refusal: Refusal | None,
    action: str,
    object_type: str,
    object_id: str | int,
    request: HttpRequest | None = None,
    details: dict[str, object] | None = None,
) -> None:
    """Raise ``NotPermitted`` (after a DENY audit entry with the reason) when refused.

    ``details`` go on the DENY entry (agency administration flags its refusals as alerts)."""
    if refusal is None:
        return
    audited_denial(
        actor=actor,
        action=action,
        reason=refusal.reason,
        object_type=object_type,
        object_id=object_id,
        request=request,
        details=details,
    )
    raise NotPermitted(refusal)
