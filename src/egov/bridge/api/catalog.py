"""Catalog API: browse services, register them, add versions with OpenAPI documents, lifecycle."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from egov.bridge import catalog
from egov.bridge.api.schemas import LifecycleIn, ServiceIn, ServiceOut, VersionIn, VersionOut
from egov.bridge.fetch import fetch_document
from egov.bridge.models import Service, ServiceVersion
from egov.bridge.permissions import BridgeAction
from egov.bridge.queries import visible_services, visible_versions
from egov.core.api_auth import token_or_session
from egov.core.exceptions import Conflict, InvalidInput, NotFound
from egov.core.lookups import information_system
from egov.core.models.translated import LANGUAGES, translated_names
from egov.core.pagination import Pagination
from egov.core.permissions import require

router = Router(tags=["bridge: catalog"])


def _services(request: HttpRequest) -> Any:
    versions = visible_versions(request.user).order_by("-created_at")
    return visible_services(request.user).prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="visible_versions")
    )


def get_service(request: HttpRequest, passport: str) -> Service:
    found = _services(request).filter(passport_id=passport.upper()).first()
    if found is None:
        raise NotFound(code="service_not_found")
    return found  # type: ignore[no-any-return]


@router.get("/services", response=list[ServiceOut], summary="Search the catalog")
@paginate(Pagination)
def list_services(
    request: HttpRequest,
    q: str = "",
    organization: str = "",
    category: str = "",
    classification: str = "",
    language: str = "",
) -> Any:
    services = _services(request)
    if language in LANGUAGES:  # services described in that language
        services = services.exclude(**{f"description_{language}": ""})
    if q:
        text = Q(passport_id__icontains=q) | Q(code__icontains=q)
        for column in translated_names("name") + translated_names("description"):
            text |= Q(**{f"{column}__icontains": q})
        services = services.filter(text)
    if organization:
        services = services.filter(provider__organization__code=organization.upper())
    if category:
        services = services.filter(category=category)
    if classification:
        services = services.filter(classification=classification)
    return services.order_by("passport_id")


@router.get("/services/{passport}", response=ServiceOut, summary="A service passport")
def service_detail(request: HttpRequest, passport: str) -> Service:
    return get_service(request, passport)


@router.get(
    "/services/{passport}/versions/{version}/openapi.json",
    summary="The OpenAPI document of a service version",
)
def openapi_document(request: HttpRequest, passport: str, version: str) -> JsonResponse:
    found = (
        visible_versions(request.user)
        .filter(service__passport_id=passport.upper(), version=version)
        .first()
    )
    if found is None:
        raise NotFound(code="version_not_found")
    response = JsonResponse(found.openapi, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{passport}-{version}.openapi.json"'
    return response


@router.post(
    "/services", response={201: ServiceOut}, auth=token_or_session, summary="Register a service"
)
def create_service(request: HttpRequest, payload: ServiceIn) -> Status[Service]:
    provider = information_system(payload.provider_organization, payload.provider_subsystem)
    require(request.user, BridgeAction.MANAGE_SERVICE, provider.organization)
    service = Service(
        provider=provider, **payload.dict(exclude={"provider_organization", "provider_subsystem"})
    )
    # Uniqueness is the database's to decide (a 409 below), not a validation message.
    service.full_clean(exclude=["passport_id"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            service.save()
    except IntegrityError as error:
        raise Conflict(
            _("This system already has a service with that code."), code="duplicate_service"
        ) from error
    return Status(201, service)


@router.post(
    "/services/{passport}/versions",
    response={201: VersionOut},
    auth=token_or_session,
    summary="Add a version with its OpenAPI document",
)
def add_version(request: HttpRequest, passport: str, payload: VersionIn) -> Status[Any]:
    service = get_service(request, passport)
    require(request.user, BridgeAction.MANAGE_SERVICE, service.provider.organization)
    if (payload.openapi is None) == (payload.openapi_url is None):
        raise InvalidInput(
            _("Give the OpenAPI document or its URL, one of the two."),
            errors=[{"field": "openapi", "message": _("Give the document or its URL.")}],
        )
    version = ServiceVersion(
        service=service,
        version=payload.version,
        openapi_source_url=payload.openapi_url or "",
        rate_per_minute=payload.rate_per_minute,
        quota_per_day=payload.quota_per_day,
    )
    raw = (
        payload.openapi
        if payload.openapi is not None
        else fetch_document(payload.openapi_url or "")
    )
    catalog.accept_document(version, raw)
    version.full_clean(
        exclude=["service", "openapi"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as error:
        raise Conflict(_("This version already exists."), code="duplicate_version") from error
    return Status(201, version)


@router.post(
    "/services/{passport}/versions/{version}/lifecycle",
    response=VersionOut,
    auth=token_or_session,
    summary="Publish, deprecate or retire a version",
)
def lifecycle(request: HttpRequest, passport: str, version: str, payload: LifecycleIn) -> Any:
    service = get_service(request, passport)
    require(request.user, BridgeAction.MANAGE_SERVICE, service.provider.organization)
    found = service.versions.filter(version=version).first()
    if found is None:
        raise NotFound(code="version_not_found")
    catalog.change_lifecycle(found, payload.action, payload.retire_on)
    return found
