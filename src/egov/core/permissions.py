"""Who may do what: a role held in an organization (or platform-wide), denied unless a rule allows.

Roles held in an organization also apply to the organizations beneath it (a ministry's
administrator manages its committees and territorial departments). Every refusal through
`require()` is written to the audit log. Each app declares its actions as a StrEnum and adds its
rules with `register_rules()`; one engine answers for all of them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from egov.core import audit
from egov.core.choices import AuditAction, Role
from egov.core.models import Organization


class Action(StrEnum):
    VIEW_ORGANIZATION = "core.view_organization"
    ADD_ORGANIZATION = "core.add_organization"
    CHANGE_ORGANIZATION = "core.change_organization"
    DELETE_ORGANIZATION = "core.delete_organization"
    VIEW_SYSTEM = "core.view_informationsystem"
    ADD_SYSTEM = "core.add_informationsystem"
    CHANGE_SYSTEM = "core.change_informationsystem"
    DELETE_SYSTEM = "core.delete_informationsystem"
    VIEW_MEMBERSHIP = "core.view_membership"
    MANAGE_MEMBERSHIP = "core.manage_membership"
    VIEW_AUDIT = "core.view_auditrecord"


ANY_MEMBER = frozenset(Role) - {Role.CITIZEN}

# Roles allowed within an organization, per action. The operator is allowed everything.
ORGANIZATION_RULES: dict[str, frozenset[str]] = {
    Action.VIEW_ORGANIZATION: ANY_MEMBER,
    Action.CHANGE_ORGANIZATION: frozenset({Role.ORG_ADMIN}),
    Action.ADD_ORGANIZATION: frozenset({Role.ORG_ADMIN}),  # subordinate bodies only
    Action.VIEW_SYSTEM: ANY_MEMBER,
    Action.ADD_SYSTEM: frozenset({Role.ORG_ADMIN, Role.SERVICE_OWNER}),
    Action.CHANGE_SYSTEM: frozenset({Role.ORG_ADMIN, Role.SERVICE_OWNER}),
    Action.DELETE_SYSTEM: frozenset({Role.ORG_ADMIN}),
    Action.VIEW_MEMBERSHIP: frozenset({Role.ORG_ADMIN}),
    Action.MANAGE_MEMBERSHIP: frozenset({Role.ORG_ADMIN}),
}
# Actions only the platform operator may take.
OPERATOR_ONLY: set[str] = {Action.DELETE_ORGANIZATION, Action.VIEW_AUDIT}


def register_rules(
    rules: dict[str, frozenset[str]], operator_only: frozenset[str] = frozenset()
) -> None:
    """Add an app's actions: the roles allowed within an organization, and operator-only ones."""
    ORGANIZATION_RULES.update(rules)
    OPERATOR_ONLY.update(operator_only)


def memberships_of(user: Any) -> list[tuple[int | None, str]]:
    """(organization id, role) pairs, cached on the user object for the request."""
    cached = getattr(user, "_egov_memberships", None)
    if cached is None:
        cached = list(user.memberships.values_list("organization_id", "role"))
        user._egov_memberships = cached
    return cached


def is_operator(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or (None, Role.OPERATOR) in memberships_of(user)


def roles_in(user: Any, organization: Organization) -> set[str]:
    """The user's roles that reach `organization`: held in it or in any organization above it."""
    reach = set(organization.lineage_ids(include_self=True))
    return {role for org_id, role in memberships_of(user) if org_id in reach}


def organizations_for(user: Any, action: str) -> list[int] | None:
    """Ids of organizations where `action` is allowed; None means every organization."""
    if is_operator(user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    allowed_roles = ORGANIZATION_RULES.get(action, frozenset())
    roots = {org_id for org_id, role in memberships_of(user) if org_id and role in allowed_roles}
    return sorted(_with_descendants(roots))


def _with_descendants(roots: set[int]) -> set[int]:
    found = set(roots)
    frontier = set(roots)
    while frontier:
        frontier = (
            set(Organization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def has_permission(user: Any, action: str, organization: Organization | None = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_operator(user):
        return True
    if action in OPERATOR_ONLY:
        return False
    if organization is None:
        # "May the user do this anywhere?", asked for menus and listings.
        return bool(organizations_for(user, action))
    return bool(roles_in(user, organization) & ORGANIZATION_RULES.get(action, frozenset()))


def require(user: Any, action: str, organization: Organization | None = None) -> None:
    """Raise PermissionDenied (and audit it) unless the user may take the action."""
    if has_permission(user, action, organization):
        return
    audit.record(
        AuditAction.PERMISSION_DENIED,
        obj=organization,
        detail={"action": str(action), "user": getattr(user, "pk", None)},
    )
    raise PermissionDenied(str(action))
