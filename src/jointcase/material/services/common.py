"""Helpers every material service shares: the refusal audit, the not-found denial, the read
check before a write, and the two together with the act's own refusal (``item_act_require``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest

from jointcase.access.acting import Refusal, audited_denial, permission_require
from jointcase.access.material import (
    material_decision,
)
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.material.models import (
    MaterialItem,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User


NOT_FOUND = "Material not found"
ABOVE_SYSTEM_HIGH = (
    "This service may not hold material above {level}: record it as a reference to material "
    "held elsewhere"
)
#: Roles that may review break-glass access.


def refuse(
    *,
    action: str,
    actor: User,
    errors: dict[str, Any],
    object_type: str = "material",
    object_id: str | int = "",
    request: HttpRequest | None = None,
) -> ValidationError:
    """Audit a refusal (in its own transaction, so it stays) and return the error to raise."""
    error = ValidationError(errors)
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            outcome=Outcome.FAILURE,
            object_type=object_type,
            object_id=object_id,
            reason="; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            ),
            request=request,
        )
    return error


def deny(
    *, action: str, actor: User, object_id: str | int, reason: str, request: HttpRequest | None
) -> Http404:
    """Record the DENY entry (``access.acting.audited_denial``) and return the same 404 as for
    a missing object."""
    audited_denial(
        actor=actor,
        action=action,
        reason=reason,
        object_type="material",
        object_id=object_id,
        request=request,
    )
    return Http404(NOT_FOUND)


def access_check(
    *, actor: User, item: MaterialItem, action: str, request: HttpRequest | None
) -> None:
    decision = material_decision(actor, item)
    if not decision.allowed:
        raise deny(
            action=action,
            actor=actor,
            object_id=str(item.pk),
            reason=decision.reason,
            request=request,
        )


def item_act_require(
    *,
    actor: User,
    item: MaterialItem,
    action: str,
    refusal: Callable[[User, MaterialItem], Refusal | None],
    request: HttpRequest | None,
) -> None:
    """The actor may act on ``item``: they see it (else the 404 of a missing item) and
    ``refusal`` (a ``jointcase.access.material_acts`` rule, asked only once they see it) does
    not refuse them (else a 403), each refusal with its DENY entry."""
    access_check(actor=actor, item=item, action=action, request=request)
    permission_require(
        actor=actor,
        refusal=refusal(actor, item),
        action=action,
        object_type="material",
        object_id=str(item.pk),
        request=request,
    )
