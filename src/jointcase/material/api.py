"""Material API: list a case's material, read an item (with its body when allowed), add an
item, add a tearline, raise or change a label, with exactly the pages' rules.

Mass assignment is refused: the request schemas forbid unknown fields, so an ``originator``
(always the caller's agency) or any other extra field is a 400; the classification is set on
create and changed only through the label operation. A forbidden item is a 404 like a
missing one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict

from jointcase.access.labels import Classification
from jointcase.access.material import material_case_access
from jointcase.accounts.models import User
from jointcase.audit.models import Outcome
from jointcase.audit.reads import uuid_key
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case
from jointcase.material import selectors, services
from jointcase.material.models import ItemKind
from jointcase.material.uploads import attachment_response
from jointcase.people.api import PageQuery, _auth, paginate

router = Router(tags=["material"], auth=_auth())


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]


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
        return obj.case.public_id  # type: ignore[no-any-return]

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


class ItemDetailOut(ItemOut):
    body: str | None
    withheld: str | None
    #: The item's files (none once its content is destroyed or withheld).
    files: list[FileOut] = Field(default_factory=list, alias="files_out")
    handling_instructions: str
    review_date: dt.date | None
    held_by: str
    referenced_classification: str


def _files_of(item: Any, withheld: str | None) -> list[Any]:
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


class ItemIn(_Strict):
    kind: str = Field(..., max_length=24)
    title: str = Field(..., max_length=200)
    classification: str = Field(..., max_length=20)
    caveats: list[str] = Field(default_factory=list, max_length=20)
    releasable_to: list[str] = Field(default_factory=list, max_length=50)
    orcon: bool = False
    handling_instructions: str = Field("", max_length=2000)
    review_date: dt.date | None = None
    retain_until: dt.date | None = None
    body: str = Field("", max_length=200_000)
    held_by: str = Field("", max_length=200)


class TearlineIn(_Strict):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=200_000)
    classification: str = Field(..., max_length=20)
    caveats: list[str] = Field(default_factory=list, max_length=20)
    releasable_to: list[str] = Field(default_factory=list, max_length=50)
    hide_fuller_version: bool = False


class RetentionIn(_Strict):
    retain_until: dt.date
    reason: str = Field(..., max_length=2000)


class LabelIn(_Strict):
    classification: str = Field(..., max_length=20)
    caveats: list[str] = Field(default_factory=list, max_length=20)
    releasable_to: list[str] = Field(default_factory=list, max_length=50)
    orcon: bool
    reason: str = Field(..., max_length=2000)
    version: int


def _errors(error: ValidationError) -> dict[str, Any]:
    items: list[dict[str, str]] = []
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            items.extend({"field": field, "message": message} for message in messages)
    else:
        items.extend({"field": "request", "message": message} for message in error.messages)
    return {"detail": "There is a problem with the request", "errors": items}


def _not_permitted(refused: services.NotPermitted) -> dict[str, Any]:
    """View versus edit: the caller sees the item but may not do this (403, with why)."""
    return {"detail": refused.message, "errors": [{"field": "request", "message": refused.message}]}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case(request: HttpRequest, case_id: str, action: str) -> Case:
    """The case by its public id; 404 for malformed, missing and forbidden alike."""
    user = _user(request)
    key = uuid_key(case_id)
    with transaction.atomic():
        case = Case.objects.filter(public_id=key).first() if key is not None else None
        decision = material_case_access(user, case) if case is not None else None
        audit_record(
            action=action,
            actor=user,
            outcome=Outcome.ALLOW if decision and decision.allowed else Outcome.DENY,
            object_type="case",
            object_id=case.pk if case is not None else str(case_id)[:64],
            reason=decision.reason if decision else "not_found",
            request=request,
        )
    if case is None or decision is None or not decision.allowed:
        raise Http404("Not found")
    return case


def _fresh(item_id: Any) -> Any:
    return selectors._items().get(pk=item_id)


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
    user = _user(request)
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
def material_read(request: HttpRequest, item_id: str) -> Any:
    user = _user(request)
    item = selectors.material_get_for(user=user, item_id=item_id, request=request)
    opened = selectors.material_open(user=user, item=item, request=request)
    item.body = opened.text  # type: ignore[attr-defined]
    item.withheld = opened.withheld  # type: ignore[attr-defined]
    item.files_out = _files_of(item, opened.withheld)  # type: ignore[attr-defined]
    _mark_visible_parents(user, [item])
    return item


@router.post(
    "/cases/{case_id}/material",
    response={201: ItemDetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="Add an item (the originator is the caller's agency; never under break-glass)",
)
def material_create(request: HttpRequest, case_id: str, payload: ItemIn) -> Any:
    case = _case(request, case_id, "material.create_api")
    try:
        item = services.material_add(
            actor=_user(request),
            case=case,
            request=request,
            **payload.dict(),
        )
    except ValidationError as error:
        return Status(400, _errors(error))
    except services.NotPermitted as refused:
        return Status(403, _not_permitted(refused))
    item = _fresh(item.pk)
    item.body, item.withheld = payload.body or None, None
    item.files_out = []
    return Status(201, item)


@router.post(
    "/material/{item_id}/tearlines",
    response={201: ItemDetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="Add a tearline (a sanitised version at a lower label) of an item",
)
def tearline_create(request: HttpRequest, item_id: str, payload: TearlineIn) -> Any:
    user = _user(request)
    parent = selectors.material_get_for(
        user=user, item_id=item_id, request=request, action="material.tearline_api"
    )
    try:
        item = services.tearline_create(
            actor=user, parent=parent, request=request, **payload.dict()
        )
    except ValidationError as error:
        return Status(400, _errors(error))
    except services.NotPermitted as refused:
        return Status(403, _not_permitted(refused))
    item = _fresh(item.pk)
    item.body, item.withheld = payload.body, None
    item.files_out = []
    return Status(201, item)


@router.post(
    "/material/{item_id}/label",
    response={200: ItemOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change an item's label (narrow: anyone on the case; widen: the originator only)",
)
def label_change(request: HttpRequest, item_id: str, payload: LabelIn) -> Any:
    user = _user(request)
    item = selectors.material_get_for(
        user=user, item_id=item_id, request=request, action="material.label_api"
    )
    values = payload.dict()
    version = values.pop("version")
    try:
        services.material_label_change(
            actor=user,
            item=item,
            expected_version=version,
            request=request,
            **values,
        )
    except ValidationError as error:
        return Status(400, _errors(error))
    except services.NotPermitted as refused:
        return Status(403, _not_permitted(refused))
    return Status(200, _fresh(item.pk))


@router.post(
    "/material/{item_id}/retention",
    response={200: ItemOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change how long an item is kept (the originator agency, with a reason)",
)
def retention_change(request: HttpRequest, item_id: str, payload: RetentionIn) -> Any:
    user = _user(request)
    item = selectors.material_get_for(
        user=user, item_id=item_id, request=request, action="material.retention_api"
    )
    try:
        services.material_retention_change(
            actor=user,
            item=item,
            retain_until=payload.retain_until,
            reason=payload.reason,
            request=request,
        )
    except ValidationError as error:
        return Status(400, _errors(error))
    except services.NotPermitted as refused:
        return Status(403, _not_permitted(refused))
    return Status(200, _fresh(item.pk))


@router.post(
    "/material/{item_id}/files",
    response={201: FileOut, 400: ErrorOut, 403: ErrorOut, 413: ErrorOut},
    summary="Upload a file to an item (multipart field 'file'; the originator agency; a "
    "tearline only while it is a draft)",
)
def file_upload(request: HttpRequest, item_id: str, file: File[UploadedFile]) -> Any:
    user = _user(request)
    item = selectors.material_get_for(
        user=user, item_id=item_id, request=request, action="material.file_api"
    )
    try:
        stored = services.material_file_add(actor=user, item=item, upload=file, request=request)
    except services.FileTooLarge as error:
        return Status(413, _errors(error))
    except ValidationError as error:
        return Status(400, _errors(error))
    except services.NotPermitted as refused:
        return Status(403, _not_permitted(refused))
    return Status(201, stored)


@router.get(
    "/material/files/{file_id}",
    response={200: None, 409: ErrorOut},
    summary="Download a file (an attachment, marked in its name; 404 when not visible)",
)
def file_download(request: HttpRequest, file_id: str) -> Any:
    found = selectors.file_download_for(user=_user(request), file_id=file_id, request=request)
    if found.content is None:
        return Status(409, {"detail": found.withheld or "", "errors": []})
    response: HttpResponse = attachment_response(
        found.content, filename=found.filename, mime=found.mime
    )
    return response
