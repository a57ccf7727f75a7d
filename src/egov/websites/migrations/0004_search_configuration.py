"""The `egov` text search configuration on PostgreSQL (egov.websites.search_config)."""

from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from egov.websites import search_config

    search_config.install(schema_editor.connection)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS egov")
        schema_editor.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS egov_kazakh")


class Migration(migrations.Migration):
    dependencies = [("websites", "0003_search_index_on_title_and_body")]

    operations = [migrations.RunPython(create, drop)]
