from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created

from jointcase.audit.protection import register_sqlite_function


class AuditConfig(AppConfig):
    name = "jointcase.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Audit"

    def ready(self) -> None:
        from jointcase.audit import checks  # noqa: F401, PLC0415 - registers the system checks, in ready()

        connection_created.connect(register_sqlite_function, dispatch_uid="jointcase_audit_sqlite")
