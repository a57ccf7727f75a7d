"""The audit log refuses UPDATE and DELETE at the database, not only in the application."""

from django.db import migrations

from egov.core import audit_triggers


def install(apps, schema_editor):
    audit_triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    audit_triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
