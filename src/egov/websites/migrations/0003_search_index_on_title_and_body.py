"""An index for the search's own condition on PostgreSQL: title || body @@ query.

Wagtail's PostgreSQL search filters on the two vectors joined, and its indexes cover each vector
alone, so without this every search reads the whole index (bench/websites/search.py). SQLite's
search works differently and needs nothing.
"""

from django.db import migrations

INDEX = "websites_search_title_body_gin"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )
        schema_editor.execute("ANALYZE wagtailsearch_indexentry")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("websites", "0002_alter_contentpage_body_alter_newspage_body"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop)]
