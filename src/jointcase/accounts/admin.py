from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import HttpRequest

from jointcase.accounts.models import RoleAssignment, User
from jointcase.accounts.services import user_sessions_end
from jointcase.admin import AuditedModelAdmin, admin_site
from jointcase.agencies.models import CaveatAuthorisation, Vetting


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


class VettingInline(admin.StackedInline):
    model = Vetting
    extra = 0
    fk_name = "user"


class CaveatInline(admin.TabularInline):
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


admin_site.register(User, UserAdmin)
