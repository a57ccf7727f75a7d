"""Public pages of the platform shell."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from egov.core.models import Organization


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.filter(parent__isnull=True, status="active")[:50]
    return render(request, "core/home.html", {"organizations": organizations})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any failure means "not ready"; the reason goes to the log, not the probe
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "degraded", "database": database}, status=status
    )
