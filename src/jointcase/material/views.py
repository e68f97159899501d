"""Material pages: the case's material tab, the item page, the forms (add, relabel, tearline,
approve, share requests, break-glass), downloads and exports.

Thin: every item is read through ``selectors.material_get_for`` (decided and audited; 404 for
missing and forbidden alike); lists through the access filter; writes through the services.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jointcase.access import material_acts
from jointcase.access.acting import NotPermitted, Refusal, audited_denial, permission_require
from jointcase.access.labels import Classification
from jointcase.access.material import material_case_access, material_decision
from jointcase.access.policy import Decision
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency
from jointcase.audit.models import Outcome
from jointcase.audit.purpose import Purpose, purpose_ask, purpose_store
from jointcase.audit.reads import audited_read, uuid_key
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case
from jointcase.home.marking import marking_for_request
from jointcase.lib.forms import form_page
from jointcase.material import forms as material_forms
from jointcase.material import selectors
from jointcase.material.models import (
    BreakGlass,
    ItemKind,
    MaterialFile,
    MaterialGrant,
    MaterialItem,
    ShareKind,
    ShareRequest,
    ShareStatus,
    TearlineStatus,
)
from jointcase.material.services import breakglass as breakglass_services
from jointcase.material.services import items as item_services
from jointcase.material.services import labels as label_services
from jointcase.material.services import retention as retention_services
from jointcase.material.services import sharing as sharing_services
from jointcase.material.services import tearlines as tearline_services
from jointcase.material.uploads import attachment_response, download_filename, upload_max_bytes

NOT_FOUND = "Material not found"
#: Items per page of the case's material tab.
PAGE_SIZE = 50

T = TypeVar("T")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case_for(request: HttpRequest, case_id: Any, action: str = "material.case_list") -> Case:
    """The case (by its public id) whose material the user may open (case rule or
    break-glass); 404 otherwise, malformed, missing and forbidden alike."""
    user = _user(request)

    def decide(case: Case) -> Decision:
        decision = material_case_access(user, case)
        if decision.allowed:
            purpose_ask(request, "case", case.pk)  # before the read: the one purpose gate
        return decision

    case = audited_read(
        user=user,
        raw_id=case_id,
        key=uuid_key,
        load=lambda key: Case.objects.select_related("person").filter(public_id=key).first(),
        decide=decide,
        action=action,
        object_type="case",
        not_found=NOT_FOUND,
        request=request,
    )
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return case


def _purpose_before_item(request: HttpRequest, item_id: Any) -> None:
    """Ask for the purpose of consultation of the item's case before the item is read (only
    for an item the user may see, so the question reveals nothing)."""
    pk = selectors._uuid(item_id)
    item = MaterialItem.objects.filter(pk=pk).first() if pk else None
    if item is not None and material_decision(_user(request), item).allowed:
        purpose_ask(request, "case", item.case_id)


def _item_for(request: HttpRequest, item_id: Any, action: str = "material.read") -> MaterialItem:
    _purpose_before_item(request, item_id)
    item = selectors.material_get_for(
        user=_user(request), item_id=item_id, request=request, action=action
    )
    marking_for_request(request).note(item.classification)
    return item


def _permit(
    request: HttpRequest,
    item: MaterialItem,
    check: Callable[[User, MaterialItem], Refusal | None],
    action: str,
) -> None:
    """View versus edit: a reader who sees ``item`` but may not use this form gets a 403 (GET
    and POST alike), with a DENY audit entry, before any form is shown or read."""
    permission_require(
        actor=_user(request),
        refusal=check(_user(request), item),
        action=action,
        object_type="material",
        object_id=str(item.pk),
        request=request,
    )


def _not_permitted_is_403(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Answer ``NotPermitted`` with the reason on a 403 page (the reader can already
    see the object, so telling them why it is refused reveals nothing)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotPermitted as refused:
            return render(
                request,
                "material/not_permitted.html",
                {"message": refused.message, "title": "You cannot do this"},
                status=403,
            )

    return wrapped


def _known_or_404(
    request: HttpRequest, found: T | None, *, action: str, object_type: str, object_id: int
) -> T:
    """``found`` (from a selector answering None for missing and forbidden alike), or a DENY
    entry and the same 404 as for a missing object."""
    if found is None:
        audited_denial(
            actor=_user(request),
            action=action,
            reason="not_found_or_forbidden",
            object_type=object_type,
            object_id=object_id,
            request=request,
        )
        raise Http404(NOT_FOUND)
    return found


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    template: str,
    context: dict[str, Any],
    success: Callable[[Any], str],
    message: str | Callable[[Any], str],
) -> HttpResponse:
    return form_page(
        request,
        form,
        save,
        template=template,
        context=context,
        success_url=success,
        success_message=message,
    )


# --- The case's material tab ---------------------------------------------------------------


@require_http_methods(["GET"])
def case_material(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    case = _case_for(request, case_id)
    filters = material_forms.MaterialFilterForm(request.GET or None)
    narrowing = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    listing = selectors.material_list_for_case(
        user=user,
        case=case,
        title=narrowing.get("title", ""),
        kind=narrowing.get("kind", ""),
        classification=narrowing.get("classification", ""),
    )
    try:
        number = max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        number = 1
    items = list(listing[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
    has_next = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    parents = {item.parent_id for item in items if item.parent_id}
    visible = set(selectors.material_visible_ids(user=user, ids=parents) if parents else ()) | {
        item.pk for item in items
    }
    rows = []
    for item in items:
        fuller = None
        if (
            item.parent_id is not None
            and item.parent_id not in visible
            and not item.hide_fuller_version
        ):
            fuller = item.originator
        rows.append(
            {
                "item": item,
                "fuller_held_by": fuller,
                "show_tearline": item.parent_id is not None
                and (item.parent_id in visible or not item.hide_fuller_version),
            }
        )
    access = material_case_access(user, case)
    return render(
        request,
        "material/case_material.html",
        {
            "case": case,
            "rows": rows,
            "break_glass": access.reason == "break_glass",
            "can_add": material_acts.add_refusal(user, case) is None,
            "page_number": number,
            "has_next": has_next,
            "filters": filters,
            "narrowed": bool(narrowing and any(narrowing.values())),
            "query": urlencode({k: v for k, v in narrowing.items() if v}),
        },
        status=400 if filters.is_bound and not filters.is_valid() else 200,
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def item_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    case = _case_for(request, case_id, action="material.create_form")
    permission_require(
        actor=user,
        refusal=material_acts.add_refusal(user, case),
        action="material.create_form",
        object_type="case",
        object_id=case.pk,
        request=request,
    )
    data = request.POST if request.method == "POST" else None
    form = material_forms.MaterialAddForm(data, request.FILES or None)

    def save(cleaned: dict[str, Any]) -> MaterialItem:
        upload = request.FILES.get("file")
        return item_services.material_add(
            actor=user,
            case=case,
            kind=cleaned["kind"],
            title=cleaned["title"],
            classification=cleaned["classification"],
            caveats=cleaned["caveats"],
            releasable_to=[a.code for a in cleaned["releasable_to"]],
            orcon=cleaned["orcon"],
            handling_instructions=cleaned["handling_instructions"],
            review_date=cleaned["review_date"],
            retain_until=cleaned["retain_until"],
            body=cleaned["body"],
            held_by=cleaned["held_by"],
            files=[upload] if upload else [],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="material/item_add.html",
        context={"case": case, "title": "Add material"},
        success=lambda item: reverse("material:item", args=[item.pk]),
        message="Material added",
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def note_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A case note: the short form (title, text, a label with sensible defaults). It is
    material like any other (the same service: labelled, sealed under its own data key, the
    writer's agency its originator)."""
    user = _user(request)
    case = _case_for(request, case_id, action="material.note_form")
    permission_require(
        actor=user,
        refusal=material_acts.add_refusal(user, case),
        action="material.note_form",
        object_type="case",
        object_id=case.pk,
        request=request,
    )
    form = material_forms.NoteForm(request.POST if request.method == "POST" else None)

    def save(cleaned: dict[str, Any]) -> MaterialItem:
        return item_services.material_add(
            actor=user,
            case=case,
            kind=ItemKind.NOTE,
            title=cleaned["title"],
            classification=cleaned["classification"],
            caveats=cleaned["caveats"],
            releasable_to=[a.code for a in cleaned["releasable_to"]],
            body=cleaned["body"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="material/note_add.html",
        context={"case": case, "agency": user.agency},
        success=lambda item: reverse("material:item", args=[item.pk]),
        message=lambda item: f"Case note '{item.title}' added",
    )


@require_http_methods(["GET", "POST"])
def breakglass_open(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Emergency access. The form answers the same for a missing case and an excluded user."""
    form = material_forms.BreakGlassForm(request.POST if request.method == "POST" else None)
    return _breakglass_page(
        request,
        form,
        lambda cleaned: Case.objects.filter(public_id=case_id).first(),
        template="material/breakglass.html",
        context={"case_id": case_id},
        asked=str(case_id),
    )


@require_http_methods(["GET", "POST"])
def breakglass_start(request: HttpRequest) -> HttpResponse:
    """Emergency access to a case the user cannot see yet, by its reference (given to them by
    a colleague). A reference that names no case gets the same refusal as an excluded user."""
    form = material_forms.BreakGlassStartForm(request.POST if request.method == "POST" else None)
    return _breakglass_page(
        request,
        form,
        lambda cleaned: Case.objects.filter(reference__iexact=cleaned["case_reference"]).first(),
        template="material/breakglass_start.html",
        context={},
        asked=str(request.POST.get("case_reference", ""))[:64],
    )


def _breakglass_page(
    request: HttpRequest,
    form: forms.Form,
    find: Callable[[dict[str, Any]], Case | None],
    *,
    template: str,
    context: dict[str, Any],
    asked: str,
) -> HttpResponse:
    user = _user(request)

    def save(cleaned: dict[str, Any]) -> Any:
        case = find(cleaned)
        if case is None:
            audited_denial(
                actor=user,
                action="breakglass.refused",
                reason="not_found",
                object_type="case",
                object_id=asked,
                request=request,
            )
            raise ValidationError({"reason": material_acts.BREAKGLASS_REFUSED})
        glass = breakglass_services.breakglass_open(
            actor=user, case=case, reason=cleaned["reason"], request=request
        )
        # The written reason is the purpose of this consultation (audit/purpose.py): the
        # case's pages are not asked again for the break-glass window's session.
        purpose_store(request, "case", case.pk, Purpose.BREAK_GLASS, cleaned["reason"])
        return glass

    minutes = breakglass_services.breakglass_minutes()
    return _form_page(
        request,
        form,
        save,
        template=template,
        context={**context, "minutes": minutes},
        success=lambda glass: reverse("material:case-material", args=[glass.case.public_id]),
        message=f"Break-glass access opened for {minutes} minutes. "
        "Your line manager and the case lead have been told.",
    )


# --- The item page -------------------------------------------------------------------------


@require_http_methods(["GET"])
def item_detail(request: HttpRequest, item_id: Any) -> HttpResponse:
    user = _user(request)
    item = _item_for(request, item_id)
    opened = selectors.material_open(user=user, item=item, request=request)
    tearlines = list(selectors.tearlines_visible(user=user, item=item))
    for tearline in tearlines:
        marking_for_request(request).note(tearline.classification)
    parent_visible = item.parent is not None and material_decision(user, item.parent).allowed
    is_originator = material_acts.in_originating_agency(user, item.originator_id)
    return render(
        request,
        "material/item.html",
        {
            "item": item,
            "opened": opened,
            "tearlines": tearlines,
            "files": list(item.files.all())
            if opened.withheld is None and item.destroyed_at is None
            else [],
            "parent_visible": parent_visible,
            "fuller_held_by": item.originator
            if item.parent_id and not parent_visible and not item.hide_fuller_version
            else None,
            "is_originator": is_originator,
            "can_approve": material_acts.approve_refusal(user, item) is None,
            "can_write_tearline": material_acts.tearline_refusal(user, item) is None,
            "can_relabel": material_acts.relabel_refusal(user, item) is None,
            "can_share": material_acts.share_refusal(user, item) is None,
            "can_destroy": material_acts.destroy_refusal(user, item) is None,
            "can_change_retention": material_acts.retention_refusal(user, item) is None,
            "label_changes": list(item.label_changes.select_related("changed_by")[:20]),
            "grants": list(selectors.grants_live_for(user=user, item=item)),
        },
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def label_change(request: HttpRequest, item_id: Any) -> HttpResponse:
    user = _user(request)
    item = _item_for(request, item_id, action="material.label_change_form")
    _permit(request, item, material_acts.relabel_refusal, "material.label_change_form")
    initial = {
        "classification": item.classification,
        "caveats": [c.code for c in item.caveats.all()],
        "releasable_to": [a.code for a in item.releasable_to.all()],
        "orcon": item.orcon,
        "version": item.version,
    }
    form = material_forms.LabelChangeForm(
        request.POST if request.method == "POST" else None, initial=initial
    )

    def save(cleaned: dict[str, Any]) -> MaterialItem:
        return label_services.material_label_change(
            actor=user,
            item=item,
            classification=cleaned["classification"],
            caveats=cleaned["caveats"],
            releasable_to=[a.code for a in cleaned["releasable_to"]],
            orcon=cleaned["orcon"],
            reason=cleaned["reason"],
            expected_version=cleaned["version"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="material/label_change.html",
        context={"item": item},
        success=lambda changed: reverse("material:item", args=[changed.pk]),
        message="Label changed",
    )


def _tearline_request_for(request: HttpRequest, parent: MaterialItem) -> ShareRequest | None:
    """The request for a tearline of ``parent`` the form answers (``?request=<id>``): one the
    user may know of (``selectors``), waiting for a tearline of this very item; otherwise the
    same 404 as for a missing one."""
    raw = request.GET.get("request", "")
    if not raw:
        return None
    request_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
    share = selectors.share_request_get_for(user=_user(request), request_id=request_id)
    if share is not None and (
        share.item_id != parent.pk
        or share.kind != ShareKind.TEARLINE
        or share.status != ShareStatus.PENDING
        or share.requester_id == _user(request).pk
    ):
        share = None
    return _known_or_404(
        request,
        share,
        action="material.tearline_form",
        object_type="share_request",
        object_id=request_id,
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def tearline_add(request: HttpRequest, item_id: Any) -> HttpResponse:
    user = _user(request)
    parent = _item_for(request, item_id, action="material.tearline_form")
    _permit(request, parent, material_acts.tearline_refusal, "material.tearline_form")
    answers = _tearline_request_for(request, parent)
    form = material_forms.TearlineForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )

    def save(cleaned: dict[str, Any]) -> MaterialItem:
        return tearline_services.tearline_create(
            actor=user,
            parent=parent,
            title=cleaned["title"],
            body=cleaned["body"],
            classification=cleaned["classification"],
            caveats=cleaned["caveats"],
            releasable_to=[a.code for a in cleaned["releasable_to"]],
            hide_fuller_version=cleaned["hide_fuller_version"],
            files=[upload] if (upload := request.FILES.get("file")) else [],
            answers=answers,
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="material/tearline_add.html",
        context={
            "parent": parent,
            "answers": answers,
            "upload_limit_mb": upload_max_bytes() // (1024 * 1024),
        },
        success=lambda tearline: reverse("material:item", args=[tearline.pk]),
        message="Tearline written: a second person of your agency must approve it",
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def tearline_approve(request: HttpRequest, item_id: Any) -> HttpResponse:
    """The approver sees what they approve: the tearline and, when they may read it
    (``access`` decides, it is not assumed), the original beside it, each with its label, and
    who will be able to read the tearline. The outcome is said in words."""
    user = _user(request)
    tearline = _item_for(request, item_id, action="material.tearline_approve_form")
    _permit(request, tearline, material_acts.approve_refusal, "material.tearline_approve_form")
    form = material_forms.TearlineDecisionForm(request.POST if request.method == "POST" else None)
    parent = tearline.parent
    original = None
    if parent is not None and material_decision(user, parent).allowed:
        original = selectors.material_get_for(
            user=user, item_id=parent.pk, request=request, action="material.read"
        )
        marking_for_request(request).note(original.classification)
    audience = material_acts.tearline_audience(tearline)

    def save(cleaned: dict[str, Any]) -> MaterialItem:
        return tearline_services.tearline_approve(
            actor=user,
            tearline=tearline,
            approve=cleaned["decision"] == "approve",
            reason=cleaned["reason"],
            request=request,
        )

    def outcome(decided: MaterialItem) -> str:
        if decided.tearline_status == TearlineStatus.APPROVED:
            return (
                f"You approved the tearline '{decided.title}'. It can now be read by "
                f"{audience.sentence()}."
            )
        return (
            f"You refused the tearline '{decided.title}'. No one outside "
            f"{decided.originator.name} will see it, and its author has been told."
        )

    return _form_page(
        request,
        form,
        save,
        template="material/tearline_approve.html",
        context={
            "item": tearline,
            "tearline_text": selectors.material_open(user=user, item=tearline, request=request),
            "original": original,
            "original_text": selectors.material_open(user=user, item=original, request=request)
            if original is not None
            else None,
            "audience": audience,
            "title": "Approve the tearline",
        },
        success=lambda t: reverse("material:item", args=[t.pk]),
        message=outcome,
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def request_access(request: HttpRequest, item_id: Any) -> HttpResponse:
    """Ask for the fuller version of a tearline's parent (which the reader cannot see)."""
    user = _user(request)
    pk = selectors._uuid(item_id)
    item = (
        MaterialItem.objects.select_related("originator", "case").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if item is None or not sharing_services.fuller_version_requestable(user, item):
        audited_denial(
            actor=user,
            action="material.share_request",
            reason="not_found" if item is None else "not_requestable",
            object_type="material",
            object_id=str(item_id)[:64],
            request=request,
        )
        raise Http404(NOT_FOUND)
    _permit(request, item, material_acts.share_refusal, "material.share_request")
    # Before anyone asks: a request the asker's vetting could never see granted is not offered;
    # a request for a tearline at their level is, instead (``access`` decides the reach).
    reach = material_acts.fuller_version_reach_refusal(user, item)
    kind = ShareKind.ACCESS if reach is None else ShareKind.TEARLINE
    form = material_forms.ShareRequestForm(request.POST if request.method == "POST" else None)

    def save(cleaned: dict[str, Any]) -> ShareRequest:
        return sharing_services.share_request_create(
            actor=user, item=item, kind=kind, reason=cleaned["reason"], request=request
        )

    asked = "a tearline at your level" if reach else "the fuller version"
    return _form_page(
        request,
        form,
        save,
        template="material/request.html",
        context={
            "held_by": item.originator,
            "title": "Request the fuller version" if reach is None else "Ask for a tearline",
            "reach": reach,
        },
        success=lambda _r: reverse("material:my-requests"),
        message=f"Request for {asked} sent to {item.originator.name}",
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def onward_share(request: HttpRequest, item_id: Any) -> HttpResponse:
    user = _user(request)
    item = _item_for(request, item_id, action="material.share_form")
    _permit(request, item, material_acts.share_refusal, "material.share_form")
    form = material_forms.OnwardShareForm(request.POST if request.method == "POST" else None)

    def save(cleaned: dict[str, Any]) -> ShareRequest:
        agency = Agency.objects.filter(code=cleaned["to_agency"], is_active=True).first()
        if agency is None:
            raise ValidationError({"to_agency": "Select an agency"})
        return sharing_services.share_request_create(
            actor=user,
            item=item,
            kind=ShareKind.ONWARD_SHARE,
            to_agency=agency,
            reason=cleaned["reason"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="material/request.html",
        context={
            "item": item,
            "held_by": item.originator,
            "title": "Ask to share this item onward",
        },
        success=lambda _r: reverse("material:my-requests"),
        message=f"Request sent to {item.originator.name}",
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def destroy(request: HttpRequest, item_id: Any) -> HttpResponse:
    user = _user(request)
    item = _item_for(request, item_id, action="material.destroy_form")
    _permit(request, item, material_acts.destroy_refusal, "material.destroy_form")
    form = material_forms.DestroyForm(request.POST if request.method == "POST" else None)

    def save(cleaned: dict[str, Any]) -> MaterialItem:
        return retention_services.material_destroy(
            actor=user, item=item, reason=cleaned["reason"], request=request
        )

    return _form_page(
        request,
        form,
        save,
        template="material/destroy.html",
        context={"item": item},
        success=lambda i: reverse("material:item", args=[i.pk]),
        message="Item content destroyed",
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    """The originator agency (or the grant's approver) ends someone's access to an item. The
    grantee, who knows of their grant, gets a 403; anyone else a 404 as for a missing one."""
    user = _user(request)
    grant = _known_or_404(
        request,
        selectors.grant_get_for(user=user, grant_id=grant_id),
        action="material.grant_revoke_form",
        object_type="material_grant",
        object_id=grant_id,
    )
    permission_require(
        actor=user,
        refusal=material_acts.grant_revoke_refusal(user, grant),
        action="material.grant_revoke_form",
        object_type="material_grant",
        object_id=grant.pk,
        request=request,
    )
    marking_for_request(request).note(grant.item.classification)
    form = material_forms.GrantRevokeForm(request.POST if request.method == "POST" else None)

    def save(cleaned: dict[str, Any]) -> MaterialGrant:
        return sharing_services.grant_revoke(
            actor=user, grant=grant, reason=cleaned["reason"], request=request
        )

    return _form_page(
        request,
        form,
        save,
        template="material/grant_revoke.html",
        context={"grant": grant, "item": grant.item, "title": "Revoke access"},
        success=lambda revoked: reverse("material:item", args=[revoked.item_id]),
        message="Access revoked. They have been told.",
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def retention_change(request: HttpRequest, item_id: Any) -> HttpResponse:
    user = _user(request)
    item = _item_for(request, item_id, action="material.retention_form")
    _permit(request, item, material_acts.retention_refusal, "material.retention_form")
    form = material_forms.RetentionForm(
        request.POST if request.method == "POST" else None,
        initial={"retain_until": item.retain_until},
    )

    def save(cleaned: dict[str, Any]) -> MaterialItem:
        return retention_services.material_retention_change(
            actor=user,
            item=item,
            retain_until=cleaned["retain_until"],
            reason=cleaned["reason"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="material/retention.html",
        context={"item": item, "title": "Change how long it is kept"},
        success=lambda i: reverse("material:item", args=[i.pk]),
        message="Retention date changed",
    )


def _destroyed_page(request: HttpRequest, item: MaterialItem) -> HttpResponse:
    """A destroyed item's content cannot be downloaded or exported: say so (409), not 500."""
    assert item.destroyed_at is not None
    return render(
        request,
        "material/withheld.html",
        {
            "item": item,
            "message": f"The content of this item was destroyed on "
            f"{timezone.localtime(item.destroyed_at):%-d %B %Y}.",
        },
        status=409,
    )


@require_http_methods(["GET"])
def download(request: HttpRequest, file_id: Any) -> HttpResponse:
    pk = selectors._uuid(file_id)
    item_id = (
        MaterialFile.objects.filter(pk=pk).values_list("item_id", flat=True).first() if pk else None
    )
    if item_id is not None:
        _purpose_before_item(request, item_id)
    found = selectors.file_download_for(user=_user(request), file_id=file_id, request=request)
    if found.content is None:
        marking_for_request(request).note(found.item.classification)
        return render(
            request,
            "material/withheld.html",
            {"item": found.item, "message": found.withheld},
            status=409,
        )
    return attachment_response(found.content, filename=found.filename, mime=found.mime)


@require_http_methods(["GET"])
def export(request: HttpRequest, item_id: Any) -> HttpResponse:
    """The item as a marked text file. ORCON items: only with the originator's consent (its
    own users)."""
    user = _user(request)
    item = _item_for(request, item_id, action="material.export")
    permission_require(
        actor=user,
        refusal=material_acts.export_refusal(user, item),
        action="material.export",
        object_type="material",
        object_id=str(item.pk),
        request=request,
    )
    if item.destroyed_at is not None:
        return _destroyed_page(request, item)
    opened = selectors.material_open(user=user, item=item, request=request)
    if opened.withheld is not None:
        return render(
            request,
            "material/withheld.html",
            {"item": item, "message": opened.withheld},
            status=409,
        )
    caveats = item.caveat_codes()
    marking = " ".join([item.classification, *caveats])
    text = "\n".join(
        [
            marking,
            "",
            item.title,
            f"Originator: {item.originator.name}",
            f"Case: {item.case.reference}",
            "",
            opened.text or f"Reference to material held by {item.held_by}",
            "",
            marking,
            "",
        ]
    )
    with transaction.atomic():
        audit_record(
            action="material.exported",
            actor=user,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            recipient=user.get_username(),
            request=request,
        )
    name = download_filename(
        safe_name="export.txt", classification=item.classification, caveats=tuple(caveats)
    )
    return attachment_response(
        text.encode("utf-8"), filename=name, mime="text/plain; charset=utf-8"
    )


# --- Inboxes and queues --------------------------------------------------------------------


@require_http_methods(["GET"])
def share_inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    requests = list(selectors.share_inbox_for(user=user))
    drafts = list(selectors.drafts_to_approve_for(user=user))
    for share in requests:
        marking_for_request(request).note(share.item.classification)
    for draft in drafts:
        marking_for_request(request).note(draft.classification)
    return render(request, "material/inbox.html", {"requests": requests, "drafts": drafts})


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def share_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """The originator agency decides. The requester (who knows the request) gets a 403;
    anyone else a 404, as for a missing request."""
    user = _user(request)
    share = _known_or_404(
        request,
        selectors.share_request_get_for(user=user, request_id=request_id),
        action="material.share_decide",
        object_type="share_request",
        object_id=request_id,
    )
    permission_require(
        actor=user,
        refusal=material_acts.decide_refusal(user, share),
        action="material.share_decide",
        object_type="share_request",
        object_id=share.pk,
        request=request,
    )
    marking_for_request(request).note(share.item.classification)
    asks_for_tearline = share.kind == ShareKind.TEARLINE
    data = request.POST if request.method == "POST" else None
    # A request for a tearline is granted by writing one (the link on the page); here it can
    # only be refused.
    form: forms.Form = (
        material_forms.RefuseForm(data) if asks_for_tearline else material_forms.DecisionForm(data)
    )

    def save(cleaned: dict[str, Any]) -> ShareRequest:
        return sharing_services.share_request_decide(
            actor=user,
            share_request=share,
            approve=not asks_for_tearline and cleaned["decision"] == "approve",
            reason=cleaned["reason"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="material/share_decide.html",
        context={
            "share": share,
            # An access request the requester's vetting could never use (made before the
            # check, or their vetting changed since): say so before the decision, not after.
            "requester_reach": material_acts.fuller_version_reach_refusal(
                share.requester, share.item
            )
            if share.kind == ShareKind.ACCESS
            else None,
        },
        success=lambda _s: reverse("material:inbox"),
        message="Decision recorded",
    )


@require_http_methods(["GET"])
def my_requests(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "material/my_requests.html",
        {
            "rows": selectors.my_share_request_rows(user=user),
            "tag_colours": selectors.REQUEST_TAG_COLOURS,
        },
    )


def _senior(request: HttpRequest, action: str) -> User:
    user = _user(request)
    if not material_acts.is_senior(user):
        audited_denial(
            actor=user,
            action=action,
            reason="not_senior",
            object_type="breakglass",
            object_id="",
            request=request,
        )
        raise Http404(NOT_FOUND)
    return user


@require_http_methods(["GET"])
def breakglass_queue(request: HttpRequest) -> HttpResponse:
    user = _senior(request, "breakglass.queue")
    return render(
        request,
        "material/breakglass_queue.html",
        {"entries": list(selectors.breakglass_queue(user=user)), "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
@_not_permitted_is_403
def breakglass_review(request: HttpRequest, break_glass_id: int) -> HttpResponse:
    user = _senior(request, "breakglass.review")
    glass = selectors.breakglass_queue(user=user).filter(pk=break_glass_id).first()
    if glass is None:
        audited_denial(
            actor=user,
            action="breakglass.review",
            reason="not_found_or_forbidden",
            object_type="breakglass",
            object_id=break_glass_id,
            request=request,
        )
        raise Http404(NOT_FOUND)
    permission_require(
        actor=user,
        refusal=material_acts.breakglass_review_refusal(user, glass),
        action="breakglass.review",
        object_type="breakglass",
        object_id=glass.pk,
        request=request,
    )
    form = material_forms.BreakGlassReviewForm(request.POST if request.method == "POST" else None)

    def save(cleaned: dict[str, Any]) -> BreakGlass:
        return breakglass_services.breakglass_review(
            actor=user,
            break_glass=glass,
            outcome=cleaned["outcome"],
            notes=cleaned["notes"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="material/breakglass_review.html",
        context={"glass": glass},
        success=lambda _g: reverse("material:breakglass-queue"),
        message="Review recorded",
    )
