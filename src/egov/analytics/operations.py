"""Smart Bridge operations as a dataset: the gateway message log by day, service and consumer.

Built from ``egov.bridge.CallRecord`` (the control plane's copy of every gateway's log; only
``kind="call"`` records, one per call). Per day × service × consumer: calls, failures (the
provider or the gateway failed: 5xx or no status), refusals (the gateway said no: 4xx with an
error code — credentials, grant, consent, limits), the 95th percentile of latency, and calls
answered within the service's promised response time (SLA). Refreshed by a periodic job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from egov.analytics.choices import ColumnClass, SourceKind, Visibility
from egov.analytics.engines import DuckDBEngine
from egov.analytics.models import Column, Dataset, Load
from egov.core.models import Organization

DATASET = "bridge_operations"
RAW_FIELDS = (
    "started_at",
    "service_address",
    "service__passport_id",
    "service__sla_response_ms",
    "service__provider__organization__code",
    "consumer",
    "consumer_system__organization__code",
    "status",
    "error",
    "latency_ms",
)
COLUMNS: list[tuple[str, str, str]] = [
    ("day", "Day", ColumnClass.PUBLIC),
    ("service", "Service passport", ColumnClass.PUBLIC),
    ("service_address", "Service address", ColumnClass.PUBLIC),
    ("provider_organization", "Provider organization", ColumnClass.PUBLIC),
    ("consumer", "Consumer system address", ColumnClass.INTERNAL),
    ("consumer_organization", "Consumer organization", ColumnClass.INTERNAL),
    ("calls", "Calls", ColumnClass.PUBLIC),
    ("failures", "Failed calls (5xx)", ColumnClass.PUBLIC),
    ("refusals", "Refused calls (4xx by the gateway)", ColumnClass.PUBLIC),
    ("within_sla", "Calls within the promised response time", ColumnClass.PUBLIC),
    ("latency_p95_ms", "95th percentile latency, ms", ColumnClass.PUBLIC),
]


def _member_codes() -> dict[str, str]:
    return dict(Organization.objects.values_list("member_code", "code"))


def _organization_of(address: str, members: dict[str, str]) -> str:
    """INSTANCE/CLASS/MEMBER/… → the organization's code (the address when unknown)."""
    parts = address.split("/")
    return members.get(parts[2], "") if len(parts) > 2 else ""


def raw_calls() -> pa.Table:
    from egov.bridge.models import CallRecord

    members = _member_codes()
    rows: dict[str, list[Any]] = {
        name: []
        for name in (
            "day",
            "service",
            "service_address",
            "provider_organization",
            "consumer",
            "consumer_organization",
            "status",
            "failed",
            "refused",
            "in_sla",
            "latency_ms",
        )
    }
    queryset = CallRecord.objects.filter(kind="call").values_list(*RAW_FIELDS)
    for (
        started,
        address,
        passport,
        sla_ms,
        provider_org,
        consumer,
        consumer_org,
        status,
        error,
        latency,
    ) in queryset.iterator(chunk_size=5000):
        failed = status is None or status >= 500
        refused = bool(error) and status is not None and 400 <= status < 500
        rows["day"].append(timezone.localtime(started).date())
        rows["service"].append(passport or address)
        rows["service_address"].append(address)
        rows["provider_organization"].append(provider_org or _organization_of(address, members))
        rows["consumer"].append(consumer)
        rows["consumer_organization"].append(consumer_org or _organization_of(consumer, members))
        rows["status"].append(status)
        rows["failed"].append(int(failed))
        rows["refused"].append(int(refused))
        rows["in_sla"].append(
            int(
                not failed
                and not refused
                and latency is not None
                and sla_ms is not None
                and latency <= sla_ms
            )
        )
        rows["latency_ms"].append(latency)
    return pa.table(
        {
            **{
                k: rows[k]
                for k in (
                    "day",
                    "service",
                    "service_address",
                    "provider_organization",
                    "consumer",
                    "consumer_organization",
                )
            },
            "status": pa.array(rows["status"], pa.int32()),
            "failed": pa.array(rows["failed"], pa.int64()),
            "refused": pa.array(rows["refused"], pa.int64()),
            "in_sla": pa.array(rows["in_sla"], pa.int64()),
            "latency_ms": pa.array(rows["latency_ms"], pa.float64()),
        },
        schema=pa.schema(
            [
                ("day", pa.date32()),
                ("service", pa.string()),
                ("service_address", pa.string()),
                ("provider_organization", pa.string()),
                ("consumer", pa.string()),
                ("consumer_organization", pa.string()),
                ("status", pa.int32()),
                ("failed", pa.int64()),
                ("refused", pa.int64()),
                ("in_sla", pa.int64()),
                ("latency_ms", pa.float64()),
            ]
        ),
    )


def call_records_table() -> pa.Table:
    """The dataset's rows, aggregated in DuckDB (p95 needs a real quantile)."""
    raw = raw_calls()
    with DuckDBEngine(threads=1) as engine:
        calls = engine.register("calls", raw)
        keys = [
            "day",
            "service",
            "service_address",
            "provider_organization",
            "consumer",
            "consumer_organization",
        ]
        expr = (
            calls.group_by(keys)
            .aggregate(
                calls=calls.count(),
                failures=calls.failed.sum(),
                refusals=calls.refused.sum(),
                within_sla=calls.in_sla.sum(),
                latency_p95_ms=calls.latency_ms.quantile(0.95),
            )
            .order_by(keys)
        )
        table = engine.execute(expr)
    return table.cast(
        pa.schema(
            [
                ("day", pa.date32()),
                *[(k, pa.string()) for k in keys[1:]],
                ("calls", pa.int64()),
                ("failures", pa.int64()),
                ("refusals", pa.int64()),
                ("within_sla", pa.int64()),
                ("latency_p95_ms", pa.float64()),
            ]
        )
    )


def ensure_dataset(owner: Organization) -> Dataset:
    """The catalog entry (idempotent): internal, each provider sees its own services' rows."""
    dataset, created = Dataset.objects.get_or_create(
        name=DATASET,
        defaults={
            "organization": owner,
            "title_en": "Smart Bridge operations",
            "title_ru": "Операции Smart Bridge",
            "title_kk": "Smart Bridge операциялары",
            "title_tg": "Амалиёти Smart Bridge",
            "description_en": "Calls through the gateway per day, service and consumer: failures, "
            "refusals, 95th percentile latency and SLA compliance, from the message log.",
            "description_ru": "Вызовы через шлюз по дням, сервисам и потребителям: сбои, отказы, "
            "95-й перцентиль задержки и соблюдение SLA — из журнала сообщений.",
            "tags": ["smart-bridge", "operations", "sla"],
            "frequency": "daily",
            "visibility": Visibility.INTERNAL,
            "row_column": "provider_organization",
            "quality_rules": [
                {"kind": "not_null", "column": "day"},
                {"kind": "range", "column": "calls", "min": 1},
            ],
        },
    )
    if created:
        for position, (name, title, classification) in enumerate(COLUMNS):
            Column.objects.create(
                dataset=dataset,
                name=name,
                position=position,
                title_en=title,
                classification=classification,
            )
    return dataset


def refresh(owner: Organization | None = None) -> Load | None:
    """Queue a load of the operations dataset (the periodic job and the demo call this)."""
    from egov.analytics import ingestion

    dataset = Dataset.objects.filter(name=DATASET).first()
    if dataset is None:
        if owner is None:
            return None
        dataset = ensure_dataset(owner)
    if dataset.loads.filter(status__in=["queued", "running"]).exists():
        return None
    with transaction.atomic():
        return ingestion.request_load(
            dataset,
            None,
            kind=SourceKind.CALL_RECORDS,
            source_info={"refreshed": dt.datetime.now(dt.UTC).isoformat()},
        )
