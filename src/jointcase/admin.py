"""The Django admin for system administrators: behind MFA, every change audited.

Only users holding the SYSTEM_ADMIN role (and a verified second factor) get in; agency
administrators use their own GOV.UK-styled pages (``jointcase.agencies``). Every save and
delete made here writes an audit entry in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from jointcase.audit.services import audit_record


class JointCaseAdminSite(admin.AdminSite):
    site_header = "JointCase system administration"
    site_title = "JointCase administration"
    index_title = "System administration"

    def has_permission(self, request: HttpRequest) -> bool:
        from jointcase.accounts.models import Role

        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and user.is_verified()  # type: ignore[union-attr]
            and user.has_role(Role.SYSTEM_ADMIN)  # type: ignore[union-attr]
            and user.is_staff
        )


    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """The admin has no sign-in of its own: JointCase's sign-in and second factor apply."""
        if request.user.is_authenticated:
            raise Http404  # signed in but not a system administrator: nothing here
        return redirect_to_login(request.get_full_path(), reverse("accounts:sign-in"))


admin_site = JointCaseAdminSite(name="admin")


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every add, change and delete is in the audit chain."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                action="admin.change" if change else "admin.add",
                actor=request.user,  # type: ignore[arg-type]
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                details={"fields": sorted(form.changed_data)},
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                action="admin.delete",
                actor=request.user,  # type: ignore[arg-type]
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                request=request,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(
                    action="admin.delete",
                    actor=request.user,  # type: ignore[arg-type]
                    object_type=obj._meta.label_lower,
                    object_id=obj.pk,
                    request=request,
                )
            super().delete_queryset(request, queryset)
