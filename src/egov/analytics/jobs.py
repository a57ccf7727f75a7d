"""Smart Data's periodic jobs, run by the platform's worker."""

from __future__ import annotations

import datetime

from django.utils import timezone

from egov.analytics import ingestion, operations
from egov.analytics.choices import LoadStatus
from egov.analytics.models import Dataset, Source
from egov.core.worker import periodic


@periodic(every=datetime.timedelta(minutes=15))
def refresh_bridge_operations() -> bool:
    """The Smart Bridge operations dataset follows the message log."""
    return operations.refresh() is not None


@periodic(every=datetime.timedelta(minutes=1))
def run_scheduled_sources() -> int:
    """Queue a load of every dataset whose source's schedule is due."""
    now = timezone.now()
    count = 0
    for source in Source.objects.filter(schedule_minutes__gt=0):
        every = datetime.timedelta(minutes=source.schedule_minutes)
        if source.last_run_at is not None and source.last_run_at > now - every:
            continue
        Source.objects.filter(pk=source.pk).update(last_run_at=now)
        for dataset in Dataset.objects.filter(source=source):
            if dataset.loads.filter(status__in=[LoadStatus.QUEUED, LoadStatus.RUNNING]).exists():
                continue
            ingestion.request_load(dataset, None, kind=source.kind, source_info=dict(source.config))
            count += 1
    return count
