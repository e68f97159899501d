from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from jointcase.accounts.models import ApiToken, RoleAssignment, User
from jointcase.accounts.services import user_sessions_end
from jointcase.accounts.tokens import api_token_revoke
from jointcase.admin import AuditedInline, AuditedModelAdmin, admin_site
from jointcase.agencies.models import CaveatAuthorisation, Vetting
from jointcase.audit.services import audit_record


class RoleInline(AuditedInline, admin.TabularInline):
    model = RoleAssignment
    extra = 0


class VettingInline(AuditedInline, admin.StackedInline):
    model = Vetting
    extra = 0
    fk_name = "user"


class CaveatInline(AuditedInline, admin.TabularInline):
    model = CaveatAuthorisation
    extra = 0
    fk_name = "user"


class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "agency", "is_active")
    list_filter = ("is_active", "agency__kind")
    search_fields = ("username", "first_name", "last_name", "email")
    inlines = [RoleInline, VettingInline, CaveatInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("JointCase", {"fields": ("agency", "job_title", "line_manager")}),
    )
    raw_id_fields = ("line_manager",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "is_active" in form.changed_data and not obj.is_active:
                user_sessions_end(
                    actor=request.user,  # type: ignore[arg-type]
                    user=obj,
                    reason="account disabled",
                    request=request,
                )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Setting a user's password here is audited in the same transaction as the change."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                audit_record(
                    action="admin.password_set",
                    actor=request.user,  # type: ignore[arg-type]
                    object_type="accounts.user",
                    object_id=id,
                    request=request,
                )
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
    fields = ("prefix", "name", "user", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    actions = ["revoke_tokens"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected API tokens")
    def revoke_tokens(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            api_token_revoke(actor=request.user, token=token, request=request)  # type: ignore[arg-type]


admin_site.register(ApiToken, ApiTokenAdmin)
