"""Catalog pages: search, the service passport with its API documentation, the request form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.bridge import workflow
from egov.bridge.catalog import read_model
from egov.bridge.forms import AccessRequestForm, CatalogSearchForm
from egov.bridge.models import Service
from egov.bridge.permissions import BridgeAction
from egov.bridge.queries import visible_services, visible_versions
from egov.core.auth import user_of
from egov.core.exceptions import EgovError
from egov.core.models import InformationSystem
from egov.core.models.translated import translated_names
from egov.core.permissions import organizations_for


def search(request: HttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET or None)
    services = visible_services(request.user).order_by("passport_id")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            text = Q(passport_id__icontains=data["q"])
            for column in translated_names("name") + translated_names("description"):
                text |= Q(**{f"{column}__icontains": data["q"]})
            services = services.filter(text)
        if data["organization"]:
            services = services.filter(provider__organization__code=data["organization"].upper())
        if data["category"]:
            services = services.filter(category=data["category"])
        if data["classification"]:
            services = services.filter(classification=data["classification"])
        if data["language"]:
            services = services.exclude(**{f"description_{data['language']}": ""})
    page = Paginator(services, 20).get_page(request.GET.get("page"))
    return render(request, "bridge/catalog.html", {"form": form, "page": page})


def _service(request: HttpRequest, passport: str) -> Service:
    service = visible_services(request.user).filter(passport_id=passport.upper()).first()
    if service is None:
        raise Http404
    return service


def passport(request: HttpRequest, passport: str) -> HttpResponse:
    service = _service(request, passport)
    versions = list(visible_versions(request.user).filter(service=service).order_by("-created_at"))
    chosen = request.GET.get("version")
    version = next((v for v in versions if v.version == chosen), versions[0] if versions else None)
    document = read_model(version) if version else None
    can_request = bool(organizations_for(request.user, BridgeAction.FILE_REQUEST))
    return render(
        request,
        "bridge/passport.html",
        {
            "service": service,
            "versions": versions,
            "version": version,
            "document": document,
            "can_request": can_request,
        },
    )


@login_required
def request_access(request: HttpRequest, passport: str, version: str) -> HttpResponse:
    service = _service(request, passport)
    found = visible_versions(request.user).filter(service=service, version=version).first()
    if found is None:
        raise Http404
    allowed = organizations_for(request.user, BridgeAction.FILE_REQUEST)
    systems = InformationSystem.objects.select_related("organization").exclude(
        pk=service.provider_id
    )
    if allowed is not None:
        systems = systems.filter(organization_id__in=allowed)
    consumers = [(str(s.pk), f"{s.xroad_address} — {s.name}") for s in systems]
    endpoints = [(f"{m} {p}", f"{m} {p}") for m, p in found.endpoints]
    form = AccessRequestForm(request.POST or None, consumers=consumers, endpoints=endpoints)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        consumer = systems.get(pk=data["consumer"])
        try:
            created = workflow.file_request(
                user_of(request),
                consumer,
                found,
                workflow.RequestInput(
                    endpoints=[
                        {"method": e.split(" ", 1)[0], "path": e.split(" ", 1)[1]}
                        for e in data["endpoints"]
                    ],
                    purpose=data["purpose"],
                    legal_basis=data["legal_basis"],
                    expected_calls_per_day=data["expected_calls_per_day"],
                    ip_ranges=form.ip_range_list(),
                    technical_contact=data["technical_contact"],
                ),
            )
        except EgovError as error:
            for item in error.extra.get("errors", []):
                form.add_error(
                    item["field"] if item["field"] in form.fields else None, item["message"]
                )
            if not error.extra.get("errors"):
                form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your request was sent to the provider."))
            return HttpResponseRedirect(f"/bridge/requests/{created.pk}/")
    return render(
        request,
        "bridge/request_form.html",
        {"service": service, "version": found, "form": form, "has_systems": bool(consumers)},
    )
