"""What each user may see: the querysets behind lists and the 404s for everything else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from egov.bridge.choices import Lifecycle
from egov.bridge.models import AccessRequest, Grant, Service, ServiceVersion
from egov.bridge.permissions import BridgeAction
from egov.core.models import InformationSystem
from egov.core.permissions import organizations_for


def _within(user: Any, action: str, lookup: str) -> Q:
    ids = organizations_for(user, action)
    return Q() if ids is None else Q(**{f"{lookup}__in": ids})


def manageable_services(user: Any) -> Q:
    return _within(user, BridgeAction.MANAGE_SERVICE, "provider__organization_id")


def visible_versions(user: Any) -> QuerySet[ServiceVersion]:
    """Published and deprecated versions for everyone; drafts and retired ones for the provider."""
    public = Q(status__in=[Lifecycle.PUBLISHED, Lifecycle.DEPRECATED])
    own = _within(user, BridgeAction.MANAGE_SERVICE, "service__provider__organization_id")
    return ServiceVersion.objects.filter(public | own)


def visible_services(user: Any) -> QuerySet[Service]:
    return (
        Service.objects.filter(versions__in=visible_versions(user))
        .distinct()
        .select_related("provider__organization")
    )


def visible_requests(user: Any) -> QuerySet[AccessRequest]:
    provider_ids = organizations_for(user, BridgeAction.VIEW_PROVIDER_REQUESTS)
    consumer_ids = organizations_for(user, BridgeAction.VIEW_CONSUMER_REQUESTS)
    queryset = AccessRequest.objects.select_related(
        "consumer__organization", "version__service__provider__organization"
    )
    if provider_ids is None or consumer_ids is None:
        return queryset
    return queryset.filter(
        Q(version__service__provider__organization_id__in=provider_ids)
        | Q(consumer__organization_id__in=consumer_ids)
    )


def visible_grants(user: Any) -> QuerySet[Grant]:
    provider_ids = organizations_for(user, BridgeAction.VIEW_PROVIDER_REQUESTS)
    consumer_ids = organizations_for(user, BridgeAction.VIEW_CONSUMER_REQUESTS)
    queryset = Grant.objects.select_related(
        "consumer__organization", "version__service__provider__organization"
    )
    if provider_ids is None or consumer_ids is None:
        return queryset
    return queryset.filter(
        Q(version__service__provider__organization_id__in=provider_ids)
        | Q(consumer__organization_id__in=consumer_ids)
    )


def credential_systems(user: Any) -> QuerySet[InformationSystem]:
    return InformationSystem.objects.filter(
        _within(user, BridgeAction.MANAGE_CREDENTIALS, "organization_id")
    ).select_related("organization")
