"""Material API: list a case's material, read an item (with its body when allowed), add an
item, add a tearline, raise or change a label, approve or refuse a draft tearline, ask for
an item (its fuller version, a tearline at one's level, or onward sharing) and decide such
requests, with exactly the pages' rules.

Mass assignment is refused: the request schemas forbid unknown fields, so an ``originator``
(always the caller's agency) or any other extra field is a 400; the classification is set on
create and changed only through the label operation. A forbidden item is a 404 like a
missing one.

A route calls the service and returns its result: what the service raises (a ``ValidationError``
400 keyed by field, a ``NotPermitted`` 403 with the refusal's reason, an ``Http404``) is answered
by the handlers every router shares (``jointcase.api_common.register_exception_handlers``).
Only an upload over the size limit is answered here (413), as no other route can meet it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict, StrictBool
from pydantic.config import JsonDict

from jointcase.access import material_acts
from jointcase.access.acting import audited_denial, permission_require
from jointcase.access.labels import Classification
from jointcase.access.material import material_case_access
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency
from jointcase.api_common import (
    REQUIRED_TEXT,
    ErrorOut,
    IsoDate,
    NotFoundOut,
    PageQuery,
    api_user,
    field_errors,
    paginate,
    rules,
    shown_as,
    shown_in,
    token_auth,
    vocabulary,
)
from jointcase.audit.reads import audited_read, uuid_key
from jointcase.cases.models import Case
from jointcase.material import selectors
from jointcase.material.models import (
    ItemKind,
    MaterialFile,
    MaterialItem,
    ShareKind,
    ShareRequest,
)
from jointcase.material.services import items as item_services
from jointcase.material.services import labels as label_services
from jointcase.material.services import retention as retention_services
from jointcase.material.services import sharing as sharing_services
from jointcase.material.services import tearlines as tearline_services
from jointcase.material.uploads import attachment_response

router = Router(tags=["material"], auth=token_auth(write_scope="write:material"))


class LabelOut(Schema):
    """A label as the API shows it: codes of the caveats, the agencies and the originator."""

    classification: str
    caveats: list[str]
    releasable_to: list[str]
    originator: str

    @staticmethod
    def resolve_caveats(obj: Any) -> list[str]:
        return sorted(c.code for c in obj.caveats.all())

    @staticmethod
    def resolve_releasable_to(obj: Any) -> list[str]:
        return sorted(a.code for a in obj.releasable_to.all())

    @staticmethod
    def resolve_originator(obj: Any) -> str:
        return str(obj.originator.code)


class ItemOut(LabelOut):
    id: str
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    kind: str
    title: str
    orcon: bool
    parent: str | None
    tearline_status: str
    created_at: dt.datetime
    version: int
    #: After this date the retention job destroys the item's content (its data keys).
    retain_until: dt.date | None
    #: When the content was destroyed (title and marking stay; ``body`` is null).
    destroyed_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id

    @staticmethod
    def resolve_tearline_status(obj: Any) -> str:
        if obj.hide_fuller_version and not getattr(obj, "parent_visible", False):
            return ""
        return str(obj.tearline_status)

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        """The fuller version's id, unless the reader cannot see it and its originator chose
        not to tell readers that it exists."""
        if not obj.parent_id:
            return None
        if obj.hide_fuller_version and not getattr(obj, "parent_visible", False):
            return None
        return str(obj.parent_id)


class FileOut(Schema):
    id: str
    name: str
    mime: str
    size: int
    created_at: dt.datetime

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.safe_name)


@dataclass(frozen=True)
class ItemShown:
    """What an item is answered with besides its record: its body as the caller may read it,
    why it is withheld (``None``: it is not), and its files."""

    body: str | None
    withheld: str | None
    #: Empty once its content is destroyed or withheld.
    files: list[MaterialFile]


class ItemDetailOut(ItemOut):
    # Answered through ``api_common.shown_as`` with an ``ItemShown``.
    body: str | None
    withheld: str | None
    #: The item's files (none once its content is destroyed or withheld).
    files: list[FileOut] = Field(default_factory=list)
    handling_instructions: str
    review_date: dt.date | None
    held_by: str
    referenced_classification: str

    @staticmethod
    def resolve_body(obj: Any, context: Any) -> str | None:
        return shown_in(context, ItemShown).body

    @staticmethod
    def resolve_withheld(obj: Any, context: Any) -> str | None:
        return shown_in(context, ItemShown).withheld

    @staticmethod
    def resolve_files(obj: Any, context: Any) -> list[MaterialFile]:
        return shown_in(context, ItemShown).files


def _files_of(item: MaterialItem, withheld: str | None) -> list[MaterialFile]:
    if withheld is not None or item.destroyed_at is not None:
        return []
    return list(item.files.order_by("created_at", "id"))


class ItemPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ItemOut]


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


_REQUIRED_STRING: JsonDict = {"type": "string", **REQUIRED_TEXT}
_BLANK: JsonDict = {"type": "string", "pattern": "^\\s*$"}
#: What an item added as JSON may be (a DOCUMENT needs a file: add it on the page).
JSON_KINDS = [ItemKind.NOTE, ItemKind.INTELLIGENCE_REPORT, ItemKind.REFERENCE]


#: A label's fields: the classifications this deployment may hold and the active caveat and
#: agency codes (listed when the document is served); within the caller's clearance (a rule).
CLASSIFICATION = {**vocabulary("classifications"), **rules("within-clearance")}
CAVEATS = {**vocabulary("caveats"), **rules("within-clearance")}
RELEASABLE_TO = vocabulary("agencies")


class ItemIn(_Strict):
    """A note or intelligence report (its ``body``), or a reference to material held
    elsewhere (``held_by``, no ``body``), as the document's ``oneOf`` says."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "title": "A note or intelligence report",
                    "properties": {
                        "kind": {"enum": [ItemKind.NOTE, ItemKind.INTELLIGENCE_REPORT]},
                        "body": _REQUIRED_STRING,
                    },
                    "required": ["body"],
                },
                {
                    "title": "A reference to material held elsewhere",
                    "properties": {
                        "kind": {"const": ItemKind.REFERENCE},
                        "held_by": _REQUIRED_STRING,
                        "body": _BLANK,
                    },
                    "required": ["held_by"],
                },
            ]
        },
    )

    kind: str = Field(..., max_length=24, json_schema_extra={"enum": list(JSON_KINDS)})
    title: str = Field(..., max_length=200, json_schema_extra=REQUIRED_TEXT)
    classification: str = Field(..., max_length=20, json_schema_extra=CLASSIFICATION)
    caveats: list[str] = Field(default_factory=list, max_length=20, json_schema_extra=CAVEATS)
    releasable_to: list[str] = Field(
        default_factory=list, max_length=50, json_schema_extra=RELEASABLE_TO
    )
    orcon: StrictBool = False
    handling_instructions: str = Field("", max_length=2000)
    review_date: IsoDate | None = None
    retain_until: IsoDate | None = Field(
        None, json_schema_extra=rules("after-today-within-retention")
    )
    body: str = Field("", max_length=200_000)
    held_by: str = Field("", max_length=200)


class TearlineIn(_Strict):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=200_000)
    classification: str = Field(..., max_length=20, json_schema_extra=CLASSIFICATION)
    caveats: list[str] = Field(default_factory=list, max_length=20, json_schema_extra=CAVEATS)
    releasable_to: list[str] = Field(
        default_factory=list, max_length=50, json_schema_extra=RELEASABLE_TO
    )
    hide_fuller_version: StrictBool = False


class RetentionIn(_Strict):
    retain_until: IsoDate = Field(..., json_schema_extra=rules("after-today-within-retention"))
    reason: str = Field(..., max_length=2000, json_schema_extra=REQUIRED_TEXT)


class LabelIn(_Strict):
    classification: str = Field(..., max_length=20, json_schema_extra=CLASSIFICATION)
    caveats: list[str] = Field(default_factory=list, max_length=20, json_schema_extra=CAVEATS)
    releasable_to: list[str] = Field(
        default_factory=list, max_length=50, json_schema_extra=RELEASABLE_TO
    )
    orcon: StrictBool
    reason: str = Field(..., max_length=2000, json_schema_extra=REQUIRED_TEXT)
    version: int


def _case(request: HttpRequest, case_id: str, action: str) -> Case:
    """The case by its public id; 404 for malformed, missing and forbidden alike."""
    user = api_user(request)
    return audited_read(
        user=user,
        raw_id=case_id,
        key=uuid_key,
        load=lambda key: Case.objects.filter(public_id=key).first(),
        decide=lambda case: material_case_access(user, case),
        action=action,
        object_type="case",
        not_found="Not found",
        request=request,
    )


def _fresh(item_id: Any) -> MaterialItem:
    return selectors._items().get(pk=item_id)


def _item(request: HttpRequest, item_id: str, action: str) -> MaterialItem:
    """The item a write names: the 404 of a missing item (with its DENY entry) if the caller may
    not see it; whether they may do ``action`` is the service's to ask (``access``)."""
    return selectors.material_get_for(
        user=api_user(request), item_id=item_id, request=request, action=action
    )


def _created(item: MaterialItem, body: str | None, request: HttpRequest) -> Status:
    """A new item as the 201 answers it: re-read with its label, its body as written."""
    shown = ItemShown(body=body, withheld=None, files=[])
    return Status(201, shown_as(ItemDetailOut, _fresh(item.pk), shown, request))


class MaterialQuery(PageQuery):
    """A page of a case's material, optionally narrowed (never widened) by title words, kind
    and classification."""

    title: str = Field("", max_length=100, description="Words the title contains")
    kind: ItemKind | None = Field(None, description="Only items of this kind")
    classification: Classification | None = Field(None, description="Only items at this marking")


@router.get(
    "/cases/{case_id}/material", response=ItemPage, summary="Material on a case the caller may see"
)
def material_list(
    request: HttpRequest, case_id: str, filters: Query[MaterialQuery]
) -> dict[str, Any]:
    case = _case(request, case_id, "material.case_list")
    user = api_user(request)
    items: Any = selectors.material_list_for_case(
        user=user,
        case=case,
        title=filters.title,
        kind=filters.kind or "",
        classification=filters.classification or "",
    ).prefetch_related("releasable_to")
    page = paginate(items, filters)
    _mark_visible_parents(user, page["results"])
    return page


def _mark_visible_parents(user: User, items: list[Any]) -> None:
    parents = {item.parent_id for item in items if item.parent_id}
    visible = set(selectors.material_visible_ids(user=user, ids=parents)) if parents else set()
    for item in items:
        item.parent_visible = item.parent_id in visible


@router.get("/material/{item_id}", response=ItemDetailOut, summary="One item, with its body")
def material_read(request: HttpRequest, item_id: str) -> ItemDetailOut:
    user = api_user(request)
    item = selectors.material_get_for(user=user, item_id=item_id, request=request)
    opened = selectors.material_open(user=user, item=item, request=request)
    shown = ItemShown(
        body=opened.text, withheld=opened.withheld, files=_files_of(item, opened.withheld)
    )
    _mark_visible_parents(user, [item])
    return shown_as(ItemDetailOut, item, shown, request)


@router.post(
    "/cases/{case_id}/material",
    response={201: ItemDetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="Add an item (the originator is the caller's agency; never under break-glass)",
)
def material_create(request: HttpRequest, case_id: str, payload: ItemIn) -> Any:
    case = _case(request, case_id, "material.create_api")
    item = item_services.material_add(
        actor=api_user(request), case=case, request=request, **payload.dict()
    )
    return _created(item, payload.body or None, request)


@router.post(
    "/material/{item_id}/tearlines",
    response={201: ItemDetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="Add a tearline (a sanitised version at a lower label) of an item",
)
def tearline_create(request: HttpRequest, item_id: str, payload: TearlineIn) -> Any:
    parent = _item(request, item_id, "material.tearline_api")
    item = tearline_services.tearline_create(
        actor=api_user(request), parent=parent, request=request, **payload.dict()
    )
    return _created(item, payload.body, request)


@router.post(
    "/material/{item_id}/label",
    response={200: ItemOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change an item's label (narrow: anyone on the case; widen: the originator only)",
)
def label_change(request: HttpRequest, item_id: str, payload: LabelIn) -> Any:
    item = _item(request, item_id, "material.label_api")
    values = payload.dict()
    version = values.pop("version")
    label_services.material_label_change(
        actor=api_user(request), item=item, expected_version=version, request=request, **values
    )
    return Status(200, _fresh(item.pk))


@router.post(
    "/material/{item_id}/retention",
    response={200: ItemOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change how long an item is kept (the originator agency, with a reason)",
)
def retention_change(request: HttpRequest, item_id: str, payload: RetentionIn) -> Any:
    item = _item(request, item_id, "material.retention_api")
    retention_services.material_retention_change(
        actor=api_user(request),
        item=item,
        retain_until=payload.retain_until,
        reason=payload.reason,
        request=request,
    )
    return Status(200, _fresh(item.pk))


@router.post(
    "/material/{item_id}/files",
    response={201: FileOut, 400: ErrorOut, 403: ErrorOut, 413: ErrorOut},
    summary="Upload a file to an item (multipart field 'file'; the originator agency; a "
    "tearline only while it is a draft)",
)
def file_upload(request: HttpRequest, item_id: str, file: File[UploadedFile]) -> Any:
    item = _item(request, item_id, "material.file_api")
    try:
        stored = item_services.material_file_add(
            actor=api_user(request), item=item, upload=file, request=request
        )
    except item_services.FileTooLarge as error:
        # Only an upload can be too large, so its 413 is answered here; every other
        # refusal is the shared handlers' (400 by field, 403, 404).
        return Status(413, field_errors(error))
    return Status(201, stored)


@router.get(
    "/material/files/{file_id}",
    response={200: None, 409: ErrorOut},
    summary="Download a file (an attachment, marked in its name; 404 when not visible)",
)
def file_download(request: HttpRequest, file_id: str) -> Any:
    found = selectors.file_download_for(user=api_user(request), file_id=file_id, request=request)
    if found.content is None:
        return Status(409, {"detail": found.withheld or "", "errors": []})
    response: HttpResponse = attachment_response(
        found.content, filename=found.filename, mime=found.mime
    )
    return response


# --- Tearline approval and share requests ----------------------------------------------------


class TearlineDecisionIn(_Strict):
    """Approve, or refuse with a reason (the document's ``oneOf``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"title": "Approve", "properties": {"approve": {"const": True}}},
                {
                    "title": "Refuse, with the reason",
                    "properties": {"approve": {"const": False}, "reason": _REQUIRED_STRING},
                    "required": ["reason"],
                },
            ]
        },
    )

    approve: StrictBool = Field(
        ..., description="true approves the draft tearline, false refuses it"
    )
    reason: str = Field("", max_length=2000, description="Why (required to refuse)")


@router.post(
    "/material/{item_id}/approval",
    response={200: ItemOut, 400: ErrorOut, 403: ErrorOut, 404: NotFoundOut},
    summary="Approve or refuse a draft tearline (a second person of the originator agency)",
)
def tearline_decide(request: HttpRequest, item_id: str, payload: TearlineDecisionIn) -> Any:
    tearline = _item(request, item_id, "material.tearline_approve_api")
    tearline_services.tearline_approve(
        actor=api_user(request),
        tearline=tearline,
        approve=payload.approve,
        reason=payload.reason,
        request=request,
    )
    return Status(200, _fresh(tearline.pk))


class ShareRequestOut(Schema):
    id: int = Field(..., description="The request's identifier (the request_id below)")
    kind: str = Field(..., description="ACCESS, TEARLINE or ONWARD_SHARE")
    status: str = Field(..., description="PENDING, APPROVED, REFUSED or FULFILLED")
    item: str = Field(..., description="The item asked about")
    title: str = Field(
        ..., description="The item's title, or one of a tearline of it the caller may read"
    )
    requester: str
    requester_agency: str | None
    to_agency: str | None
    reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str
    tearline: str | None = Field(
        ..., description="The tearline written to answer it, once the caller may read it"
    )


class SharePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ShareRequestOut]


class ShareRequestIn(_Strict):
    kind: ShareKind = Field(
        ...,
        description="ACCESS (the fuller version of an item the caller sees a tearline of), "
        "TEARLINE (a tearline at the caller's level, when their vetting does not reach the "
        "item) or ONWARD_SHARE (release an item the caller sees to another agency)",
    )
    reason: str = Field(..., max_length=5000, json_schema_extra=REQUIRED_TEXT)
    to_agency: str | None = Field(None, max_length=40, description="ONWARD_SHARE: agency code")


class ShareDecisionIn(_Strict):
    approve: StrictBool
    reason: str = Field(..., max_length=5000, json_schema_extra=REQUIRED_TEXT)
    days: int | None = Field(
        None, ge=1, le=365, description="How long approved access lasts (1 to 365)"
    )


def _share_json(share: ShareRequest, *, title: str, tearline: Any = None) -> dict[str, Any]:
    requester = share.requester
    return {
        "id": share.pk,
        "kind": share.kind,
        "status": share.status,
        "item": str(share.item_id),
        "title": title,
        "requester": requester.username,
        "requester_agency": requester.agency.code if requester.agency is not None else None,
        "to_agency": share.to_agency.code if share.to_agency is not None else None,
        "reason": share.reason,
        "created_at": share.created_at,
        "decided_at": share.decided_at,
        "decision_reason": share.decision_reason,
        "tearline": str(tearline.pk) if tearline is not None else None,
    }


def _mine_json(user: User, share_id: int) -> dict[str, Any]:
    for row in selectors.my_share_request_rows(user=user):
        if row.share.pk == share_id:
            return _share_json(row.share, title=row.title, tearline=row.answer)
    raise Http404("Not found")  # pragma: no cover - the caller's own request


@router.get(
    "/material/requests/mine",
    response=SharePage,
    summary="The caller's own share requests, newest first",
)
def share_requests_mine(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    rows = selectors.my_share_request_rows(user=api_user(request))
    page = paginate(rows, query)
    page["results"] = [
        _share_json(row.share, title=row.title, tearline=row.answer) for row in page["results"]
    ]
    return page


@router.get(
    "/material/requests/inbox",
    response=SharePage,
    summary="Pending share requests about items of the caller's agency, oldest first",
)
def share_requests_inbox(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    page = paginate(selectors.share_inbox_for(user=api_user(request)), query)
    page["results"] = [_share_json(share, title=share.item.title) for share in page["results"]]
    return page


@router.post(
    "/material/{item_id}/requests",
    response={201: ShareRequestOut, 400: ErrorOut, 403: ErrorOut, 404: NotFoundOut},
    summary="Ask the originator for an item, a tearline of it at the caller's level, or to "
    "share it onward",
)
def share_request_new(request: HttpRequest, item_id: str, payload: ShareRequestIn) -> Any:
    user = api_user(request)
    key = selectors._uuid(item_id)
    item = (
        MaterialItem.objects.select_related("originator", "case").filter(pk=key).first()
        if key is not None
        else None
    )
    if item is None:
        audited_denial(
            actor=user,
            action="material.share_request",
            reason="not_found",
            object_type="material",
            object_id=str(item_id)[:64],
            request=request,
        )
        raise Http404("Not found")
    to_agency = None
    if payload.to_agency:
        to_agency = Agency.objects.filter(code=payload.to_agency, is_active=True).first()
        if to_agency is None:
            raise ValidationError({"to_agency": "Select the agency from the list (its code)"})
    # Whether the caller may know of the item (they see it, or a tearline of it that does
    # not hide it) is the service's first question: a 404 otherwise, with its DENY entry.
    share = sharing_services.share_request_create(
        actor=user,
        item=item,
        kind=payload.kind.value,
        reason=payload.reason,
        to_agency=to_agency,
        request=request,
    )
    return Status(201, _mine_json(user, share.pk))


@router.post(
    "/material/requests/{request_id}/decision",
    response={200: ShareRequestOut, 400: ErrorOut, 403: ErrorOut, 404: NotFoundOut},
    summary="Approve or refuse a share request (the originator agency, once)",
    description=(
        "An approved ACCESS request is a grant to the requester alone for `days` (default "
        "JOINTCASE_MATERIAL_GRANT_DAYS); an approved ONWARD_SHARE adds the agency to the "
        "item's releasability. A TEARLINE request is answered by writing a tearline "
        "(`POST /material/{item_id}/tearlines`) and can only be refused here. 403 for the "
        "requester and anyone else who knows of the request but may not decide it; 404 for "
        "anyone who may not know of it."
    ),
)
def share_request_decision(request: HttpRequest, request_id: str, payload: ShareDecisionIn) -> Any:
    user = api_user(request)
    share = (
        selectors.share_request_get_for(user=user, request_id=int(request_id))
        if request_id.isdigit()
        else None
    )
    if share is None:
        audited_denial(
            actor=user,
            action="material.share_decide",
            reason="not_found_or_forbidden",
            object_type="share_request",
            object_id=str(request_id)[:64],
            request=request,
        )
        raise Http404("Not found")
    permission_require(
        actor=user,
        refusal=material_acts.decide_refusal(user, share),
        action="material.share_decide",
        object_type="share_request",
        object_id=share.pk,
        request=request,
    )
    decided = sharing_services.share_request_decide(
        actor=user,
        share_request=share,
        approve=payload.approve,
        reason=payload.reason,
        days=payload.days,
        request=request,
    )
    fresh = ShareRequest.objects.select_related("requester__agency", "to_agency", "item").get(
        pk=decided.pk
    )
    return Status(200, _share_json(fresh, title=fresh.item.title))
