"""Call records as the gateways ship them, for tracker and audit tests."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from egov.bridge.models import CallRecord, Service
from egov.core.models import InformationSystem

_seq = itertools.count(1)


def call_record(
    subject_id: str,
    consumer: InformationSystem,
    service: Service,
    *,
    at: datetime.datetime | None = None,
    status: int = 200,
    error: str = "",
    consent_id: str = "",
    **extra: Any,
) -> CallRecord:
    return CallRecord.objects.create(
        chain="test-chain",
        seq=next(_seq),
        record_hash="0" * 64,
        request_id=f"req-{next(_seq)}",
        started_at=at or timezone.now(),
        consumer=consumer.xroad_address,
        consumer_system=consumer,
        provider=service.provider.xroad_address,
        service_address=service.xroad_address,
        service=service,
        version="v1",
        endpoint="GET /persons/{iin}/extract",
        subject_id=subject_id,
        consent_id=consent_id,
        status=status,
        error=error,
        **extra,
    )
