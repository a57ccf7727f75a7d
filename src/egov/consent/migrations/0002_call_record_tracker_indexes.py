"""Indexes for the citizen's data tracker on the call records (bridge_callrecord).

The tracker reads one subject's calls (kind = 'call'), newest first, a page at a time, counts
them and lists the services and systems they name for its filters (egov.consent.tracker). With
only bridge's (subject_id, -started_at) index, a subject with 100,000 accesses costs PostgreSQL a
full table scan for each of those (bench/consent.py measured over a second for a middle page).
These partial indexes serve them from the index alone:

- consent_call_tracker (subject_id, started_at DESC, id DESC): the page order, the count, and the
  ids of a page however deep (the rows are read by id afterwards);
- consent_call_services / consent_call_systems (subject_id, service_address / consumer): the
  filters' choices, one index probe per distinct value.

They belong to the tracker, so they live here and not in the bridge model. On PostgreSQL they are
built CONCURRENTLY (the table takes the gateways' records meanwhile), hence a non-atomic migration.
"""

from typing import Any

from django.db import migrations

TABLE = "bridge_callrecord"
INDEXES = {
    "consent_call_tracker": "subject_id, started_at DESC, id DESC",
    "consent_call_services": "subject_id, service_address",
    "consent_call_systems": "subject_id, consumer",
}


def _concurrently(schema_editor: Any) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def create(apps: Any, schema_editor: Any) -> None:
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS {name} "
            f"ON {TABLE} ({columns}) WHERE kind = 'call'"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("bridge", "0002_call_records"),
        ("consent", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
