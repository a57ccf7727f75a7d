"""PostgreSQL and Smart Bridge sources, on demand and on a schedule."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection

from egov.analytics import jobs
from egov.analytics.models import Dataset, Source
from egov.analytics.tests.helpers import declare
from egov.bridge.tests.factories import ServiceFactory
from egov.core.models import PeriodicJobRun
from egov.core.tests.factories import InformationSystemFactory
from egov.testing.services import require_postgres

pytestmark = pytest.mark.django_db

KEY = "egk_test_analytics_key"
CLIENT = "KZ/GOV/STAT/smart-data"


class Gateway(BaseHTTPRequestHandler):
    """The gateway's side of a paged Smart Bridge call (checks the analytics system's key)."""

    rows = [{"id": i, "region": f"R{i % 3}", "amount": i * 1.5} for i in range(250)]
    seen: list[str] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        Gateway.seen.append(url.path)
        if self.headers.get("X-API-Key") != KEY or self.headers.get("X-Road-Client") != CLIENT:
            self.send_response(401)
            self.end_headers()
            return
        query = parse_qs(url.query)
        page, size = int(query["page"][0]), int(query["size"][0])
        items = self.rows[(page - 1) * size : page * size]
        body = json.dumps({"items": items}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings: Any) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EGOV_ANALYTICS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}"
    settings.EGOV_ANALYTICS_GATEWAY_API_KEY = KEY
    Gateway.seen = []
    yield settings.EGOV_ANALYTICS_GATEWAY_URL
    server.shutdown()


def test_a_smart_bridge_service_is_paged_through_the_gateway(world, gateway) -> None:  # type: ignore[no-untyped-def]
    provider = InformationSystemFactory(organization=world.other, subsystem_code="registry")
    service = ServiceFactory(provider=provider, code="payments")
    client = world.client("analyst")
    declare(client, "bridged")
    config = {
        "service": service.passport_id,
        "version": "v1",
        "path": "/payments",
        "client": CLIENT,
        "page_size": 100,
    }
    bad = client.post(
        "/api/analytics/sources",
        {"organization": "STAT", "name": "p", "kind": "bridge", "config": {"service": "x"}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "config"
    created = client.post(
        "/api/analytics/sources",
        {"organization": "STAT", "name": "payments", "kind": "bridge", "config": config},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    linked = client.patch(
        "/api/analytics/datasets/bridged",
        {"source": created.json()["id"]},
        content_type="application/json",
    )
    assert linked.status_code == 200 and linked.json()["source"] == created.json()["id"]
    source = Source.objects.get(pk=created.json()["id"])
    load = client.post("/api/analytics/datasets/bridged/refresh").json()
    assert load["status"] == "published", load
    assert load["rows"] == 250
    assert Gateway.seen == [f"/r1/{service.xroad_address}/v1/payments"] * 3
    Source.objects.filter(pk=source.pk).update(config={**source.config, "client": "KZ/GOV/X/y"})
    refused = world.client("analyst").post("/api/analytics/datasets/bridged/refresh").json()
    assert refused["status"] == "rejected" and refused["error_code"] == "source_failed"
    assert refused["error_details"] == {"status": 401, "page": 1}
    assert Dataset.objects.get(name="bridged").current_version == 1


def test_a_postgresql_query_on_a_schedule(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    require_postgres()
    import psycopg

    params = connection.settings_dict
    dsn = (
        f"postgresql://{params['USER']}:{params.get('PASSWORD') or ''}@{params['HOST']}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )
    table = f"src_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE TABLE {table} (day date, region text, amount numeric(12,2))")
        admin.execute(
            f"INSERT INTO {table} SELECT DATE '2024-01-01' + i, 'R' || (i % 4), i * 2.5 "
            "FROM generate_series(0, 119999) AS i"
        )
    try:
        monkeypatch.setenv("EGOV_ANALYTICS_SOURCE_STATS", dsn)
        declare(world.client("analyst"), "from_pg")
        source = Source.objects.create(
            organization=world.owner,
            name="stats db",
            kind="postgres",
            schedule_minutes=60,
            config={
                "dsn_env": "EGOV_ANALYTICS_SOURCE_STATS",
                "query": f"SELECT day, region, amount FROM {table}",
            },
        )
        Dataset.objects.filter(name="from_pg").update(source=source)
        PeriodicJobRun.objects.all().delete()
        assert jobs.run_scheduled_sources() == 1
        dataset = Dataset.objects.get(name="from_pg")
        assert dataset.current_version == 1 and dataset.rows == 120_000
        assert jobs.run_scheduled_sources() == 0  # not due again for an hour
        response = world.client("analyst").post(
            "/api/analytics/sql",
            {"sql": "SELECT SUM(amount) AS total FROM from_pg"},
            content_type="application/json",
        )
        assert response.json()["rows"][0]["total"] == sum(i * 2.5 for i in range(120_000))
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f"DROP TABLE {table}")
