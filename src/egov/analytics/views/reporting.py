"""Indicator and dashboard pages: the registry, an indicator's page, dashboards with filters and
drill-down, tile exports (CSV, XLSX, PNG), YAML import and export, version history, the embed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from egov.analytics import access, charts, documents, status, tiles
from egov.analytics.choices import TargetStatus, Visibility
from egov.analytics.forms import ImportForm
from egov.analytics.models import Dashboard, Indicator, Revision
from egov.analytics.permissions import AnalyticsAction
from egov.analytics.queries import Params, results
from egov.analytics.views.common import add_errors
from egov.core.exceptions import EgovError
from egov.core.permissions import has_permission, organizations_for, require

YAML_TYPE = "application/yaml; charset=utf-8"


def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = access.visible_indicators(request.user).prefetch_related("targets")
    chosen = request.GET.get("status", "")
    if chosen in TargetStatus.values:
        indicators = indicators.filter(status=chosen)
    return render(
        request,
        "analytics/indicators.html",
        {
            "indicators": indicators,
            "statuses": TargetStatus.choices,
            "chosen": chosen,
            "can_define": bool(organizations_for(request.user, AnalyticsAction.MANAGE_INDICATOR)),
        },
    )


def _indicator(request: HttpRequest, code: str) -> Indicator:
    found = access.visible_indicators(request.user).filter(code=code).first()
    if found is None:
        raise Http404
    return found


def _chart_rows(indicator: Indicator, request: HttpRequest) -> tuple[list[dict[str, Any]], str]:
    if "period" not in (indicator.dimensions or {}):
        return [], ""
    try:
        rows = results(indicator, Params(by=("period",)), request.user)
    except EgovError as error:
        return [], str(error.message)
    return rows, ""


def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = _indicator(request, code)
    rows, error = _chart_rows(indicator, request)
    points = [(str(r["period"])[:10], float(r["value"])) for r in rows if r["value"] is not None]
    manage = has_permission(request.user, AnalyticsAction.MANAGE_INDICATOR, indicator.organization)
    context = {
        "indicator": indicator,
        "chart": charts.svg("line", points, str(indicator.name)) if points else "",
        "rows": rows[-24:],
        "error": error,
        "targets": indicator.targets.all(),
        "watched": status.watched_target(indicator, dt.date.today()),
        "datasets": indicator.datasets.all(),
        "dashboards": Dashboard.objects.filter(tiles__indicator=indicator).distinct(),
        "manage": manage,
        "revisions": Revision.objects.filter(kind="indicator", key=indicator.code)[:10]
        if manage
        else [],
        "embeddable": indicator.visibility == Visibility.PUBLIC,
    }
    return render(request, "analytics/indicator.html", context)


def dashboard_list(request: HttpRequest) -> HttpResponse:
    can_import = bool(
        organizations_for(request.user, AnalyticsAction.MANAGE_DASHBOARD)
        or organizations_for(request.user, AnalyticsAction.MANAGE_INDICATOR)
    )
    return render(
        request,
        "analytics/dashboards.html",
        {"dashboards": access.visible_dashboards(request.user), "can_import": can_import},
    )


def _dashboard(request: HttpRequest, slug: str) -> Dashboard:
    found = access.visible_dashboards(request.user).filter(slug=slug).first()
    if found is None:
        raise Http404
    return found


def _tile_views(dashboard: Dashboard, request: HttpRequest) -> tuple[list[tiles.TileView], Any]:
    filters = tiles.Filters.from_query(request.GET)
    views = []
    for tile in dashboard.tiles.select_related("indicator__organization"):
        try:
            views.append(tiles.build(tile, filters, request.user))
        except EgovError as error:
            view = tiles.TileView(tile, str(tile.display_title()), [], [], tile.indicator.unit)
            view.error = str(error.message)
            views.append(view)
    return views, filters


def dashboard_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dashboard = _dashboard(request, slug)
    views, filters = _tile_views(dashboard, request)
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    regions = [(r.code, r.name.get(language) or r.code) for r in settings.COUNTRY.regions]
    manage = has_permission(request.user, AnalyticsAction.MANAGE_DASHBOARD, dashboard.organization)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "dashboard": dashboard,
            "tiles": views,
            "filters": filters,
            "regions": regions,
            "region_label": ", ".join(
                dict(regions).get(code, code) for code in filters.values.get("region", ())
            ),
            "manage": manage,
            "query": filters.query(),
            "revisions": Revision.objects.filter(kind="dashboard", key=dashboard.slug)[:10]
            if manage
            else [],
        },
    )


def tile_export(request: HttpRequest, slug: str, position: int, fmt: str) -> HttpResponse:
    dashboard = _dashboard(request, slug)
    tile = dashboard.tiles.select_related("indicator").filter(position=position).first()
    if tile is None:
        raise Http404
    filters = tiles.Filters.from_query(request.GET)
    try:
        view = tiles.build(tile, filters, request.user)
    except EgovError as error:
        from egov.core.exceptions import problem_response

        return problem_response(request, error.status, error.code, error.message)
    name = f"{dashboard.slug}-{position}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=view.columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(view.rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            _xlsx(view),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "png":
        response = HttpResponse(view.png(), content_type="image/png")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _xlsx(view: tiles.TileView) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=view.title[:31] or "tile")
    sheet.append(view.columns)
    for row in view.rows:
        sheet.append([row.get(c) for c in view.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_yaml(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    if kind == "indicator":
        text = documents.to_yaml([documents.indicator_document(_indicator(request, key))])
    elif kind == "dashboard":
        dashboard = _dashboard(request, key)
        codes = dashboard.tiles.values_list("indicator__code", flat=True).distinct()
        indicators = [
            documents.indicator_document(i)
            for i in access.visible_indicators(request.user).filter(code__in=list(codes))
        ]
        text = documents.to_yaml([*indicators, documents.dashboard_document(dashboard)])
    else:
        raise Http404
    response = HttpResponse(text, content_type=YAML_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-{key}.yaml"'
    return response


@login_required
def import_yaml(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():

        def authorize(kind: str, organization: Any) -> None:
            action = (
                AnalyticsAction.MANAGE_INDICATOR
                if kind == "indicator"
                else AnalyticsAction.MANAGE_DASHBOARD
            )
            require(request.user, action, organization)

        try:
            done = documents.import_documents(
                form.cleaned_data["document"], request.user, authorize
            )
        except EgovError as error:
            add_errors(form, error)
            if error.extra.get("line"):
                form.add_error("document", _("Line %(line)s.") % {"line": error.extra["line"]})
        else:
            messages.success(
                request, _("Imported: %(names)s.") % {"names": ", ".join(map(str, done))}
            )
            return HttpResponseRedirect("/analytics/dashboards/")
    return render(request, "analytics/import.html", {"form": form})


@login_required
@require_POST
def restore_revision(request: HttpRequest, kind: str, key: str, number: int) -> HttpResponse:
    if kind == "indicator":
        obj: Any = _indicator(request, key)
        require(request.user, AnalyticsAction.MANAGE_INDICATOR, obj.organization)
        url = f"/analytics/indicators/{key}/"
    elif kind == "dashboard":
        obj = _dashboard(request, key)
        require(request.user, AnalyticsAction.MANAGE_DASHBOARD, obj.organization)
        url = f"/analytics/dashboards/{key}/"
    else:
        raise Http404
    try:
        documents.restore(kind, key, number, request.user)
    except EgovError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Revision %(number)s is restored.") % {"number": number})
    return HttpResponseRedirect(url)


# IRBP pages of this platform may frame it; nobody else.
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})  # type: ignore[arg-type]
def embed_indicator(request: HttpRequest, code: str) -> HttpResponse:
    """A public indicator's chart and key figure, for IRBP pages to embed (same origin)."""
    indicator = Indicator.objects.filter(code=code, visibility=Visibility.PUBLIC).first()
    if indicator is None:
        raise Http404
    rows, error = _chart_rows(indicator, request)
    points = [(str(r["period"])[:10], float(r["value"])) for r in rows if r["value"] is not None]
    response = render(
        request,
        "analytics/embed.html",
        {
            "indicator": indicator,
            "chart": charts.svg("line", points, str(indicator.name)) if points else "",
            "latest": rows[-1] if rows else None,
            "error": error,
            "watched": status.watched_target(indicator, dt.date.today()),
        },
    )
    return response
