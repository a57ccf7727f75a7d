"""Provider pages: register services, add versions with their OpenAPI documents, lifecycle."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.bridge import catalog
from egov.bridge.fetch import fetch_document, max_document_bytes
from egov.bridge.forms import ServiceForm, VersionForm
from egov.bridge.models import Service, ServiceVersion
from egov.bridge.permissions import BridgeAction
from egov.bridge.queries import manageable_services
from egov.core.exceptions import EgovError
from egov.core.models import InformationSystem
from egov.core.permissions import organizations_for


def _systems(request: HttpRequest) -> object:
    allowed = organizations_for(request.user, BridgeAction.MANAGE_SERVICE)
    systems = InformationSystem.objects.select_related("organization")
    return systems if allowed is None else systems.filter(organization_id__in=allowed)


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    services = Service.objects.filter(manageable_services(request.user)).select_related(
        "provider__organization"
    )
    return render(request, "bridge/manage_list.html", {"services": services})


@login_required
def service_create(request: HttpRequest) -> HttpResponse:
    if organizations_for(request.user, BridgeAction.MANAGE_SERVICE) == []:
        raise Http404
    form = ServiceForm(request.POST or None, systems=_systems(request))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                service = form.save()
        except IntegrityError:
            form.add_error("code", _("This system already has a service with that code."))
        else:
            messages.success(request, _("The service is registered. Add its first version."))
            return HttpResponseRedirect(f"/bridge/manage/{service.passport_id}/")
    return render(request, "bridge/manage_service.html", {"form": form})


def _managed(request: HttpRequest, passport: str) -> Service:
    found = Service.objects.filter(manageable_services(request.user), passport_id=passport.upper())
    service = found.select_related("provider__organization").first()
    if service is None:
        raise Http404
    return service


@login_required
def service_detail(request: HttpRequest, passport: str) -> HttpResponse:
    service = _managed(request, passport)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "lifecycle" in request.POST:
        version = service.versions.filter(version=request.POST.get("version", "")).first()
        if version is None:
            raise Http404
        try:
            catalog.change_lifecycle(
                version, request.POST["lifecycle"], request.POST.get("retire_on") or None
            )
            messages.success(request, _("Saved."))
        except EgovError as error:
            messages.error(request, str(error.message))
        return HttpResponseRedirect(request.path)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["document"]
        try:
            if upload is not None and upload.size > max_document_bytes():
                raise EgovError(
                    _("The document is larger than %(limit)d bytes.")
                    % {"limit": max_document_bytes()}
                )
            raw = upload.read() if upload is not None else fetch_document(data["document_url"])
            version = ServiceVersion(
                service=service,
                version=data["version"],
                openapi_source_url=data["document_url"] or "",
                rate_per_minute=data["rate_per_minute"],
                quota_per_day=data["quota_per_day"],
            )
            catalog.accept_document(version, raw)
            with transaction.atomic():
                version.save()
        except IntegrityError:
            form.add_error("version", _("This version already exists."))
        except EgovError as error:
            form.add_error(None, str(error.message))
            for item in error.extra.get("errors", [])[:50]:
                form.add_error(None, f"{item['field'] or '/'}: {item['message']}")
        else:
            messages.success(request, _("The version is saved as a draft."))
            return HttpResponseRedirect(request.path)
    versions = service.versions.order_by("-created_at")
    rows = [(v, sorted(catalog.LIFECYCLE.get(v.status, {}))) for v in versions]
    return render(
        request, "bridge/manage_detail.html", {"service": service, "form": form, "rows": rows}
    )
