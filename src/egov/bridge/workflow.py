"""Access requests from filing to decision, and the grants that approvals create.

Every function here checks the actor's permission on the right side (provider or consumer) and
raises Conflict with the allowed actions when a transition is impossible. The audit log records the
changes through the model signals; notifications tell the other side.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.bridge.choices import GrantStatus, Lifecycle, RequestStatus
from egov.bridge.models import AccessRequest, Grant, RequestComment, ServiceVersion
from egov.bridge.models.requests import CONSUMER_ACTIONS, TRANSITIONS
from egov.bridge.openapi.matching import normalise_endpoint
from egov.bridge.permissions import BridgeAction
from egov.core.choices import Role
from egov.core.countries import Calendar
from egov.core.exceptions import Conflict, InvalidInput
from egov.core.models import InformationSystem, User
from egov.core.notify import deferred, notify, people_with_roles
from egov.core.permissions import require

EXPIRY_NOTICE = datetime.timedelta(days=14)
DEFAULT_VALIDITY = datetime.timedelta(days=365)


def review_days() -> int:
    return int(getattr(settings, "EGOV_REVIEW_WORKING_DAYS", 10))


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors=[{"field": field, "message": message}])


def clean_endpoints(
    version: ServiceVersion, endpoints: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Normalised, de-duplicated endpoints that the version really offers."""
    offered = {(method, path) for method, path in version.endpoints}
    cleaned: dict[tuple[str, str], dict[str, str]] = {}
    for item in endpoints:
        try:
            method, path = normalise_endpoint(
                str(item.get("method", "")), str(item.get("path", ""))
            )
        except ValueError:
            method, path = str(item.get("method", "")), str(item.get("path", ""))
        if (method, path) not in offered:
            raise _invalid(
                "endpoints",
                _("%(method)s %(path)s is not an endpoint of this service version.")
                % {"method": method, "path": path},
            )
        cleaned[(method, path)] = {"method": method, "path": path}
    if not cleaned:
        raise _invalid("endpoints", _("Choose at least one endpoint."))
    return [cleaned[key] for key in sorted(cleaned)]


def clean_ip_ranges(ranges: list[str]) -> list[str]:
    cleaned = []
    for text in ranges:
        try:
            cleaned.append(str(ipaddress.ip_network(text.strip(), strict=False)))
        except ValueError as error:
            raise _invalid(
                "ip_ranges", _("%(value)s is not an IP address or range.") % {"value": text}
            ) from error
    return sorted(set(cleaned))


@dataclass(frozen=True)
class RequestInput:
    endpoints: list[dict[str, str]]
    purpose: str
    legal_basis: str
    expected_calls_per_day: int
    ip_ranges: list[str]
    technical_contact: str


@transaction.atomic
def file_request(
    user: User, consumer: InformationSystem, version: ServiceVersion, data: RequestInput
) -> AccessRequest:
    require(user, BridgeAction.FILE_REQUEST, consumer.organization)
    if version.status != Lifecycle.PUBLISHED:
        raise Conflict(
            _("Access can be requested only to a published version."), code="version_not_published"
        )
    if consumer.organization_id == version.service.provider.organization_id and (
        consumer.pk == version.service.provider_id
    ):
        raise _invalid("consumer", _("A system cannot request access to its own service."))
    request = AccessRequest.objects.create(
        consumer=consumer,
        version=version,
        endpoints=clean_endpoints(version, data.endpoints),
        purpose=data.purpose.strip(),
        legal_basis=data.legal_basis.strip(),
        expected_calls_per_day=data.expected_calls_per_day,
        ip_ranges=clean_ip_ranges(data.ip_ranges),
        technical_contact=data.technical_contact,
        due_on=Calendar(settings.COUNTRY).add_working_days(timezone.localdate(), review_days()),
        submitted_by=user,
    )
    _tell_provider(
        request, deferred(gettext_lazy("New access request #%(id)s"), {"id": request.pk})
    )
    return request


@dataclass(frozen=True)
class Approval:
    """What the approver allows; each field may only narrow what was asked."""

    endpoints: list[dict[str, str]] | None = None
    rate_per_minute: int | None = None
    quota_per_day: int | None = None
    valid_until: datetime.datetime | None = None


@transaction.atomic
def decide(
    request: AccessRequest,
    user: User,
    action: str,
    reason: str = "",
    approval: Approval | None = None,
) -> AccessRequest:
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    side = (
        request.consumer_organization
        if action in CONSUMER_ACTIONS
        else (request.provider_organization)
    )
    permission = (
        BridgeAction.FILE_REQUEST if action in CONSUMER_ACTIONS else BridgeAction.DECIDE_REQUEST
    )
    require(user, permission, side)
    allowed = TRANSITIONS.get(request.status, {})
    if action not in allowed:
        raise Conflict(
            _("This request cannot be changed that way now."),
            code="transition_not_allowed",
            allowed=sorted(allowed),
        )
    if action in ("reject", "request_changes") and not reason.strip():
        raise _invalid("reason", _("Say why, so the consumer can act on it."))
    request.status = allowed[action]
    if action in ("approve", "reject", "request_changes"):
        request.decided_by = user
        request.decided_at = timezone.now()
        request.decision_reason = reason.strip()
    if action == "resubmit":
        request.due_on = Calendar(settings.COUNTRY).add_working_days(
            timezone.localdate(), review_days()
        )
    request.save()
    if reason.strip():
        RequestComment.objects.create(request=request, author=user, body=reason.strip())
    if action == "approve":
        _grant_from(request, approval or Approval())
    subject = deferred(
        gettext_lazy("Access request #%(id)s: %(status)s"),
        {"id": request.pk, "status": RequestStatus(request.status).label},
    )
    if action in CONSUMER_ACTIONS:
        _tell_provider(request, subject)
    else:
        _tell_consumer(request, subject, reason)
    return request


def _grant_from(request: AccessRequest, approval: Approval) -> Grant:
    version = request.version
    endpoints = request.endpoints
    if approval.endpoints is not None:
        narrowed = clean_endpoints(version, approval.endpoints)
        asked = {(e["method"], e["path"]) for e in request.endpoints}
        if not {(e["method"], e["path"]) for e in narrowed} <= asked:
            raise _invalid("endpoints", _("An approval can only narrow the endpoints asked for."))
        endpoints = narrowed
    rate = approval.rate_per_minute or version.rate_per_minute
    quota = approval.quota_per_day or version.quota_per_day
    if rate > version.rate_per_minute or quota > version.quota_per_day:
        raise _invalid("quota_per_day", _("An approval cannot exceed the service's limits."))
    now = timezone.now()
    valid_until = approval.valid_until or now + DEFAULT_VALIDITY
    if valid_until <= now:
        raise _invalid("valid_until", _("The end of validity must be in the future."))
    return Grant.objects.create(
        request=request,
        consumer=request.consumer,
        version=version,
        endpoints=endpoints,
        valid_from=now,
        valid_until=valid_until,
        rate_per_minute=rate,
        quota_per_day=quota,
        ip_ranges=request.ip_ranges,
    )


def comment(request: AccessRequest, user: User, body: str) -> RequestComment:
    from egov.core.permissions import has_permission

    may = has_permission(
        user, BridgeAction.VIEW_PROVIDER_REQUESTS, request.provider_organization
    ) or has_permission(user, BridgeAction.VIEW_CONSUMER_REQUESTS, request.consumer_organization)
    if not may:
        require(user, BridgeAction.VIEW_CONSUMER_REQUESTS, request.consumer_organization)
    if not body.strip():
        raise _invalid("body", _("Write a comment first."))
    return RequestComment.objects.create(request=request, author=user, body=body.strip())


GRANT_TRANSITIONS: dict[str, dict[str, str]] = {
    GrantStatus.ACTIVE: {"suspend": GrantStatus.SUSPENDED, "revoke": GrantStatus.REVOKED},
    GrantStatus.SUSPENDED: {"resume": GrantStatus.ACTIVE, "revoke": GrantStatus.REVOKED},
    GrantStatus.REVOKED: {},
}


@transaction.atomic
def change_grant(grant: Grant, user: User, action: str, reason: str = "") -> Grant:
    require(user, BridgeAction.MANAGE_GRANT, grant.provider_organization)
    allowed = GRANT_TRANSITIONS.get(grant.status, {})
    if action not in allowed:
        raise Conflict(
            _("This grant cannot be changed that way now."),
            code="transition_not_allowed",
            allowed=sorted(allowed),
        )
    grant.status = allowed[action]
    grant.save()
    notify(
        people_with_roles(grant.consumer_organization, [Role.INTEGRATOR, Role.ORG_ADMIN]),
        deferred(
            gettext_lazy("Grant for %(service)s: %(status)s"),
            {"service": grant.version, "status": GrantStatus(grant.status).label},
        ),
        reason,
        url="/bridge/grants/",
    )
    return grant


def send_expiry_notices(now: datetime.datetime | None = None) -> int:
    """Tell both sides, once, about grants that end within 14 days."""
    now = now or timezone.now()
    due = Grant.objects.filter(
        status=GrantStatus.ACTIVE,
        valid_until__gt=now,
        valid_until__lte=now + EXPIRY_NOTICE,
        expiry_notice_sent_at__isnull=True,
    ).select_related("consumer__organization", "version__service__provider__organization")
    count = 0
    for grant in due:
        subject = deferred(
            gettext_lazy("Access to %(service)s ends on %(date)s"),
            {"service": grant.version, "date": timezone.localdate(grant.valid_until)},
        )
        notify(
            people_with_roles(grant.consumer_organization, [Role.INTEGRATOR, Role.ORG_ADMIN]),
            subject,
            url="/bridge/grants/",
        )
        notify(
            people_with_roles(grant.provider_organization, [Role.APPROVER, Role.ORG_ADMIN]),
            subject,
            url="/bridge/grants/",
        )
        Grant.objects.filter(pk=grant.pk).update(expiry_notice_sent_at=now)
        count += 1
    return count


def overdue_requests() -> Any:
    return AccessRequest.objects.filter(
        status=RequestStatus.SUBMITTED, due_on__lt=timezone.localdate()
    ).select_related("consumer__organization", "version__service__provider__organization")


def _tell_provider(request: AccessRequest, subject: Any) -> None:
    notify(
        people_with_roles(request.provider_organization, [Role.APPROVER, Role.ORG_ADMIN]),
        subject,
        request.purpose,
        url=f"/bridge/requests/{request.pk}/",
    )


def _tell_consumer(request: AccessRequest, subject: Any, reason: str) -> None:
    notify(
        people_with_roles(request.consumer_organization, [Role.INTEGRATOR, Role.ORG_ADMIN]),
        subject,
        reason,
        url=f"/bridge/requests/{request.pk}/",
    )
