"""Tearlines: a sanitised version at a lower label, written by the originating agency and
approved by a second person of it (four eyes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jointcase.access.material import LabelFields, material_decision
from jointcase.access.material_acts import (
    approve_refusal,
    label_is_lower,
    new_readers,
    tearline_approvers,
    tearline_refusal,
    tearline_request_reach_refusal,
)
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.material.models import (
    MaterialItem,
    ShareKind,
    ShareRequest,
    ShareStatus,
    TearlineStatus,
)
from jointcase.material.services.common import (
    item_act_require,
    refuse,
)
from jointcase.material.services.items import item_store_audited, uploads_read
from jointcase.material.services.labels import LabelInput, label_clean
from jointcase.material.services.retention import retention_default
from jointcase.notifications.services import notify

if TYPE_CHECKING:
    from jointcase.accounts.models import User


# --- Tearlines -----------------------------------------------------------------------------


def _tearline_label_clean(
    *,
    actor: User,
    parent: MaterialItem,
    classification: str,
    caveats: Iterable[str],
    releasable_to: Iterable[str],
    errors: dict[str, list[str]],
) -> LabelInput:
    """The tearline's label from input: a label the writer may use, lower than the parent's."""
    new = label_clean(
        actor=actor,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        originator=parent.originator,
        errors=errors,
    )
    if (
        "classification" not in errors
        and "caveats" not in errors
        and not label_is_lower(
            classification=new.classification,
            caveat_ids=[c.pk for c in new.caveats],
            than_classification=parent.classification,
            than_caveat_ids=[c.pk for c in parent.caveats.all()],
        )
    ):
        errors.setdefault("classification", []).append(
            "A tearline must carry a lower label than the item it comes from"
        )
    return new


def _answer_clean(
    *,
    answers: ShareRequest,
    parent: MaterialItem,
    label: LabelInput,
    errors: dict[str, list[str]],
) -> None:
    """The request a tearline answers: a pending request for a tearline of this very item,
    and a label its requester can read once approved."""
    if (
        answers.item_id != parent.pk
        or answers.kind != ShareKind.TEARLINE
        or answers.status != ShareStatus.PENDING
    ):
        errors.setdefault("answers", []).append(
            "This request is not waiting for a tearline of this item"
        )
        return
    if "classification" in errors or "caveats" in errors or "releasable_to" in errors:
        return
    refusal = tearline_request_reach_refusal(
        answers.requester,
        LabelFields(
            classification=label.classification,
            caveat_ids=frozenset(c.pk for c in label.caveats),
            releasable_ids=frozenset(a.pk for a in label.releasable_to),
            originator_id=parent.originator_id,
        ),
        parent.case_id,
    )
    if refusal is not None:
        errors.setdefault("classification", []).append(refusal.message)


def _requests_fulfil(*, actor: User, tearline: MaterialItem, request: HttpRequest | None) -> None:
    """An approved tearline fulfils the requests it was written for: each requester who can
    now read it is told (a link, never content)."""
    link = reverse("material:item", args=[tearline.pk])
    for share in ShareRequest.objects.select_related("requester").filter(
        tearline=tearline, kind=ShareKind.TEARLINE, status=ShareStatus.PENDING
    ):
        share.status = ShareStatus.FULFILLED
        share.decided_by = actor
        share.decided_at = timezone.now()
        share.save(update_fields=["status", "decided_by", "decided_at"])
        if material_decision(share.requester, tearline).allowed:
            notify(
                recipients=[share.requester],
                text="The tearline you asked for has been written and approved.",
                link=link,
            )
        audit_record(
            action="material.share_fulfilled",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(tearline.parent_id),
            recipient=share.requester.get_username(),
            details={"share_request": share.pk, "tearline": str(tearline.pk)},
            request=request,
        )


def _tearline_clean(
    *,
    actor: User,
    parent: MaterialItem,
    title: str,
    body: str,
    classification: str,
    caveats: Iterable[str],
    releasable_to: Iterable[str],
    files: Sequence[Any],
    answers: ShareRequest | None,
    request: HttpRequest | None,
) -> tuple[str, LabelInput, list[tuple[Any, bytes]]]:
    """The title, label and files of a tearline once all are checked; any error refuses it."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append("Enter a title")
    if not (body or "").strip():
        errors.setdefault("body", []).append("Enter the sanitised content")
    new = _tearline_label_clean(
        actor=actor,
        parent=parent,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        errors=errors,
    )
    checked_files = uploads_read(files, errors)
    if answers is not None:
        _answer_clean(answers=answers, parent=parent, label=new, errors=errors)
    if errors:
        raise refuse(
            action="material.tearline_create",
            actor=actor,
            errors=errors,
            object_id=str(parent.pk),
            request=request,
        )
    return title, new, checked_files


def _approvers_notify(tearline: MaterialItem, *, actor: User) -> None:
    """Four eyes: the other people of the originating agency who may approve it are told."""
    notify(
        recipients=[user for user in tearline_approvers(tearline) if user.pk != actor.pk],
        text="A tearline is waiting for your approval.",
        link=reverse("material:tearline-approve", args=[tearline.pk]),
    )


def tearline_create(
    *,
    actor: User,
    parent: MaterialItem,
    title: str,
    body: str,
    classification: str,
    caveats: Iterable[str] = (),
    releasable_to: Iterable[str] = (),
    orcon: bool = False,
    hide_fuller_version: bool = False,
    handling_instructions: str = "",
    files: Sequence[Any] = (),
    answers: ShareRequest | None = None,
    request: HttpRequest | None = None,
) -> MaterialItem:
    """A sanitised version of ``parent`` at a lower label, by a user of the originating agency.
    It stays a DRAFT (seen only by that agency) until a second person approves it. It may
    carry its own sanitised files (never the parent's), sealed under its own label.

    ``answers``: the pending request for a tearline of ``parent`` this one is written for; its
    label must be one the requester can read (``access``), and approving it fulfils the
    request."""
    item_act_require(
        actor=actor,
        item=parent,
        action="material.tearline_create",
        refusal=tearline_refusal,
        request=request,
    )
    title, new, checked_files = _tearline_clean(
        actor=actor,
        parent=parent,
        title=title,
        body=body,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        files=files,
        answers=answers,
        request=request,
    )
    tearline = item_store_audited(
        actor=actor,
        action="material.tearline_created",
        item=MaterialItem(
            case=parent.case,
            kind=parent.kind,
            title=title,
            classification=new.classification,
            originator=parent.originator,
            orcon=bool(orcon),
            handling_instructions=handling_instructions.strip(),
            author=actor,
            created_at=timezone.now(),
            parent=parent,
            tearline_status=TearlineStatus.DRAFT,
            hide_fuller_version=bool(hide_fuller_version),
            retain_until=parent.retain_until or retention_default(),
        ),
        label=new,
        body=body,
        files=checked_files,
        details={
            "parent": str(parent.pk),
            "classification": new.classification,
            "orcon_consent": "originator" if parent.orcon else "",
            "files": len(checked_files),
            "answers": answers.pk if answers is not None else None,
        },
        request=request,
    )
    if answers is not None:
        ShareRequest.objects.filter(pk=answers.pk).update(tearline=tearline)
    _approvers_notify(tearline, actor=actor)
    return tearline


def tearline_approve(
    *,
    actor: User,
    tearline: MaterialItem,
    approve: bool = True,
    reason: str = "",
    request: HttpRequest | None = None,
) -> MaterialItem:
    """Four eyes: a second person of the originating agency (never the author) approves (or
    refuses) a draft tearline."""
    item_act_require(
        actor=actor,
        item=tearline,
        action="material.tearline_approve",
        refusal=approve_refusal,
        request=request,
    )
    errors: dict[str, list[str]] = {}
    if not approve and not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter why the tearline is refused")
    if errors:
        raise refuse(
            action="material.tearline_approve",
            actor=actor,
            errors=errors,
            object_id=str(tearline.pk),
            request=request,
        )
    with transaction.atomic():
        updated = MaterialItem.objects.filter(
            pk=tearline.pk, tearline_status=TearlineStatus.DRAFT
        ).update(
            tearline_status=TearlineStatus.APPROVED if approve else TearlineStatus.REFUSED,
            approved_by=actor,
            approved_at=timezone.now(),
        )
        if not updated:
            raise ValidationError({"tearline": "This tearline has already been decided"})
        tearline.refresh_from_db()
        link = reverse("material:item", args=[tearline.pk])
        notify(
            recipients=[tearline.author],
            text=f"A tearline you wrote was {'approved' if approve else 'refused'}.",
            link=link,
        )
        if approve:
            requesters = ShareRequest.objects.filter(
                tearline=tearline, status=ShareStatus.PENDING
            ).values_list("requester_id", flat=True)
            # Those it was written for: on the case, cleared for it but not for the original
            # (those who asked for it are told so by ``_requests_fulfil``).
            notify(
                recipients=new_readers(
                    tearline, besides=(actor.pk, tearline.author_id or 0, *requesters)
                ),
                text="A sanitised version of an item of material is now available to you.",
                link=link,
            )
        audit_record(
            action="material.tearline_approved" if approve else "material.tearline_refused",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(tearline.pk),
            reason=(reason or "").strip(),
            details={"parent": str(tearline.parent_id)},
            request=request,
        )
        if approve:
            _requests_fulfil(actor=actor, tearline=tearline, request=request)
    tearline.refresh_from_db()
    return tearline
