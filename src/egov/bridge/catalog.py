"""Publishing in the catalog: services, versions with validated OpenAPI documents, lifecycle."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.bridge.choices import Lifecycle
from egov.bridge.models import Grant, ServiceVersion
from egov.bridge.openapi import InvalidOpenApi, OpenApiDocument, validate_document
from egov.core.choices import Role
from egov.core.exceptions import Conflict, InvalidInput
from egov.core.notify import deferred, notify, people_with_roles

L = Lifecycle
LIFECYCLE: dict[str, dict[str, str]] = {
    L.DRAFT: {"publish": L.PUBLISHED},
    L.PUBLISHED: {"deprecate": L.DEPRECATED},
    L.DEPRECATED: {"retire": L.RETIRED, "publish": L.PUBLISHED},
    L.RETIRED: {},
}


@lru_cache(maxsize=256)
def _read_model(version_pk: int, document_hash: str) -> OpenApiDocument:
    version = ServiceVersion.objects.get(pk=version_pk)
    return validate_document(version.openapi)


def read_model(version: ServiceVersion) -> OpenApiDocument:
    """The rendered read model of a version's document; validated once per process and content."""
    digest = hashlib.sha256(json.dumps(version.openapi, sort_keys=True).encode()).hexdigest()
    return _read_model(version.pk, digest)


def accept_document(version: ServiceVersion, raw: Any) -> None:
    """Validate an OpenAPI document and attach it; violations come back with their JSON paths."""
    if version.status not in (L.DRAFT, ""):
        raise Conflict(
            _("Only a draft version's document can be replaced; publish a new version instead."),
            code="version_not_draft",
        )
    try:
        document = validate_document(raw)
    except InvalidOpenApi as error:
        raise InvalidInput(
            _("The OpenAPI document is not valid."),
            code="invalid_openapi",
            errors=[{"field": v.path, "message": v.message} for v in error.violations],
        ) from error
    version.openapi = document.to_json()
    version.endpoints = [[method, path] for method, path in document.endpoints()]


@transaction.atomic
def change_lifecycle(version: ServiceVersion, action: str, retire_on: Any = None) -> None:
    allowed = LIFECYCLE.get(version.status, {})
    if action not in allowed:
        raise Conflict(
            _("This version cannot be changed that way now."),
            code="lifecycle_conflict",
            allowed=sorted(allowed),
        )
    now = timezone.now()
    version.status = allowed[action]
    if action == "publish":
        version.published_at = version.published_at or now
    elif action == "deprecate":
        version.deprecated_at = now
        version.retire_on = retire_on
        _tell_consumers_of_deprecation(version)
    elif action == "retire":
        version.retired_at = now
    version.save()


def _tell_consumers_of_deprecation(version: ServiceVersion) -> None:
    grants = Grant.objects.filter(version=version).select_related("consumer__organization")
    organizations = {grant.consumer.organization for grant in grants}
    for organization in organizations:
        notify(
            people_with_roles(organization, [Role.INTEGRATOR, Role.ORG_ADMIN]),
            deferred(
                gettext_lazy("%(service)s %(version)s is deprecated"),
                {"service": version.service.passport_id, "version": version.version},
            ),
            deferred(
                gettext_lazy("Move to a newer version before it is retired (%(date)s)."),
                {"date": version.retire_on or "—"},
            ),
            url=f"/bridge/services/{version.service.passport_id}/",
        )
