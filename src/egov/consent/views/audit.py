"""The auditor's page: the report comparing consents with the message log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from egov.consent import audit_report
from egov.consent.forms import ReportForm
from egov.consent.permissions import can_audit


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    if not can_audit(request.user):
        raise PermissionDenied
    form = ReportForm(request.GET or None)
    since = until = None
    if form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    report = audit_report.build(since, until)
    return render(request, "consent/audit.html", {"form": form, "report": report})
