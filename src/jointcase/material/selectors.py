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
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jointcase.access.material import material_decision, material_visible_to
from jointcase.access.material_acts import in_originating_agency
from jointcase.access.policy import cases_visible_to
from jointcase.audit.models import Outcome
from jointcase.audit.reads import audited_read
from jointcase.audit.services import audit_record
from jointcase.keyring import KeyringError
from jointcase.material.crypto import IntegrityFailure, Sealed, SealError, open_sealed
from jointcase.material.models import (
    BreakGlass,
    MaterialFile,
    MaterialGrant,
    MaterialItem,
    ShareRequest,
    ShareStatus,
    TearlineStatus,
)
from jointcase.material.uploads import download_filename

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
    return audited_read(
        user=user,
        raw_id=item_id,
        key=_uuid,
        load=lambda pk: _items().filter(pk=pk).first(),
        decide=lambda item: material_decision(user, item),
        action=action,
        object_type="material",
        not_found=NOT_FOUND,
        request=request,
        details=lambda item: {"case": item.case_id, "classification": item.classification},
    )


def material_list_for_case(
    *, user: User, case: Case, title: str = "", kind: str = "", classification: str = ""
) -> QuerySet[MaterialItem]:
    """What ``user`` may see on ``case`` (the filter inside the query), newest first,
    optionally narrowed by words of the title, the kind and the classification (the narrowing
    only ever removes rows the access filter already allows)."""
    items = material_visible_to(user, case=case)
    for word in title.split()[:8]:
        items = items.filter(title__icontains=word)
    if kind:
        items = items.filter(kind=kind)
    if classification:
        items = items.filter(classification=classification)
    return (
        items.select_related("originator", "author", "parent__originator")
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
    """The item's body (``item`` must come from ``material_get_for``). A destroyed item has
    none: its page shows its title, marking and when its content was destroyed."""
    if item.destroyed_at is not None or item.data_key_id is None or item.body_ciphertext is None:
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


@dataclass(frozen=True)
class Download:
    """A file ready to serve (``content``), or why it cannot be (``withheld``)."""

    item: MaterialItem
    content: bytes | None
    filename: str = ""
    mime: str = ""
    withheld: str | None = None


def file_download_for(*, user: User, file_id: Any, request: HttpRequest | None = None) -> Download:
    """A file of an item ``user`` may see, opened and its download audited (pages and API).

    ``Http404`` (and a DENY entry) when the item is missing or forbidden. A destroyed item's
    file, or one that fails its integrity check, comes back ``withheld`` with the reason."""

    material_file = file_get_for(user=user, file_id=file_id, request=request)
    item = material_file.item
    if item.destroyed_at is not None:
        destroyed_on = f"{timezone.localtime(item.destroyed_at):%-d %B %Y}"
        return Download(
            item, None, withheld=f"The content of this item was destroyed on {destroyed_on}."
        )
    content, withheld = file_open(user=user, material_file=material_file, request=request)
    if content is None:
        return Download(item, None, withheld=withheld)
    with transaction.atomic():
        audit_record(
            action="material.downloaded",
            actor=user,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            recipient=user.get_username(),
            details={"file": str(material_file.pk), "size": material_file.size},
            request=request,
        )
    name = download_filename(
        safe_name=material_file.safe_name,
        classification=item.classification,
        caveats=tuple(item.caveat_codes()),
    )
    return Download(item, content, filename=name, mime=material_file.mime)


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


def share_request_get_for(*, user: User, request_id: int) -> ShareRequest | None:
    """A share request ``user`` may know of: their own, or one about an item of their agency
    that they may see (decided or not). ``None`` otherwise, as for a missing one."""
    share = (
        ShareRequest.objects.select_related(
            "item__originator", "item__case", "requester__agency", "to_agency"
        )
        .filter(pk=request_id)
        .first()
    )
    if share is None or share.requester_id == user.pk:
        return share
    originator = in_originating_agency(user, share.item.originator_id)
    if originator and material_decision(user, share.item).allowed:
        return share
    return None


def grants_live_for(*, user: User, item: MaterialItem) -> QuerySet[MaterialGrant]:
    """Live grants on ``item`` (which ``user`` sees) that ``user`` may revoke: every one for
    the originator agency, the ones they approved otherwise. Nobody else is shown grants."""

    live = (
        MaterialGrant.objects.filter(item=item, expires_at__gt=timezone.now())
        .select_related("user__agency", "granted_by")
        .order_by("expires_at", "id")
    )
    if in_originating_agency(user, item.originator_id):
        return live
    return live.filter(granted_by=user)


def grant_get_for(*, user: User, grant_id: int) -> MaterialGrant | None:
    """A grant ``user`` may know of: their own, or one on an item they see and whose grants
    they manage (originator agency or approver). ``None`` otherwise, as for a missing one."""
    grant = (
        MaterialGrant.objects.select_related("item__originator", "item__case", "user", "granted_by")
        .filter(pk=grant_id)
        .first()
    )
    if grant is None or grant.user_id == user.pk:
        return grant
    manages = grant.granted_by_id == user.pk or in_originating_agency(
        user, grant.item.originator_id
    )
    if manages and material_decision(user, grant.item).allowed:
        return grant
    return None


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

    if user.agency_id is None:
        return BreakGlass.objects.none()
    scope = Q(user__agency_id=user.agency_id) | Q(case__in=cases_visible_to(user).values("pk"))
    return (
        BreakGlass.objects.filter(scope, reviewed_at__isnull=True)
        .select_related("user", "user__agency", "case")
        .order_by("starts_at", "id")
    )


@dataclass(frozen=True)
class MyRequest:
    """One of the user's requests as their list shows it: the item named by a title they may
    read (the item's own, else a tearline of it they see), and where it stands."""

    share: ShareRequest
    title: str
    link: str | None
    #: The tearline written for it, once the requester can read it.
    answer: MaterialItem | None


#: GOV.UK tag colour per request state (the words are the status's own label).
REQUEST_TAG_COLOURS = {
    ShareStatus.PENDING: "govuk-tag--blue",
    ShareStatus.APPROVED: "govuk-tag--green",
    ShareStatus.FULFILLED: "govuk-tag--green",
    ShareStatus.REFUSED: "govuk-tag--red",
}


def my_share_request_rows(*, user: User) -> list[MyRequest]:
    """The user's own requests, each naming its item by a title ``user`` may read now (the
    filter decides: one query for every item and tearline involved), never a title they may
    not."""

    shares = list(
        ShareRequest.objects.filter(requester=user)
        .select_related("item__originator", "to_agency", "item__case")
        .order_by("-created_at", "-id")
    )
    item_ids = {share.item_id for share in shares}
    answer_ids = {share.tearline_id for share in shares if share.tearline_id}
    readable = {
        item.pk: item
        for item in material_visible_to(user)
        .filter(Q(pk__in=item_ids | answer_ids) | Q(parent_id__in=item_ids))
        .order_by("created_at", "id")
    }
    tearline_of: dict[Any, MaterialItem] = {}
    for item in readable.values():
        if item.parent_id is not None:
            tearline_of.setdefault(item.parent_id, item)
    rows = []
    for share in shares:
        named = readable.get(share.item_id) or tearline_of.get(share.item_id)
        answer = readable.get(share.tearline_id) if share.tearline_id else None
        rows.append(
            MyRequest(
                share=share,
                title=named.title if named is not None else "An item you can no longer see",
                link=reverse("material:item", args=[named.pk]) if named is not None else None,
                answer=answer if share.status == ShareStatus.FULFILLED else None,
            )
        )
    return rows
