"""Loads: a person or a schedule asks, the task worker runs, the warehouse publishes or refuses.

``request_load`` records a :class:`~egov.analytics.models.Load` and queues ``run_load`` on the
platform's task worker. The run opens the source (an uploaded file, a PostgreSQL query, a Smart
Bridge service, the gateway's message log), and hands it to ``Warehouse.load``, which publishes a
new version atomically or changes nothing. The outcome lands on the load: its snapshot (version,
rows, checksums, schema, quality report), or why it was refused — malformed rows with their line
numbers, a schema drift waiting for a decision, blocking quality checks with the quarantined
rows' report.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from egov.analytics import store
from egov.analytics.choices import LoadStatus, SourceKind
from egov.analytics.engines import (
    AnalyticsError,
    CsvOptions,
    LoadResult,
    PersonalColumn,
    QualityGateFailed,
    SchemaDrift,
    gates_from_dicts,
)
from egov.analytics.exceptions import message_for
from egov.analytics.models import Column, Dataset, Load
from egov.analytics.signals import event
from egov.core.models import User

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".parquet", ".json", ".jsonl", ".ndjson"}
PROGRESS_EVERY_SECONDS = 1.0


def stage_upload(chunks: Any, filename: str) -> Path:
    """Keep an uploaded file (Django's chunks) under the uploads folder until its load ends."""
    suffix = Path(filename).suffix.lower()
    target = store.uploads() / f"{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    return target


def request_load(
    dataset: Dataset,
    user: User | None,
    *,
    kind: str,
    upload: Path | None = None,
    source_info: dict[str, Any] | None = None,
    accept_schema_change: bool = False,
    run_now: bool = False,
) -> Load:
    """Record a load and queue it on the task worker (``run_now``: run it here, e.g. the demo)."""
    load = Load.objects.create(
        dataset=dataset,
        source_kind=kind,
        source_info=source_info or {},
        upload=str(upload or ""),
        accept_schema_change=accept_schema_change,
        requested_by=user,
    )
    if run_now:
        run_load.call(load.pk)
    else:
        run_load.enqueue(load.pk)
    return load


def decide_schema(load: Load, user: User, accept: bool) -> Load | None:
    """The decision a schema drift asks for: load the same source again with the new schema.

    Either way this load is done with (discarded); accepting queues a new one that reads the same
    upload with the new schema.
    """
    event("schema_decision", load.dataset, load=load.pk, accept=accept)
    load.status = LoadStatus.DISCARDED
    load.save(update_fields=["status"])
    if not accept:
        _discard_upload(load)
        return None
    return request_load(
        load.dataset,
        user,
        kind=load.source_kind,
        upload=Path(load.upload) if load.upload else None,
        source_info=load.source_info,
        accept_schema_change=True,
    )


@task()
def run_load(load_id: int) -> str:
    """Run one queued load (the task worker calls this)."""
    load = Load.objects.select_related("dataset__organization", "requested_by").get(pk=load_id)
    if load.status != LoadStatus.QUEUED:
        return str(load.status)
    Load.objects.filter(pk=load.pk).update(status=LoadStatus.RUNNING, started_at=timezone.now())
    load.status = LoadStatus.RUNNING
    try:
        result = _load(load)
    except SchemaDrift as error:
        _refused(load, LoadStatus.NEEDS_DECISION, error, keep_upload=True)
    except QualityGateFailed as error:
        report = error.details.get("report") or {}
        load.quality = report
        load.quality_score = report.get("score")
        load.quarantine_id = str(error.details.get("quarantine", ""))
        _refused(load, LoadStatus.QUARANTINED, error)
    except AnalyticsError as error:
        _refused(load, LoadStatus.REJECTED, error)
    except Exception as error:  # a source that failed: the load says so, the worker goes on
        log.exception("load %s failed", load.pk)
        failure = AnalyticsError(str(error)[:500], code="source_failed")
        _refused(load, LoadStatus.REJECTED, failure)
    else:
        _published(load, result)
    return str(load.status)


def _load(load: Load) -> LoadResult:
    from egov.analytics import sources

    dataset = load.dataset
    personal = [PersonalColumn(name) for name in dataset.personal_columns()]
    keyring = store.keyring() if personal else None
    if personal:
        store.check_keyring()
    source, fmt = sources.open_source(load)
    last = [0.0]

    def progress(done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            Load.objects.filter(pk=load.pk).update(bytes_done=done, bytes_total=total)

    return store.warehouse().load(
        dataset.name,
        source,
        format=fmt,  # type: ignore[arg-type]
        csv_options=CsvOptions(malformed=dataset.malformed_policy),  # type: ignore[arg-type]
        personal=personal,
        keyring=keyring,
        gates=gates_from_dicts(dataset.quality_rules or []),
        accept_schema_change=load.accept_schema_change,
        loaded_by=load.requested_by.get_username() if load.requested_by else "system",
        source_info={"kind": load.source_kind, "load": load.pk, **_public(load.source_info)},
        progress=progress,
    )


def _public(info: dict[str, Any]) -> dict[str, Any]:
    """Source details safe for a manifest (never a DSN or a key)."""
    return {k: v for k, v in info.items() if k in {"file", "service", "version", "path", "query"}}


@transaction.atomic
def _published(load: Load, result: LoadResult) -> None:
    version = result.version
    load.status = LoadStatus.PUBLISHED
    load.finished_at = timezone.now()
    load.version = version.version
    load.rows = version.rows
    load.sha256 = version.sha256
    load.source_sha256 = version.source_sha256 or ""
    load.schema = [{"name": n, "type": t} for n, t in version.schema]
    load.encoding = version.encoding or ""
    load.quality = result.report.to_dict() if result.report else None
    load.quality_score = result.report.score if result.report else None
    load.problems = [dict(p) for p in version.problems]
    load.problem_count = version.problem_count
    if version.source_bytes:
        load.bytes_done = load.bytes_total = version.source_bytes
    load.save()
    _discard_upload(load)
    dataset = load.dataset
    _sync_columns(dataset, version.schema, replace=load.accept_schema_change)
    _mirror(dataset)
    from egov.analytics import status

    transaction.on_commit(lambda: status.refresh_for_dataset(dataset.pk))


def _mirror(dataset: Dataset) -> None:
    """Copy the warehouse's published version onto the catalog row."""
    current = store.warehouse().current(dataset.name)
    last = dataset.loads.filter(status=LoadStatus.PUBLISHED, version=getattr(current, "version", 0))
    latest = last.order_by("-pk").first()
    Dataset.objects.filter(pk=dataset.pk).update(
        current_version=current.version if current else None,
        current_sha256=current.sha256 if current else "",
        rows=current.rows if current else None,
        quality_score=latest.quality_score if latest else None,
        published_at=current.created_at if current else None,
    )
    dataset.refresh_from_db()


def _sync_columns(dataset: Dataset, schema: Any, *, replace: bool) -> None:
    names = [name for name, _type in schema]
    for position, (name, data_type) in enumerate(schema):
        Column.objects.update_or_create(
            dataset=dataset, name=name, defaults={"position": position, "data_type": data_type}
        )
    if replace:
        dataset.columns.exclude(name__in=names).delete()


def _refused(load: Load, status: str, error: AnalyticsError, *, keep_upload: bool = False) -> None:
    load.status = status
    load.finished_at = timezone.now()
    load.error_code = error.code
    load.error_message = str(message_for(error))
    details = {k: v for k, v in error.details.items() if k != "report"}
    load.error_details = details
    load.problems = list(details.get("problems") or [])
    load.problem_count = int(details.get("problem_count") or len(load.problems))
    load.save()
    if not keep_upload:
        _discard_upload(load)


def _discard_upload(load: Load) -> None:
    if load.upload and load.source_kind == SourceKind.UPLOAD:
        path = Path(load.upload)
        if path.parent == store.uploads():
            path.unlink(missing_ok=True)


def restore(dataset: Dataset, number: int, user: User) -> None:
    """Publish an earlier version of the dataset again."""
    store.warehouse().restore(dataset.name, number)
    _mirror(dataset)
    event("version_restored", dataset, version=number)
    from egov.analytics import status

    status.refresh_for_dataset(dataset.pk)


def purge(dataset: Dataset) -> None:
    shutil.rmtree(store.warehouse().root / dataset.name, ignore_errors=True)
