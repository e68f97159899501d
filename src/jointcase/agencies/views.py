"""Agency administration pages: an agency administrator manages their own agency's users and teams.

Thin views: a selector fetches (already scoped to the administrator's agency, 404 otherwise),
a form parses, a service writes and audits. Only holders of the agency administrator role get
here; anyone else gets the same 404 as a page that does not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from jointcase.access.acting import NotPermitted
from jointcase.access.agencies import (
    grantable_caveats,
    grantable_roles,
    grantable_vetting_levels,
    is_agency_admin,
)
from jointcase.accounts.enrolment import enrolment_link_hours, enrolment_link_url
from jointcase.accounts.models import EnrolmentLink, Role, User
from jointcase.agencies import selectors, services
from jointcase.agencies.forms import (
    CaveatsForm,
    RolesForm,
    TeamForm,
    TeamMemberForm,
    UserCreateForm,
    UserDetailsForm,
    VettingForm,
)
from jointcase.agencies.models import Caveat, Vetting, VettingLevel
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.lib.sorting import sort_headers, sort_param

#: Set on a form that shows a refusal: its page is a 403, not a 400.
_REFUSED_ATTRIBUTE = "refused"

P = ParamSpec("P")
USERS_PER_PAGE = 50

AdminView = Callable[Concatenate[HttpRequest, User, P], HttpResponse]


def agency_admin_required(
    view: AdminView[P],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Only agency administrators (of an agency) get through; anyone else gets a 404.

    The view receives the acting administrator as its second argument.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if not is_agency_admin(user):
            audit_record(
                action="agencies.page_denied",
                actor=user if isinstance(user, User) else None,
                outcome=Outcome.DENY,
                object_type="page",
                object_id=request.path[:64],
                reason="agency administration needs the agency administrator role",
                request=request,
            )
            raise Http404
        assert isinstance(user, User)
        return view(request, user, *args, **kwargs)

    return wrapper


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], form: forms.Form | None = None
) -> HttpResponse:
    """The page; 403 when it shows a refusal, 400 when it shows other errors."""
    status = 200
    if form is not None and form.errors:
        status = 403 if getattr(form, _REFUSED_ATTRIBUTE, False) else 400
    return render(request, template, {**context, "form": form}, status=status)


def _posted(request: HttpRequest) -> Any:
    """The POST data on a POST (even when empty: every box unticked), None on a GET."""
    return request.POST if request.method == "POST" else None


def _show(form: forms.Form, error: ValidationError | NotPermitted) -> None:
    """Put a service's validation error or refusal on the form: on its field where the form has
    one (a refusal also makes the page a 403)."""
    if isinstance(error, NotPermitted):
        field = getattr(error.refusal, "field", None)
        form.add_error(field if field in form.fields else None, error.message)
        setattr(form, _REFUSED_ATTRIBUTE, True)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _colleagues(actor: User, *, subject: User | None = None) -> QuerySet[User]:
    """Active users of the actor's agency, plus ``subject``'s line manager, never ``subject``."""
    users = selectors.agency_users_for(actor=actor)
    if subject is None:
        return users.filter(is_active=True)
    keep = Q(is_active=True) | Q(pk=subject.line_manager_id)
    return users.filter(keep).exclude(pk=subject.pk)


def _sub_navigation(current: str) -> list[dict[str, Any]]:
    return [
        {"text": "Users", "href": reverse("agencies:admin-users"), "active": current == "users"},
        {"text": "Teams", "href": reverse("agencies:admin-teams"), "active": current == "teams"},
    ]


# --- users ------------------------------------------------------------------------------------


#: The users list's sortable columns (``agencies.selectors.USER_ORDERS``).
USER_SORTS = {"name": "Name", "username": "Username", "vetting": "Vetting"}


@agency_admin_required
@require_http_methods(["GET"])
def users_list(request: HttpRequest, actor: User) -> HttpResponse:
    name = request.GET.get("name", "")[: selectors.NAME_FILTER_MAX]
    sort = sort_param(request, USER_SORTS, "name")
    users = selectors.agency_users_for(actor=actor, name=name, sort=sort)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return _page(
        request,
        "agencies/users.html",
        {
            "title": f"Users of {actor.agency}",
            "page": page,
            "name": name,
            "today": timezone.localdate(),
            "sub_navigation": _sub_navigation("users"),
            "sort": sort if sort != "name" else "",
            "sort_headers": sort_headers(request, USER_SORTS, sort),
        },
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest, actor: User) -> HttpResponse:
    form = UserCreateForm(
        _posted(request),
        colleagues=_colleagues(actor),
        roles=grantable_roles(actor),
        levels=grantable_vetting_levels(actor),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, secret = services.agency_user_create(
                actor=actor,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                job_title=data["job_title"],
                line_manager=data["line_manager"],
                roles=data["roles"],
                vetting_level=data["level"],
                vetting_expires_on=data["expires_on"],
                request=request,
            )
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            return _enrolment_link_page(request, user, secret, title=f"{user} has been added")
    return _page(request, "agencies/user_create.html", {"title": "Add a user"}, form)


def _enrolment_link_page(
    request: HttpRequest, user: User, secret: str, *, title: str
) -> HttpResponse:
    """The enrolment link, shown on this one response and never again (only its hash is kept)."""
    response = render(
        request,
        "agencies/user_enrolment_link.html",
        {
            "title": title,
            "subject": user,
            "link": enrolment_link_url(secret, request),
            "hours": enrolment_link_hours(),
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@agency_admin_required
@require_http_methods(["GET"])
def user_detail(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    user = selectors.agency_user_get_for(actor=actor, user_id=user_id, request=request)
    vetting = Vetting.objects.filter(user=user).first()
    return _page(
        request,
        "agencies/user_detail.html",
        {
            "title": str(user),
            "subject": user,
            "is_self": user.pk == actor.pk,
            "vetting": vetting,
            "vetting_none": vetting is None or vetting.level == VettingLevel.NONE,
            "caveats": list(user.caveat_authorisations.all()),
            "teams": list(selectors.user_current_teams(user=user)),
            "enrolment_pending": EnrolmentLink.objects.filter(
                user=user, used_at__isnull=True, revoked_at__isnull=True
            ).exists(),
            "factors": {
                "totp": TOTPDevice.objects.filter(user=user, confirmed=True).count(),
                "webauthn": WebAuthnCredential.objects.filter(user=user).count(),
            },
            "today": timezone.localdate(),
        },
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    user = selectors.agency_user_get_for(actor=actor, user_id=user_id, request=request)
    form = UserDetailsForm(
        _posted(request),
        colleagues=_colleagues(actor, subject=user),
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "job_title": user.job_title,
            "line_manager": user.line_manager_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agency_user_update(
                actor=actor,
                user=user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                job_title=data["job_title"],
                line_manager=data["line_manager"],
                request=request,
            )
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            messages.success(request, f"{user}'s details have been changed")
            return redirect("agencies:admin-user", user.pk)
    return _page(
        request,
        "agencies/user_edit.html",
        {"title": f"Change {user}'s details", "subject": user},
        form,
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_roles(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    user = selectors.agency_user_get_for(actor=actor, user_id=user_id, request=request)
    offered = grantable_roles(actor)
    form = RolesForm(
        _posted(request),
        roles=offered,
        initial={"roles": [role for role in user.role_codes if role in offered]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_user_roles_set(
                actor=actor, user=user, roles=form.cleaned_data["roles"], request=request
            )
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            messages.success(request, f"{user}'s roles have been changed")
            return redirect("agencies:admin-user", user.pk)
    kept = [Role(role).label for role in sorted(user.role_codes) if role not in offered]
    return _page(
        request,
        "agencies/user_roles.html",
        {"title": f"Change {user}'s roles", "subject": user, "kept_roles": kept},
        form,
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_vetting(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    user = selectors.agency_user_get_for(actor=actor, user_id=user_id, request=request)
    vetting = Vetting.objects.filter(user=user).first()
    initial: dict[str, Any] = {}
    if vetting is not None:
        initial = {"level": vetting.level}
        if vetting.level != VettingLevel.NONE:
            initial["expires_on"] = vetting.expires_on
    form = VettingForm(_posted(request), levels=grantable_vetting_levels(actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_user_vetting_set(
                actor=actor,
                user=user,
                level=form.cleaned_data["level"],
                expires_on=form.cleaned_data["expires_on"],
                request=request,
            )
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            messages.success(request, f"{user}'s vetting has been changed")
            return redirect("agencies:admin-user", user.pk)
    return _page(
        request,
        "agencies/user_vetting.html",
        {"title": f"Change {user}'s vetting", "subject": user, "vetting": vetting},
        form,
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_caveats(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    user = selectors.agency_user_get_for(actor=actor, user_id=user_id, request=request)
    held = {auth.caveat_id: auth for auth in user.caveat_authorisations.all()}
    grantable = grantable_caveats(actor)
    form = CaveatsForm(
        _posted(request),
        grantable=grantable,
        vocabulary=Caveat.objects.filter(is_active=True),
        current={pk: auth.expires_on for pk, auth in held.items()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_user_caveats_set(
                actor=actor, user=user, grants=form.grants(), request=request
            )
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            messages.success(request, f"{user}'s caveats have been changed")
            return redirect("agencies:admin-user", user.pk)
    offered = {caveat.pk for caveat in grantable}
    kept = [auth for pk, auth in held.items() if pk not in offered]
    return _page(
        request,
        "agencies/user_caveats.html",
        {"title": f"Change {user}'s caveats", "subject": user, "kept": kept},
        form,
    )


def _confirm(
    request: HttpRequest,
    actor: User,
    user_id: int,
    *,
    service: Callable[..., object],
    title: str,
    body: str,
    button: str,
    done: str,
    warning: bool = True,
    link_title: str = "",
) -> HttpResponse:
    """A confirmation page (GET) and the action itself (POST).

    A service that returns an enrolment link secret gets the link page (``link_title``).
    """
    user = selectors.agency_user_get_for(actor=actor, user_id=user_id, request=request)
    form = forms.Form(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            secret = service(actor=actor, user=user, request=request)
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            if isinstance(secret, str) and link_title:
                return _enrolment_link_page(
                    request, user, secret, title=link_title.format(user=user)
                )
            messages.success(request, done.format(user=user))
            return redirect("agencies:admin-user", user.pk)
    return _page(
        request,
        "agencies/user_confirm.html",
        {
            "title": title.format(user=user),
            "subject": user,
            "body": body.format(user=user),
            "button": button,
            "warning": warning,
        },
        form,
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_disable(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    return _confirm(
        request,
        actor,
        user_id,
        service=services.agency_user_disable,
        title="Disable {user}'s account",
        body="{user} will be signed out everywhere straight away and will not be able to sign in "
        "until the account is enabled again.",
        button="Disable account",
        done="{user}'s account has been disabled and every session ended",
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_enable(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    return _confirm(
        request,
        actor,
        user_id,
        service=services.agency_user_enable,
        title="Enable {user}'s account",
        body="{user} will be able to sign in again with their password and second factor.",
        button="Enable account",
        done="{user}'s account has been enabled",
        warning=False,
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_mfa_reset(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    return _confirm(
        request,
        actor,
        user_id,
        service=services.agency_user_mfa_reset,
        title="Reset {user}'s second factor",
        body="Every authenticator app, backup code and security key of {user} will be removed, "
        "their password will stop working and they will be signed out everywhere. You will get a "
        "single-use enrolment link to give them, with which they set a new password and second "
        "factor. Only do this once you have confirmed who is asking.",
        button="Reset second factor",
        done="{user}'s second factor has been reset and every session ended",
        link_title="{user}'s second factor has been reset",
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def user_enrolment_link(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    return _confirm(
        request,
        actor,
        user_id,
        service=services.agency_user_enrolment_link_issue,
        title="Send {user} a new enrolment link",
        body="{user} has not set up their account yet. A new single-use enrolment link replaces "
        "any earlier one.",
        button="Create a new enrolment link",
        done="",
        warning=False,
        link_title="A new enrolment link for {user}",
    )


# --- teams ------------------------------------------------------------------------------------


@agency_admin_required
@require_http_methods(["GET"])
def teams_list(request: HttpRequest, actor: User) -> HttpResponse:
    return _page(
        request,
        "agencies/teams.html",
        {
            "title": f"Teams of {actor.agency}",
            "teams": selectors.agency_teams_for(actor=actor),
            "sub_navigation": _sub_navigation("teams"),
        },
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest, actor: User) -> HttpResponse:
    form = TeamForm(_posted(request), colleagues=_colleagues(actor))
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=actor,
                name=form.cleaned_data["name"],
                manager=form.cleaned_data["manager"],
                request=request,
            )
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            messages.success(request, f"{team.name} has been created")
            return redirect("agencies:admin-team", team.pk)
    return _page(request, "agencies/team_create.html", {"title": "Create a team"}, form)


@agency_admin_required
@require_http_methods(["GET"])
def team_detail(request: HttpRequest, actor: User, team_id: int) -> HttpResponse:
    team = selectors.agency_team_get_for(actor=actor, team_id=team_id, request=request)
    return _page(
        request,
        "agencies/team_detail.html",
        {
            "title": team.name,
            "team": team,
            "memberships": selectors.team_current_memberships(team=team),
        },
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def team_member_add(request: HttpRequest, actor: User, team_id: int) -> HttpResponse:
    team = selectors.agency_team_get_for(actor=actor, team_id=team_id, request=request)
    members = selectors.team_current_memberships(team=team).values("user_id")
    candidates = _colleagues(actor).exclude(pk__in=members).exclude(pk=actor.pk)
    form = TeamMemberForm(_posted(request), candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.team_member_add(
                actor=actor, team=team, user=form.cleaned_data["user"], request=request
            )
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            messages.success(request, f"{membership.user} has been added to {team.name}")
            return redirect("agencies:admin-team", team.pk)
    return _page(
        request,
        "agencies/team_member_add.html",
        {"title": f"Add someone to {team.name}", "team": team},
        form,
    )


@agency_admin_required
@require_http_methods(["GET", "POST"])
def team_member_end(
    request: HttpRequest, actor: User, team_id: int, membership_id: int
) -> HttpResponse:
    team = selectors.agency_team_get_for(actor=actor, team_id=team_id, request=request)
    membership = selectors.team_membership_get_for(
        actor=actor, team=team, membership_id=membership_id, request=request
    )
    form = forms.Form(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.team_member_end(actor=actor, membership=membership, request=request)
        except (ValidationError, NotPermitted) as error:
            _show(form, error)
        else:
            messages.success(request, f"{membership.user} is no longer a member of {team.name}")
            return redirect("agencies:admin-team", team.pk)
    return _page(
        request,
        "agencies/team_member_end.html",
        {
            "title": f"Remove {membership.user} from {team.name}",
            "team": team,
            "membership": membership,
        },
        form,
    )
