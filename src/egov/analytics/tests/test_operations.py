"""Smart Bridge operations: the message log as a dataset, refreshed by the periodic job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.analytics import jobs, operations
from egov.analytics.models import Dataset
from egov.bridge.models import CallRecord
from egov.bridge.tests.factories import ServiceFactory
from egov.core.models import PeriodicJobRun
from egov.core.tests.factories import InformationSystemFactory

pytestmark = pytest.mark.django_db


def _calls(world, service, consumer) -> None:  # type: ignore[no-untyped-def]
    day = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
    rows = [(200, "", 40.0)] * 17 + [
        (200, "", 900.0),
        (503, "upstream_unavailable", 30.0),
        (403, "no_grant", 2.0),
    ]
    for seq, (status, error, latency) in enumerate(rows):
        CallRecord.objects.create(
            chain="gw1",
            seq=seq,
            record_hash="0" * 64,
            request_id=f"r{seq}",
            started_at=day + dt.timedelta(minutes=seq),
            latency_ms=latency,
            consumer=consumer.xroad_address,
            consumer_system=consumer,
            service_address=service.xroad_address,
            service=service,
            status=status,
            error=error,
        )
    CallRecord.objects.create(  # an outcome record does not count as another call
        chain="gw1",
        seq=99,
        record_hash="0" * 64,
        request_id="r1",
        kind="outcome",
        started_at=day,
        status=200,
    )


def test_the_message_log_becomes_daily_operations(world) -> None:  # type: ignore[no-untyped-def]
    provider = InformationSystemFactory(organization=world.other, subsystem_code="registry")
    consumer = InformationSystemFactory(organization=world.owner, subsystem_code="crm")
    service = ServiceFactory(provider=provider, sla_response_ms=500)
    _calls(world, service, consumer)
    operations.ensure_dataset(world.owner)
    PeriodicJobRun.objects.all().delete()
    assert jobs.refresh_bridge_operations() is True
    dataset = Dataset.objects.get(name="bridge_operations")
    assert dataset.current_version == 1 and dataset.rows == 1
    sql = (
        "SELECT day, service, provider_organization, consumer_organization, calls, failures, "
        "refusals, within_sla, latency_p95_ms FROM bridge_operations"
    )
    response = world.client("analyst").post(
        "/api/analytics/sql", {"sql": sql}, content_type="application/json"
    )
    row = response.json()["rows"][0]
    assert row["day"] == "2026-03-02" and row["service"] == service.passport_id
    assert (row["calls"], row["failures"], row["refusals"], row["within_sla"]) == (20, 1, 1, 17)
    assert row["provider_organization"] == "MINFIN" and row["consumer_organization"] == "STAT"
    assert 40 < row["latency_p95_ms"] <= 900
    # Row-level rule: each provider sees its own services' rows; STAT provides none.
    other = world.client("other_analyst").post(
        "/api/analytics/sql", {"sql": sql}, content_type="application/json"
    )
    assert len(other.json()["rows"]) == 1
    outsider = world.client("child_analyst").post(
        "/api/analytics/sql",
        {"sql": "SELECT COUNT(*) AS n FROM bridge_operations"},
        content_type="application/json",
    )
    assert outsider.json()["rows"] == [{"n": 0}]


def test_an_empty_log_still_loads(world) -> None:  # type: ignore[no-untyped-def]
    operations.ensure_dataset(world.owner)
    load = operations.refresh()
    assert load is not None
    load.refresh_from_db()
    assert load.status == "published" and load.rows == 0
