"""The Django admin for system administrators: behind MFA, every change audited.

Only users holding the SYSTEM_ADMIN role (and a verified second factor) get in; agency
administrators use their own GOV.UK-styled pages (``jointcase.agencies``). Every save and
delete made here writes an audit entry in the same transaction.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from jointcase.access.roles import may_use_admin_site
from jointcase.accounts.views import sign_out
from jointcase.audit.services import audit_record


class JointCaseAdminSite(admin.AdminSite):
    site_header = "JointCase system administration"
    site_title = "JointCase administration"
    index_title = "System administration"

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin_site(request.user)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """A signed-in user who may not use the admin gets 404, as if it were not there."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return guarded

    def logout(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        """Signing out from the admin is JointCase's audited sign-out."""

        return sign_out(request)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """The admin has no sign-in of its own: JointCase's sign-in and second factor apply."""
        if request.user.is_authenticated:
            raise Http404  # signed in but not a system administrator: nothing here
        return redirect_to_login(request.get_full_path(), reverse("accounts:sign-in"))


admin_site = JointCaseAdminSite(name="admin")


class RolePermissionsMixin:
    """Permission from the role: whoever the site lets in may use every registered model.

    Django's per-model permissions are not used (nobody holds them); subclasses narrow this
    (read-only models and the like).
    """

    admin_site: admin.AdminSite

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)


class ReadOnlyAccessMixin(RolePermissionsMixin):
    """Seen, never changed, here: who may see what (roles, vetting, caveats, memberships).

    They change only through the agency administration pages, under the ceiling rules and never
    by the person they are about (``jointcase.agencies.services``), so that the platform operator
    cannot give anyone, themselves included, case content from the Django admin.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedInline(RolePermissionsMixin, admin.options.InlineModelAdmin):
    """Base for every inline on ``admin_site``; its rows are audited by the parent's
    :meth:`AuditedModelAdmin.save_formset`."""


class AuditedModelAdmin(RolePermissionsMixin, admin.ModelAdmin):
    """A ModelAdmin whose every add, change and delete is in the audit chain.

    Every ModelAdmin registered on ``admin_site`` must inherit from this, and every inline
    from :class:`AuditedInline` (a test walks the registry). Permission comes from the role
    (see :class:`RolePermissionsMixin`): a system administrator with a verified second factor.
    """

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (roles, vetting, caveats) are audited one entry per row changed."""
        deleted = [
            (row.instance._meta.label_lower, row.instance.pk)
            for row in formset.deleted_forms
            if row.instance.pk is not None
        ]
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            changes = [
                *(("admin.add", obj._meta.label_lower, obj.pk, []) for obj in formset.new_objects),
                *(
                    ("admin.change", obj._meta.label_lower, obj.pk, fields)
                    for obj, fields in formset.changed_objects
                ),
                *(("admin.delete", label, pk, []) for label, pk in deleted),
            ]
            parent = f"{form.instance._meta.label_lower}:{form.instance.pk}"
            for action, label, pk, fields in changes:
                audit_record(
                    action=action,
                    actor=request.user,
                    object_type=label,
                    object_id=pk,
                    details={"parent": parent} | ({"fields": sorted(fields)} if fields else {}),
                    request=request,
                )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                action="admin.change" if change else "admin.add",
                actor=request.user,
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                details={"fields": sorted(form.changed_data)},
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                action="admin.delete",
                actor=request.user,
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
                    actor=request.user,
                    object_type=obj._meta.label_lower,
                    object_id=obj.pk,
                    request=request,
                )
            super().delete_queryset(request, queryset)
