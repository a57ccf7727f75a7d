"""Back-office reports: the compliance dashboard and the translation status matrix."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from egov.core import permissions
from egov.core.models import Organization
from egov.websites import compliance, translations
from egov.websites.models import AgencySite
from egov.websites.permissions import WebsiteAction


def _site_of(request: HttpRequest, code: str) -> AgencySite:
    organization = get_object_or_404(Organization, code=code)
    if not permissions.has_permission(request.user, WebsiteAction.VIEW_COMPLIANCE, organization):
        raise Http404  # as if it did not exist, like the registry's scoped views
    site = (
        AgencySite.objects.filter(
            organization=organization, locale__language_code=translations.source_language()
        ).first()
        or AgencySite.objects.filter(organization=organization).first()
    )
    if site is None:
        raise Http404
    return site  # type: ignore[no-any-return]


def dashboard(request: HttpRequest) -> HttpResponse:
    if not permissions.has_permission(request.user, WebsiteAction.VIEW_COMPLIANCE):
        raise PermissionDenied
    allowed = permissions.organizations_for(request.user, WebsiteAction.VIEW_COMPLIANCE)
    reports = compliance.reports(allowed)
    columns = [(check.key, check.label) for check in reports[0].checks] if reports else []
    return render(
        request,
        "websites/admin/compliance.html",
        {"reports": reports, "columns": columns, "page_title": _("Website compliance")},
    )


def detail(request: HttpRequest, code: str) -> HttpResponse:
    site = _site_of(request, code)
    return render(
        request,
        "websites/admin/compliance_detail.html",
        {
            "report": compliance.report(site),
            "site": site,
            "page_title": _("Compliance of %(site)s") % {"site": site.title},
        },
    )


def translation_matrix(request: HttpRequest, code: str) -> HttpResponse:
    site = _site_of(request, code)
    matrix = translations.matrix(site)
    only_gaps = request.GET.get("gaps") == "1"
    rows = [row for row in matrix.rows if row.needs_work] if only_gaps else matrix.rows
    return render(
        request,
        "websites/admin/translations.html",
        {
            "matrix": matrix,
            "rows": rows,
            "only_gaps": only_gaps,
            "site": site,
            "page_title": _("Translations of %(site)s") % {"site": site.title},
        },
    )
