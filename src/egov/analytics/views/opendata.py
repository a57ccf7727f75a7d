"""Open data: public datasets as CSV and JSON downloads, described in a DCAT catalog (JSON-LD)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from egov.analytics import store
from egov.analytics.choices import Visibility
from egov.analytics.models import Dataset
from egov.analytics.queries import plain
from egov.core.models.translated import LANGUAGES

FREQUENCIES = {
    "daily": "http://purl.org/cld/freq/daily",
    "weekly": "http://purl.org/cld/freq/weekly",
    "monthly": "http://purl.org/cld/freq/monthly",
    "quarterly": "http://purl.org/cld/freq/quarterly",
    "yearly": "http://purl.org/cld/freq/annual",
    "irregular": "http://purl.org/cld/freq/irregular",
}


def public_datasets() -> Any:
    return (
        Dataset.objects.filter(visibility=Visibility.PUBLIC)
        .exclude(current_version=None)
        .select_related("organization")
    )


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/opendata.html", {"datasets": public_datasets()})


def _texts(obj: Any, base: str) -> list[dict[str, str]]:
    return [
        {"@language": code, "@value": value}
        for code in LANGUAGES
        if (value := getattr(obj, f"{base}_{code}", ""))
    ]


def dcat_entry(dataset: Dataset, base: str) -> dict[str, Any]:
    page = f"{base}/analytics/datasets/{dataset.name}/"
    distributions = [
        {
            "@type": "dcat:Distribution",
            "dcat:downloadURL": f"{base}/analytics/opendata/{dataset.name}.{fmt}",
            "dcat:mediaType": media,
            "dct:format": fmt.upper(),
            "dct:license": dataset.licence,
        }
        for fmt, media in (("csv", "text/csv"), ("json", "application/json"))
    ]
    return {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.name,
        "dct:title": _texts(dataset, "title"),
        "dct:description": _texts(dataset, "description"),
        "dct:publisher": {
            "@type": "foaf:Organization",
            "foaf:name": str(dataset.organization.name),
            "dct:identifier": dataset.organization.code,
        },
        "dct:license": dataset.licence,
        "dct:accrualPeriodicity": FREQUENCIES.get(dataset.frequency, ""),
        "dct:modified": dataset.published_at.isoformat() if dataset.published_at else None,
        "dcat:keyword": list(dataset.tags),
        "dcat:landingPage": page,
        "dcat:distribution": distributions,
        "egov:version": dataset.current_version,
        "egov:rows": dataset.rows,
        "egov:qualityScore": dataset.quality_score,
    }


def dcat(request: HttpRequest) -> HttpResponse:
    base = str(settings.SITE_URL or "").rstrip("/")
    body = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "egov": f"{base}/ns/egov#",
        },
        "@id": base + reverse("analytics:dcat"),
        "@type": "dcat:Catalog",
        "dct:title": str(settings.WAGTAIL_SITE_NAME),
        "dcat:dataset": [dcat_entry(d, base) for d in public_datasets()],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/ld+json"
    )


def _batches(dataset: Dataset) -> Iterator[Any]:
    current = store.warehouse().current(dataset.name)
    if current is None:
        raise Http404
    batches: Iterator[Any] = pq.ParquetFile(current.data_path).iter_batches(batch_size=10_000)
    return batches


class _Echo:
    def write(self, value: str) -> str:
        return value


def download(request: HttpRequest, name: str, fmt: str) -> StreamingHttpResponse:
    dataset = public_datasets().filter(name=name).first()
    if dataset is None or fmt not in {"csv", "json"}:
        raise Http404
    batches = _batches(dataset)

    def csv_rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        header = False
        for batch in batches:
            if not header:
                yield "\ufeff" + writer.writerow(batch.schema.names)  # BOM: Excel reads UTF-8
                header = True
            for row in batch.to_pylist():
                yield writer.writerow([plain(v) for v in row.values()])

    def json_rows() -> Iterator[str]:
        yield "["
        first = True
        for batch in batches:
            for row in batch.to_pylist():
                text = json.dumps({k: plain(v) for k, v in row.items()}, ensure_ascii=False)
                yield ("" if first else ",\n") + text
                first = False
        yield "]\n"

    if fmt == "csv":
        response = StreamingHttpResponse(csv_rows(), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(json_rows(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{dataset.name}.{fmt}"'
    return response
