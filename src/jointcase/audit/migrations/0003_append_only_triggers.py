"""Triggers that make the audit tables append-only (see audit/protection.py, docs/audit.md)."""

from django.db import migrations


def install(apps, schema_editor):
    from jointcase.audit.protection import protection_sql

    for statement in protection_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    from jointcase.audit.protection import unprotection_sql

    for statement in unprotection_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_checkpoint")]

    operations = [migrations.RunPython(install, uninstall)]
