"""Share requests (the fuller version, onward sharing), their decisions and the per-person
grants they make.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jointcase.access import material_acts
from jointcase.access.acting import permission_require
from jointcase.access.material import (
    case_agencies,
    label_fields_of,
    material_decision,
    material_visible_to,
    released_agencies,
)
from jointcase.access.material_acts import (
    decide_refusal,
    fuller_version_reach_refusal,
    grant_revoke_refusal,
    share_deciders,
    share_refusal,
)
from jointcase.agencies.models import Agency
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.cases.models import TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.material.models import (
    MaterialGrant,
    MaterialItem,
    ShareKind,
    ShareRequest,
    ShareStatus,
    TearlineStatus,
)
from jointcase.material.services.common import (
    access_check,
    deny,
    refuse,
)
from jointcase.material.services.labels import LabelInput, label_store
from jointcase.material.signals import share_request_decided
from jointcase.notifications.services import notify

if TYPE_CHECKING:
    from jointcase.accounts.models import User


def grant_days() -> int:
    return int(getattr(settings, "JOINTCASE_MATERIAL_GRANT_DAYS", 30))


# --- Share requests ------------------------------------------------------------------------


def fuller_version_requestable(actor: User, item: MaterialItem) -> bool:
    """Whether ``actor`` may know ``item`` exists without seeing it: they see an approved
    tearline of it whose originator did not hide the fuller version."""

    return (
        material_visible_to(actor)
        .filter(
            parent_id=item.pk,
            tearline_status=TearlineStatus.APPROVED,
            hide_fuller_version=False,
        )
        .exists()
    )


def _share_request_permit(
    *, actor: User, item: MaterialItem, kind: str, request: HttpRequest | None
) -> bool:
    """Refuse (hidden or forbidden) before any field is read; True when the actor sees the item.

    Asking for the fuller version of an item the actor cannot see is the one request made
    about an unseen item, and only when it could ever be granted."""
    visible = material_decision(actor, item).allowed
    asks_for_fuller = kind in (ShareKind.ACCESS, ShareKind.TEARLINE)
    if not visible and not (asks_for_fuller and fuller_version_requestable(actor, item)):
        raise deny(
            action="material.share_request",
            actor=actor,
            object_id=str(item.pk),
            reason="not_visible",
            request=request,
        )
    permission_require(
        actor=actor,
        refusal=share_refusal(actor, item),
        action="material.share_request",
        object_type="material",
        object_id=str(item.pk),
        request=request,
    )
    return visible


def _share_request_errors(
    *,
    actor: User,
    item: MaterialItem,
    kind: str,
    reason: str,
    to_agency: Agency | None,
    visible: bool,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    asks_for_fuller = kind in (ShareKind.ACCESS, ShareKind.TEARLINE)
    if kind not in ShareKind.values:
        errors.setdefault("kind", []).append("Select what you are asking for")
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter why you need it")
    if asks_for_fuller and visible:
        errors.setdefault("kind", []).append("You can already see this item")
    reach = fuller_version_reach_refusal(actor, item)
    if kind == ShareKind.ACCESS and not visible and reach is not None:
        errors.setdefault("kind", []).append(
            f"{reach.message}. Ask {item.originator.name} for a tearline at your level instead"
        )
    if kind == ShareKind.ONWARD_SHARE:
        if to_agency is None:
            errors.setdefault("to_agency", []).append("Select the agency to share it with")
        elif to_agency.pk in released_agencies(label_fields_of(item), item.case_id):
            errors.setdefault("to_agency", []).append("The item is already released to that agency")
    pending = ShareRequest.objects.filter(
        item=item,
        requester=actor,
        kind=kind,
        status=ShareStatus.PENDING,
        to_agency=to_agency,
    ).exists()
    if pending:
        errors.setdefault("kind", []).append("You have already asked: the originator will decide")
    return errors


def share_request_create(
    *,
    actor: User,
    item: MaterialItem,
    kind: str,
    reason: str,
    to_agency: Agency | None = None,
    request: HttpRequest | None = None,
) -> ShareRequest:
    """Ask the originator for access to an item (its fuller version), for a tearline of it at
    the asker's level (when their vetting does not reach it), or to share it onward.

    An access request that could never be granted (the asker's own clearance or caveats fall
    short of the item's label: ``access``) is refused before it is made, with the tearline
    request offered instead."""
    visible = _share_request_permit(actor=actor, item=item, kind=kind, request=request)
    errors = _share_request_errors(
        actor=actor, item=item, kind=kind, reason=reason, to_agency=to_agency, visible=visible
    )
    if errors:
        raise refuse(
            action="material.share_request",
            actor=actor,
            errors=errors,
            object_id=str(item.pk),
            request=request,
        )
    with transaction.atomic():
        share = ShareRequest.objects.create(
            item=item,
            requester=actor,
            kind=kind,
            to_agency=to_agency,
            reason=reason.strip(),
            created_at=timezone.now(),
        )
        audit_record(
            action="material.share_requested",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            details={
                "share_request": share.pk,
                "kind": kind,
                "to_agency": to_agency.code if to_agency else "",
            },
            request=request,
        )
        notify(
            recipients=share_deciders(share),
            text="A request about an item of material is waiting for your decision.",
            link=reverse("material:share-decide", args=[share.pk]),
        )
    return share


def _share_apply(
    *, actor: User, share_request: ShareRequest, days: int, reason: str, now: dt.datetime
) -> dict[str, Any]:
    """Carry out an approved request: a grant to the requester alone (the label, and so every
    other reader, is unchanged), or the onward share's agency added to the label."""
    item = share_request.item
    if share_request.kind == ShareKind.ACCESS:
        grant = MaterialGrant.objects.create(
            item=item,
            user=share_request.requester,
            share_request=share_request,
            starts_at=now,
            expires_at=now + dt.timedelta(days=days),
            granted_by=actor,
        )
        return {"grant_expires_at": grant.expires_at.isoformat()}
    if share_request.kind != ShareKind.ONWARD_SHARE:
        return {}
    assert share_request.to_agency is not None
    current = list(item.releasable_to.all())
    if not current:  # "every agency on the case" (now) made explicit before adding one
        on_case = case_agencies(item.case_id) | {item.originator_id}
        current = list(Agency.objects.filter(pk__in=on_case))
    new = LabelInput(
        item.classification, list(item.caveats.all()), [*current, share_request.to_agency]
    )
    label = label_store(
        actor=actor,
        item=item,
        new=new,
        orcon=item.orcon,
        reason=f"Onward sharing approved: {reason.strip()}",
    )
    return {"label": label, "orcon_consent": item.orcon}


def _decision_clean(
    *,
    share_request: ShareRequest,
    approve: bool,
    reason: str,
    days: int | None,
    errors: dict[str, list[str]],
) -> int:
    """The decision's reason, and for an approval its length (days) and a requester cleared
    for the item (``access``)."""
    item = share_request.item
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter the reason for your decision")
    if approve and share_request.kind == ShareKind.TEARLINE:
        errors.setdefault("decision", []).append(
            "Write the tearline to answer this request: it is done when the tearline is approved"
        )
    length = days if days is not None else grant_days()
    if approve and not 1 <= length <= 365:
        errors.setdefault("days", []).append("Access must last between 1 and 365 days")
    requester = share_request.requester
    if (
        approve
        and share_request.kind == ShareKind.ACCESS
        and not errors
        and not material_acts.grantee_cleared(requester, item)
    ):
        errors.setdefault("decision", []).append(
            f"{requester} is not cleared for this item (classification or caveats): "
            "it cannot be shared with them"
        )
    return length


def share_request_decide(
    *,
    actor: User,
    share_request: ShareRequest,
    approve: bool,
    reason: str,
    days: int | None = None,
    request: HttpRequest | None = None,
) -> ShareRequest:
    """The originator agency approves or refuses, with a reason. An approved ACCESS request
    becomes a time-limited grant to the requester alone (the label never changes); an
    approved ONWARD_SHARE (the recorded consent, required
    for ORCON items) adds the agency to the item's releasability."""
    item = MaterialItem.objects.select_related("originator", "data_key", "case").get(
        pk=share_request.item_id
    )
    access_check(actor=actor, item=item, action="material.share_decide", request=request)
    share_request.item = item
    permission_require(
        actor=actor,
        refusal=decide_refusal(actor, share_request),
        action="material.share_decide",
        object_type="share_request",
        object_id=share_request.pk,
        request=request,
    )
    errors: dict[str, list[str]] = {}
    length = _decision_clean(
        share_request=share_request, approve=approve, reason=reason, days=days, errors=errors
    )
    if errors:
        raise refuse(
            action="material.share_decide",
            actor=actor,
            errors=errors,
            object_id=str(item.pk),
            request=request,
        )
    with transaction.atomic():
        now = timezone.now()
        details: dict[str, Any] = {"share_request": share_request.pk, "kind": share_request.kind}
        if approve:
            details.update(
                _share_apply(
                    actor=actor, share_request=share_request, days=length, reason=reason, now=now
                )
            )
        share_request.status = ShareStatus.APPROVED if approve else ShareStatus.REFUSED
        share_request.decided_by = actor
        share_request.decision_reason = reason.strip()
        share_request.decided_at = now
        share_request.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
        share_request_decided.send(sender=ShareRequest, share_request=share_request, item=item)
        notify(
            recipients=[share_request.requester],
            text=f"Your request about an item of material was {'approved' if approve else 'refused'}.",
            link="/material/requests/mine/",
        )
        audit_record(
            action="material.share_approved" if approve else "material.share_refused",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            recipient=share_request.requester.get_username(),
            details=details,
            request=request,
        )
        timeline_add(
            case=item.case,
            kind=TimelineKind.SHARE,
            title=f"{share_request.get_kind_display()} {'approved' if approve else 'refused'} for",
            actor=actor,
            material_item=item,
        )
    return share_request


def grant_revoke(
    *,
    actor: User,
    grant: MaterialGrant,
    reason: str,
    request: HttpRequest | None = None,
) -> MaterialGrant:
    """End a live grant now, with a reason. The grant's window closes at this moment, so the
    grantee's very next request (page or API) is decided without it. The grantee is told
    (text and a link, never the item's title or content)."""
    item = MaterialItem.objects.select_related("originator", "data_key", "case").get(
        pk=grant.item_id
    )
    access_check(actor=actor, item=item, action="material.grant_revoke", request=request)
    grant.item = item
    permission_require(
        actor=actor,
        refusal=grant_revoke_refusal(actor, grant),
        action="material.grant_revoke",
        object_type="material_grant",
        object_id=grant.pk,
        request=request,
    )
    if not (reason or "").strip():
        raise refuse(
            action="material.grant_revoke",
            actor=actor,
            errors={"reason": ["Enter why the access is revoked"]},
            object_id=str(item.pk),
            request=request,
        )
    with transaction.atomic():
        now = timezone.now()
        was_until = grant.expires_at
        ended = MaterialGrant.objects.filter(pk=grant.pk, expires_at__gt=now).update(expires_at=now)
        if not ended:
            raise ValidationError({"reason": "This access has already ended"})
        grant.expires_at = now
        notify(
            recipients=[grant.user],
            text="Your access to an item of material has been revoked.",
            link="/material/requests/mine/",
        )
        audit_record(
            action="material.grant_revoked",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            recipient=grant.user.get_username(),
            details={"grant": grant.pk, "was_until": was_until.isoformat()},
            request=request,
        )
    return grant
