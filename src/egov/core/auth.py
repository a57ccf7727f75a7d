"""An authentication backend that grants permissions from roles instead of Django's groups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from egov.core import permissions
from egov.core.choices import STAFF_ROLES
from egov.core.models import Organization, User

ACCESS_BACKOFFICE = "wagtailadmin.access_admin"


class RoleBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not getattr(user_obj, "is_active", False) or not user_obj.is_authenticated:
            return False
        if perm == ACCESS_BACKOFFICE:
            roles = {role for _org, role in permissions.memberships_of(user_obj)}
            return permissions.is_operator(user_obj) or bool(roles & STAFF_ROLES)
        if perm not in permissions.ORGANIZATION_RULES and perm not in permissions.OPERATOR_ONLY:
            return False
        organization = obj if isinstance(obj, Organization) else None
        return permissions.has_permission(user_obj, perm, organization)


def user_of(request: HttpRequest) -> User:
    """The logged-in user of a request that requires one (anonymous callers get a 403)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
