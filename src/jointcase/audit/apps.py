from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jointcase.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Audit"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from jointcase.audit import checks  # noqa: F401 - registers the system checks
        from jointcase.audit.protection import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="jointcase_audit_sqlite")
