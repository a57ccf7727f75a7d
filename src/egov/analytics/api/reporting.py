"""Indicators with their data and targets, dashboards and their tiles, YAML, version history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from egov.analytics import access, documents, queries
from egov.analytics.api.auth import readers
from egov.analytics.api.schemas import DashboardOut, ImportOut, IndicatorOut, RevisionOut, RowsOut
from egov.analytics.engines import Frequency
from egov.analytics.models import Dashboard, Indicator, Revision
from egov.analytics.permissions import AnalyticsAction
from egov.core.api_auth import token_or_session
from egov.core.exceptions import InvalidInput, NotFound
from egov.core.pagination import Pagination
from egov.core.permissions import require

router = Router(tags=["analytics: indicators and dashboards"])

YAML_TYPE = "application/yaml; charset=utf-8"


def visible_indicator(request: HttpRequest, code: str) -> Indicator:
    found = access.visible_indicators(request.user).filter(code=code).first()
    if found is None:
        raise NotFound(code="indicator_not_found")
    return found


def visible_dashboard(request: HttpRequest, slug: str) -> Dashboard:
    found = access.visible_dashboards(request.user).filter(slug=slug).first()
    if found is None:
        raise NotFound(code="dashboard_not_found")
    return found


def _csv(value: str) -> list[str]:
    return [v for v in (p.strip() for p in value.split(",")) if v][:100]


def params_from(
    by: str, region: str, organization: str, category: str, start: str, end: str, frequency: str
) -> queries.Params:
    errors = []
    dates: dict[str, dt.date | None] = {}
    for field, text in (("start", start), ("end", end)):
        try:
            dates[field] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            dates[field] = None
            errors.append({"field": field, "message": _("Give a date as YYYY-MM-DD.")})
    if frequency and frequency not in {f.value for f in Frequency}:
        message = _("Choose daily, weekly, monthly, quarterly or yearly.")
        errors.append({"field": "frequency", "message": message})
    if errors:
        raise InvalidInput(errors=errors)
    filters = {
        k: _csv(v)
        for k, v in (("region", region), ("organization", organization), ("category", category))
        if v
    }
    return queries.Params(
        by=tuple(_csv(by)),  # empty: one total over the filters
        filters=filters,
        start=dates["start"],
        end=dates["end"],
        frequency=frequency or None,
    )


@router.get("/indicators", response=list[IndicatorOut], auth=readers, summary="The registry")
@paginate(Pagination)
def list_indicators(request: HttpRequest, status: str = "") -> Any:
    queryset = access.visible_indicators(request.user).prefetch_related("datasets", "targets")
    return queryset.filter(status=status) if status else queryset


@router.get("/indicators/{code}", response=IndicatorOut, auth=readers, summary="One indicator")
def get_indicator(request: HttpRequest, code: str) -> Indicator:
    return visible_indicator(request, code)


@router.get(
    "/indicators/{code}/data",
    response=RowsOut,
    auth=readers,
    summary="The indicator by dimensions, filtered (row-level rules apply)",
)
def indicator_data(
    request: HttpRequest,
    code: str,
    by: str = "period",
    region: str = "",
    organization: str = "",
    category: str = "",
    start: str = "",
    end: str = "",
    frequency: str = "",
) -> dict[str, Any]:
    indicator = visible_indicator(request, code)
    params = params_from(by, region, organization, category, start, end, frequency)
    rows = queries.results(indicator, params, request.user)
    return {"columns": [*params.by, "value"], "rows": rows}


@router.get("/dashboards", response=list[DashboardOut], auth=readers)
@paginate(Pagination)
def list_dashboards(request: HttpRequest) -> Any:
    return access.visible_dashboards(request.user)


@router.get("/dashboards/{slug}", response=DashboardOut, auth=readers, summary="One dashboard")
def get_dashboard(request: HttpRequest, slug: str) -> Dashboard:
    return visible_dashboard(request, slug)


@router.get("/export", auth=readers, summary="Indicators and dashboards as YAML")
def export(request: HttpRequest, indicator: str = "", dashboard: str = "") -> HttpResponse:
    docs = [documents.indicator_document(visible_indicator(request, c)) for c in _csv(indicator)]
    docs += [documents.dashboard_document(visible_dashboard(request, s)) for s in _csv(dashboard)]
    if not docs:
        raise InvalidInput(_("Name at least one indicator or dashboard."), code="nothing_to_export")
    return HttpResponse(documents.to_yaml(docs), content_type=YAML_TYPE)


def _authorize(request: HttpRequest) -> Any:
    def check(kind: str, organization: Any) -> None:
        action = (
            AnalyticsAction.MANAGE_INDICATOR
            if kind == "indicator"
            else AnalyticsAction.MANAGE_DASHBOARD
        )
        require(request.user, action, organization)

    return check


@router.post(
    "/import",
    response=ImportOut,
    auth=token_or_session,
    summary="Create or replace indicators and dashboards from YAML (all or nothing)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
def import_yaml(request: HttpRequest) -> Any:
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(_("Send the YAML as UTF-8."), code="bad_yaml") from error
    done = documents.import_documents(text, request.user, _authorize(request))
    return {
        "indicators": [o.code for o in done if isinstance(o, Indicator)],
        "dashboards": [o.slug for o in done if isinstance(o, Dashboard)],
    }


def _revisions_of(request: HttpRequest, kind: str, key: str) -> Any:
    if kind == "indicator":
        obj: Any = visible_indicator(request, key)
        require(request.user, AnalyticsAction.MANAGE_INDICATOR, obj.organization)
    elif kind == "dashboard":
        obj = visible_dashboard(request, key)
        require(request.user, AnalyticsAction.MANAGE_DASHBOARD, obj.organization)
    else:
        raise NotFound(code="not_found")
    return Revision.objects.filter(kind=kind, key=key).select_related("created_by")


@router.get(
    "/revisions/{kind}/{key}",
    response=list[RevisionOut],
    auth=token_or_session,
    summary="Version history of an indicator or a dashboard",
)
def revisions(request: HttpRequest, kind: str, key: str) -> Any:
    return list(_revisions_of(request, kind, key))


@router.get("/revisions/{kind}/{key}/{number}", auth=token_or_session, summary="One revision")
def revision(request: HttpRequest, kind: str, key: str, number: int) -> HttpResponse:
    found = _revisions_of(request, kind, key).filter(number=number).first()
    if found is None:
        raise NotFound(code="revision_not_found")
    return HttpResponse(found.content, content_type=YAML_TYPE)


@router.post(
    "/revisions/{kind}/{key}/{number}/restore",
    response=RevisionOut,
    auth=token_or_session,
    summary="Restore an earlier revision (it becomes the newest)",
)
def restore(request: HttpRequest, kind: str, key: str, number: int) -> Any:
    _revisions_of(request, kind, key)
    documents.restore(kind, key, number, request.user)
    return Revision.objects.filter(kind=kind, key=key).order_by("-number").first()
