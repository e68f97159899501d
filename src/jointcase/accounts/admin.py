from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from jointcase.accounts.enrolment import (
    enrolment_link_hours,
    enrolment_link_url,
    enrolment_links_revoke,
)
from jointcase.accounts.models import ApiToken, EnrolmentLink, RoleAssignment, User
from jointcase.accounts.services import (
    MfaResetRefused,
    mfa_reset,
    user_api_tokens_revoke,
    user_sessions_end,
)
from jointcase.accounts.tokens import api_token_revoke
from jointcase.admin import AuditedInline, AuditedModelAdmin, ReadOnlyAccessMixin, admin_site
from jointcase.agencies.models import CaveatAuthorisation, Vetting


class RoleInline(ReadOnlyAccessMixin, AuditedInline, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = readonly_fields = ("role",)


class VettingInline(ReadOnlyAccessMixin, AuditedInline, admin.StackedInline):
    model = Vetting
    extra = 0
    fk_name = "user"
    fields = readonly_fields = ("level", "granted_on", "expires_on")


class CaveatInline(ReadOnlyAccessMixin, AuditedInline, admin.TabularInline):
    model = CaveatAuthorisation
    extra = 0
    fk_name = "user"
    fields = readonly_fields = ("caveat", "granted_on", "expires_on", "granted_by")


class UserAddForm(forms.ModelForm):
    """A new account has no password: its user sets one with an enrolment link."""

    class Meta:
        model = User
        fields = ("username",)


#: Fields a system administrator may never change on their own account.
OWN_ACCOUNT_READONLY = ("agency", "is_active", "is_staff", "is_superuser")


class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    """Accounts, seen and administered by the platform operator, never their credentials.

    Roles, vetting and caveats are shown read-only (they change on the agency pages, under the
    ceiling rules). Nobody here sets or learns a password: a new account, or one whose second
    factor is reset, gets a single-use enrolment link for its user (the "reset second factor
    and issue an enrolment link" action). Django's own groups and permissions are not used.
    """

    list_display = ("username", "first_name", "last_name", "agency", "is_active")
    list_filter = ("is_active", "agency__kind")
    search_fields = ("username", "first_name", "last_name", "email")
    inlines = [RoleInline, VettingInline, CaveatInline]
    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("JointCase", {"fields": ("agency", "job_title", "line_manager")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_form = UserAddForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username",)}),)
    readonly_fields = ("last_login", "date_joined")
    raw_id_fields = ("line_manager",)
    actions = ["reset_second_factor_and_issue_enrolment_link"]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        """A new account has no roles, vetting or caveats: the agency pages grant them."""
        return [] if obj is None else super().get_inlines(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == getattr(request.user, "pk", None):
            return fields + OWN_ACCOUNT_READONLY
        return fields

    def get_urls(self) -> list[Any]:
        """Without the password-setting page: nobody sets another person's password here."""
        return [url for url in super().get_urls() if "password" not in str(url.pattern)]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        raise Http404

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            if not change:
                obj.set_unusable_password()
            super().save_model(request, obj, form, change)
            if change and "is_active" in form.changed_data and not obj.is_active:
                actor = request.user
                assert isinstance(actor, User)
                user_sessions_end(actor=actor, user=obj, reason="account disabled", request=request)
                user_api_tokens_revoke(
                    actor=actor, user=obj, reason="account disabled", request=request
                )
                enrolment_links_revoke(
                    actor=actor, user=obj, reason="account disabled", request=request
                )

    @admin.action(description="Reset second factor and issue an enrolment link")
    def reset_second_factor_and_issue_enrolment_link(
        self, request: HttpRequest, queryset: Any
    ) -> HttpResponse | None:
        """One user at a time; the link is shown on this response only, never stored in clear."""
        users = list(queryset[:2])
        if len(users) != 1:
            self.message_user(request, "Select exactly one user", level=messages.ERROR)
            return None
        actor, user = request.user, users[0]
        assert isinstance(actor, User)
        try:
            secret = mfa_reset(actor=actor, user=user, request=request)
        except MfaResetRefused as refusal:
            self.message_user(request, str(refusal), level=messages.ERROR)
            return None
        if secret is None:
            self.message_user(
                request, f"{user}'s second factor has been reset (the account is disabled)"
            )
            return None
        response = TemplateResponse(
            request,
            "admin/accounts/user/enrolment_link.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Enrolment link for {user.username}",
                "subject": user,
                "link": enrolment_link_url(secret, request),
                "hours": enrolment_link_hours(),
                "opts": self.model._meta,
            },
        )
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        return response


admin_site.register(User, UserAdmin)


class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are minted by their users or at the console; here they are only seen and revoked.

    The stored hash is never shown and nothing is editable: a token cannot be re-pointed at
    another user or have its expiry extended.
    """

    list_display = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    fields = (
        "prefix",
        "name",
        "user",
        "ceiling",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = fields
    actions = ["revoke_tokens"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected API tokens")
    def revoke_tokens(self, request: HttpRequest, queryset: Any) -> None:
        actor = request.user
        assert isinstance(actor, User)
        for token in queryset:
            api_token_revoke(actor=actor, token=token, request=request)


admin_site.register(ApiToken, ApiTokenAdmin)


class EnrolmentLinkAdmin(ReadOnlyAccessMixin, AuditedModelAdmin):
    """Enrolment links are seen here (never their secret or its hash), issued by the action."""

    list_display = ("user", "reason", "created_by", "created_at", "expires_at", "used_at")
    list_filter = ("reason",)
    search_fields = ("user__username",)
    fields = readonly_fields = (
        "user",
        "reason",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
    )


admin_site.register(EnrolmentLink, EnrolmentLinkAdmin)
