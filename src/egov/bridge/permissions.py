"""Smart Bridge actions and who may take them (within an organization and beneath it)."""

from __future__ import annotations

from enum import StrEnum

from egov.core.choices import Role
from egov.core.permissions import register_rules


class BridgeAction(StrEnum):
    MANAGE_SERVICE = "bridge.manage_service"  # provider: services, versions, lifecycle
    VIEW_PROVIDER_REQUESTS = "bridge.view_provider_requests"
    DECIDE_REQUEST = "bridge.decide_request"
    MANAGE_GRANT = "bridge.manage_grant"  # provider: suspend, resume, revoke
    FILE_REQUEST = "bridge.file_request"  # consumer
    VIEW_CONSUMER_REQUESTS = "bridge.view_consumer_requests"
    MANAGE_CREDENTIALS = "bridge.manage_credentials"  # consumer: keys, clients, certificates
    VIEW_OVERDUE = "bridge.view_overdue"  # the operator's view across providers


A = BridgeAction
register_rules(
    {
        A.MANAGE_SERVICE: frozenset({Role.ORG_ADMIN, Role.SERVICE_OWNER}),
        A.VIEW_PROVIDER_REQUESTS: frozenset({Role.ORG_ADMIN, Role.SERVICE_OWNER, Role.APPROVER}),
        A.DECIDE_REQUEST: frozenset({Role.ORG_ADMIN, Role.APPROVER}),
        A.MANAGE_GRANT: frozenset({Role.ORG_ADMIN, Role.APPROVER}),
        A.FILE_REQUEST: frozenset({Role.ORG_ADMIN, Role.INTEGRATOR}),
        A.VIEW_CONSUMER_REQUESTS: frozenset({Role.ORG_ADMIN, Role.INTEGRATOR}),
        A.MANAGE_CREDENTIALS: frozenset({Role.ORG_ADMIN, Role.INTEGRATOR}),
    },
    operator_only=frozenset({A.VIEW_OVERDUE}),
)
