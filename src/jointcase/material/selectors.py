"""Reads of material, already scoped by ``jointcase.access.material``.

Lists use the filter (``material_visible_to``); one item goes through ``material_get_for``
(decided and audited; ``Http404`` for missing and forbidden alike). Bodies and files are
opened only on the item page, the download and the export (``material_open``,
``file_open``); an integrity failure withholds the item and is audited, never a 500.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest

from jointcase.access.material import material_decision, material_visible_to
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.keyring import KeyringError
from jointcase.material.crypto import IntegrityFailure, Sealed, SealError, open_sealed
from jointcase.material.models import (
    BreakGlass,
    MaterialFile,
    MaterialItem,
    Notification,
    ShareRequest,
    ShareStatus,
    TearlineStatus,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User
    from jointcase.cases.models import Case

logger = logging.getLogger(__name__)
NOT_FOUND = "Material not found"
UNAVAILABLE = "This item cannot be shown at the moment."


def _items() -> QuerySet[MaterialItem]:
    return MaterialItem.objects.select_related(
        "originator", "data_key", "author", "case", "approved_by"
    ).prefetch_related("caveats", "releasable_to")


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def material_get_for(
    *, user: User, item_id: Any, request: HttpRequest | None = None, action: str = "material.read"
) -> MaterialItem:
    """The item, if ``user`` may see it; Http404 otherwise. The decision is audited."""
    pk = _uuid(item_id)
    with transaction.atomic():
        item = _items().filter(pk=pk).first() if pk else None
        if item is None:
            audit_record(
                action=action,
                actor=user,
                outcome=Outcome.DENY,
                object_type="material",
                object_id=str(item_id)[:64],
                reason="not_found",
                request=request,
            )
            allowed = False
        else:
            decision = material_decision(user, item)
            audit_record(
                action=action,
                actor=user,
                outcome=Outcome.ALLOW if decision.allowed else Outcome.DENY,
                object_type="material",
                object_id=str(item.pk),
                reason=decision.reason,
                details={"case": item.case_id, "classification": item.classification},
                request=request,
            )
            allowed = decision.allowed
    if not allowed or item is None:
        raise Http404(NOT_FOUND)
    return item


def material_list_for_case(*, user: User, case: Case) -> QuerySet[MaterialItem]:
    """What ``user`` may see on ``case`` (the filter inside the query), newest first."""
    return (
        material_visible_to(user, case=case)
        .select_related("originator", "author", "parent__originator")
        .prefetch_related("caveats")
        .order_by("-created_at", "id")
    )


def material_visible_ids(*, user: User, ids: set[Any]) -> list[Any]:
    """Which of ``ids`` ``user`` may see (one query through the filter)."""
    return list(material_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


@dataclass(frozen=True)
class Opened:
    """A body opened for display, or the reason it is withheld."""

    text: str | None
    withheld: str | None = None


def _open_failure(
    *, user: User, object_id: str, error: Exception, request: HttpRequest | None
) -> str:
    if isinstance(error, IntegrityFailure):
        action, message = "material.integrity_failure", IntegrityFailure.user_message
    elif isinstance(error, SealError):
        action, message = "material.unavailable", error.user_message
    else:
        action, message = "material.unavailable", UNAVAILABLE
        logger.error("material %s cannot be opened: %s", object_id, error)
    with transaction.atomic():
        audit_record(
            action=action,
            actor=user,
            outcome=Outcome.FAILURE,
            object_type="material",
            object_id=object_id,
            reason=type(error).__name__,
            request=request,
        )
    return message


def material_open(*, user: User, item: MaterialItem, request: HttpRequest | None = None) -> Opened:
    """The item's body (``item`` must come from ``material_get_for``)."""
    if item.data_key_id is None or item.body_ciphertext is None:
        return Opened(text=None)
    assert item.data_key is not None
    try:
        plain = open_sealed(
            sealed=Sealed(item.data_key, item.body_ciphertext), object_id=str(item.pk), label=item
        )
    except (SealError, KeyringError) as error:
        return Opened(
            None, _open_failure(user=user, object_id=str(item.pk), error=error, request=request)
        )
    return Opened(text=plain.decode("utf-8", errors="replace"))


def file_open(
    *, user: User, material_file: MaterialFile, request: HttpRequest | None = None
) -> tuple[bytes | None, str | None]:
    try:
        plain = open_sealed(
            sealed=Sealed(material_file.data_key, material_file.ciphertext),
            object_id=str(material_file.pk),
            label=material_file.item,
        )
    except (SealError, KeyringError) as error:
        return None, _open_failure(
            user=user, object_id=str(material_file.item_id), error=error, request=request
        )
    return plain, None


def file_get_for(*, user: User, file_id: Any, request: HttpRequest | None = None) -> MaterialFile:
    """A file whose item ``user`` may see (decided on the item and audited); Http404 otherwise."""
    pk = _uuid(file_id)
    found = (
        MaterialFile.objects.filter(pk=pk).values_list("item_id", flat=True).first()
        if pk is not None
        else None
    )
    item = material_get_for(
        user=user,
        item_id=found or f"file:{file_id}"[:64],
        request=request,
        action="material.download",
    )
    assert pk is not None  # material_get_for raised Http404 otherwise
    material_file = MaterialFile.objects.select_related("data_key").get(pk=pk)
    material_file.item = item
    return material_file


def tearlines_visible(*, user: User, item: MaterialItem) -> QuerySet[MaterialItem]:
    return (
        material_visible_to(user).filter(parent_id=item.pk).select_related("approved_by", "author")
    )


def share_inbox_for(*, user: User) -> QuerySet[ShareRequest]:
    """Pending requests about items of the user's agency that the user may see."""
    if user.agency_id is None:
        return ShareRequest.objects.none()
    return (
        ShareRequest.objects.filter(
            status=ShareStatus.PENDING,
            item__originator_id=user.agency_id,
            item__in=material_visible_to(user),
        )
        .select_related("item", "item__case", "requester", "requester__agency", "to_agency")
        .order_by("created_at", "id")
    )


def my_share_requests(*, user: User) -> QuerySet[ShareRequest]:
    return (
        ShareRequest.objects.filter(requester=user)
        .select_related("item__originator", "to_agency", "item__case")
        .prefetch_related(
            Prefetch(
                "item__tearlines",
                queryset=MaterialItem.objects.filter(tearline_status=TearlineStatus.APPROVED),
            )
        )
        .order_by("-created_at", "-id")
    )


def drafts_to_approve_for(*, user: User) -> QuerySet[MaterialItem]:
    if user.agency_id is None:
        return MaterialItem.objects.none()
    return (
        material_visible_to(user)
        .filter(tearline_status=TearlineStatus.DRAFT, originator_id=user.agency_id)
        .exclude(author_id=user.pk)
        .select_related("case", "author", "parent")
    )


def breakglass_queue(*, user: User) -> QuerySet[BreakGlass]:
    """Break-glass accesses waiting for review, by users of the senior's agency or on cases
    the senior may see (callers check seniority)."""
    from jointcase.access.policy import cases_visible_to

    if user.agency_id is None:
        return BreakGlass.objects.none()
    scope = Q(user__agency_id=user.agency_id) | Q(case__in=cases_visible_to(user).values("pk"))
    return (
        BreakGlass.objects.filter(scope, reviewed_at__isnull=True)
        .select_related("user", "user__agency", "case")
        .order_by("starts_at", "id")
    )


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
