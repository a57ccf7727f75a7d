"""Datasets, loads, versions and read-only SQL."""

from __future__ import annotations

from typing import Any

import sqlglot
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from sqlglot import exp

from egov.analytics import access, catalog, ingestion, store
from egov.analytics.api.auth import readers
from egov.analytics.api.schemas import (
    DatasetIn,
    DatasetOut,
    DatasetPatch,
    DecisionIn,
    LoadOut,
    RowsOut,
    SourceIn,
    SourceOut,
    SqlIn,
    VersionOut,
)
from egov.analytics.choices import LoadStatus, SourceKind
from egov.analytics.engines import AnalyticsError, validate_sql
from egov.analytics.exceptions import AnalyticsProblem
from egov.analytics.models import Dataset, Load, Source
from egov.analytics.permissions import AnalyticsAction
from egov.analytics.queries import plain
from egov.core.api_auth import token_or_session
from egov.core.auth import user_of
from egov.core.exceptions import Conflict, InvalidInput, NotFound
from egov.core.models import Organization
from egov.core.pagination import Pagination
from egov.core.permissions import has_permission, organizations_for, require

router = Router(tags=["analytics: data"])

PREVIEW_ROWS = 100


def visible_dataset(request: HttpRequest, name: str) -> Dataset:
    found = access.visible_datasets(request.user).filter(name=name).first()
    if found is None:
        raise NotFound(code="dataset_not_found")
    return found


def managed_dataset(request: HttpRequest, name: str) -> Dataset:
    dataset = visible_dataset(request, name)
    require(request.user, AnalyticsAction.MANAGE_DATASET, dataset.organization)
    return dataset


@router.get("/datasets", response=list[DatasetOut], auth=readers, summary="Search the catalog")
@paginate(Pagination)
def list_datasets(request: HttpRequest, q: str = "", tag: str = "") -> Any:
    queryset = access.visible_datasets(request.user).prefetch_related("columns")
    return catalog.search(queryset, q[:200], tag[:100])


@router.post(
    "/datasets", response={201: DatasetOut}, auth=token_or_session, summary="Declare a dataset"
)
def create_dataset(request: HttpRequest, payload: DatasetIn) -> Status[Dataset]:
    organization = Organization.objects.filter(code=payload.organization.upper()).first()
    if organization is None:
        raise NotFound(code="organization_not_found")
    require(request.user, AnalyticsAction.MANAGE_DATASET, organization)
    data = payload.dict()
    data["columns"] = [c.dict() for c in payload.columns]
    return Status(201, catalog.create_dataset(organization, payload.name, data))


@router.get("/datasets/{name}", response=DatasetOut, auth=readers, summary="One dataset")
def get_dataset(request: HttpRequest, name: str) -> Dataset:
    return visible_dataset(request, name)


@router.patch(
    "/datasets/{name}", response=DatasetOut, auth=token_or_session, summary="Describe a dataset"
)
def patch_dataset(request: HttpRequest, name: str, payload: DatasetPatch) -> Dataset:
    dataset = managed_dataset(request, name)
    data = payload.dict(exclude_none=True)
    if payload.source is not None:
        source = Source.objects.filter(pk=payload.source).first()
        if source is None or not has_permission(
            request.user, AnalyticsAction.MANAGE_DATASET, source.organization
        ):
            raise NotFound(code="source_not_found")
        dataset.source = source
    if payload.columns is not None:
        data["columns"] = [c.dict() for c in payload.columns]
    return catalog.update_dataset(dataset, data)


@router.post(
    "/sources", response={201: SourceOut}, auth=token_or_session, summary="Declare a source"
)
def create_source(request: HttpRequest, payload: SourceIn) -> Status[Source]:
    organization = Organization.objects.filter(code=payload.organization.upper()).first()
    if organization is None:
        raise NotFound(code="organization_not_found")
    require(request.user, AnalyticsAction.MANAGE_DATASET, organization)
    catalog.check_source(payload.kind, payload.config)
    source = Source.objects.create(
        organization=organization,
        name=payload.name,
        kind=payload.kind,
        config=payload.config,
        schedule_minutes=payload.schedule_minutes,
    )
    return Status(201, source)


@router.get("/sources", response=list[SourceOut], auth=token_or_session)
@paginate(Pagination)
def list_sources(request: HttpRequest) -> Any:
    allowed = organizations_for(request.user, AnalyticsAction.MANAGE_DATASET)
    queryset = Source.objects.select_related("organization")
    return queryset if allowed is None else queryset.filter(organization_id__in=allowed)


@router.get("/datasets/{name}/lineage", auth=readers, summary="Source → dataset → indicators")
def dataset_lineage(request: HttpRequest, name: str) -> dict[str, Any]:
    return catalog.lineage(visible_dataset(request, name))


@router.post(
    "/datasets/{name}/loads",
    response={202: LoadOut},
    auth=token_or_session,
    summary="Upload a file as the dataset's next version (CSV, XLSX, Parquet, JSON)",
)
def upload(
    request: HttpRequest,
    name: str,
    file: File[UploadedFile],
    accept_schema_change: Form[bool] = False,
) -> Status[Load]:
    dataset = managed_dataset(request, name)
    filename = file.name or ""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in ingestion.UPLOAD_SUFFIXES:
        message = _("Upload a CSV, XLSX, Parquet or JSON file.")
        raise InvalidInput(
            message, code="unknown_format", errors=[{"field": "file", "message": message}]
        )
    staged = ingestion.stage_upload(file.chunks(), filename)
    load = ingestion.request_load(
        dataset,
        user_of(request),
        kind=SourceKind.UPLOAD,
        upload=staged,
        source_info={"file": filename[:200]},
        accept_schema_change=accept_schema_change,
    )
    load.refresh_from_db()
    return Status(202, load)


@router.post(
    "/datasets/{name}/refresh",
    response={202: LoadOut},
    auth=token_or_session,
    summary="Load the dataset again from its source",
)
def refresh(request: HttpRequest, name: str) -> Status[Load]:
    dataset = managed_dataset(request, name)
    source = dataset.source
    if source is None:
        raise Conflict(_("The dataset has no source to load from."), code="no_source")
    load = ingestion.request_load(
        dataset, user_of(request), kind=source.kind, source_info=dict(source.config)
    )
    load.refresh_from_db()
    return Status(202, load)


@router.get("/datasets/{name}/loads", response=list[LoadOut], auth=token_or_session)
@paginate(Pagination)
def list_loads(request: HttpRequest, name: str) -> Any:
    return managed_dataset(request, name).loads.select_related("dataset")


def _load(request: HttpRequest, pk: int) -> Load:
    load = Load.objects.select_related("dataset__organization").filter(pk=pk).first()
    if load is None or not access.visible_datasets(request.user).filter(pk=load.dataset_id):
        raise NotFound(code="load_not_found")
    require(request.user, AnalyticsAction.MANAGE_DATASET, load.dataset.organization)
    return load


@router.get("/loads/{pk}", response=LoadOut, auth=token_or_session, summary="A load and its report")
def get_load(request: HttpRequest, pk: int) -> Load:
    return _load(request, pk)


@router.post(
    "/loads/{pk}/decision",
    response={200: LoadOut, 202: LoadOut},
    auth=token_or_session,
    summary="Accept or refuse the schema change a load is waiting for",
)
def decide(request: HttpRequest, pk: int, payload: DecisionIn) -> Any:
    load = _load(request, pk)
    if load.status != LoadStatus.NEEDS_DECISION:
        raise Conflict(_("This load is not waiting for a decision."), code="no_decision_pending")
    again = ingestion.decide_schema(load, user_of(request), payload.accept)
    if again is None:
        load.refresh_from_db()
        return Status(200, load)
    again.refresh_from_db()
    return Status(202, again)


@router.get("/datasets/{name}/versions", response=list[VersionOut], auth=token_or_session)
def versions(request: HttpRequest, name: str) -> list[dict[str, Any]]:
    dataset = managed_dataset(request, name)
    return [
        {
            "version": v.version,
            "rows": v.rows,
            "sha256": v.sha256,
            "created_at": v.created_at,
            "loaded_by": v.loaded_by,
            "published": v.version == dataset.current_version,
        }
        for v in reversed(store.warehouse().versions(dataset.name))
    ]


@router.post(
    "/datasets/{name}/versions/{number}/restore",
    response=DatasetOut,
    auth=token_or_session,
    summary="Publish an earlier version again",
)
def restore(request: HttpRequest, name: str, number: int) -> Dataset:
    dataset = managed_dataset(request, name)
    try:
        ingestion.restore(dataset, number, user_of(request))
    except AnalyticsError as error:
        raise AnalyticsProblem(error) from error
    return dataset


@router.get("/datasets/{name}/rows", response=RowsOut, auth=readers, summary="First rows")
def preview(request: HttpRequest, name: str) -> dict[str, Any]:
    dataset = visible_dataset(request, name)
    if dataset.current_version is None:
        return {"columns": [], "rows": []}
    return run_sql(request, select_all(dataset.name), PREVIEW_ROWS)


def select_all(name: str) -> str:
    """``SELECT * FROM name``, built by SQLGlot (the name is quoted, never pasted)."""
    return str(sqlglot.select("*").from_(exp.to_table(name, quoted=True)).sql("duckdb"))


def run_sql(request: HttpRequest, sql: str, limit: int) -> dict[str, Any]:
    visible = {d.name: d for d in access.visible_datasets(request.user)}
    try:
        query = validate_sql(sql, list(visible))
        datasets = [visible[t] for t in query.tables]
        rules = access.row_rules(request.user, datasets)
        with store.engine_for(query.tables) as engine:
            table = engine.sql(query, row_rules=rules, limit=limit)
    except AnalyticsError as error:
        raise AnalyticsProblem(error) from error
    return {
        "columns": table.column_names,
        "rows": [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()],
    }


@router.post("/sql", response=RowsOut, auth=token_or_session, summary="Run read-only SQL")
def sql(request: HttpRequest, payload: SqlIn) -> dict[str, Any]:
    require(request.user, AnalyticsAction.RUN_SQL)
    return run_sql(request, payload.sql, payload.limit)
