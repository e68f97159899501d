"""The database cache table every web process shares (the API's rate limits)."""

from django.core.management import call_command
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def cache_table_create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    call_command("createcachetable", "--database", schema_editor.connection.alias, verbosity=0)


def cache_table_drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(
        "DROP TABLE IF EXISTS " + schema_editor.quote_name("jointcase_cache")
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_idempotent_responses")]

    operations = [migrations.RunPython(cache_table_create, cache_table_drop)]
