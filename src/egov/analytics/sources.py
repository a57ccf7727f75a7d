"""Opening a load's source as something the warehouse reads: a file path or Arrow batches.

* upload / generated: the staged file (format from its name).
* postgres: a read-only query on a database whose DSN sits in an environment variable the source
  names (secrets stay out of the database), streamed with a server-side cursor.
* bridge: a Smart Bridge service called through the gateway with the analytics system's own API
  key (its grant), page after page, until a page comes back short.
* call_records: the control plane's copy of the gateway message log (``egov.bridge.CallRecord``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import requests
from django.conf import settings

from egov.analytics.choices import SourceKind
from egov.analytics.engines import AnalyticsError
from egov.analytics.models import Load

BATCH_ROWS = 50_000
MAX_PAGES = 10_000
HTTP_TIMEOUT = 30


def open_source(load: Load) -> tuple[Path | pa.Table | pa.RecordBatchReader, str | None]:
    kind = load.source_kind
    info = load.source_info or {}
    if kind in {SourceKind.UPLOAD, SourceKind.GENERATED}:
        return Path(load.upload), None
    if kind == SourceKind.POSTGRES:
        return postgres_reader(str(info.get("dsn_env", "")), str(info.get("query", ""))), None
    if kind == SourceKind.BRIDGE:
        return bridge_table(info), None
    if kind == SourceKind.CALL_RECORDS:
        from egov.analytics import operations

        return operations.call_records_table(), None
    raise AnalyticsError(f"Unknown source kind {kind!r}.", code="source_failed")


def postgres_reader(dsn_env: str, query: str) -> pa.RecordBatchReader:
    """Stream a query's rows from PostgreSQL in a read-only transaction."""
    import psycopg

    if not dsn_env.startswith("EGOV_") or not os.environ.get(dsn_env):
        raise AnalyticsError(
            f"Set {dsn_env or 'the DSN variable'} to the source database's address.",
            code="source_failed",
        )
    if not query.strip():
        raise AnalyticsError("The source has no query.", code="source_failed")
    connection = psycopg.connect(os.environ[dsn_env], autocommit=False)
    connection.read_only = True
    cursor = connection.cursor(name="egov_analytics_source")
    cursor.execute(query)  # the operator's own query on their own database, read-only
    first = cursor.fetchmany(BATCH_ROWS)
    names = [column.name for column in cursor.description or []]
    sample = pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in first]).schema
    # Types from the first batch; a column with no value there is text.
    schema = pa.schema(
        [
            (
                n,
                sample.field(n).type
                if first and sample.field(n).type != pa.null()
                else pa.string(),
            )
            for n in names
        ]
    )

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            rows = first
            while rows:
                columns = list(zip(*rows, strict=True))
                arrays = [
                    pa.array(list(col), type=field.type)
                    for col, field in zip(columns, schema, strict=True)
                ]
                yield pa.RecordBatch.from_arrays(arrays, schema=schema)
                rows = cursor.fetchmany(BATCH_ROWS)
        finally:
            cursor.close()
            connection.close()

    return pa.RecordBatchReader.from_batches(schema, batches())


def bridge_table(info: dict[str, Any]) -> pa.Table:
    """Page through a Smart Bridge service; each page's ``items`` (or the page itself) are rows."""
    from egov.bridge.models import Service

    service = (
        Service.objects.select_related("provider__organization")
        .filter(passport_id=str(info.get("service", "")).upper())
        .first()
    )
    if service is None:
        raise AnalyticsError("The Smart Bridge service does not exist.", code="source_failed")
    key = settings.EGOV_ANALYTICS_GATEWAY_API_KEY
    client = str(info.get("client") or "")
    if not key or not client:
        raise AnalyticsError(
            "Set EGOV_ANALYTICS_GATEWAY_API_KEY and the source's client address.",
            code="source_failed",
        )
    version = str(info.get("version") or "v1")
    path = "/" + str(info.get("path") or "").lstrip("/")
    base = settings.EGOV_ANALYTICS_GATEWAY_URL.rstrip("/")
    url = f"{base}/r1/{service.xroad_address}/{version}{path}"
    page_param = str(info.get("page_param") or "page")
    size_param = str(info.get("page_size_param") or "size")
    size = int(info.get("page_size") or 100)
    items_key = str(info.get("items") or "items")
    params = dict(info.get("params") or {})
    rows: list[dict[str, Any]] = []
    headers = {"X-API-Key": key, "X-Road-Client": client, "Accept": "application/json"}
    for page in range(1, MAX_PAGES + 1):
        response = requests.get(
            url,
            params={**params, page_param: page, size_param: size},
            headers=headers,
            timeout=HTTP_TIMEOUT,
        )
        if response.status_code != 200:
            raise AnalyticsError(
                f"The gateway answered {response.status_code} on page {page}.",
                code="source_failed",
                status=response.status_code,
                page=page,
            )
        body = response.json()
        items = body.get(items_key, []) if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise AnalyticsError(
                "The service's answer holds no list of rows.", code="source_failed"
            )
        rows.extend(item for item in items if isinstance(item, dict))
        if len(items) < size:
            break
    if not rows:
        raise AnalyticsError("The service returned no rows.", code="empty_file")
    return pa.Table.from_pylist(rows)
